"""Appraisal periods by key: a year "2026", a quarter "2026-Q3", a month "2026-07"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

from .models import PeriodKind


@dataclass(frozen=True)
class PeriodRef:
    kind: str
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return f"{self.start.year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.YEAR:
            return _("%(year)s 年度") % {"year": self.start.year}
        if self.kind == PeriodKind.QUARTER:
            return _("%(year)s 年第 %(q)s 季度") % {"year": self.start.year, "q": (self.start.month - 1) // 3 + 1}
        return _("%(year)s 年 %(month)s 月") % {"year": self.start.year, "month": self.start.month}


_PATTERNS = {
    PeriodKind.YEAR: re.compile(r"^(\d{4})$"),
    PeriodKind.QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    PeriodKind.MONTH: re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$"),
}


def _month_end(year: int, month: int) -> date:
    return (date(year + (month == 12), month % 12 + 1, 1)) - timedelta(days=1)


def parse(key: str) -> PeriodRef:
    """The period of a key, or a ValidationError naming the field `period`."""
    key = (key or "").strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(key)
        if not match:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            break
        if kind == PeriodKind.YEAR:
            return PeriodRef(kind, date(year, 1, 1), date(year, 12, 31))
        if kind == PeriodKind.QUARTER:
            first = (int(match.group(2)) - 1) * 3 + 1
            return PeriodRef(kind, date(year, first, 1), _month_end(year, first + 2))
        month = int(match.group(2))
        return PeriodRef(kind, date(year, month, 1), _month_end(year, month))
    raise ValidationError(_("考评期格式应为 2026、2026-Q3 或 2026-07"), field="period")


def containing(day: date, kind: str) -> PeriodRef:
    if kind == PeriodKind.YEAR:
        return parse(f"{day.year}")
    if kind == PeriodKind.QUARTER:
        return parse(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    return parse(f"{day:%Y-%m}")
