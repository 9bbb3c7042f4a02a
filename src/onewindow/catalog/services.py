"""Writes to the catalog. Every write validates the item against the consistency rules
(`validate_item`, see catalog.validation), keeps a full snapshot per version (ItemVersion) and
publishes an Announcement when an item is added, retained, changed or abolished: catalog reform
requires that every retained, changed or abolished item is announced in public (清单管理、动态调整、
向社会公布). A write that changes nothing creates no version and no announcement.

A draft is saved with the problems it still has (what the catalog manager must fill in, kept in
`Item.review_gaps`) unless one keeps it from being stored at all (validation.blocks_draft); it is
announced (新增) only when it is published, which checks every rule."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, NotFound, ValidationError
from onewindow.orgs.models import Department, User

from .bundles import bundle_limit_days, bundle_materials  # noqa: F401 - re-exported for callers
from .itemdata import CHANNELS, ITEM_FIELDS, ItemData, Problem, field_label, item_to_data, normalise
from .models import (
    Announcement,
    AnnouncementKind,
    Bundle,
    BundleItem,
    Item,
    ItemStatus,
    ItemVersion,
    LifeEvent,
    Material,
    Stage,
)
from .text import item_search_fields, limit_text, pinyin_fields, unit_days
from .validation import blocks_draft, gap_kind, validate_item

__all__ = [
    "ItemInvalid", "validate_item", "create_item", "update_item", "publish_draft", "retain_item", "abolish_item",
    "set_materials", "set_stages", "save_bundle", "bundle_materials", "bundle_limit_days", "describe_changes",
]


class ItemInvalid(ValidationError):
    """The item breaks one or more consistency rules; `problems` lists each with its field."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        message = "；".join(f"{field_label(p.field.split('[')[0].split('.')[0])}（{p.field}）：{p.message}"
                           for p in self.problems)
        super().__init__(message, field=self.problems[0].field if self.problems else None)


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("必须填写修改理由（将随公告公开）"), field="reason")
    return reason


def _check(data: ItemData, problems: list[Problem], gaps: Iterable[Problem] = ()) -> list[Problem]:
    """Raise ItemInvalid for what keeps the item out; return what a draft still lacks (`gaps` the
    caller knows of first, e.g. what an import file could not say), [] for any other status."""
    problems = _dedupe(problems + validate_item(data))
    if data["status"] != ItemStatus.DRAFT:
        if problems:
            raise ItemInvalid(problems)
        return []
    blockers = [p for p in problems if blocks_draft(p)]
    if blockers:
        raise ItemInvalid(blockers)
    return _dedupe(list(gaps) + problems)


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for p in problems:
        if (p.field, p.message) not in seen:
            seen.add((p.field, p.message))
            out.append(p)
    return out


# --- applying data to the rows ---------------------------------------------------------------------

def _apply(item: Item, data: ItemData, gaps: list[Problem]) -> Item:
    departments = {d.code: d for d in Department.objects.filter(
        code__in={data["department"], *(s["department"] for s in data["stages"])})}
    for name in ITEM_FIELDS:
        if name in ("parent", "department", "channels", "life_events"):
            continue
        setattr(item, name, data[name])
    item.department = departments[data["department"]]
    item.parent = Item.objects.get(code=data["parent"]) if data["parent"] else None
    for channel in CHANNELS:
        setattr(item, f"channel_{channel}", channel in data["channels"])
    item.search_pinyin, item.search_initials = item_search_fields(item.name, item.result_name)
    item.review_gaps = [{"field": p.field, "message": p.message} for p in gaps]
    kinds = sorted({gap_kind(p) for p in gaps})
    item.review_gap_kinds = f" {' '.join(kinds)} " if kinds else ""
    new = item.pk is None
    item.save()
    # A new item has no lists yet: nothing to read back or to match (an import writes hundreds).
    if data["life_events"] or not new:
        item.life_events.set(LifeEvent.objects.filter(code__in=data["life_events"]))
    _sync_materials(item, data["materials"], new=new)
    _sync_stages(item, data["stages"], departments, new=new)
    return item


def _sync_materials(item: Item, materials: list[ItemData], *, new: bool = False) -> None:
    # Matched by name so uploaded sample files and blank forms survive an edit of the list.
    existing = {} if new else {m.name: m for m in item.materials.all()}
    if not existing:
        Material.objects.bulk_create([Material(item=item, order=order, **values)
                                      for order, values in enumerate(materials, start=1)])
        return
    keep = set()
    for order, values in enumerate(materials, start=1):
        material = existing.get(values["name"]) or Material(item=item)
        for field, value in values.items():
            setattr(material, field, value)
        material.order = order
        material.save()
        keep.add(material.pk)
    item.materials.exclude(pk__in=keep).delete()


