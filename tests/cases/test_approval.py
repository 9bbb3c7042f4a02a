"""Approval: parallel review, deny, supplements in review, special procedures, extensions, inbox."""

from datetime import date

import pytest

from onewindow.audit.selectors import events_for
from onewindow.cases import selectors, services
from onewindow.cases.actions import registry
from onewindow.cases.models import DenialFiling, DenialKind, Extension, SpecialProcedure, Task
from onewindow.cases.states import TaskState
from onewindow.catalog.models import Delegation
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from .factories import accepted_case, at, make_item, snapshot, task_of


def _actions(case):
    return [e.action.removeprefix("onewindow.case.") for e in events_for(f"case:{case.number}")]


def test_parallel_departments_both_approve_before_the_next_step(world):
    case = accepted_case(world)
    scj, gaj = task_of(case, world.scjg, 2), task_of(case, world.gaj, 2)
    services.approve_task(approver=world.approver_scj, task=scj, opinion="符合条件", now=at(2026, 10, 8))
    decision = task_of(case, world.scjg, 3)
    assert decision.state == "waiting"
    assert Task.objects.get(pk=gaj.pk).state == "open"
    services.approve_task(approver=world.approver_gaj, task=gaj, now=at(2026, 10, 9))
    decision.refresh_from_db()
    assert decision.state == "open" and decision.opened_on == date(2026, 10, 9)
    # Stage limit 2 from October 9: Saturday 10 (make-up) and Monday 12.
    assert decision.due_on == date(2026, 10, 12)
    case.refresh_from_db()
    assert case.state == "in_progress"
    services.approve_task(approver=world.approver_scj, task=decision, now=at(2026, 10, 10))
    case.refresh_from_db()
    assert case.state == "approved" and case.decided_at == at(2026, 10, 10)
    assert _actions(case) == ["submitted", "accepted", "step_opened", "task_approved", "task_approved",
                              "step_opened", "task_approved", "approved", "certificate_issued"]


def test_approving_a_task_twice_is_a_conflict(world):
    case = accepted_case(world)
    task = task_of(case, world.scjg, 2)
    services.approve_task(approver=world.approver_scj, task=task, now=at(2026, 10, 8))
    before = snapshot(case)
    with pytest.raises(Conflict) as error:
        services.approve_task(approver=world.approver_scj, task=task, now=at(2026, 10, 8))
    assert "已通过" in error.value.message
    assert snapshot(case) == before


def test_approver_of_another_department_cannot_act_on_a_task(world):
    case = accepted_case(world)
    task = task_of(case, world.gaj, 2)
    before = snapshot(case)
    for action in (
        lambda: services.approve_task(approver=world.approver_zrzy, task=task, now=at(2026, 10, 8)),
        lambda: services.deny_task(approver=world.approver_zrzy, task=task, reason="x", now=at(2026, 10, 8)),
        lambda: services.start_special_procedure(approver=world.approver_zrzy, task=task, kind="hearing",
                                                 limit_days=5, reason="x", now=at(2026, 10, 8)),
        lambda: services.extend_case(approver=world.approver_zrzy, case=case, days=1, reason="x", now=at(2026, 10, 8)),
        lambda: services.request_supplement(actor=world.approver_zrzy, case=case, now=at(2026, 10, 8),
                                            defects=[{"name": "图纸", "reason": "x"}]),
        lambda: services.approve_task(approver=world.clerk, task=task, now=at(2026, 10, 8)),
    ):
        with pytest.raises(PermissionDenied):
            action()
    assert snapshot(case) == before


def test_waiting_task_cannot_be_approved_yet(world):
    case = accepted_case(world)
    with pytest.raises(Conflict):
        services.approve_task(approver=world.approver_scj, task=task_of(case, world.scjg, 3), now=at(2026, 10, 8))


def test_deny_needs_a_reason_is_filed_and_cancels_the_rest(world):
    case = accepted_case(world)
    task = task_of(case, world.gaj, 2)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.deny_task(approver=world.approver_gaj, task=task, reason="", now=at(2026, 10, 8))
    assert error.value.field == "reason"
    assert snapshot(case) == before
    services.deny_task(approver=world.approver_gaj, task=task, reason="经营场所存在治安隐患", now=at(2026, 10, 8))
    case.refresh_from_db()
    assert case.state == "denied" and case.decision_reason == "经营场所存在治安隐患"
    filing = DenialFiling.objects.get(case=case)
    assert filing.kind == DenialKind.DENIAL and filing.department == world.gaj
    assert set(Task.objects.filter(case=case, step__gte=2).values_list("state", flat=True)) == {"denied", "cancelled"}
    with pytest.raises(Conflict):
        services.approve_task(approver=world.approver_scj, task=task_of(case, world.scjg, 2), now=at(2026, 10, 8))


