"""Appointments (预约): booking a half-day's place, cancelling it, the no-shows.

Capacity is per window and half-day: each window of the hall offers `appointment_places` per morning
and per afternoon to the queues (categories) it serves. A booking takes a place on the window serving
the item's queue that has the most left; a cancelled booking frees its place at once, because the
places are counted from the active bookings, never kept as a separate counter. Every booking of a
centre locks the centre's Hall row first (SELECT … FOR UPDATE on PostgreSQL; on SQLite the write
transaction is exclusive from BEGIN IMMEDIATE), so two people taking the last place never both get it.

Appointments are for the hall's open days only (calendar.selectors.is_centre_open: working days, make-up
working days, and the centre's 5+2 weekend openings, where only the items listed for weekend service
are done). Appointments, and halls open beyond office hours, are what the State Council's guidance on
standardised and convenient government services (国发〔2022〕5号) asks centres to offer."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.calendar import selectors as calendar
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import Item, ItemStatus
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Applicant, Role, ServiceCentre, User

from .config import category_for_item, half_day_bounds, hall_of, local, windows_serving
from .models import (
    ACTIVE_APPOINTMENT_STATES,
    Appointment,
    AppointmentState,
    HalfDay,
    Hall,
    HallWindow,
)
from .states import require_appointment

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud and typed at a kiosk
CODE_LENGTH = 8
Notify = Callable[[Appointment], None]


def chain_key(appointment: Appointment) -> str:
    return f"appointment:{appointment.code}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _lock_hall(centre: ServiceCentre) -> Hall:
    """The centre's Hall row, locked for the rest of the transaction: every booking and ticket of the
    centre queues here (a few per minute at the busiest hall)."""
    hall_of(centre)  # NotFound with its message when the centre has no hall
    return Hall.objects.select_for_update(of=("self",)).select_related("centre").get(centre=centre)


def check_bookable_day(hall: Hall, item: Item, day: date, half_day: str, *, now: datetime) -> None:
    """ValidationError (field `day` or `half_day`) unless the half-day can still be booked for `item`:
    within the hall's booking horizon, not yet begun, the hall open that day, and on a 5+2 weekend
    day only for an item listed for weekend service."""
    start, _end = half_day_bounds(hall, day, half_day)
    today = local(now).date()
    last = today + timedelta(days=hall.booking_days_ahead)
    if day < today or start <= now:
        raise ValidationError(_("该时段已开始或已过去，请选择之后的时段"), field="half_day" if day == today else "day")
    if day > last:
        raise ValidationError(_("只能预约 %(days)s 天内（最晚 %(last)s）的时段") % {
            "days": hall.booking_days_ahead, "last": last.isoformat()}, field="day")
    if not calendar.is_centre_open(hall.centre, day):
        raise ValidationError(_("%(centre)s %(day)s（%(weekday)s）不开放") % {
            "centre": hall.centre.name, "day": day.isoformat(), "weekday": calendar.weekday_zh(day)}, field="day")
    if not calendar.is_workday(day) and not item.weekend_service:
        raise ValidationError(_("“%(item)s”不在周末（“5+2”）服务事项之列，请预约工作日") % {"item": item.name},
                              field="day")


def places_left(hall: Hall, windows: list[HallWindow], day: date, half_day: str) -> dict[int, int]:
    """{window id: places left} for one half-day: each window's places less its active bookings."""
    taken = dict(Appointment.objects.filter(
        centre=hall.centre, day=day, half_day=half_day, state__in=ACTIVE_APPOINTMENT_STATES,
        window_id__in=[hw.window_id for hw in windows]).values_list("window_id").annotate(n=Count("id")))
    return {hw.window_id: max(0, hw.appointment_places - taken.get(hw.window_id, 0)) for hw in windows}


def _check_item(item: Item, centre: ServiceCentre) -> None:
    if item.status != ItemStatus.ACTIVE:
        raise ValidationError(_("事项“%(item)s”当前不可办理（%(status)s）") % {
            "item": item.name, "status": item.get_status_display()}, field="item")
    if not item.channel_window:
        raise ValidationError(_("“%(item)s”不在窗口办理，无需预约，请在线申请") % {"item": item.name}, field="item")
    catalog_selectors.require_centre_may_accept(centre, item)


def _check_applicant_limits(hall: Hall, applicant: Applicant, item: Item, day: date, *, today: date) -> None:
    active = Appointment.objects.filter(applicant=applicant, state=AppointmentState.BOOKED, day__gte=today)
    if active.filter(item=item, day=day).exists():
        raise Conflict(_("您已预约 %(day)s 办理“%(item)s”，无需重复预约") % {"day": day.isoformat(), "item": item.name},
                       field="day")
    if active.count() >= hall.max_active_bookings:
        raise Conflict(_("您已有 %(n)s 个未使用的预约，请先办理或取消后再预约") % {"n": hall.max_active_bookings},
                       field="day")


