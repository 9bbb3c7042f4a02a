"""The daily check: each item's breach policy applied to the clocks that ran out.

- escalated: an open case red for more than the policy's days goes up to its named level (a Breach
  row: the board lists it and the case page shows it);
- deemed accepted: an application neither accepted nor refused within the acceptance limit (5 working
  days by default, Art. 32) is accepted from the day it arrived (cases.services.deem_accepted);
- deemed withdrawn or refused: the applicant missed the date promised for a waived material, or did
  not answer a supplement notice within the policy's days (cases.services.deem_withdrawn / deem_refused).

Idempotent: a day runs once (CheckRun, unique per day: the same day again does nothing) and each case
has at most one breach of each kind (a unique constraint), so a crash half-way and a rerun the next
day never double anything. Escalations are written in bulk (one INSERT per batch, their audit events
appended to the day's chain together); the deemed changes, few a day, go one by one through the
cases' services."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.calendar import selectors as calendar
from onewindow.cases import services as case_services
from onewindow.core.errors import DomainError

from . import casefacts
from .models import Breach, BreachKind, BreachPolicy, CheckRun, EscalationLevel, MissedPromise

BATCH = 5000
RULE_LABEL = "效能监察每日检查"


def _policies() -> dict[int, BreachPolicy]:
    return {policy.item_id: policy for policy in BreachPolicy.objects.all()}


DEFAULT = BreachPolicy()


def _breach(case, kind: str, *, day: date, now: datetime, detail: str, level: str = "",
            effective_on: date | None = None) -> Breach:
    return Breach(case_id=case.pk, kind=kind, item_id=case.item_id, department_id=case.item.department_id,
                  level=level, detected_on=day, effective_on=effective_on, detail=detail[:500], created_at=now)


def _record(day: date, breaches: list[Breach], numbers: dict[int, str], now: datetime) -> None:
    if not breaches:
        return
    audit.record_many(f"supervision-check:{day.isoformat()}", [
        {"action": f"onewindow.supervision.{b.kind}", "actor": None, "actor_label": RULE_LABEL, "now": now,
         "from_state": "", "to_state": "", "reason": b.detail,
         "data": {"case": numbers.get(b.case_id, ""), "kind": b.kind, "level": b.level,
                  "effective_on": b.effective_on}} for b in breaches])


def _escalate(day: date, now: datetime, policies: dict[int, BreachPolicy]) -> int:
    """Red cases not yet escalated, in batches: one INSERT and one audit append per batch."""
    red = casefacts.cases_with_light(casefacts.open_cases(), today=day).filter(Q(board_light="red"))
    red = red.exclude(breaches__kind=BreachKind.ESCALATED)
    rows = red.order_by("id").values_list("id", "number", "item_id", "item__department_id", "due_on")
    done, last = 0, 0
    while True:
        batch = list(rows.filter(id__gt=last)[:BATCH])
        if not batch:
            return done
        last = batch[-1][0]
        breaches, numbers = [], {}
        for case_id, number, item_id, department_id, due_on in batch:
            policy = policies.get(item_id, DEFAULT)
            late = calendar.working_days_between(due_on, day).working_days if due_on else 0
            if late <= policy.escalate_after_days:
                continue
            level = policy.escalate_to or EscalationLevel.EFFICIENCY_OFFICE
            numbers[case_id] = number
            breaches.append(Breach(
                case_id=case_id, kind=BreachKind.ESCALATED, item_id=item_id, department_id=department_id,
                level=level, detected_on=day, created_at=now,
                detail=_("超期 %(n)s 个工作日（期限 %(d)s），升级至%(level)s") % {
                    "n": late, "d": due_on, "level": EscalationLevel(level).label}))
        with transaction.atomic():
            Breach.objects.bulk_create(breaches, ignore_conflicts=True)
            _record(day, breaches, numbers, now)
        done += len(breaches)


def _apply(case, kind: str, change, *, day: date, now: datetime, detail: str,
           effective_on: date | None = None) -> bool:
    """One deemed change through the cases' service and its Breach row, together; a case that changed
    meanwhile (a Conflict) or already has this breach is left alone."""
    try:
        with transaction.atomic():
            breach = _breach(case, kind, day=day, now=now, detail=detail, effective_on=effective_on)
            breach.save()
            change()
            _record(day, [breach], {case.pk: case.number}, now)
    except (DomainError, IntegrityError):
        return False
    return True


def _deem_accepted(day: date, now: datetime, policies: dict[int, BreachPolicy]) -> int:
    done = 0
    for case in casefacts.waiting_for_acceptance(arrived_before=day).select_related("item").order_by("id"):
        policy = policies.get(case.item_id, DEFAULT)
        arrived = case.arrived_on  # type: ignore[attr-defined]  # annotated by waiting_for_acceptance
        if not policy.deemed_acceptance or calendar.working_days_between(arrived, day).working_days \
                <= policy.acceptance_days:
            continue
        detail = _("收到申请 %(n)s 个工作日内未作受理决定，自收到申请之日（%(d)s）起视为受理") % {
            "n": policy.acceptance_days, "d": arrived}
        done += _apply(case, BreachKind.DEEMED_ACCEPTED, lambda c=case, d=detail: case_services.deem_accepted(
            case=c, rule=RULE_LABEL, now=now), day=day, now=now, detail=detail, effective_on=arrived)
    return done


def _deem_missed(case, policy: BreachPolicy, detail: str, *, day: date, now: datetime) -> int:
    if policy.missed_promise == MissedPromise.WITHDRAWN:
        return int(_apply(case, BreachKind.DEEMED_WITHDRAWN, lambda: case_services.deem_withdrawn(
            case=case, rule=RULE_LABEL, reason=detail, now=now), day=day, now=now, detail=detail))
    if policy.missed_promise == MissedPromise.REFUSED:
        return int(_apply(case, BreachKind.DEEMED_REFUSED, lambda: case_services.deem_refused(
            case=case, rule=RULE_LABEL, reason=detail, now=now), day=day, now=now, detail=detail))
    return 0


def _missed_promises(day: date, now: datetime, policies: dict[int, BreachPolicy]) -> int:
    acting = {item_id for item_id, p in policies.items() if p.missed_promise != MissedPromise.NONE}
    if not acting:
        return 0
    done, seen = 0, set()
    for row in casefacts.missed_waivers(today=day).filter(case__item_id__in=acting).select_related(
            "case", "case__item").order_by("case_id", "id"):
        if row.case_id in seen:
            continue
        seen.add(row.case_id)
        detail = _("申请人承诺于 %(d)s 前补齐容缺材料“%(m)s”，逾期未补齐") % {"d": row.promised_by, "m": row.name}
        done += _deem_missed(row.case, policies[row.case.item_id], detail, day=day, now=now)
    for request in casefacts.missed_supplements(requested_before=day).filter(case__item_id__in=acting) \
            .select_related("case", "case__item").order_by("case_id", "id"):
        policy = policies[request.case.item_id]
        if request.case_id in seen or not policy.supplement_days:
            continue
        if calendar.working_days_between(request.requested_on, day).working_days <= policy.supplement_days:
            continue
        seen.add(request.case_id)
        detail = _("%(d)s 一次性告知补正后 %(n)s 个工作日内未补正") % {"d": request.requested_on,
                                                              "n": policy.supplement_days}
        done += _deem_missed(request.case, policy, detail, day=day, now=now)
    return done


def run_daily_check(*, day: date | None = None, now: datetime | None = None) -> dict:
    """Apply every breach policy for `day` (today by default). Returns the figures; a day already
    checked returns its figures with `already_ran` and changes nothing."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    done = CheckRun.objects.filter(day=day).first()
    if done is not None:
        return {**done.figures, "already_ran": True}
    policies = _policies()
    figures = {"day": day.isoformat(),
               BreachKind.DEEMED_ACCEPTED.value: _deem_accepted(day, now, policies),
               "missed_promises": _missed_promises(day, now, policies),
               BreachKind.ESCALATED.value: _escalate(day, now, policies)}
    try:
        with transaction.atomic():
            CheckRun.objects.create(day=day, ran_at=now, figures=figures)
    except IntegrityError:  # another run finished the same day first
        return {**figures, "already_ran": True}
    return {**figures, "already_ran": False}
