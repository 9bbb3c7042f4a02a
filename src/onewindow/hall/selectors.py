"""Reads of the hall: what is bookable, how long the queue is and how long it takes, the calls for the
hall's screen, and the figures the appraisal reads (per centre, window or clerk and period).

Expected wait (the hall page, the kiosk's slip): the people waiting ahead × the average service time
÷ the windows serving that queue. The average service time is today's for the queue once three
tickets were done today, else the last 28 days' for the queue, else the hall's `default_service_minutes`;
the windows are those open now (a clerk is calling there today), else all windows configured for the
queue (before the hall opens). Everything is aggregated in the database."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, F, Q, QuerySet, Window
from django.db.models.functions import ExtractHour, RowNumber
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import Item
from onewindow.orgs.models import Applicant, ServiceCentre

from . import booking
from .config import category_for_item, half_day_bounds, hall_of, local, windows_serving
from .models import (
    Appointment,
    AppointmentState,
    HalfDay,
    Hall,
    HallWindow,
    QueueCategory,
    Ticket,
    TicketState,
)

HISTORY_DAYS = 28
TODAY_MINIMUM_DONE = 3  # today's average replaces the history's once this many tickets are done
RECENT_CALLS = 8


def halls() -> QuerySet[Hall]:
    """Every hall, its centre joined, county centres first."""
    return Hall.objects.select_related("centre").order_by("centre__level", "centre__code")


def hall_for_centre(centre: ServiceCentre) -> Hall:
    """The centre's hall; NotFound when it runs no queue."""
    return hall_of(centre)


def hall_for_code(code: str) -> Hall | None:
    return Hall.objects.select_related("centre").filter(centre__code=(code or "").strip()).first()


def categories(hall: Hall) -> list[QueueCategory]:
    return list(QueueCategory.objects.filter(hall=hall).order_by("order", "letter"))


def _day_start(now: datetime) -> datetime:
    return local(now).replace(hour=0, minute=0, second=0, microsecond=0)


def hall_windows(hall: Hall) -> list[HallWindow]:
    """The hall's windows with their window and queues, by window number."""
    rows = (HallWindow.objects.filter(window__centre=hall.centre).select_related("window", "clerk")
            .prefetch_related("categories"))
    return sorted(rows, key=lambda hw: (len(hw.window.number), hw.window.number))


def hall_window(window_id: int) -> HallWindow | None:
    return (HallWindow.objects.filter(window_id=window_id).select_related("window__centre", "clerk")
            .prefetch_related("categories").first())


# -- the queue now ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class QueueLine:
    """One queue of a hall now."""

    category: QueueCategory
    waiting: int
    windows_open: int
    windows_configured: int
    service_seconds: float
    service_source: str  # "today", "history" or "default"
    expected_wait_minutes: int

    @property
    def windows_counted(self) -> int:
        return self.windows_open or self.windows_configured


def _window_counts(hall: Hall, *, opened_since: datetime | None) -> dict[int, int]:
    links = HallWindow.categories.through.objects.filter(queuecategory__hall=hall)
    if opened_since is not None:
        links = links.filter(hallwindow__opened_at__gte=opened_since)
    return dict(links.values_list("queuecategory_id").annotate(n=Count("hallwindow_id")))


def _service_averages(hall: Hall, *, since: date, until: date) -> dict[int, tuple[float, int]]:
    """{category id: (average service seconds, tickets)} of the tickets done between two days."""
    rows = (Ticket.objects.filter(centre=hall.centre, day__gte=since, day__lte=until, state=TicketState.DONE,
                                  service_seconds__isnull=False)
            .values("category_id").annotate(avg=Avg("service_seconds"), n=Count("id")))
    return {row["category_id"]: (float(row["avg"]), row["n"]) for row in rows}


