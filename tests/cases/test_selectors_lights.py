"""Cases and their stages on the generic clock (workflow/clock.py via cases/deadlines.py): one
definition of each light, decided from stored dates, the same one row at a time (light), as a list's
filter (filter_by_light) and as the dashboard's counts (stats.open_by_light) — on every day, on both
databases. The rules of issue 15: paused is paused (never late while it stands), a stage past its own
limit is late even inside an on-time case, stages fall due in order, "overdue" means open and past due
(concluded late is its own figure), and the dashboard's counts equal the filters' lists."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onewindow.cases import deadlines, selectors, services, stats
from onewindow.cases.models import Case, Task
from onewindow.catalog.models import StageKind
from onewindow.workflow.clock import Light

from .factories import accepted_case, at, make_item, open_tasks, submit_online, task_of

LIGHTS = tuple(Light.values)


def _decide(w, case, now):
    approvers = {w.scjg.pk: w.approver_scj, w.gaj.pk: w.approver_gaj, w.zrzy.pk: w.approver_zrzy}
    while tasks := open_tasks(case):
        for task in tasks:
            services.approve_task(approver=approvers[task.department_id], task=task, now=now)
        case.refresh_from_db()
    return case


def _mixed_cases(w) -> list[Case]:
    """Accepted cases on different days; one paused for a supplement, one suspended, one extended, one
    decided in time, one decided late, one withdrawn, one immediate item (limit 0), one still at the
    window."""
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
    withdrawn = accepted_case(w, now=at(2026, 9, 30, 15))
    services.withdraw_case(actor=w.applicant_user, case=withdrawn, reason="不再需要", now=at(2026, 10, 9))
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


def test_light_filter_returns_the_cases_of_the_per_case_rule_on_every_day(world):
    cases = _mixed_cases(world)
    assert len(cases) == 10
    seen = set()
    for today in _days():
        expected = _by_rule(cases, today)
        assert _by_sql(today) == expected, today
        seen |= {light for light, ids in expected.items() if ids}
    assert seen == set(LIGHTS)


def test_light_filter_agrees_with_other_yellow_thresholds(world, settings):
    settings.ONEWINDOW_YELLOW_SHARE, settings.ONEWINDOW_YELLOW_DAYS = 0.6, 1
    cases = _mixed_cases(world)
    for today in _days():
        assert _by_sql(today) == _by_rule(cases, today), today


def test_the_dashboards_counts_equal_the_lengths_of_the_filtered_lists_on_every_day(world):
    _mixed_cases(world)
    for today in _days():
        counts = stats.open_by_light(Case.objects.all(), today=today)
        assert set(counts) == {"green", "yellow", "red", "paused"}
        for light, n in counts.items():
            assert n == selectors.filter_by_light(Case.objects.all(), light, today=today).count(), (today, light)


def test_the_dashboard_page_and_the_case_list_page_show_the_same_numbers(client, world):
    _mixed_cases(world)
    client.force_login(world.supervisor)
    today = date.today()
    body = client.get(reverse("workbench:dashboard")).content.decode()
    counts = stats.open_by_light(Case.objects.all(), today=today)
    for light, n in counts.items():
        assert f'?light={light}">{n}<' in body
        listed = client.get(reverse("workbench:case_list"), {"light": light}).content.decode()
        assert f"共 {n} 件" in listed


def test_a_light_filter_is_one_query_whatever_the_number_of_cases(world):
    _mixed_cases(world)
    with CaptureQueriesContext(connection) as queries:
        count = selectors.filter_by_light(Case.objects.all(), "red", today=date(2026, 10, 14)).count()
    assert count >= 1
    assert len(queries) == 1


def test_a_paused_case_is_paused_not_late_however_long_the_pause(world, client):
    case = accepted_case(world, now=at(2026, 9, 30, 11))  # due 2026-10-13
    services.start_special_procedure(approver=world.approver_gaj, task=task_of(case, world.gaj, 2),
                                     kind="hearing", limit_days=20, reason="听证", now=at(2026, 10, 12))
    case.refresh_from_db()
    far = date(2026, 11, 30)
    assert deadlines.light(case, today=far) == "paused"
    assert case.pk not in set(selectors.filter_by_light(Case.objects.all(), "red", today=far).values_list("pk", flat=True))
    assert deadlines.days_left(case, today=far) == deadlines.days_left(case, today=date(2026, 10, 12))  # frozen
    # Its stages pause with it: the suspended one and its parallel partner are paused, not late.
    assert {deadlines.task_light(t, today=far) for t in Task.objects.filter(case=case, step=2)} == {"paused"}
    client.force_login(world.supervisor)
    body = client.get(reverse("workbench:case_list"), {"light": "paused"}).content.decode()
    assert case.number in body and "超期" not in body.split(case.number, 1)[1].split("</tr>", 1)[0]


def test_resuming_moves_the_case_and_its_open_stages_by_the_days_paused(world):
    case = accepted_case(world, now=at(2026, 9, 30, 11))  # due 2026-10-13
    before = {t.pk: t.due_on for t in open_tasks(case)}
    services.start_special_procedure(approver=world.approver_gaj, task=task_of(case, world.gaj, 2),
                                     kind="site_inspection", limit_days=5, reason="现场勘验", now=at(2026, 10, 8))
    procedure = case.special_procedures.get()
    services.end_special_procedure(approver=world.approver_gaj, procedure=procedure, outcome="符合",
                                   now=at(2026, 10, 13))
    case.refresh_from_db()
    assert case.paused_days == 4 and case.paused_since is None  # Oct 9, 10 (a make-up Saturday), 12, 13
    for task in open_tasks(case):
        assert task.paused_since is None and task.paused_days == case.paused_days
        assert task.due_on > before[task.pk] and task.due_on <= case.due_on


def test_a_stage_past_its_own_limit_is_late_even_inside_an_on_time_case(world):
    item = make_item(department=world.scjg, name="分段审查事项", committed=10,
                     stages=[(1, StageKind.REVIEW, world.scjg, 2), (2, StageKind.DECISION, world.scjg, 3)],
                     materials=[{"name": "申请表"}])
    case = accepted_case(world, item, now=at(2026, 10, 12, 10))  # Monday; case due 10 working days later
    stage = open_tasks(case)[0]
    assert stage.due_on == date(2026, 10, 14) and case.due_on == date(2026, 10, 26)
    today = date(2026, 10, 15)
    assert deadlines.light(case, today=today) == "green"
    assert deadlines.task_light(stage, today=today) == "red"
    load = stats.department_load(Task.objects.all(), today=today)
    assert load == [{"name": world.scjg.name, "open": 1, "overdue": 1}]
    assert stats.department_task_counts(day=today)[world.scjg.pk]["overdue_tasks"] == 1


def test_stages_fall_due_in_order(world):
    item = make_item(department=world.scjg, name="两段审查事项", committed=10,
                     stages=[(1, StageKind.REVIEW, world.scjg, 5), (2, StageKind.DECISION, world.scjg, 1)],
                     materials=[{"name": "申请表"}])
    case = accepted_case(world, item, now=at(2026, 10, 12, 10))
    first = open_tasks(case)[0]
    # Done the next day: the decision stage opens with one working day, but never falls due before the
    # review stage it follows.
    services.approve_task(approver=world.approver_scj, task=first, now=at(2026, 10, 13, 10))
    second = open_tasks(case)[0]
    assert second.step == 2 and second.due_on >= first.due_on
    assert second.late_on >= first.late_on and second.warn_on >= first.warn_on
    case.refresh_from_db()
    assert second.due_on <= case.due_on


def test_overdue_means_open_and_past_due_and_concluded_late_is_its_own_figure(world):
    late = _decide(world, accepted_case(world, now=at(2026, 9, 30, 14)), at(2026, 10, 20))
    running = accepted_case(world, now=at(2026, 9, 30, 15))
    today = date(2026, 10, 21)
    red = set(selectors.filter_by_light(Case.objects.all(), "overdue", today=today).values_list("pk", flat=True))
    assert red == {running.pk}
    assert deadlines.light(late, today=today) == "late"
    assert stats.open_by_light(Case.objects.all(), today=today)["red"] == 1


def test_natural_day_items_fall_due_in_natural_days(world):
    item = make_item(department=world.gaj, name="居民身份证申领", committed=60, legal=60, limit_unit="natural",
                     stages=[(1, StageKind.REVIEW, world.gaj, 0)], materials=[{"name": "申请表"}])
    case = accepted_case(world, item, now=at(2026, 9, 30, 10))
    assert case.limit_unit == "natural" and case.due_on == date(2026, 9, 30) + timedelta(days=60)
    assert case.late_on == case.due_on + timedelta(days=1)
    assert open_tasks(case)[0].due_on == case.due_on
    progress = selectors.progress(case, today=date(2026, 10, 10))
    assert progress.limit_unit == "natural" and "个自然日" in progress.summary and "工作日" not in progress.summary
    assert progress.working_days_used == 10


def test_recomputing_after_a_calendar_change_refreshes_the_stored_dates_of_open_clocks(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    decided = _decide(world, accepted_case(world, now=at(2026, 9, 30, 11)), at(2026, 10, 9))
    Case.objects.filter(pk=case.pk).update(warn_on=date(2030, 1, 1), late_on=date(2030, 1, 2))
    Task.objects.filter(case=case, state="open").update(late_on=date(2030, 1, 2))
    Case.objects.filter(pk=decided.pk).update(late_on=date(2030, 1, 2))
    assert services.recompute_open_deadlines() == 1
    case.refresh_from_db()
    assert case.late_on == date(2026, 10, 14) and case.warn_on == date(2026, 10, 12)
    assert {t.late_on for t in open_tasks(case)} == {date(2026, 10, 10)}  # 2 working days from Sep 30
    assert Case.objects.get(pk=decided.pk).late_on == date(2030, 1, 2)  # a stopped clock is left alone
    assert services.recompute_open_deadlines() == 0
