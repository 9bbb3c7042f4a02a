"""What the law deems when a clock runs out, applied by the efficiency office's daily check (the
supervision app calls these through cases.services; no person acts, the event names the rule):

- 视为受理 (Administrative Licensing Law Art. 32): an application neither accepted nor refused within
  the acceptance limit is accepted from the day it arrived — its clock counts from then;
- 视为撤回: the applicant missed the date promised for a waived material or a supplement;
- 视为不予受理 / 不予许可: the same, where the item's rules say so — refused before acceptance, denied
  (with the denial filed for review, 否定报备) after it.

Each locks the case and changes it only through the transition table, so a case already decided or
withdrawn meets a Conflict and is left as it is."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict

from . import deadlines
from .inputs import local_day, moment, required_text
from .models import Case, DenialFiling, DenialKind, SpecialProcedure
from .states import CaseState
from .steps.acceptance import refuse_locked
from .steps.tasks import create_tasks
from .transitions import audit_batch, lock_case, released, task_transition, transition

__all__ = ["deem_accepted", "deem_refused", "deem_withdrawn"]


def deem_accepted(*, case: Case, rule: str, now: datetime | None = None) -> Case:
    """视为受理: accepted_on is the day the application arrived; its tasks open now."""
    now = moment(now)
    with transaction.atomic():
        locked = lock_case(case)
        if locked.state != CaseState.SUBMITTED:
            raise Conflict(_("办件 %(n)s 不在待受理状态，不能视为受理") % {"n": locked.number})
        with audit_batch(locked):
            locked.accepted_on, locked.accepted_by = local_day(locked.submitted_at), None
            deadlines.apply_deadline(locked)
            transition(locked, "accept", actor=None, now=now, actor_label=rule, reason=rule,
                       fields=("accepted_on", "accepted_by", *deadlines.CASE_DATES),
                       data={"deemed": True, "accepted_on": locked.accepted_on, "due_on": locked.due_on,
                             "committed_limit_days": locked.committed_limit_days})
            create_tasks(locked, clerk=None, now=now)
    return released(locked)


def deem_withdrawn(*, case: Case, rule: str, reason: str, now: datetime | None = None) -> Case:
    """视为撤回: open tasks are cancelled and a running special procedure ends, as on withdrawal."""
    now = moment(now)
    reason = required_text(reason, field="reason", message=_("须写明理由"))
    with transaction.atomic():
        locked = lock_case(case)
        task_transition(locked, None, "cancel", stopped_on=local_day(now))
        SpecialProcedure.objects.filter(case=locked, ended_on__isnull=True).update(
            ended_on=local_day(now), outcome=_("视为撤回申请，程序终止"))
        locked.decision_reason, locked.concluded_at, locked.paused_since = reason, now, None
        transition(locked, "withdraw", actor=None, now=now, reason=reason, actor_label=rule,
                   fields=("decision_reason", "concluded_at", "paused_since"), data={"deemed": True})
    return released(locked)


def deem_refused(*, case: Case, rule: str, reason: str, now: datetime | None = None) -> Case:
    """视为不予受理 before acceptance, 不予许可 after it (while in review); filed for review either way."""
    now = moment(now)
    reason = required_text(reason, field="reason", message=_("须写明理由"))
    with transaction.atomic():
        locked = lock_case(case)
        if locked.accepted_on is None:
            refuse_locked(locked, clerk=None, reason=reason, now=now)
            return released(locked)
        if locked.state != CaseState.IN_PROGRESS:
            raise Conflict(_("办件 %(n)s 当前状态不能视为不予许可") % {"n": locked.number})
        task_transition(locked, None, "cancel", stopped_on=local_day(now))
        DenialFiling.objects.create(case=locked, kind=DenialKind.DENIAL, department=locked.item.department,
                                    reason=reason, filed_by=None, filed_at=now)
        locked.decision_reason, locked.decided_at, locked.concluded_at = reason, now, now
        transition(locked, "deny", actor=None, now=now, reason=reason, actor_label=rule,
                   fields=("decision_reason", "decided_at", "concluded_at"), data={"deemed": True})
    return released(locked)