def expected_minutes(ahead: int, service_seconds: float, windows: int) -> int:
    """Minutes until `ahead` people are served by `windows` windows at `service_seconds` each,
    rounded up (0 when nobody is ahead)."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * service_seconds / max(1, windows) / 60)


def queue_lines(hall: Hall, *, now: datetime | None = None) -> list[QueueLine]:
    """Each queue of the hall now: waiting, windows, the average service time used and the expected
    wait for someone taking a ticket now. Five queries whatever the hall's size."""
    now = local(now)
    today = now.date()
    waiting = dict(Ticket.objects.filter(centre=hall.centre, day=today, state=TicketState.WAITING)
                   .values_list("category_id").annotate(n=Count("id")))
    opened = _window_counts(hall, opened_since=_day_start(now))
    configured = _window_counts(hall, opened_since=None)
    today_avg = _service_averages(hall, since=today, until=today)
    past_avg = _service_averages(hall, since=today - timedelta(days=HISTORY_DAYS), until=today - timedelta(days=1))
    lines = []
    for category in categories(hall):
        if category.pk in today_avg and today_avg[category.pk][1] >= TODAY_MINIMUM_DONE:
            seconds, source = today_avg[category.pk][0], "today"
        elif category.pk in past_avg:
            seconds, source = past_avg[category.pk][0], "history"
        else:
            seconds, source = hall.default_service_minutes * 60.0, "default"
        n_waiting, n_open, n_configured = waiting.get(category.pk, 0), opened.get(category.pk, 0), configured.get(
            category.pk, 0)
        lines.append(QueueLine(category=category, waiting=n_waiting, windows_open=n_open,
                               windows_configured=n_configured, service_seconds=seconds, service_source=source,
                               expected_wait_minutes=expected_minutes(n_waiting, seconds, n_open or n_configured)))
    return lines


def ticket_by_id(ticket_id: int) -> Ticket | None:
    return (Ticket.objects.filter(pk=ticket_id).select_related("centre", "category", "appointment", "item")
            .first())


def served_at_window(window_id: int, *, now: datetime | None = None, within_minutes: int = 15) -> list[Ticket]:
    """The tickets a window is serving now or finished serving in the last `within_minutes` today, the
    newest first: what the window's rating pad offers the person at the counter (ratings)."""
    now = local(now)
    return list(Ticket.objects.filter(window_id=window_id, day=now.date())
                .filter(Q(state=TicketState.CALLED)
                        | Q(state=TicketState.DONE, finished_at__gte=now - timedelta(minutes=within_minutes)))
                .select_related("centre", "category", "item", "window", "clerk")
                .order_by("-last_called_at", "-id"))


def ahead_of(ticket: Ticket) -> int:
    """Waiting tickets of the same queue that will be called before `ticket` (priority first, then in
    the order taken)."""
    waiting = Ticket.objects.filter(centre=ticket.centre_id, day=ticket.day, category=ticket.category_id,
                                    state=TicketState.WAITING)
    if ticket.priority:
        return waiting.filter(priority=True, id__lt=ticket.pk).count()
    return waiting.filter(Q(priority=True) | Q(id__lt=ticket.pk)).exclude(pk=ticket.pk).count()


def ticket_wait_minutes(ticket: Ticket, *, now: datetime | None = None) -> tuple[int, int]:
    """(people ahead, expected minutes) for a ticket just taken: as queue_lines computes them."""
    hall = hall_of(ticket.centre)
    line = next((line for line in queue_lines(hall, now=now) if line.category.pk == ticket.category_id), None)
    ahead = ahead_of(ticket)
    if line is None:
        return ahead, 0
    return ahead, expected_minutes(ahead, line.service_seconds, line.windows_counted)


@dataclass(frozen=True)
class Call:
    display: str
    window_number: str
    called_at: datetime
    category_name: str
    current: bool


