"""Administrative division codes: what a code says by itself, and the bundled table of names.

A division code (统计用区划代码, the 12-digit form of GB/T 2260) is read by its digits: 2 for the
province, 4 for the city (prefecture), 6 for the county, 9 for the township and 12 for the village; a
division's code ends in zeros after its own digits, and its parent's code is its own cut to the level
above. So a region can be created from its code alone, with all its parents.

The bundled table (orgs/data/divisions.csv, see NOTICE.md there: the Ministry of Civil Affairs' list of
province-, city- and county-level divisions, data as of 2025-12-31) names the regions created from a
code; townships and villages are not in it and take the name given, or stay "待命名" until named.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

from .models import RegionLevel

TABLE = Path(__file__).parent / "data" / "divisions.csv"
DIGITS: dict[int, int] = {RegionLevel.PROVINCE: 2, RegionLevel.CITY: 4, RegionLevel.COUNTY: 6, RegionLevel.TOWNSHIP: 9,
          RegionLevel.VILLAGE: 12}
UNNAMED = "待命名"
# The city-level code xx90 groups the county-level divisions a province administers directly (e.g.
# 济源市 419001); the national list names it so.
DIRECT_COUNTIES = "90"


def normalise_code(code) -> str:
    """A division code of 2, 4, 6, 9 or 12 digits as its 12-digit form ("4506" -> "450600000000");
    ValidationError for anything else."""
    text = str(code or "").strip()
    if not text.isdigit() or len(text) not in DIGITS.values():
        raise ValidationError(_("区划代码“%(c)s”无效：应为 2、4、6、9 或 12 位数字（省 2 位、市 4 位、县 6 位、"
                                "乡镇 9 位、村 12 位）") % {"c": text}, field="code")
    text = text.ljust(12, "0")
    # A city may have townships and no counties (东莞市 441900: 441900003000), so only the province
    # digits must name something.
    if text[:2] == "00":
        raise ValidationError(_("区划代码“%(c)s”无效：前两位省级代码不能为 00") % {"c": text}, field="code")
    return text


def level_of(code: str) -> int:
    """The level (RegionLevel) of a 12-digit code: the last level whose digits are not all zero."""
    for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP):
        if code[DIGITS[level]:].strip("0") == "":
            return int(level)
    return int(RegionLevel.VILLAGE)


def parent_code(code: str) -> str | None:
    """The 12-digit code of the division above `code`, None for a province. A county-level code whose
    city digits are zero sits directly under its province, so its parent is the province."""
    level = level_of(code)
    if level == RegionLevel.PROVINCE:
        return None
    for above in range(level - 1, 0, -1):
        start, end = DIGITS.get(above - 1, 0), DIGITS[above]
        if code[start:end].strip("0") or above == RegionLevel.PROVINCE:
            return code[:end].ljust(12, "0")
    return None  # pragma: no cover - the province is always found


@cache
def _table() -> dict[str, str]:
    with open(TABLE, encoding="utf-8", newline="") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


def bundled_name(code: str) -> str | None:
    """The name of a province-, city- or county-level division in the bundled table, or None."""
    name = _table().get(code)
    if name is None and level_of(code) == RegionLevel.CITY and code[2:4] == DIRECT_COUNTIES:
        province = _table().get(code[:2].ljust(12, "0"), "")
        name = "自治区直辖县级行政区划" if province.endswith("自治区") else "省直辖县级行政区划"
    return name


def bundled_rows(prefix: str = "") -> list[tuple[str, str]]:
    """(code, name) of the bundled table whose code starts with `prefix` (e.g. "45": Guangxi), in code
    order, so every parent comes before its children."""
    return [(code, name) for code, name in sorted(_table().items()) if code.startswith(prefix)]


def placeholder_name(code: str) -> str:
    return f"{UNNAMED}（{code}）"
