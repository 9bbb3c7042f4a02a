"""The live queue: tickets numbered per queue and day, appointments checked in as priority tickets,
windows calling the next number of the queues they serve, recall, skip, done, the day's end, and the
expected wait the hall shows."""

from datetime import date

import pytest

from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.hall import selectors, services
from onewindow.hall.models import Appointment, AppointmentState, HallWindow, Ticket, TicketState

from .world import at

MONDAY = date(2026, 11, 16)


def ticket(w, item=None, *, now=None, centre=None):
    centre = centre or w.county
    return services.take_ticket(centre=centre, item=item or w.county_item,
                                issued_by=w.clerk if centre == w.county else w.township_clerk,
                                now=now or at(2026, 11, 16, 9))


def call(w, number="1", *, clerk=None, now=None):
    return services.call_next(window=w.window(number), clerk=clerk or w.clerk, now=now or at(2026, 11, 16, 9, 30))


def test_tickets_are_numbered_per_queue_and_day(w):
    a1, a2 = ticket(w), ticket(w)
    b1 = ticket(w, w.estate_item)
    assert [a1.display, a2.display, b1.display] == ["A001", "A002", "B001"]
    tomorrow = ticket(w, now=at(2026, 11, 17, 8))
    assert tomorrow.display == "A001" and tomorrow.day == date(2026, 11, 17)
    township = ticket(w, w.township_item, centre=w.township)
    assert township.display == "A001" and township.centre == w.township


def test_a_kiosk_is_a_staff_device_of_its_centre(w):
    with pytest.raises(PermissionDenied):
        services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.township_clerk)
    with pytest.raises(PermissionDenied):
        services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.person_user)
    with pytest.raises(ValidationError) as nothing:
        services.take_ticket(centre=w.county, issued_by=w.clerk)
    assert nothing.value.field == "category"
    other_queue = w.township_hall.categories.get()
    with pytest.raises(ValidationError) as wrong:
        services.take_ticket(centre=w.county, category=other_queue, issued_by=w.clerk)
    assert wrong.value.field == "category"
    assert Ticket.objects.count() == 0


def test_a_window_calls_its_queues_in_order_and_next_closes_the_last_one(w):
    a1, a2 = ticket(w, now=at(2026, 11, 16, 9)), ticket(w, now=at(2026, 11, 16, 9, 5))
    b1 = ticket(w, w.estate_item, now=at(2026, 11, 16, 9, 1))
    first = call(w, "1", now=at(2026, 11, 16, 9, 20))
    assert first.pk == a1.pk and first.state == TicketState.CALLED and first.window.number == "1"
    assert first.wait_seconds == 20 * 60 and first.clerk == w.clerk
    assert call(w, "4", now=at(2026, 11, 16, 9, 21)).pk == b1.pk  # window 4 serves queue B only
    second = call(w, "1", now=at(2026, 11, 16, 9, 32))
    assert second.pk == a2.pk
    done = Ticket.objects.get(pk=a1.pk)
    assert done.state == TicketState.DONE and done.service_seconds == 12 * 60
    assert call(w, "4", now=at(2026, 11, 16, 9, 40)) is None  # nobody waiting in B
    assert Ticket.objects.get(pk=b1.pk).state == TicketState.DONE
    assert HallWindow.objects.get(window=w.window("4")).opened_at is not None


