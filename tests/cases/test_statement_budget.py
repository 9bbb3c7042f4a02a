"""The SQL statements a case costs on its way through four stages with three departments in parallel
(issue 9's workflow scenario): the clerk accepts, three departments approve in parallel, the decision,
the conclusion — each action as its page calls it (the object the page loads, then the service), the
acting account handed in as a new request would (its roles not yet looked up)."""

from __future__ import annotations

import copy
import os

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.audit.selectors import events_for
from onewindow.audit.services import verify
from onewindow.cases import services
from onewindow.cases.models import Case, Certificate, Task
from onewindow.cases.states import CaseState, TaskState
from onewindow.cases.transitions import chain_key
from onewindow.catalog.models import StageKind
from tests.factories import make_staff

from .factories import at, make_item, submit_online

# Statements per action on PostgreSQL, the page's load included, as each runs in its own transaction
# (BEGIN/COMMIT and the test's savepoints not counted). 87 in all before audit.record_many, cached role
# scopes, one query for what is owed and returning the locked case (accept 17, reviews 10 + 10 + 15,
# decision 22, conclusion 13); 50 before the case's lock read its audit chain's head (appended on
# only if unmoved: no lock of the chain of its own), a decision's lock its result's parties and an
# approval's read of the case's tasks wrote the approval in front (a data-modifying WITH); now:
#   accept      page, roles, lock + chain head, missing materials, case, stages, tasks, events (2 events)
#   review      page, roles, lock + chain head, tasks + the task approved, event (the last of the three
#               also opens the decision step: + its tasks, 2 events)
#   decide      page, roles, lock + chain head + result parties, tasks + the task approved, case,
#               certificate number, certificate, events (3 events)
#   conclude    page, roles, lock + chain head, anything owed (fees, waived materials), tasks, case, event
# On SQLite each action appends to its chain with two statements more (the chain head read and locked,
# its UPDATE on its own) and an approval updates its task on its own.
BUDGET = {"accept": 8, "review_scj": 5, "review_gaj": 5, "review_zrzy": 6, "decide": 8, "conclude": 7}
SQLITE_EXTRA = {"accept": 2, "review_scj": 3, "review_gaj": 3, "review_zrzy": 3, "decide": 3, "conclude": 2}
TOTAL_BUDGET = 39


def fresh(user):
    """The account as a new request hands it over: without the roles another request looked up."""
    clone = copy.copy(user)
    for name in [n for n in clone.__dict__ if n.startswith("_onewindow_")]:
        del clone.__dict__[name]
    return clone


@pytest.fixture
def parallel(world):
    """Acceptance → review by three departments in parallel → decision → delivery, an e-certificate."""
    w = world
    approver_zrzy = make_staff("approver", department=w.zrzy, username="approver.zrzy2")
    item = make_item(
        department=w.scjg, name="三部门并联审批事项", committed=10, legal=20, result_name="许可证",
        result_certificate_type="xkz",
        stages=[(1, StageKind.ACCEPTANCE, w.scjg, 0), (2, StageKind.REVIEW, w.scjg, 3), (2, StageKind.REVIEW, w.gaj, 3),
                (2, StageKind.REVIEW, w.zrzy, 3), (3, StageKind.DECISION, w.scjg, 2),
                (4, StageKind.DELIVERY, w.scjg, 0)],
        materials=[{"name": "申请书"}, {"name": "身份证明"}])
    return w, item, approver_zrzy


