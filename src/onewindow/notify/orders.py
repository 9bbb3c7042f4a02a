"""Messages about work orders (issue 17), from the audit trail as the case notifications are: the
outbox reads the events `onewindow.workorder.<verb>` after its own cursor and writes one OrderMessage
per (event, recipient) under a unique constraint — complaints never call notify.

Who is told what:
- registered: the complainant (number and query code);
- dispatched: the complainant (which unit, by when) and the unit's staff (a new order to sign);
- returned: the efficiency office (to dispatch it again);
- replied: the complainant (read the reply and rate it);
- reopened: the unit's staff (the complainant was not satisfied: a second handling);
- urged (written by the supervision app on the order's chain): the unit's staff (answer by a date).

Delivery: a text message when there is a phone number (the SMS backend, notify/backends.py), else an
e-mail when there is an address and ONEWINDOW_NOTIFY_EMAIL_BACKEND names one of Django's mail backends
(smtp, console, file, locmem or a dotted path), else it stays in the outbox — stored, never dropped."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from onewindow.audit import selectors as audit_selectors
from onewindow.complaints import selectors as complaints
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.identity import mask_phone
from onewindow.orgs.models import Role

from .backends import get_backend
from .models import Channel, OrderMessage, OutboxCursor

logger = logging.getLogger("onewindow.notify")

CURSOR = "workorder-events"
PREFIX = "workorder:"
VERBS = ("registered", "dispatched", "returned", "replied", "reopened", "urged")
ACTIONS = [f"onewindow.workorder.{verb}" for verb in VERBS]
EMAIL_ALIASES = {"smtp": "django.core.mail.backends.smtp.EmailBackend",
                 "console": "django.core.mail.backends.console.EmailBackend",
                 "file": "django.core.mail.backends.filebased.EmailBackend",
                 "locmem": "django.core.mail.backends.locmem.EmailBackend"}


def email_backend() -> str:
    name = getattr(settings, "NOTIFY_EMAIL_BACKEND", "") or ""
    return EMAIL_ALIASES.get(name, name)


def text_for(verb: str, order: dict, data: dict, reason: str, *, staff: bool) -> str:
    number = order["number"]
    due = data.get("due_on") or order.get("clock_due_on") or ""
    if verb == "registered":
        return _("您反映的诉求已登记，工单编号 %(n)s，查询码 %(c)s，可凭此在政务服务网查询办理进度并评价。") % {
            "n": number, "c": order["query_code"]}
    if verb == "dispatched" and staff:
        return _("新工单 %(n)s（%(t)s）已派给贵单位，请于 %(d)s 前签收，%(due)s 前答复。") % {
            "n": number, "t": order["title"], "d": data.get("sign_due_on", ""), "due": due}
    if verb == "dispatched":
        return _("您的诉求（工单 %(n)s）已转交%(u)s办理，将于 %(due)s 前答复。") % {
            "n": number, "u": data.get("department_name", ""), "due": due}
    if verb == "returned":
        return _("工单 %(n)s 被%(u)s退回，理由：%(r)s。请重新派单。") % {
            "n": number, "u": data.get("department_name", ""), "r": reason[:120]}
    if verb == "replied":
        return _("您的诉求（工单 %(n)s）已答复，请凭查询码查看答复并评价。") % {"n": number}
    if verb == "reopened":
        return _("工单 %(n)s 的诉求人对答复不满意，请重新办理，%(due)s 前再次答复。") % {"n": number, "due": due}
    if verb == "urged":
        return _("工单 %(n)s 被效能办督办，请于 %(d)s 前办理并反馈。") % {"n": number, "d": data.get("answer_by", "")}
    return number


def _staff(role_set, department_id) -> list:
    users: list[Any] = []
    for role in role_set:
        users.extend(org_selectors.users_with_role(role, department=department_id))
    seen, out = set(), []
    for user in users:
        if user.pk not in seen:
            seen.add(user.pk)
            out.append(user)
    return out


def _recipients(verb: str, order: dict, data: dict) -> list[tuple[str, Any, str, str]]:
    """(recipient key, user or None, phone, email) of each person to tell."""
    complainant = ("complainant", None, order["complainant_phone"], order["complainant_email"])
    unit = data.get("department") or order["department_id"]
    if verb in ("registered", "replied"):
        return [complainant]
    if verb == "dispatched":
        staff = _staff((Role.APPROVER, Role.CHIEF_REPRESENTATIVE), unit) if unit else []
        return [complainant] + [(f"user:{u.pk}", u, u.phone, u.email) for u in staff]
    if verb == "returned":
        return [(f"user:{u.pk}", u, u.phone, u.email) for u in _staff((Role.SUPERVISOR,), None)]
    if verb in ("reopened", "urged") and unit:
        return [(f"user:{u.pk}", u, u.phone, u.email)
                for u in _staff((Role.APPROVER, Role.CHIEF_REPRESENTATIVE), unit)]
    return []


def _channel(phone: str, email: str) -> str:
    if phone:
        return Channel.SMS
    if email and email_backend():
        return Channel.EMAIL
    return Channel.PORTAL


def collect(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Turn new work-order events into messages; returns how many were written."""
    now = now or timezone.now()
    created = 0
    with transaction.atomic():
        cursor = OutboxCursor.objects.select_for_update().filter(name=CURSOR).first()
        if cursor is None:
            first = audit_selectors.first_event_id_since(now - timedelta(hours=settings.NOTIFY_MAX_AGE_HOURS),
                                                         actions=ACTIONS)
            start = first - 1 if first is not None else audit_selectors.last_event_id()
            OutboxCursor.objects.get_or_create(name=CURSOR, defaults={"last_event_id": start})
            cursor = OutboxCursor.objects.select_for_update().get(name=CURSOR)
        events = audit_selectors.chain_events_after(cursor.last_event_id, prefix=PREFIX, actions=ACTIONS,
                                                    limit=batch_size)
        orders = complaints.message_recipients({event.subject for event in events})
        rows = []
        settled_before = now - timedelta(minutes=2)
        for event in events:
            order = orders.get(event.subject)
            if order is None:
                continue
            for key, user, phone, email in _recipients(event.verb, order, event.data):
                with translation.override(settings.LANGUAGE_CODE):
                    text = text_for(event.verb, order, event.data, event.reason, staff=key != "complainant")
                channel = _channel(phone, email)
                rows.append(OrderMessage(
                    order_number=event.subject, kind=event.verb, recipient=key, user=user,
                    phone=phone if channel == Channel.SMS else "", email=email if channel == Channel.EMAIL else "",
                    text=text, channel=channel, source_event_id=event.id, created_at=now,
                    delivered_at=None if channel != Channel.PORTAL else now,
                    next_attempt_at=now if channel != Channel.PORTAL else None))
        OrderMessage.objects.bulk_create(rows, ignore_conflicts=True)
        created = len(rows)
        for event in events:
            if event.occurred_at > settled_before:
                break
            cursor.last_event_id = event.id
        if len(events) < batch_size and (not events or events[-1].occurred_at <= settled_before):
            cursor.last_event_id = max(cursor.last_event_id, audit_selectors.last_event_id(before=settled_before))
        cursor.save(update_fields=["last_event_id", "updated_at"])
    return created