def book_appointment(*, applicant: Applicant, item: Item, centre: ServiceCentre, day: date, half_day: str,
                     booked_by: User | None = None, now: datetime | None = None,
                     notify: Notify | None = None) -> Appointment:
    """Book a place for `item` at `centre` on `day`'s morning or afternoon. The centre must accept the
    item (就近办, catalog.centres), the half-day must be bookable (check_bookable_day) and have a place
    left on a window serving the item's queue; an applicant holds at most the hall's
    `max_active_bookings` and one per item and day. Applicants book for themselves; a clerk of the
    centre may book for someone who phoned. `notify(appointment)` runs after the commit (the text
    message with the booking code)."""
    now = local(now)
    if booked_by is not None and applicant.user_id != booked_by.pk:
        centres, _departments = org_selectors.role_scopes(booked_by, [Role.WINDOW_CLERK])
        if centre.pk not in centres:
            raise PermissionDenied(_("只能为本人预约"), field="applicant")
    _check_item(item, centre)
    with transaction.atomic():
        hall = _lock_hall(centre)
        if not hall.booking_open:
            raise Conflict(_("%(centre)s暂停网上预约，可直接到大厅取号") % {"centre": centre.name}, field="centre")
        check_bookable_day(hall, item, day, half_day, now=now)
        _check_applicant_limits(hall, applicant, item, day, today=now.date())
        category = category_for_item(hall, item)
        windows = [hw for hw in windows_serving(category) if hw.appointment_places > 0]
        left = places_left(hall, windows, day, half_day)
        best = max(windows, key=lambda hw: (left[hw.window_id], -hw.window_id), default=None)
        if best is None or left[best.window_id] <= 0:
            raise Conflict(_("%(day)s%(half)s的预约已满，请选择其他时段") % {
                "day": day.isoformat(), "half": HalfDay(half_day).label}, field="half_day")
        code = new_code()
        while Appointment.objects.filter(code=code).exists():
            code = new_code()
        appointment = Appointment.objects.create(
            code=code, centre=centre, item=item, category=category, window=best.window, applicant=applicant,
            phone=applicant.phone, day=day, half_day=half_day, booked_at=now, booked_by=booked_by)
        audit.record(chain_key=chain_key(appointment), action="onewindow.appointment.booked", actor=booked_by,
                     actor_label="" if booked_by else _("系统"), to_state=appointment.state, now=now,
                     data={"centre": centre.code, "item": item.code, "day": day.isoformat(), "half_day": half_day,
                           "window": best.window.number, "applicant": applicant.pk})
        if notify is not None:
            transaction.on_commit(lambda: notify(appointment))
    return appointment


def cancel_deadline(hall: Hall, appointment: Appointment) -> datetime:
    """Until when the applicant may cancel: the hall's `cancel_minutes_before` the half-day begins."""
    start, _end = half_day_bounds(hall, appointment.day, appointment.half_day)
    return start - timedelta(minutes=hall.cancel_minutes_before)


def cancel_appointment(*, appointment: Appointment, actor: User, reason: str = "", now: datetime | None = None,
                       notify: Notify | None = None) -> Appointment:
    """Cancel a booking; its place is free again at once. The applicant may cancel their own until the
    cut-off (`cancel_deadline`); a window clerk of the centre until the half-day ends (someone who
    phoned). A checked-in, cancelled or missed appointment cannot be cancelled."""
    now = local(now)
    with transaction.atomic():
        appointment = (Appointment.objects.select_for_update(of=("self",))
                       .select_related("centre", "item", "applicant").get(pk=appointment.pk))
        target = require_appointment(appointment.state, "cancel", code=appointment.code)
        hall = hall_of(appointment.centre)
        own = appointment.applicant.user_id is not None and appointment.applicant.user_id == actor.pk
        centres, _departments = org_selectors.role_scopes(actor, [Role.WINDOW_CLERK])
        staff = appointment.centre_id in centres
        if not own and not staff:
            raise PermissionDenied(_("只能取消本人的预约"))
        if staff:
            _start, end = half_day_bounds(hall, appointment.day, appointment.half_day)
            if now >= end:
                raise Conflict(_("预约时段已结束，不能再取消"), field="state")
        elif now > cancel_deadline(hall, appointment):
            raise Conflict(_("已过取消截止时间（%(at)s），如需取消请致电中心：%(phone)s") % {
                "at": local(cancel_deadline(hall, appointment)).strftime("%m-%d %H:%M"),
                "phone": appointment.centre.phone or appointment.centre.name}, field="state")
        appointment.state, appointment.cancelled_at = target, now
        appointment.cancel_reason = (reason or "").strip()[:200]
        appointment.save(update_fields=["state", "cancelled_at", "cancel_reason"])
        audit.record(chain_key=chain_key(appointment), action="onewindow.appointment.cancelled", actor=actor,
                     from_state=AppointmentState.BOOKED, to_state=target, reason=appointment.cancel_reason, now=now,
                     data={"by": "applicant" if own else "staff"})
        if notify is not None:
            transaction.on_commit(lambda: notify(appointment))
    return appointment


def no_show_filter(hall: Hall, *, now: datetime) -> Q:
    """Bookings whose half-day has ended at `now` (they can no longer be checked in)."""
    local_now = local(now)
    today, clock = local_now.date(), local_now.time()
    ended = [half for half in HalfDay.values if hall.half_day_times(half)[1] <= clock]
    return Q(day__lt=today) | Q(day=today, half_day__in=ended)


def mark_no_shows(*, now: datetime | None = None) -> int:
    """Mark as no-shows (爽约) the bookings never checked in whose half-day has ended, in every hall;
    returns how many. Idempotent: run it as often as wanted (the scheduled job runs it hourly)."""
    now = local(now)
    marked = 0
    for hall in Hall.objects.select_related("centre"):
        with transaction.atomic():
            due = list(Appointment.objects.select_for_update().filter(
                no_show_filter(hall, now=now), centre=hall.centre, state=AppointmentState.BOOKED))
            for appointment in due:
                target = require_appointment(appointment.state, "mark_no_show", code=appointment.code)
                appointment.state, appointment.no_show_at = target, now
                audit.record(chain_key=chain_key(appointment), action="onewindow.appointment.no_show",
                             actor_label=_("系统"), from_state=AppointmentState.BOOKED, to_state=target, now=now)
            Appointment.objects.bulk_update(due, ["state", "no_show_at"])
            marked += len(due)
    return marked
