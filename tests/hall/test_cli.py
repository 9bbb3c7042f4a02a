"""`onewindow hall …` and the sample halls of the demo."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.cli import main
from onewindow.hall import selectors, services
from onewindow.hall.models import Appointment, Hall, HallWindow, QueueCategory, Ticket, TicketState
from tests.factories import ServiceCentreFactory, WindowFactory

from .world import at


def test_setup_gives_a_centre_its_hall_once(db, capsys):
    centre = ServiceCentreFactory(code="NEW01", name="新设中心")
    for number in ("1", "2"):
        WindowFactory(centre=centre, number=number)
    WindowFactory(centre=centre, number="3", is_comprehensive=False)
    assert main(["hall", "setup", "NEW01", "--places", "5"]) == 0
    assert "新设中心" in capsys.readouterr().out
    assert main(["hall", "setup", "NEW01"]) == 0  # again: nothing changes
    hall = Hall.objects.get(centre=centre)
    [queue] = QueueCategory.objects.filter(hall=hall)
    assert (queue.letter, queue.name, queue.is_default) == ("A", "综合受理", True)
    assert sorted(HallWindow.objects.filter(categories=queue).values_list("window__number", flat=True)) == ["1", "2"]
    assert set(HallWindow.objects.filter(window__centre=centre).values_list("appointment_places", flat=True)) == {5}
    assert main(["hall", "places", "NEW01", "2", "7"]) == 0
    assert HallWindow.objects.get(window__centre=centre, window__number="2").appointment_places == 7
    assert main(["hall", "places", "NEW01", "9", "7"]) == 2
    assert "no window 9" in capsys.readouterr().err
    assert main(["hall", "setup", "NOPE"]) == 2


def test_status_sweep_and_figures(w, capsys):
    services.take_ticket(centre=w.county, item=w.county_item, issued_by=w.clerk, now=at(2026, 11, 16, 9))
    services.call_next(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 6))
    services.finish(window=w.window("1"), clerk=w.clerk, now=at(2026, 11, 16, 9, 15))
    assert main(["hall", "status", "DX01"]) == 0
    assert "综合受理" in capsys.readouterr().out
    assert main(["hall", "sweep"]) == 0
    assert "爽约 no-shows 0" in capsys.readouterr().out
    assert main(["hall", "figures", "--from", "2026-11-16", "--to", "2026-11-16", "--by", "window"]) == 0
    out = capsys.readouterr().out
    assert "1 | 1 | 0 | 6.0 | 6.0 | 9.0" in out  # tickets, served, missed, avg and p90 wait, avg service (min)
    assert main(["hall", "figures", "--from", "2026-11-16", "--to", "2026-11-01"]) == 2
    assert main(["hall", "figures", "--from", "someday", "--to", "2026-11-01"]) == 2


@pytest.mark.django_db
def test_the_sample_halls_have_a_month_of_plausible_queue(settings):
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.hall.sample import load_sample_halls
    from onewindow.orgs.sample import ensure_demo_accounts, load_sample_orgs

    seed_official_calendar()
    load_sample_orgs()
    load_sample_catalog()
    ensure_demo_accounts(password="demo-pass-2026")
    now = at(2026, 11, 16, 10, 30)  # a Monday morning: today's queue so far
    summary = load_sample_halls(now=now)
    assert "4 个大厅" in summary and load_sample_halls(now=now).endswith("already present")
    county = Hall.objects.get(centre__code="DX01")
    assert [c.letter for c in selectors.categories(county)] == ["A", "B", "C"]
    assert HallWindow.objects.filter(window__centre__code="JPZ01").count() == 3
    today = Ticket.objects.filter(centre=county.centre, day=now.date())
    assert today.filter(state=TicketState.WAITING).exists() and today.filter(state=TicketState.DONE).exists()
    assert today.filter(state=TicketState.CALLED).count() <= HallWindow.objects.filter(window__centre=county.centre
                                                                                      ).count()
    profile = {row.hour: row for row in selectors.hourly_profile(county, today=now.date())}
    assert profile[10].average_wait_minutes > profile[8].average_wait_minutes  # the morning rush waits longer
    assert profile[9].tickets_per_day > profile[14].tickets_per_day
    figures = selectors.hall_figures(start=date(2026, 10, 19), end=date(2026, 11, 13), today=now.date())
    county_figures = figures[county.centre_id]
    assert county_figures.appointments > 0 and 0 < county_figures.no_shows < county_figures.appointments
    assert 300 < county_figures.average_service_seconds < 900
    assert county_figures.p90_wait_seconds > county_figures.average_wait_seconds
    assert Appointment.objects.filter(centre=county.centre).count() == county_figures.appointments
