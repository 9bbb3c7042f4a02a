"""Projects: the commitments, stages in order, the clocks (a late stage inside an on-time project, the
pause while the builder must act) and who may act."""

from datetime import date

import pytest

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.projects import plans, selectors, services
from onewindow.projects.actions import registry
from onewindow.projects.models import Project
from onewindow.workflow.clock import Light

from .factories import at, concluded_case, open_case, register, snapshot

pytestmark = pytest.mark.django_db


def stages_of(project):
    return list(project.stages.order_by("order"))


def run_stage(world, project, stage, *, start, end):
    """Start `stage` on `start`, attach a case concluded that day, complete it on `end`."""
    services.start_stage(actor=world.clerk, project=project, stage_id=stage.pk, now=start)
    case = concluded_case(world, project, now=start)
    services.attach_cases(actor=world.clerk, project=project, case_ids=[case.pk], now=start)
    return services.complete_stage(actor=world.clerk, project=project, stage_id=stage.pk, now=end)


@pytest.mark.parametrize(("kind", "total", "count"), [("government", 70, 4), ("social", 35, 4),
                                                      ("electricity", 30, 3)])
def test_each_kind_commits_its_total_and_its_stages_add_up_to_it(world, kind, total, count):
    project = register(world, kind=kind)
    stages = stages_of(project)
    assert project.clock_limit == total == plans.commitment(kind)
    assert len(stages) == count and sum(s.planned_limit for s in stages) == total
    assert [s.order for s in stages] == list(range(1, count + 1))
    assert project.state == "registered" and project.clock_started_on is None
    assert project.file.code == project.code and project.file.applicant == world.applicant


def test_construction_projects_go_through_the_four_stages_in_their_order(world):
    kinds = [s.kind for s in stages_of(register(world, kind="social"))]
    assert kinds == ["land_planning", "works_permit", "construction_permit", "completion"]


def test_commitment_can_be_configured(world, settings):
    settings.ONEWINDOW_PROJECT_COMMITMENTS = {"social": 30}
    project = register(world, kind="social")
    assert project.clock_limit == 30 and sum(s.planned_limit for s in stages_of(project)) == 30


def test_a_stage_cannot_start_before_the_previous_one_is_completed(world):
    project = register(world)
    first, second, *_ = stages_of(project)
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.start_stage(actor=world.clerk, project=project, stage_id=second.pk, now=at(2026, 9, 2))
    assert error.value.field == "stage_id" and "依次" in error.value.message
    assert snapshot() == before
    services.start_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 2))
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.start_stage(actor=world.clerk, project=project, stage_id=second.pk, now=at(2026, 9, 3))
    assert error.value.field == "stage_id"
    assert snapshot() == before


def test_starting_the_first_stage_starts_both_clocks(world):
    project = register(world)
    first = stages_of(project)[0]
    project = services.start_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 1))
    first.refresh_from_db()
    assert project.state == "in_progress" and project.clock_started_on == date(2026, 9, 1)
    assert first.state == "running" and first.clock_limit == first.planned_limit
    assert selectors.view(project, today=date(2026, 9, 2)).light == Light.GREEN


def test_a_stage_completes_only_when_its_cases_are_concluded(world):
    project = register(world)
    first = stages_of(project)[0]
    services.start_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 1))
    before = snapshot()
    with pytest.raises(Conflict) as error:  # nothing attached yet
        services.complete_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 2))
    assert error.value.field == "stage_id" and snapshot() == before
    case = open_case(world, project)
    services.attach_cases(actor=world.clerk, project=project, case_ids=[case.pk], now=at(2026, 9, 2))
    assert list(first.items.all()) == [world.immediate]
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.complete_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 3))
    assert case.number in error.value.message and snapshot() == before
    from onewindow.cases import services as case_services

    case_services.conclude_case(actor=world.clerk, case=case, delivery_method="electronic", now=at(2026, 9, 3))
    project = services.complete_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 3))
    first.refresh_from_db()
    assert first.state == "completed" and first.clock_stopped_on == date(2026, 9, 3)
    # between stages the builder prepares the next one: the project's clock stands still
    assert project.clock_paused_since == date(2026, 9, 3)
    assert selectors.view(project, today=date(2026, 9, 20)).light == Light.PAUSED


