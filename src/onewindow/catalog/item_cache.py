"""A public item for intake, with its list of materials kept in process between requests.

Every submission needs the item (status, channels, limits, instant-approval rules) and its materials.
The item row is read each time, so a suspension or any other change is seen at once; the materials
come from a small in-process cache keyed by the item's id, version and `updated_at`. That key is safe:
materials change only through catalog.services (update_item and the set_* wrappers), which save the
item with its version bumped (and `updated_at` renewed, auto_now) in the same transaction, so a new
list always comes with a new key and every server process sees the new key as soon as it reads the
item row. (A material's sample file and blank form are uploaded without a new version; intake does
not use them.) Stages and life events, which intake does not need, are not loaded.

The centres that are exceptions to the item's level rule (catalog/centres.py) are kept the same way:
catalog.centres.set_centre_acceptance renews the item's `updated_at` in the transaction that writes them.

The materials handed out are shared between requests and threads: callers read them and point new
rows at them, never change them."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

from django.utils.translation import gettext as _

from onewindow.core import fastsql
from onewindow.core.errors import NotFound

from .models import CentreAcceptance, Item, Material, Stage
from .notices import PUBLIC_STATUSES

CACHED_ITEMS = 512
# Read on every submission: compiled once (core/fastsql.py), with the department joined.
_STAGES = fastsql.Select(Stage, "{item} = %s", related=("department",), order_by=("step", "id"))
_PUBLIC_ITEM = fastsql.Select(Item, "{code} = %s AND {status} IN (%s, %s, %s)", order_by=("id",), limit=1,
                              related=("department",))


@lru_cache(maxsize=CACHED_ITEMS)
def _materials(item_id: int, version: int, updated_at) -> tuple[Material, ...]:
    return tuple(Material.objects.filter(item_id=item_id).order_by("order", "id"))


@lru_cache(maxsize=CACHED_ITEMS)
def _centre_exceptions(item_id: int, version: int, updated_at) -> Mapping[int, bool]:
    return MappingProxyType(dict(CentreAcceptance.objects.filter(item_id=item_id).values_list("centre_id", "accepts")))


def centre_exceptions(item: Item) -> Mapping[int, bool]:
    """{centre id: accepts} of the item's explicit centre entries, from the cache (a query only the first
    time an item's version is seen in this process)."""
    return _centre_exceptions(item.pk, item.version, item.updated_at)


def forget() -> None:
    """Drop every cached list (tests whose rolled-back items may come back under the same id)."""
    _materials.cache_clear()
    _centre_exceptions.cache_clear()


def item_for_intake(code: str) -> Item:
    """The public item `code` (active, suspended or abolished: the caller checks which may be applied
    for) with `item.materials.all()` answered from the cache. NotFound like catalog.selectors.get_item."""
    item = _PUBLIC_ITEM.first([code, *PUBLIC_STATUSES])
    if item is None:
        raise NotFound(_("没有找到编码为 %(code)s 的事项，可能编码有误或尚未公布。") % {"code": code},
                       field="code")
    materials = item.materials.all()  # lazy: no query; filled from the cache as a prefetch would be
    materials._result_cache = list(_materials(item.pk, item.version, item.updated_at))
    materials._prefetch_done = True
    item._prefetched_objects_cache = {"materials": materials}
    return item


def stages_of(item_id: int) -> list[Stage]:
    """The item's stages in order with their departments (what acceptance turns into tasks), read
    fresh each time — a department renamed since must show its new name — by a statement compiled once."""
    return _STAGES.all([item_id])
