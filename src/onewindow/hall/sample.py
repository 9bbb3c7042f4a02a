"""The sample halls of 东兴市 for the demo: the county centre's queues (A 综合受理, B 不动产登记 at windows
7–8, C 社保医保 at windows 9–10), a hall at each township and village centre, and four weeks of queue
history at the county centre — tickets taken more at 9–10 and 15–16 o'clock, served by the staffed windows in
turn with service times around nine minutes, so the waits follow the crowd — plus today's queue up to
now when the hall is open. Everything is deterministic (a seeded random generator) and written in bulk;
a second run adds nothing."""

from __future__ import annotations

import math
import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.catalog.models import Item, ItemStatus
from onewindow.orgs.models import ServiceCentre, User

from . import services
from .config import local
from .models import Appointment, AppointmentState, HalfDay, Hall, HallWindow, Ticket, TicketState

COUNTY = "DX01"
DAYS = 28
# Tickets per hour of an ordinary working day at the county centre (8:00 … 17:00), and how many of each
# queue's windows are staffed on an ordinary day (the others stand ready for busy days).
ARRIVALS = {8: 10, 9: 30, 10: 24, 11: 10, 14: 7, 15: 22, 16: 16, 17: 3}
SHARE = {"A": 0.6, "B": 0.2, "C": 0.2}
STAFFED = {"A": 3, "B": 1, "C": 1}


def _category_specs() -> list[services.CategorySpec]:
    estate = tuple(Item.objects.filter(department__code="dx-zrzy", status=ItemStatus.ACTIVE)
                   .values_list("code", flat=True))
    social = tuple(Item.objects.filter(department__code__in=["dx-rsj", "dx-ybj"], status=ItemStatus.ACTIVE)
                   .values_list("code", flat=True))
    return [services.CategorySpec("B", "不动产登记", item_codes=estate, window_numbers=("7", "8")),
            services.CategorySpec("C", "社保医保", item_codes=social, window_numbers=("9", "10"))]


def _open_days(centre: ServiceCentre, *, before: date, days: int) -> list[date]:
    start = before - timedelta(days=days)
    return [start + timedelta(days=n) for n in range(days)
            if calendar.is_workday(start + timedelta(days=n)) and calendar.is_centre_open(centre, start + timedelta(days=n))]


def _moment(day: date, minutes: float) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(0)) + timedelta(minutes=minutes),
                               timezone.get_current_timezone())


def _day_of_tickets(rng: random.Random, hall: Hall, day: date, windows: dict[str, list[HallWindow]],
                    clerk: User | None, *, until: datetime | None) -> list[Ticket]:
    """One day's tickets at the hall, each served by the first free window of its queue in the order taken
    (a small queue simulation; a window serving two queues serves one person at a time), up to `until`
    (today: the tickets still waiting and the ones being served)."""
    arrivals = []
    for category in hall.categories.all():
        for hour, n in ARRIVALS.items():
            for _i in range(round(n * SHARE.get(category.letter, 0.2) * rng.uniform(0.7, 1.3))):
                arrivals.append((60 * hour + rng.uniform(0, 60), category))
    arrivals.sort(key=lambda pair: pair[0])
    free: dict[int, float] = {hw.window_id: 8 * 60.0 for rows in windows.values() for hw in rows}
    numbers: dict[int, int] = {}
    tickets: list[Ticket] = []
    for arrival, category in arrivals:
        issued = _moment(day, arrival)
        if until is not None and issued > until:
            break
        numbers[category.pk] = number = numbers.get(category.pk, 0) + 1
        ticket = Ticket(centre=hall.centre, day=day, category=category, number=number,
                        display=f"{category.letter}{number:03d}", issued_at=issued, state=TicketState.WAITING)
        tickets.append(ticket)
        serving = [hw.window_id for hw in windows.get(category.letter, [])][:STAFFED.get(category.letter, 1)]
        if not serving:
            continue
        window_id = min(serving, key=lambda w: free[w])
        start = max(arrival, free[window_id])
        if 12 * 60 <= start < 14.5 * 60:  # the midday break
            start = 14.5 * 60
        called = _moment(day, start)
        if until is not None and called > until:
            continue
        service = max(2.0, rng.lognormvariate(math.log(9.0), 0.45))
        ticket.window_id, ticket.clerk = window_id, clerk
        ticket.called_at = ticket.last_called_at = called
        ticket.wait_seconds = int((called - issued).total_seconds())
        if rng.random() < 0.04:
            ticket.state, ticket.finished_at = TicketState.NO_SHOW, called + timedelta(minutes=1)
            free[window_id] = start + 1
            continue
        free[window_id] = start + service
        finished = _moment(day, start + service)
        if until is not None and finished > until:
            ticket.state = TicketState.CALLED
            continue
        ticket.state, ticket.finished_at = TicketState.DONE, finished
        ticket.service_seconds = int(service * 60)
    return tickets


