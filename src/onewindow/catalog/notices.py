"""The one-time notice (一次性告知) and the bundle's notice, as plain dataclasses: what a window tells
an applicant at once. The public page, the PDF and the API all render these, so they never disagree.
Read them through catalog.selectors (``one_time_notice``, ``bundle_notice``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from .bundles import bundle_limits, bundle_materials
from .models import (
    AnnouncementKind,
    Bundle,
    Item,
    ItemKind,
    ItemStatus,
    ItemVersion,
    LimitUnit,
    Material,
    MaterialSource,
)
from .text import limit_text, unit_days

if TYPE_CHECKING:  # catalog.centres imports the item cache, which imports this module
    from .centres import AcceptingCentre

# Items the public may open: drafts are never shown; suspended/abolished ones are shown with a notice.
PUBLIC_STATUSES = (ItemStatus.ACTIVE, ItemStatus.SUSPENDED, ItemStatus.ABOLISHED)

# --------------------------------------------------------------------------------------------------
# The one-time notice (一次性告知)
# --------------------------------------------------------------------------------------------------

AUTO_SOURCES = (MaterialSource.DATA_SHARING, MaterialSource.E_CERTIFICATE)


@dataclass(frozen=True)
class NoticeMaterial:
    order: int
    name: str
    required: bool
    condition: str
    form: str
    form_label: str
    copies: int
    original_required: bool
    waivable: bool
    source: str
    source_label: str
    auto_obtained: bool
    """True when the applicant hands in nothing: the system fetches it (e-certificate or data sharing)."""
    certificate_type: str
    note: str
    material_id: int = 0
    has_blank_form: bool = False
    """A blank form (空白表格) can be downloaded from the item's public page."""
    has_sample_file: bool = False
    """A filled-in sample (填写样例) can be downloaded from the item's public page."""
    waiver_term_days: int = 0
    """A waivable material's term: supplied within this many working days of acceptance."""

    @property
    def waiver_text(self) -> str:
        """"可容缺，5 个工作日内补齐", or "" for a material that cannot be waived."""
        if not self.waivable:
            return ""
        return _("可容缺，%(n)s 个工作日内补齐") % {"n": self.waiver_term_days}

    @property
    def has_files(self) -> bool:
        return self.has_blank_form or self.has_sample_file

    @property
    def submission_text(self) -> str:
        """How the applicant hands this in, in one phrase, as the window says it."""
        if self.source == MaterialSource.E_CERTIFICATE:
            # Fetched only when the applicant holds the certificate: a new applicant hands in the paper.
            return _("已有电子证照的系统自动调取；没有的提交%(form)s") % {"form": "，".join(self._paper_parts())}
        if self.auto_obtained:
            return _("无需提交，系统自动调取")
        return "，".join(self._paper_parts())

    def _paper_parts(self) -> list[str]:
        parts = [self.form_label]
        parts.append(_("原件") if self.original_required else _("复印件"))
        parts.append(_("%(n)s 份") % {"n": self.copies})
        return parts


@dataclass(frozen=True)
class NoticeStage:
    step: int
    kind: str
    kind_label: str
    name: str
    limit_days: int
    department_code: str
    department_name: str
    limit_unit: str = LimitUnit.WORKING

    @property
    def limit_text(self) -> str:
        return unit_days(self.limit_days, self.limit_unit) if self.limit_days else _("即时")


@dataclass(frozen=True)
class NoticeStep:
    """One step of the process; several stages in one step run in parallel (并联审批)."""

    step: int
    stages: list[NoticeStage]
    limit_days: int
    limit_unit: str = LimitUnit.WORKING

    @property
    def parallel(self) -> bool:
        return len(self.stages) > 1

    @property
    def limit_text(self) -> str:
        return unit_days(self.limit_days, self.limit_unit) if self.limit_days else _("即时")


@dataclass(frozen=True)
class NoticeProcedure:
    """A special procedure the item may need, committed in advance with its limit (not counted in the
    item's limit; Administrative Licensing Law Art. 45)."""

    kind: str
    kind_label: str
    limit_days: int
    note: str

    @property
    def text(self) -> str:
        return _("%(kind)s：不超过 %(n)s 个工作日") % {"kind": self.kind_label, "n": self.limit_days}


@dataclass(frozen=True)
class NoticeAnnouncement:
    kind: str
    kind_label: str
    published_on: dt.date
    reason: str
    summary: str


