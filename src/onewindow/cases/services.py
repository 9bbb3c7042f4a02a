"""Writes on cases: the public names every caller uses (pages, API, CLI, other apps).

One function per business action, by idea: `submission` (an application arrives), `intake` (the
clerk's decision), `supplements`, `approval` (tasks, parallel review, clock stops, extensions) and
`results` (fees, waived materials, conclusion, withdrawal), `bundles`, `agents`. Each locks the case,
checks who acts and calls the steps below it (`cases/steps/`); every state change goes through
`transitions`. This module re-exports them and adds the recomputation after a calendar import. The
actions a person takes on a case from a page, the API or the CLI are declared once in `cases/actions.py`,
which calls these."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from . import deadlines
from .agents import assign_agent
from .approval import (
    approve_task,
    deny_task,
    end_special_procedure,
    extend_case,
    start_special_procedure,
)
from .bundles import submit_bundle
from .certificates import certificate_digest, is_genuine
from .documents import open_material_file
from .inputs import moment
from .intake import accept_case, intake_at_window, refuse_case
from .models import Case, Task
from .results import conclude_case, record_payment, supply_waived_material, withdraw_case
from .states import OPEN_TASK_STATES
from .submission import submit_case
from .supplements import request_supplement, supply_supplement
from .transitions import lock_case, record_event

__all__ = [
    "accept_case", "approve_task", "assign_agent", "certificate_digest", "conclude_case", "deny_task",
    "end_special_procedure", "extend_case", "intake_at_window", "is_genuine", "open_material_file", "record_payment",
    "recompute_provisional_deadlines", "refuse_case", "request_supplement", "start_special_procedure",
    "submit_bundle", "submit_case", "supply_supplement", "supply_waived_material", "withdraw_case",
]

def recompute_provisional_deadlines(*, calendar_version: int, now: datetime | None = None) -> int:
    """After a year's official schedule is imported: every due date computed on a provisional calendar
    (a year not yet announced) is computed again; each change goes on the case's record. Returns the
    number of cases whose due date or provisional flag changed. One short transaction per case."""
    now = moment(now)
    changed = 0
    candidates = (Case.objects.filter(due_provisional=True, accepted_on__isnull=False)
                  .exclude(calendar_version=calendar_version).values_list("pk", flat=True))
    for pk in list(candidates.iterator(chunk_size=2000)):
        with transaction.atomic():
            case = lock_case(Case(pk=pk))
            if not case.due_provisional:
                continue
            previous = (case.due_on, case.due_provisional, case.calendar_version)
            deadlines.apply_deadline(case)
            case.save(update_fields=["due_on", "due_provisional", "calendar_version", "updated_at"])
            if (case.due_on, case.due_provisional) != previous[:2]:
                changed += 1
                for task in Task.objects.filter(case=case, state__in=OPEN_TASK_STATES, due_on__gt=case.due_on):
                    task.due_on = case.due_on
                    task.save(update_fields=["due_on"])
                record_event(case, "deadline_recomputed", actor=None, now=now, actor_label=_("日历导入"),
                             data={"previous_due_on": previous[0], "due_on": case.due_on,
                                   "previous_calendar_version": previous[2], "calendar_version": case.calendar_version,
                                   "due_provisional": case.due_provisional})
    return changed