def test_supplement_in_review_stops_the_clock_until_supplied(world):
    case = accepted_case(world)  # due 2026-10-13
    form = world.ids(world.licence, "设立登记申请书")[0]
    request = services.request_supplement(actor=world.approver_scj, case=case, now=at(2026, 10, 8),
                                          defects=[{"material_id": form, "reason": "法定代表人未签字"}])
    case.refresh_from_db()
    assert case.state == "supplement_requested" and case.paused_since == date(2026, 10, 8)
    assert request.task == task_of(case, world.scjg, 2) and request.return_state == "in_progress"
    with pytest.raises(Conflict):
        services.approve_task(approver=world.approver_gaj, task=task_of(case, world.gaj, 2), now=at(2026, 10, 9))
    supplied = services.supply_supplement(actor=world.applicant_user, case=case, provided_material_ids=[form],
                                          now=at(2026, 10, 12))
    # Stopped October 9, Saturday 10 and 12: three working days later, October 16.
    assert supplied.state == "in_progress" and supplied.paused_days == 3 and supplied.paused_since is None
    assert supplied.due_on == date(2026, 10, 16)
    assert task_of(case, world.gaj, 2).due_on == date(2026, 10, 13)  # October 9 + 3: Sat 10, 12, 13


def test_special_procedure_moves_the_due_date_by_the_paused_working_days(world):
    case = accepted_case(world)  # due 2026-10-13
    task = task_of(case, world.gaj, 2)
    procedure = services.start_special_procedure(approver=world.approver_gaj, task=task, kind="site_inspection",
                                                 limit_days=5, reason="需现场勘验经营场所", now=at(2026, 10, 8))
    assert procedure.applicant_notified_at == at(2026, 10, 8)
    assert procedure.due_on == date(2026, 10, 14)  # its own limit: 9, Saturday 10, 12, 13, 14
    case.refresh_from_db()
    assert case.state == "suspended" and Task.objects.get(pk=task.pk).state == "suspended"
    with pytest.raises(Conflict):
        services.approve_task(approver=world.approver_gaj, task=task, now=at(2026, 10, 9))
    ended = services.end_special_procedure(approver=world.approver_gaj, procedure=procedure, outcome="勘验合格",
                                           now=at(2026, 10, 14))
    assert ended.ended_on == date(2026, 10, 14)
    case.refresh_from_db()
    # Paused October 9, 10 (make-up), 12, 13, 14: five working days; due 13 → 20.
    assert case.state == "in_progress" and case.paused_days == 5 and case.due_on == date(2026, 10, 20)
    assert Task.objects.get(pk=task.pk).state == "open"
    event = list(events_for(f"case:{case.number}"))[-1]
    assert event.action == "onewindow.case.special_procedure_ended"
    assert event.data["previous_due_on"] == "2026-10-13" and event.data["due_on"] == "2026-10-20"
    with pytest.raises(Conflict):
        services.end_special_procedure(approver=world.approver_gaj, procedure=procedure, outcome="again",
                                       now=at(2026, 10, 15))


def test_special_procedure_input_is_checked(world):
    case = accepted_case(world)
    task = task_of(case, world.gaj, 2)
    before = snapshot(case)
    for kwargs, field in (({"kind": "party"}, "kind"), ({"limit_days": 0}, "limit_days"),
                          ({"limit_days": "abc"}, "limit_days"), ({"reason": ""}, "reason")):
        args = {"kind": "hearing", "limit_days": 10, "reason": "听证", **kwargs}
        with pytest.raises(ValidationError) as error:
            services.start_special_procedure(approver=world.approver_gaj, task=task, now=at(2026, 10, 8), **args)
        assert error.value.field == field
    assert snapshot(case) == before
    assert SpecialProcedure.objects.count() == 0


def test_extension_within_the_allowance_keeps_both_due_dates(world):
    case = accepted_case(world)  # due 2026-10-13, item allows 10 more
    extension = services.extend_case(approver=world.approver_scj, case=case, days=6, reason="需征求相关部门意见",
                                     now=at(2026, 10, 9))
    assert extension.previous_due_on == date(2026, 10, 13) and extension.new_due_on == date(2026, 10, 21)
    assert extension.approved_by == world.approver_scj and extension.applicant_notified_at == at(2026, 10, 9)
    case.refresh_from_db()
    assert case.extension_days == 6 and case.due_on == date(2026, 10, 21)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.extend_case(approver=world.approver_scj, case=case, days=5, reason="再延", now=at(2026, 10, 9))
    assert error.value.field == "days" and "最多还可延长 4 个工作日" in error.value.message
    assert snapshot(case) == before


