"""The clock of a case and of its stages (tasks): the generic clock (workflow/clock.py) on the cases'
own columns, mapped once here by CASE_CLOCK and TASK_CLOCK.

due_on = accepted_on + (committed limit + granted extension + paused days) days in the item's unit
(working days on the official calendar, Administrative Licensing Law Art. 42 and 82, or natural days),
counted from the day after acceptance. Supplements during review and special procedures (Art. 45) pause
the clock of the case and of its open stages: the days they take are added to `paused_days`, so every
due date moves by exactly that much. Each clock stores due_on, warn_on (first yellow day) and late_on
(first red day), and stopped_on when it ends (the decision, the withdrawal; a stage: its completion),
so every light is an indexed date comparison (docs/time-limits.md). A stage's dates run from the day its
step opens, by its own stage limit, never after the case's dates and never before the earlier step's
(stages fall due in order)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.calendar.index import Deadline
from onewindow.workflow import clock as generic
from onewindow.workflow.clock import Light, Unit

CASE_CLOCK = generic.ClockFields(started_on="accepted_on", limit="committed_limit_days", unit="limit_unit",
                                 extension="extension_days", paused_since="paused_since", paused_days="paused_days",
                                 due_on="due_on", warn_on="warn_on", late_on="late_on", stopped_on="stopped_on")
TASK_CLOCK = generic.ClockFields(started_on="opened_on", limit="limit_days", unit="limit_unit",
                                 extension="extension_days", paused_since="paused_since", paused_days="paused_days",
                                 due_on="due_on", warn_on="warn_on", late_on="late_on", stopped_on="stopped_on")
# What a change of the case's clock writes (save(update_fields=…) / transition(fields=…)).
CASE_DATES = ("due_on", "warn_on", "late_on", "due_provisional", "calendar_version")
CASE_CLOCK_COLUMNS = ("paused_days", "paused_since", *CASE_DATES)
TASK_DATES = ("due_on", "warn_on", "late_on")
TASK_CLOCK_COLUMNS = ("opened_on", "limit_unit", "paused_days", "paused_since", "stopped_on", *TASK_DATES)


def yellow_days() -> int:
    return generic.yellow_days()


def total_limit(case) -> int:
    """The days the case may use: the committed limit plus granted extensions."""
    return case.committed_limit_days + case.extension_days


def unit_of(case) -> str:
    return getattr(case, "limit_unit", None) or Unit.WORKING


class WorkdayClock:
    """The clock's rules on one working-day index, each defined once: the functions of this module
    apply them on the current calendar, and a caller that applies them to many rows at once (the
    sample history: millions of due dates) binds one index for the whole run."""

    __slots__ = ("_add", "_between", "_thresholds")

    def __init__(self, index):
        self._add, self._between = index.add, index.between
        self._thresholds: dict[int, int] = {}

    def dates(self, started_on: date, total_days: int, unit: str = Unit.WORKING) -> generic.Dates:
        """The stored dates (due, warn, late) of a clock of `total_days` started on `started_on`."""
        threshold = self._thresholds.get(total_days)
        if threshold is None:
            threshold = self._thresholds[total_days] = generic.yellow_threshold(total_days)
        return generic.compute(started_on, total_days, unit, add=self._add, threshold=threshold)

    def due(self, accepted_on: date, limit_days: int, extension_days: int, paused_days: int,
            unit: str = Unit.WORKING) -> generic.Dates:
        """A case's dates: accepted_on + (limit + extension + paused days) days."""
        return self.dates(accepted_on, limit_days + extension_days + paused_days, unit)

    def task_dates(self, opened_on: date, limit_days: int, paused_days: int, unit: str,
                   case_dates: tuple[date, date, date] | None,
                   floor: tuple[date, date, date] | None = None) -> tuple[date, date, date] | None:
        """A stage's (due, warn, late): its stage limit from the day it opens (none: the case's dates),
        never after the case's and never before the earlier step's (`floor`)."""
        if not limit_days:
            own = case_dates
        else:
            d = self.dates(opened_on, limit_days + paused_days, unit)
            own = (d.due_on, d.warn_on, d.late_on)
        return bound(own, case_dates, floor)

    def task_due_on(self, opened_on: date, limit_days: int, case_due_on: date | None) -> date | None:
        """A task's due date: its stage limit from the day it opens, never later than the case's."""
        if not limit_days:
            return case_due_on
        due = self._add(opened_on, limit_days).due_on
        return min(due, case_due_on) if case_due_on else due

    def working_days(self, since: date, until: date) -> int:
        """Working days after `since` up to and including `until` (negative when `until` is earlier)."""
        return self._between(since, until).working_days

    def paused_days(self, since: date, until: date, unit: str = Unit.WORKING) -> int:
        """Days the clock stood still: after `since` up to and including `until` (the day a stop starts
        was already used; counting resumes the day after it ends, like the day after acceptance)."""
        if unit == Unit.NATURAL:
            return max(0, (until - since).days)
        return max(0, self._between(since, until).working_days)

    def paused_working_days(self, since: date, until: date) -> int:
        return self.paused_days(since, until)


