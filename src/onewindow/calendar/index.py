"""The working-day index: O(1) due-date arithmetic from precomputed arrays.

For every day from `first` to `last` we keep `rank[d]` = the number of working days from `first` up
to and including d, and `workdays[k]` = the date (as an ordinal) of the k-th working day. Then

    add(start, n)      = workdays[rank[start] + n - 1]     (counting starts the day after `start`)
    between(a, b)      = rank[b] - rank[a]                 (working days after a, up to and including b)

Both are two list look-ups. Nothing here touches the database: `build` takes the exceptions (holidays
and make-up working days) and the set of official years, and the selectors cache the result.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Deadline:
    """A due date and how sure we are of it."""

    due_on: date
    provisional: bool  # some year in the span has no official schedule yet
    calendar_version: int


@dataclass(frozen=True)
class Span:
    working_days: int
    provisional: bool
    calendar_version: int


class OutOfRange(ValueError):
    pass


class WorkdayIndex:
    def __init__(self, *, first: date, last: date, holidays: set[date], makeup_workdays: set[date],
                 official_years: set[int], version: int):
        if last < first:
            raise ValueError("empty calendar range")
        self.first, self.last = first, last
        self.version = version
        self.official_years = frozenset(official_years)
        self._base = first.toordinal()
        size = last.toordinal() - self._base + 1
        rank = array("l", [0]) * size
        workdays = array("l")
        count = 0
        day = first
        for i in range(size):
            if day in makeup_workdays or (day.weekday() < 5 and day not in holidays):
                count += 1
                workdays.append(day.toordinal())
            rank[i] = count
            day += timedelta(days=1)
        self._rank = rank
        self._workdays = workdays
        self._holidays = frozenset(holidays)
        self._makeup = frozenset(makeup_workdays)

    def _offset(self, day: date) -> int:
        offset = day.toordinal() - self._base
        if offset < 0 or offset >= len(self._rank):
            raise OutOfRange(f"{day.isoformat()} is outside the calendar ({self.first} … {self.last})")
        return offset

    def is_workday(self, day: date) -> bool:
        offset = self._offset(day)
        previous = self._rank[offset - 1] if offset else 0
        return self._rank[offset] != previous

    def is_official(self, start: date, end: date) -> bool:
        return all(year in self.official_years for year in range(start.year, end.year + 1))

    def add(self, start: date, days: int) -> Deadline:
        """The due date of a `days`-working-day limit that starts on `start` (counting from the next
        day). 0 days means the same day (an immediate item)."""
        if days < 0:
            raise ValueError("a time limit cannot be negative")
        if days == 0:
            self._offset(start)
            return Deadline(start, not self.is_official(start, start), self.version)
        k = self._rank[self._offset(start)] + days - 1
        if k >= len(self._workdays):
            raise OutOfRange(f"{days} working days after {start.isoformat()} is beyond the calendar ({self.last})")
        due = date.fromordinal(self._workdays[k])
        return Deadline(due, not self.is_official(start, due), self.version)

    def between(self, start: date, end: date) -> Span:
        """Working days after `start` up to and including `end` (negative if end is before start)."""
        count = self._rank[self._offset(end)] - self._rank[self._offset(start)]
        low, high = min(start, end), max(start, end)
        return Span(count, not self.is_official(low, high), self.version)

    def day_kind(self, day: date) -> str:
        if day in self._makeup:
            return "makeup_workday"
        if day in self._holidays:
            return "holiday"
        return "weekend" if day.weekday() >= 5 else "workday"
