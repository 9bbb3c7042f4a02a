"""Reads of the catalog for the public site, the API and the staff pages.

Everything here is computed in the database (filters, counts, averages). The one-time notice
(一次性告知) and the bundle's notice are built in catalog.notices and re-exported here, so callers read
the whole catalog through this one module.

The published catalog changes a few times a day and is read by every visitor, so what is computed
from it can be kept in process between requests (`remember`), under the catalog's current version
(`catalog_version`): a token in the shared cache (settings.CACHES, seen by every app server) that
any write to the catalog's rows replaces (`catalog_changed`, connected to the models' save/delete
signals below). A process that sees a new token drops everything it kept. The process that writes
sees its change at once; another app server within VERSION_TRUST_SECONDS (it asks the shared cache
at most that often outside a transaction, so a public page needs no database at all). Inside a
transaction (a request that writes, a test) the token is read every time.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, TypedDict, TypeVar, cast

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Model, Prefetch, Q, QuerySet, Value, When
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.orgs.models import Department, Region, ServiceCentre

# Re-exported (`X as X`): where an item can be handled (就近办, catalog.centres), the notices and the
# public pages' numbers are read through the selectors.
from .centres import AcceptingCentre as AcceptingCentre
from .centres import accepting_centre_ids as accepting_centre_ids
from .centres import accepting_centres as accepting_centres
from .centres import may_accept as may_accept
from .centres import nearest_centre as nearest_centre
from .centres import require_centre_may_accept as require_centre_may_accept
from .models import (
    Announcement,
    Bundle,
    BundleItem,
    CentreAcceptance,
    Item,
    ItemProcedure,
    ItemStatus,
    ItemVersion,
    LifeEvent,
    Material,
    Stage,
)
from .notices import PUBLIC_STATUSES as PUBLIC_STATUSES
from .notices import BundleNotice as BundleNotice
from .notices import BundleNoticeItem as BundleNoticeItem
from .notices import BundleNoticeMaterial as BundleNoticeMaterial
from .notices import NoticeMaterial as NoticeMaterial
from .notices import NoticeStage as NoticeStage
from .notices import NoticeStep as NoticeStep
from .notices import OneTimeNotice as OneTimeNotice
from .notices import bundle_notice as bundle_notice
from .notices import one_time_notice as one_time_notice
from .reports import reform_summary as reform_summary

if TYPE_CHECKING:  # django-stubs' annotated-model type; not needed at run time
    from django_stubs_ext import WithAnnotations

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------------------------------
# The published catalog's version, and what is kept in process under it
# --------------------------------------------------------------------------------------------------

VERSION_KEY = "catalog:published-version"
MEMO_MAX_CHARS = 8_000_000
"""What one process keeps: ~8 M characters of rendered pages and results (at most ~16 MB), least recently used
first out. A flood of distinct queries only turns hits into misses; memory stays bounded."""


VERSION_TRUST_SECONDS = 1.0
_seen: tuple[str, float] = ("", 0.0)  # (token, time.monotonic() it was read) in this process


def catalog_version() -> str:
    """The current version token of the published catalog. If the cache is unreachable, a fresh token:
    nothing kept is used, every page is computed (slower, never stale)."""
    global _seen
    token, read_at = _seen
    if token and time.monotonic() - read_at < VERSION_TRUST_SECONDS and not connection.in_atomic_block:
        return token
    try:
        token = cache.get(VERSION_KEY)
        if token is None:
            token = uuid.uuid4().hex
            if not cache.add(VERSION_KEY, token, timeout=None):
                token = cache.get(VERSION_KEY) or token
    except Exception:  # noqa: BLE001 — a broken cache must not take the public pages down
        log.exception("catalog version unavailable; computing without the in-process cache")
        return uuid.uuid4().hex
    _seen = (token, time.monotonic())
    return token


def _new_version() -> None:
    global _seen
    _seen = ("", 0.0)
    _memo.clear()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # noqa: BLE001
        log.exception("could not publish a new catalog version")


_batch: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("catalog_batch", default=None)


def catalog_changed(**_kwargs: object) -> None:
    """A row the public catalog shows was written: a new version now (a database cache writes it in
    the same transaction) and again after the commit (a cache outside the database: another process
    may have read the old rows under the first new token before the commit). Inside `batch()` the
    change is noted and published once, when the batch ends."""
    pending = _batch.get()
    if pending is not None:
        pending.append(1)
        return
    _new_version()
    transaction.on_commit(_new_version)


@contextlib.contextmanager
def batch() -> Iterator[None]:
    """Many catalog writes as one change of version (an import writes thousands of rows: one new
    version per row cost five cache queries each, more than the rows themselves)."""
    if _batch.get() is not None:
        yield
        return
    pending: list[int] = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        if pending:
            catalog_changed()


MemoKey = tuple[Hashable, ...]
T = TypeVar("T")


class _Memo:
    """Values kept under one catalog version, bounded by their size, least recently used out."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self._lock = threading.Lock()
        self._version = ""
        self._values: OrderedDict[MemoKey, tuple[object, int]] = OrderedDict()
        self._chars = 0

    def get(self, version: str, key: MemoKey) -> tuple[object, int] | None:
        with self._lock:
            if version != self._version:
                return None
            entry = self._values.get(key)
            if entry is not None:
                self._values.move_to_end(key)
            return entry

    def put(self, version: str, key: MemoKey, value: object, chars: int) -> None:
        with self._lock:
            if version != self._version:
                self._values.clear()
                self._chars = 0
                self._version = version
            if key in self._values:
                return
            self._values[key] = (value, chars)
            self._chars += chars
            while self._chars > self.max_chars and self._values:
                _old, (_value, size) = self._values.popitem(last=False)
                self._chars -= size

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._chars = 0
            self._version = ""


