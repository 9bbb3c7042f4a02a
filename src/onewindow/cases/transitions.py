"""The one way a case changes state: lock the row, re-check the state against the transition table
(states.CASE_TRANSITIONS), change it, and append the audit event on the case's chain — all inside the
caller's transaction, so a refused action changes nothing.

    with transaction.atomic():
        case = lock_case(case)          # SELECT … FOR UPDATE: a second clerk waits here …
        require(case, "accept")         # … and then finds the state changed: Conflict
        … checks and changes …
        transition(case, "accept", actor=clerk, now=now, data={…})

Events that keep the state (a task approved, a fee paid) go through `record_event`. An action that
writes several events wraps its work in `audit_batch(case)`: they are appended together when it ends."""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onewindow.audit import services as audit
from onewindow.core import fastsql
from onewindow.core.errors import Conflict

from .models import Case
from .states import CASE_TRANSITIONS, CaseState

_LOCKED = "_onewindow_locked"

# Transition name -> audit action verb (onewindow.case.<verb>).
VERBS = {
    "accept": "accepted",
    "request_supplement_at_intake": "supplement_requested",
    "request_supplement_in_review": "supplement_requested",
    "supply": "supplied",
    "refuse": "refused",
    "start_special_procedure": "special_procedure_started",
    "end_special_procedure": "special_procedure_ended",
    "extend": "extended",
    "approve_all": "approved",
    "deny": "denied",
    "conclude": "concluded",
    "withdraw": "withdrawn",
}

# What the person tried to do, for the refusal message.
ACTION_LABELS = {
    "accept": gettext_lazy("受理"),
    "request_supplement_at_intake": gettext_lazy("一次性告知补正"),
    "request_supplement_in_review": gettext_lazy("要求补正"),
    "supply": gettext_lazy("补正材料"),
    "refuse": gettext_lazy("不予受理"),
    "start_special_procedure": gettext_lazy("启动特别程序"),
    "end_special_procedure": gettext_lazy("结束特别程序"),
    "extend": gettext_lazy("延长办理时限"),
    "approve_all": gettext_lazy("批准"),
    "deny": gettext_lazy("不予许可"),
    "conclude": gettext_lazy("办结送达"),
    "withdraw": gettext_lazy("撤回申请"),
    "approve": gettext_lazy("审批通过"),
    "pay": gettext_lazy("登记缴费"),
    "supply_waived": gettext_lazy("补齐容缺材料"),
}


def chain_key(case) -> str:
    return f"case:{case.number}"


LOCK_RELATED = ("item", "applicant", "centre")
# Every case action starts here: one statement per `related`, compiled once (core/fastsql.py).
_LOCKS: dict[tuple[str, ...], fastsql.Select] = {}


def lock_case(case, *, related: tuple[str, ...] = LOCK_RELATED) -> Case:
    """The case row, locked for the rest of the transaction and read fresh (another clerk may have
    changed it while we waited for the lock), read with `related` (joined, not locked). A caller that
    needs none of them passes `related=()`: the item row is wide and most approvals never read it.
    Every writer of a case's rows (tasks, materials, fees …) takes this lock first, so under it those
    rows can be read without locking each. On SQLite the whole write transaction is already exclusive
    (BEGIN IMMEDIATE in settings)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_case must run inside a transaction")
    select = _LOCKS.get(related)
    if select is None:
        select = _LOCKS.setdefault(related, fastsql.Select(Case, "{id} = %s", related=related, for_update=True))
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
    return str(CaseState(state).label) if state in CaseState.values else state


def require(case: Case, action: str) -> None:
    """Conflict unless `action` is allowed in the case's current state."""
    allowed, _target = CASE_TRANSITIONS[action]
    if case.state not in allowed:
        raise Conflict(_("办件 %(number)s 当前状态为“%(state)s”，不能%(action)s") % {
            "number": case.number, "state": state_label(case.state),
            "action": ACTION_LABELS.get(action, action)})


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
    pending[key] = []
    try:
        yield
        events = pending[key]
    finally:
        del pending[key]
        if token is not None:
            _PENDING.reset(token)
    if events:
        audit.record_many(key, events)


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
        audit.record(chain_key=key, **event)


def transition(case: Case, action: str, *, actor, now: datetime, reason: str = "", data: dict | None = None,
               to_state: str | None = None, fields: tuple[str, ...] | list[str] = (), actor_label: str = "") -> Case:
    """Check the table, change the state, save `fields` with it and write the audit event.
    `to_state` is for transitions whose target depends on the case (supply: back to where it was)."""
    if not is_locked(case):
        raise RuntimeError("transition needs a case from lock_case")
    require(case, action)
    _allowed, target = CASE_TRANSITIONS[action]
    from_state = case.state
    case.state = target or to_state or from_state
    fastsql.update(case, sorted({"state", "updated_at", *fields}))  # save(update_fields=…) without compiling
    record_event(case, VERBS[action], actor=actor, now=now, from_state=from_state, to_state=case.state,
                 reason=reason, data=data, actor_label=actor_label)
    return case