def test_extension_beyond_the_item_allowance_is_refused(world):
    case = accepted_case(world)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.extend_case(approver=world.approver_scj, case=case, days=11, reason="复杂", now=at(2026, 10, 9))
    assert error.value.field == "days"
    no_extension = accepted_case(world, world.paid)
    with pytest.raises(ValidationError) as error:
        services.extend_case(approver=world.approver_zrzy, case=no_extension, days=1, reason="x", now=at(2026, 10, 9))
    assert "不可延长" in error.value.message
    assert Extension.objects.count() == 0
    assert snapshot(case)["case"] == before["case"]


def test_extension_after_the_due_date_is_a_conflict(world):
    case = accepted_case(world)  # due 2026-10-13
    with pytest.raises(Conflict):
        services.extend_case(approver=world.approver_scj, case=case, days=2, reason="晚了", now=at(2026, 10, 14))


def test_item_without_review_stages_gets_one_review_task(world):
    bare = make_item(department=world.zrzy, committed=3, stages=[], materials=[{"name": "申请书"}])
    case = accepted_case(world, bare)
    task = Task.objects.get(case=case)
    assert task.department == world.zrzy and task.state == "open" and task.due_on == case.due_on


def test_inbox_shows_own_department_tasks_oldest_due_first(world):
    early = accepted_case(world, now=at(2026, 9, 29))
    late = accepted_case(world, now=at(2026, 10, 12))
    other = accepted_case(world, world.paid)
    inbox = list(selectors.inbox(world.approver_gaj))
    assert [t.case for t in inbox] == [early, late]
    assert all(t.department == world.gaj for t in inbox)
    assert other not in [t.case for t in selectors.inbox(world.approver_scj)]
    services.approve_task(approver=world.approver_gaj, task=inbox[0], now=at(2026, 10, 12))
    assert [t.case for t in selectors.inbox(world.approver_gaj)] == [late]
    assert [t.case for t in selectors.inbox(world.approver_gaj, state="done")] == [early]
    assert list(selectors.inbox(world.applicant_user)) == []


def test_chief_representative_acts_on_delegated_items(world):
    from onewindow.orgs.models import StaffRole

    case = accepted_case(world)
    task = task_of(case, world.gaj, 2)
    with pytest.raises(PermissionDenied):
        services.approve_task(approver=world.chief_zrzy, task=task, now=at(2026, 10, 8))
    # The representative also represents public security, which delegates the licence to them.
    StaffRole.objects.create(user=world.chief_zrzy, role="chief_representative", department=world.gaj)
    Delegation.objects.create(department=world.gaj, item=world.licence, representative=world.chief_zrzy,
                              granted_on=date(2026, 1, 1))
    assert task in list(selectors.inbox(world.chief_zrzy))
    services.approve_task(approver=world.chief_zrzy, task=task, now=at(2026, 10, 8))
    assert Task.objects.get(pk=task.pk).completed_by == world.chief_zrzy


def test_a_repeated_approve_of_an_approved_task_is_a_conflict_never_the_next_task(world):
    # scjg reviews in step 2 and decides in step 3. Once its review opens the decision, a second press on
    # the review (double click, retried request) must say "already done" (409) and leave the decision
    # open: the task is named, never guessed.
    case = accepted_case(world)
    now = at(2026, 10, 8)
    registry.perform(world.approver_gaj, case, "approve", {"task_id": task_of(case, world.gaj, 2).pk}, now)
    review = task_of(case, world.scjg, 2)
    registry.perform(world.approver_scj, case, "approve", {"task_id": review.pk}, now)
    decision = task_of(case, world.scjg, 3)
    assert decision.state == TaskState.OPEN
    before = snapshot(case)
    with pytest.raises(Conflict):
        registry.perform(world.approver_scj, case, "approve", {"task_id": review.pk}, now)
    with pytest.raises(ValidationError) as error:
        registry.perform(world.approver_scj, case, "approve", {}, now)
    assert error.value.field == "task_id"
    assert snapshot(case) == before
    assert Task.objects.get(pk=decision.pk).state == TaskState.OPEN
