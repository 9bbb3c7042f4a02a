"""Ratings (好差评) and public appraisal (社会评议).

- `Rating`: one per rated service — a concluded case, a window visit (a hall ticket served), a closed
  complaint work order — named generically by (subject_kind, subject_id); the database refuses a second
  (一次一评、一事一评). It carries the level, the standard's dimensions, the comment and, copied from the
  service when it was rated, who and what it judges (department, centre, window, item, clerk), so the
  public statistics are one GROUP BY. A rating is never changed; an upheld appeal sets `counted` false:
  out of the statistics, still on record.
- `Rectification`: what a bad rating opens for the responsible unit, with a clock (workflow.clock),
  the follow-up contact with the applicant, the result, the office's review and the unit's appeal.
- `Survey` …: the yearly public appraisal — questions, the departments it scores, its period, one
  response per person (a database constraint on the respondent's key), the problems handed to each
  department with owners and deadlines (clocks).

Writes in ratings/services.py, reads in ratings/selectors.py."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Item
from onewindow.orgs.models import Applicant, Department, ServiceCentre, Window
from onewindow.workflow.clock import Clocked

from .states import AppealGround, Level, Mode, RectificationState, Source, SubjectKind


def _level_check(field: str, *, nullable: bool) -> models.CheckConstraint:
    condition = Q(**{f"{field}__gte": 1, f"{field}__lte": 5})
    if nullable:
        condition |= Q(**{f"{field}__isnull": True})
    return models.CheckConstraint(condition=condition, name=f"rating_{field}_in_range")


class Rating(models.Model):
    subject_kind = models.CharField(_("评价对象类型"), max_length=12, choices=SubjectKind.choices)
    subject_id = models.PositiveBigIntegerField(_("评价对象编号"))
    subject_label = models.CharField(_("评价对象"), max_length=120, help_text=_("如办件编号、排队号"))
    mode = models.CharField(_("办理方式"), max_length=10, choices=Mode.choices)
    source = models.CharField(_("评价渠道"), max_length=10, choices=Source.choices)
    level = models.PositiveSmallIntegerField(_("总体评价"), choices=Level.choices)
    efficiency = models.PositiveSmallIntegerField(_("办事效率"), choices=Level.choices, null=True, blank=True)
    guide_accuracy = models.PositiveSmallIntegerField(_("办事指南准确性"), choices=Level.choices, null=True,
                                                      blank=True)
    convenience = models.PositiveSmallIntegerField(_("办事便利度"), choices=Level.choices, null=True, blank=True)
    usability = models.PositiveSmallIntegerField(_("平台易用性"), choices=Level.choices, null=True, blank=True)
    service_level = models.PositiveSmallIntegerField(_("服务水平"), choices=Level.choices, null=True, blank=True)
    attitude = models.PositiveSmallIntegerField(_("服务态度"), choices=Level.choices, null=True, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    # Who and what the rating judges, copied from the service when rated (the statistics' groups).
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("责任部门"), db_index=False)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("中心"), db_index=False)
    window = models.ForeignKey(Window, models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name=_("窗口"), db_index=False)
    item = models.ForeignKey(Item, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("事项"),
                             db_index=False)
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("服务人员"), db_index=False)
    applicant = models.ForeignKey(Applicant, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("评价人"))
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("评价账号"))
    rated_at = models.DateTimeField(_("评价时间"))
    rated_on = models.DateField(_("评价日期"))
    counted = models.BooleanField(_("计入统计"), default=True,
                                  help_text=_("申诉成立的差评不计入统计，但保留记录"))

    class Meta:
        verbose_name = _("好差评")
        verbose_name_plural = _("好差评")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subject_kind", "subject_id"], name="rating_once_per_service"),
            _level_check("level", nullable=False),
            *[_level_check(name, nullable=True) for name in
              ("efficiency", "guide_accuracy", "convenience", "usability", "service_level", "attitude")],
        ]
        indexes = [
            # The public statistics and the appraisal: a period's ratings per department, item, window.
            models.Index(fields=["department", "rated_on"], name="rating_department_idx"),
            models.Index(fields=["item", "rated_on"], name="rating_item_idx"),
            models.Index(fields=["window", "rated_on"], name="rating_window_idx"),
            models.Index(fields=["clerk", "rated_on"], name="rating_clerk_idx"),
            models.Index(fields=["rated_on"], name="rating_day_idx"),
        ]

    def __str__(self):
        return f"{self.subject_label} · {self.get_level_display()}"


class Rectification(Clocked):
    """A bad rating's rectification (差评整改) by the responsible unit: a follow-up contact with the
    applicant (回访), the result, the office's review (accept or send back), or the unit's appeal."""

    rating = models.OneToOneField(Rating, models.PROTECT, related_name="rectification", verbose_name=_("差评"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="+",
                                   verbose_name=_("责任部门"), db_index=False)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("责任中心"), db_index=False,
                               help_text=_("无责任部门时（如未选事项的窗口服务）由中心整改"))
    state = models.CharField(_("状态"), max_length=16, choices=RectificationState.choices,
                             default=RectificationState.OPEN)
    opened_at = models.DateTimeField(_("生成时间"))
    follow_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访情况"), blank=True)
    follow_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("回访人"))
    result = models.TextField(_("整改结果"), blank=True)
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("报送人"))
    rejections = models.PositiveSmallIntegerField(_("被退回次数"), default=0)
    office_note = models.TextField(_("效能办意见"), blank=True)
    appeal_ground = models.CharField(_("申诉理由类型"), max_length=12, choices=AppealGround.choices, blank=True)
    appeal_reason = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(_("申诉时间"), null=True, blank=True)
    appeal_decision = models.TextField(_("复核意见"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")
        ordering = ["-opened_at", "-id"]
        indexes = [
            models.Index(fields=["department", "state"], name="rectification_unit_idx"),
            models.Index(fields=["clock_stopped_on", "clock_late_on"], name="rectification_late_idx"),
            models.Index(fields=["clock_stopped_on", "clock_warn_on"], name="rectification_warn_idx"),
        ]

    def __str__(self):
        return str(_("差评整改：%(subject)s") % {"subject": self.rating.subject_label})


# -- public appraisal (社会评议) ----------------------------------------------------------------------

class Survey(models.Model):
    """One year's public appraisal: the departments it scores, its questions and its period. The
    public link carries `code`."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    title = models.CharField(_("名称"), max_length=120)
    code = models.CharField(_("链接码"), max_length=24, unique=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    departments = models.ManyToManyField(Department, related_name="+", verbose_name=_("参评部门"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("社会评议")
        verbose_name_plural = _("社会评议")
        ordering = ["-year"]
        constraints = [models.CheckConstraint(condition=Q(starts_on__lte=models.F("ends_on")),
                                              name="survey_period_in_order")]

    def __str__(self):
        return self.title


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, models.CASCADE, related_name="questions", verbose_name=_("社会评议"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("问题"), max_length=200)

    class Meta:
        verbose_name = _("评议问题")
        verbose_name_plural = _("评议问题")
        ordering = ["survey", "order", "id"]

    def __str__(self):
        return self.text


class SurveyResponse(models.Model):
    """One person's answers. `respondent_key` is a keyed hash of the confirmed phone number or of the
    signed-in applicant: the database allows one per survey. `suspect`: the duplicate check found the
    same answers from the same network in a burst; such answers are kept but not scored."""

    survey = models.ForeignKey(Survey, models.PROTECT, related_name="responses", verbose_name=_("社会评议"),
                               db_index=False)
    respondent_key = models.CharField(_("答卷人标识（加密）"), max_length=64)
    applicant = models.ForeignKey(Applicant, models.SET_NULL, null=True, blank=True, related_name="+",
                                  verbose_name=_("申请人"))
    network_key = models.CharField(_("网络来源标识（加密）"), max_length=64, blank=True)
    answers_digest = models.CharField(_("答案摘要"), max_length=64)
    suspect = models.BooleanField(_("疑似刷票"), default=False)
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("评议答卷")
        verbose_name_plural = _("评议答卷")
        constraints = [models.UniqueConstraint(fields=["survey", "respondent_key"], name="survey_one_response_each")]
        indexes = [models.Index(fields=["survey", "network_key", "submitted_at"], name="survey_response_net_idx")]

    def __str__(self):
        return f"{self.survey} #{self.pk}"


class SurveyAnswer(models.Model):
    response = models.ForeignKey(SurveyResponse, models.CASCADE, related_name="answers", verbose_name=_("答卷"),
                                 db_index=False)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("部门"))
    question = models.ForeignKey(SurveyQuestion, models.PROTECT, related_name="+", verbose_name=_("问题"))
    level = models.PositiveSmallIntegerField(_("评价"), choices=Level.choices)

    class Meta:
        verbose_name = _("评议答案")
        verbose_name_plural = _("评议答案")
        constraints = [
            models.UniqueConstraint(fields=["response", "department", "question"], name="survey_answer_once"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="survey_answer_level_in_range"),
        ]

    def __str__(self):
        return f"{self.department} · {self.question} · {self.level}"


class SurveyComment(models.Model):
    response = models.ForeignKey(SurveyResponse, models.CASCADE, related_name="comments", verbose_name=_("答卷"),
                                 db_index=False)
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("部门"))
    text = models.TextField(_("意见建议"))

    class Meta:
        verbose_name = _("评议意见")
        verbose_name_plural = _("评议意见")
        constraints = [models.UniqueConstraint(fields=["response", "department"], name="survey_comment_once")]

    def __str__(self):
        return self.text[:40]


class ProblemState(models.TextChoices):
    OPEN = "open", _("整改中")
    DONE = "done", _("已整改")


class SurveyProblem(Clocked):
    """A problem the appraisal found, handed to a department with an owner and a deadline (a clock)."""

    survey = models.ForeignKey(Survey, models.PROTECT, related_name="problems", verbose_name=_("社会评议"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("部门"),
                                   db_index=False)
    description = models.TextField(_("问题"))
    owner = models.CharField(_("责任人"), max_length=100)
    state = models.CharField(_("状态"), max_length=8, choices=ProblemState.choices, default=ProblemState.OPEN)
    result = models.TextField(_("整改结果"), blank=True)
    created_at = models.DateTimeField(_("交办时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("评议问题整改")
        verbose_name_plural = _("评议问题整改")
        ordering = ["clock_due_on", "id"]
        indexes = [
            models.Index(fields=["department", "state"], name="survey_problem_unit_idx"),
            models.Index(fields=["clock_stopped_on", "clock_late_on"], name="survey_problem_late_idx"),
        ]

    def __str__(self):
        return self.description[:40]
