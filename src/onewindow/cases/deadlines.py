"""The case clock, on top of the working-day calendar.

due_on = accepted_on + (committed limit + granted extension + paused working days) working days,
counted from the day after acceptance, skipping weekends and official holidays and counting make-up
working days (Administrative Licensing Law Art. 42 and 82). Supplements during review and special
procedures (Art. 45) stop the clock: the working days they take are added to `paused_days`, so the
due date moves by exactly that much. Every computed deadline keeps the calendar version it came from
and whether it is provisional (a year without the State Council's schedule)."""

from __future__ import annotations

import math
from datetime import date

from django.conf import settings

from onewindow.calendar import selectors as calendar
from onewindow.calendar.index import Deadline

from .states import FINAL_CASE_STATES, CaseState

# The yellow light: "close to its limit". No national threshold exists (domain brief), so it is
# configurable: yellow when at most this share of the limit, or at most this many working days, remain.
DEFAULT_YELLOW_SHARE = 0.2
DEFAULT_YELLOW_WORKING_DAYS = 2

PAUSED_STATES = {CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED}


def yellow_share() -> float:
    return float(getattr(settings, "CASE_YELLOW_SHARE", DEFAULT_YELLOW_SHARE))


def yellow_working_days() -> int:
    return int(getattr(settings, "CASE_YELLOW_WORKING_DAYS", DEFAULT_YELLOW_WORKING_DAYS))


def total_limit(case) -> int:
    """The working days the case may use: the committed limit plus granted extensions."""
    return case.committed_limit_days + case.extension_days


class WorkdayClock:
    """The clock's rules on one working-day index, each defined once: the functions of this module
    apply them on the current calendar, and a caller that applies them to many rows at once (the
    sample history: millions of due dates) binds one index for the whole run."""

    __slots__ = ("_add", "_between")

    def __init__(self, index):
        self._add, self._between = index.add, index.between

    def due(self, accepted_on: date, limit_days: int, extension_days: int, paused_days: int) -> Deadline:
        """A case's due date: accepted_on + (limit + extension + paused working days) working days."""
        return self._add(accepted_on, limit_days + extension_days + paused_days)

    def task_due_on(self, opened_on: date, limit_days: int, case_due_on: date | None) -> date | None:
        """A task's due date: its stage limit from the day it opens, never later than the case's."""
        if not limit_days:
            return case_due_on
        due = self._add(opened_on, limit_days).due_on
        return min(due, case_due_on) if case_due_on else due

    def working_days(self, since: date, until: date) -> int:
        """Working days after `since` up to and including `until` (negative when `until` is earlier)."""
        return self._between(since, until).working_days

    def paused_working_days(self, since: date, until: date) -> int:
        """Working days the clock stood still: after `since` up to and including `until` (the day a stop
        starts was already used; counting resumes the day after it ends, like the day after acceptance)."""
        return max(0, self._between(since, until).working_days)


def clock() -> WorkdayClock:
    """The clock on the current calendar."""
    return WorkdayClock(calendar.get_index())


def case_deadline(case) -> Deadline:
    """The case's due date as it stands (accepted_on must be set)."""
    return clock().due(case.accepted_on, case.committed_limit_days, case.extension_days, case.paused_days)


def apply_deadline(case) -> Deadline:
    """Recompute and store due_on, due_provisional and calendar_version on the (unsaved) case."""
    deadline = case_deadline(case)
    case.due_on, case.due_provisional, case.calendar_version = (deadline.due_on, deadline.provisional,
                                                                deadline.calendar_version)
    return deadline


def task_due_on(*, opened_on: date, limit_days: int, case_due_on: date | None) -> date | None:
    """A task's due date: its stage limit from the day it opens, never later than the case's."""
    return clock().task_due_on(opened_on, limit_days, case_due_on)


def shift(day: date | None, working_days: int) -> date | None:
    """`day` moved later by `working_days` working days (a clock stop's length)."""
    if day is None or working_days <= 0:
        return day
    return calendar.add_working_days(day, working_days).due_on


def paused_working_days(since: date, until: date) -> int:
    """Working days the clock stood still (WorkdayClock.paused_working_days)."""
    return clock().paused_working_days(since, until)


def clock_end(case, *, today: date) -> date:
    """The last day the clock ran to: today, or the day it stopped (a pause, the decision, the end)."""
    end = today
    stopped = case.decided_at or case.concluded_at
    if stopped is not None:
        end = min(end, _local_date(stopped))
    if case.paused_since is not None:
        end = min(end, case.paused_since)
    return end


def working_days_used(case, *, today: date, workdays: WorkdayClock | None = None) -> int:
    """Working days of the limit used so far (paused days not counted)."""
    if case.accepted_on is None:
        return 0
    end = clock_end(case, today=today)
    if end <= case.accepted_on:
        return 0
    return max(0, (workdays or clock()).working_days(case.accepted_on, end) - case.paused_days)


def working_days_left(case, *, today: date, workdays: WorkdayClock | None = None) -> int | None:
    """Working days left before the due date (negative when overdue); None before acceptance."""
    if case.accepted_on is None or case.due_on is None:
        return None
    return total_limit(case) - working_days_used(case, today=today, workdays=workdays)


def _local_date(moment) -> date:
    from django.utils import timezone

    return timezone.localdate(moment)


def light(case, *, today: date, workdays: WorkdayClock | None = None) -> str:
    """green / yellow / red for the efficiency office. A decided case is green when it was decided
    within its due date and red otherwise; an open one is red when overdue, yellow when at most 20 % of
    its limit or 2 working days remain (settings CASE_YELLOW_SHARE / CASE_YELLOW_WORKING_DAYS)."""
    if case.due_on is None or case.accepted_on is None:
        return "green"
    decided = case.decided_at
    if decided is None and case.state in (CaseState.CONCLUDED, CaseState.DENIED):
        decided = case.concluded_at  # rows written before decided_at existed
    if decided is not None:
        return "green" if _local_date(decided) <= case.due_on else "red"
    if case.state in FINAL_CASE_STATES or case.state == CaseState.APPROVED:
        return "green"  # withdrawn: no decision was due
    left = working_days_left(case, today=today, workdays=workdays) or 0  # accepted, with a due date
    if left < 0:
        return "red"
    threshold = max(yellow_working_days(), math.ceil(total_limit(case) * yellow_share()))
    return "yellow" if left <= threshold else "green"
