"""The live queue (取号、叫号): tickets taken at the kiosk, appointments checked in, windows calling.

- A ticket is numbered per centre, day and queue (A001, A002 …) under the lock of the centre's Hall
  row, so two kiosks never hand out one number.
- A checked-in appointment gets a priority ticket: windows call priority tickets first, then the
  others in the order they were taken (预约优先).
- A window calls the next waiting ticket of the queues it serves. Its own HallWindow row is locked (one
  window, one call at a time) and the ticket is taken with SELECT … FOR UPDATE SKIP LOCKED on
  PostgreSQL, so two windows calling at once get two different tickets without waiting for each
  other; on SQLite the write transaction is exclusive (BEGIN IMMEDIATE). A database constraint keeps
  at most one called ticket per window.
- "Next" closes the ticket the window was serving (done, its service time recorded) before calling;
  recall (重呼) calls the same number again; skip (过号) closes it as missed.

Times: `wait_seconds` = first call − issue, `service_seconds` = done − first call."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.catalog.models import Item
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role, ServiceCentre, User, Window

from .booking import _lock_hall, chain_key
from .config import category_for_item, half_day_bounds, local
from .models import (
    Appointment,
    AppointmentState,
    Hall,
    HallWindow,
    QueueCategory,
    Ticket,
    TicketState,
)
from .states import require_appointment, require_ticket

KIOSK_ROLES = (Role.WINDOW_CLERK, Role.AGENT, Role.ADMINISTRATOR)
CHECK_IN_EARLY_MINUTES = 60  # an appointment may be checked in from an hour before its half-day begins


def _require_centre_role(user: User | None, centre: ServiceCentre, roles, message: str) -> None:
    if user is None:
        return  # a system call (tests, the sample's history)
    held = org_selectors.roles_of(user)
    if Role.ADMINISTRATOR in held and Role.ADMINISTRATOR in roles:
        return
    centres, _departments = org_selectors.role_scopes(user, roles)
    if centre.pk not in centres:
        raise PermissionDenied(message)


def _issue(hall: Hall, category: QueueCategory, *, item: Item | None, appointment: Appointment | None,
           now: datetime) -> Ticket:
    """A new ticket of `category` (the caller holds the hall's lock)."""
    day = local(now).date()
    last = Ticket.objects.filter(centre=hall.centre, day=day, category=category).aggregate(n=Max("number"))["n"]
    number = (last or 0) + 1
    return Ticket.objects.create(
        centre=hall.centre, day=day, category=category, number=number, display=f"{category.letter}{number:03d}",
        item=item, appointment=appointment, priority=appointment is not None, issued_at=now)


def take_ticket(*, centre: ServiceCentre, item: Item | None = None, category: QueueCategory | None = None,
                issued_by: User | None = None, now: datetime | None = None) -> Ticket:
    """取号: a number in the queue of `item` (or of `category`, chosen on the kiosk's buttons), for
    today. The kiosk is a staff device: `issued_by` is the account signed in on it (a clerk, agent or
    administrator of the centre)."""
    now = local(now)
    _require_centre_role(issued_by, centre, KIOSK_ROLES, _("只有本中心的工作人员账号可以在取号机上取号"))
    if item is None and category is None:
        raise ValidationError(_("请选择办理的事项或业务类别"), field="category")
    with transaction.atomic():
        hall = _lock_hall(centre)
        if category is None:
            category = category_for_item(hall, item)  # type: ignore[arg-type]  # item given when category is not
        elif category.hall_id != hall.pk:
            raise ValidationError(_("该业务类别不属于%(centre)s") % {"centre": centre.name}, field="category")
        return _issue(hall, category, item=item, appointment=None, now=now)


def check_in(*, centre: ServiceCentre, code: str, issued_by: User | None = None,
             now: datetime | None = None) -> Ticket:
    """签到: the applicant shows the booking code at the kiosk on the day and gets a priority ticket of
    the appointment's queue. From an hour before the half-day begins until it ends; once only."""
    now = local(now)
    _require_centre_role(issued_by, centre, KIOSK_ROLES, _("只有本中心的工作人员账号可以在取号机上签到"))
    code = "".join((code or "").split()).upper()
    if not code:
        raise ValidationError(_("请输入预约码"), field="code")
    with transaction.atomic():
        hall = _lock_hall(centre)
        appointment = (Appointment.objects.select_for_update(of=("self",)).select_related("item", "category")
                       .filter(code=code).first())
        if appointment is None or appointment.centre_id != centre.pk:
            raise NotFound(_("没有找到预约码 %(code)s 在本中心的预约，请核对") % {"code": code}, field="code")
        target = require_appointment(appointment.state, "check_in", code=appointment.code)
        start, end = half_day_bounds(hall, appointment.day, appointment.half_day)
        if appointment.day != now.date() or now >= end:
            raise Conflict(_("该预约为 %(day)s %(half)s，不是当前时段") % {
                "day": appointment.day.isoformat(), "half": appointment.get_half_day_display()}, field="code")
        if (start - now).total_seconds() > CHECK_IN_EARLY_MINUTES * 60:
            raise Conflict(_("预约时段 %(at)s 开始，请在开始前一小时内签到") % {"at": start.strftime("%H:%M")},
                           field="code")
        ticket = _issue(hall, appointment.category, item=appointment.item, appointment=appointment, now=now)
        appointment.state, appointment.checked_in_at = target, now
        appointment.save(update_fields=["state", "checked_in_at"])
        audit.record(chain_key=chain_key(appointment), action="onewindow.appointment.checked_in", actor=issued_by,
                     actor_label="" if issued_by else _("系统"), from_state=AppointmentState.BOOKED, to_state=target,
                     now=now, data={"ticket": ticket.display})
    return ticket


# -- the window ---------------------------------------------------------------------------------------

def _lock_window(window: Window, clerk: User | None) -> HallWindow:
    _require_centre_role(clerk, window.centre, (Role.WINDOW_CLERK,), _("只有本中心的窗口人员可以在此窗口叫号"))
    hall_window = (HallWindow.objects.select_for_update(of=("self",)).select_related("window__centre")
                   .filter(window=window).first())
    if hall_window is None:
        raise NotFound(_("%(window)s未设置排队叫号") % {"window": window}, field="window")
    return hall_window


def current_ticket(window: Window) -> Ticket | None:
    """The ticket the window has called and not closed (at most one: a database constraint)."""
    return Ticket.objects.filter(window=window, state=TicketState.CALLED).select_related("item", "category").first()


def _close(ticket: Ticket, action: str, *, now: datetime) -> Ticket:
    target = require_ticket(ticket.state, action, display=ticket.display)
    ticket.state, ticket.finished_at = target, now
    fields = ["state", "finished_at"]
    # A ticket left open since an earlier day (the sweep has not run yet) was served, but not for this long.
    if target == TicketState.DONE and ticket.called_at is not None and ticket.day == now.date():
        ticket.service_seconds = max(0, int((now - ticket.called_at).total_seconds()))
        fields.append("service_seconds")
    ticket.save(update_fields=fields)
    return ticket


def open_window(*, window: Window, clerk: User, now: datetime | None = None) -> HallWindow:
    """The clerk starts calling at this window: it counts as open for the hall's expected waits."""
    now = local(now)
    with transaction.atomic():
        hall_window = _lock_window(window, clerk)
        hall_window.opened_at, hall_window.clerk = now, clerk
        hall_window.save(update_fields=["opened_at", "clerk"])
    return hall_window


def close_window(*, window: Window, clerk: User, now: datetime | None = None) -> HallWindow:
    """暂停服务: the window stops calling (a ticket still called there is closed as done first)."""
    now = local(now)
    with transaction.atomic():
        hall_window = _lock_window(window, clerk)
        if (ticket := current_ticket(window)) is not None:
            _close(ticket, "finish", now=now)
        hall_window.opened_at, hall_window.clerk = None, None
        hall_window.save(update_fields=["opened_at", "clerk"])
    return hall_window


def _keep_open(hall_window: HallWindow, clerk: User | None, *, now: datetime) -> None:
    """A window that calls is open today (a clerk who did not press 开始叫号 first still counts)."""
    if hall_window.opened_at is None or local(hall_window.opened_at).date() != now.date():
        hall_window.opened_at, hall_window.clerk = now, clerk
        hall_window.save(update_fields=["opened_at", "clerk"])
    elif clerk is not None and hall_window.clerk_id != clerk.pk:
        hall_window.clerk = clerk
        hall_window.save(update_fields=["clerk"])


def call_next(*, window: Window, clerk: User | None, now: datetime | None = None) -> Ticket | None:
    """叫号: close the ticket the window was serving (done) and call the next waiting ticket of the
    queues the window serves — checked-in appointments first, then in the order taken. None when
    nobody is waiting (the window stays free)."""
    now = local(now)
    with transaction.atomic():
        hall_window = _lock_window(window, clerk)
        categories = list(hall_window.categories.values_list("pk", flat=True))
        if not categories:
            raise Conflict(_("%(window)s未设置服务的排队类别，请管理员在大厅设置中配置") % {"window": window},
                           field="window")
        if (ticket := current_ticket(window)) is not None:
            _close(ticket, "finish", now=now)
        waiting = (Ticket.objects.filter(centre=window.centre_id, day=now.date(), state=TicketState.WAITING,
                                         category__in=categories)
                   .order_by("-priority", "id"))
        # PostgreSQL: a ticket another window is calling right now is skipped, not waited for.
        ticket = waiting.select_for_update(skip_locked=True).first()
        _keep_open(hall_window, clerk, now=now)
        if ticket is None:
            return None
        target = require_ticket(ticket.state, "call", display=ticket.display)
        ticket.state, ticket.window, ticket.clerk = target, window, clerk
        ticket.called_at = ticket.last_called_at = now
        ticket.wait_seconds = max(0, int((now - ticket.issued_at).total_seconds()))
        ticket.save(update_fields=["state", "window", "clerk", "called_at", "last_called_at", "wait_seconds"])
    return ticket


def recall(*, window: Window, clerk: User | None, now: datetime | None = None) -> Ticket:
    """重呼: announce the window's current number again (the hall screen shows it anew)."""
    now = local(now)
    with transaction.atomic():
        _lock_window(window, clerk)
        ticket = current_ticket(window)
        if ticket is None:
            raise Conflict(_("当前没有已叫的号"), field="ticket")
        require_ticket(ticket.state, "recall", display=ticket.display)
        ticket.recalls += 1
        ticket.last_called_at = now
        ticket.save(update_fields=["recalls", "last_called_at"])
    return ticket


def skip(*, window: Window, clerk: User | None, now: datetime | None = None) -> Ticket:
    """过号: the person called did not come; the number is closed as missed."""
    now = local(now)
    with transaction.atomic():
        _lock_window(window, clerk)
        ticket = current_ticket(window)
        if ticket is None:
            raise Conflict(_("当前没有已叫的号"), field="ticket")
        return _close(ticket, "skip", now=now)


def finish(*, window: Window, clerk: User | None, now: datetime | None = None) -> Ticket:
    """办结: the window is done with the person called; the service time is recorded."""
    now = local(now)
    with transaction.atomic():
        _lock_window(window, clerk)
        ticket = current_ticket(window)
        if ticket is None:
            raise Conflict(_("当前没有已叫的号"), field="ticket")
        return _close(ticket, "finish", now=now)


def close_day(*, now: datetime | None = None) -> dict[str, int]:
    """The end of the day for every hall: tickets of earlier days nobody called are closed as missed,
    tickets called and never closed as done (their service time unknown), windows no longer open.
    Idempotent (the scheduled job runs it hourly with the no-shows)."""
    now = local(now)
    today = now.date()
    with transaction.atomic():
        expired = Ticket.objects.filter(day__lt=today, state=TicketState.WAITING).update(
            state=TicketState.NO_SHOW, finished_at=now)
        closed = Ticket.objects.filter(day__lt=today, state=TicketState.CALLED).update(state=TicketState.DONE)
        windows = HallWindow.objects.filter(opened_at__lt=now.replace(hour=0, minute=0, second=0, microsecond=0)
                                            ).update(opened_at=None, clerk=None)
    return {"expired": expired, "closed": closed, "windows": windows}
