"""The YAML catalog file (notes/catalog_format.md): build the document from the database, write it,
and parse it into entries located by item index and code."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import yaml
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from .io import FORMAT_TAG, Entry, ParsedCatalog, progress
from .itemdata import item_to_data
from .models import Bundle, Item, ItemLevel, LifeEvent

# libyaml's C loader and dumper when present: the pure-Python ones take seconds on a full catalog.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _number(text: str):
    amount = Decimal(text)
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def catalog_document(queryset=None) -> dict:
    """Life events, items (parents before children) and bundles, in the catalog-file shape."""
    items = (queryset if queryset is not None else Item.objects.all()).select_related("department", "parent")
    items = items.annotate(level_rank=Case(
        When(level=ItemLevel.MAIN, then=Value(0)), When(level=ItemLevel.SUB, then=Value(1)),
        default=Value(2), output_field=IntegerField())).order_by("level_rank", "code")
    total = items.count()
    documents = []
    for item in progress(items.iterator(chunk_size=500), total=total, desc="export"):
        data = item_to_data(item)
        data["fee_amount"] = _number(data["fee_amount"])
        documents.append(data)
    return {
        "format": FORMAT_TAG,
        "life_events": [{"code": e.code, "name": e.name, "audience": e.audience, "order": e.order}
                        for e in LifeEvent.objects.order_by("audience", "order", "code")],
        "items": documents,
        "bundles": [{"code": b.code, "name": b.name, "description": b.description,
                     "life_event": b.life_event.code if b.life_event is not None else None,
                     "items": list(b.bundle_items.order_by("order").values_list("item__code", flat=True)),
                     "is_active": b.is_active}
                    for b in Bundle.objects.select_related("life_event").order_by("code")],
    }


def write_yaml(path: Path, document: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        yaml.dump(document, fh, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def parse_yaml(path: Path) -> ParsedCatalog:
    parsed = ParsedCatalog(format="yaml")
    try:
        with open(path, encoding="utf-8") as fh:
            document = yaml.load(fh, Loader=_Loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        parsed.errors.append(_("%(p)s：不是有效的 YAML 文件：%(e)s") % {"p": path.name, "e": str(exc).splitlines()[0]})
        return parsed
    if not isinstance(document, dict):
        parsed.errors.append(_("%(p)s：顶层应为键值对（format、life_events、items、bundles）") % {"p": path.name})
        return parsed
    if document.get("format") not in (None, FORMAT_TAG):
        parsed.errors.append(_("format：应为 %(f)s，收到“%(v)s”") % {"f": FORMAT_TAG, "v": document.get("format")})
    for key in set(document) - {"format", "life_events", "items", "bundles"}:
        parsed.errors.append(_("%(k)s：未知的顶层键") % {"k": key})
    for i, raw in enumerate(document.get("life_events") or []):
        location = f"life_events[{i}]"
        if isinstance(raw, dict):
            parsed.life_events.append((location, raw))
        else:
            parsed.errors.append(_("%(l)s：应为键值对") % {"l": location})
    for i, raw in enumerate(document.get("items") or []):
        if not isinstance(raw, dict):
            parsed.errors.append(_("items[%(i)s]：应为键值对") % {"i": i})
            continue
        parsed.items.append(Entry(location=f"items[{i}] ({raw.get('code') or _('无编码')})", data=raw))
    for i, raw in enumerate(document.get("bundles") or []):
        location = f"bundles[{i}] ({raw.get('code') if isinstance(raw, dict) else ''})"
        if not isinstance(raw, dict):
            parsed.errors.append(_("%(l)s：应为键值对") % {"l": location})
            continue
        raw = dict(raw)
        raw["items"] = [str(c) for c in raw.get("items") or []]
        parsed.bundles.append((location, raw))
    return parsed
