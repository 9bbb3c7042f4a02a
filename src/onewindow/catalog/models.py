"""The catalog: items (政务服务事项), their materials and stages, bundles (一件事), versions and
announcements. Consistency rules across fields live in catalog.services.validate_item; the database
holds the invariants that one row can check by itself."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from onewindow.orgs.models import CentreLevel, Department, RegionLevel, ServiceCentre


class ItemKind(models.TextChoices):
    LICENSING = "licensing", _("行政许可")
    CONFIRMATION = "confirmation", _("行政确认")
    PAYMENT = "payment", _("行政给付")
    COLLECTION = "collection", _("行政征收")
    ADJUDICATION = "adjudication", _("行政裁决")
    REWARD = "reward", _("行政奖励")
    OTHER_POWER = "other_power", _("其他行政权力")
    PUBLIC_SERVICE = "public_service", _("公共服务")


class ItemLevel(models.TextChoices):
    MAIN = "main", _("主项")
    SUB = "sub", _("子项")
    HANDLING = "handling", _("办理项")


class HandlingType(models.TextChoices):
    NEW = "new", _("设立（新办）")
    CHANGE = "change", _("变更")
    RENEWAL = "renewal", _("延续")
    CANCELLATION = "cancellation", _("注销")
    OTHER = "other", _("其他")


class OnlineDepth(models.IntegerChoices):
    INFORMATION = 1, _("一级：网上公开办事信息")
    DOWNLOAD = 2, _("二级：网上下载表格")
    APPLY = 3, _("三级：网上预审、网上申请")
    FULLY_ONLINE = 4, _("四级：全程网办（含结果送达）")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("在用")
    SUSPENDED = "suspended", _("暂停")
    ABOLISHED = "abolished", _("已取消")


class LimitUnit(models.TextChoices):
    """The unit of an item's limits. The Administrative Licensing Law counts working days (Art. 82);
    other laws and many public services promise natural days (居民身份证法 Art. 11: an identity card
    within 60 days), and real catalogs record both (工作日 / 自然日)."""

    WORKING = "working", _("工作日")
    NATURAL = "natural", _("自然日")


class GapKind(models.TextChoices):
    """What a draft still lacks, grouped for the catalog manager's review queue."""

    KIND = "kind", _("事项类型")
    LIMITS = "limits", _("办结时限")
    IMMEDIACY = "immediacy", _("即办件或承诺件")
    VISITS = "visits", _("到现场与送达")
    MATERIALS = "materials", _("申请材料")
    OTHER = "other", _("其他")