def _sync_stages(item: Item, stages: list[ItemData], departments: dict[str, Department], *,
                 new: bool = False) -> None:
    existing = {} if new else {(s.step, s.department.code): s for s in item.stages.select_related("department")}
    if not existing:
        Stage.objects.bulk_create([
            Stage(item=item, step=v["step"], kind=v["kind"], name=v["name"], limit_days=v["limit_days"] or 0,
                  department=departments[v["department"]]) for v in stages])
        return
    keep = set()
    for values in stages:
        stage = existing.get((values["step"], values["department"])) or Stage(item=item)
        stage.step, stage.kind, stage.name = values["step"], values["kind"], values["name"]
        stage.limit_days, stage.department = values["limit_days"] or 0, departments[values["department"]]
        stage.save()
        keep.add(stage.pk)
    item.stages.exclude(pk__in=keep).delete()


# --- versions, announcements, audit ----------------------------------------------------------------

def _fmt(name: str, value: object) -> str:
    if value is None or value == "" or value == []:
        return _("（空）")
    if isinstance(value, bool):
        return _("是") if value else _("否")
    try:
        choices = getattr(Item._meta.get_field(name), "choices", None)  # a relation has none
        if choices:
            return str(dict(choices).get(value, value))
    except Exception:  # noqa: BLE001 - keys that are not model fields
        pass
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    text = str(value)
    return text if len(text) <= 40 else text[:38] + "……"


def _material_changes(old: list[ItemData], new: list[ItemData]) -> list[str]:
    lines: list[str] = []
    old_by, new_by = {m["name"]: m for m in old}, {m["name"]: m for m in new}
    for name in new_by:
        if name not in old_by:
            lines.append(_("新增申请材料“%(n)s”") % {"n": name})
    for name in old_by:
        if name not in new_by:
            lines.append(_("删除申请材料“%(n)s”") % {"n": name})
    labels = {f.name: str(f.verbose_name) for f in Material._meta.get_fields() if hasattr(f, "verbose_name")}
    for name, m in new_by.items():
        if name in old_by and old_by[name] != m:
            diffs = [f"{labels.get(k, k)} {_fmt('', old_by[name][k])} → {_fmt('', v)}"
                     for k, v in m.items() if old_by[name][k] != v]
            lines.append(_("申请材料“%(n)s”：%(d)s") % {"n": name, "d": "，".join(diffs)})
    if not lines and [m["name"] for m in old] != [m["name"] for m in new]:
        lines.append(_("申请材料顺序调整"))
    return lines


def _stages_text(stages: list[ItemData], unit: str) -> str:
    return "；".join(_("%(step)s.%(name)s（%(d)s，%(days)s）")
                    % {"step": s["step"], "name": s["name"], "d": s["department"],
                       "days": unit_days(s["limit_days"], unit)}
                    for s in stages) or _("（无）")


def describe_changes(old: ItemData, new: ItemData) -> list[str]:
    """Field-level differences between two item snapshots, one Chinese line per change."""
    lines: list[str] = []
    for name in ITEM_FIELDS:
        if name == "limit_unit" and old.get(name) is None:
            continue  # a snapshot from before limits had a unit: they were working days
        if old.get(name) != new.get(name):
            lines.append(f"{field_label(name)}：{_fmt(name, old.get(name))} → {_fmt(name, new.get(name))}")
    lines += _material_changes(old.get("materials", []), new.get("materials", []))
    if old.get("stages", []) != new.get("stages", []):
        lines.append(_("办理环节：%(old)s → %(new)s")
                     % {"old": _stages_text(old.get("stages", []), old.get("limit_unit") or "working"),
                        "new": _stages_text(new.get("stages", []), new.get("limit_unit") or "working")})
    return lines


def _added_summary(item: Item) -> str:
    return _("新增事项“%(n)s”（%(c)s），承诺办结时限：%(d)s") % {
        "n": item.name, "c": item.code,
        "d": limit_text(item.committed_limit_days, item.limit_unit, immediate=item.is_immediate)}


def _publish(*, item: Item, kind: str, actor: User | None, reason: str, today: date | None, summary: str,
             from_state: str, snapshot: ItemData | None, changes: list[str],
             announce: bool = True) -> Announcement | None:
    if snapshot is not None:
        ItemVersion.objects.create(item=item, version=item.version, snapshot=snapshot, valid_from=timezone.now(),
                                   changed_by=actor if getattr(actor, "pk", None) else None, reason=reason)
    announcement = None
    if announce and item.status != ItemStatus.DRAFT:
        announcement = Announcement.objects.create(
            item=item, kind=kind, item_version=item.version, published_on=today or timezone.localdate(),
            reason=reason, summary=summary)
    audit.record(chain_key=f"item:{item.code}", action="onewindow.item.changed",
                 actor=actor if getattr(actor, "pk", None) else None, from_state=from_state, to_state=item.status,
                 reason=reason, data={"kind": kind, "version": item.version, "changes": changes})
    return announcement


