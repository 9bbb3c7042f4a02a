"""Unit names in a hotline archive → the departments of orgs.

A centre's archive names units as its operators wrote them: the full name (东兴市市场监督管理局), with
the city dropped (市场监督管理局, 市市场监管局) or by the short name (市场监管局). A name matches a
department exactly (name or short name) first, then after normalising both sides the same way: full-width
to half-width, spaces and brackets dropped, everything up to the last region name inside it dropped
(a province, city or county: 东兴市, 防城港市, 国家税务总局东兴市 → ""; a township's
name stays, so 江平镇人民政府 never matches 东兴镇人民政府), then leading 市/县/区 characters. A name that matches
no department, or more than one, stays a name: the operator still sees it, and `learn` lists it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from onewindow.orgs.models import Department, Region, RegionLevel

_DROP = re.compile(r"[\s()（）\[\]【】·]+")
_LEADING = re.compile(r"^[市县区]+")


@dataclass(frozen=True)
class Match:
    name: str                 # the name the model learns and shows: the department's own when matched
    department_id: int | None
    how: str                  # exact | normalised | ambiguous | unknown


class UnitMatcher:
    """Built once per learning from the departments and regions in the database."""

    def __init__(self):
        # Provinces, cities and counties only: 江平镇人民政府 must not become 人民政府 and match 东兴镇's.
        names = Region.objects.filter(level__lte=RegionLevel.COUNTY).values_list("name", flat=True)
        regions = sorted({n for n in names if n}, key=len, reverse=True)
        self._regions = re.compile("|".join(map(re.escape, regions))) if regions else None
        self._exact: dict[str, list[tuple[int, str]]] = {}
        self._normal: dict[str, list[tuple[int, str]]] = {}
        for pk, name, short in Department.objects.filter(is_active=True).values_list("id", "name", "short_name"):
            for alias in {name, short} - {""}:
                self._exact.setdefault(alias, []).append((pk, name))
                self._normal.setdefault(self.normalise(alias), []).append((pk, name))
        self._cache: dict[str, Match] = {}

    def normalise(self, name: str) -> str:
        name = _DROP.sub("", unicodedata.normalize("NFKC", name or ""))
        if self._regions is not None:
            found = list(self._regions.finditer(name))
            if found and found[-1].end() < len(name):
                name = name[found[-1].end():]
        return _LEADING.sub("", name)

    def match(self, unit_name: str) -> Match:
        unit_name = unit_name.strip()
        if unit_name not in self._cache:
            self._cache[unit_name] = self._match(unit_name)
        return self._cache[unit_name]

    def _match(self, unit_name: str) -> Match:
        for table, key, how in ((self._exact, unit_name, "exact"), (self._normal, self.normalise(unit_name), "normalised")):
            found = {pk: name for pk, name in table.get(key, [])}
            if len(found) == 1:
                pk, name = next(iter(found.items()))
                return Match(name=name, department_id=pk, how=how)
            if len(found) > 1:
                return Match(name=unit_name, department_id=None, how="ambiguous")
        return Match(name=unit_name, department_id=None, how="unknown")
