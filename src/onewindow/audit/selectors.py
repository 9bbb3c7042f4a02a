from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min

from .models import AuditEvent


def events_for(chain_key: str):
    """The events of one chain, oldest first."""
    return AuditEvent.objects.filter(chain__key=chain_key).select_related("actor").order_by("position")


# -- case events, for the applicant notifications outbox (notify) ---------------------------------

CASE_CHAIN_PREFIX = "case:"


@dataclass(frozen=True)
class CaseEvent:
    id: int
    case_number: str
    verb: str  # onewindow.case.<verb>
    occurred_at: datetime
    reason: str
    data: dict


def case_events_after(last_event_id: int, *, verbs: Iterable[str], limit: int) -> list[CaseEvent]:
    """Events of case chains with an id above `last_event_id` whose action is one of
    `onewindow.case.<verb>`, oldest first (ids only grow). Uses the primary key index."""
    actions = [f"onewindow.case.{verb}" for verb in verbs]
    rows = (AuditEvent.objects.filter(id__gt=last_event_id, action__in=actions,
                                      chain__key__startswith=CASE_CHAIN_PREFIX)
            .order_by("id").values_list("id", "chain__key", "action", "occurred_at", "reason", "data")[:limit])
    return [CaseEvent(id=pk, case_number=key[len(CASE_CHAIN_PREFIX):], verb=action.rsplit(".", 1)[-1],
                      occurred_at=occurred_at, reason=reason, data=data or {})
            for pk, key, action, occurred_at, reason, data in rows]


def first_case_event_id_since(moment: datetime, *, verbs: Iterable[str]) -> int | None:
    """The smallest id of an event `onewindow.case.<verb>` that occurred at or after `moment`, or None
    (a range on the occurred_at index from `moment`: run once, when a new installation's outbox starts)."""
    actions = [f"onewindow.case.{verb}" for verb in verbs]
    return AuditEvent.objects.filter(action__in=actions, occurred_at__gte=moment).aggregate(first=Min("id"))["first"]


def last_event_id(*, before: datetime | None = None) -> int:
    """The id of the newest audit event (that occurred at or before `before`), 0 when there is none."""
    events = AuditEvent.objects.all() if before is None else AuditEvent.objects.filter(occurred_at__lte=before)
    return events.order_by("-id").values_list("id", flat=True).first() or 0


# -- events of any kind of work item, for the outbox (notify) ------------------------------------------

@dataclass(frozen=True)
class ChainEvent:
    id: int
    subject: str  # the chain key after its prefix: a work order's number
    verb: str     # the action's last part
    occurred_at: datetime
    reason: str
    data: dict


def chain_events_after(last_event_id: int, *, prefix: str, actions: Iterable[str], limit: int) -> list[ChainEvent]:
    """Events of the chains `prefix…` with an id above `last_event_id` whose action is one of `actions`,
    oldest first (the primary key index, as case_events_after)."""
    rows = (AuditEvent.objects.filter(id__gt=last_event_id, action__in=list(actions), chain__key__startswith=prefix)
            .order_by("id").values_list("id", "chain__key", "action", "occurred_at", "reason", "data")[:limit])
    return [ChainEvent(id=pk, subject=key[len(prefix):], verb=action.rsplit(".", 1)[-1], occurred_at=occurred_at,
                       reason=reason, data=data or {})
            for pk, key, action, occurred_at, reason, data in rows]


def first_event_id_since(moment: datetime, *, actions: Iterable[str]) -> int | None:
    return AuditEvent.objects.filter(action__in=list(actions), occurred_at__gte=moment).aggregate(first=Min("id"))["first"]