# --- public writes ------------------------------------------------------------------------------------

@transaction.atomic
def create_item(*, data: ItemData, actor: User | None = None, reason: str, today: date | None = None,
                gaps: Iterable[Problem] = ()) -> Item:
    """Add an item to the catalog (version 1) and announce it (新增), unless it is a draft (announced
    when it is published; saved with what it still lacks, `gaps` first) or arrives already abolished
    (e.g. restored from an export)."""
    reason = _require_reason(reason)
    clean, problems = normalise(data)
    if clean["code"] and Item.objects.filter(code=clean["code"]).exists():
        raise ValidationError(_("事项编码“%(c)s”已存在") % {"c": clean["code"]}, field="code")
    item = _apply(Item(version=1), clean, _check(clean, problems, gaps))
    snapshot = clean  # exactly what was written (item_to_data(item) reads the same back)
    summary = _added_summary(item)
    _publish(item=item, kind=AnnouncementKind.ADDED, actor=actor, reason=reason, today=today, summary=summary,
             from_state="", snapshot=snapshot, changes=[summary],
             announce=item.status in (ItemStatus.ACTIVE, ItemStatus.SUSPENDED))
    return item


@transaction.atomic
def update_item(*, item: Item, data: ItemData, actor: User | None = None, reason: str, today: date | None = None,
                gaps: Iterable[Problem] = ()) -> Item:
    """Change an item: keys missing from `data` keep their value; `materials` / `stages`, when given,
    replace the whole list. The new version is validated, snapshotted and announced (调整) with a
    field-level summary; an update that changes nothing leaves no trace. A draft stays a draft with
    what it still lacks; a draft made active is checked in full and announced as added (新增)."""
    reason = _require_reason(reason)
    item = Item.objects.select_for_update().get(pk=item.pk)
    old = item_to_data(item)
    clean, problems = normalise(data, base=old)
    if clean["code"] != old["code"]:
        problems.append(Problem("code", _("事项编码发布后不能修改")))
    if old["status"] != ItemStatus.DRAFT and clean["status"] == ItemStatus.DRAFT:
        problems.append(Problem("status", _("已公布的事项不能改回草稿；如需停办请暂停或取消")))
    new_gaps = _check(clean, problems, gaps)
    if clean == old:
        return item
    if old["status"] == ItemStatus.ABOLISHED:
        raise Conflict(_("事项“%(n)s”已取消，不能再修改；如需恢复请新增事项") % {"n": item.name}, field="status")
    changes = describe_changes(old, clean)
    published = old["status"] == ItemStatus.DRAFT and clean["status"] != ItemStatus.DRAFT
    if published:
        kind = AnnouncementKind.ADDED
    elif clean["status"] == ItemStatus.ABOLISHED:
        kind = AnnouncementKind.ABOLISHED
    else:
        kind = AnnouncementKind.CHANGED
    item.version += 1
    item = _apply(item, clean, new_gaps)
    summary = _added_summary(item) if published else "；\n".join(changes)
    _publish(item=item, kind=kind, actor=actor, reason=reason, today=today, summary=summary,
             from_state=old["status"], snapshot=clean, changes=changes)
    return item


@transaction.atomic
def publish_draft(*, item: Item, data: ItemData | None = None, actor: User | None = None, reason: str,
                  today: date | None = None) -> Item:
    """Publish a draft (草稿 → 在用) with the changes in `data` (what the catalog manager filled in):
    every consistency rule is checked, the item gets a new version and the public announcement (新增)
    that every added item gets (清单管理、向社会公布). ItemInvalid lists what is still missing."""
    if not Item.objects.filter(pk=item.pk, status=ItemStatus.DRAFT).exists():
        raise Conflict(_("事项“%(n)s”不是草稿，无需发布") % {"n": item.name}, field="status")
    return update_item(item=item, data={**(data or {}), "status": ItemStatus.ACTIVE}, actor=actor, reason=reason,
                       today=today)


@transaction.atomic
def set_materials(*, item: Item, materials: list[ItemData], actor: User | None = None, reason: str,
                  today: date | None = None) -> Item:
    """Replace the item's list of materials (a versioned, announced change)."""
    return update_item(item=item, data={"materials": materials}, actor=actor, reason=reason, today=today)


