"""An item as plain data: the shape of one entry of the catalog file (notes/catalog_format.md), used
alike for import, export, the ItemVersion snapshot and the field-level diff of announcements.

`item_to_data` reads an Item (with its materials and stages) into that shape; `normalise` turns loose
input (YAML, a spreadsheet row, an admin form) into it, collecting every value it cannot read as a
problem instead of stopping at the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from .models import Item, Material, Stage

# One item, or one of its materials or stages, in the catalog-file shape: JSON-like values by key.
ItemData = dict[str, Any]

CHANNELS = ["window", "online", "post", "self_service"]  # -> Item.channel_<name>

ITEM_FIELDS = [
    "code", "name", "kind", "level", "handling_type", "parent", "department", "region_level", "legal_basis",
    "legal_limit_days", "committed_limit_days", "limit_unit", "is_immediate", "is_joint", "extension_days", "max_visits",
    "visit_reason", "online_depth", "has_fee", "fee_description", "fee_amount", "online_payment", "channels",
    "offers_post_delivery", "location", "opening_hours", "phone", "conditions", "result_name",
    "result_certificate_type", "instant_approval_rules", "life_events", "weekend_service", "delegated_down_to",
    "status", "source_id",
]
MATERIAL_FIELDS = ["name", "source", "required", "condition", "form", "copies", "original_required", "waivable",
                   "waiver_term_days", "certificate_type", "note"]
STAGE_FIELDS = ["step", "kind", "name", "limit_days", "department"]

_STR_FIELDS = {"code", "name", "kind", "level", "handling_type", "legal_basis", "visit_reason", "fee_description",
               "location", "opening_hours", "phone", "conditions", "result_name", "result_certificate_type",
               "status", "source_id"}
_INT_FIELDS = {"region_level", "legal_limit_days", "committed_limit_days", "extension_days", "max_visits",
               "online_depth", "delegated_down_to"}
_BOOL_FIELDS = {"is_immediate", "is_joint", "has_fee", "online_payment", "offers_post_delivery",
                "weekend_service"}
_MATERIAL_BOOLS = {"required", "original_required", "waivable"}
_LIST_SPLIT = re.compile(r"[；;,，、\s]+")
# A spreadsheet or another system may name the unit in Chinese.
UNIT_ALIASES = {"工作日": "working", "自然日": "natural", "日": "natural", "天": "natural"}


@dataclass(frozen=True)
class Problem:
    """One reason an item cannot be taken: the field at fault (dotted path such as
    `materials[2].condition`) and a sentence in Chinese."""

    field: str
    message: str

    def __str__(self):
        return f"{self.field}: {self.message}"


def _model_default(model, name):
    return model._meta.get_field(name).get_default()


def defaults() -> ItemData:
    """An empty item with the model defaults, in data shape."""
    data: ItemData = {}
    for name in ITEM_FIELDS:
        if name in ("parent",):
            data[name] = None
        elif name == "department":
            data[name] = ""
        elif name == "channels":
            data[name] = [c for c in CHANNELS if _model_default(Item, f"channel_{c}")]
        elif name in ("life_events", "instant_approval_rules"):
            data[name] = []
        elif name == "fee_amount":
            data[name] = "0.00"
        elif name in ("legal_limit_days", "committed_limit_days"):
            data[name] = None
        else:
            data[name] = _model_default(Item, name)
    data["materials"] = []
    data["stages"] = []
    return data


def item_to_data(item: Item) -> ItemData:
    """The item with its materials and stages, in the catalog-file shape (JSON-safe)."""
    data: ItemData = {}
    for name in ITEM_FIELDS:
        if name == "parent":
            data[name] = item.parent.code if item.parent is not None else None
        elif name == "department":
            data[name] = item.department.code
        elif name == "channels":
            data[name] = [c for c in CHANNELS if getattr(item, f"channel_{c}")]
        elif name == "life_events":
            data[name] = sorted(le.code for le in item.life_events.all()) if item.pk else []
        elif name == "fee_amount":
            data[name] = f"{Decimal(item.fee_amount or 0):.2f}"
        else:
            data[name] = getattr(item, name)
    materials = item.materials.order_by("order", "id") if item.pk else Material.objects.none()
    data["materials"] = [{f: getattr(m, f) for f in MATERIAL_FIELDS} for m in materials]
    stages = item.stages.select_related("department").order_by("step", "id") if item.pk else Stage.objects.none()
    data["stages"] = [{"step": s.step, "kind": s.kind, "name": s.name, "limit_days": s.limit_days,
                       "department": s.department.code} for s in stages]
    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def parse_bool(value, default=False):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "yes", "y", "1", "是", "t", "√"):
        return True
    if text in ("false", "no", "n", "0", "否", "f", "×"):
        return False
    raise ValueError(text)


def split_list(value) -> list[str]:
    """A list from YAML, or a `；`/comma-separated cell."""
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part for part in _LIST_SPLIT.split(str(value).strip()) if part]


def _int(value, field, problems, *, default=None):
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        problems.append(Problem(field, _("应为整数")))
        return default
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        problems.append(Problem(field, _("应为整数，收到“%(v)s”") % {"v": value}))
        return default
    if number != number.to_integral_value():
        problems.append(Problem(field, _("应为整数，收到“%(v)s”") % {"v": value}))
        return default
    if number < 0:
        problems.append(Problem(field, _("不能为负数")))
        return default
    return int(number)


def _bool(value, field, problems, *, default=False):
    try:
        return parse_bool(value, default)
    except ValueError:
        problems.append(Problem(field, _("应为“是”或“否”，收到“%(v)s”") % {"v": value}))
        return default


def _str(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def normalise(raw: dict, *, base: dict | None = None) -> tuple[dict, list[Problem]]:
    """Loose input -> data shape. Keys missing from `raw` keep their value in `base` (the item as it
    is, for a partial update) or the model default. Unknown keys are refused so a typo in a file is
    not silently dropped."""
    problems: list[Problem] = []
    data = json.loads(json.dumps(base)) if base is not None else defaults()
    known = set(ITEM_FIELDS) | {"materials", "stages"}
    for key in raw:
        if key not in known:
            problems.append(Problem(str(key), _("未知字段")))
    for name in ITEM_FIELDS:
        if name not in raw:
            continue
        value = raw[name]
        if name == "limit_unit":
            data[name] = UNIT_ALIASES.get(_str(value), _str(value).lower()) or data.get(name) or "working"
        elif name in _STR_FIELDS:
            data[name] = _str(value)
        elif name in _INT_FIELDS:
            data[name] = _int(value, name, problems, default=data.get(name))
        elif name in _BOOL_FIELDS:
            data[name] = _bool(value, name, problems, default=bool(data.get(name)))
        elif name in ("parent",):
            data[name] = _str(value) or None
        elif name == "department":
            data[name] = _str(getattr(value, "code", value))
        elif name == "channels":
            data[name] = [c for c in CHANNELS if c in split_list(value)]
            for extra in set(split_list(value)) - set(CHANNELS):
                problems.append(Problem("channels", _("未知的办理渠道“%(c)s”，可选：%(all)s")
                                        % {"c": extra, "all": ", ".join(CHANNELS)}))
        elif name == "life_events":
            data[name] = sorted(set(split_list(value)))
        elif name == "fee_amount":
            try:
                data[name] = f"{Decimal(_str(value) or '0'):.2f}"
            except InvalidOperation:
                problems.append(Problem(name, _("应为金额，收到“%(v)s”") % {"v": value}))
        elif name == "instant_approval_rules":
            if isinstance(value, str):
                try:
                    value = json.loads(value) if value.strip() else []
                except ValueError:
                    problems.append(Problem(name, _("应为 JSON 列表")))
                    value = []
            data[name] = value if value is not None else []
    if "materials" in raw:
        data["materials"] = [_material(m, f"materials[{i}]", problems) for i, m in enumerate(raw["materials"] or [])]
    if "stages" in raw:
        data["stages"] = [_stage(s, f"stages[{i}]", problems) for i, s in enumerate(raw["stages"] or [])]
    return data, problems


def _material(raw, path, problems) -> dict:
    if not isinstance(raw, dict):
        problems.append(Problem(path, _("应为一条材料（键值对）")))
        return {f: _model_default(Material, f) for f in MATERIAL_FIELDS}
    for key in raw:
        if key not in MATERIAL_FIELDS:
            problems.append(Problem(f"{path}.{key}", _("未知字段")))
    out = {}
    for f in MATERIAL_FIELDS:
        default = _model_default(Material, f)
        value = raw.get(f)
        if f in _MATERIAL_BOOLS:
            out[f] = _bool(value, f"{path}.{f}", problems, default=default)
        elif f in ("copies", "waiver_term_days"):
            out[f] = _int(value, f"{path}.{f}", problems, default=default)
        else:
            out[f] = _str(value) or default
    return out


def _stage(raw, path, problems) -> dict:
    if not isinstance(raw, dict):
        problems.append(Problem(path, _("应为一个环节（键值对）")))
        return {"step": None, "kind": "", "name": "", "limit_days": 0, "department": ""}
    for key in raw:
        if key not in STAGE_FIELDS:
            problems.append(Problem(f"{path}.{key}", _("未知字段")))
    return {
        "step": _int(raw.get("step"), f"{path}.step", problems),
        "kind": _str(raw.get("kind")),
        "name": _str(raw.get("name")),
        "limit_days": _int(raw.get("limit_days"), f"{path}.limit_days", problems, default=0),
        "department": _str(getattr(raw.get("department"), "code", raw.get("department"))),
    }


def field_label(name: str) -> str:
    """The Chinese label of a data key, from the model's verbose names."""
    extra = {"channels": _("办理渠道"), "materials": _("申请材料"), "stages": _("办理环节"),
             "life_events": _("主题"), "parent": _("上级事项"), "department": _("实施主体")}
    if name in extra:
        return str(extra[name])
    try:
        field = Item._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a key that is not a model field keeps its name
        return name
    return str(getattr(field, "verbose_name", name))  # a reverse relation has none