def calls(hall: Hall, *, now: datetime | None = None, limit: int = RECENT_CALLS) -> list[Call]:
    """The latest calls of today (a recall counts as a new call), newest first: what the hall's screen
    shows. `current`: the window is still serving that number."""
    now = local(now)
    tickets = (Ticket.objects.filter(centre=hall.centre, day=now.date(), last_called_at__isnull=False)
               .select_related("window", "category").order_by("-last_called_at", "-id")[:limit])
    return [Call(display=t.display, window_number=t.window.number if t.window else "", called_at=t.last_called_at,
                 category_name=t.category.name, current=t.state == TicketState.CALLED)
            for t in tickets if t.last_called_at is not None]


def window_today(window_id: int, *, now: datetime | None = None) -> dict[str, float | int | None]:
    """A window's day so far: tickets served, missed, average service and wait in minutes."""
    now = local(now)
    rows = Ticket.objects.filter(window_id=window_id, day=now.date())
    figures = rows.aggregate(
        served=Count("id", filter=Q(state=TicketState.DONE)), missed=Count("id", filter=Q(state=TicketState.NO_SHOW)),
        service=Avg("service_seconds", filter=Q(state=TicketState.DONE)), wait=Avg("wait_seconds"))
    return {"served": figures["served"], "missed": figures["missed"],
            "service_minutes": None if figures["service"] is None else round(figures["service"] / 60, 1),
            "wait_minutes": None if figures["wait"] is None else round(figures["wait"] / 60, 1)}


# -- history by hour of day --------------------------------------------------------------------------

@dataclass(frozen=True)
class HourProfile:
    hour: int
    tickets_per_day: float
    average_wait_minutes: float | None
    opens: time  # the part of the hour the hall is open (14:30 in the hour of 14 when it opens then)
    closes: time

    @property
    def label(self) -> str:
        return f"{self.opens:%H:%M}—{self.closes:%H:%M}"


def _open_hours(hall: Hall) -> list[tuple[int, time, time]]:
    """(hour, from, to) of each hour of the day that overlaps the hall's morning or afternoon, clipped to
    them (8 … 11 and 14:30 … 17:30 by default)."""
    hours: dict[int, tuple[time, time]] = {}
    for start, end in ((hall.morning_start, hall.morning_end), (hall.afternoon_start, hall.afternoon_end)):
        last = end.hour - (0 if end.minute or end.second else 1)
        for hour in range(start.hour, last + 1):
            opens = max(start, time(hour))
            closes = min(end, time(hour + 1)) if hour < 23 else end
            hours[hour] = (min(opens, hours[hour][0]), max(closes, hours[hour][1])) if hour in hours else (
                opens, closes)
    return [(hour, opens, closes) for hour, (opens, closes) in sorted(hours.items())]


def hourly_profile(hall: Hall, *, today: date, days: int = HISTORY_DAYS) -> list[HourProfile]:
    """For each hour the hall is open, from the last `days` days before `today`: tickets taken per
    open day in that hour and their average wait — when the hall is quiet, so people can choose."""
    since = today - timedelta(days=days)
    rows = Ticket.objects.filter(centre=hall.centre, day__gte=since, day__lt=today)
    open_days = rows.values("day").distinct().count()
    by_hour = {row["hour"]: row for row in rows.annotate(
        hour=ExtractHour("issued_at", tzinfo=timezone.get_current_timezone())).values("hour").annotate(
        n=Count("id"), wait=Avg("wait_seconds"))}
    profile = []
    for hour, opens, closes in _open_hours(hall):
        row = by_hour.get(hour)
        profile.append(HourProfile(
            hour=hour, tickets_per_day=round(row["n"] / open_days, 1) if row and open_days else 0.0,
            average_wait_minutes=round(row["wait"] / 60, 1) if row and row["wait"] is not None else None,
            opens=opens, closes=closes))
    return profile


# -- booking -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Slot:
    day: date
    half_day: str
    places_left: int
    reason: str = ""  # why it cannot be booked ("" when it can)

    @property
    def bookable(self) -> bool:
        return not self.reason and self.places_left > 0

    @property
    def half_day_label(self) -> str:
        return str(HalfDay(self.half_day).label)


