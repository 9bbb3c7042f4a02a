"""The figures the appraisal reads (hall.selectors.hall_figures), against a small fixture computed by
hand: per centre, window and clerk, appointments, cancellations, no-shows, tickets, average and p90
waits (nearest rank) and the average service time."""

from datetime import date, timedelta

import pytest

from onewindow.hall import selectors
from onewindow.hall.models import Appointment, AppointmentState, Ticket, TicketState

from .world import at

START, END, TODAY = date(2026, 11, 16), date(2026, 11, 17), date(2026, 11, 18)


def _appointment(w, n, day, window, state):
    hall = w.hall
    return Appointment.objects.create(
        code=f"FIGURE{n:02d}", centre=w.county, item=w.county_item, category=hall.categories.get(letter="A"),
        window=w.window(window), applicant=w.person, day=day, half_day="am", state=state, booked_at=at(2026, 11, 13))


def _ticket(w, n, *, centre=None, window=None, clerk=None, state=TicketState.DONE, wait=None, service=None,
            day=START):
    centre = centre or w.county
    category = (w.hall if centre == w.county else w.township_hall).categories.get(letter="A")
    return Ticket.objects.create(
        centre=centre, day=day, category=category, number=n, display=f"A{n:03d}", state=state,
        issued_at=at(day.year, day.month, day.day, 9), window=window, clerk=clerk, wait_seconds=wait,
        service_seconds=service)


@pytest.fixture
def fixture(w):
    one, two = w.window("1"), w.window("2")
    _appointment(w, 1, START, "1", AppointmentState.CHECKED_IN)
    _appointment(w, 2, START, "1", AppointmentState.NO_SHOW)
    _appointment(w, 3, START, "2", AppointmentState.CANCELLED)
    _appointment(w, 4, END, "2", AppointmentState.BOOKED)  # never checked in, its day is past: a no-show
    _appointment(w, 5, TODAY, "1", AppointmentState.BOOKED)  # outside the period
    _ticket(w, 1, window=one, clerk=w.clerk, wait=60, service=300)
    _ticket(w, 2, window=one, clerk=w.clerk, wait=180, service=420)
    _ticket(w, 3, window=one, clerk=w.clerk, state=TicketState.NO_SHOW, wait=600)  # 过号
    _ticket(w, 4, window=two, clerk=w.clerk2, wait=120, service=600, day=END)
    _ticket(w, 5, window=two, clerk=w.clerk2, wait=240, service=240, day=END)
    _ticket(w, 6, state=TicketState.NO_SHOW)  # left before being called
    _ticket(w, 1, centre=w.township, window=w.township.windows.get(), clerk=w.township_clerk, wait=30, service=100)
    _ticket(w, 7, window=one, clerk=w.clerk, wait=5000, service=5000, day=TODAY)  # outside the period
    return w


def test_figures_per_centre(fixture):
    w = fixture
    rows = selectors.hall_figures(start=START, end=END, today=TODAY)
    county = rows[w.county.pk]
    assert (county.appointments, county.cancelled, county.no_shows, county.checked_in) == (4, 1, 2, 1)
    assert (county.tickets, county.served, county.missed) == (6, 4, 2)
    assert county.average_wait_seconds == 240  # (60 + 180 + 600 + 120 + 240) / 5 called tickets
    assert county.p90_wait_seconds == 600  # 5 waits: rank ⌈4.5⌉ = 5
    assert county.average_service_seconds == 390  # (300 + 420 + 600 + 240) / 4 done
    assert county.no_show_rate == pytest.approx(2 / 3)
    township = rows[w.township.pk]
    assert (township.appointments, township.tickets, township.served) == (0, 1, 1)
    assert (township.average_wait_seconds, township.p90_wait_seconds, township.average_service_seconds) == (
        30, 30, 100)
    only = selectors.hall_figures(start=START, end=END, today=TODAY, centre=w.township)
    assert list(only) == [w.township.pk]


def test_figures_per_window_and_per_clerk(fixture):
    w = fixture
    windows = selectors.hall_figures(start=START, end=END, by="window", centre=w.county, today=TODAY)
    one, two = windows[w.window("1").pk], windows[w.window("2").pk]
    assert (one.appointments, one.no_shows, one.checked_in, one.tickets, one.served, one.missed) == (2, 1, 1, 3, 2, 1)
    assert (one.average_wait_seconds, one.p90_wait_seconds, one.average_service_seconds) == (280, 600, 360)
    assert (two.appointments, two.cancelled, two.no_shows, two.tickets, two.served) == (2, 1, 1, 2, 2)
    assert (two.average_wait_seconds, two.p90_wait_seconds, two.average_service_seconds) == (180, 240, 420)
    assert None not in windows  # the ticket nobody called belongs to no window
    clerks = selectors.hall_figures(start=START, end=END, by="clerk", centre=w.county, today=TODAY)
    assert set(clerks) == {w.clerk.pk, w.clerk2.pk}
    assert (clerks[w.clerk.pk].tickets, clerks[w.clerk.pk].served, clerks[w.clerk.pk].appointments) == (3, 2, 0)
    assert clerks[w.clerk2.pk].average_service_seconds == 420
    total = selectors.figures_total(windows.values())
    assert (total.appointments, total.tickets, total.served) == (4, 5, 4)


def test_the_p90_is_the_nearest_rank(w):
    three = w.window("3")
    for n in range(1, 11):  # waits of 1 … 10 minutes: rank ⌈0.9 × 10⌉ = 9
        _ticket(w, n, window=three, wait=60 * n, service=60)
    for n in range(11, 31):  # another window, 20 waits: rank 18
        _ticket(w, n, window=w.window("2"), wait=n, service=1, day=END)
    rows = selectors.hall_figures(start=START, end=END, by="window", today=TODAY)
    assert rows[three.pk].p90_wait_seconds == 9 * 60
    assert rows[w.window("2").pk].p90_wait_seconds == 28  # the 18th of 11 … 30
    empty = selectors.hall_figures(start=END + timedelta(days=5), end=END + timedelta(days=6), today=TODAY)
    assert empty == {}


def test_an_unknown_grouping_is_refused(w):
    with pytest.raises(ValueError):
        selectors.hall_figures(start=START, end=END, by="department")
