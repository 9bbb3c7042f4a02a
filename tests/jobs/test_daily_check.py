"""The daily check: each department's open, close-to-limit and overdue tasks, counted in SQL from the
stored due dates, kept as one row per department per day (2026 National Day: October 1-7 off,
Saturday October 10 worked)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases import services as case_services
from onewindow.jobs import selectors, services
from onewindow.jobs.models import DailySnapshot
from onewindow.jobs.tasks import daily_check
from tests.cases.factories import accepted_case, at, task_of

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 10, 12)


def counts(department) -> tuple[int, int, int, int]:
    row = DailySnapshot.objects.get(day=MONDAY, department=department)
    return row.open_tasks, row.warning_tasks, row.overdue_tasks, row.paused_tasks


@pytest.fixture
def backlog(world):
    """On Monday 12 October: the licence's parallel review (市场监管, 公安) was due Friday the 9th;
    the road permit's review (自然资源) is due Tuesday the 13th; the property registration (自然资源)
    accepted today is due a week later."""
    licence = accepted_case(world, now=at(2026, 9, 30, 10))
    road = accepted_case(world, world.needs_licence, now=at(2026, 9, 30, 10))
    property_ = accepted_case(world, world.paid, now=at(2026, 10, 12, 9))
    assert task_of(licence, world.scjg, 2).due_on == date(2026, 10, 9)
    assert task_of(road, world.zrzy).due_on == date(2026, 10, 13)
    assert task_of(property_, world.zrzy).due_on == date(2026, 10, 19)
    return licence, road, property_


def test_each_department_gets_its_open_warning_and_overdue_counts(world, backlog):
    report = services.daily_check(day=MONDAY, now=at(2026, 10, 12, 7))
    assert not report.skipped and (report.open_tasks, report.warning_tasks, report.overdue_tasks) == (4, 1, 2)
    # The minimum yellow window (ONEWINDOW_YELLOW_DAYS = 1 working day) of Monday: up to Tuesday the 13th.
    assert DailySnapshot.objects.filter(day=MONDAY).values_list("warning_until", flat=True).distinct().get() \
        == date(2026, 10, 13)
    assert counts(world.scjg) == (1, 0, 1, 0)
    assert counts(world.gaj) == (1, 0, 1, 0)
    assert counts(world.zrzy) == (2, 1, 0, 0)


def test_every_active_department_has_a_row_even_without_tasks(world, backlog):
    idle = world.scjg.__class__.objects.create(code="dx-idle", name="东兴市档案馆", region=world.scjg.region)
    services.daily_check(day=MONDAY, now=at(2026, 10, 12, 7))
    assert counts(idle) == (0, 0, 0, 0)
    assert [row.department for row in selectors.snapshots(MONDAY)][:2] == [world.gaj, world.scjg]


def test_a_paused_task_is_neither_close_to_its_limit_nor_overdue(world, backlog):
    _licence, road, _property = backlog
    case_services.start_special_procedure(approver=world.approver_zrzy, task=task_of(road, world.zrzy),
                                          kind="site_inspection", limit_days=5, reason="现场勘验占道位置",
                                          now=at(2026, 10, 12, 8))
    services.daily_check(day=MONDAY, now=at(2026, 10, 12, 9))
    assert counts(world.zrzy) == (2, 0, 0, 1)


def test_running_the_check_again_the_same_day_replaces_its_rows(world, backlog):
    licence, _road, _property = backlog
    services.daily_check(day=MONDAY, now=at(2026, 10, 12, 7))
    rows = DailySnapshot.objects.filter(day=MONDAY).count()
    case_services.approve_task(approver=world.approver_gaj, task=task_of(licence, world.gaj, 2),
                               now=at(2026, 10, 12, 10))
    daily_check.delay(day=MONDAY.isoformat(), now=at(2026, 10, 12, 11).isoformat()).get()  # eager
    assert DailySnapshot.objects.filter(day=MONDAY).count() == rows
    assert counts(world.gaj) == (0, 0, 0, 0)
    assert DailySnapshot.objects.get(day=MONDAY, department=world.gaj).computed_at == at(2026, 10, 12, 11)


def test_days_off_are_skipped_unless_forced(world, backlog):
    national_day = date(2026, 10, 3)
    assert services.daily_check(day=national_day).skipped
    assert not DailySnapshot.objects.exists()
    assert not services.daily_check(day=national_day, force=True).skipped
    assert DailySnapshot.objects.filter(day=national_day).count() >= 3


def test_the_check_costs_the_same_queries_however_many_tasks(world, backlog):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            services.daily_check(day=MONDAY, now=at(2026, 10, 12, 7))
        return len(captured)

    before = queries()
    for _ in range(5):
        accepted_case(world, now=at(2026, 10, 12, 9))
    assert queries() == before