@dataclass(frozen=True)
class SlotDay:
    day: date
    weekday: str
    weekend_service: bool
    slots: list[Slot] = field(default_factory=list)


def slots(hall: Hall, item: Item, *, now: datetime | None = None) -> list[SlotDay]:
    """The half-days an applicant may choose for `item` at this hall, from today to the booking
    horizon: the days the hall is open, each morning and afternoon with its places left (or why it
    cannot be booked: begun, full, weekend not for this item)."""
    now = local(now)
    category = category_for_item(hall, item)
    windows = [hw for hw in windows_serving(category) if hw.appointment_places > 0]
    days = []
    for offset in range(hall.booking_days_ahead + 1):
        day = now.date() + timedelta(days=offset)
        if not calendar.is_centre_open(hall.centre, day):
            continue
        weekend = not calendar.is_workday(day)
        row = SlotDay(day=day, weekday=calendar.weekday_zh(day), weekend_service=weekend)
        for half_day in HalfDay.values:
            start, _end = half_day_bounds(hall, day, half_day)
            left = sum(booking.places_left(hall, windows, day, half_day).values()) if windows else 0
            reason = ""
            if start <= now:
                reason = "past"
            elif weekend and not item.weekend_service:
                reason = "weekend"
            elif not windows:
                reason = "none"
            elif left <= 0:
                reason = "full"
            row.slots.append(Slot(day=day, half_day=half_day, places_left=left, reason=reason))
        days.append(row)
    return days


def half_day_times(hall: Hall, appointment: Appointment) -> tuple[datetime, datetime]:
    """When the appointment's half-day begins and ends."""
    return half_day_bounds(hall, appointment.day, appointment.half_day)


def appointments_of(applicant: Applicant) -> QuerySet[Appointment]:
    """The applicant's appointments, the coming ones first."""
    return (Appointment.objects.filter(applicant=applicant).select_related("centre", "item", "category")
            .order_by("-day", "half_day", "-id"))


def appointment_for(applicant: Applicant, code: str) -> Appointment | None:
    """The applicant's own appointment by its code (another person's code reads as unknown)."""
    return (Appointment.objects.filter(applicant=applicant, code=(code or "").strip().upper())
            .select_related("centre", "item", "category", "window").first())


def bookable_centres(item: Item) -> list[ServiceCentre]:
    """The centres that may accept `item` (catalog.centres) and run a hall with online booking, county
    first: where an applicant can book it."""
    codes = [row.code for row in catalog_selectors.accepting_centres(item)]
    return [hall.centre for hall in Hall.objects.filter(centre__code__in=codes, booking_open=True)
            .select_related("centre").order_by("centre__level", "centre__code")]


# -- for the appraisal -------------------------------------------------------------------------------

GROUPS = {"centre": ("centre_id", "centre_id"), "window": ("window_id", "window_id"), "clerk": (None, "clerk_id")}


@dataclass
class HallFigures:
    """One centre's, window's or clerk's hall figures over a period (days inclusive).

    appointments: booked for a day in the period (whatever became of them); cancelled; no_shows: never
    checked in — marked by the sweep, or still booked for a day already past; checked_in.
    tickets: taken in the period (appointments checked in included); served (done); missed (过号 or left
    before their call). Waits run from taking the ticket to its first call, service from the first call
    to done, in seconds; p90 is the nearest-rank 90th percentile (the smallest wait at least 90 % of
    called tickets did not exceed)."""

    key: int | None
    appointments: int = 0
    cancelled: int = 0
    no_shows: int = 0
    checked_in: int = 0
    tickets: int = 0
    served: int = 0
    missed: int = 0
    average_wait_seconds: float | None = None
    p90_wait_seconds: int | None = None
    average_service_seconds: float | None = None

    @property
    def no_show_rate(self) -> float | None:
        due = self.appointments - self.cancelled
        return None if due <= 0 else self.no_shows / due


