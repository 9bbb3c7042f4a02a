"""The decision on a locked case: a task approved (the next step opening, or the case approved with its
result after the last), every task approved at once for an immediate item (即办件) or when the
instant-approval rules hold (秒批)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import ForeignKey
from django.utils.translation import gettext as _

from onewindow.core import fastsql

from .. import rules
from ..inputs import local_day
from ..models import Case, Channel, Task
from ..states import OPEN_TASK_STATES, CaseState, TaskState
from ..transitions import record_action, task_transition, transition
from .outcome import conclude_locked, issue_result, owed_reasons
from .tasks import REVIEW_KINDS, open_next_step


def approve_all(case: Case, *, actor, now: datetime, actor_label: str = "", data: dict | None = None) -> Case:
    """Every review task done: the case is approved and its result issued (outcome.issue_result)."""
    case.decided_at = now
    transition(case, "approve_all", actor=actor, now=now, actor_label=actor_label, fields=("decided_at",),
               data=data)
    issue_result(case, actor=actor, now=now)
    return case


def approve_locked(case: Case, task: Task, tasks: list[Task], *, approver, opinion: str, now: datetime,
                   actor_label: str = "") -> None:
    """`task` (one of `tasks`, the case's tasks read under its lock) approved; the next step opens when
    its step is done, and after the last step the case is approved."""
    task_transition(case, [task], "approve", completed_at=now, completed_by=approver, opinion=opinion)
    record_action(case, "approve_task", actor=approver, now=now, actor_label=actor_label, reason=opinion,
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
    missing = [name for name in ("item", "applicant", "centre") if not _is_cached(name, case)]
    if "item" not in missing and not _is_cached("department", case.item):
        missing.append("item")
    if not missing:
        return
    loaded = _RESULT_PARTIES.get([case.pk])
    for name in missing:
        setattr(case, name, getattr(loaded, name))


# issue_result reads them (the item's department issues the certificate)
RESULT_PARTIES = ("item", "item__department", "applicant", "centre")
# Read by the approval that finishes a case: compiled once (core/fastsql.py).
_RESULT_PARTIES = fastsql.Select(Case, "{id} = %s", related=RESULT_PARTIES)


def _is_cached(name: str, obj) -> bool:
    field = type(obj)._meta.get_field(name)
    return isinstance(field, ForeignKey) and field.is_cached(obj)


def approve_every_task(case: Case, *, actor, opinion: str, now: datetime, actor_label: str = "") -> None:
    """Decided at once: every review task not yet done is approved, and the case with it."""
    tasks = list(Task.objects.filter(case=case, kind__in=REVIEW_KINDS).exclude(
        state__in=[TaskState.APPROVED, TaskState.CANCELLED]).order_by("step", "id"))
    today = local_day(now)
    for task in tasks:
        task.opened_on = task.opened_on or today
    task_transition(case, tasks, "decide_at_once", fields=("opened_on",), completed_at=now, completed_by=actor,
                    opinion=opinion)
    approve_all(case, actor=actor, now=now, actor_label=actor_label, data={"opinion": opinion})


def decide_if_immediate(case: Case, *, clerk, now: datetime) -> None:
    """After acceptance: an immediate item (即办件) is decided on the spot, and an item whose
    instant-approval rules hold likewise. When the applicant is at the window and nothing is owed, the
    result is handed over in the same visit (concluded the same day); an application that came in
    online or by post waits, approved, for the clerk to choose its delivery."""
    if case.state != CaseState.IN_PROGRESS:
        return
    outcome = rules.evaluate(case.item.instant_approval_rules, form_data=case.form_data, applicant=case.applicant)
    if outcome.holds:
        case.instant_rule = outcome.as_record()
        case.save(update_fields=["instant_rule", "updated_at"])
        approve_every_task(case, actor=clerk, opinion=_("秒批：申请数据符合全部自动审批规则"), now=now)
    elif case.item.is_immediate:
        approve_every_task(case, actor=clerk, opinion=_("即办件，窗口当场办结"), now=now)
    else:
        return
    if case.channel == Channel.WINDOW and not owed_reasons(case):
        conclude_locked(case, actor=clerk, delivery_method="pickup", now=now, same_visit=True)
