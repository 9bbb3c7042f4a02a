"""Approval steps: the first step opens with the tasks at acceptance, a later step opens when its last
parallel task is approved (each task with its own stage limit), and an approval reads the case's tasks
once under the case lock."""

from datetime import date

from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.audit.selectors import events_for
from onewindow.cases import services
from onewindow.cases.models import Task
from onewindow.catalog.models import StageKind

from .factories import accepted_case, at, make_item, task_of


def _events(case, action):
    return [e for e in events_for(f"case:{case.number}") if e.action == f"onewindow.case.{action}"]


def test_acceptance_opens_the_first_step_and_names_its_tasks_in_the_record(world):
    case = accepted_case(world, now=at(2026, 10, 8, 10))
    opened = Task.objects.filter(case=case, state="open").order_by("id")
    assert [(t.step, t.department_id) for t in opened] == [(2, world.scjg.id), (2, world.gaj.id)]
    # Stage limit 2 from Thursday October 8 (a national-day make-up week): Friday 9, Saturday 10 (make-up).
    assert {(t.opened_on, t.due_on) for t in opened} == {(date(2026, 10, 8), date(2026, 10, 10))}
    assert Task.objects.filter(case=case, step=3).get().state == "waiting"
    [event] = _events(case, "step_opened")
    assert event.data == {"step": 2, "tasks": [
        {"task": t.pk, "department": t.department.name, "due_on": "2026-10-10"} for t in opened]}


def test_parallel_tasks_of_a_later_step_open_together_each_with_its_own_limit(world):
    item = make_item(
        department=world.scjg, committed=10,
        stages=[(1, StageKind.ACCEPTANCE, world.scjg, 0), (2, StageKind.REVIEW, world.scjg, 2),
                (3, StageKind.DECISION, world.scjg, 1), (3, StageKind.DECISION, world.gaj, 3),
                (3, StageKind.DECISION, world.zrzy, 1), (4, StageKind.DELIVERY, world.scjg, 0)],
        materials=[{"name": "申请书"}])
    case = accepted_case(world, item, now=at(2026, 10, 12, 9))
    services.approve_task(approver=world.approver_scj, task=task_of(case, world.scjg, 2), now=at(2026, 10, 13, 9))
    step3 = {t.department_id: t for t in Task.objects.filter(case=case, step=3)}
    assert {t.state for t in step3.values()} == {"open"}
    assert {t.opened_on for t in step3.values()} == {date(2026, 10, 13)}
    assert step3[world.scjg.id].due_on == step3[world.zrzy.id].due_on == date(2026, 10, 14)
    assert step3[world.gaj.id].due_on == date(2026, 10, 16)
    opened = _events(case, "step_opened")[-1].data
    assert opened["step"] == 3 and [t["task"] for t in opened["tasks"]] == sorted(t.pk for t in step3.values())


def test_approve_returns_the_task_as_approved_and_its_case_as_it_now_stands(world):
    case = accepted_case(world)
    scj, gaj = task_of(case, world.scjg, 2), task_of(case, world.gaj, 2)
    services.approve_task(approver=world.approver_scj, task=scj, now=at(2026, 10, 8))
    done = services.approve_task(approver=world.approver_gaj, task=gaj, opinion=" 同意 ", now=at(2026, 10, 9))
    assert (done.pk, done.state, done.completed_by, done.opinion) == (gaj.pk, "approved", world.approver_gaj, "同意")
    assert done.case.state == "in_progress" and done.department == world.gaj
    decided = services.approve_task(approver=world.approver_scj, task=task_of(case, world.scjg, 3),
                                    now=at(2026, 10, 10))
    assert decided.case.state == "approved" and decided.case.certificates.count() == 1


def test_an_approval_that_leaves_its_step_open_reads_the_tasks_once(world):
    case = accepted_case(world)
    task = task_of(case, world.scjg, 2)
    with CaptureQueriesContext(connection) as queries:
        services.approve_task(approver=world.approver_scj, task=task, now=at(2026, 10, 8))
    task_reads = [q["sql"] for q in queries.captured_queries
                  if q["sql"].startswith(("SELECT", "WITH")) and 'FROM "cases_task"' in q["sql"]]  # WITH: + the approval
    assert len(task_reads) == 1
    # The case row is locked without the item, applicant and centre joins (nothing here reads them).
    [lock] = [q["sql"] for q in queries.captured_queries if 'FROM "cases_case"' in q["sql"]]
    assert "catalog_item" not in lock