def bound(own: tuple[date, date, date] | None, ceiling: tuple[date, date, date] | None,
          floor: tuple[date, date, date] | None) -> tuple[date, date, date] | None:
    """(due, warn, late) kept within the case's (each date no later) and after the earlier step's (each
    no earlier): element by element, so warn <= due < late still holds."""
    if own is None:
        return ceiling
    if ceiling is not None:
        own = (min(own[0], ceiling[0]), min(own[1], ceiling[1]), min(own[2], ceiling[2]))
    if floor is not None:
        own = (max(own[0], floor[0]), max(own[1], floor[1]), max(own[2], floor[2]))
    return own


def clock() -> WorkdayClock:
    """The clock on the current calendar."""
    return WorkdayClock(calendar.get_index())


def case_deadline(case) -> generic.Dates:
    """The case's dates as they stand (accepted_on must be set)."""
    return clock().due(case.accepted_on, case.committed_limit_days, case.extension_days, case.paused_days,
                       unit_of(case))


def apply_deadline(case) -> generic.Dates:
    """Recompute and store due_on, warn_on, late_on, due_provisional and calendar_version on the
    (unsaved) case."""
    dates = case_deadline(case)
    case.due_on, case.warn_on, case.late_on = dates.due_on, dates.warn_on, dates.late_on
    case.due_provisional, case.calendar_version = dates.provisional, dates.calendar_version
    return dates


def case_dates(case) -> tuple[date, date, date] | None:
    if case.due_on is None:
        return None
    return (case.due_on, case.warn_on or case.due_on, case.late_on or case.due_on)


def task_dates(task) -> tuple[date, date, date] | None:
    if task.due_on is None:
        return None
    return (task.due_on, task.warn_on or task.due_on, task.late_on or task.due_on)


def earlier_step_dates(tasks: Iterable[Any], step: int) -> tuple[date, date, date] | None:
    """The latest dates of the tasks of steps before `step` that had a clock (the floor of the step)."""
    floor: tuple[date, date, date] | None = None
    for task in tasks:
        if task.step < step and task.opened_on is not None and task.due_on is not None and task.step > 0:
            dates = task_dates(task)
            if dates is None:
                continue
            if floor is None:
                floor = dates
            else:
                floor = (max(floor[0], dates[0]), max(floor[1], dates[1]), max(floor[2], dates[2]))
    return floor


def open_task(task, case, *, on: date, floor: tuple[date, date, date] | None = None,
              workdays: WorkdayClock | None = None) -> None:
    """Start a stage's clock on `on` (not saved): its limit in the case's unit, within the case's dates."""
    task.opened_on, task.limit_unit, task.paused_days, task.paused_since, task.stopped_on = (
        on, unit_of(case), 0, None, None)
    if case.paused_since is not None:
        task.paused_since = on
    recompute_task(task, case, floor=floor, workdays=workdays)