def test_a_stage_late_inside_an_on_time_project_is_flagged(world):
    """Social project (35 days: stages 10/10/5/10 — land planning 10): the first stage takes 14 working
    days, the others finish fast, so the project closes within 35 days with one stage late."""
    project = register(world, kind="social")
    land, works, permit, completion = stages_of(project)
    assert land.planned_limit == 10
    run_stage(world, project, land, start=at(2026, 9, 1), end=at(2026, 9, 18))  # 13 working days after 9-1
    view = selectors.view(Project.objects.get(pk=project.pk), today=date(2026, 9, 18))
    assert view.stages[0].light == Light.LATE and view.stages[0].late_inside_on_time
    assert view.light == Light.PAUSED and [row.stage.pk for row in view.late_stages] == [land.pk]
    # the builder takes a month to come back with the next stage: none of it counts
    run_stage(world, project, works, start=at(2026, 10, 19), end=at(2026, 10, 21))
    run_stage(world, project, permit, start=at(2026, 10, 22), end=at(2026, 10, 23))
    run_stage(world, project, completion, start=at(2026, 10, 26), end=at(2026, 10, 28))
    project = services.close_project(actor=world.clerk, project=Project.objects.get(pk=project.pk),
                                     now=at(2026, 10, 28, 16))
    view = selectors.view(project, today=date(2026, 11, 2))
    assert project.state == "closed" and view.light == Light.ON_TIME
    assert view.used is not None and view.used <= 35
    assert view.used == 13 + 2 + 1 + 2  # the stages' days; the days between stages do not count
    assert [row.late_inside_on_time for row in view.stages] == [True, False, False, False]


def test_a_project_over_its_commitment_closes_late(world):
    project = register(world, kind="electricity")  # 30 working days: stages 6/18/6
    first, second, third = stages_of(project)
    run_stage(world, project, first, start=at(2026, 11, 2), end=at(2026, 11, 16))  # 10 days
    run_stage(world, project, second, start=at(2026, 11, 16), end=at(2026, 11, 30))  # 10 days
    run_stage(world, project, third, start=at(2026, 11, 30), end=at(2026, 12, 15))  # 11 days
    project = services.close_project(actor=world.clerk, project=Project.objects.get(pk=project.pk),
                                     now=at(2026, 12, 15, 17))
    view = selectors.view(project, today=date(2026, 12, 16))
    assert view.light == Light.LATE and view.used == 31
    assert [row.light for row in view.stages] == [Light.LATE, Light.ON_TIME, Light.LATE]
    assert not any(row.late_inside_on_time for row in view.stages)  # the project itself is late


def test_waiting_for_the_builder_pauses_both_clocks_and_moves_their_dates(world):
    project = register(world)
    first = stages_of(project)[0]
    project = services.start_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 1))
    due, stage_due = project.clock_due_on, stages_of(project)[0].clock_due_on
    project = services.wait_for_applicant(actor=world.clerk, project=project, reason="补充总平面图",
                                          now=at(2026, 9, 7))
    assert selectors.view(project, today=date(2026, 9, 20)).light == Light.PAUSED
    assert selectors.view(project, today=date(2026, 9, 20)).stages[0].light == Light.PAUSED
    project = services.resume(actor=world.clerk, project=project, now=at(2026, 9, 14))  # 5 working days later
    stage = stages_of(project)[0]
    assert project.clock_paused_days == 5 and stage.clock_paused_days == 5
    assert project.clock_due_on > due and stage.clock_due_on > stage_due
    assert selectors.view(project, today=date(2026, 9, 14)).used == 9 - 5 + 0  # 9-2..9-14 less the pause


def test_the_coordinator_of_a_key_project_attaches_cases_but_does_not_complete_stages(world):
    project = register(world, key=True)
    project = services.assign_coordinator(actor=world.clerk, project=project, coordinator=world.agent,
                                          now=at(2026, 9, 1))
    assert project.file.agent == world.agent
    assert list(selectors.coordinated_by(world.agent)) == [project]
    first = stages_of(project)[0]
    services.start_stage(actor=world.clerk, project=project, stage_id=first.pk, now=at(2026, 9, 1))
    case = concluded_case(world, project)
    assert [o.name for o in registry.offers(world.agent, Project.objects.get(pk=project.pk))] == [
        "attach_cases", "wait_for_applicant"]
    services.attach_cases(actor=world.agent, project=project, case_ids=[case.pk], now=at(2026, 9, 2))
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registry.perform(world.agent, Project.objects.get(pk=project.pk), "complete_stage", {"stage_id": first.pk},
                         now=at(2026, 9, 2))
    assert snapshot() == before