def _appointments(rng: random.Random, hall: Hall, days: list[date]) -> list[Appointment]:
    """A few appointments a half-day: most checked in, some cancelled, some missed."""
    from onewindow.orgs.models import Applicant

    applicants = list(Applicant.objects.order_by("id")[:50])
    items = list(Item.objects.filter(status=ItemStatus.ACTIVE, channel_window=True).order_by("code")[:20])
    category = hall.categories.filter(is_default=True).first()
    windows = list(HallWindow.objects.filter(window__centre=hall.centre, categories=category).order_by("window_id"))
    if not applicants or not items or category is None or not windows:
        return []
    rows = []
    for day in days:
        for half_day in HalfDay.values:
            for n in range(rng.randint(2, 6)):
                roll = rng.random()
                state = (AppointmentState.CANCELLED if roll < 0.1 else AppointmentState.NO_SHOW if roll < 0.18
                         else AppointmentState.CHECKED_IN)
                booked = _moment(day, 8 * 60) - timedelta(days=rng.randint(1, 5))
                rows.append(Appointment(
                    code=f"S{day:%m%d}{half_day[0].upper()}{n}{rng.choice('ABCDEFGHJKMNPQRSTUVWXYZ')}",
                    centre=hall.centre, item=rng.choice(items), category=category,
                    window=windows[n % len(windows)].window, applicant=rng.choice(applicants), day=day,
                    half_day=half_day, state=state, booked_at=booked,
                    cancelled_at=booked + timedelta(hours=2) if state == AppointmentState.CANCELLED else None,
                    checked_in_at=_moment(day, 8 * 60 + 30) if state == AppointmentState.CHECKED_IN else None,
                    no_show_at=_moment(day, 12 * 60) if state == AppointmentState.NO_SHOW else None))
    return rows


@transaction.atomic
def load_sample_halls(*, now: datetime | None = None, seed: int = 2026) -> str:
    """Set up the sample halls and, at the county centre, four weeks of queue history and today's queue
    so far. Needs the sample organisations and catalog; idempotent."""
    now = local(now)
    centres = list(ServiceCentre.objects.order_by("level", "code"))
    for centre in centres:
        services.set_up_hall(centre=centre, places=4 if centre.level <= 3 else 2,
                             categories=_category_specs() if centre.code == COUNTY else None)
    county = next((c for c in centres if c.code == COUNTY), None)
    if county is None:
        return f"{len(centres)} 个大厅 halls (no {COUNTY}: no sample queue)"
    hall = Hall.objects.get(centre=county)
    if Ticket.objects.filter(centre=county).exists():
        return f"{len(centres)} 个大厅 halls, sample queue already present"
    rng = random.Random(seed)
    windows: dict[str, list[HallWindow]] = {}
    for hall_window in HallWindow.objects.filter(window__centre=county).prefetch_related("categories"):
        for category in hall_window.categories.all():
            windows.setdefault(category.letter, []).append(hall_window)
    clerk = User.objects.filter(username="clerk").first()
    days = _open_days(county, before=now.date(), days=DAYS)
    tickets: list[Ticket] = []
    for day in days:
        tickets += _day_of_tickets(rng, hall, day, windows, clerk, until=None)
    if calendar.is_centre_open(county, now.date()) and now.time() >= hall.morning_start:
        tickets += _day_of_tickets(rng, hall, now.date(), windows, clerk, until=now)
    Ticket.objects.bulk_create(tickets, batch_size=1000)
    appointments = Appointment.objects.bulk_create(_appointments(rng, hall, days), batch_size=1000)
    return (f"{len(centres)} 个大厅 halls, {len(tickets)} 张排队号 tickets over {len(days)} days, "
            f"{len(appointments)} 个预约 appointments")