def recompute_task(task, case, *, floor: tuple[date, date, date] | None = None,
                   workdays: WorkdayClock | None = None) -> None:
    """A stage's stored dates from its start, limit and paused days, within the case's."""
    if task.opened_on is None:
        task.due_on = task.warn_on = task.late_on = None
        return
    dates = (workdays or clock()).task_dates(task.opened_on, task.limit_days, task.paused_days or 0,
                                             task.limit_unit or Unit.WORKING, case_dates(case), floor)
    task.due_on, task.warn_on, task.late_on = dates if dates else (None, None, None)


def pause(case, *, on: date) -> None:
    """Pause the case's clock from `on` (its open stages: pause_tasks)."""
    generic.pause(case, on=on, fields=CASE_CLOCK)


def resume(case, *, on: date) -> int:
    """Restart the case's clock on `on`: returns the days it stood still (its dates move by them)."""
    since = case.paused_since
    if since is None:
        return 0
    paused = clock().paused_days(since, on, unit_of(case))
    case.paused_days += paused
    case.paused_since = None
    apply_deadline(case)
    return paused


def stop(case, *, on: date) -> None:
    """The case's clock ends on `on` (the decision; a withdrawal or refusal)."""
    generic.stop(case, on=on, fields=CASE_CLOCK)


def stop_task(task, *, on: date) -> None:
    if task.opened_on is not None:
        generic.stop(task, on=on, fields=TASK_CLOCK)


def shift(day: date | None, working_days: int) -> date | None:
    """`day` moved later by `working_days` working days (a clock stop's length)."""
    if day is None or working_days <= 0:
        return day
    return calendar.add_working_days(day, working_days).due_on


def paused_working_days(since: date, until: date) -> int:
    """Working days the clock stood still (WorkdayClock.paused_days)."""
    return clock().paused_days(since, until)


def paused_days(case, since: date, until: date) -> int:
    """Days the case's clock stood still, in its unit."""
    return clock().paused_days(since, until, unit_of(case))


def local_date(moment: datetime) -> date:
    return timezone.localdate(moment)


def days_left(case, *, today: date) -> int | None:
    """Days of the limit left (negative when overdue), frozen while paused and once stopped."""
    return generic.days_left(case, today=today, fields=CASE_CLOCK)


def days_used(case, *, today: date) -> int:
    """Days of the limit used so far (paused days not counted)."""
    left = days_left(case, today=today)
    if left is None:
        return 0
    return max(0, total_limit(case) - left)


def working_days_used(case, *, today: date, workdays: WorkdayClock | None = None) -> int:
    return days_used(case, today=today)


def working_days_left(case, *, today: date, workdays: WorkdayClock | None = None) -> int | None:
    return days_left(case, today=today)


def light(case, *, today: date, workdays: WorkdayClock | None = None) -> str | None:
    """The case's light (workflow/clock.py): green, yellow, red, paused, on_time, late; None before
    acceptance."""
    value = generic.light(case, today=today, fields=CASE_CLOCK)
    return None if value is None else str(value)


def task_light(task, *, today: date) -> str | None:
    value = generic.light(task, today=today, fields=TASK_CLOCK)
    return None if value is None else str(value)


def light_q(wanted: str, *, today: date, prefix: str = "") -> Q:
    """The cases (prefix "case__": of tasks) whose light is `wanted`, as a Q on the stored dates."""
    return generic.light_q(wanted, today=today, fields=CASE_CLOCK, prefix=prefix)


def task_light_q(wanted: str, *, today: date, prefix: str = "") -> Q:
    return generic.light_q(wanted, today=today, fields=TASK_CLOCK, prefix=prefix)


__all__ = ["CASE_CLOCK", "TASK_CLOCK", "Deadline", "Light", "Unit", "WorkdayClock", "apply_deadline", "bound",
           "clock", "light", "light_q", "open_task", "recompute_task", "task_light", "task_light_q"]