@dataclass(frozen=True)
class OneTimeNotice:
    """Everything a window tells an applicant about one item, at once."""

    code: str
    name: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    department_code: str
    department_name: str
    legal_basis: str
    conditions: str
    required_materials: list[NoticeMaterial]
    conditional_materials: list[NoticeMaterial]
    legal_limit_days: int
    committed_limit_days: int
    limit_unit: str
    limit_unit_label: str
    is_immediate: bool
    is_joint: bool
    extension_days: int
    max_visits: int
    visit_reason: str
    online_depth: int
    online_depth_label: str
    channels: list[str]
    offers_post_delivery: bool
    has_fee: bool
    fee_description: str
    fee_amount: Decimal
    online_payment: bool
    location: str
    opening_hours: str
    phone: str
    weekend_service: bool
    steps: list[NoticeStep]
    result_name: str
    result_is_e_certificate: bool
    instant_approval: list[str]
    life_events: list[str]
    catalog_version: int
    catalog_date: dt.date
    status_announcement: NoticeAnnouncement | None = None
    materials_total: int = field(default=0)
    where: list[AcceptingCentre] = field(default_factory=list)
    """The centres where the item can be handled (就近办, catalog/centres.py), county first."""
    special_procedures: list[NoticeProcedure] = field(default_factory=list)
    """The special procedures committed in advance, with their limits (catalog.ItemProcedure)."""

    @property
    def is_active(self) -> bool:
        return self.status == ItemStatus.ACTIVE

    @property
    def zero_run(self) -> bool:
        return self.max_visits == 0

    @property
    def handling_label(self) -> str:
        return _("即办件") if self.is_immediate else _("承诺件")

    @property
    def committed_limit_text(self) -> str:
        if self.is_immediate:
            return _("即办（当场办结）")
        return unit_days(self.committed_limit_days, self.limit_unit)

    @property
    def legal_limit_text(self) -> str:
        return unit_days(self.legal_limit_days, self.limit_unit)

    @property
    def extension_text(self) -> str:
        """"" when the limit cannot be extended."""
        return unit_days(self.extension_days, self.limit_unit) if self.extension_days else ""

    @property
    def visits_text(self) -> str:
        if self.max_visits == 0:
            return _("零跑动（0 次）")
        if self.max_visits == 1:
            return _("最多跑一次")
        return _("%(n)s 次") % {"n": self.max_visits}

    @property
    def has_material_files(self) -> bool:
        """Some material has a blank form or a sample to download (the PDF then says so)."""
        return any(m.has_files for m in self.required_materials + self.conditional_materials)

    @property
    def auto_materials_count(self) -> int:
        return sum(1 for m in self.required_materials + self.conditional_materials if m.auto_obtained)


def _notice_material(material: Material) -> NoticeMaterial:
    return NoticeMaterial(
        order=material.order,
        name=material.name,
        required=material.required,
        condition=material.condition,
        form=material.form,
        form_label=str(material.get_form_display()),
        copies=material.copies,
        original_required=material.original_required,
        waivable=material.waivable,
        source=material.source,
        source_label=str(material.get_source_display()),
        auto_obtained=material.source in AUTO_SOURCES,
        certificate_type=material.certificate_type,
        note=material.note,
        material_id=material.pk,
        has_blank_form=bool(material.blank_form),
        has_sample_file=bool(material.sample_file),
        waiver_term_days=material.waiver_term_days if material.waivable else 0,
    )


def _notice_steps(stages, unit: str) -> list[NoticeStep]:
    by_step: dict[int, list[NoticeStage]] = {}
    for stage in stages:
        by_step.setdefault(stage.step, []).append(NoticeStage(
            step=stage.step, kind=stage.kind, kind_label=str(stage.get_kind_display()), name=stage.name,
            limit_days=stage.limit_days, department_code=stage.department.code,
            department_name=stage.department.name, limit_unit=unit,
        ))
    # Parallel stages overlap, so a step takes as long as its slowest stage.
    return [NoticeStep(step=step, stages=rows, limit_days=max(r.limit_days for r in rows), limit_unit=unit)
            for step, rows in sorted(by_step.items())]


def _channels(item: Item) -> list[str]:
    channels = []
    if item.channel_window:
        channels.append(_("窗口办理"))
    if item.channel_online:
        channels.append(_("网上办理"))
    if item.channel_post:
        channels.append(_("快递申请"))
    if item.channel_self_service:
        channels.append(_("自助终端办理"))
    return channels


