"""The outbox: case events become notifications, and notifications are delivered.

`collect` reads the case events after the stored cursor and writes one Notification per (event, kind)
under a unique constraint, so a second run — a retried task, two workers, a re-run by hand — adds
nothing. `deliver` claims each undelivered text message with a conditional UPDATE (healthchecks'
sendalerts pattern) before handing it to the backend, so two workers never send one message twice,
and a worker that dies mid-send leaves the message to be retried after its back-off.

Ids of audit events are handed out when rows are inserted, not when they commit: an event with a
smaller id may become visible a moment after a larger one. The cursor therefore only moves past
events older than SETTLE; younger ones are read again by the next run (and skipped by the unique
constraint), so none is missed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from onewindow.audit import selectors as audit_selectors
from onewindow.cases import stats as case_stats
from onewindow.orgs.identity import mask_phone

from . import messages
from .backends import get_backend
from .models import Channel, Notification, OutboxCursor

logger = logging.getLogger("onewindow.notify")

CURSOR = "case-events"
SETTLE = timedelta(minutes=2)
BATCH = 500
MAX_BATCHES = 20  # at most 10 000 events per run; the next run goes on from there
DELIVERY_BATCH = 200


@dataclass
class DispatchReport:
    created: int = 0
    delivered: int = 0
    failed: int = 0
    cursor: int = 0

    def as_dict(self) -> dict:
        return {"created": self.created, "delivered": self.delivered, "failed": self.failed, "cursor": self.cursor}


def dispatch(*, now: datetime | None = None) -> DispatchReport:
    """One run of the outbox: collect new notifications, then deliver what is due."""
    now = now or timezone.now()
    from . import orders

    report = collect(now=now)
    report.created += orders.collect(now=now)
    delivered, failed = deliver(now=now)
    order_delivered, order_failed = orders.deliver(now=now)
    report.delivered, report.failed = delivered + order_delivered, failed + order_failed
    return report


def _max_age() -> timedelta:
    return timedelta(hours=settings.NOTIFY_MAX_AGE_HOURS)


def _locked_cursor(now: datetime) -> OutboxCursor:
    """The cursor row, locked until the end of the transaction (collectors take turns). A new
    installation starts just before the oldest event recent enough to be told."""
    cursor = OutboxCursor.objects.select_for_update().filter(name=CURSOR).first()
    if cursor is not None:
        return cursor
    first = audit_selectors.first_case_event_id_since(now - _max_age(), verbs=messages.VERB_KINDS)
    start = first - 1 if first is not None else audit_selectors.last_event_id()
    OutboxCursor.objects.get_or_create(name=CURSOR, defaults={"last_event_id": start})
    return OutboxCursor.objects.select_for_update().get(name=CURSOR)


def _notification(event: audit_selectors.CaseEvent, recipient: case_stats.Recipient, *, now: datetime) -> Notification:
    kind = messages.VERB_KINDS[event.verb]
    params = messages.parameters(verb=event.verb, number=event.case_number, item_name=recipient.item_name,
                                 reason=event.reason, data=event.data)
    with translation.override(settings.LANGUAGE_CODE):
        text = messages.render(kind, params)
    # Without a phone number the portal's list is the delivery: nothing to send.
    channel = Channel.SMS if recipient.phone else Channel.PORTAL
    return Notification(
        applicant_id=recipient.applicant_id, case_number=event.case_number, kind=kind, text=text, data=params,
        channel=channel, source_event_id=event.id, created_at=now,
        delivered_at=None if channel == Channel.SMS else now,
        next_attempt_at=now if channel == Channel.SMS else None)


def _collect_batch(events: list[audit_selectors.CaseEvent], *, now: datetime) -> int:
    cutoff = now - _max_age()
    recipients = case_stats.case_recipients(event.case_number for event in events)
    done = set(Notification.objects.filter(source_event_id__in=[event.id for event in events])
               .values_list("source_event_id", "kind"))
    rows = []
    for event in events:
        recipient = recipients.get(event.case_number)
        if recipient is None or event.occurred_at < cutoff:
            continue  # a case deleted by hand; an event too old to be news
        if (event.id, messages.VERB_KINDS[event.verb]) in done:
            continue
        rows.append(_notification(event, recipient, now=now))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def collect(*, now: datetime | None = None, batch_size: int = BATCH, max_batches: int = MAX_BATCHES) -> DispatchReport:
    """Turn the case events after the cursor into notifications for their applicants."""
    now = now or timezone.now()
    settled_before = now - SETTLE
    report = DispatchReport()
    position, settled = None, True
    for _ in range(max_batches):
        with transaction.atomic():
            cursor = _locked_cursor(now)
            start = cursor.last_event_id if position is None else max(position, cursor.last_event_id)
            events = audit_selectors.case_events_after(start, verbs=messages.VERB_KINDS, limit=batch_size)
            report.created += _collect_batch(events, now=now)
            for event in events:
                settled = settled and event.occurred_at <= settled_before
                if not settled:
                    break
                cursor.last_event_id = max(cursor.last_event_id, event.id)
            if settled and len(events) < batch_size:
                # Every notifiable event has been read: the settled events after it (other chains, other
                # actions) are no one's news, so the next run need not scan them again.
                cursor.last_event_id = max(cursor.last_event_id, audit_selectors.last_event_id(before=settled_before))
            cursor.save(update_fields=["last_event_id", "updated_at"])
            report.cursor = cursor.last_event_id
        if len(events) < batch_size:
            break
        position = events[-1].id
    return report


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def deliver(*, now: datetime | None = None, limit: int = DELIVERY_BATCH, backend=None) -> tuple[int, int]:
    """Send the text messages that are due; returns (delivered, failed this run). A message is tried
    NOTIFY_MAX_ATTEMPTS times, 1, 2, 4, … minutes apart, then given up (it stays in the portal)."""
    now = now or timezone.now()
    backend = backend or get_backend()
    max_attempts = settings.NOTIFY_MAX_ATTEMPTS
    due = list(Notification.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now,
                                           attempts__lt=max_attempts)
               .order_by("next_attempt_at", "id").values_list("id", "attempts")[:limit])
    delivered = failed = 0
    for pk, attempts in due:
        # Claim this attempt: only one worker's UPDATE matches the attempt count it read.
        claimed = Notification.objects.filter(pk=pk, attempts=attempts, delivered_at__isnull=True).update(
            attempts=F("attempts") + 1, next_attempt_at=now + _backoff(attempts + 1))
        if not claimed:
            continue
        notification = Notification.objects.select_related("applicant").get(pk=pk)
        try:
            backend.send(notification)
        except Exception as exc:  # a gateway's failure of any kind: record it, retry later
            failed += 1
            error = f"{type(exc).__name__}: {exc}"[:500]
            given_up = attempts + 1 >= max_attempts
            Notification.objects.filter(pk=pk).update(
                last_error=error, **({"next_attempt_at": None} if given_up else {}))
            logger.warning("通知发送失败 notification %s to %s failed (attempt %s%s): %s", pk,
                           mask_phone(notification.applicant.phone), attempts + 1, ", given up" if given_up else "",
                           error)
        else:
            delivered += 1
            Notification.objects.filter(pk=pk).update(delivered_at=now, last_error="", next_attempt_at=None)
    return delivered, failed


def send_confirmation_code(*, phone: str, code: str, minutes: int, backend=None, purpose: str = "register") -> None:
    """Send a new account's confirmation code by text message through the configured backend, in the
    site's language, at once (not through the outbox: it is useless a few minutes later). A failure is
    logged with the phone masked and raised to the caller (orgs.registration), who tells the applicant."""
    backend = backend or get_backend()
    with translation.override(settings.LANGUAGE_CODE):
        text = (messages.survey_code_text(code, minutes) if purpose == "survey"
                else messages.confirmation_code_text(code, minutes))
    try:
        backend.send_text(phone=phone, text=text)
    except Exception as exc:
        logger.warning("验证码短信发送失败 confirmation code to %s failed: %s: %s", mask_phone(phone),
                       type(exc).__name__, str(exc)[:300])
        raise
