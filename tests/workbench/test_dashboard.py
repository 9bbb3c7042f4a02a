"""The staff dashboard: today's counts, cases in hand by light and each department's overdue tasks,
counted in the database (cases/stats.py), scoped to what the account may see, drawn as SVG."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from onewindow.calendar.services import seed_official_calendar
from onewindow.cases import deadlines, services, stats
from onewindow.cases.models import Case
from tests.cases.factories import accepted_case, at, build_world, submit_online, task_of

pytestmark = pytest.mark.django_db
URL = reverse("workbench:dashboard")


@pytest.fixture
def world():
    seed_official_calendar()
    return build_world()


def _mixed_cases(w) -> list[Case]:
    """Accepted cases on different days, one paused for a supplement, one suspended, one extended,
    one decided, one still at the window."""
    early = accepted_case(w, now=at(2026, 9, 30, 10))  # due 2026-10-13
    later = accepted_case(w, now=at(2026, 10, 9, 10))
    paused = accepted_case(w, now=at(2026, 10, 9, 11))
    form = w.ids(w.licence, "设立登记申请书")[0]
    services.request_supplement(actor=w.approver_scj, case=paused, now=at(2026, 10, 12),
                                defects=[{"material_id": form, "reason": "未签字"}])
    suspended = accepted_case(w, now=at(2026, 9, 30, 11))
    services.start_special_procedure(approver=w.approver_gaj, task=task_of(suspended, w.gaj, 2), kind="site_inspection",
                                     limit_days=5, reason="现场勘验", now=at(2026, 10, 8))
    extended = accepted_case(w, now=at(2026, 9, 30, 12))
    services.extend_case(approver=w.approver_scj, case=extended, days=3, reason="需征求意见", now=at(2026, 10, 9))
    decided = accepted_case(w, now=at(2026, 9, 30, 13))
    for approver, department in ((w.approver_scj, w.scjg), (w.approver_gaj, w.gaj)):
        services.approve_task(approver=approver, task=task_of(decided, department, 2), now=at(2026, 10, 9))
    submit_online(w, now=at(2026, 10, 12, 9))  # not accepted: no light
    return [early, later, paused, suspended, extended, decided]


def test_open_cases_by_light_equal_the_per_case_rule_on_every_day(world):
    _mixed_cases(world)
    accepted = list(Case.objects.filter(accepted_on__isnull=False))
    assert len(accepted) == 6
    seen = set()
    for today in [date(2026, 10, 9), date(2026, 10, 12), date(2026, 10, 13), date(2026, 10, 14),
                  date(2026, 10, 16), date(2026, 10, 21), date(2026, 11, 25)]:
        expected = Counter({"green": 0, "yellow": 0, "red": 0, "paused": 0})
        expected.update(light for case in accepted
                        if (light := deadlines.light(case, today=today)) in ("green", "yellow", "red", "paused"))
        assert stats.open_by_light(Case.objects.all(), today=today) == dict(expected), today
        seen |= {light for light, n in expected.items() if n}
    assert seen == {"green", "yellow", "red", "paused"}  # the days above show every light of a case in hand


def test_open_by_light_is_a_few_queries_whatever_the_number_of_cases(world):
    _mixed_cases(world)
    with CaptureQueriesContext(connection) as queries:
        stats.open_by_light(Case.objects.all(), today=date(2026, 10, 14))
    assert len(queries) == 1  # one aggregate over the open clocks' stored dates


def test_today_counts_received_accepted_concluded_and_waiting(world):
    accepted_case(world, now=at(2026, 10, 9, 9))
    accepted_case(world, now=at(2026, 10, 12, 23, 59))
    submit_online(world, now=at(2026, 10, 12, 0, 1))
    submit_online(world, now=at(2026, 10, 13, 0, 0))  # the next day, midnight in Beijing
    counts = stats.today_counts(Case.objects.all(), today=date(2026, 10, 12))
    assert counts == {"received": 2, "accepted": 1, "concluded": 0, "awaiting_acceptance": 2}


def test_department_load_counts_open_and_overdue_tasks_most_overdue_first(world):
    _mixed_cases(world)
    rows = stats.department_load(stats.dashboard_scope(world.supervisor)[1], today=date(2026, 10, 21))
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {world.scjg.name, world.gaj.name}
    # Suspended tasks are in hand but their clock is stopped: never overdue.
    assert by_name[world.gaj.name]["open"] >= 1 and by_name[world.scjg.name]["overdue"] >= 1
    assert rows == sorted(rows, key=lambda r: (-r["overdue"], -r["open"], r["name"]))
    assert stats.department_load(stats.dashboard_scope(world.supervisor)[1], today=date(2026, 9, 1)) == [
        {**row, "overdue": 0} for row in sorted(rows, key=lambda r: (-r["open"], r["name"]))]


def test_supervisor_sees_todays_numbers_lights_and_the_chart_read_from_the_primary_without_replica(client, world):
    now = timezone.now()
    accepted_case(world, now=now)
    submit_online(world, now=now)
    overdue = accepted_case(world, now=now - timedelta(days=60))
    client.force_login(world.supervisor)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["X-Onewindow-Read-DB"] == "default"  # no ONEWINDOW_REPLICA_DATABASE_URL in tests
    body = response.content.decode()
    assert 'data-count="received">2<' in body and 'data-count="accepted">1<' in body
    assert 'data-count="awaiting_acceptance">1<' in body
    assert '?light=red">1<' in body and '?light=green">1<' in body
    assert "<svg" in body and world.scjg.name in body and overdue.number not in body
    # The chart's legend follows the language like the rest of the page.
    english = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">In hand<" in english and ">Overdue<" in english and ">在办<" not in english


def test_a_clerk_counts_only_the_centres_cases_and_an_approver_only_the_departments_tasks(client, world):
    now = timezone.now()
    accepted_case(world, now=now)  # at world.centre, tasks of scjg and gaj
    client.force_login(world.other_clerk)
    body = client.get(URL).content.decode()
    assert 'data-count="received">0<' in body and world.scjg.name not in body
    client.force_login(world.approver_gaj)
    body = client.get(URL).content.decode()
    assert 'data-count="accepted">1<' in body
    assert world.gaj.name in body and world.scjg.name not in body


@pytest.mark.parametrize("who", ["agent", "applicant_user"])
def test_agents_and_applicants_find_no_dashboard(client, world, who):
    client.force_login(getattr(world, who))
    assert client.get(URL).status_code == 404


def test_dashboard_is_read_only_and_get_only(client, world):
    client.force_login(world.supervisor)
    assert client.post(URL).status_code == 405


def test_the_dashboard_costs_the_same_queries_for_one_case_or_many(client, world):
    client.force_login(world.supervisor)
    now = timezone.now()
    accepted_case(world, now=now)
    client.get(URL)  # warm: the calendar index, the session
    with CaptureQueriesContext(connection) as one:
        assert client.get(URL).status_code == 200
    for hours in range(1, 6):
        accepted_case(world, now=now - timedelta(days=hours * 3))
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(one) <= 12, [q["sql"][:120] for q in many.captured_queries]
