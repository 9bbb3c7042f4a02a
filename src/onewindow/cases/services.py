"""Writes on cases: the public names every caller uses (pages, API, CLI, other apps).

The rules live by idea in `intake` (submission and the clerk's decision), `approval` (tasks, parallel
review, clock stops, extensions, immediate and instant approval) and `results` (certificate, fees,
conclusion); every state change goes through `transitions.transition`. This module re-exports them and
adds the dispatcher used by the API and pages, and the recomputation after a calendar import."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound, ValidationError

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
from .inputs import id_set, moment, to_date, to_int
from .intake import accept_case, intake_at_window, refuse_case
from .models import Case, Fee, FeeState, SpecialProcedure, Task
from .results import (
    certificate_digest,
    conclude_case,
    is_genuine,
    record_payment,
    supply_waived_material,
    withdraw_case,
)
from .states import OPEN_TASK_STATES, TaskState
from .submission import submit_case
from .supplements import request_supplement, supply_supplement
from .transitions import lock_case, record_event

__all__ = [
    "ACTIONS", "accept_case", "approve_task", "assign_agent", "certificate_digest", "conclude_case", "deny_task",
    "end_special_procedure", "extend_case", "intake_at_window", "is_genuine", "perform_action", "record_payment",
    "recompute_provisional_deadlines", "refuse_case", "request_supplement", "start_special_procedure",
    "submit_bundle", "submit_case", "supply_supplement", "supply_waived_material", "withdraw_case",
]

ACTIONS = ("accept", "refuse", "request_supplement", "supply", "approve", "deny", "start_special_procedure",
           "end_special_procedure", "extend", "supply_waived", "pay", "conclude", "withdraw")


def _actor_task(actor, case: Case, params: dict, *, states=(TaskState.OPEN,)) -> Task:
    """The task named by params["task_id"], or the actor's own open task on the case."""
    from . import access

    if params.get("task_id") not in (None, ""):
        task_id = to_int(params["task_id"], field="task_id", minimum=1)
        task = Task.objects.filter(case=case, pk=task_id).select_related("case", "department").first()
        if task is None:
            raise ValidationError(_("该办件没有编号为 %(id)s 的审批任务") % {"id": task_id}, field="task_id")
        return task
    mine = [t for t in case.tasks.filter(state__in=states).select_related("case", "department")
            if access.can_handle_task(actor, t)]
    if not mine:
        # No open task of the actor's: hand the service the actor's own latest task if there is one (a
        # repeated press then gets "already approved", 409), else the case's latest task (403).
        tasks = list(case.tasks.select_related("case", "department").order_by("-step", "-id"))
        if not tasks:
            raise ValidationError(_("该办件还没有审批任务"), field="task_id")
        own = [t for t in tasks if access.can_handle_task(actor, t)]
        return (own or tasks)[0]
    if len(mine) > 1:
        raise ValidationError(_("您在该办件有多个待办任务，请指定 task_id"), field="task_id")
    return mine[0]


def _waivers(value) -> dict:
    if value in (None, ""):
        return {}
    if not isinstance(value, dict):
        raise ValidationError(_("容缺材料应为“材料编号 → 承诺补齐日期”"), field="waivers")
    return {to_int(k, field="waivers", minimum=1): to_date(v, field="waivers") for k, v in value.items()}


def perform_action(*, actor, case: Case, action: str, params: dict | None = None, now: datetime | None = None) -> Case:
    """One entry point for the API and pages: `action` names the service, `params` its input (as sent
    by a form or JSON). Bad input raises ValidationError naming the field; the case is returned fresh."""
    params = params or {}
    if not isinstance(params, dict):
        raise ValidationError(_("参数应为键值对象"), field="params")
    if action not in ACTIONS:
        raise ValidationError(_("未知操作“%(a)s”，可选：%(all)s") % {"a": action, "all": ", ".join(ACTIONS)}, field="action")
    p = params.get
    if action == "accept":
        accept_case(clerk=actor, case=case, waivers=_waivers(p("waivers")), promise_note=p("promise_note") or "",
                    provided_material_ids=id_set(p("provided_material_ids"), field="provided_material_ids"), now=now)
    elif action == "refuse":
        refuse_case(clerk=actor, case=case, reason=p("reason") or "", now=now)
    elif action == "request_supplement":
        request_supplement(actor=actor, case=case, defects=p("defects"), now=now)
    elif action == "supply":
        supply_supplement(actor=actor, case=case, now=now,
                          provided_material_ids=id_set(p("provided_material_ids"), field="provided_material_ids"))
    elif action == "approve":
        approve_task(approver=actor, task=_actor_task(actor, case, params), opinion=p("opinion") or "", now=now)
    elif action == "deny":
        deny_task(approver=actor, task=_actor_task(actor, case, params), reason=p("reason") or "", now=now)
    elif action == "start_special_procedure":
        start_special_procedure(approver=actor, task=_actor_task(actor, case, params), kind=p("kind") or "",
                                limit_days=p("limit_days"), reason=p("reason") or "", now=now)
    elif action == "end_special_procedure":
        procedures = SpecialProcedure.objects.filter(case=case).select_related("case", "task", "task__department")
        if p("procedure_id") not in (None, ""):
            procedure = procedures.filter(pk=to_int(p("procedure_id"), field="procedure_id", minimum=1)).first()
        else:
            procedure = procedures.filter(ended_on__isnull=True).first()
        if procedure is None:
            raise ValidationError(_("该办件没有进行中的特别程序"), field="procedure_id")
        end_special_procedure(approver=actor, procedure=procedure, outcome=p("outcome") or "", now=now)
    elif action == "extend":
        extend_case(approver=actor, case=case, days=p("days"), reason=p("reason") or "", now=now)
    elif action == "supply_waived":
        supply_waived_material(actor=actor, case=case, material_id=p("material_id"), now=now)
    elif action == "pay":
        fees = Fee.objects.filter(case=case).select_related("case")
        if p("fee_id") not in (None, ""):
            fee = fees.filter(pk=to_int(p("fee_id"), field="fee_id", minimum=1)).first()
        else:
            fee = fees.filter(state=FeeState.UNPAID).first() or fees.first()
        if fee is None:
            raise ValidationError(_("该办件没有需缴纳的费用"), field="fee_id")
        record_payment(actor=actor, fee=fee, receipt_number=p("receipt_number") or "", now=now)
    elif action == "conclude":
        conclude_case(actor=actor, case=case, delivery_method=p("delivery_method") or "",
                      delivery_address=p("delivery_address") or "", tracking_number=p("tracking_number") or "",
                      now=now)
    elif action == "withdraw":
        withdraw_case(actor=actor, case=case, reason=p("reason") or "", now=now)
    fresh = Case.objects.filter(pk=case.pk).first()
    if fresh is None:  # pragma: no cover - cases are never deleted
        raise NotFound(_("办件不存在"))
    return fresh


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
