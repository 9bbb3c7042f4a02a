"""The working-day index: O(1) due-date arithmetic from precomputed arrays.

For every day from `first` to `last` we keep `rank[d]` = the number of working days from `first` up
to and including d, and the k-th working day. Then

    add(start, n)      = workday[rank[start] + n - 1]      (counting starts the day after `start`)
    between(a, b)      = rank[b] - rank[a]                 (working days after a, up to and including b)

"Provisional" (some year in the span has no official schedule) is O(1) too: per day we keep the number
of provisional years up to and including its year, and up to the year before; a span [a, b] touches a
provisional year iff upto[b] > before[a].

Why it is fast (the request path calls this on every case page): `add` and `between` are closures over
plain lists (no attribute look-ups, no bound-method creation), and their results are immutable
NamedTuples built once per index (one Deadline per working day and flag, one Span per count and flag),
so a call is a handful of list look-ups and returns a shared object. Nothing here touches the database:
`WorkdayIndex` takes the exceptions and the set of official years; the selectors cache the result.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple


class Deadline(NamedTuple):
    """A due date and how sure we are of it."""

    due_on: date
    provisional: bool  # some year from the start to the due date has no official schedule yet
    calendar_version: int


class Span(NamedTuple):
    working_days: int
    provisional: bool
    calendar_version: int


class OutOfRange(ValueError):
    pass


class WorkdayIndex:
    """Working-day arithmetic over [first, last].

    add(start, days) -> Deadline: the due date of a `days`-working-day limit accepted on `start`
        (counting starts the next day; 0 days = the same day, an immediate item).
    between(start, end) -> Span: working days after `start` up to and including `end`; negative when
        `end` is before `start` (between(a, b) == -between(b, a)).
    Both raise OutOfRange outside the calendar and ValueError for a negative limit.
    """

    __slots__ = ("first", "last", "version", "official_years", "add", "between", "_base", "_rank",
                 "_holidays", "_makeup", "_prov_upto", "_prov_before", "__weakref__")

    def __init__(self, *, first: date, last: date, holidays: set[date], makeup_workdays: set[date],
                 official_years: set[int], version: int):
        if last < first:
            raise ValueError("empty calendar range")
        self.first, self.last = first, last
        self.version = version
        self.official_years = frozenset(official_years)
        self._holidays = frozenset(holidays)
        self._makeup = frozenset(makeup_workdays)
        base = self._base = first.toordinal()
        size = last.toordinal() - base + 1

        # Cumulative count of provisional years, by year.
        upto_year: dict[int, int] = {}
        before_year: dict[int, int] = {}
        count = 0
        for year in range(first.year, last.year + 1):
            before_year[year] = count
            count += year not in self.official_years
            upto_year[year] = count

        rank = [0] * size
        prov_upto = [0] * size
        prov_before = [0] * size
        workday_offsets: list[int] = []
        worked = 0
        day = first
        one = timedelta(days=1)
        for offset in range(size):
            if day in self._makeup or (day.weekday() < 5 and day not in self._holidays):
                worked += 1
                workday_offsets.append(offset)
            rank[offset] = worked
            prov_upto[offset] = upto_year[day.year]
            prov_before[offset] = before_year[day.year]
            day += one
        self._rank, self._prov_upto, self._prov_before = rank, prov_upto, prov_before

        n_workdays = len(workday_offsets)
        workday_prov_upto = [prov_upto[o] for o in workday_offsets]
        due_dates = [date.fromordinal(base + o) for o in workday_offsets]
        deadlines = [Deadline(d, False, version) for d in due_dates]
        prov_deadlines = [Deadline(d, True, version) for d in due_dates]
        spans = [Span(c, False, version) for c in range(-n_workdays, n_workdays + 1)]
        prov_spans = [Span(c, True, version) for c in range(-n_workdays, n_workdays + 1)]

        def add(start: date, days: int) -> Deadline:
            offset = start.toordinal() - base
            if 0 <= offset < size and days > 0:
                k = rank[offset] + days - 1
                try:
                    if workday_prov_upto[k] > prov_before[offset]:
                        return prov_deadlines[k]
                    return deadlines[k]
                except IndexError:  # beyond the last working day of the calendar
                    pass
            return self._add_slow(start, days)

        def between(start: date, end: date) -> Span:
            s = start.toordinal() - base
            e = end.toordinal() - base
            if 0 <= s <= e < size:
                return (prov_spans if prov_upto[e] > prov_before[s] else spans)[rank[e] - rank[s] + n_workdays]
            if 0 <= e < s < size:  # reversed: the negative count
                return (prov_spans if prov_upto[s] > prov_before[e] else spans)[rank[e] - rank[s] + n_workdays]
            self._offset(start)
            self._offset(end)
            raise AssertionError("unreachable")  # pragma: no cover

        add.__doc__ = "Due date of a `days`-working-day limit accepted on `start` (see the class docstring)."
        between.__doc__ = "Working days after `start` up to and including `end` (see the class docstring)."
        self.add = add
        self.between = between

    # The slow path: validation and the rare cases, kept out of the hot closure.
    def _add_slow(self, start: date, days: int) -> Deadline:
        if not isinstance(days, int):
            raise TypeError("a time limit is a whole number of working days")
        offset = self._offset(start)
        if days < 0:
            raise ValueError("a time limit cannot be negative")
        if days == 0:
            provisional = self._prov_upto[offset] > self._prov_before[offset]
            return Deadline(date(start.year, start.month, start.day), provisional, self.version)
        raise OutOfRange(f"{days} working days after {start.isoformat()} is beyond the calendar ({self.last})")

    def _offset(self, day: date) -> int:
        offset = day.toordinal() - self._base
        if offset < 0 or offset >= len(self._rank):
            raise OutOfRange(f"{day.isoformat()} is outside the calendar ({self.first} … {self.last})")
        return offset

    def is_workday(self, day: date) -> bool:
        offset = self._offset(day)
        previous = self._rank[offset - 1] if offset else 0
        return self._rank[offset] != previous

    def is_holiday(self, day: date) -> bool:
        """An official (or, in a provisional year, statutory) day off — not an ordinary weekend."""
        return day in self._holidays

    def is_official(self, start: date, end: date) -> bool:
        return all(year in self.official_years for year in range(start.year, end.year + 1))

    def provisional_years(self, start: date, end: date) -> list[int]:
        low, high = min(start, end), max(start, end)
        return [year for year in range(low.year, high.year + 1) if year not in self.official_years]

    def day_kind(self, day: date) -> str:
        if day in self._makeup:
            return "makeup_workday"
        if day in self._holidays:
            return "holiday"
        return "weekend" if day.weekday() >= 5 else "workday"
