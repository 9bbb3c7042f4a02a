"""Reads of the catalog for the public site, the API and the staff pages.

Everything here is computed in the database (filters, counts, averages). The one-time notice
(一次性告知) and the bundle's notice are built in catalog.notices and re-exported here, so callers read
the whole catalog through this one module.
"""

from __future__ import annotations

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.orgs.models import Department

from .models import (
    Announcement,
    Bundle,
    BundleItem,
    Item,
    ItemStatus,
    LifeEvent,
    Material,
    Stage,
)
from .notices import (  # noqa: F401  (re-exported: the notices are read through the selectors)
    PUBLIC_STATUSES,
    BundleNotice,
    BundleNoticeItem,
    BundleNoticeMaterial,
    NoticeMaterial,
    NoticeStage,
    NoticeStep,
    OneTimeNotice,
    bundle_notice,
    one_time_notice,
)
from .reports import reform_summary  # noqa: F401  (re-exported: the public pages' numbers)

# --------------------------------------------------------------------------------------------------
# Search and browse
# --------------------------------------------------------------------------------------------------

def search_items(*, query: str = "", department_code: str | None = None, life_event_code: str | None = None,
                 kind: str | None = None, zero_run: bool | None = None,
                 include_inactive: bool = False) -> QuerySet[Item]:
    """Items matching a name fragment, a code, pinyin initials (``yyzz`` → 营业执照) or full pinyin.

    Only active items unless ``include_inactive`` (then suspended and abolished too; drafts never).
    Ordered with an exact name match first, then initials and name prefixes, then the rest by name.
    """
    statuses = PUBLIC_STATUSES if include_inactive else (ItemStatus.ACTIVE,)
    items = Item.objects.filter(status__in=statuses).select_related("department")
    if department_code:
        items = items.filter(department__code=department_code)
    if life_event_code:
        items = items.filter(life_events__code=life_event_code)
    if kind:
        items = items.filter(kind=kind)
    if zero_run is True:
        items = items.filter(max_visits=0)
    elif zero_run is False:
        items = items.filter(max_visits__gt=0)

    query = (query or "").strip()
    if not query:
        return items.order_by("department__code", "name", "code")
    # The pinyin fields hold only [a-z0-9] (catalog.text): compare the query the same way.
    compact = "".join(query.split()).lower()
    # People search for what they want to get (营业执照) as often as for the item's formal name
    # (个体工商户设立登记): the result's name counts too, and the stored pinyin fields include it.
    items = items.filter(
        Q(name__icontains=query) | Q(code__icontains=query) | Q(search_initials__icontains=compact)
        | Q(search_pinyin__icontains=compact) | Q(result_name__icontains=query)
    )
    rank = Case(
        When(name__iexact=query, then=Value(0)),
        When(search_initials__iexact=compact, then=Value(1)),
        When(code__iexact=query, then=Value(1)),
        When(name__istartswith=query, then=Value(2)),
        When(search_initials__istartswith=compact, then=Value(2)),
        When(name__icontains=query, then=Value(3)),
        When(search_initials__icontains=compact, then=Value(4)),
        default=Value(5),
        output_field=IntegerField(),
    )
    return items.annotate(search_rank=rank).order_by("search_rank", "name", "code")


def departments_with_counts() -> QuerySet[Department]:
    """Active departments with ``item_count`` (active items) and ``zero_run_count`` (of them, zero visits)."""
    active = Q(items__status=ItemStatus.ACTIVE)
    return (
        Department.objects.filter(is_active=True)
        .annotate(item_count=Count("items", filter=active),
                  zero_run_count=Count("items", filter=active & Q(items__max_visits=0)))
        .order_by("-item_count", "code")
    )


def life_events_with_counts() -> QuerySet[LifeEvent]:
    """Life events with ``item_count``: how many active items each one groups."""
    return LifeEvent.objects.annotate(
        item_count=Count("items", filter=Q(items__status=ItemStatus.ACTIVE), distinct=True)
    ).order_by("audience", "order", "code")


def get_life_event(code: str) -> LifeEvent:
    try:
        return LifeEvent.objects.get(code=code)
    except LifeEvent.DoesNotExist:
        raise NotFound(_("没有找到该主题：%(code)s") % {"code": code}, field="code") from None


def bundles() -> QuerySet[Bundle]:
    """Active bundles (一件事) with ``item_count``, their life event joined."""
    return (
        Bundle.objects.filter(is_active=True)
        .select_related("life_event")
        .annotate(item_count=Count("bundle_items"))
        .order_by("code")
    )


def get_bundle(code: str) -> Bundle:
    """An active bundle with its items in order; NotFound for an unknown or inactive code."""
    bundle_items = BundleItem.objects.select_related("item__department").order_by("order", "id")
    try:
        return (Bundle.objects.filter(is_active=True).select_related("life_event")
                .prefetch_related(Prefetch("bundle_items", queryset=bundle_items)).get(code=code))
    except Bundle.DoesNotExist:
        raise NotFound(_("没有找到该“一件事”：%(code)s") % {"code": code}, field="code") from None


def get_item(code: str) -> Item:
    """A public item (active, suspended or abolished) with materials, stages and life events loaded.

    Drafts and unknown codes raise NotFound: the public never sees an item before it is published.
    """
    try:
        return (
            Item.objects.filter(status__in=PUBLIC_STATUSES)
            .select_related("department")
            .prefetch_related(
                Prefetch("materials", queryset=Material.objects.order_by("order", "id")),
                Prefetch("stages", queryset=Stage.objects.select_related("department").order_by("step", "id")),
                "life_events",
            )
            .get(code=code)
        )
    except Item.DoesNotExist:
        raise NotFound(_("没有找到编码为 %(code)s 的事项，可能编码有误或尚未公布。") % {"code": code},
                       field="code") from None


def item_children(item: Item) -> QuerySet[Item]:
    """The active sub-items or handling items under a main or sub item (主项 → 子项 → 办理项):
    the ones an applicant actually applies for."""
    return item.children.filter(status=ItemStatus.ACTIVE).select_related("department").order_by("code")


def announcements(*, kind: str | None = None, limit: int | None = None) -> QuerySet[Announcement]:
    """Public announcements of added, retained, changed and abolished items, newest first.

    Returns a queryset for the caller to page; ``limit`` cuts it for a "latest" list.
    """
    rows = Announcement.objects.select_related("item", "item__department").exclude(item__status=ItemStatus.DRAFT)
    if kind:
        rows = rows.filter(kind=kind)
    rows = rows.order_by("-published_on", "-id")
    return rows[:limit] if limit else rows


def visit_distribution(summary: dict) -> dict:
    """Split a reform summary's counts into zero-run, run at most once (exactly one visit) and more."""
    return {
        "zero": summary["zero_visit"],
        "once": summary["at_most_one_visit"] - summary["zero_visit"],
        "more": summary["items"] - summary["at_most_one_visit"],
        "total": summary["items"],
    }