def _p90_waits(tickets: QuerySet[Ticket], group: str) -> dict[int | None, int]:
    """{group: nearest-rank 90th percentile of wait_seconds}, ranked in the database (window functions,
    PostgreSQL and SQLite alike): the row at rank k = ⌈0.9·n⌉ of each group, i.e. 10(k−1) < 9n ≤ 10k."""
    ranked = tickets.filter(wait_seconds__isnull=False).annotate(
        rank=Window(RowNumber(), partition_by=[F(group)], order_by=[F("wait_seconds").asc(), F("id").asc()]),
        size=Window(Count("id"), partition_by=[F(group)]),
    ).values_list(group, "wait_seconds", "rank", "size")
    result = {}
    for key, wait, rank, size in ranked.filter(rank__gte=F("size") * 9 / 10.0, rank__lt=F("size") * 9 / 10.0 + 1):
        if 10 * (rank - 1) < 9 * size <= 10 * rank:
            result[key] = wait
    return result


def hall_figures(*, start: date, end: date, by: str = "centre", centre: ServiceCentre | None = None,
                 today: date | None = None) -> dict[int | None, HallFigures]:
    """The hall's figures per centre, window or clerk (`by`) for days `start` to `end` inclusive,
    optionally of one centre: {centre / window / clerk id: HallFigures}. `today` decides which
    still-booked appointments count as no-shows (those of earlier days). A handful of aggregate queries
    whatever the period."""
    if by not in GROUPS:
        raise ValueError(f"by must be one of {sorted(GROUPS)}")
    today = today or timezone.localdate()
    appointment_group, ticket_group = GROUPS[by]
    figures: dict[int | None, HallFigures] = {}

    def row(key: int | None) -> HallFigures:
        return figures.setdefault(key, HallFigures(key=key))

    if appointment_group is not None:
        appointments = Appointment.objects.filter(day__gte=start, day__lte=end)
        if centre is not None:
            appointments = appointments.filter(centre=centre)
        missed = Q(state=AppointmentState.NO_SHOW) | Q(state=AppointmentState.BOOKED, day__lt=today)
        for item in appointments.values(appointment_group).annotate(
                n=Count("id"), cancelled=Count("id", filter=Q(state=AppointmentState.CANCELLED)),
                no_shows=Count("id", filter=missed),
                checked_in=Count("id", filter=Q(state=AppointmentState.CHECKED_IN))):
            figure = row(item[appointment_group])
            figure.appointments, figure.cancelled = item["n"], item["cancelled"]
            figure.no_shows, figure.checked_in = item["no_shows"], item["checked_in"]
    tickets = Ticket.objects.filter(day__gte=start, day__lte=end)
    if centre is not None:
        tickets = tickets.filter(centre=centre)
    if by != "centre":
        tickets = tickets.filter(**{f"{ticket_group}__isnull": False})
    for item in tickets.values(ticket_group).annotate(
            n=Count("id"), served=Count("id", filter=Q(state=TicketState.DONE)),
            missed=Count("id", filter=Q(state=TicketState.NO_SHOW)), wait=Avg("wait_seconds"),
            service=Avg("service_seconds", filter=Q(state=TicketState.DONE))):
        figure = row(item[ticket_group])
        figure.tickets, figure.served, figure.missed = item["n"], item["served"], item["missed"]
        figure.average_wait_seconds = None if item["wait"] is None else float(item["wait"])
        figure.average_service_seconds = None if item["service"] is None else float(item["service"])
    for key, wait in _p90_waits(tickets, ticket_group).items():
        row(key).p90_wait_seconds = wait
    return figures


def figures_total(rows: Iterable[HallFigures]) -> HallFigures:
    """Counts summed over rows (the averages are not: read them per row, or ask hall_figures by centre)."""
    total = HallFigures(key=None)
    for figure in rows:
        for name in ("appointments", "cancelled", "no_shows", "checked_in", "tickets", "served", "missed"):
            setattr(total, name, getattr(total, name) + getattr(figure, name))
    return total