def test_only_key_projects_have_a_coordinator(world):
    project = register(world, key=False)
    before = snapshot()
    with pytest.raises(Conflict) as error:
        services.assign_coordinator(actor=world.clerk, project=project, coordinator=world.agent)
    assert error.value.field == "coordinator" and snapshot() == before
    project = register(world, key=True, code="GC-2026-002")
    with pytest.raises(ValidationError) as error:
        services.assign_coordinator(actor=world.clerk, project=project, coordinator=world.stranger_user)
    assert error.value.field == "coordinator" and snapshot()["files"] == 2


def test_a_clerk_of_another_centre_may_not_register_or_act(world):
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.register_project(actor=world.other_clerk, code="GC-2026-009", name="某项目", kind="social",
                                  centre=world.centre, applicant=world.applicant)
    project = register(world)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        registry.perform(world.other_clerk, project, "start_stage", {"stage_id": stages_of(project)[0].pk})
    assert snapshot() == before
    assert registry.offers(world.other_clerk, project) == []
    assert not selectors.visible_to(world.other_clerk).exists()


def test_the_board_counts_equal_the_filtered_lists(world):
    today = date(2026, 10, 30)
    late = register(world, code="GC-2026-001", kind="electricity")
    services.start_stage(actor=world.clerk, project=late, stage_id=stages_of(late)[0].pk, now=at(2026, 9, 1))
    fresh = register(world, code="GC-2026-002", kind="government")
    services.start_stage(actor=world.clerk, project=fresh, stage_id=stages_of(fresh)[0].pk, now=at(2026, 10, 29))
    register(world, code="GC-2026-003", kind="social")  # not started: no light
    counts = selectors.light_counts(today=today)
    assert counts["red"] == 1 and counts["green"] == 1 and counts["open"] == 2
    for light in ("red", "green", "yellow", "paused", "on_time", "late", "open"):
        assert len(selectors.project_list(world.supervisor, today=today, light=light)) == counts[light]
    assert [p.code for p in selectors.open_projects(today=today)] == ["GC-2026-001", "GC-2026-002"]
    assert [p.code for p in selectors.open_projects(today=today, light="red")] == ["GC-2026-001"]


def test_measured_times_per_project_and_stage_against_the_commitment(world):
    project = register(world, kind="social")
    land = stages_of(project)[0]
    run_stage(world, project, land, start=at(2026, 9, 1), end=at(2026, 9, 8))
    rows, summary = selectors.measured_times(today=date(2026, 9, 10))
    assert len(rows) == 1 and rows[0].commitment == 35 and rows[0].used == 5
    assert rows[0].stages[0] == {"order": 1, "kind": "land_planning", "limit": 10, "used": 5, "light": Light.ON_TIME}
    social = next(s for s in summary if s.kind == "social")
    assert social.projects == 1 and social.closed == 0 and social.commitment == 35
    assert {s.kind: s.commitment for s in summary} == {"government": 70, "social": 35, "electricity": 30}


def test_the_power_companys_own_stages_complete_without_cases_but_the_permit_stage_needs_its_case(world):
    project = register(world, kind="electricity")
    application, external, connection = stages_of(project)
    services.start_stage(actor=world.clerk, project=project, stage_id=application.pk, now=at(2026, 11, 2))
    services.complete_stage(actor=world.clerk, project=project, stage_id=application.pk, now=at(2026, 11, 4))
    services.start_stage(actor=world.clerk, project=project, stage_id=external.pk, now=at(2026, 11, 5))
    with pytest.raises(Conflict) as error:
        services.complete_stage(actor=world.clerk, project=project, stage_id=external.pk, now=at(2026, 11, 6))
    assert error.value.field == "stage_id" and "尚未关联办件" in error.value.message
