"""The one way a case or a task changes state: lock the case's row, re-check the state against its
transition table (states.CASE_MACHINE, states.TASK_MACHINE), change it, and append the audit event on
the case's chain — all inside the caller's transaction, so a refused action changes nothing.

    with transaction.atomic():
        case = lock_case(case)          # SELECT … FOR UPDATE: a second clerk waits here …
        require(case, "accept")         # … and then finds the state changed: Conflict
        … checks and changes …
        transition(case, "accept", actor=clerk, now=now, data={…})

A task's state changes through `task_transition`, under the same lock and against its own table.
Events that keep the state (a task approved, a fee paid) go through `record_event`. An action that
writes several events wraps its work in `audit_batch(case)`: they are appended together when it ends."""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from functools import partial

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core import fastsql

from .models import Case, Task
from .states import CASE_MACHINE, TASK_MACHINE, CaseState, TaskState

_LOCKED = "_onewindow_locked"


CHAIN_PREFIX = "case:"
# The case's audit chain read (not locked) by the case's lock, into `case.audit_head` (see lock_case).
_HEAD = "audit_head"


def chain_key(case) -> str:
    return f"{CHAIN_PREFIX}{case.number}"


LOCK_RELATED = ("item", "applicant", "centre")
# Reaching these ends a clock (cases/deadlines.py): the decision, a refusal, a withdrawal; a stage done.
CLOCK_STOPPING_STATES = {CaseState.APPROVED, CaseState.DENIED, CaseState.REFUSED, CaseState.WITHDRAWN}
CLOCK_STOPPING_TASK_STATES = {TaskState.APPROVED, TaskState.DENIED, TaskState.CANCELLED}
# Every case action starts here: one statement per `related`, compiled once (core/fastsql.py).
_LOCKS: dict[tuple[str, ...], fastsql.Select] = {}


def lock_case(case, *, related: tuple[str, ...] = LOCK_RELATED) -> Case:
    """The case row, locked for the rest of the transaction and read fresh (another clerk may have
    changed it while we waited for the lock), read with `related` (joined, not locked). A caller that
    needs none of them passes `related=()`: the item row is wide and most approvals never read it.
    Every writer of a case's rows (tasks, materials, fees …) takes this lock first, so under it those
    rows can be read without locking each. On SQLite the whole write transaction is already exclusive
    (BEGIN IMMEDIATE in settings).

    The same statement reads the case's audit chain head (not locked): the action's first append
    hands it to audit.record_many, which writes on it only if no one else has appended since (see
    there) — one statement less per action than locking the chain again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must run inside a transaction")
    select = _LOCKS.get(related)
    if select is None:
        select = _LOCKS.setdefault(related, fastsql.Select(
            Case, "{id} = %s", related=related, for_update=True,
            attach=audit.head_attachment(_HEAD, f"'{CHAIN_PREFIX}' || {{number}}")))
    locked = select.get([case.pk])
    setattr(locked, _LOCKED, True)
    return locked


def is_locked(case) -> bool:
    """Whether `case` came from lock_case (in this transaction)."""
    return getattr(case, _LOCKED, False)


def released(case: Case) -> Case:
    """A case from lock_case handed back to the caller after its transaction: no longer marked locked
    (a later transaction has to lock it again before changing it)."""
    case.__dict__.pop(_LOCKED, None)
    return case


def state_label(state: str) -> str:
    return CASE_MACHINE.state_label(state)


def describe(case: Case) -> str:
    return _("办件 %(number)s") % {"number": case.number}


def describe_task(task: Task) -> str:
    return _("审批任务“%(name)s”（%(dept)s）") % {"name": task.name, "dept": task.department.name}


def require(case: Case, action: str) -> None:
    """Conflict unless `action` is allowed in the case's current state (states.CASE_MACHINE)."""
    CASE_MACHINE.require(case.state, action, describe=lambda: describe(case))


# chain key -> events waiting for the end of an audit_batch block (per thread / async context)
_PENDING: ContextVar[dict[str, list[dict]] | None] = ContextVar("onewindow_case_audit_pending", default=None)


@contextmanager
def audit_batch(case: Case):
    """Inside the block, the case's events (record_event, transition) are collected in order and
    written on leaving it, together — one lock of the chain, one insert, one head update
    (audit.record_many) instead of that per event — with the same rows and hashes. Use it inside the
    action's transaction, around everything after lock_case; an exception leaving the block writes
    nothing (the transaction rolls back). A block inside another one for the same case joins it."""
    key = chain_key(case)
    pending = _PENDING.get()
    if pending is not None and key in pending:
        yield
        return
    token = _PENDING.set({}) if pending is None else None
    pending = _PENDING.get()
    assert pending is not None  # set just above
    pending[key] = []
    try:
        yield
        events = pending[key]
    finally:
        del pending[key]
        if token is not None:
            _PENDING.reset(token)
    if events:
        audit.record_many(key, events, head=_take_head(case))


def record_event(case: Case, verb: str, *, actor, now: datetime, from_state: str = "", to_state: str = "",
                 reason: str = "", data: dict | None = None, actor_label: str = "") -> None:
    """Append an event to the case's chain — at once, or at the end of the audit_batch block around it."""
    event = {"action": f"onewindow.case.{verb}", "actor": actor,
             "actor_label": actor_label or ("" if actor is not None else _("系统")),
             "from_state": from_state or case.state, "to_state": to_state or case.state, "reason": reason,
             "data": data, "now": now}
    key = chain_key(case)
    pending = _PENDING.get()
    if pending is not None and key in pending:
        # as it is now: the caller may change its dict before the block ends
        event["data"] = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
        pending[key].append(event)
    else:
        audit.record(chain_key=key, head=_take_head(case), **event)


