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
from .agents import assign_agent, open_project_file
from .approval import (
    approve_task,
    deny_task,
    end_special_procedure,
    extend_case,
    start_special_procedure,
)
from .bundles import submit_bundle
from .certificates import certificate_digest, is_genuine
from .deemed import deem_accepted, deem_refused, deem_withdrawn
from .documents import open_material_file
from .inputs import moment
from .intake import accept_case, intake_at_window, refuse_case
from .models import Case
from .results import conclude_case, record_payment, supply_waived_material, withdraw_case
from .steps.clock import refresh_open_tasks
from .submission import submit_case
from .supplements import request_supplement, supply_supplement
from .transitions import lock_case, record_event

__all__ = [
    "accept_case", "approve_task", "assign_agent", "certificate_digest", "conclude_case", "deem_accepted",
    "deem_refused", "deem_withdrawn", "deny_task",
    "end_special_procedure", "extend_case", "intake_at_window", "is_genuine", "open_material_file", "open_project_file", "record_payment",
    "recompute_open_deadlines", "recompute_provisional_deadlines", "refuse_case", "request_supplement", "start_special_procedure",
    "submit_bundle", "submit_case", "supply_supplement", "supply_waived_material", "withdraw_case",
]

def recompute_provisional_deadlines(*, calendar_version: int, now: datetime | None = None) -> int:
    """After a year's official schedule is imported or a calendar is edited: the stored dates of every
    open clock (recompute_open_deadlines). Kept under its old name for the calendar follow-up."""
    return recompute_open_deadlines(now=now)


def recompute_open_deadlines(*, now: datetime | None = None) -> int:
    """Recompute the stored dates (due, yellow-from, overdue-from) of every open case's clock and of its
    open stages on the current calendar and yellow settings: after a year's schedule is imported (a
    provisional due date becomes official) or edited, or the yellow threshold changed. Every open clock
    is computed in memory on one calendar index; only the cases whose dates change are locked, saved
    (one short transaction each) and get a `deadline_recomputed` event. Returns how many changed."""
    now = moment(now)
    workdays = deadlines.clock()
    changed = 0
    rows = (Case.objects.filter(deadlines.light_q("open", today=now.date()), accepted_on__isnull=False)
            .order_by().values_list("pk", "accepted_on", "committed_limit_days", "extension_days", "paused_days",
                                    "limit_unit", "due_on", "warn_on", "late_on", "due_provisional"))
    for pk, accepted_on, limit, extension, paused, unit, due_on, warn_on, late_on, provisional in list(
            rows.iterator(chunk_size=5000)):
        if accepted_on is None:  # excluded by the filter; for the type checker
            continue
        dates = workdays.due(accepted_on, limit, extension, paused, unit)
        if (dates.due_on, dates.warn_on, dates.late_on, dates.provisional) == (due_on, warn_on, late_on, provisional):
            continue
        with transaction.atomic():
            case = lock_case(Case(pk=pk))
            if case.stopped_on is not None:
                continue
            previous = (case.due_on, case.due_provisional, case.calendar_version)
            deadlines.apply_deadline(case)
            case.save(update_fields=[*deadlines.CASE_DATES, "updated_at"])
            refresh_open_tasks(case)
            changed += 1
            record_event(case, "deadline_recomputed", actor=None, now=now, actor_label=_("日历导入"),
                         data={"previous_due_on": previous[0], "due_on": case.due_on,
                               "previous_calendar_version": previous[2], "calendar_version": case.calendar_version,
                               "due_provisional": case.due_provisional})
    return changed