_memo = _Memo(MEMO_MAX_CHARS)


def _default_size(value: object) -> int:
    return 1000


def remember(key: MemoKey, compute: Callable[[], T], *, size: Callable[[T], int] = _default_size,
             version: str | None = None) -> T:
    """`compute()` once per catalog version, language and `key` in this process. Only for values that
    depend on nothing but the published catalog and the key (no user, no request)."""
    version = version or catalog_version()
    key = (get_language(), *key)
    entry = _memo.get(version, key)
    if entry is not None:
        # What was put under this key was computed by this same call site: the same type.
        return cast(T, entry[0])
    value = compute()
    _memo.put(version, key, value, size(value))
    return value


def forget() -> None:
    """Drop what this process kept (tests whose rolled-back rows must not be seen by the next test)."""
    global _seen
    _seen = ("", 0.0)
    _memo.clear()


def _watch(*senders: type[Model]) -> None:
    for sender in senders:
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(catalog_changed, sender=sender, dispatch_uid=f"catalog-version-{name}-{sender.__name__}")
    m2m_changed.connect(catalog_changed, sender=Item.life_events.through, dispatch_uid="catalog-version-life-events")


# Every row the public catalog pages and notices show. (Bulk updates bypass signals: catalog.services
# writes rows one by one, and saves the item with a new version whenever its lists change.)
_watch(Item, Material, Stage, ItemVersion, Announcement, LifeEvent, Department, Region, CentreAcceptance,
       ServiceCentre, ItemProcedure)

# --------------------------------------------------------------------------------------------------
# Search and browse
# --------------------------------------------------------------------------------------------------

def search_items(*, query: str = "", department_code: str | None = None, life_event_code: str | None = None,
                 kind: str | None = None, zero_run: bool | None = None, region_code: str | None = None,
                 include_inactive: bool = False) -> QuerySet[Item]:
    """Items matching a name fragment, a code, pinyin initials (``yyzz`` → 营业执照) or full pinyin.
    Words separated by spaces must each match (``营业 执照`` finds 个体工商户营业执照); on PostgreSQL
    each word's comparison uses the trigram indexes (migration 0005) when it has three or more characters.

    ``region_code`` keeps the items of the departments of that region (a county's own catalog).

    Only active items unless ``include_inactive`` (then suspended and abolished too; drafts never).
    Ordered with an exact name match first, then initials and name prefixes, then the rest by name.
    """
    statuses = PUBLIC_STATUSES if include_inactive else (ItemStatus.ACTIVE,)
    items = Item.objects.filter(status__in=statuses).select_related("department")
    if department_code:
        items = items.filter(department__code=department_code)
    if region_code:
        items = items.filter(department__region__code=region_code)
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
    # Each word filters on its own (a spaced pinyin query, "ying ye", matches word by word too), so
    # PostgreSQL combines one index scan per word.
    for word in query.split():
        items = items.filter(_matches(word, word.lower()))
    phrase = "".join(query.split())  # 营业 执照 ranks as 营业执照
    rank = Case(
        When(name__iexact=phrase, then=Value(0)),
        When(search_initials__iexact=compact, then=Value(1)),
        When(code__iexact=phrase, then=Value(1)),
        When(name__istartswith=phrase, then=Value(2)),
        When(search_initials__istartswith=compact, then=Value(2)),
        When(name__icontains=phrase, then=Value(3)),
        When(search_initials__icontains=compact, then=Value(4)),
        default=Value(5),
        output_field=IntegerField(),
    )
    return items.annotate(search_rank=rank).order_by("search_rank", "name", "code")