def _take_head(case: Case):
    """The chain head lock_case read with the case, once: a later append in the same transaction
    reads it afresh (audit.record_many checks it anyway)."""
    return case.__dict__.pop(_HEAD, None)


def transition(case: Case, action: str, *, actor, now: datetime, reason: str = "", data: dict | None = None,
               to_state: str | None = None, fields: tuple[str, ...] | list[str] = (), actor_label: str = "") -> Case:
    """Check the table, change the state, save `fields` with it and write the audit event.
    `to_state` is for transitions whose target depends on the case (supply: back to where it was)."""
    if not is_locked(case):
        raise RuntimeError("transition needs a case from lock_case")
    from_state = case.state
    case.state = CASE_MACHINE.target(from_state, action, describe=lambda: describe(case), default=to_state)
    if case.state in CLOCK_STOPPING_STATES and case.stopped_on is None:
        # The decision (approval, denial), a refusal or a withdrawal ends the case's clock that day.
        case.stopped_on, case.paused_since = timezone.localdate(now), None
        fields = (*fields, "stopped_on", "paused_since")
    fastsql.update(case, sorted({"state", "updated_at", *fields}))  # save(update_fields=…) without compiling
    record_event(case, CASE_MACHINE.verb(action), actor=actor, now=now, from_state=from_state, to_state=case.state,
                 reason=reason, data=data, actor_label=actor_label)
    return case


def record_action(case: Case, action: str, *, actor, now: datetime, **event) -> None:
    """The audit event of an action that keeps the case's state (a task approved, a fee paid), after
    checking the table allows it now."""
    require(case, action)
    record_event(case, CASE_MACHINE.verb(action), actor=actor, now=now, **event)


def task_transition(case: Case, tasks: list[Task] | None, action: str, *, fields: tuple[str, ...] = (),
                    where: dict | None = None, **values) -> int:
    """The one way a task changes state, on a case locked by lock_case (so its task rows are current).

    `tasks` given: each must be in a state the task table allows `action` from (Conflict otherwise,
    before anything changes); each gets the new state and `values`, and the saved ones are written —
    one statement per group of equal values, `fields` naming attributes the caller already set on
    each task. Unsaved tasks (being created) change in memory only.
    `tasks` None: every task of the case (narrowed by `where`) whose state the table allows the action
    from changes, in one UPDATE; the others are left as they are. Returns the number of tasks changed."""
    if not is_locked(case):
        raise RuntimeError("task_transition needs a case from lock_case")
    row = TASK_MACHINE[action]
    if row.target in CLOCK_STOPPING_TASK_STATES and "stopped_on" not in values and values.get("completed_at"):
        values["stopped_on"] = timezone.localdate(values["completed_at"])  # the stage's clock ends
    if tasks is None:
        return _update_case_tasks(case.pk, row.sources, where or {}, {"state": row.target, **values})
    for task in tasks:
        TASK_MACHINE.require(task.state, action, describe=partial(describe_task, task))
    groups: dict[tuple, list[Task]] = {}
    names = ["state", *values, *fields]
    target = row.target
    assert target is not None  # a task action always has a target state
    for task in tasks:
        task.state = target
        for name, value in values.items():
            setattr(task, name, value)
        if task.__dict__.pop(_WRITTEN, None) == (action, values) and not fields:
            continue  # written already, to these values
        if task.pk is not None:
            groups.setdefault(tuple(getattr(task, _field_key(name)) for name in names), []).append(task)
    for group in groups.values():
        if len(group) == 1:
            fastsql.update(group[0], names)  # save(update_fields=…) without compiling
        else:
            first = group[0]
            Task.objects.filter(pk__in=[t.pk for t in group]).update(
                **{_field_key(name): getattr(first, _field_key(name)) for name in names})
    return len(tasks)


# (vendor, value names, where names, number of source states) -> the UPDATE's text
_CASE_TASK_UPDATES: dict[tuple[str, tuple[str, ...], tuple[str, ...], int], str] = {}


def _update_case_tasks(case_id: int, sources: frozenset[str], where: dict, values: dict) -> int:
    """UPDATE the case's tasks in one of `sources` (and matching `where`, field names) to `values`:
    what `Task.objects.filter(…).update(…)` writes, its text built once per shape."""
    connection = transaction.get_connection()
    key = (connection.vendor, tuple(values), tuple(where), len(sources))
    sql = _CASE_TASK_UPDATES.get(key)
    if sql is None:
        qn = connection.ops.quote_name

        def column(name: str) -> str:
            return qn(fastsql.concrete_field(Task, "id" if name == "pk" else name).column)

        sets = ", ".join(f"{column(name)} = %s" for name in values)
        states = ", ".join(["%s"] * len(sources))
        conditions = " AND ".join([f"{column('case')} = %s", f"{column('state')} IN ({states})",
                                   *(f"{column(name)} = %s" for name in where)])
        sql = _CASE_TASK_UPDATES[key] = f"UPDATE {qn(Task._meta.db_table)} SET {sets} WHERE {conditions}"
    params = []
    for name, value in values.items():
        field = fastsql.concrete_field(Task, name)
        params.append(field.get_db_prep_save(value.pk if isinstance(value, Model) else value, connection))
    params += [case_id, *sorted(sources), *where.values()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


_WRITTEN = "_onewindow_written"


def mark_written(task: Task, action: str, values: dict) -> None:
    """`task` was already changed by `action` to `values` in the database (in the statement that read
    it, steps/tasks.case_tasks_changing): the task_transition that follows writes nothing for it."""
    setattr(task, _WRITTEN, (action, values))


def _field_key(name: str) -> str:
    """The attribute holding a field's value (a foreign key's id, not the related row)."""
    return fastsql.concrete_field(Task, name).attname
