"""Performance appraisal (绩效考评): periods, their indicator weights, and the scores of a closed period.

- `Period`: a month, quarter or year. Open periods are scored live from the cases (and the hall) on
  every read; a closed period's scores are the `Score` rows written when it was closed, and nothing
  changes them afterwards (appraisal.services refuses every write to a closed period, and a `Score`
  row is never updated or deleted).
- `IndicatorWeight`: an indicator's weight, target and floor in one period (the indicators themselves
  are declared in appraisal/indicators.py). A period without rows uses the registry's defaults.
- `Score`: one subject's (department, centre or window clerk) figure for one indicator — or its total
  (indicator "") — in a closed period, with its rank."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onewindow.core.errors import Conflict


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class SubjectKind(models.TextChoices):
    DEPARTMENT = "department", _("部门")
    CENTRE = "centre", _("中心")
    CLERK = "clerk", _("窗口人员")


class Period(models.Model):
    kind = models.CharField(_("考评周期"), max_length=8, choices=PeriodKind.choices)
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    closed_at = models.DateTimeField(_("关账时间"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name=_("关账人"))

    class Meta:
        verbose_name = _("考评期")
        verbose_name_plural = _("考评期")
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="appraisal_period_unique"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="appraisal_period_ends_after_start"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}–{self.end}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class IndicatorWeight(models.Model):
    period = models.ForeignKey(Period, models.CASCADE, related_name="weights", verbose_name=_("考评期"))
    indicator = models.CharField(_("指标"), max_length=40)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2)
    target = models.DecimalField(_("满分目标值"), max_digits=12, decimal_places=4,
                                 help_text=_("达到该值得 100 分"))
    floor = models.DecimalField(_("零分值"), max_digits=12, decimal_places=4,
                                help_text=_("达到该值得 0 分；两值之间按比例计分"))

    class Meta:
        verbose_name = _("指标权重")
        verbose_name_plural = _("指标权重")
        ordering = ["period", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["period", "indicator"], name="appraisal_weight_unique"),
            models.CheckConstraint(condition=Q(weight__gte=0), name="appraisal_weight_not_negative"),
            models.CheckConstraint(condition=~Q(target=models.F("floor")), name="appraisal_target_not_floor"),
        ]

    def __str__(self):
        return f"{self.period} {self.indicator} {self.weight}"


class Score(models.Model):
    """A closed period's figure: written once when the period is closed, never changed."""

    period = models.ForeignKey(Period, models.PROTECT, related_name="scores", verbose_name=_("考评期"))
    subject_kind = models.CharField(_("考评对象类型"), max_length=12, choices=SubjectKind.choices)
    subject_id = models.BigIntegerField(_("考评对象编号"))
    subject_name = models.CharField(_("考评对象"), max_length=200)
    indicator = models.CharField(_("指标"), max_length=40, blank=True, help_text=_("空为总分"))
    numerator = models.FloatField(_("分子"), null=True, blank=True)
    denominator = models.FloatField(_("分母"), null=True, blank=True)
    value = models.FloatField(_("指标值"), null=True, blank=True)
    score = models.FloatField(_("得分"), null=True, blank=True)
    weight = models.DecimalField(_("权重"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)

    class Meta:
        verbose_name = _("考评得分")
        verbose_name_plural = _("考评得分")
        ordering = ["period", "subject_kind", "rank", "subject_id", "indicator"]
        constraints = [
            models.UniqueConstraint(fields=["period", "subject_kind", "subject_id", "indicator"],
                                    name="appraisal_score_unique"),
        ]

    def __str__(self):
        return f"{self.period} {self.subject_name} {self.indicator or 'total'} {self.score}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise Conflict(str(_("已关账考评期的得分不能修改")))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise Conflict(str(_("已关账考评期的得分不能删除")))
