"""Regions, departments, service centres, windows, staff and applicants.

orgs is the base of the dependency graph: it knows nothing of the catalog or of cases.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县（区）")
    TOWNSHIP = 4, _("乡镇（街道）")
    VILLAGE = 5, _("村（社区）")


class Region(models.Model):
    """An administrative region; `code` is the 12-digit statistical division code where known."""

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=RegionLevel.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("上级区划"))

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]

    def __str__(self):
        return self.name


class Department(models.Model):
    """A body that holds administrative power (实施主体), belonging to one region."""

    code = models.CharField(_("部门编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    region = models.ForeignKey(Region, models.PROTECT, related_name="departments", verbose_name=_("所属区划"))
    is_active = models.BooleanField(_("有效"), default=True)
    reconsideration_body = models.CharField(
        _("行政复议机关"), max_length=100, blank=True,
        help_text=_("不服本部门行政行为时受理行政复议的机关，印在不予许可决定书上。留空时为本级人民政府（行政复议法第二十四条）；"
                    "海关、金融、外汇管理等垂直领导的机关和税务、国家安全机关须填写上一级主管部门（第二十七条）。"))

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["code"]

    def __str__(self):
        return self.name


class CentreLevel(models.IntegerChoices):
    CITY = 2, _("市级政务服务中心")
    COUNTY = 3, _("县级政务服务中心")
    TOWNSHIP = 4, _("乡镇（街道）便民服务中心")
    VILLAGE = 5, _("村（社区）代办点")


class ServiceCentre(models.Model):
    code = models.CharField(_("中心编码"), max_length=16, unique=True,
                            help_text=_("用于办件编号，字母数字，如 FCG01"))
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=CentreLevel.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="centres", verbose_name=_("所属区划"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    opening_hours = models.CharField(_("办公时间"), max_length=200, blank=True)
    weekend_service = models.BooleanField(_("提供“5+2”周末服务"), default=False)

    class Meta:
        verbose_name = _("政务服务中心")
        verbose_name_plural = _("政务服务中心")
        ordering = ["level", "code"]

    def __str__(self):
        return self.name


class Window(models.Model):
    centre = models.ForeignKey(ServiceCentre, models.CASCADE, related_name="windows", verbose_name=_("中心"))
    number = models.CharField(_("窗口号"), max_length=10)
    name = models.CharField(_("名称"), max_length=100)
    is_comprehensive = models.BooleanField(_("综合受理窗口"), default=True)

    class Meta:
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="window_number_unique_in_centre")]
        ordering = ["centre", "number"]

    def __str__(self):
        return f"{self.centre.name} {self.number}号窗口"


class User(AbstractUser):
    """Every account: staff and applicants alike. `display_name` is the person's real name."""

    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        return self.display_name or self.username


class Role(models.TextChoices):
    WINDOW_CLERK = "window_clerk", _("综合窗口受理人员")
    APPROVER = "approver", _("部门审批人员")
    CHIEF_REPRESENTATIVE = "chief_representative", _("首席代表")
    AGENT = "agent", _("代办员")
    SUPERVISOR = "supervisor", _("效能办监督人员")
    ADMINISTRATOR = "administrator", _("管理员")
    DEPARTMENT_HEAD = "department_head", _("部门负责人")


class StaffRole(models.Model):
    """One role of one staff account, scoped where the role needs it: clerks and agents to a centre,
    approvers, chief representatives and department heads to a department."""

    user = models.ForeignKey(User, models.CASCADE, related_name="staff_roles", verbose_name=_("账号"))
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, null=True, blank=True, related_name="staff_roles",
                               verbose_name=_("中心"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True,
                                   related_name="staff_roles", verbose_name=_("部门"))

    class Meta:
        verbose_name = _("岗位角色")
        verbose_name_plural = _("岗位角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "centre", "department"], name="staff_role_unique"),
            models.CheckConstraint(
                condition=~Q(role__in=["approver", "chief_representative", "department_head"])
                | Q(department__isnull=False),
                name="department_roles_have_department",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["window_clerk"]) | Q(centre__isnull=False),
                name="clerk_role_has_centre",
            ),
        ]

    def __str__(self):
        scope = self.department or self.centre or ""
        return f"{self.user} · {self.get_role_display()} {scope}".strip()


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("自然人")
    ENTERPRISE = "enterprise", _("法人及其他组织")


class Applicant(models.Model):
    """A person or an enterprise that applies. May have an account (online) or not (entered at the
    window). Persons are identified by resident ID number, enterprises by unified social credit code;
    both are validated by checksum in orgs.services."""

    kind = models.CharField(_("类型"), max_length=16, choices=ApplicantKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_number = models.CharField(_("证件号码"), max_length=18, unique=True,
                                 help_text=_("居民身份证号或统一社会信用代码"))
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    user = models.OneToOneField(User, models.SET_NULL, null=True, blank=True, related_name="applicant",
                                verbose_name=_("账号"))
    bad_credit = models.BooleanField(_("列入失信名单"), default=False,
                                     help_text=_("失信主体不适用容缺受理"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")

    def __str__(self):
        return self.name


class PhoneConfirmation(models.Model):
    """A registration waiting for its phone to be confirmed (orgs.registration). No account exists until
    the code sent to `phone` is entered: the row holds what the applicant typed (the password already
    hashed), the code only as a keyed hash, and the counters that bound guessing and resending. It is
    deleted when the account is made, and purged a day after it expired."""

    kind = models.CharField(_("类型"), max_length=16, choices=ApplicantKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    id_number = models.CharField(_("证件号码"), max_length=18)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    username = models.CharField(_("用户名"), max_length=150)
    password_hash = models.CharField(_("密码（已加密）"), max_length=128)
    phone = models.CharField(_("接收验证码的手机号"), max_length=20)
    # The window's record (an Applicant without an account) this registration will be linked to; the
    # code then goes to the phone on that record, not to the one typed.
    applicant = models.ForeignKey(Applicant, models.CASCADE, null=True, blank=True, related_name="+",
                                  verbose_name=_("窗口登记的申请人"))
    code_hash = models.CharField(_("验证码（已加密）"), max_length=100)
    code_sent_at = models.DateTimeField(_("验证码发送时间"))
    expires_at = models.DateTimeField(_("验证码有效期至"))
    sends = models.PositiveSmallIntegerField(_("发送次数"), default=1)
    attempts = models.PositiveSmallIntegerField(_("本验证码已尝试次数"), default=0)
    created_at = models.DateTimeField(_("创建时间"))

    class Meta:
        verbose_name = _("待确认的注册")
        verbose_name_plural = _("待确认的注册")
        indexes = [
            # The per-phone sending limit and the purge of old rows.
            models.Index(fields=["phone", "code_sent_at"], name="phone_confirmation_phone_idx"),
            models.Index(fields=["expires_at"], name="phone_confirmation_expiry_idx"),
        ]

    def __str__(self):
        return f"{self.username} ({self.get_kind_display()})"
