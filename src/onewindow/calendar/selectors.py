"""Reads of the working-day calendar. `get_index()` returns the cached WorkdayIndex, rebuilt when the
calendar version in the database changes (checked at most every CHECK_SECONDS, and at once in the
process that changed it). Years without an official schedule get the statutory holidays and weekends
(provisional)."""

from __future__ import annotations

import threading
import time
from datetime import date

from django.db.models import Max

from .index import Deadline, Span, WorkdayIndex
from .models import CalendarDay, CalendarYear, DayKind, YearStatus

FIRST_DAY = date(2004, 1, 1)
YEARS_AHEAD = 2  # provisional years kept beyond the later of this year and the last official year
CHECK_SECONDS = 2.0

_lock = threading.Lock()
_cache: dict = {"index": None, "checked_at": 0.0}


def current_version() -> int:
    return CalendarYear.objects.aggregate(v=Max("version"))["v"] or 0


def statutory_holidays(year: int) -> set[date]:
    """Statutory holidays of a year without an official schedule: the national days off of the
    Regulations on National Holidays (2024 revision), with a weekday in lieu when one falls on a
    weekend (Art. 6), as computed by the `holidays` package."""
    import holidays as holidays_package

    return set(holidays_package.China(years=year).keys())


def build_index(*, today: date | None = None) -> WorkdayIndex:
    today = today or date.today()
    years = {y.year: y for y in CalendarYear.objects.all()}
    version = max((y.version for y in years.values()), default=0)
    official = {year for year, y in years.items() if y.status == YearStatus.OFFICIAL}
    last_year = max([today.year, *years.keys()]) + YEARS_AHEAD
    holidays: set[date] = set()
    makeup: set[date] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (makeup if kind == DayKind.MAKEUP_WORKDAY else holidays).add(day)
    for year in range(FIRST_DAY.year, last_year + 1):
        if year not in years:
            holidays |= statutory_holidays(year)
    return WorkdayIndex(first=FIRST_DAY, last=date(last_year, 12, 31), holidays=holidays,
                        makeup_workdays=makeup, official_years=official, version=version)


def get_index() -> WorkdayIndex:
    now = time.monotonic()
    index = _cache["index"]
    if index is not None and now - _cache["checked_at"] < CHECK_SECONDS:
        return index
    with _lock:
        version = current_version()
        index = _cache["index"]
        if index is None or index.version != version or index.last.year < date.today().year + 1:
            index = build_index()
            _cache["index"] = index
        _cache["checked_at"] = time.monotonic()
        return index


def invalidate() -> None:
    """Forget the cached index (called after the calendar changes in this process)."""
    with _lock:
        _cache["index"] = None
        _cache["checked_at"] = 0.0


def add_working_days(start: date, days: int) -> Deadline:
    """Due date of a `days`-working-day limit accepted on `start`: counting starts the next day,
    skips weekends and official holidays, counts make-up working days (Administrative Licensing
    Law, Art. 82)."""
    return get_index().add(start, days)


def working_days_between(start: date, end: date) -> Span:
    """Working days after `start` up to and including `end`."""
    return get_index().between(start, end)


def is_workday(day: date) -> bool:
    return get_index().is_workday(day)
