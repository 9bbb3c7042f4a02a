"""What the dispatch suggestion learns from and what it learnt.

- DispatchExample: one past work order's words and the unit that answered it, from an imported archive
  (`onewindow complaints learn FILE`) or from a work order that closed (`dispatch.learn_from_closed`).
- DispatchModel: one learnt model, shared by every app server through the database: plain arrays
  (numpy .npz, loaded with allow_pickle=False) and JSON, never a pickled object."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.clock import Clocked


class ExampleSource(models.TextChoices):
    IMPORTED = "imported", _("导入的历史工单")
    CLOSED = "closed", _("办结的工单")


class DispatchExample(models.Model):
    text = models.TextField(_("诉求内容"))
    unit_name = models.CharField(_("承办单位"), max_length=200)
    department = models.ForeignKey("orgs.Department", models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("对应部门"))
    source = models.CharField(_("来源"), max_length=16, choices=ExampleSource.choices)
    # The closed work order's number: the same order closing again (after a reopening) replaces its
    # example instead of adding a second one.
    reference = models.CharField(_("工单编号"), max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("加入时间"))

    class Meta:
        verbose_name = _("派单学习样本")
        verbose_name_plural = _("派单学习样本")

    def __str__(self):
        return f"{self.unit_name}: {self.text[:30]}"


class DispatchModel(models.Model):
    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("学习时间"))
    examples_count = models.PositiveIntegerField(_("样本数"))
    units_count = models.PositiveIntegerField(_("单位数"))
    features_count = models.PositiveIntegerField(_("词项数"))
    # [{"name": ..., "department": id or null, "count": n}, ...] in the weights' column order.
    units = models.JSONField(_("单位"))
    vocabulary = models.TextField(_("词表（JSON 数组）"))
    arrays = models.BinaryField(_("权重（npz）"))
    # Sorted 63-bit fingerprints of the orders learnt from (evaluate leaves those out).
    learnt = models.BinaryField(_("已学工单指纹"))
    # {"n": held-out orders, "top1": ..., "top3": ..., "seconds": learning time}
    quality = models.JSONField(_("留出集准确率"), default=dict)

    class Meta:
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")

    def __str__(self):
        return f"v{self.version} ({self.examples_count})"


# --- work orders ---------------------------------------------------------------------------------------

class OrderKind(models.TextChoices):
    """What the complainant brings (the hotline's 诉求类型, issue 17)."""

    COMPLAINT = "complaint", _("效能投诉")
    CANNOT_GET_DONE = "cannot_get_done", _("办不成事反映")
    ENTERPRISE_REQUEST = "enterprise_request", _("企业诉求（企呼我应）")
    CONSULTATION = "consultation", _("咨询")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class ComplaintSubkind(models.TextChoices):
    """The six lapses an efficiency complaint names."""

    DELAY = "delay", _("无故拖延")
    PASSING_THE_BUCK = "passing_the_buck", _("推诿扯皮")
    FAVOURS = "favours", _("吃拿卡要")
    RUDENESS = "rudeness", _("态度生硬")
    ILLEGAL_FEES = "illegal_fees", _("乱收费乱罚款")
    ONE_TIME_NOTICE = "one_time_notice", _("未落实一次性告知")


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    WEB = "web", _("网站")
    WINDOW = "window", _("窗口")
    API = "api", _("接口")
    OPEN311 = "open311", _("Open311")


class OrderState(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    DISPATCHED = "dispatched", _("待签收")
    RETURNED = "returned", _("已退单")
    HANDLING = "handling", _("办理中")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结归档")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class RatingSource(models.TextChoices):
    COMPLAINANT = "complainant", _("诉求人评价")
    FOLLOW_UP_CALL = "follow_up_call", _("回访")


class KindLimit(models.Model):
    """The time limits of one kind of work order, in working days, set by the efficiency office. A kind
    without a row uses complaints.limits.DEFAULT_LIMITS."""

    kind = models.CharField(_("诉求类型"), max_length=24, choices=OrderKind.choices, unique=True)
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"))
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("工单时限")
        verbose_name_plural = _("工单时限")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.sign_days}/{self.reply_days}"


class WorkOrderCounter(models.Model):
    day = models.DateField(_("日期"), unique=True)
    last = models.PositiveIntegerField(_("最后序号"), default=0)

    class Meta:
        verbose_name = _("工单编号计数")
        verbose_name_plural = _("工单编号计数")

    def __str__(self):
        return f"{self.day}: {self.last}"


class WorkOrder(Clocked):
    """One complaint, request, consultation, suggestion or praise, from registration to archive.

    Two clocks, both the engine's (workflow.clock): the reply clock (`clock_*`, inherited: from dispatch
    to the unit's reply, restarted for the second handling) is the order's light on every list and board;
    the sign-off clock (`sign_*`, mapped by SIGN_CLOCK) runs from dispatch to the unit's 签收 or 退单, for
    the on-time sign-off figure and a yellow/red light while an order waits to be signed."""

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    query_code = models.CharField(_("查询码"), max_length=12)
    kind = models.CharField(_("诉求类型"), max_length=24, choices=OrderKind.choices)
    subkind = models.CharField(_("投诉情形"), max_length=24, choices=ComplaintSubkind.choices, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=12, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=12, choices=OrderState.choices, default=OrderState.REGISTERED)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("诉求内容"))
    # The complainant: always known to the office; hidden from the unit when anonymous.
    complainant_name = models.CharField(_("诉求人"), max_length=100, blank=True)
    complainant_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    complainant_email = models.EmailField(_("电子邮箱"), blank=True)
    complainant_user = models.ForeignKey("orgs.User", models.SET_NULL, null=True, blank=True, related_name="+",
                                         verbose_name=_("诉求人账号"))
    anonymous = models.BooleanField(_("对承办单位匿名"), default=False)
    # Where (Open311's address_string, lat, long) and a picture's address.
    address = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(_("图片地址"), max_length=500, blank=True)
    case = models.ForeignKey("cases.Case", models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("关联办件"))
    item = models.ForeignKey("catalog.Item", models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("关联事项"))
    department = models.ForeignKey("orgs.Department", models.PROTECT, null=True, blank=True,
                                   related_name="work_orders", verbose_name=_("承办单位"))
    registered_by = models.ForeignKey("orgs.User", models.SET_NULL, null=True, blank=True, related_name="+",
                                      verbose_name=_("登记人"))
    registered_at = models.DateTimeField(_("登记时间"))
    dispatched_at = models.DateTimeField(_("派单时间"), null=True, blank=True)
    dispatch_note = models.TextField(_("派单意见"), blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    returns_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    reply = models.TextField(_("答复内容"), blank=True)
    substantiated = models.BooleanField(_("投诉属实"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    replied_by = models.ForeignKey("orgs.User", models.SET_NULL, null=True, blank=True, related_name="+",
                                   verbose_name=_("答复人"))
    satisfaction = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices, blank=True)
    rating_source = models.CharField(_("评价方式"), max_length=16, choices=RatingSource.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("重办时间"), null=True, blank=True)
    first_reply = models.TextField(_("首次答复"), blank=True)
    closed_at = models.DateTimeField(_("归档时间"), null=True, blank=True)
    # The sign-off clock (SIGN_CLOCK in complaints.clocks maps these to the engine's ClockFields).
    sign_started_on = models.DateField(_("签收计时起始日"), null=True, blank=True)
    sign_limit = models.PositiveIntegerField(_("签收时限"), default=0)
    sign_unit = models.CharField(_("签收时限单位"), max_length=8, default="working")
    sign_extension = models.PositiveIntegerField(_("签收延长"), default=0)
    sign_paused_since = models.DateField(_("签收暂停计时起"), null=True, blank=True)
    sign_paused_days = models.PositiveIntegerField(_("签收暂停天数"), default=0)
    sign_due_on = models.DateField(_("签收期限"), null=True, blank=True)
    sign_warn_on = models.DateField(_("签收黄灯起始日"), null=True, blank=True)
    sign_late_on = models.DateField(_("签收超期起始日"), null=True, blank=True)
    sign_stopped_on = models.DateField(_("签收计时结束日"), null=True, blank=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        indexes = [
            models.Index(fields=["clock_stopped_on", "clock_late_on"], name="workorder_clock_late"),
            models.Index(fields=["clock_stopped_on", "clock_warn_on"], name="workorder_clock_warn"),
            models.Index(fields=["department", "state"], name="workorder_unit_state"),
            models.Index(fields=["state", "registered_at"], name="workorder_state_registered"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind="complaint") | models.Q(subkind=""),
                                   name="workorder_subkind_only_for_complaints"),
            models.CheckConstraint(condition=models.Q(returns_count__gte=0), name="workorder_returns_nonnegative"),
        ]

    def __str__(self):
        return self.number


class OrderReturn(models.Model):
    """A unit sending a work order back (退单) with its basis; the office dispatches it again."""

    order = models.ForeignKey(WorkOrder, models.CASCADE, related_name="returns", verbose_name=_("工单"))
    department = models.ForeignKey("orgs.Department", models.PROTECT, related_name="+", verbose_name=_("退单单位"))
    basis = models.TextField(_("退单依据"))
    returned_at = models.DateTimeField(_("退单时间"))
    returned_by = models.ForeignKey("orgs.User", models.SET_NULL, null=True, blank=True, related_name="+",
                                    verbose_name=_("退单人"))

    class Meta:
        verbose_name = _("退单记录")
        verbose_name_plural = _("退单记录")
        indexes = [models.Index(fields=["department", "returned_at"], name="orderreturn_unit_time")]

    def __str__(self):
        return f"{self.order_id} ← {self.department_id}"