class LifeEvent(models.Model):
    """A life or business event used to browse the catalog (出生, 开办企业, 不动产登记 …)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    audience = models.CharField(_("服务对象"), max_length=16,
                                choices=[("person", _("个人")), ("enterprise", _("法人"))])
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("主题（人生事件）")
        verbose_name_plural = _("主题（人生事件）")
        ordering = ["audience", "order", "code"]

    def __str__(self):
        return self.name


class Item(models.Model):
    """One kind of service. Its limits (legal, committed, extension, stages) are counted in one unit,
    `limit_unit`: working days (see calendar) or natural days; the committed limit is the centre's
    promise and may never exceed the legal one (Administrative Licensing Law, Art. 42).

    A draft is a work in progress, typically a row of a provincial export that lacks what the file
    cannot say: it may break the consistency rules (the database checks them on every other status),
    `review_gaps` lists what it still lacks, and it is checked in full when it is published."""

    code = models.CharField(_("事项编码"), max_length=64, unique=True)
    name = models.CharField(_("事项名称"), max_length=200)
    kind = models.CharField(_("事项类型"), max_length=20, choices=ItemKind.choices)
    level = models.CharField(_("事项层级"), max_length=10, choices=ItemLevel.choices, default=ItemLevel.HANDLING)
    handling_type = models.CharField(_("业务办理项类型"), max_length=16, choices=HandlingType.choices, blank=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级事项"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="items", verbose_name=_("实施主体"))
    region_level = models.PositiveSmallIntegerField(_("行使层级"), choices=RegionLevel.choices,
                                                    default=RegionLevel.COUNTY)
    legal_basis = models.TextField(_("设定依据"), blank=True)
    legal_limit_days = models.PositiveSmallIntegerField(_("法定办结时限"), null=True, blank=True)
    committed_limit_days = models.PositiveSmallIntegerField(_("承诺办结时限"), null=True, blank=True)
    limit_unit = models.CharField(_("时限单位"), max_length=8, choices=LimitUnit.choices, default=LimitUnit.WORKING,
                                  help_text=_("法定、承诺、延长和环节时限的单位：工作日或自然日"))
    is_immediate = models.BooleanField(_("即办件"), default=False,
                                       help_text=_("即办件当场办结；否则为承诺件"))
    is_joint = models.BooleanField(_("联办件"), default=False, help_text=_("两个及以上部门联合办理"))
    extension_days = models.PositiveSmallIntegerField(
        _("可延长时限"), default=0,
        help_text=_("经批准可延长的天数（单位同时限单位）：行政许可一般 10 个工作日，联合办理 15；0 为不可延长"))
    max_visits = models.PositiveSmallIntegerField(_("到办事现场次数"), default=1)
    visit_reason = models.TextField(_("需到现场的理由"), blank=True)
    online_depth = models.PositiveSmallIntegerField(_("网办深度"), choices=OnlineDepth.choices,
                                                    default=OnlineDepth.APPLY)
    has_fee = models.BooleanField(_("是否收费"), default=False)
    fee_description = models.TextField(_("收费标准及依据"), blank=True)
    fee_amount = models.DecimalField(_("收费金额（元）"), max_digits=10, decimal_places=2, default=0)
    online_payment = models.BooleanField(_("支持网上支付"), default=False)
    channel_window = models.BooleanField(_("窗口办理"), default=True)
    channel_online = models.BooleanField(_("网上办理"), default=False)
    channel_post = models.BooleanField(_("快递申请"), default=False)
    channel_self_service = models.BooleanField(_("自助办理"), default=False)
    offers_post_delivery = models.BooleanField(_("结果可邮寄送达"), default=False)
    location = models.CharField(_("办理地点"), max_length=200, blank=True)
    opening_hours = models.CharField(_("办理时间"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=60, blank=True)
    conditions = models.TextField(_("受理条件"), blank=True)
    result_name = models.CharField(_("办理结果名称"), max_length=100, blank=True, help_text=_("如：营业执照"))
    result_certificate_type = models.CharField(
        _("结果电子证照类型"), max_length=40, blank=True,
        help_text=_("结果作为电子证照保存时的类型编码；其他事项需要该材料时自动调取"))
    instant_approval_rules = models.JSONField(
        _("秒批规则"), default=list, blank=True,
        help_text=_("满足全部规则即自动批准；空为不适用秒批"))
    life_events = models.ManyToManyField(LifeEvent, blank=True, related_name="items", verbose_name=_("主题"))
    weekend_service = models.BooleanField(_("列入“5+2”周末服务"), default=False)
    # 就近办: the lowest level of centre that accepts the item (catalog/centres.py has the rule).
    delegated_down_to = models.PositiveSmallIntegerField(
        _("就近办：可受理的最低中心层级"), choices=CentreLevel.choices, default=CentreLevel.COUNTY,
        help_text=_("县级：市、县政务服务中心受理；乡镇：下沉到乡镇（街道）便民服务中心；村：下沉到村（社区）代办点。"
                    "个别中心的例外在“中心受理例外”中设置"))
    status = models.CharField(_("状态"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.ACTIVE)
    version = models.PositiveIntegerField(_("版本"), default=1)
    source_id = models.CharField(_("来源编号"), max_length=64, blank=True,
                                 help_text=_("导入来源（如省级政务服务网）中的事项编号；再次导入时据此匹配"))
    # What a draft still lacks ([{"field", "message"}]) and, for filtering, the GapKind values it
    # touches (" limits materials "). Empty for every other status.
    review_gaps = models.JSONField(_("待补充"), default=list, blank=True, editable=False)
    review_gap_kinds = models.CharField(_("待补充类别"), max_length=80, blank=True, editable=False)
    # Denormalised for search: full pinyin and initials of the name, lower case (e.g. "yyzz").
    search_pinyin = models.CharField(_("名称拼音"), max_length=400, blank=True, editable=False)
    search_initials = models.CharField(_("拼音首字母"), max_length=120, blank=True, editable=False, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("政务服务事项")
        verbose_name_plural = _("政务服务事项")
        ordering = ["code"]
        constraints = [
            # One-row consistency rules (the cross-row ones live in catalog.validation). A draft is
            # exempt: it is checked in full when it is published.
            models.CheckConstraint(condition=Q(status="draft") | Q(committed_limit_days__lte=F("legal_limit_days")),
                                   name="committed_limit_not_above_legal"),
            models.CheckConstraint(condition=Q(status="draft") | Q(legal_limit_days__isnull=False,
                                                                   committed_limit_days__isnull=False),
                                   name="published_item_has_limits"),
            models.CheckConstraint(condition=Q(status="draft") | ~Q(kind=""), name="published_item_has_kind"),
            models.CheckConstraint(condition=Q(online_depth__gte=1, online_depth__lte=4),
                                   name="online_depth_1_to_4"),
            models.CheckConstraint(condition=Q(status="draft") | Q(online_payment=False) | Q(has_fee=True),
                                   name="online_payment_needs_fee"),
            models.CheckConstraint(condition=Q(status="draft") | ~Q(online_depth=4) | Q(max_visits=0),
                                   name="fully_online_means_zero_visits"),
            models.CheckConstraint(condition=Q(status="draft") | Q(is_immediate=False)
                                   | Q(committed_limit_days__lte=1),
                                   name="immediate_item_has_immediate_limit"),
            models.CheckConstraint(condition=Q(limit_unit__in=["working", "natural"]), name="item_limit_unit_known"),
            models.UniqueConstraint(fields=["source_id"], condition=~Q(source_id=""), name="item_source_id_unique"),
            models.CheckConstraint(condition=Q(delegated_down_to__gte=2, delegated_down_to__lte=5),
                                   name="delegated_down_to_a_centre_level"),
        ]
        indexes = [models.Index(fields=["department", "status"]), models.Index(fields=["status", "name"])]

    def __str__(self):
        return self.name


# 容缺受理: the applicant supplies a waived material within its term, counted in working days from
# acceptance (Yumen's practice: the case goes on on the written promise; provincial rules cap it at 20).
WAIVER_DEFAULT_TERM_DAYS = 5
WAIVER_MAX_TERM_DAYS = 20


class MaterialSource(models.TextChoices):
    APPLICANT = "applicant", _("申请人自备")
    ISSUING_DEPARTMENT = "issuing_department", _("政府部门核发")
    DATA_SHARING = "data_sharing", _("数据共享获取")
    E_CERTIFICATE = "e_certificate", _("电子证照调取")


class MaterialForm(models.TextChoices):
    PAPER = "paper", _("纸质")
    ELECTRONIC = "electronic", _("电子")
    BOTH = "both", _("纸质或电子")


class Material(models.Model):
    item = models.ForeignKey(Item, models.CASCADE, related_name="materials", verbose_name=_("事项"))
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("材料名称"), max_length=200)
    source = models.CharField(_("来源渠道"), max_length=20, choices=MaterialSource.choices,
                              default=MaterialSource.APPLICANT)
    required = models.BooleanField(_("必要"), default=True)
    condition = models.CharField(_("适用情形"), max_length=300, blank=True,
                                 help_text=_("非必要（情形）材料在何种情况下需要提交"))
    form = models.CharField(_("材料形式"), max_length=12, choices=MaterialForm.choices, default=MaterialForm.BOTH)
    copies = models.PositiveSmallIntegerField(_("份数"), default=1)
    original_required = models.BooleanField(_("需原件"), default=False)
    waivable = models.BooleanField(_("可容缺"), default=False)
    waiver_term_days = models.PositiveSmallIntegerField(
        _("容缺补齐时限（工作日）"), default=WAIVER_DEFAULT_TERM_DAYS,
        help_text=_("容缺受理后申请人须在多少个工作日内补齐（如 5，最多 20）；告知单写明“可容缺，若干个工作日内补齐”"))
    certificate_type = models.CharField(_("电子证照类型"), max_length=40, blank=True,
                                        help_text=_("申请人已有该类型电子证照时自动调取，无需提交"))
    note = models.CharField(_("填报须知"), max_length=300, blank=True)
    sample_file = models.FileField(_("示例样表"), upload_to="catalog/samples/", blank=True)
    blank_form = models.FileField(_("空白表格"), upload_to="catalog/forms/", blank=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        # A conditional material names its condition (catalog.validation): checked on every write of
        # a published item, not by the database, since an imported draft may still lack it.
        ordering = ["item", "order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(waiver_term_days__gte=1, waiver_term_days__lte=WAIVER_MAX_TERM_DAYS),
                                   name="material_waiver_term_1_to_20"),
        ]

    def __str__(self):
        return self.name


class StageKind(models.TextChoices):
    ACCEPTANCE = "acceptance", _("受理")
    REVIEW = "review", _("审查")
    DECISION = "decision", _("决定")
    DELIVERY = "delivery", _("颁证与送达")


class Stage(models.Model):
    """A step of an item's process. Steps with the same `step` number run in parallel (并联审批),
    one per department; the case moves to the next step when all of them have finished."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="stages", verbose_name=_("事项"))
    step = models.PositiveSmallIntegerField(_("环节序号"))
    kind = models.CharField(_("环节类型"), max_length=12, choices=StageKind.choices)
    name = models.CharField(_("环节名称"), max_length=100)
    limit_days = models.PositiveSmallIntegerField(_("环节时限"), default=0, help_text=_("单位同事项的时限单位"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="stages", verbose_name=_("办理部门"))

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["item", "step", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "step", "department"], name="stage_unique_per_department"),
        ]

    def __str__(self):
        return f"{self.step}. {self.name}"


