"""The clock light as a filter in SQL (selectors.filter_by_light): the same cases as the per-case rule
(deadlines.light) on every day, for running, paused, suspended, extended, decided-in-time and
decided-late cases, and a fixed number of queries whatever the number of cases."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases import deadlines, lights, selectors, services
from onewindow.cases.models import Case

from .factories import accepted_case, at, open_tasks, submit_online, task_of

LIGHTS = ("green", "yellow", "red")


def _decide(w, case, now):
    approvers = {w.scjg.pk: w.approver_scj, w.gaj.pk: w.approver_gaj, w.zrzy.pk: w.approver_zrzy}
    while tasks := open_tasks(case):
        for task in tasks:
            services.approve_task(approver=approvers[task.department_id], task=task, now=now)
        case.refresh_from_db()
    return case


def _mixed_cases(w) -> list[Case]:
    """Accepted cases on different days; one paused for a supplement, one suspended, one extended, one
    decided in time, one decided late, one immediate item (limit 0), one still at the window."""
    accepted_case(w, now=at(2026, 9, 30, 10))  # due 2026-10-13
    accepted_case(w, now=at(2026, 10, 9, 10))
    accepted_case(w, w.paid, now=at(2026, 10, 12, 10))
    paused = accepted_case(w, now=at(2026, 10, 9, 11))
    form = w.ids(w.licence, "设立登记申请书")[0]
    services.request_supplement(actor=w.approver_scj, case=paused, now=at(2026, 10, 12),
                                defects=[{"material_id": form, "reason": "未签字"}])
    suspended = accepted_case(w, now=at(2026, 9, 30, 11))
    services.start_special_procedure(approver=w.approver_gaj, task=task_of(suspended, w.gaj, 2),
                                     kind="site_inspection", limit_days=5, reason="现场勘验", now=at(2026, 10, 8))
    extended = accepted_case(w, now=at(2026, 9, 30, 12))
    services.extend_case(approver=w.approver_scj, case=extended, days=3, reason="需征求意见", now=at(2026, 10, 9))
    _decide(w, accepted_case(w, now=at(2026, 9, 30, 13)), at(2026, 10, 9))
    _decide(w, accepted_case(w, now=at(2026, 9, 30, 14)), at(2026, 10, 20))  # after its due date
    accepted_case(w, w.immediate, now=at(2026, 10, 14, 9))
    submit_online(w, now=at(2026, 10, 12, 9))  # not accepted: no light
    return list(Case.objects.filter(accepted_on__isnull=False))


def _by_rule(cases, today):
    return {light: {c.pk for c in cases if deadlines.light(c, today=today) == light} for light in LIGHTS}


def _by_sql(today):
    return {light: set(selectors.filter_by_light(Case.objects.all(), light, today=today)
                       .values_list("pk", flat=True)) for light in LIGHTS}


def _days():
    day = date(2026, 9, 29)
    while day <= date(2026, 11, 20):
        yield day
        day += timedelta(days=1)


def test_light_filter_in_sql_returns_the_cases_of_the_per_case_rule_on_every_day(world):
    cases = _mixed_cases(world)
    assert len(cases) == 9
    seen = set()
    for today in _days():
        expected = _by_rule(cases, today)
        assert _by_sql(today) == expected, today
        seen |= {light for light, ids in expected.items() if ids}
    assert seen == set(LIGHTS)


def test_light_filter_agrees_with_other_yellow_thresholds(world, settings):
    cases = _mixed_cases(world)
    settings.CASE_YELLOW_SHARE, settings.CASE_YELLOW_WORKING_DAYS = 0.6, 1
    for today in _days():
        assert _by_sql(today) == _by_rule(cases, today), today


def test_light_filter_judges_in_python_the_limits_beyond_the_sql_table(world, monkeypatch):
    cases = _mixed_cases(world)
    monkeypatch.setattr(lights, "LIGHT_SQL_MAX_LIMIT", 1)  # every running case of limit > 1 goes to Python
    for today in (date(2026, 10, 9), date(2026, 10, 13), date(2026, 10, 14), date(2026, 10, 21)):
        assert _by_sql(today) == _by_rule(cases, today), today


def test_light_filter_is_two_queries_whatever_the_number_of_cases(world):
    _mixed_cases(world)
    selectors.filter_by_light(Case.objects.all(), "red", today=date(2026, 10, 14)).count()  # calendar index built
    with CaptureQueriesContext(connection) as queries:
        count = selectors.filter_by_light(Case.objects.all(), "red", today=date(2026, 10, 14)).count()
    assert count >= 1
    assert len(queries) == 2  # the stopped clocks judged in Python, then the filtered count