def deliver(*, now: datetime | None = None, limit: int = 200) -> tuple[int, int]:
    """Send the due messages (claimed one by one with a conditional UPDATE, as the case notifications)."""
    from django.db.models import F

    now = now or timezone.now()
    due = list(OrderMessage.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now,
                                           attempts__lt=settings.NOTIFY_MAX_ATTEMPTS)
               .order_by("next_attempt_at", "id").values_list("id", "attempts")[:limit])
    delivered = failed = 0
    sms = None
    for pk, attempts in due:
        claimed = OrderMessage.objects.filter(pk=pk, attempts=attempts, delivered_at__isnull=True).update(
            attempts=F("attempts") + 1, next_attempt_at=now + timedelta(minutes=2 ** attempts))
        if not claimed:
            continue
        message = OrderMessage.objects.get(pk=pk)
        try:
            if message.channel == Channel.EMAIL:
                connection = get_connection(backend=email_backend(), fail_silently=False)
                EmailMessage(subject=_("工单 %(n)s") % {"n": message.order_number}, body=message.text,
                             to=[message.email], connection=connection).send()
            else:
                sms = sms or get_backend()
                sms.send_text(phone=message.phone, text=message.text)
        except Exception as exc:  # a gateway's failure of any kind: recorded, retried later
            failed += 1
            OrderMessage.objects.filter(pk=pk).update(last_error=f"{type(exc).__name__}: {exc}"[:500])
            logger.warning("工单消息发送失败 order message %s to %s failed: %s", pk,
                           mask_phone(message.phone) if message.phone else "e-mail", exc)
        else:
            delivered += 1
            OrderMessage.objects.filter(pk=pk).update(delivered_at=now, last_error="", next_attempt_at=None)
    return delivered, failed