class ProcedureKind(models.TextChoices):
    """特别程序 (Administrative Licensing Law Art. 45): not counted in the item's limit."""

    HEARING = "hearing", _("听证")
    EXPERT_REVIEW = "expert_review", _("专家评审")
    SITE_INSPECTION = "site_inspection", _("现场勘验")
    PUBLIC_NOTICE = "public_notice", _("公示")
    TESTING = "testing", _("检验、检测、检疫")
    APPRAISAL = "appraisal", _("鉴定")


class ItemProcedure(models.Model):
    """A special procedure the item may need, committed in advance with its limit (the notice shows it):
    an approver starts a listed one within its limit; anything else is an exception with a reason that
    the efficiency office lists (cases.selectors.exceptions)."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="procedures", verbose_name=_("事项"))
    kind = models.CharField(_("特别程序"), max_length=20, choices=ProcedureKind.choices)
    limit_days = models.PositiveSmallIntegerField(_("程序时限（工作日）"), help_text=_("该程序最多用时，书面告知申请人"))
    note = models.CharField(_("适用情形"), max_length=200, blank=True, help_text=_("如：涉及重大公共利益的"))

    class Meta:
        verbose_name = _("承诺的特别程序")
        verbose_name_plural = _("承诺的特别程序")
        ordering = ["item", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["item", "kind"], name="item_procedure_unique"),
            models.CheckConstraint(condition=Q(limit_days__gte=1, limit_days__lte=120),
                                   name="item_procedure_limit_1_to_120"),
        ]

    def __str__(self):
        return f"{self.item} · {self.get_kind_display()} {self.limit_days}"


class Delegation(models.Model):
    """首席代表授权: a department lets its chief representative in the centre decide for it — on the items
    named (or, with no item, on all of that department's items) — for a period. Granted and revoked by
    that department's head (catalog/delegations.py), each on the audit trail. A representative acts on
    a task only for the department and item a delegation in force covers (cases/access.py)."""

    department = models.ForeignKey(Department, models.PROTECT, related_name="delegations",
                                   verbose_name=_("授权部门"))
    item = models.ForeignKey(Item, models.CASCADE, null=True, blank=True, related_name="delegations",
                             verbose_name=_("事项"), help_text=_("留空：该部门的全部事项"))
    representative = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="delegations",
                                       verbose_name=_("首席代表"))
    granted_on = models.DateField(_("授权日期"))
    valid_from = models.DateField(_("授权起始日"), null=True, blank=True)
    valid_until = models.DateField(_("授权截止日"), null=True, blank=True, help_text=_("留空：长期有效，直至撤销"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("授权人"))
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("撤销人"))
    revoke_reason = models.CharField(_("撤销理由"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("首席代表授权")
        verbose_name_plural = _("首席代表授权")
        indexes = [models.Index(fields=["representative", "revoked_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_from__isnull=True)
                                   | Q(valid_until__gte=F("valid_from")), name="delegation_period_ordered"),
        ]

    def __str__(self):
        return f"{self.representative} · {self.department} · {self.item or _('全部事项')}"


class CentreAcceptance(models.Model):
    """One centre's exception to an item's level rule (catalog/centres.py): `accepts` lets a centre
    take an item not delegated to its level (a pilot township), or stops one from taking an item that
    is (a township without the staff yet). Written through catalog.centres.set_centre_acceptance,
    which renews the item's `updated_at` so intake's item cache sees the change at once."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="centre_acceptances", verbose_name=_("事项"))
    centre = models.ForeignKey(ServiceCentre, models.CASCADE, related_name="item_acceptances",
                               verbose_name=_("中心"))
    accepts = models.BooleanField(_("受理"), help_text=_("勾选：该中心受理此事项；不勾选：该中心不受理此事项"))
    note = models.CharField(_("说明"), max_length=200, blank=True, help_text=_("如：江平派出所进驻，试点受理"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("中心受理例外")
        verbose_name_plural = _("中心受理例外")
        constraints = [models.UniqueConstraint(fields=["item", "centre"], name="centre_acceptance_unique")]
        ordering = ["item", "centre"]

    def __str__(self):
        return f"{self.centre} · {self.item} · {'受理' if self.accepts else '不受理'}"


class Bundle(models.Model):
    """一件事: several items applied for as one, with one form, one merged set of materials and one
    combined limit (the items run in parallel, so the longest, not the sum)."""

    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    life_event = models.ForeignKey(LifeEvent, models.SET_NULL, null=True, blank=True, related_name="bundles",
                                   verbose_name=_("主题"))
    items: "models.ManyToManyField[Item, BundleItem]" = models.ManyToManyField(
        Item, through="BundleItem", related_name="bundles", verbose_name=_("事项"))
    is_active = models.BooleanField(_("在用"), default=True)
    search_initials = models.CharField(_("拼音首字母"), max_length=60, blank=True, editable=False)

    class Meta:
        verbose_name = _("一件事")
        verbose_name_plural = _("一件事")
        ordering = ["code"]

    def __str__(self):
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, models.CASCADE, related_name="bundle_items", verbose_name=_("一件事"))
    item = models.ForeignKey(Item, models.PROTECT, related_name="bundle_items", verbose_name=_("事项"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("一件事所含事项")
        verbose_name_plural = _("一件事所含事项")
        ordering = ["bundle", "order"]
        constraints = [models.UniqueConstraint(fields=["bundle", "item"], name="bundle_item_unique")]

    def __str__(self):
        return f"{self.bundle} · {self.item}"


class ItemVersion(models.Model):
    """The item as it was at each published version: a full snapshot, never edited."""

    item = models.ForeignKey(Item, models.CASCADE, related_name="versions", verbose_name=_("事项"))
    version = models.PositiveIntegerField(_("版本"))
    snapshot = models.JSONField(_("内容快照"))
    valid_from = models.DateTimeField(_("生效时间"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                   verbose_name=_("修改人"))
    reason = models.TextField(_("修改理由"), blank=True)

    class Meta:
        verbose_name = _("事项版本")
        verbose_name_plural = _("事项版本")
        ordering = ["item", "-version"]
        constraints = [models.UniqueConstraint(fields=["item", "version"], name="item_version_unique")]

    def __str__(self):
        return f"{self.item} v{self.version}"


class AnnouncementKind(models.TextChoices):
    ADDED = "added", _("新增")
    RETAINED = "retained", _("保留")
    CHANGED = "changed", _("调整")
    ABOLISHED = "abolished", _("取消")


class Announcement(models.Model):
    """A public notice that an item was added, retained, changed or abolished, with date and reason."""

    item = models.ForeignKey(Item, models.PROTECT, related_name="announcements", verbose_name=_("事项"))
    kind = models.CharField(_("类别"), max_length=12, choices=AnnouncementKind.choices)
    item_version = models.PositiveIntegerField(_("事项版本"))
    published_on = models.DateField(_("公告日期"))
    reason = models.TextField(_("理由"))
    summary = models.TextField(_("变更内容"), blank=True)

    class Meta:
        verbose_name = _("事项公告")
        verbose_name_plural = _("事项公告")
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return f"{self.published_on} {self.get_kind_display()} {self.item}"
