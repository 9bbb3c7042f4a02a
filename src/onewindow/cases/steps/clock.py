"""The clock of a locked case after it stood still (a supplement asked in review, a special procedure):
the working days it stood still move the due dates (Administrative Licensing Law Art. 45)."""

from __future__ import annotations

from .. import deadlines
from ..models import Case, Task
from ..states import OPEN_TASK_STATES


def resume_clock(case: Case, paused: int) -> dict:
    """Add a clock stop's working days to the case (and its open tasks): the due dates move by them."""
    previous = case.due_on
    case.paused_days += paused
    case.paused_since = None
    deadlines.apply_deadline(case)
    for task in Task.objects.filter(case=case, state__in=OPEN_TASK_STATES):
        shifted = deadlines.shift(task.due_on, paused)
        task.due_on = min(shifted, case.due_on) if shifted and case.due_on else case.due_on
        task.save(update_fields=["due_on"])
    return {"paused_working_days": paused, "previous_due_on": previous, "due_on": case.due_on,
            "calendar_version": case.calendar_version}
