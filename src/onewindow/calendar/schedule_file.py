"""Reading a year's holiday schedule from a file (YAML or CSV) for `onewindow workdays import FILE`.

YAML (see examples/2027.yaml)::

    year: 2027
    official: true                     # false: a provisional schedule
    source_notice: 国务院办公厅关于2027年部分节假日安排的通知
    announced_on: 2026-11-10           # optional
    holidays:                          # 放假: a period (from/to, both included), one date, or dates
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
    makeup_workdays:                   # 调休上班: Saturdays or Sundays that are working days
      - {name: 春节, dates: [2027-02-07, 2027-02-20]}

CSV (UTF-8, a header row ``date,kind,name``; kind is holiday/放假 or makeup_workday/调休上班/上班;
optional leading comment lines ``# year: 2027``, ``# official: true``, ``# source_notice: …``,
``# announced_on: 2026-11-10``)::

    # source_notice: 国务院办公厅关于2027年部分节假日安排的通知
    date,kind,name
    2027-01-01,holiday,元旦

The year defaults to the year of the dates. Errors name the entry (``holidays[2].to``, ``line 5``).
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

from .models import DayKind

KIND_WORDS = {
    "holiday": DayKind.HOLIDAY.value, "放假": DayKind.HOLIDAY.value, "休": DayKind.HOLIDAY.value,
    "makeup_workday": DayKind.MAKEUP_WORKDAY.value, "调休上班": DayKind.MAKEUP_WORKDAY.value,
    "上班": DayKind.MAKEUP_WORKDAY.value, "班": DayKind.MAKEUP_WORKDAY.value,
}
MAX_PERIOD_DAYS = 15


class _StringDatesLoader(yaml.SafeLoader):
    """SafeLoader that leaves dates as text, so 2027-02-30 becomes our clear error, not a crash."""


_StringDatesLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _date(value, field: str) -> date:
    text = str(value).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValidationError(_("%(value)s 不是 YYYY-MM-DD 格式的日期") % {"value": text}, field=field)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValidationError(_("%(value)s 不是有效日期（没有这一天）") % {"value": text}, field=field) from None


def _bool(value, field: str) -> bool:
    text = str(value).strip().lower()
    if text in ("true", "yes", "1", "是", "正式"):
        return True
    if text in ("false", "no", "0", "否", "暂定"):
        return False
    raise ValidationError(_("%(value)s 应为 true 或 false") % {"value": value}, field=field)


def _entries(section, name: str, kind: str) -> list[tuple[date, str, str]]:
    if section is None:
        return []
    if not isinstance(section, list):
        raise ValidationError(_("%(name)s 应为列表") % {"name": name}, field=name)
    days: list[tuple[date, str, str]] = []
    for i, entry in enumerate(section):
        where = f"{name}[{i}]"
        if not isinstance(entry, dict):
            raise ValidationError(_("%(where)s 应包含 name 和 date、dates 或 from/to") % {"where": where}, field=where)
        label = str(entry.get("name") or "").strip()
        if "from" in entry or "to" in entry:
            start, end = _date(entry.get("from"), f"{where}.from"), _date(entry.get("to"), f"{where}.to")
            if end < start or (end - start).days >= MAX_PERIOD_DAYS:
                raise ValidationError(_("%(where)s 的起止日期不合理：%(start)s 至 %(end)s") % {
                    "where": where, "start": start, "end": end}, field=f"{where}.to")
            dates = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        elif "date" in entry:
            dates = [_date(entry["date"], f"{where}.date")]
        elif "dates" in entry and isinstance(entry["dates"], list):
            dates = [_date(v, f"{where}.dates[{j}]") for j, v in enumerate(entry["dates"])]
        else:
            raise ValidationError(_("%(where)s 缺少 date、dates 或 from/to") % {"where": where}, field=where)
        days.extend((d, kind, label) for d in dates)
    return days


def _from_yaml(text: str) -> dict:
    try:
        data = yaml.load(text, Loader=_StringDatesLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ValidationError(_("YAML 格式错误：%(error)s") % {"error": str(exc).splitlines()[0]}, field="file") from None
    if not isinstance(data, dict):
        raise ValidationError(_("文件应为一个包含 year、holidays 等键的映射"), field="file")
    unknown = set(data) - {"year", "official", "source_notice", "announced_on", "holidays", "makeup_workdays"}
    if unknown:
        raise ValidationError(_("不认识的键：%(keys)s") % {"keys": ", ".join(sorted(map(str, unknown)))},
                              field=sorted(map(str, unknown))[0])
    days = (_entries(data.get("holidays"), "holidays", DayKind.HOLIDAY.value)
            + _entries(data.get("makeup_workdays"), "makeup_workdays", DayKind.MAKEUP_WORKDAY.value))
    return {"year": data.get("year"), "official": data.get("official"), "source_notice": data.get("source_notice"),
            "announced_on": data.get("announced_on"), "days": days}


def _from_csv(text: str) -> dict:
    meta: dict[str, str] = {}
    body = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            match = re.match(r"#\s*(year|official|source_notice|announced_on)\s*:\s*(.*)$", stripped)
            if match:
                meta[match.group(1)] = match.group(2).strip()
            body.append("")  # keep line numbers
        else:
            body.append(line)
    reader = csv.reader(io.StringIO("\n".join(body)))
    days, header_seen = [], False
    for line_no, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip():
            continue
        cells = [c.strip() for c in row]
        if not header_seen:
            if [c.lower() for c in cells[:3]] != ["date", "kind", "name"]:
                raise ValidationError(_("第 %(n)s 行应为表头 date,kind,name") % {"n": line_no}, field=f"line {line_no}")
            header_seen = True
            continue
        if len(cells) < 2:
            raise ValidationError(_("第 %(n)s 行应有 date,kind,name 三列") % {"n": line_no}, field=f"line {line_no}")
        kind = KIND_WORDS.get(cells[1].lower() if cells[1].isascii() else cells[1])
        if kind is None:
            raise ValidationError(_("第 %(n)s 行的类别 %(kind)s 无效（holiday 放假 或 makeup_workday 调休上班）")
                                  % {"n": line_no, "kind": cells[1]}, field=f"line {line_no}")
        days.append((_date(cells[0], f"line {line_no}"), kind, cells[2] if len(cells) > 2 else ""))
    if not header_seen:
        raise ValidationError(_("文件为空：缺少表头 date,kind,name"), field="file")
    return {"year": meta.get("year"), "official": meta.get("official"), "source_notice": meta.get("source_notice"),
            "announced_on": meta.get("announced_on"), "days": days}


def read_schedule(path: str | Path) -> dict:
    """Return the keyword arguments of services.import_year (without actor) read from a YAML or CSV
    file; raise ValidationError naming the entry at fault."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ValidationError(_("找不到文件 %(path)s") % {"path": path}, field="file") from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise ValidationError(_("无法读取文件 %(path)s：%(error)s") % {"path": path, "error": exc}, field="file") from None
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data = _from_yaml(text)
    elif suffix == ".csv":
        data = _from_csv(text)
    else:
        raise ValidationError(_("只支持 .yaml/.yml 或 .csv 文件"), field="file")
    year = data["year"]
    if year in (None, ""):
        years = {d.year for d, _k, _n in data["days"]}
        if len(years) != 1:
            raise ValidationError(_("请在文件中写明 year"), field="year")
        year = years.pop()
    elif not re.fullmatch(r"\d{4}", str(year).strip()):
        raise ValidationError(_("year 应为四位年份：%(value)s") % {"value": year}, field="year")
    announced_on = data["announced_on"]
    return {
        "year": int(str(year).strip()),
        "official": True if data["official"] in (None, "") else _bool(data["official"], "official"),
        "source_notice": str(data["source_notice"] or ""),
        "announced_on": None if announced_on in (None, "") else _date(announced_on, "announced_on"),
        "days": data["days"],
    }
