"""Reads of the working-day calendar. `get_index()` returns the cached WorkdayIndex, rebuilt when the
calendar version in the database changes (checked at most every CHECK_SECONDS, and at once in the
process that changed it). Years without an official schedule get the statutory holidays and weekends
(provisional)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _

from onewindow.orgs.models import ServiceCentre

from .index import Deadline, Span, WorkdayIndex
from .models import CalendarDay, CalendarYear, CentreDayException, DayKind, WeekendOpening, YearStatus

FIRST_DAY = date(2004, 1, 1)
YEARS_AHEAD = 2  # provisional years kept beyond the later of this year and the last official year
CHECK_SECONDS = 2.0
WEEKDAYS_ZH = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")

@dataclass
class _Cached:
    index: WorkdayIndex | None = None
    checked_at: float = 0.0  # time.monotonic() of the last version check


_lock = threading.Lock()
_cache = _Cached()


def current_version() -> int:
    return CalendarYear.objects.aggregate(v=Max("version"))["v"] or 0


def statutory_holidays(year: int) -> set[date]:
    """Statutory holidays of a year without an official schedule: the national days off of the
    Regulations on National Holidays (2024 revision), with a weekday in lieu when one falls on a
    weekend (Art. 6), as computed by the `holidays` package."""
    import holidays as holidays_package

    return set(holidays_package.country_holidays("CN", years=year).keys())


def statutory_holiday_names(year: int) -> dict[date, str]:
    import holidays as holidays_package

    return dict(holidays_package.country_holidays("CN", years=year, language="zh_CN").items())


def last_day(*, today: date | None = None) -> date:
    """The last day the calendar answers for: December 31 of this year + YEARS_AHEAD (or later when a
    later year was imported)."""
    today = today or date.today()
    latest = CalendarYear.objects.aggregate(y=Max("year"))["y"] or today.year
    return date(max(today.year, latest) + YEARS_AHEAD, 12, 31)


def build_index(*, today: date | None = None) -> WorkdayIndex:
    """A provisional year with rows uses the administrator's provisional schedule; a year with no rows
    at all (or a provisional year whose rows are empty) uses the statutory holidays."""
    today = today or date.today()
    years = {y.year: y for y in CalendarYear.objects.all()}
    version = max((y.version for y in years.values()), default=0)
    official = {year for year, y in years.items() if y.status == YearStatus.OFFICIAL}
    last_year = max([today.year, *years.keys()]) + YEARS_AHEAD
    holidays: set[date] = set()
    makeup: set[date] = set()
    years_with_rows: set[int] = set()
    for day, kind in CalendarDay.objects.values_list("date", "kind"):
        (makeup if kind == DayKind.MAKEUP_WORKDAY else holidays).add(day)
        years_with_rows.add(day.year)
    for year in range(FIRST_DAY.year, last_year + 1):
        if year not in official and year not in years_with_rows:
            holidays |= statutory_holidays(year)
    return WorkdayIndex(first=FIRST_DAY, last=date(last_year, 12, 31), holidays=holidays,
                        makeup_workdays=makeup, official_years=official, version=version)


def get_index() -> WorkdayIndex:
    now = time.monotonic()
    index = _cache.index
    if index is not None and now - _cache.checked_at < CHECK_SECONDS:
        return index
    with _lock:
        version = current_version()
        index = _cache.index
        if index is None or index.version != version or index.last.year < date.today().year + YEARS_AHEAD:
            index = build_index()
            _cache.index = index
        _cache.checked_at = time.monotonic()
        return index


def invalidate() -> None:
    """Forget the cached index (called after the calendar changes in this process)."""
    with _lock:
        _cache.index = None
        _cache.checked_at = 0.0


def add_working_days(start: date, days: int) -> Deadline:
    """Due date of a `days`-working-day limit accepted on `start`: counting starts the next day,
    skips weekends and official holidays, counts make-up working days (Administrative Licensing
    Law, Art. 82)."""
    return get_index().add(start, days)


def working_days_between(start: date, end: date) -> Span:
    """Working days after `start` up to and including `end` (negative when `end` is before `start`)."""
    return get_index().between(start, end)


def is_workday(day: date) -> bool:
    return get_index().is_workday(day)


def provisional_years(start: date, end: date) -> list[int]:
    """Years from `start` to `end` without an official schedule (answers about them are provisional)."""
    return get_index().provisional_years(start, end)


def provisional_warning(years: list[int]) -> str:
    """The one line shown next to a provisional answer."""
    listed = "、".join(str(y) for y in years)
    return _("%(years)s 年尚无国务院正式放假安排，结果为暂定（按法定节假日和周末计算），正式安排导入后将重新计算") % {
        "years": listed}


def weekday_zh(day: date) -> str:
    return WEEKDAYS_ZH[day.weekday()]


# -- the years, for status pages and commands ------------------------------------------------------

@dataclass(frozen=True)
class YearSummary:
    year: int
    status: str  # "official", "provisional" (entered) or "missing" (nothing entered: statutory only)
    source_notice: str
    announced_on: date | None
    version: int | None
    origin: str
    holidays: int
    makeup_workdays: int


def year_summaries(*, today: date | None = None) -> list[YearSummary]:
    """Every year the calendar answers for, oldest first, with its status and counts."""
    rows = {
        y.year: y for y in CalendarYear.objects.annotate(
            n_holidays=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
            n_makeup=Count("days", filter=Q(days__kind=DayKind.MAKEUP_WORKDAY)),
        )
    }
    result = []
    for year in range(FIRST_DAY.year, last_day(today=today).year + 1):
        y = rows.get(year)
        if y is None:
            result.append(YearSummary(year, "missing", "", None, None, "", len(statutory_holidays(year)), 0))
        else:
            result.append(YearSummary(year, y.status, y.source_notice, y.announced_on, y.version, y.origin,
                                      y.n_holidays, y.n_makeup))
    return result


def is_official_year(year: int) -> bool:
    return CalendarYear.objects.filter(year=year, status=YearStatus.OFFICIAL).exists()


def days_of_year(year: int) -> list[tuple[date, str, str]]:
    """(date, kind, name) of a year's holidays and make-up working days; for a year with nothing
    entered, the statutory holidays (provisional)."""
    rows = list(CalendarDay.objects.filter(date__year=year).values_list("date", "kind", "name"))
    if rows or CalendarYear.objects.filter(year=year, status=YearStatus.OFFICIAL).exists():
        return rows
    names = statutory_holiday_names(year)
    return [(day, DayKind.HOLIDAY.value, names[day]) for day in sorted(names)]


def missing_next_year_warning(today: date | None = None) -> str | None:
    """In December, the administrators' reminder that next year's official schedule (usually
    announced by the State Council General Office in November) has not been imported yet."""
    today = today or date.today()
    if today.month != 12:
        return None
    next_year = today.year + 1
    if is_official_year(next_year):
        return None
    return _("%(year)s 年国务院节假日安排尚未导入：%(year)s 年的期限目前按法定节假日和周末暂定计算。"
             "通知发布后请在“日历年份”中录入，或运行 onewindow workdays import FILE。") % {"year": next_year}


# -- 5+2 weekend service ---------------------------------------------------------------------------

def is_centre_open(centre: ServiceCentre, day: date) -> bool:
    """Is the centre's hall open on `day`? A dated exception decides first; otherwise the hall is open
    on every legal working day (make-up working days included), closed during official holidays, and
    open on an ordinary weekend day only when the centre has a 5+2 weekend opening for that weekday.
    This says when people can come in; it never changes the working-day count of a time limit."""
    exception = CentreDayException.objects.filter(centre=centre, date=day).values_list("is_open", flat=True).first()
    if exception is not None:
        return exception
    index = get_index()
    if index.is_workday(day):
        return True
    if index.is_holiday(day):
        return False
    return WeekendOpening.objects.filter(centre=centre, weekday=day.weekday()).exists()
