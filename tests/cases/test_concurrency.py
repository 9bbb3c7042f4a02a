"""Two people acting at once: exactly one wins. Needs real row locks and concurrent connections, so it
runs on PostgreSQL only (SQLite serialises every writer with BEGIN IMMEDIATE and shares one file)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from onewindow.audit.selectors import events_for
from onewindow.cases import services
from onewindow.cases.models import Case, IdempotencyRecord
from onewindow.core.errors import Conflict

from .factories import at, submit_online

pytestmark = pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                                reason="needs PostgreSQL: concurrent connections and SELECT … FOR UPDATE")


def _race(fn, n: int = 2) -> list:
    """Run fn(i) in n threads released together; each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        except Exception as error:  # noqa: BLE001 - the result under test
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres_only
def test_two_clerks_accepting_one_case_at_once_only_one_succeeds(transactional_db, world):
    case = submit_online(world)
    results = _race(lambda i: services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30)))
    wins = [r for r in results if isinstance(r, Case)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert "审批中" in losses[0].message
    actions = [e.action for e in events_for(f"case:{case.number}")]
    assert actions.count("onewindow.case.accepted") == 1
    assert Case.objects.get(pk=case.pk).tasks.filter(step=2).count() == 2


@pytest.mark.postgres_only
def test_two_submissions_with_one_idempotency_key_make_one_case(transactional_db, world):
    results = _race(lambda i: submit_online(world, idempotency_key="same-key", principal="user:7"))
    assert all(isinstance(r, Case) for r in results), results
    assert results[0].pk == results[1].pk
    assert Case.objects.count() == 1 and IdempotencyRecord.objects.count() == 1


@pytest.mark.postgres_only
def test_parallel_approvers_at_once_open_the_next_step_exactly_once(transactional_db, world):
    from .factories import task_of

    case = services.accept_case(clerk=world.clerk, case=submit_online(world), now=at(2026, 9, 30))
    tasks = [(world.approver_scj, task_of(case, world.scjg, 2)), (world.approver_gaj, task_of(case, world.gaj, 2))]
    results = _race(lambda i: services.approve_task(approver=tasks[i][0], task=tasks[i][1], now=at(2026, 10, 8)))
    assert not [r for r in results if isinstance(r, Exception)], results
    actions = [e.action for e in events_for(f"case:{case.number}")]
    assert actions.count("onewindow.case.step_opened") == 2  # step 2 at acceptance, step 3 once
    assert task_of(case, world.scjg, 3).state == "open"
