"""Cases (办件): one application of one item, from intake to conclusion.

A case is opened at one window (or online, by post, by API), checked against the item's material list,
then routed to the departments behind it: one Task per (stage step, department); tasks of one step run
in parallel and the case moves on when all are done. The clock is the case's `due_on`, computed from
the committed limit with the working-day calendar and moved by extensions and clock stops (special
procedures, supplements during review), each on record."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.catalog.models import Bundle, Item, Material, ProcedureKind, StageKind
from onewindow.orgs.models import Applicant, Department, ServiceCentre, Window
from onewindow.workflow.clock import Unit

from .states import CaseState, TaskState


class Channel(models.TextChoices):
    WINDOW = "window", _("窗口")
    ONLINE = "online", _("网上")
    POST = "post", _("邮寄")
    API = "api", _("接口")
    PHONE = "phone", _("电话")


class DeliveryMethod(models.TextChoices):
    PICKUP = "pickup", _("窗口领取")
    POST = "post", _("邮寄送达")
    ELECTRONIC = "electronic", _("电子证照（网上送达）")


class KeyProject(models.Model):
    """A key investment project: several cases of one project, carried by an agent (代办)."""

    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    name = models.CharField(_("项目名称"), max_length=200)
    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="projects", verbose_name=_("建设单位"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="agent_projects", verbose_name=_("代办员"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")

    def __str__(self):
        return self.name


class BundleApplication(models.Model):
    """一件事: one form and one set of materials, opening one case per item under one tracker."""

    number = models.CharField(_("一件事编号"), max_length=40, unique=True)
    query_code = models.CharField(_("查询码"), max_length=12)
    bundle = models.ForeignKey(Bundle, models.PROTECT, related_name="applications", verbose_name=_("一件事"))
    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="bundle_applications",
                                  verbose_name=_("申请人"))
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, related_name="bundle_applications",
                               verbose_name=_("受理中心"))
    submitted_at = models.DateTimeField(_("提交时间"))

    class Meta:
        verbose_name = _("一件事申请")
        verbose_name_plural = _("一件事申请")

    def __str__(self):
        return self.number


class Case(models.Model):
    number = models.CharField(_("办件编号"), max_length=40, unique=True,
                              help_text=_("中心编码-日期-序号，如 DX01-20261125-0001"))
    query_code = models.CharField(_("查询码"), max_length=12)
    # item, applicant and centre: no index of their own, each leads one of the indexes in Meta.
    item = models.ForeignKey(Item, models.PROTECT, related_name="cases", verbose_name=_("事项"), db_index=False)
    item_version = models.PositiveIntegerField(_("事项版本"))
    applicant = models.ForeignKey(Applicant, models.PROTECT, related_name="cases", verbose_name=_("申请人"),
                                  db_index=False)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, related_name="cases", verbose_name=_("受理中心"),
                               db_index=False)
    window = models.ForeignKey(Window, models.SET_NULL, null=True, blank=True, related_name="cases",
                               verbose_name=_("受理窗口"))
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=24, choices=CaseState.choices, default=CaseState.SUBMITTED)
    form_data = models.JSONField(_("申请表内容"), default=dict, blank=True)
    bundle_application = models.ForeignKey(BundleApplication, models.PROTECT, null=True, blank=True,
                                           related_name="cases", verbose_name=_("一件事申请"))
    project = models.ForeignKey(KeyProject, models.SET_NULL, null=True, blank=True, related_name="cases",
                                verbose_name=_("重点项目"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                              related_name="agent_cases", verbose_name=_("代办员"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="submitted_cases", verbose_name=_("录入人"))
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="accepted_cases", verbose_name=_("受理人"))
    submitted_at = models.DateTimeField(_("提交时间"))
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    # The clock (workflow/clock.py, mapped by cases.deadlines.CASE_CLOCK): due_on = accepted_on +
    # committed limit + granted extension + paused days, in the item's unit; warn_on and late_on are the
    # first days of the yellow and the red light; stopped_on the day of the decision (or the end).
    committed_limit_days = models.PositiveSmallIntegerField(_("承诺时限"))
    limit_unit = models.CharField(_("时限单位"), max_length=8, choices=Unit.choices, default=Unit.WORKING)
    extension_days = models.PositiveSmallIntegerField(_("已批准延长"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("计时暂停天数"), default=0)
    paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)
    due_on = models.DateField(_("办结期限"), null=True, blank=True)
    warn_on = models.DateField(_("黄灯起始日"), null=True, blank=True)
    late_on = models.DateField(_("超期起始日"), null=True, blank=True)
    stopped_on = models.DateField(_("计时结束日"), null=True, blank=True,
                                  help_text=_("作出决定（或办结、撤回）之日：亮灯以此判断按时或超期"))
    due_provisional = models.BooleanField(_("期限为暂定"), default=False,
                                          help_text=_("期限所在年份尚无正式放假安排"))
    calendar_version = models.PositiveIntegerField(_("计算期限所用日历版本"), null=True, blank=True)
    decided_at = models.DateTimeField(_("作出决定时间"), null=True, blank=True,
                                      help_text=_("批准或不予许可的时间：期限考核以此为准"))
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    visit_count = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    instant_rule = models.JSONField(_("秒批依据"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=12, choices=DeliveryMethod.choices, blank=True)
    delivery_address = models.CharField(_("邮寄地址"), max_length=200, blank=True)
    tracking_number = models.CharField(_("快递单号"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        indexes = [
            models.Index(fields=["centre", "state", "due_on"]),
            models.Index(fields=["applicant", "-submitted_at"]),
            models.Index(fields=["state", "due_on"]),
            models.Index(fields=["item", "state"]),
            # The staff case list, newest first: whole (supervisors), per centre (clerks), per state.
            models.Index(fields=["-submitted_at", "-id"], name="case_list_idx"),
            models.Index(fields=["centre", "-submitted_at", "-id"], name="case_list_centre_idx"),
            models.Index(fields=["state", "-submitted_at", "-id"], name="case_list_state_idx"),
            # The lights of open clocks (red, yellow, green: by late_on; paused) and the dashboard's
            # counts, read from the open cases only (a few per cent of the table).
            # INCLUDE: every column the lights' conditions name, so the counts are index-only scans.
            models.Index(fields=["late_on", "id"], include=["warn_on", "paused_since", "centre", "due_on", "stopped_on"],
                         condition=Q(stopped_on__isnull=True, due_on__isnull=False), name="case_open_clock_idx"),
            models.Index(fields=["paused_since", "id"], name="case_paused_idx",
                         condition=Q(stopped_on__isnull=True, due_on__isnull=False, paused_since__isnull=False)),
            # Concluded late (one case in a hundred or so), newest first.
            models.Index(fields=["-submitted_at", "-id"], name="case_late_idx", condition=Q(stopped_on__gt=F("due_on"))),
            # The dashboard's "accepted today" and "concluded today".
            models.Index(fields=["accepted_on"], name="case_accepted_on_idx"),
            models.Index(fields=["concluded_at"], name="case_concluded_at_idx"),
        ]

    def __str__(self):
        return self.number


class Task(models.Model):
    """A department's part of one stage step of a case. Tasks with the same step run in parallel."""

    # case and department: no index of their own, each leads one in Meta (the unique one, the inbox).
    case = models.ForeignKey(Case, models.CASCADE, related_name="tasks", verbose_name=_("办件"), db_index=False)
    step = models.PositiveSmallIntegerField(_("环节序号"))
    kind = models.CharField(_("环节类型"), max_length=12, choices=StageKind.choices)
    name = models.CharField(_("环节名称"), max_length=100)
    department = models.ForeignKey(Department, models.PROTECT, related_name="tasks", verbose_name=_("办理部门"),
                                   db_index=False)
    state = models.CharField(_("状态"), max_length=12, choices=TaskState.choices, default=TaskState.WAITING)
    # The stage's clock (cases.deadlines.TASK_CLOCK): from the day the step opens, its stage limit in the
    # item's unit, paused with the case; its dates kept in order and within the case's.
    limit_days = models.PositiveSmallIntegerField(_("环节时限"), default=0)
    limit_unit = models.CharField(_("时限单位"), max_length=8, choices=Unit.choices, default=Unit.WORKING)
    extension_days = models.PositiveSmallIntegerField(_("已批准延长"), default=0)
    paused_days = models.PositiveSmallIntegerField(_("计时暂停天数"), default=0)
    paused_since = models.DateField(_("暂停计时起"), null=True, blank=True)
    opened_on = models.DateField(_("开始日期"), null=True, blank=True)
    due_on = models.DateField(_("环节期限"), null=True, blank=True)
    warn_on = models.DateField(_("黄灯起始日"), null=True, blank=True)
    late_on = models.DateField(_("超期起始日"), null=True, blank=True)
    stopped_on = models.DateField(_("计时结束日"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                     related_name="completed_tasks", verbose_name=_("办理人"))
    opinion = models.TextField(_("审查意见"), blank=True)

    class Meta:
        verbose_name = _("审批任务")
        verbose_name_plural = _("审批任务")
        ordering = ["case", "step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "step", "department"], name="task_unique_per_step_department"),
        ]
        indexes = [
            # A department's inbox: its open tasks, oldest due first.
            models.Index(fields=["department", "state", "due_on"], name="task_inbox_idx"),
            # Its first page in index order, stopping after one page (migration 0003 says why); with the
            # columns of the stage's lights, so the dashboard's and the daily check's counts per
            # department are index-only scans of the open tasks.
            models.Index(fields=["department", "due_on", "id"], condition=models.Q(state__in=["open", "suspended"]),
                         include=["state", "warn_on", "late_on", "paused_since", "stopped_on"],
                         name="task_open_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.case.number} · {self.name} · {self.department}"


class CaseMaterialStatus(models.TextChoices):
    PROVIDED = "provided", _("已提交")
    FROM_CERTIFICATE = "from_certificate", _("电子证照自动调取")
    FROM_DATA_SHARING = "from_data_sharing", _("数据共享获取")
    WAIVED = "waived", _("容缺待补")
    MISSING = "missing", _("缺少")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class CaseMaterial(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="materials", verbose_name=_("办件"))
    material = models.ForeignKey(Material, models.SET_NULL, null=True, blank=True, related_name="+",
                                 verbose_name=_("目录材料"))
    name = models.CharField(_("材料名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=20, choices=CaseMaterialStatus.choices)
    certificate = models.ForeignKey("Certificate", models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("调取的电子证照"))
    file = models.FileField(_("文件"), upload_to="cases/%Y/%m/", blank=True)
    promised_by = models.DateField(_("承诺补齐日期"), null=True, blank=True)
    supplied_at = models.DateTimeField(_("补齐时间"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("办件材料")
        verbose_name_plural = _("办件材料")
        ordering = ["case", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="waived") | Q(promised_by__isnull=False),
                                   name="waived_material_has_promise_date"),
        ]

    def __str__(self):
        return f"{self.case.number} · {self.name}"


class SupplementRequest(models.Model):
    """补正: one notice listing every defect at once; the clock does not run until supplied."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="supplement_requests", verbose_name=_("办件"))
    task = models.ForeignKey(Task, models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("提出环节"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("提出人"))
    requested_at = models.DateTimeField(_("提出时间"))
    requested_on = models.DateField(_("提出日期"))
    defects = models.JSONField(_("需补正事项"), help_text=_("[{material_id, name, reason}]"))
    return_state = models.CharField(_("补正后回到"), max_length=24, choices=CaseState.choices)
    supplied_at = models.DateTimeField(_("补正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["case", "requested_at"]

    def __str__(self):
        return f"{self.case.number} 补正 {self.requested_on}"




class SpecialProcedure(models.Model):
    """特别程序 (Administrative Licensing Law Art. 45): not counted in the limit; its own limit is told
    to the applicant in writing."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="special_procedures", verbose_name=_("办件"))
    task = models.ForeignKey(Task, models.CASCADE, related_name="special_procedures", verbose_name=_("环节"))
    kind = models.CharField(_("程序"), max_length=20, choices=ProcedureKind.choices)
    limit_days = models.PositiveSmallIntegerField(_("程序时限（工作日）"))
    started_on = models.DateField(_("开始日期"))
    due_on = models.DateField(_("程序期限"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("启动人"))
    reason = models.TextField(_("理由"))
    outcome = models.TextField(_("结论"), blank=True)
    applicant_notified_at = models.DateTimeField(_("书面告知时间"), null=True, blank=True)
    # Committed in advance (catalog.ItemProcedure): a procedure the item does not list, or longer than
    # its listed limit, is an exception with its reason, listed for the efficiency office.
    committed_limit_days = models.PositiveSmallIntegerField(_("目录承诺时限（工作日）"), null=True, blank=True)
    is_exception = models.BooleanField(_("例外"), default=False, help_text=_("事项未承诺该程序，或超过承诺的时限"))
    exception_reason = models.TextField(_("例外理由"), blank=True)

    class Meta:
        verbose_name = _("特别程序")
        verbose_name_plural = _("特别程序")
        indexes = [models.Index(fields=["is_exception", "started_on"], name="procedure_exception_idx")]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"


class Extension(models.Model):
    """延长: e.g. 20 working days + 10 with approval (Art. 42), joint handling 45 + 15."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="extensions", verbose_name=_("办件"))
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("理由"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                     verbose_name=_("提请人"))
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("批准人"))
    approved_at = models.DateTimeField(_("批准时间"))
    applicant_notified_at = models.DateTimeField(_("告知申请人时间"), null=True, blank=True)
    previous_due_on = models.DateField(_("原期限"))
    new_due_on = models.DateField(_("新期限"))

    class Meta:
        verbose_name = _("延长审批")
        verbose_name_plural = _("延长审批")

    def __str__(self):
        return f"{self.case.number} +{self.days}"


class DenialKind(models.TextChoices):
    REFUSAL = "refusal", _("不予受理")
    DENIAL = "denial", _("不予许可")
    RETURN = "return", _("退回")


class DenialFiling(models.Model):
    """否定报备: every "no" is filed with its reason and visible to the efficiency office."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="denial_filings", verbose_name=_("办件"))
    kind = models.CharField(_("类别"), max_length=10, choices=DenialKind.choices)
    department = models.ForeignKey(Department, models.PROTECT, related_name="denial_filings",
                                   verbose_name=_("部门"))
    reason = models.TextField(_("理由"))
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("报备人"))
    filed_at = models.DateTimeField(_("报备时间"))

    class Meta:
        verbose_name = _("否定报备")
        verbose_name_plural = _("否定报备")
        ordering = ["-filed_at"]

    def __str__(self):
        return f"{self.case.number} {self.get_kind_display()}"


class FeeState(models.TextChoices):
    UNPAID = "unpaid", _("未缴")
    PAID = "paid", _("已缴")
    WAIVED = "waived", _("减免")


class Fee(models.Model):
    case = models.ForeignKey(Case, models.CASCADE, related_name="fees", verbose_name=_("办件"))
    description = models.CharField(_("收费项目"), max_length=200)
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2)
    state = models.CharField(_("缴费状态"), max_length=8, choices=FeeState.choices, default=FeeState.UNPAID)
    paid_at = models.DateTimeField(_("缴费时间"), null=True, blank=True)
    receipt_number = models.CharField(_("票据号"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("收费")
        verbose_name_plural = _("收费")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fee_not_negative")]

    def __str__(self):
        return f"{self.case.number} {self.description} {self.amount}"


class CertificateStatus(models.TextChoices):
    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已注销")
    EXPIRED = "expired", _("已过期")


class Certificate(models.Model):
    """电子证照: a result stored so that no later application asks for it again."""

    number = models.CharField(_("证照编号"), max_length=50, unique=True)
    certificate_type = models.CharField(_("证照类型"), max_length=40)
    title = models.CharField(_("证照名称"), max_length=100)
    holder = models.ForeignKey(Applicant, models.PROTECT, related_name="certificates", verbose_name=_("持证主体"),
                               db_index=False)  # leads the index in Meta
    case = models.ForeignKey(Case, models.SET_NULL, null=True, blank=True, related_name="certificates",
                             verbose_name=_("来源办件"))
    issuer = models.ForeignKey(Department, models.PROTECT, related_name="certificates", verbose_name=_("发证部门"))
    issued_on = models.DateField(_("发证日期"))
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=CertificateStatus.choices,
                              default=CertificateStatus.VALID)
    data = models.JSONField(_("证照信息"), default=dict, blank=True)
    digest = models.CharField(_("防伪摘要"), max_length=64)

    class Meta:
        verbose_name = _("电子证照")
        verbose_name_plural = _("电子证照")
        indexes = [models.Index(fields=["holder", "certificate_type", "status"])]

    def __str__(self):
        return f"{self.title} {self.number}"


class CaseCounter(models.Model):
    """The last sequence number issued per centre and day (case numbers are readable: DX01-20261125-0001)."""

    centre = models.ForeignKey(ServiceCentre, models.CASCADE, related_name="+", verbose_name=_("中心"))
    day = models.DateField(_("日期"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("办件编号计数器")
        verbose_name_plural = _("办件编号计数器")
        constraints = [models.UniqueConstraint(fields=["centre", "day"], name="case_counter_unique")]

    def __str__(self):
        return f"{self.centre_id} {self.day} {self.last}"


class IdempotencyRecord(models.Model):
    """The same Idempotency-Key from the same caller returns the same case, never a second one."""

    key = models.CharField(_("幂等键"), max_length=100)
    principal = models.CharField(_("调用者"), max_length=80, help_text=_("调用者标识，如 user:12"))
    request_digest = models.CharField(_("请求摘要"), max_length=64)
    case = models.ForeignKey(Case, models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("办件"))
    bundle_application = models.ForeignKey(BundleApplication, models.CASCADE, null=True, blank=True,
                                           related_name="+", verbose_name=_("一件事申请"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [models.UniqueConstraint(fields=["principal", "key"], name="idempotency_key_unique")]

    def __str__(self):
        return f"{self.principal} {self.key}"


class CertificateCounter(models.Model):
    """The last sequence number issued per certificate type and year (DX-YYZZ-2026-000001)."""

    certificate_type = models.CharField(_("证照类型"), max_length=40)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("证照编号计数器")
        verbose_name_plural = _("证照编号计数器")
        constraints = [models.UniqueConstraint(fields=["certificate_type", "year"],
                                               name="certificate_counter_unique")]

    def __str__(self):
        return f"{self.certificate_type} {self.year} {self.last}"