@transaction.atomic
def set_stages(*, item: Item, stages: list[ItemData], actor: User | None = None, reason: str,
               today: date | None = None) -> Item:
    """Replace the item's stages (a versioned, announced change)."""
    return update_item(item=item, data={"stages": stages}, actor=actor, reason=reason, today=today)


@transaction.atomic
def retain_item(*, item: Item, actor: User | None = None, reason: str, today: date | None = None) -> Announcement:
    """Announce that a catalog review keeps the item as it is (保留). The content does not change, so
    no new version is made; the announcement cites the current version."""
    reason = _require_reason(reason)
    item = Item.objects.select_for_update().get(pk=item.pk)
    if item.status not in (ItemStatus.ACTIVE, ItemStatus.SUSPENDED):
        raise Conflict(_("只有在用或暂停的事项可以保留，该事项状态为“%(s)s”") % {"s": item.get_status_display()},
                       field="status")
    summary = _("经事项清理审查，保留“%(n)s”（第 %(v)s 版），内容不变") % {"n": item.name, "v": item.version}
    announcement = _publish(item=item, kind=AnnouncementKind.RETAINED, actor=actor, reason=reason, today=today,
                            summary=summary, from_state=item.status, snapshot=None, changes=[summary])
    assert announcement is not None  # an active or suspended item is always announced
    return announcement


@transaction.atomic
def abolish_item(*, item: Item, actor: User | None = None, reason: str, today: date | None = None) -> Item:
    """Take the item out of the catalog (取消): status abolished, a new version, an announcement."""
    reason = _require_reason(reason)
    if Item.objects.filter(pk=item.pk, status=ItemStatus.ABOLISHED).exists():
        raise Conflict(_("事项“%(n)s”已经取消") % {"n": item.name}, field="status")
    return update_item(item=item, data={"status": ItemStatus.ABOLISHED}, actor=actor, reason=reason, today=today)


def get_item(code: str) -> Item:
    try:
        return Item.objects.get(code=code)
    except Item.DoesNotExist:
        raise NotFound(_("事项“%(c)s”不存在") % {"c": code}, field="code") from None


# --- bundles ------------------------------------------------------------------------------------------

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@transaction.atomic
def save_bundle(*, code: str, name: str, items: list[str], description: str = "", life_event: str | None = None,
                is_active: bool = True, actor: User | None = None) -> Bundle:
    """Create or update a bundle (一件事): two or more active items applied for as one, in order."""
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not _SLUG.match(code) or len(code) > 40:
        raise ValidationError(_("一件事编码须为不超过 40 位的字母、数字或连字符"), field="code")
    if not name:
        raise ValidationError(_("一件事名称不能为空"), field="name")
    codes = [c.strip() for c in items if c and c.strip()]
    if len(codes) != len(set(codes)):
        raise ValidationError(_("一件事中的事项不能重复"), field="items")
    if len(codes) < 2:
        raise ValidationError(_("一件事至少包含两个事项"), field="items")
    found = {i.code: i for i in Item.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationError(_("事项不存在：%(c)s") % {"c": "、".join(missing)}, field="items")
    abolished = [c for c in codes if found[c].status == ItemStatus.ABOLISHED]
    if abolished:
        raise ValidationError(_("已取消的事项不能列入一件事：%(c)s") % {"c": "、".join(abolished)}, field="items")
    event = None
    if life_event:
        event = LifeEvent.objects.filter(code=life_event).first()
        if event is None:
            raise ValidationError(_("主题“%(c)s”不存在") % {"c": life_event}, field="life_event")
    bundle, _created = Bundle.objects.get_or_create(code=code, defaults={"name": name})
    bundle.name, bundle.description, bundle.life_event, bundle.is_active = name, description or "", event, is_active
    bundle.search_initials = pinyin_fields(name)[1][:60]
    bundle.save()
    current = list(bundle.bundle_items.order_by("order").values_list("item__code", flat=True))
    if current != codes:
        bundle.bundle_items.all().delete()
        BundleItem.objects.bulk_create(
            [BundleItem(bundle=bundle, item=found[c], order=i) for i, c in enumerate(codes, start=1)])
    return bundle


@transaction.atomic
def save_life_event(*, code: str, name: str, audience: str, order: int = 0) -> LifeEvent:
    """Create or update a life event (主题) by code."""
    if audience not in ("person", "enterprise"):
        raise ValidationError(_("服务对象应为 person 或 enterprise"), field="audience")
    if not code or not _SLUG.match(code) or not name:
        raise ValidationError(_("主题编码和名称不能为空"), field="code")
    event, _created = LifeEvent.objects.update_or_create(
        code=code, defaults={"name": name, "audience": audience, "order": order or 0})
    return event
