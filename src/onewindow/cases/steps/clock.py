"""The clock of a locked case and of its open stages: paused together (a supplement asked in review, a
special procedure), resumed together — the days it stood still move every due date (Administrative
Licensing Law Art. 45) — and the stages' dates kept within the case's when the case's move (an
extension, a new calendar). The dates themselves: cases/deadlines.py on workflow/clock.py."""

from __future__ import annotations

from datetime import date

from .. import deadlines
from ..models import Case, Task
from ..states import OPEN_TASK_STATES


def pause_clock(case: Case, *, on: date) -> tuple[str, ...]:
    """Pause the case's clock and its open stages' from `on` (the case saved by the caller's transition:
    the fields returned)."""
    deadlines.pause(case, on=on)
    Task.objects.filter(case=case, state__in=OPEN_TASK_STATES, opened_on__isnull=False,
                        paused_since__isnull=True).update(paused_since=on)
    return ("paused_since",)


def resume_clock(case: Case, *, on: date) -> dict:
    """Restart the case's clock and its open stages' on `on`: the days they stood still move their due
    dates (the case saved by the caller's transition with deadlines.CASE_CLOCK_COLUMNS)."""
    previous = case.due_on
    paused = deadlines.resume(case, on=on)
    refresh_open_tasks(case, resume_on=on)
    return {"paused_days": paused, "previous_due_on": previous, "due_on": case.due_on,
            "calendar_version": case.calendar_version}


def refresh_open_tasks(case: Case, *, resume_on: date | None = None) -> int:
    """Recompute the stored dates of the case's open stages (resumed on `resume_on` if paused), within
    the case's dates and after the earlier steps'. Returns the stages whose dates changed."""
    tasks = list(Task.objects.filter(case=case).order_by("step", "id"))
    workdays = deadlines.clock()
    changed = 0
    for task in tasks:
        if task.state not in OPEN_TASK_STATES or task.opened_on is None:
            continue
        before = (task.due_on, task.warn_on, task.late_on, task.paused_since, task.paused_days)
        if resume_on is not None and task.paused_since is not None:
            task.paused_days += workdays.paused_days(task.paused_since, resume_on, task.limit_unit)
            task.paused_since = None
        deadlines.recompute_task(task, case, floor=deadlines.earlier_step_dates(tasks, task.step), workdays=workdays)
        if (task.due_on, task.warn_on, task.late_on, task.paused_since, task.paused_days) != before:
            task.save(update_fields=["due_on", "warn_on", "late_on", "paused_since", "paused_days"])
            changed += 1
    return changed


__all__ = ["pause_clock", "refresh_open_tasks", "resume_clock"]