def _advance(w, item, approver_zrzy, *, now) -> tuple[Case, dict[str, list[str]]]:
    case = submit_online(w, item, now=now)
    statements = {}

    def approve(department, approver, step):
        task = Task.objects.select_related("case", "department").get(case_id=case.pk, department=department,
                                                                      step=step, state=TaskState.OPEN)
        services.approve_task(approver=fresh(approver), task=task, opinion="审查通过", now=now)

    steps = {
        "accept": lambda: services.accept_case(clerk=fresh(w.clerk), case=Case.objects.get(pk=case.pk), now=now),
        "review_scj": lambda: approve(w.scjg, w.approver_scj, 2),
        "review_gaj": lambda: approve(w.gaj, w.approver_gaj, 2),
        "review_zrzy": lambda: approve(w.zrzy, approver_zrzy, 2),
        "decide": lambda: approve(w.scjg, w.approver_scj, 3),
        "conclude": lambda: services.conclude_case(actor=fresh(w.clerk), case=Case.objects.get(pk=case.pk),
                                                   delivery_method="electronic", now=now),
    }
    for name, step in steps.items():
        with CaptureQueriesContext(connection) as ctx:
            step()
        statements[name] = [q["sql"] for q in ctx.captured_queries
                            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    return case, statements


def _dump(statements: dict[str, list[str]]) -> str:
    lines = []
    for name, sqls in statements.items():
        lines.append(f"== {name}: {len(sqls)}")
        lines += [f"   {sql[:300]}" for sql in sqls]
    return "\n".join(lines)


def test_a_case_through_four_stages_with_three_parallel_departments_stays_within_its_statement_budget(
        parallel, is_postgres):
    w, item, approver_zrzy = parallel
    now = at(2026, 9, 30, 10)
    _advance(w, item, approver_zrzy, now=now)  # the first case warms what a running server has warm
    case, statements = _advance(w, item, approver_zrzy, now=now)
    if os.environ.get("ONEWINDOW_DUMP_SQL"):
        print(_dump(statements))

    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED
    assert set(Task.objects.filter(case=case).values_list("state", flat=True)) == {TaskState.APPROVED}
    assert Certificate.objects.filter(case=case).count() == 1
    assert verify(chain_keys=[chain_key(case)]).ok
    # each action's events written together (audit_batch), in the order they happened
    assert [e.action.removeprefix("onewindow.case.") for e in events_for(chain_key(case))] == [
        "submitted", "accepted", "step_opened", "task_approved", "task_approved", "task_approved", "step_opened",
        "task_approved", "approved", "certificate_issued", "concluded"]
    counts = {name: len(sqls) for name, sqls in statements.items()}
    budget = {name: BUDGET[name] + (0 if is_postgres else SQLITE_EXTRA[name]) for name in BUDGET}
    over = {name: (count, budget[name]) for name, count in counts.items() if count > budget[name]}
    assert not over, f"{over}\n{_dump(statements)}"
    assert sum(counts.values()) <= TOTAL_BUDGET + (0 if is_postgres else sum(SQLITE_EXTRA.values())), \
        f"{counts}\n{_dump(statements)}"


def test_approving_a_parallel_task_and_concluding_stay_within_their_query_counts(
        parallel, is_postgres, django_assert_max_num_queries):
    """The two actions a case's path repeats most, pinned on their own (issue 15): one department's
    approval while the others are still open, and the conclusion — the service alone, its page's load
    and the acting account's roles included (a new request)."""
    w, item, approver_zrzy = parallel
    # + the SAVEPOINT and RELEASE the action's transaction becomes inside the test's
    extra = 2
    now = at(2026, 9, 30, 10)
    _advance(w, item, approver_zrzy, now=now)  # warm, as a running server is
    case = submit_online(w, item, now=now)
    services.accept_case(clerk=fresh(w.clerk), case=Case.objects.get(pk=case.pk), now=now)
    task = Task.objects.select_related("case", "department").get(case_id=case.pk, department=w.gaj, step=2)
    # roles, lock + chain head, tasks + the task approved, event
    with django_assert_max_num_queries(4 + extra + (0 if is_postgres else SQLITE_EXTRA["review_gaj"])):
        services.approve_task(approver=fresh(w.approver_gaj), task=task, opinion="审查通过", now=now)
    for department, approver, step in ((w.scjg, w.approver_scj, 2), (w.zrzy, approver_zrzy, 2),
                                       (w.scjg, w.approver_scj, 3)):
        services.approve_task(approver=fresh(approver), task=Task.objects.select_related("case", "department").get(
            case_id=case.pk, department=department, step=step), opinion="审查通过", now=now)
    approved = Case.objects.get(pk=case.pk)
    # roles, lock + chain head, anything owed, tasks, case, event
    with django_assert_max_num_queries(6 + extra + (0 if is_postgres else SQLITE_EXTRA["conclude"])):
        services.conclude_case(actor=fresh(w.clerk), case=approved, delivery_method="electronic", now=now)
    assert Case.objects.get(pk=case.pk).state == CaseState.CONCLUDED