def _matches(text: str, compact: str) -> Q:
    return (Q(name__icontains=text) | Q(code__icontains=text) | Q(search_initials__icontains=compact)
            | Q(search_pinyin__icontains=compact) | Q(result_name__icontains=text))


def departments_with_counts(region_code: str | None = None) -> QuerySet[Department]:
    """Active departments with ``item_count`` (active items) and ``zero_run_count`` (of them, zero visits);
    only those of region ``region_code`` when given."""
    active = Q(items__status=ItemStatus.ACTIVE)
    departments = Department.objects.filter(is_active=True)
    if region_code:
        departments = departments.filter(region__code=region_code)
    return (
        departments
        .annotate(item_count=Count("items", filter=active),
                  zero_run_count=Count("items", filter=active & Q(items__max_visits=0)))
        .order_by("-item_count", "code")
    )


def regions_with_counts() -> QuerySet[Region]:
    """The regions whose active departments have active items, with ``item_count``, in code order: in a
    province's catalog each county implements its own copy of an item, so a citizen picks the county
    first and then one of its (a dozen or so) departments."""
    active = Q(departments__is_active=True, departments__items__status=ItemStatus.ACTIVE)
    return (Region.objects.annotate(item_count=Count("departments__items", filter=active))
            .filter(item_count__gt=0).order_by("code"))


def regions_to_choose() -> list[Region]:
    """regions_with_counts as the public pages offer them, kept per catalog version: the regions to
    pick first when the catalog spans several, none when it has one (its departments are listed)."""
    def compute() -> list[Region]:
        regions = list(regions_with_counts())
        return regions if len(regions) > 1 else []
    return remember(("regions_to_choose",), compute, size=lambda regions: 200 * len(regions))


def department_regions() -> dict[str, str]:
    """{department code: its region's code} of every active department, kept per catalog version (the
    search page checks a department filter against the chosen region on every request)."""
    return remember(("department_regions",), lambda: dict(
        Department.objects.filter(is_active=True).values_list("code", "region__code")),
        size=lambda regions: 60 * len(regions))


def search_region_and_department(region_code: str, department_code: str) -> tuple[str, str]:
    """The (region, department) a catalog search filters by. A department implies its region (a link
    from the departments page names the department only); a department outside the chosen region is
    dropped, as the region was changed after it was chosen. An unknown department is kept (it finds
    nothing), so is an unknown region."""
    if not department_code:
        return region_code, ""
    department_region = department_regions().get(department_code)
    if department_region is None:
        return region_code, department_code
    if region_code and region_code != department_region:
        return region_code, ""
    return department_region, department_code


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


class BundleCounts(TypedDict):
    item_count: int


def bundles() -> QuerySet[WithAnnotations[Bundle, BundleCounts]]:
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


def published_notice(code: str) -> OneTimeNotice:
    """The one-time notice of public item `code`, kept in process under the catalog's version (the
    API and the PDF read it on every request). NotFound like `get_item`."""
    return remember(("notice", code), lambda: one_time_notice(get_item(code)))


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


def visit_distribution(summary: dict[str, int]) -> dict[str, int]:
    """Split a reform summary's counts into zero-run, run at most once (exactly one visit) and more."""
    return {
        "zero": summary["zero_visit"],
        "once": summary["at_most_one_visit"] - summary["zero_visit"],
        "more": summary["items"] - summary["at_most_one_visit"],
        "total": summary["items"],
    }


def item_audiences(item_ids: Iterable[int] | None = None) -> dict[int, frozenset[str]]:
    """Who applies for each item, as the catalog says it: the audiences (服务对象: "person" /
    "enterprise") of the life events the item is listed under. An item under no life event is absent:
    the catalog does not say."""
    rows = Item.life_events.through.objects.values_list("item_id", "lifeevent__audience")
    if item_ids is not None:
        rows = rows.filter(item_id__in=list(item_ids))
    audiences: dict[int, set[str]] = {}
    for item_id, audience in rows:
        audiences.setdefault(item_id, set()).add(audience)
    return {item_id: frozenset(found) for item_id, found in audiences.items()}


def committed_procedures(item: Item) -> list[ItemProcedure]:
    """The special procedures the item commits to in advance, with their limits (catalog.ItemProcedure)."""
    return list(ItemProcedure.objects.filter(item=item).order_by("kind"))


def committed_procedure_days(item_id: int, kind: str) -> int | None:
    """The item's committed limit for one kind of special procedure, or None when it does not list it."""
    return ItemProcedure.objects.filter(item_id=item_id, kind=kind).values_list("limit_days", flat=True).first()
