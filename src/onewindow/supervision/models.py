"""The efficiency office's records: breach policies per item and the breaches the daily check finds,
its reviews of filed refusals and denials (否定报备), urgings (督办), inspections (明察暗访) with their
photos, circulated notices and rectifications, and accountability records (问责).

Urgings and rectifications own a clock (workflow.clock.Clocked): their lights are the clock's."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.cases.models import Case, DenialFiling
from onewindow.catalog.models import Item
from onewindow.core.uploads import upload_path
from onewindow.orgs.models import Department, ServiceCentre, Window
from onewindow.workflow.clock import Clocked

from .states import RectificationState, UrgingState


class EscalationLevel(models.TextChoices):
    DEPARTMENT_HEAD = "department_head", _("部门分管领导")
    CENTRE = "centre", _("政务服务中心")
    EFFICIENCY_OFFICE = "efficiency_office", _("效能办")
    GOVERNMENT = "government", _("本级人民政府")


class MissedPromise(models.TextChoices):
    NONE = "none", _("不处理")
    WITHDRAWN = "withdrawn", _("视为撤回申请")
    REFUSED = "refused", _("视为不予受理")


class BreachPolicy(models.Model):
    """What the daily check does when an item's clock runs out."""

    item = models.OneToOneField(Item, models.CASCADE, related_name="breach_policy", verbose_name=_("事项"))
    escalate_to = models.CharField(_("超期升级至"), max_length=24, choices=EscalationLevel.choices,
                                   default=EscalationLevel.EFFICIENCY_OFFICE)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("超期多少个工作日后升级"), default=0, help_text=_("0：超期当天即升级"))
    deemed_acceptance = models.BooleanField(
        _("逾期未受理视为受理"), default=True,
        help_text=_("提交后既未受理也未不予受理超过受理时限的，自收到申请之日起视为受理"))
    acceptance_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=5)
    missed_promise = models.CharField(_("逾期未补齐（容缺或补正）"), max_length=12, choices=MissedPromise.choices,
                                      default=MissedPromise.NONE)
    supplement_days = models.PositiveSmallIntegerField(
        _("补正期限（工作日）"), default=0, help_text=_("受理前补正告知后申请人应在此期限内补正；0：不设期限"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("超期处置规则")
        verbose_name_plural = _("超期处置规则")

    def __str__(self):
        return str(self.item)


class BreachKind(models.TextChoices):
    ESCALATED = "escalated", _("超期升级")
    DEEMED_ACCEPTED = "deemed_accepted", _("视为受理")
    DEEMED_WITHDRAWN = "deemed_withdrawn", _("视为撤回")
    DEEMED_REFUSED = "deemed_refused", _("视为不予受理")


class Breach(models.Model):
    """One consequence of a clock running out, found by the daily check (one per case and kind)."""

    case = models.ForeignKey(Case, models.CASCADE, related_name="breaches", verbose_name=_("办件"), db_index=False)
    kind = models.CharField(_("类别"), max_length=20, choices=BreachKind.choices)
    item = models.ForeignKey(Item, models.PROTECT, related_name="+", verbose_name=_("事项"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="+", verbose_name=_("部门"))
    level = models.CharField(_("升级至"), max_length=24, choices=EscalationLevel.choices, blank=True)
    detected_on = models.DateField(_("发现日期"))
    effective_on = models.DateField(_("生效日期"), null=True, blank=True,
                                    help_text=_("视为受理：自收到申请之日起"))
    detail = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("超期处置记录")
        verbose_name_plural = _("超期处置记录")
        ordering = ["-detected_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "kind"], name="breach_one_per_case_and_kind")]
        indexes = [models.Index(fields=["detected_on", "kind"], name="breach_day_idx")]

    def __str__(self):
        return f"{self.case} {self.get_kind_display()}"


class CheckRun(models.Model):
    """The daily check of one day: run once (the same day again does nothing)."""

    day = models.DateField(_("检查日期"), unique=True)
    ran_at = models.DateTimeField(_("运行时间"))
    figures = models.JSONField(_("结果"), default=dict)

    class Meta:
        verbose_name = _("每日效能检查")
        verbose_name_plural = _("每日效能检查")
        ordering = ["-day"]

    def __str__(self):
        return str(self.day)


class ReviewVerdict(models.TextChoices):
    UPHELD = "upheld", _("理由充分")
    QUESTIONED = "questioned", _("理由不足，责令说明")
    IMPROPER = "improper", _("否定不当，责令纠正")


class DenialReview(models.Model):
    """The efficiency office's review of one refusal or denial filed for review (否定报备)."""

    filing = models.OneToOneField(DenialFiling, models.CASCADE, related_name="review", verbose_name=_("否定报备"))
    verdict = models.CharField(_("审查结论"), max_length=12, choices=ReviewVerdict.choices)
    opinion = models.TextField(_("审查意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("审查人"))
    reviewed_at = models.DateTimeField(_("审查时间"))

    class Meta:
        verbose_name = _("否定报备审查")
        verbose_name_plural = _("否定报备审查")

    def __str__(self):
        return f"{self.filing} {self.get_verdict_display()}"


class TargetKind(models.TextChoices):
    """What an urging is about: a generic (kind, id) pair, so complaint work orders join without a
    change here."""

    CASE = "case", _("办件")
    TASK = "task", _("审批环节")
    WORK_ORDER = "work_order", _("投诉工单")


class Urging(Clocked):
    """督办: the office urges a unit about a late case, stage or work order; the unit must answer by a
    date (the clock)."""

    target_kind = models.CharField(_("督办对象类别"), max_length=16, choices=TargetKind.choices)
    target_id = models.BigIntegerField(_("督办对象编号"))
    target_label = models.CharField(_("督办对象"), max_length=120)
    department = models.ForeignKey(Department, models.PROTECT, related_name="urgings", verbose_name=_("被督办单位"))
    state = models.CharField(_("状态"), max_length=12, choices=UrgingState.choices, default=UrgingState.OPEN)
    requirement = models.TextField(_("督办要求"))
    urged_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                 verbose_name=_("督办人"))
    urged_at = models.DateTimeField(_("督办时间"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("答复人"))
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-urged_at", "-id"]
        indexes = [
            models.Index(fields=["clock_stopped_on", "clock_late_on"], name="urging_late_idx"),
            models.Index(fields=["target_kind", "target_id"], name="urging_target_idx"),
            models.Index(fields=["department", "urged_at"], name="urging_department_idx"),
        ]

    def __str__(self):
        return f"{self.get_target_kind_display()} {self.target_label}"


class InspectionKind(models.TextChoices):
    ANNOUNCED = "announced", _("明查")
    UNANNOUNCED = "unannounced", _("暗访")


class Inspection(models.Model):
    """明察暗访: a visit to a window or a department, what was found, and the circulated notice (通报)."""

    kind = models.CharField(_("方式"), max_length=12, choices=InspectionKind.choices)
    visited_at = models.DateTimeField(_("检查时间"))
    centre = models.ForeignKey(ServiceCentre, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("中心"))
    window = models.ForeignKey(Window, models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("窗口"))
    department = models.ForeignKey(Department, models.PROTECT, null=True, blank=True, related_name="inspections",
                                   verbose_name=_("部门"))
    inspectors = models.CharField(_("检查人员"), max_length=200)
    findings = models.TextField(_("发现问题"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                    verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))
    notice_number = models.CharField(_("通报文号"), max_length=40, blank=True)
    notice_text = models.TextField(_("通报内容"), blank=True)
    notice_issued_at = models.DateTimeField(_("通报时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("明察暗访")
        verbose_name_plural = _("明察暗访")
        ordering = ["-visited_at", "-id"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.visited_at:%Y-%m-%d}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="photos", verbose_name=_("明察暗访"))
    file = models.FileField(_("照片"), upload_to=upload_path)
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["inspection", "id"]

    def __str__(self):
        return self.caption or self.file.name


class Rectification(Clocked):
    """立查立改: one finding a unit must put right by a deadline (the clock)."""

    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="rectifications",
                                   verbose_name=_("明察暗访"))
    department = models.ForeignKey(Department, models.PROTECT, related_name="rectifications",
                                   verbose_name=_("整改单位"))
    finding = models.TextField(_("问题"))
    requirement = models.TextField(_("整改要求"))
    state = models.CharField(_("状态"), max_length=12, choices=RectificationState.choices,
                             default=RectificationState.OPEN)
    report = models.TextField(_("整改情况"), blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("报送人"))
    reported_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("下达时间"))

    class Meta:
        verbose_name = _("整改任务")
        verbose_name_plural = _("整改任务")
        ordering = ["clock_due_on", "id"]
        indexes = [
            models.Index(fields=["clock_stopped_on", "clock_late_on"], name="sv_rectification_late_idx"),
            models.Index(fields=["clock_stopped_on", "clock_warn_on"], name="sv_rectification_warn_idx"),
        ]

    def __str__(self):
        return f"{self.department} · {self.finding[:20]}"


class Grounds(models.TextChoices):
    COMPLAINT = "complaint", _("投诉查实")
    INSPECTION = "inspection", _("明察暗访发现问题")
    RED_LIGHTS = "red_lights", _("多次亮红灯")


class Measure(models.TextChoices):
    CRITICISM = "criticism", _("批评教育")
    ADMONISHMENT = "admonishment", _("诫勉谈话")
    EFFICIENCY_WARNING = "efficiency_warning", _("效能告诫")
    PUBLIC_NOTICE = "public_notice", _("通报批评")
    DISCIPLINARY_REFERRAL = "disciplinary_referral", _("移送纪检监察机关")


class AccountabilityRecord(models.Model):
    """问责: a record against an official or a department, linked to its source (an inspection, a
    complaint work order, or the red lights of a period) — the source lists its records back."""

    department = models.ForeignKey(Department, models.PROTECT, related_name="accountability_records",
                                   verbose_name=_("责任单位"))
    official = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                 related_name="accountability_records", verbose_name=_("责任人"))
    official_name = models.CharField(_("责任人姓名"), max_length=60, blank=True)
    grounds = models.CharField(_("问责事由"), max_length=12, choices=Grounds.choices)
    measure = models.CharField(_("问责方式"), max_length=24, choices=Measure.choices)
    facts = models.TextField(_("事实与依据"))
    inspection = models.ForeignKey(Inspection, models.PROTECT, null=True, blank=True,
                                   related_name="accountability_records", verbose_name=_("来源明察暗访"))
    source_kind = models.CharField(_("来源类别"), max_length=16, blank=True,
                                   help_text=_("inspection / work_order / red_lights"))
    source_id = models.BigIntegerField(_("来源编号"), null=True, blank=True)
    source_label = models.CharField(_("来源"), max_length=120, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+",
                                   verbose_name=_("决定人"))
    decided_on = models.DateField(_("决定日期"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("问责记录")
        verbose_name_plural = _("问责记录")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["source_kind", "source_id"], name="accountability_source_idx")]

    def __str__(self):
        return f"{self.department} {self.get_measure_display()}"