def _catalog_date(item: Item) -> dt.date:
    latest = ItemVersion.objects.filter(item=item).order_by("-version").values_list("valid_from", flat=True).first()
    moment = latest or item.updated_at
    return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()


def _status_announcement(item: Item) -> NoticeAnnouncement | None:
    if item.status == ItemStatus.ACTIVE:
        return None
    kinds = [AnnouncementKind.ABOLISHED] if item.status == ItemStatus.ABOLISHED else list(AnnouncementKind)
    row = item.announcements.filter(kind__in=kinds).order_by("-published_on", "-id").first()
    if row is None:
        return None
    return NoticeAnnouncement(kind=row.kind, kind_label=str(row.get_kind_display()),
                              published_on=row.published_on, reason=row.reason, summary=row.summary)


def one_time_notice(item: Item) -> OneTimeNotice:
    """The one-time notice (一次性告知) of an item: every condition, material, limit, channel, fee,
    place and step at once, so the applicant never meets a second surprise (Administrative
    Licensing Law, Art. 30 and 32: publish the list, tell all missing materials at once)."""
    from .centres import accepting_centres

    materials = [_notice_material(m) for m in item.materials.all()]
    return OneTimeNotice(
        code=item.code,
        name=item.name,
        kind=item.kind,
        kind_label=str(ItemKind(item.kind).label) if item.kind in ItemKind.values else item.kind,
        status=item.status,
        status_label=str(item.get_status_display()),
        department_code=item.department.code,
        department_name=item.department.name,
        legal_basis=item.legal_basis,
        conditions=item.conditions,
        required_materials=[m for m in materials if m.required],
        conditional_materials=[m for m in materials if not m.required],
        # only published items have notices: their limits are set (the database requires it)
        legal_limit_days=item.legal_limit_days or 0,
        committed_limit_days=item.committed_limit_days or 0,
        limit_unit=item.limit_unit,
        limit_unit_label=str(LimitUnit(item.limit_unit).label) if item.limit_unit in LimitUnit.values else item.limit_unit,
        is_immediate=item.is_immediate,
        is_joint=item.is_joint,
        extension_days=item.extension_days,
        max_visits=item.max_visits,
        visit_reason=item.visit_reason,
        online_depth=item.online_depth,
        online_depth_label=str(item.get_online_depth_display()),
        channels=_channels(item),
        offers_post_delivery=item.offers_post_delivery,
        has_fee=item.has_fee,
        fee_description=item.fee_description,
        fee_amount=item.fee_amount,
        online_payment=item.online_payment,
        location=item.location,
        opening_hours=item.opening_hours,
        phone=item.phone,
        weekend_service=item.weekend_service,
        steps=_notice_steps(item.stages.all(), item.limit_unit),
        result_name=item.result_name,
        result_is_e_certificate=bool(item.result_certificate_type),
        instant_approval=[str(rule.get("label") or rule.get("field", "")) for rule in item.instant_approval_rules
                          if isinstance(rule, dict)],
        life_events=[event.name for event in item.life_events.all()],
        catalog_version=item.version,
        catalog_date=_catalog_date(item),
        status_announcement=_status_announcement(item),
        materials_total=len(materials),
        where=accepting_centres(item),
        special_procedures=[NoticeProcedure(kind=p.kind, kind_label=str(p.get_kind_display()), limit_days=p.limit_days,
                                            note=p.note) for p in item.procedures.all()],
    )


# --------------------------------------------------------------------------------------------------
# The bundle's notice (一件事一次告知)
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BundleNoticeMaterial(NoticeMaterial):
    item_names: list[str] = field(default_factory=list)
    """The bundle's items that ask for this document (it is handed in once for all of them)."""
    material_ids: list[int] = field(default_factory=list)
    """Its material in each of those items: a submission names them all as handed in."""


@dataclass(frozen=True)
class BundleNoticeItem:
    code: str
    name: str
    department_name: str
    legal_limit_days: int
    committed_limit_days: int
    is_immediate: bool
    max_visits: int
    status: str
    status_label: str
    limit_unit: str = LimitUnit.WORKING

    @property
    def committed_limit_text(self) -> str:
        return limit_text(self.committed_limit_days, self.limit_unit, immediate=self.is_immediate)