def test_a_checked_in_appointment_is_called_before_earlier_walk_ins(w):
    appointment = services.book_appointment(applicant=w.person, item=w.county_item, centre=w.county, day=MONDAY,
                                            half_day="am", booked_by=w.person_user, now=at(2026, 11, 13))
    walk_in = ticket(w, now=at(2026, 11, 16, 8, 10))
    with pytest.raises(NotFound):
        services.check_in(centre=w.township, code=appointment.code, issued_by=w.township_clerk,
                          now=at(2026, 11, 16, 8, 20))
    priority = services.check_in(centre=w.county, code=f" {appointment.code.lower()} ", issued_by=w.clerk,
                                 now=at(2026, 11, 16, 8, 20))
    assert priority.priority and priority.display == "A002" and priority.appointment == appointment
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.CHECKED_IN
    with pytest.raises(Conflict):
        services.check_in(centre=w.county, code=appointment.code, issued_by=w.clerk, now=at(2026, 11, 16, 8, 21))
    assert selectors.ahead_of(priority) == 0 and selectors.ahead_of(walk_in) == 1
    assert call(w, now=at(2026, 11, 16, 8, 30)).pk == priority.pk
    # A checked-in appointment is never a no-show.
    services.sweep(now=at(2026, 11, 17, 1))
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.CHECKED_IN


def test_check_in_is_for_the_appointments_own_half_day(w):
    appointment = services.book_appointment(applicant=w.person, item=w.county_item, centre=w.county, day=MONDAY,
                                            half_day="pm", booked_by=w.person_user, now=at(2026, 11, 13))
    with pytest.raises(Conflict) as early:
        services.check_in(centre=w.county, code=appointment.code, issued_by=w.clerk, now=at(2026, 11, 16, 10))
    assert "一小时内签到" in early.value.message
    with pytest.raises(Conflict):
        services.check_in(centre=w.county, code=appointment.code, issued_by=w.clerk, now=at(2026, 11, 13, 15))
    with pytest.raises(ValidationError):
        services.check_in(centre=w.county, code="  ", issued_by=w.clerk)
    assert services.check_in(centre=w.county, code=appointment.code, issued_by=w.clerk,
                             now=at(2026, 11, 16, 13, 45)).priority
    assert Ticket.objects.count() == 1


def test_recall_skip_and_done(w):
    ticket(w)
    with pytest.raises(Conflict):
        services.recall(window=w.window("1"), clerk=w.clerk)
    called = call(w, now=at(2026, 11, 16, 9, 10))
    again = services.recall(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 11))
    assert again.recalls == 1 and again.last_called_at == at(2026, 11, 16, 9, 11)
    assert again.called_at == called.called_at  # the wait is to the first call
    missed = services.skip(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 13))
    assert missed.state == TicketState.NO_SHOW and missed.service_seconds is None
    with pytest.raises(Conflict):
        services.finish(window=w.window("1"), clerk=w.clerk)
    ticket(w)
    call(w, now=at(2026, 11, 16, 9, 20))
    served = services.finish(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 27, 30))
    assert served.state == TicketState.DONE and served.service_seconds == 450


def test_only_a_clerk_of_the_centre_calls_at_its_windows(w):
    ticket(w)
    for outsider in (w.township_clerk, w.person_user):
        with pytest.raises(PermissionDenied):
            call(w, clerk=outsider)
    assert Ticket.objects.get().state == TicketState.WAITING


def test_the_days_end_closes_what_was_left(w):
    ticket(w), ticket(w)
    call(w, now=at(2026, 11, 16, 9, 10))
    report = services.sweep(now=at(2026, 11, 17, 0, 30))
    assert report == {"no_shows": 0, "expired": 1, "closed": 1, "windows": 1}
    assert sorted(Ticket.objects.values_list("state", flat=True)) == [TicketState.DONE, TicketState.NO_SHOW]
    assert HallWindow.objects.filter(opened_at__isnull=False).count() == 0


