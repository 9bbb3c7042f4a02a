"""Approval (审批): a department approves or denies its task of a step (parallel review, 并联审批), starts
and ends a special procedure (特别程序), extends the limit. Each service checks who acts, locks the case,
checks the state and calls the steps (steps/decision.py, steps/tasks.py, steps/clock.py).

Sources: Administrative Licensing Law Art. 42 (decision within the limit; extension with approval
and written notice), Art. 45 (hearing, testing, expert review … do not count towards the limit; the
applicant is told their length in writing); the "parallel approval" practice of the one-window
reforms (domain brief)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import StageKind
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from . import access, deadlines
from .inputs import local_day, moment, required_text, to_int
from .models import Case, DenialFiling, DenialKind, Extension, ProcedureKind, SpecialProcedure, Task
from .states import OPEN_TASK_STATES
from .steps.clock import pause_clock, refresh_open_tasks, resume_clock
from .steps.decision import RESULT_PARTIES, approve_locked
from .steps.tasks import case_tasks_changing, lock_task
from .transitions import audit_batch, lock_case, released, require, task_transition, transition

MAX_PROCEDURE_DAYS = 250


def _check_handler(approver, task: Task) -> None:
    if not access.can_handle_task(approver, task):
        raise PermissionDenied(_("您不是“%(dept)s”的审批人员，不能办理该环节") % {"dept": task.department.name})


def approve_task(*, approver, task: Task, opinion: str = "", now: datetime | None = None) -> Task:
    """Approve one department's part of a step. When every task of the step is done the next step
    opens; after the last one the case is approved and the result issued. Returns the task as it now
    stands (its case is the one updated here). A task already approved is a Conflict: a repeated press
    never approves another task."""
    now = moment(now)
    _check_handler(approver, task)
    opinion = (opinion or "").strip()
    with transaction.atomic():
        # The case first, always: parallel approvers queue here. Without its item, applicant and centre
        # (a wide row most approvals never read), except for a decision, which usually issues the result.
        case = lock_case(task.case, related=RESULT_PARTIES if task.kind == StageKind.DECISION else ())
        # the tasks read, and the approval that approve_locked makes written in the same statement
        tasks = case_tasks_changing(case, task.pk, "approve", completed_at=now, completed_by=approver,
                                    opinion=opinion, stopped_on=local_day(now))  # the stage's clock ends
        locked = next((t for t in tasks if t.pk == task.pk), None)
        if locked is None:  # pragma: no cover - tasks are never deleted or moved to another case
            raise Conflict(_("审批任务不属于该办件"))
        with audit_batch(case):  # task approved, and the next step opened or the case approved with its result
            approve_locked(case, locked, tasks, approver=approver, opinion=opinion, now=now)
    released(case)
    return locked


def deny_task(*, approver, task: Task, reason: str, now: datetime | None = None) -> Task:
    """不予许可: a written reason is required and the denial is filed for the efficiency office
    (否定报备); the other tasks are cancelled."""
    now = moment(now)
    _check_handler(approver, task)
    reason = required_text(reason, field="reason", message=_("不予许可必须写明理由"))
    with transaction.atomic():
        case = lock_case(task.case)
        locked = lock_task(task)
        task_transition(case, [locked], "deny", completed_at=now, completed_by=approver, opinion=reason)
        require(case, "deny")
        task_transition(case, None, "cancel", stopped_on=local_day(now))
        DenialFiling.objects.create(case=case, kind=DenialKind.DENIAL, department=locked.department, reason=reason,
                                    filed_by=approver, filed_at=now)
        case.decision_reason, case.decided_at, case.concluded_at = reason, now, now
        transition(case, "deny", actor=approver, now=now, reason=reason,
                   fields=("decision_reason", "decided_at", "concluded_at"),
                   data={"task": locked.pk, "department": locked.department.name})
    return Task.objects.get(pk=task.pk)


# -- clock stops and extensions -------------------------------------------------------------------------

def start_special_procedure(*, approver, task: Task, kind: str, limit_days: int, reason: str,
                            exception_reason: str = "", now: datetime | None = None) -> SpecialProcedure:
    """特别程序 (Art. 45): hearing, expert review, inspection, public notice … The clock stops for the
    whole case; the procedure has its own limit and the applicant is told it in writing (the notice
    is issued with it: applicant_notified_at). The item commits its procedures in advance with their
    limits (catalog.ItemProcedure, on the notice): a listed one within its limit starts as it is;
    any other, or a longer one, is an exception that needs its own reason and is listed for the
    efficiency office (selectors.exceptions)."""
    now = moment(now)
    _check_handler(approver, task)
    if kind not in ProcedureKind.values:
        raise ValidationError(_("特别程序类型应为：%(all)s") % {"all": "、".join(str(label) for label in ProcedureKind.labels)},
                              field="kind")
    limit_days = to_int(limit_days, field="limit_days", minimum=1, maximum=MAX_PROCEDURE_DAYS)
    reason = required_text(reason, field="reason", message=_("启动特别程序必须写明理由"))
    committed = catalog_selectors.committed_procedure_days(task.case.item_id, kind)
    is_exception = committed is None or limit_days > committed
    exception_reason = (exception_reason or "").strip()[:2000]
    if is_exception:
        # The exception's reason is the one given for it, else the start's own (required) reason, with
        # what the commitment was, so the efficiency office reads why the notice was exceeded.
        label = ProcedureKind(kind).label
        beyond = (_("事项未承诺“%(kind)s”程序") % {"kind": label} if committed is None else
                  _("超过承诺的 %(n)s 个工作日") % {"n": committed})
        exception_reason = f"{beyond}：{exception_reason or reason}"
    else:
        exception_reason = ""
    today = local_day(now)
    with transaction.atomic():
        case = lock_case(task.case)
        locked = lock_task(task)
        task_transition(case, [locked], "suspend")
        require(case, "start_special_procedure")
        procedure = SpecialProcedure.objects.create(
            case=case, task=locked, kind=kind, limit_days=limit_days, started_on=today,
            due_on=deadlines.calendar.add_working_days(today, limit_days).due_on, started_by=approver, reason=reason,
            applicant_notified_at=now, committed_limit_days=committed, is_exception=is_exception,
            exception_reason=exception_reason)
        paused_fields = pause_clock(case, on=today)
        transition(case, "start_special_procedure", actor=approver, now=now, reason=reason, fields=paused_fields,
                   data={"procedure": procedure.pk, "kind": kind, "limit_days": limit_days,
                         "committed_limit_days": committed, "exception": is_exception,
                         "exception_reason": exception_reason,
                         "procedure_due_on": procedure.due_on, "applicant_notified_at": now})
    return procedure


def end_special_procedure(*, approver, procedure: SpecialProcedure, outcome: str,
                          now: datetime | None = None) -> SpecialProcedure:
    """The procedure ends with its outcome; the clock runs again and the due date moves by the
    working days it stood still."""
    now = moment(now)
    _check_handler(approver, procedure.task)
    outcome = required_text(outcome, field="outcome", message=_("结束特别程序必须写明结论"))
    with transaction.atomic():
        case = lock_case(procedure.case)
        locked = SpecialProcedure.objects.select_for_update(of=("self",)).get(pk=procedure.pk)
        if locked.ended_on is not None:
            raise Conflict(_("该特别程序已于 %(d)s 结束") % {"d": locked.ended_on})
        require(case, "end_special_procedure")
        today = local_day(now)
        if case.paused_since is None:
            case.paused_since = locked.started_on
        locked.ended_on, locked.outcome = today, outcome
        locked.save(update_fields=["ended_on", "outcome"])
        task_transition(case, None, "resume", where={"pk": locked.task_id})
        data = resume_clock(case, on=today)
        data.update({"procedure": locked.pk, "kind": locked.kind, "overran": today > locked.due_on})
        transition(case, "end_special_procedure", actor=approver, now=now, reason=outcome,
                   fields=deadlines.CASE_CLOCK_COLUMNS, data=data)
    return locked


def extend_case(*, approver, case: Case, days: int, reason: str, now: datetime | None = None) -> Extension:
    """延长 (Art. 42): within the item's allowance (e.g. 20 + 10, joint handling 45 + 15), decided
    before the current due date, by an approver handling the case; the applicant is notified and both
    due dates are kept."""
    now = moment(now)
    handling = [t for t in case.tasks.filter(state__in=OPEN_TASK_STATES).select_related("case", "department")
                if access.can_handle_task(approver, t)]
    if not handling:
        raise PermissionDenied(_("只有正在办理该办件的部门审批人员才能批准延长"))
    days = to_int(days, field="days", minimum=1)
    reason = required_text(reason, field="reason", message=_("延长办理时限必须写明理由"))
    with transaction.atomic():
        locked = lock_case(case)
        require(locked, "extend")
        allowance = locked.item.extension_days - locked.extension_days
        if locked.item.extension_days == 0:
            raise ValidationError(_("事项“%(item)s”依法不可延长办理时限") % {"item": locked.item.name}, field="days")
        if days > allowance:
            raise ValidationError(_("最多还可延长 %(left)s 个工作日（该事项可延长 %(all)s 个工作日，已延长 %(used)s 个）") % {
                "left": allowance, "all": locked.item.extension_days, "used": locked.extension_days}, field="days")
        today = local_day(now)
        previous = locked.due_on
        assert previous is not None  # the table allows "extend" only on an accepted case: it has its due date
        if locked.paused_since is None and today > previous:
            raise Conflict(_("办理期限 %(d)s 已过，延长须在期限届满前批准") % {"d": locked.due_on})
        locked.extension_days += days
        deadlines.apply_deadline(locked)
        refresh_open_tasks(locked)
        extension = Extension.objects.create(case=locked, days=days, reason=reason, requested_by=approver,
                                             approved_by=approver, approved_at=now, applicant_notified_at=now,
                                             previous_due_on=previous, new_due_on=locked.due_on or previous)
        transition(locked, "extend", actor=approver, now=now, reason=reason,
                   fields=("extension_days", *deadlines.CASE_DATES),
                   data={"extension": extension.pk, "days": days, "previous_due_on": previous,
                         "due_on": locked.due_on, "applicant_notified_at": now})
    return extension