@dataclass(frozen=True)
class BundleNotice:
    """One notice for a bundle: its items, one merged list of materials and one combined limit."""

    code: str
    name: str
    description: str
    life_event_code: str
    life_event_name: str
    items: list[BundleNoticeItem]
    required_materials: list[BundleNoticeMaterial]
    conditional_materials: list[BundleNoticeMaterial]
    combined_limit_days: int
    """The items run in parallel: the longest committed limit, not the sum (in working days; see
    combined_limits when some item counts natural days)."""
    sum_of_limits_days: int
    """What the items would take one after another: the saving shown to applicants (working days)."""
    max_visits: int
    materials_before_merge: int
    combined_limits: dict[str, int] = field(default_factory=dict)
    """{unit: longest committed limit of the items counted in that unit}."""
    sum_of_limits: dict[str, int] = field(default_factory=dict)

    @property
    def materials_total(self) -> int:
        return len(self.required_materials) + len(self.conditional_materials)

    @staticmethod
    def _text(limits: dict[str, int]) -> str:
        parts = [unit_days(limits[unit], unit) for unit in LimitUnit.values if limits.get(unit)]
        return "、".join(parts)

    @property
    def combined_limit_text(self) -> str:
        """"20 个工作日", or "即办" when every item is done on the spot; with items counted in both units
        both longest limits ("20 个工作日、60 个自然日": the bundle ends when the later one does)."""
        return self._text(self.combined_limits) or _("即办")

    @property
    def sum_of_limits_text(self) -> str:
        return self._text(self.sum_of_limits)

    @property
    def saves_time(self) -> bool:
        """Handling the items in parallel is shorter than one after another, in some unit."""
        return any(total > self.combined_limits.get(unit, 0) for unit, total in self.sum_of_limits.items())


def bundle_notice(bundle: Bundle) -> BundleNotice:
    """The bundle's one notice: merged materials (a document asked by several items is asked once,
    catalog.bundles.bundle_materials) and the combined limit (catalog.bundles.bundle_limit_days)."""
    rows = [row for row in bundle.bundle_items.all() if row.item.status in PUBLIC_STATUSES]
    items = [row.item for row in rows]
    names = {item.code: item.name for item in items}
    materials: list[BundleNoticeMaterial] = []
    before = 0
    for merged in bundle_materials(bundle):
        before += len(merged.materials)
        materials.append(BundleNoticeMaterial(
            order=len(materials) + 1, name=merged.name, required=merged.required, condition=merged.condition,
            form=merged.form, form_label=str(merged.get_form_display()), copies=merged.copies,
            original_required=merged.original_required, waivable=merged.waivable, source=merged.source,
            source_label=str(merged.get_source_display()), auto_obtained=merged.source in AUTO_SOURCES,
            certificate_type=merged.certificate_type, note=merged.note,
            item_names=[names[code] for code in merged.item_codes if code in names],
            material_ids=[m.pk for m in merged.materials],
            waiver_term_days=merged.waiver_term_days if merged.waivable else 0,
        ))
    active = [item for item in items if item.status != ItemStatus.ABOLISHED]
    combined = bundle_limits(bundle)
    sums: dict[str, int] = {}
    for item in active:
        sums[item.limit_unit] = sums.get(item.limit_unit, 0) + (item.committed_limit_days or 0)
    return BundleNotice(
        code=bundle.code,
        name=bundle.name,
        description=bundle.description,
        life_event_code=bundle.life_event.code if bundle.life_event else "",
        life_event_name=bundle.life_event.name if bundle.life_event else "",
        items=[BundleNoticeItem(
            code=item.code, name=item.name, department_name=item.department.name,
            legal_limit_days=item.legal_limit_days or 0, committed_limit_days=item.committed_limit_days or 0,
            is_immediate=item.is_immediate, max_visits=item.max_visits, status=item.status,
            status_label=str(item.get_status_display()), limit_unit=item.limit_unit,
        ) for item in items],
        required_materials=[m for m in materials if m.required],
        conditional_materials=[m for m in materials if not m.required],
        combined_limit_days=combined.get(LimitUnit.WORKING, 0),
        sum_of_limits_days=sums.get(LimitUnit.WORKING, 0),
        combined_limits=combined,
        sum_of_limits=sums,
        max_visits=max((item.max_visits for item in active), default=0),
        materials_before_merge=before,
    )
