"""Reads: who sees which case, the public progress page, lights, the provisional-deadline recompute and
the action dispatcher used by the API and pages."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser

from onewindow.audit.selectors import events_for
from onewindow.audit.services import verify
from onewindow.calendar.services import import_year, run_change_followups
from onewindow.cases import selectors, services
from onewindow.cases.actions import registry
from onewindow.cases.models import Case
from onewindow.core.errors import NotFound, PermissionDenied, ValidationError

from .factories import accepted_case, at, snapshot, submit_online, task_of


def test_each_role_sees_only_its_cases(world):
    mine = accepted_case(world)
    paid = accepted_case(world, world.paid)
    elsewhere = services.submit_case(item=world.licence, applicant=world.applicant, channel="post",
                                     centre=world.other_centre, submitted_by=world.other_clerk, now=at(2026, 9, 30))
    assert set(selectors.cases_visible_to(world.applicant_user)) == {mine, paid, elsewhere}
    assert list(selectors.cases_visible_to(world.stranger_user)) == []
    assert list(selectors.cases_visible_to(AnonymousUser())) == []
    assert set(selectors.cases_visible_to(world.clerk)) == {mine, paid}
    assert list(selectors.cases_visible_to(world.other_clerk)) == [elsewhere]
    assert list(selectors.cases_visible_to(world.approver_gaj)) == [mine]
    assert list(selectors.cases_visible_to(world.approver_zrzy)) == [paid]
    assert selectors.cases_visible_to(world.supervisor).count() == 3


def test_strangers_get_not_found_never_forbidden(world):
    case = accepted_case(world)
    assert selectors.get_case_for(world.applicant_user, case.number) == case
    for stranger in (world.stranger_user, world.other_clerk, world.approver_zrzy):
        with pytest.raises(NotFound):
            selectors.get_case_for(stranger, case.number)
    with pytest.raises(NotFound):
        selectors.get_case_for(world.applicant_user, "DX01-20260930-9999")


def test_public_progress_needs_number_and_query_code(world):
    case = submit_online(world)
    assert selectors.get_case_by_query(case.number, f" {case.query_code.lower()} ") == case
    wrong = "2" * 6 if case.query_code != "2" * 6 else "3" * 6
    for number, code in ((case.number, wrong), ("DX01-20990101-0001", case.query_code), (case.number, "")):
        with pytest.raises(NotFound) as error:
            selectors.get_case_by_query(number, code)
        assert error.value.message == "办件编号或查询码不正确"


def test_progress_speaks_plain_chinese(world):
    case = accepted_case(world, world.paid)  # due 2026-10-13
    p = selectors.progress(case, today=date(2026, 10, 9))
    assert p.state_label == "审批中" and p.item_name == "不动产登记"
    assert p.working_days_used == 2 and p.working_days_left == 3 and p.limit_days == 5
    assert "已用 2 个工作日，还剩 3 个工作日" in p.summary and "2026年10月13日" in p.summary
    assert [(s.step, s.state_label) for s in p.steps] == [(1, "办理中")]
    assert p.steps[0].tasks[0].department == "东兴市自然资源局"
    assert [o.kind for o in p.owed] == ["fee"] and "80.00" in p.owed[0].text
    assert p.clock_paused is False and p.provisional is False
    assert p.light == "green"  # 3 of 5 left: more than 1 working day and more than 20 %
    submitted = selectors.progress(submit_online(world), today=date(2026, 10, 9))
    assert submitted.summary == "您的申请已提交，等待窗口工作人员审核受理。"


def test_progress_shows_a_paused_clock(world):
    case = accepted_case(world)
    task = task_of(case, world.gaj, 2)
    services.start_special_procedure(approver=world.approver_gaj, task=task, kind="hearing", limit_days=10,
                                     reason="涉及相邻权利人重大利益", now=at(2026, 10, 8))
    case.refresh_from_db()
    p = selectors.progress(case, today=date(2026, 10, 20))
    assert p.clock_paused and "听证" in p.paused_reason
    assert p.working_days_used == 1  # only October 8 (after the holiday week) ran before the stop
    assert "计时暂停" in p.summary


@pytest.mark.parametrize(("today", "expected"), [
    (date(2026, 10, 8), "green"),   # 4 of 5 left
    (date(2026, 10, 10), "green"),  # 2 left: more than max(1 working day, 20 % of 5) (issue 17)
    (date(2026, 10, 12), "yellow"),  # 1 left
    (date(2026, 10, 13), "yellow"),  # due today
    (date(2026, 10, 14), "red"),
])
def test_light_turns_yellow_near_the_limit_and_red_after_it(world, today, expected):
    case = accepted_case(world)  # due 2026-10-13
    assert selectors.light(case, today=today) == expected


def test_light_of_a_decided_case_depends_on_when_it_was_decided(world):
    case = accepted_case(world, world.paid)
    services.approve_task(approver=world.approver_zrzy, task=task_of(case, world.zrzy), now=at(2026, 10, 14))
    case.refresh_from_db()
    assert selectors.light(case, today=date(2026, 12, 1)) == "late"  # concluded late: not "overdue"


def test_provisional_deadline_is_recomputed_when_the_year_is_announced(world):
    case = accepted_case(world, now=at(2026, 12, 28))
    # 2027 has no official schedule yet: statutory holidays (January 1) and weekends.
    assert case.due_on == date(2027, 1, 5) and case.due_provisional
    old_version = case.calendar_version
    result = import_year(year=2027, source_notice="测试用 2027 年安排（非正式）", official=True, today=date(2026, 12, 1),
                         days=[(date(2027, 1, d), "holiday", "元旦") for d in (1, 2, 3, 4)])
    lines = run_change_followups(version=result.calendar_year.version)
    assert lines and "1" in lines[0]
    case.refresh_from_db()
    assert case.due_on == date(2027, 1, 6) and not case.due_provisional
    assert case.calendar_version == result.calendar_year.version != old_version
    event = list(events_for(f"case:{case.number}"))[-1]
    assert event.action == "onewindow.case.deadline_recomputed"
    assert event.data["previous_due_on"] == "2027-01-05" and event.data["due_on"] == "2027-01-06"
    assert services.recompute_provisional_deadlines(calendar_version=result.calendar_year.version) == 0


# -- the action registry (cases/actions.py) ------------------------------------------------------------------

def act(actor, case, action, params=None, now=None) -> Case:
    registry.perform(actor, case, action, params or {}, now)
    return Case.objects.select_related("item", "applicant", "centre").get(pk=case.pk)


def test_the_registry_runs_a_whole_case(world):
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书", "消防安全承诺书"))
    site = world.ids(world.licence, "经营场所证明")[0]
    now = at(2026, 9, 30)
    case = act(world.clerk, case, "accept", {"waivers": {str(site): "2026-10-09"}}, now)
    assert case.state == "in_progress"
    case = act(world.approver_scj, case, "approve", {"task_id": task_of(case, world.scjg, 2).pk}, now)
    case = act(world.approver_gaj, case, "extend", {"days": 3, "reason": "征求意见"}, now)
    case = act(world.approver_gaj, case, "approve", {"task_id": task_of(case, world.gaj, 2).pk, "opinion": "同意"}, now)
    case = act(world.approver_scj, case, "approve", {"task_id": task_of(case, world.scjg, 3).pk}, now)
    assert case.state == "approved"
    case = act(world.applicant_user, case, "supply_waived", {"material_id": site}, now)
    case = act(world.clerk, case, "conclude", {"delivery_method": "pickup"}, at(2026, 10, 9))
    assert case.state == "concluded" and case.extension_days == 3
    # Every step is on the case's hash chain, and the chain verifies.
    report = verify(chain_keys=[f"case:{case.number}"])
    assert report.ok and report.events == len(list(events_for(f"case:{case.number}"))) >= 12


@pytest.mark.parametrize(("action", "params", "field"), [
    ("dance", {}, "action"),
    ("extend", {"days": "many", "reason": "x"}, "days"),
    ("extend", {"days": 2}, "reason"),
    ("approve", {"task_id": "999999"}, "task_id"),
    ("approve", {"task_id": 999999}, "task_id"),
    ("approve", {}, "task_id"),
    ("accept", {"waivers": ["not", "a", "dict"]}, "waivers"),
    ("accept", {"waivers": {"1": "tomorrow"}}, "waivers.1"),
    ("accept", {"waivers": {"1": "2026-10-09"}}, "waivers"),
    ("end_special_procedure", {"outcome": "x"}, "procedure_id"),
    ("pay", {"fee_id": 1, "receipt_number": "R1", "amount": 3}, "amount"),
])
def test_the_registry_names_the_bad_field(world, action, params, field):
    case = accepted_case(world) if action != "accept" else submit_online(world)
    actor = world.approver_scj if action != "accept" else world.clerk
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        registry.perform(actor, case, action, params, at(2026, 10, 8))
    assert error.value.field == field
    assert snapshot(case) == before


def test_the_registry_keeps_permissions(world):
    case = accepted_case(world)
    task = task_of(case, world.scjg, 2)
    with pytest.raises(PermissionDenied):
        registry.perform(world.approver_zrzy, case, "approve", {"task_id": task.pk}, at(2026, 10, 8))
    with pytest.raises(PermissionDenied):
        registry.perform(world.stranger_user, case, "withdraw", {"reason": "x"}, at(2026, 10, 8))
