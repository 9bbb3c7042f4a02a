"""Which service centres may accept which item: the four levels and 就近办 (items delegated downwards).

The rule, in one place (`may_accept`):

1. An explicit entry for the centre and the item (`CentreAcceptance`) decides: `accepts=True` lets a
   centre take an item not delegated to its level (a pilot township whose police station sits in the
   centre), `accepts=False` stops a centre taking one that is (a township without the staff yet).
2. Otherwise the level decides: a centre accepts the item when its level is at or above the item's
   `delegated_down_to` — city and county centres take every item (one-window intake of the whole
   catalog, the default `delegated_down_to` = county), a township centre only items delegated to
   township or village level, a village point only items delegated to the village.

This is the reform practice of pushing high-frequency items down to township and village centres so
people can do them near home (就近办; the four-level system of city, county, township and village
centres in 国务院关于加快推进政务服务标准化规范化便利化的指导意见, 国发〔2022〕5号).
Regions are not part of the rule: a county's centre is not refused an item of a neighbouring county
(跨域通办); the public list of where to go shows the centres of the item's own region.

Intake checks the rule on every submission (`require_centre_may_accept`, called by
cases.submission.prepare_submission) without a database statement: the item's level comes with the
item row and its explicit entries from the item cache (catalog/item_cache.py), keyed by the item's
`updated_at`, which `set_centre_acceptance` renews in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs.models import CentreLevel, ServiceCentre, User

from . import item_cache
from .models import CentreAcceptance, Item

# Digits of a 12-digit statistical division code that name a region of each level (province 2, city 4,
# county 6, township 9, village 12): a region's subtree is the codes that share that prefix.
_CODE_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}
LEVEL_NAMES = {"city": CentreLevel.CITY, "county": CentreLevel.COUNTY, "township": CentreLevel.TOWNSHIP,
               "village": CentreLevel.VILLAGE}


def may_accept(centre: ServiceCentre, item: Item, *, exceptions: Mapping[int, bool] | None = None) -> bool:
    """Whether `centre` may accept `item` (the rule in the module's docstring). `exceptions` are the
    item's explicit entries {centre id: accepts}; read from the item cache when not given."""
    if exceptions is None:
        exceptions = item_cache.centre_exceptions(item)
    explicit = exceptions.get(centre.pk)
    if explicit is not None:
        return explicit
    return centre.level <= item.delegated_down_to


@dataclass(frozen=True)
class AcceptingCentre:
    """A centre where an item can be handled, as the public notice lists it."""

    code: str
    name: str
    level: int
    level_label: str
    region_name: str
    address: str
    opening_hours: str
    phone: str
    weekend_service: bool
    explicit: bool
    """Listed by an explicit entry rather than by the level rule."""


def _in_region(centre_region_code: str, region_code: str, region_level: int) -> bool:
    digits = _CODE_DIGITS.get(region_level, 12)
    return centre_region_code[:digits] == region_code[:digits]


def accepting_centres(item: Item, *, region_scoped: bool = True) -> list[AcceptingCentre]:
    """The centres that may accept `item`, county level first, then townships and villages by code.
    With `region_scoped` only those inside the region of the item's department (what the public is
    shown: a province-wide installation would otherwise list every township of the province)."""
    exceptions = dict(CentreAcceptance.objects.filter(item=item).values_list("centre_id", "accepts"))
    department_region = item.department.region
    rows = []
    for centre in ServiceCentre.objects.select_related("region").order_by("level", "code"):
        if region_scoped and not _in_region(centre.region.code, department_region.code, department_region.level):
            continue
        if not may_accept(centre, item, exceptions=exceptions):
            continue
        rows.append(AcceptingCentre(
            code=centre.code, name=centre.name, level=centre.level, level_label=str(centre.get_level_display()),
            region_name=centre.region.name,
            address=centre.address, opening_hours=centre.opening_hours, phone=centre.phone,
            weekend_service=centre.weekend_service, explicit=centre.pk in exceptions))
    return rows


def accepting_centre_ids() -> dict[int, frozenset[int]]:
    """{item id: ids of the centres that may accept it} for the whole catalog, by the same rule, in two
    queries (for bulk writers such as the sample history, which must not place a case where it could
    not have been submitted)."""
    centres = list(ServiceCentre.objects.values_list("id", "level"))
    explicit: dict[int, dict[int, bool]] = {}
    for item_id, centre_id, accepts in CentreAcceptance.objects.values_list("item_id", "centre_id", "accepts"):
        explicit.setdefault(item_id, {})[centre_id] = accepts
    result = {}
    for item_id, lowest in Item.objects.values_list("id", "delegated_down_to"):
        own = explicit.get(item_id, {})
        result[item_id] = frozenset(centre_id for centre_id, level in centres
                                    if own.get(centre_id, level <= lowest))
    return result


def nearest_centre(centres: list[AcceptingCentre], address: str) -> AcceptingCentre | None:
    """Of the centres that accept an item, the one nearest an applicant: the lowest-level centre whose
    region's name is in their address (江平镇 in "东兴市江平镇万尾村…" picks 江平镇便民服务中心 over the
    county centre; 万尾村 the village point). None when the address names none of them."""
    matches = [centre for centre in centres if centre.region_name and centre.region_name in (address or "")]
    return max(matches, key=lambda centre: centre.level, default=None)


def require_centre_may_accept(centre: ServiceCentre, item: Item) -> None:
    """ValidationError (field `centre`) when `centre` may not accept `item`, naming where it can be
    handled. Costs no database statement when the centre may (the item cache answers); the refusal
    reads the centres to name them."""
    if may_accept(centre, item):
        return
    where = accepting_centres(item) or accepting_centres(item, region_scoped=False)
    places = "、".join(f"{c.name}（{c.address}）" if c.address else c.name for c in where[:6])
    if len(where) > 6:
        places += _("等 %(n)s 个中心") % {"n": len(where)}
    raise ValidationError(
        _("%(centre)s不受理“%(item)s”。该事项可在：%(places)s 办理。") % {
            "centre": centre.name, "item": item.name, "places": places or _("（暂无中心受理）")},
        field="centre")


def level_by_name(name: str) -> int:
    """A level given as city / county / township / village (or 2–5), for the command line."""
    value = (name or "").strip().lower()
    if value in LEVEL_NAMES:
        return int(LEVEL_NAMES[value])
    if value.isdigit() and int(value) in CentreLevel.values:
        return int(value)
    raise ValidationError(_("层级“%(v)s”无效，可选：%(all)s") % {"v": name, "all": ", ".join(LEVEL_NAMES)},
                          field="level")


@transaction.atomic
def set_centre_acceptance(*, item: Item, centre: ServiceCentre, accepts: bool | None, note: str = "",
                          actor: User | None = None) -> CentreAcceptance | None:
    """Make `centre` an exception for `item` (`accepts` True or False), or remove its exception
    (`accepts` None: the level rule applies again). The item's `updated_at` is renewed in the same
    transaction, so intake's item cache, keyed by it, sees the change at once in every process; the
    change is recorded on the item's audit chain."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    before = CentreAcceptance.objects.filter(item=item, centre=centre).first()
    if accepts is None:
        if before is None:
            return None
        before.delete()
        row = None
    else:
        row, _created = CentreAcceptance.objects.update_or_create(
            item=item, centre=centre, defaults={"accepts": accepts, "note": (note or "").strip()[:200]})
    item.updated_at = timezone.now()
    item.save(update_fields=["updated_at"])  # a new cache key, and a new catalog version (post_save)
    audit.record(chain_key=f"item:{item.code}", action="onewindow.item.centre_acceptance_changed",
                 actor=actor if getattr(actor, "pk", None) else None, from_state=item.status, to_state=item.status,
                 data={"centre": centre.code, "before": None if before is None else before.accepts,
                       "after": accepts, "note": note})
    return row


def item_by_code(code: str) -> Item:
    """Any item by its code (drafts too: an administrator may configure an item before publishing it)."""
    item = Item.objects.select_related("department__region").filter(code=(code or "").strip()).first()
    if item is None:
        raise NotFound(_("没有编码为 %(code)s 的事项") % {"code": code}, field="item")
    return item


def centre_by_code(code: str) -> ServiceCentre:
    centre = ServiceCentre.objects.filter(code=(code or "").strip()).first()
    if centre is None:
        raise NotFound(_("没有编码为 %(code)s 的政务服务中心") % {"code": code}, field="centre")
    return centre