def test_the_expected_wait_uses_todays_service_times_and_the_open_windows(w):
    # Three tickets done today at window 1: 5, 10 and 15 minutes of service, an average of 10.
    for minutes in (5, 10, 15):
        ticket(w, now=at(2026, 11, 16, 8))
        call(w, "1", now=at(2026, 11, 16, 9))
        services.finish(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, minutes))
    for _i in range(4):
        ticket(w, now=at(2026, 11, 16, 9, 30))
    services.open_window(window=w.window("2"), clerk=w.clerk2, now=at(2026, 11, 16, 8))
    lines = {line.category.letter: line for line in selectors.queue_lines(w.hall, now=at(2026, 11, 16, 9, 40))}
    queue = lines["A"]
    assert (queue.waiting, queue.windows_open, queue.windows_configured) == (4, 2, 3)
    assert queue.service_source == "today" and queue.service_seconds == 600
    assert queue.expected_wait_minutes == 20  # 4 people × 10 minutes ÷ 2 windows
    last = Ticket.objects.filter(state=TicketState.WAITING).order_by("id").last()
    assert selectors.ticket_wait_minutes(last, now=at(2026, 11, 16, 9, 40)) == (3, 15)
    # Queue B: no history, no window open: the hall's default 10 minutes and its one configured window.
    assert (lines["B"].service_source, lines["B"].expected_wait_minutes) == ("default", 0)
    services.close_window(window=w.window("2"), clerk=w.clerk2, now=at(2026, 11, 16, 9, 45))
    assert selectors.queue_lines(w.hall, now=at(2026, 11, 16, 9, 46))[0].windows_open == 1


def test_the_expected_wait_falls_back_to_the_queues_history(w):
    ticket(w, now=at(2026, 11, 13, 9))
    call(w, now=at(2026, 11, 13, 9, 10))
    services.finish(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 13, 9, 16))
    ticket(w), ticket(w)
    line = selectors.queue_lines(w.hall, now=at(2026, 11, 16, 9, 1))[0]
    assert (line.service_source, line.service_seconds, line.windows_open) == ("history", 360, 0)
    assert line.expected_wait_minutes == 4  # 2 × 6 minutes ÷ 3 configured windows


def test_the_hall_screen_shows_the_latest_calls_first(w):
    ticket(w), ticket(w), ticket(w, w.estate_item)
    call(w, "1", now=at(2026, 11, 16, 9, 10))
    call(w, "4", now=at(2026, 11, 16, 9, 11))
    call(w, "2", now=at(2026, 11, 16, 9, 12))
    services.recall(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 13))
    board = selectors.calls(w.hall, now=at(2026, 11, 16, 9, 14))
    assert [(c.display, c.window_number) for c in board] == [("A001", "1"), ("A002", "2"), ("B001", "4")]
    assert all(c.current for c in board)


def test_the_hourly_profile_counts_tickets_per_open_day_and_their_waits(w):
    for day, hour, wait in ((9, 9, 10), (9, 9, 20), (10, 9, 30), (10, 15, 5)):
        issued = ticket(w, now=at(2026, 11, day, hour))
        Ticket.objects.filter(pk=issued.pk).update(wait_seconds=wait * 60)
    profile = {row.hour: row for row in selectors.hourly_profile(w.hall, today=date(2026, 11, 16))}
    assert sorted(profile) == [8, 9, 10, 11, 14, 15, 16, 17]  # the hours the hall is open
    assert [profile[h].label for h in (8, 14, 17)] == ["08:00—09:00", "14:30—15:00", "17:00—17:30"]
    assert (profile[9].tickets_per_day, profile[9].average_wait_minutes) == (1.5, 20.0)
    assert (profile[15].tickets_per_day, profile[15].average_wait_minutes) == (0.5, 5.0)
    assert (profile[10].tickets_per_day, profile[10].average_wait_minutes) == (0.0, None)


def test_a_number_left_called_overnight_gets_no_service_time(w):
    ticket(w, now=at(2026, 11, 13, 16))
    call(w, now=at(2026, 11, 13, 16, 30))  # Friday; nobody pressed done and the sweep did not run
    ticket(w, now=at(2026, 11, 16, 8, 5))
    fresh = call(w, now=at(2026, 11, 16, 8, 10))
    assert fresh.day == date(2026, 11, 16)
    old = Ticket.objects.get(day=date(2026, 11, 13))
    assert old.state == TicketState.DONE and old.service_seconds is None
