"""Approval (审批): tasks per stage step and department, parallel review (并联审批), deny, special
procedures (特别程序), extensions, immediate items (即办件) and instant approval (秒批).

Sources: Administrative Licensing Law Art. 42 (decision within the limit; extension with approval
and written notice), Art. 45 (hearing, testing, expert review … do not count towards the limit; the
applicant is told their length in writing); the "parallel approval" and "instant approval" practices
of the one-window reforms (domain brief)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.catalog import item_cache
from onewindow.catalog.models import StageKind
from onewindow.core import fastsql
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from . import access, deadlines, rules
from .inputs import local_day, moment, required_text, to_int
from .models import (
    Case,
    CaseMaterialStatus,
    Channel,
    DenialFiling,
    DenialKind,
    Extension,
    ProcedureKind,
    SpecialProcedure,
    Task,
)
from .states import OPEN_TASK_STATES, CaseState, TaskState
from .supplements import resume_clock
from .transitions import (
    ACTION_LABELS,
    audit_batch,
    is_locked,
    lock_case,
    record_event,
    released,
    require,
    state_label,
    transition,
)

REVIEW_KINDS = (StageKind.REVIEW, StageKind.DECISION)
# Read on every acceptance and approval: compiled once (core/fastsql.py).
_CASE_TASKS = fastsql.Select(Task, "{case} = %s", related=("department",), order_by=("step", "id"))
MAX_PROCEDURE_DAYS = 250


# -- tasks -------------------------------------------------------------------------------------------

def create_tasks(case: Case, *, clerk, now: datetime) -> None:
    """At acceptance: one task per stage. The acceptance stage is the window's own decision (done now);
    review and decision stages wait for their step, the first of them opening at once; delivery is
    done when the case is concluded. An item without review stages gets one review task for its
    department with the whole limit."""
    today = local_day(now)
    stages = item_cache.stages_of(case.item_id)
    tasks = []
    for stage in stages:
        task = Task(case=case, step=stage.step, kind=stage.kind, name=stage.name, department=stage.department,
                    limit_days=stage.limit_days)
        if stage.kind == StageKind.ACCEPTANCE:
            task.state, task.opened_on, task.due_on = TaskState.APPROVED, today, today
            task.completed_at, task.completed_by, task.opinion = now, clerk, _("综合窗口受理")
        tasks.append(task)
    if not any(t.kind in REVIEW_KINDS for t in tasks):
        step = max((t.step for t in tasks if t.kind == StageKind.ACCEPTANCE), default=0) + 1
        for t in tasks:
            if t.kind == StageKind.DELIVERY and t.step <= step:
                t.step = step + 1
        tasks.append(Task(case=case, step=step, kind=StageKind.REVIEW, name=_("审查与决定"),
                          department=case.item.department, limit_days=case.committed_limit_days))
    # The first step opens with the tasks: written open rather than written waiting and opened after.
    opening = _next_step(tasks, after_step=0)
    _mark_open(case, opening, today=today)
    fastsql.insert_many(tasks)  # one INSERT, the ids returned
    if opening:
        _record_step_opened(case, opening, now=now, actor=clerk)


def _next_step(tasks: list[Task], *, after_step: int) -> list[Task]:
    """The waiting review tasks of the first step after `after_step` (they run in parallel), in order."""
    waiting = [t for t in tasks if t.kind in REVIEW_KINDS and t.state == TaskState.WAITING and t.step > after_step]
    if not waiting:
        return []
    step = min(t.step for t in waiting)
    return [t for t in waiting if t.step == step]


def _mark_open(case: Case, tasks: list[Task], *, today) -> None:
    for task in tasks:
        task.state, task.opened_on = TaskState.OPEN, today
        task.due_on = deadlines.task_due_on(opened_on=today, limit_days=task.limit_days, case_due_on=case.due_on)


def _record_step_opened(case: Case, tasks: list[Task], *, now: datetime, actor) -> None:
    record_event(case, "step_opened", actor=actor, now=now, data={"step": tasks[0].step, "tasks": [
        {"task": task.pk, "department": task.department.name, "due_on": task.due_on} for task in tasks]})


def open_next_step(case: Case, tasks: list[Task], *, after_step: int, now: datetime, actor) -> bool:
    """Open every waiting review task of the next step (they run in parallel): one UPDATE per due date
    (tasks of a step share it unless their stage limits differ). `tasks` are the case's tasks as read
    under the case lock; the opened ones are changed in place. False when no step is left."""
    opening = _next_step(tasks, after_step=after_step)
    if not opening:
        return False
    today = local_day(now)
    _mark_open(case, opening, today=today)
    by_due: dict = {}
    for task in opening:
        by_due.setdefault(task.due_on, []).append(task.pk)
    for due_on, ids in by_due.items():
        Task.objects.filter(pk__in=ids).update(state=TaskState.OPEN, opened_on=today, due_on=due_on)
    _record_step_opened(case, opening, now=now, actor=actor)
    return True


def case_tasks(case: Case) -> list[Task]:
    """Every task of a case locked by lock_case, with its department. Not locked row by row: every
    writer of tasks locks the case first (see transitions.lock_case), so under that lock these rows are
    current and stay so until commit."""
    if not is_locked(case):
        raise RuntimeError("case_tasks needs a case from lock_case")
    tasks = _CASE_TASKS.all([case.pk])
    for task in tasks:
        task.case = case
    return tasks


def _require_open(task: Task, *, states, action: str) -> None:
    if task.state not in states:
        raise Conflict(_("审批任务“%(name)s”（%(dept)s）当前为“%(state)s”，不能%(action)s") % {
            "name": task.name, "dept": task.department.name, "state": task.get_state_display(),
            "action": ACTION_LABELS.get(action, action)})


def _lock_task(task: Task, *, states=(TaskState.OPEN,), action: str) -> Task:
    locked = Task.objects.select_for_update(of=("self",)).select_related("department").get(pk=task.pk)
    _require_open(locked, states=states, action=action)
    return locked


def _require_in_progress(case: Case, action: str) -> None:
    if case.state != CaseState.IN_PROGRESS:
        raise Conflict(_("办件 %(number)s 当前状态为“%(state)s”，不能%(action)s") % {
            "number": case.number, "state": state_label(case.state), "action": ACTION_LABELS.get(action, action)})


def _check_handler(approver, task: Task) -> None:
    if not access.can_handle_task(approver, task):
        raise PermissionDenied(_("您不是“%(dept)s”的审批人员，不能办理该环节") % {"dept": task.department.name})


def approve_all(case: Case, *, actor, now: datetime, actor_label: str = "", data: dict | None = None) -> Case:
    """Every review task done: the case is approved and its result issued (results.issue_result)."""
    from .results import issue_result

    case.decided_at = now
    transition(case, "approve_all", actor=actor, now=now, actor_label=actor_label, fields=("decided_at",),
               data=data)
    issue_result(case, actor=actor, now=now)
    return case


def _approve_locked(case: Case, task: Task, tasks: list[Task], *, approver, opinion: str, now: datetime,
                    actor_label: str = "") -> None:
    """`task` (one of `tasks`, the case's tasks read under its lock) approved; the next step opens when
    its step is done, and after the last step the case is approved."""
    task.state, task.completed_at, task.completed_by, task.opinion = TaskState.APPROVED, now, approver, opinion
    fastsql.update(task, ["state", "completed_at", "completed_by", "opinion"])
    record_event(case, "task_approved", actor=approver, now=now, actor_label=actor_label, reason=opinion,
                 data={"task": task.pk, "step": task.step, "name": task.name, "department": task.department.name})
    step_open = any(t.step == task.step and t.kind in REVIEW_KINDS
                    and t.state in (TaskState.WAITING, *OPEN_TASK_STATES) for t in tasks)
    if step_open:
        return  # a parallel department has not finished yet
    if not open_next_step(case, tasks, after_step=task.step, now=now, actor=approver):
        load_result_parties(case)
        approve_all(case, actor=approver, now=now, actor_label=actor_label)


def load_result_parties(case: Case) -> None:
    """What issuing the result reads (the item with its department, the applicant, the centre), in
    one query, for a case locked without them (lock_case(related=())): approvals that do not finish
    the case do not pay for the joins."""
    missing = [name for name in ("item", "applicant", "centre") if not Case._meta.get_field(name).is_cached(case)]
    if not missing:
        return
    related = ["item__department" if name == "item" else name for name in missing]
    loaded = Case.objects.select_related(*related).get(pk=case.pk)
    for name in missing:
        setattr(case, name, getattr(loaded, name))


def approve_task(*, approver, task: Task, opinion: str = "", now: datetime | None = None) -> Task:
    """Approve one department's part of a step. When every task of the step is done the next step
    opens; after the last one the case is approved and the result issued. Returns the task as it now
    stands (its case is the one updated here)."""
    now = moment(now)
    _check_handler(approver, task)
    opinion = (opinion or "").strip()
    with transaction.atomic():
        case = lock_case(task.case, related=())  # the case first, always: parallel approvers queue here
        tasks = case_tasks(case)
        locked = next((t for t in tasks if t.pk == task.pk), None)
        if locked is None:  # pragma: no cover - tasks are never deleted or moved to another case
            raise Conflict(_("审批任务不属于该办件"))
        _require_open(locked, states=(TaskState.OPEN,), action="approve")
        _require_in_progress(case, "approve")
        with audit_batch(case):  # task approved, and the next step opened or the case approved with its result
            _approve_locked(case, locked, tasks, approver=approver, opinion=opinion, now=now)
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
        locked = _lock_task(task, action="deny")
        require(case, "deny")
        locked.state, locked.completed_at, locked.completed_by, locked.opinion = TaskState.DENIED, now, approver, reason
        locked.save(update_fields=["state", "completed_at", "completed_by", "opinion"])
        Task.objects.filter(case=case, state__in=[TaskState.WAITING, *OPEN_TASK_STATES]).update(
            state=TaskState.CANCELLED)
        DenialFiling.objects.create(case=case, kind=DenialKind.DENIAL, department=locked.department, reason=reason,
                                    filed_by=approver, filed_at=now)
        case.decision_reason, case.decided_at, case.concluded_at = reason, now, now
        transition(case, "deny", actor=approver, now=now, reason=reason,
                   fields=("decision_reason", "decided_at", "concluded_at"),
                   data={"task": locked.pk, "department": locked.department.name})
    return Task.objects.get(pk=task.pk)


# -- clock stops and extensions -------------------------------------------------------------------------

def start_special_procedure(*, approver, task: Task, kind: str, limit_days: int, reason: str,
                            now: datetime | None = None) -> SpecialProcedure:
    """特别程序 (Art. 45): hearing, expert review, inspection, public notice … The clock stops for the
    whole case; the procedure has its own limit and the applicant is told it in writing (the notice
    is issued with it: applicant_notified_at)."""
    now = moment(now)
    _check_handler(approver, task)
    if kind not in ProcedureKind.values:
        raise ValidationError(_("特别程序类型应为：%(all)s") % {"all": "、".join(str(label) for label in ProcedureKind.labels)},
                              field="kind")
    limit_days = to_int(limit_days, field="limit_days", minimum=1, maximum=MAX_PROCEDURE_DAYS)
    reason = required_text(reason, field="reason", message=_("启动特别程序必须写明理由"))
    today = local_day(now)
    with transaction.atomic():
        case = lock_case(task.case)
        locked = _lock_task(task, action="start_special_procedure")
        require(case, "start_special_procedure")
        procedure = SpecialProcedure.objects.create(
            case=case, task=locked, kind=kind, limit_days=limit_days, started_on=today,
            due_on=deadlines.calendar.add_working_days(today, limit_days).due_on, started_by=approver, reason=reason,
            applicant_notified_at=now)
        locked.state = TaskState.SUSPENDED
        locked.save(update_fields=["state"])
        case.paused_since = today
        transition(case, "start_special_procedure", actor=approver, now=now, reason=reason, fields=("paused_since",),
                   data={"procedure": procedure.pk, "kind": kind, "limit_days": limit_days,
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
        paused = deadlines.paused_working_days(case.paused_since or locked.started_on, today)
        locked.ended_on, locked.outcome = today, outcome
        locked.save(update_fields=["ended_on", "outcome"])
        Task.objects.filter(pk=locked.task_id, state=TaskState.SUSPENDED).update(state=TaskState.OPEN)
        data = resume_clock(case, paused)
        data.update({"procedure": locked.pk, "kind": locked.kind, "overran": today > locked.due_on})
        transition(case, "end_special_procedure", actor=approver, now=now, reason=outcome,
                   fields=("paused_days", "paused_since", "due_on", "due_provisional", "calendar_version"), data=data)
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
        if locked.paused_since is None and today > locked.due_on:
            raise Conflict(_("办理期限 %(d)s 已过，延长须在期限届满前批准") % {"d": locked.due_on})
        previous = locked.due_on
        locked.extension_days += days
        deadlines.apply_deadline(locked)
        extension = Extension.objects.create(case=locked, days=days, reason=reason, requested_by=approver,
                                             approved_by=approver, approved_at=now, applicant_notified_at=now,
                                             previous_due_on=previous, new_due_on=locked.due_on)
        transition(locked, "extend", actor=approver, now=now, reason=reason,
                   fields=("extension_days", "due_on", "due_provisional", "calendar_version"),
                   data={"extension": extension.pk, "days": days, "previous_due_on": previous,
                         "due_on": locked.due_on, "applicant_notified_at": now})
    return extension


# -- decided at once -------------------------------------------------------------------------------------

def _approve_every_task(case: Case, *, actor, opinion: str, now: datetime, actor_label: str = "") -> None:
    for task in Task.objects.filter(case=case, kind__in=REVIEW_KINDS).exclude(
            state__in=[TaskState.APPROVED, TaskState.CANCELLED]).order_by("step", "id"):
        task.state, task.opened_on = TaskState.APPROVED, task.opened_on or local_day(now)
        task.completed_at, task.completed_by, task.opinion = now, actor, opinion
        task.save(update_fields=["state", "opened_on", "completed_at", "completed_by", "opinion"])
    approve_all(case, actor=actor, now=now, actor_label=actor_label, data={"opinion": opinion})


def decide_if_immediate(case: Case, *, clerk, now: datetime) -> None:
    """After acceptance: an immediate item (即办件) is decided on the spot, and an item whose
    instant-approval rules hold likewise. When the applicant is at the window and nothing is owed, the
    result is handed over in the same visit (concluded the same day); an application that came in
    online or by post waits, approved, for the clerk to choose its delivery."""
    from .results import conclude_locked, owed_reasons

    if case.state != CaseState.IN_PROGRESS:
        return
    outcome = rules.evaluate(case.item.instant_approval_rules, form_data=case.form_data, applicant=case.applicant)
    if outcome.holds:
        case.instant_rule = outcome.as_record()
        case.save(update_fields=["instant_rule", "updated_at"])
        _approve_every_task(case, actor=clerk, opinion=_("秒批：申请数据符合全部自动审批规则"), now=now)
    elif case.item.is_immediate:
        _approve_every_task(case, actor=clerk, opinion=_("即办件，窗口当场办结"), now=now)
    else:
        return
    if case.channel == Channel.WINDOW and not owed_reasons(case):
        conclude_locked(case, actor=clerk, delivery_method="pickup", now=now, same_visit=True)


def try_instant_approval(case: Case, *, now: datetime) -> bool:
    """秒批 for an application arriving online (or by post/API): when the item has rules, every rule
    holds on the applicant's data and nothing required is missing, the system accepts, approves,
    issues the e-certificate and concludes with electronic delivery, recording the rules on the case.
    Otherwise the case waits for the clerk, with the rule that failed on its record."""
    from .intake import accept
    from .results import conclude_locked, owed_reasons

    outcome = rules.evaluate(case.item.instant_approval_rules, form_data=case.form_data, applicant=case.applicant)
    if not outcome.applies:
        return False
    missing = list(case.materials.filter(status=CaseMaterialStatus.MISSING).values_list("name", flat=True))
    if not outcome.holds or missing:
        record_event(case, "instant_approval_declined", actor=None, now=now, actor_label=_("秒批规则"),
                     data={"failed": [r.label for r in outcome.failed], "missing_materials": missing})
        return False
    label = _("秒批规则")
    case.instant_rule = outcome.as_record()
    case.save(update_fields=["instant_rule", "updated_at"])
    accept(case, clerk=None, now=now, actor_label=label)
    _approve_every_task(case, actor=None, opinion=_("秒批：申请数据符合全部自动审批规则"), now=now, actor_label=label)
    if not owed_reasons(case):
        conclude_locked(case, actor=None, delivery_method="electronic", now=now, actor_label=label)
    return True
