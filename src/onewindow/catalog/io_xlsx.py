"""The catalog as an XLSX workbook: sheets items, materials (item_code column), stages (item_code),
bundles and life_events; the first row of each holds the field names of the catalog file; lists
(channels, life_events, a bundle's items) are `；`-separated; instant_approval_rules is JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.utils.translation import gettext as _

from .io import Entry, ParsedCatalog, progress
from .itemdata import ITEM_FIELDS, MATERIAL_FIELDS, STAGE_FIELDS, split_list

SHEETS = {
    "items": ITEM_FIELDS,
    "materials": ["item_code", *MATERIAL_FIELDS],
    "stages": ["item_code", *STAGE_FIELDS],
    "bundles": ["code", "name", "description", "life_event", "items", "is_active"],
    "life_events": ["code", "name", "audience", "order"],
}
_INDEX = re.compile(r"^(materials|stages)\[(\d+)\]")


def _cell(value):
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return json.dumps(value, ensure_ascii=False)
        return "；".join(str(v) for v in value)
    return "" if value is None else value


def write_xlsx(path: Path, document: dict) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    sheets = {name: wb.create_sheet(name) for name in SHEETS}
    for name, columns in SHEETS.items():
        sheets[name].append(columns)
    for event in document["life_events"]:
        sheets["life_events"].append([_cell(event.get(c)) for c in SHEETS["life_events"]])
    for item in document["items"]:
        row = [_cell(item.get(c)) for c in ITEM_FIELDS]
        row[ITEM_FIELDS.index("instant_approval_rules")] = json.dumps(item["instant_approval_rules"], ensure_ascii=False)
        sheets["items"].append(row)
        for m in item["materials"]:
            sheets["materials"].append([item["code"], *(_cell(m.get(c)) for c in MATERIAL_FIELDS)])
        for s in item["stages"]:
            sheets["stages"].append([item["code"], *(_cell(s.get(c)) for c in STAGE_FIELDS)])
    for bundle in document["bundles"]:
        sheets["bundles"].append([_cell(bundle.get(c)) for c in SHEETS["bundles"]])
    wb.save(path)


def _rows(ws, sheet: str, errors: list[str]):
    """(row number, {header: value}) for every non-empty row below the header."""
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        return
    header = [str(h).strip() if h is not None else "" for h in header]
    allowed = set(SHEETS[sheet])
    for h in header:
        if h and h not in allowed:
            errors.append(_("%(s)s 表第 1 行：未知列“%(h)s”") % {"s": sheet, "h": h})
    for number, values in enumerate(rows, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        yield number, {h: v for h, v in zip(header, values, strict=False) if h in allowed}


def parse_xlsx(path: Path) -> ParsedCatalog:
    from openpyxl import load_workbook

    parsed = ParsedCatalog(format="xlsx")
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        parsed.errors.append(_("%(p)s：无法读取 XLSX 文件：%(e)s") % {"p": path.name, "e": exc})
        return parsed
    if "items" not in wb.sheetnames:
        parsed.errors.append(_("%(p)s：缺少 items 工作表") % {"p": path.name})
        return parsed
    for name in wb.sheetnames:
        if name not in SHEETS:
            parsed.errors.append(_("未知工作表“%(s)s”，可用：%(all)s") % {"s": name, "all": "、".join(SHEETS)})

    items: dict[str, Entry] = {}
    sub_rows: dict[str, dict[str, list[int]]] = {}
    item_rows = list(_rows(wb["items"], "items", parsed.errors))
    for number, row in progress(item_rows, total=len(item_rows), desc="read"):
        code = str(row.get("code") or "").strip()
        row = {k: v for k, v in row.items() if v is not None}
        row.setdefault("code", code)
        row["materials"], row["stages"] = [], []
        location = f"items 第{number}行 ({code or _('无编码')})"
        entry = Entry(location=location, data=row)
        rows_of = sub_rows.setdefault(code, {"materials": [], "stages": []})
        entry.locate = _locator(location, rows_of)
        parsed.items.append(entry)
        items.setdefault(code, entry)
    for sheet in ("materials", "stages"):
        if sheet not in wb.sheetnames:
            continue
        for number, row in _rows(wb[sheet], sheet, parsed.errors):
            code = str(row.pop("item_code", "") or "").strip()
            if code not in items:
                parsed.row_errors.append((_("%(s)s 表第%(n)s行") % {"s": sheet, "n": number},
                                          _("item_code：事项“%(c)s”不在 items 表中") % {"c": code}))
                continue
            items[code].data[sheet].append({k: v for k, v in row.items() if v is not None})
            sub_rows[code][sheet].append(number)
    if "life_events" in wb.sheetnames:
        for number, row in _rows(wb["life_events"], "life_events", parsed.errors):
            parsed.life_events.append((f"life_events 第{number}行", row))
    if "bundles" in wb.sheetnames:
        for number, row in _rows(wb["bundles"], "bundles", parsed.errors):
            row["items"] = split_list(row.get("items"))
            row["is_active"] = row.get("is_active") not in (False, "FALSE", "false", "否", 0)
            parsed.bundles.append((f"bundles 第{number}行 ({row.get('code')})", row))
    wb.close()
    return parsed


def _locator(location: str, rows_of: dict[str, list[int]]):
    def locate(field_path: str) -> str:
        match = _INDEX.match(field_path)
        if match:
            sheet, index = match.group(1), int(match.group(2))
            if index < len(rows_of[sheet]):
                return f"{sheet} 第{rows_of[sheet][index]}行 ({location})"
        return location

    return locate
