"""Reads of the catalog manager's review queue: the drafts (草稿), each with what it still lacks before
it can be published (Item.review_gaps, grouped by GapKind). Drafts come mostly from a provincial export
whose columns cannot say everything the catalog rules ask (catalog.io_provincial); they are never
shown to the public, offered online or accepted at a window until they are published."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.orgs.models import Department

from .models import GapKind, Item, ItemStatus, Material, Stage


def drafts(*, department_code: str = "", gap: str = "", query: str = "") -> QuerySet[Item]:
    """Drafts, by department and name: those of one department, those lacking one GapKind, those whose
    name or code contains every word of `query`."""
    rows = Item.objects.filter(status=ItemStatus.DRAFT).select_related("department")
    if department_code:
        rows = rows.filter(department__code=department_code)
    if gap:
        rows = rows.filter(review_gap_kinds__contains=f" {gap} ")
    for word in (query or "").split():
        rows = rows.filter(Q(name__icontains=word) | Q(code__icontains=word))
    return rows.order_by("department__code", "name", "code")


def gap_counts() -> list[tuple[str, str, int]]:
    """(GapKind value, label, number of drafts lacking it) for every kind, in the enum's order."""
    base = Item.objects.filter(status=ItemStatus.DRAFT)
    counts = base.aggregate(**{kind: Count("id", filter=Q(review_gap_kinds__contains=f" {kind} "))
                               for kind in GapKind.values})
    return [(kind, str(GapKind(kind).label), counts[kind]) for kind in GapKind.values]


def draft_departments() -> QuerySet[Department]:
    """The departments that have drafts, with ``draft_count``."""
    return (Department.objects.annotate(draft_count=Count("items", filter=Q(items__status=ItemStatus.DRAFT)))
            .filter(draft_count__gt=0).order_by("code"))


def get_draft(code: str) -> Item:
    """A draft with its materials and stages; NotFound for any other item (a published one is edited
    in the catalog, not here)."""
    try:
        return (Item.objects.filter(status=ItemStatus.DRAFT).select_related("department")
                .prefetch_related("life_events")
                .get(code=code))
    except Item.DoesNotExist:
        raise NotFound(_("没有编码为 %(code)s 的草稿事项（可能已经发布）") % {"code": code}, field="code") from None


def draft_materials(item: Item) -> list[Material]:
    return list(item.materials.order_by("order", "id"))


def draft_stages(item: Item) -> list[Stage]:
    return list(item.stages.select_related("department").order_by("step", "id"))
