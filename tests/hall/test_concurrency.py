"""People acting at once: two applicants booking the last place, two windows calling at once — never
double-booked, never one ticket called twice. Real concurrent connections on both databases: on
PostgreSQL the row locks (SELECT … FOR UPDATE, SKIP LOCKED) decide; on SQLite the exclusive write
transaction (BEGIN IMMEDIATE) does, so the test database is moved to a file for these tests (the
in-memory test database's shared cache has no busy wait)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import pytest
from django.db import connection

from onewindow.calendar.services import seed_official_calendar
from onewindow.core.errors import Conflict
from onewindow.hall import services
from onewindow.hall.models import Appointment, Ticket, TicketState
from tests.factories import ApplicantFactory, make_staff

from .world import at, make_hall_world

MONDAY = date(2026, 11, 16)


@pytest.fixture
def shared(transactional_db, tmp_path):
    """The hall world committed where other connections see it (on SQLite: copied to a file database
    for the test, then the in-memory test database is back)."""
    seed_official_calendar()
    world = make_hall_world()
    if connection.vendor != "sqlite":
        yield world
        return
    connection.ensure_connection()
    path = tmp_path / "concurrent.sqlite3"
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    name, memory = connection.settings_dict["NAME"], connection.connection
    connection.settings_dict["NAME"] = str(path)  # the dict every thread's connection is made from
    connection.connection = None
    try:
        yield world
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def race(fn, n: int = 2) -> list:
    """fn(i) in n threads released together; each result or the exception it raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            connection.ensure_connection()  # connected before the start: the calls themselves overlap
            barrier.wait()
            results[i] = fn(i)
        except Exception as error:  # noqa: BLE001 - the result under test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def test_two_applicants_taking_the_last_place_at_once_one_gets_it(shared):
    w = shared
    for applicant in [ApplicantFactory() for _ in range(5)]:  # 6 places (3 windows × 2): 5 taken
        services.book_appointment(applicant=applicant, item=w.county_item, centre=w.county, day=MONDAY,
                                  half_day="am", now=at(2026, 11, 13))
    people = [w.person, w.other]
    results = race(lambda i: services.book_appointment(
        applicant=people[i], item=w.county_item, centre=w.county, day=MONDAY, half_day="am",
        booked_by=people[i].user, now=at(2026, 11, 13, 10)))
    booked = [r for r in results if isinstance(r, Appointment)]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(booked) == 1 and len(refused) == 1, results
    assert "已满" in refused[0].message
    assert Appointment.objects.filter(day=MONDAY, half_day="am").count() == 6
    per_window = Appointment.objects.filter(day=MONDAY, half_day="am").values_list("window__number", flat=True)
    assert sorted(per_window) == ["1", "1", "2", "2", "3", "3"]


def test_windows_calling_at_once_never_get_the_same_ticket(shared):
    w = shared
    for minute in range(7):
        services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk, now=at(2026, 11, 16, 9, minute))
    clerks = [w.clerk, w.clerk2, make_staff("window_clerk", centre=w.county, username="clerk3")]
    windows = [w.window("1"), w.window("2"), w.window("3")]
    seen = []
    for round_minute in (10, 20):  # each round closes the last calls and calls three more
        moment = at(2026, 11, 16, 9, round_minute)
        results = race(lambda i, moment=moment: services.call_next(window=windows[i], clerk=clerks[i], now=moment),
                       n=3)
        assert all(isinstance(r, Ticket) for r in results), results
        assert len({r.pk for r in results}) == 3, [r.display for r in results]
        seen += [r.display for r in results]
    assert sorted(seen) == [f"A00{n}" for n in range(1, 7)]  # in order, none twice
    assert Ticket.objects.filter(state=TicketState.CALLED).count() == 3
    # One ticket left, three windows: one calls it, the others find nobody waiting.
    results = race(lambda i: services.call_next(window=windows[i], clerk=clerks[i], now=at(2026, 11, 16, 9, 30)), n=3)
    called = [r for r in results if isinstance(r, Ticket)]
    assert len(called) == 1 and results.count(None) == 2, results
    assert called[0].display == "A007"
    assert Ticket.objects.filter(state=TicketState.CALLED).count() == 1
    assert Ticket.objects.filter(state=TicketState.DONE).count() == 6


def test_two_kiosks_at_once_hand_out_different_numbers(shared):
    w = shared
    results = race(lambda i: services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk,
                                                  now=at(2026, 11, 16, 9)), n=4)
    assert all(isinstance(r, Ticket) for r in results), results
    assert sorted(r.display for r in results) == ["A001", "A002", "A003", "A004"]
