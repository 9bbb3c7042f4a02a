"""Many clients at once, through the real server (gunicorn, several processes and threads) on
PostgreSQL: one idempotency key makes one case; one action on one case or task has exactly one winner;
the audit trail stays consistent."""

from __future__ import annotations

import threading

import pytest

from .conftest import needs_postgres
from .live import APPLICANT, APPROVERS, CLERK, ITEM_CODE, Answer, NoAnswer, connect, request
from .workload import Client, Ledger, Op

pytestmark = [pytest.mark.fault, needs_postgres]


def race(n: int, call) -> list[Answer | Exception]:
    """call(i) in n threads released together by a barrier; bounded by the request timeouts."""
    barrier = threading.Barrier(n, timeout=30)
    results: list = [None] * n

    def run(i):
        try:
            barrier.wait()
            results[i] = call(i)
        except (NoAnswer, threading.BrokenBarrierError) as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return results


def statuses(results) -> list:
    return sorted(r.status if isinstance(r, Answer) else type(r).__name__ for r in results)


def audit_events(db, number: str) -> list[str]:
    with connect(db.name) as conn:
        return [row[0] for row in conn.execute(
            "SELECT e.action FROM audit_auditevent e JOIN audit_auditchain c ON c.id = e.chain_id "
            "WHERE c.key = %s ORDER BY e.position", [f"case:{number}"]).fetchall()]


def test_ten_simultaneous_submissions_with_one_key_make_one_case(fault_db, start_server):
    server = start_server(fault_db, workers=3, threads=4)
    client = Client(fault_db, Ledger(), port=server.port)
    body = client.body("same-key")
    results = race(10, lambda i: request(server.port, "POST", "/api/v1/cases", body=body,
                                         token=fault_db.tokens[APPLICANT], idempotency_key="same-key"))
    assert statuses(results) == [200] * 9 + [201], results
    numbers = {r.body["number"] for r in results}
    assert len(numbers) == 1, numbers
    with connect(fault_db.name) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM cases_idempotencyrecord WHERE key = 'same-key'").fetchone()[0] == 1
    assert audit_events(fault_db, numbers.pop()) == ["onewindow.case.submitted"]

    # The same key with another body is refused, and creates nothing.
    other = request(server.port, "POST", "/api/v1/cases", body={**body, "form_data": {"设置地点": "别处"}},
                    token=fault_db.tokens[APPLICANT], idempotency_key="same-key")
    assert other.status == 409 and other.body["field"] == "idempotency_key", other
    with connect(fault_db.name) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0] == 1


def test_simultaneous_acceptances_and_approvals_have_one_winner_each(fault_db, start_server):
    server = start_server(fault_db, workers=3, threads=4)
    ledger = Ledger()
    client = Client(fault_db, ledger, port=server.port)
    assert client.run(Op("submit", key="race-1")), ledger.unexpected
    number = ledger.submitted["race-1"]

    def act(token: str, action: str, **params):
        return request(server.port, "POST", f"/api/v1/cases/{number}/actions",
                       body={"action": action, "params": params}, token=token)

    # Eight clerks press "accept" at the same moment: one wins, seven are told the case moved on.
    results = race(8, lambda i: act(fault_db.tokens[CLERK], "accept"))
    assert statuses(results) == [200] + [409] * 7, results
    assert all("审批中" in r.body["message"] for r in results if r.status == 409)

    # Both parallel departments, four presses each on their review task, all at once: one approval
    # per department, and the next step opens exactly once.
    with connect(fault_db.name) as conn:
        review_task = dict(conn.execute(
            "SELECT d.code, t.id FROM cases_task t JOIN cases_case c ON c.id = t.case_id "
            "JOIN orgs_department d ON d.id = t.department_id WHERE c.number = %s AND t.kind = 'review'",
            [number]).fetchall())
    approvers = [a for a in APPROVERS for _ in range(4)]
    results = race(8, lambda i: act(fault_db.tokens[approvers[i]], "approve",
                                    task_id=review_task[APPROVERS[approvers[i]]]))
    assert statuses(results) == [200] * 2 + [409] * 6, results
    winners = sorted(approvers[i] for i, r in enumerate(results) if r.status == 200)
    assert winners == sorted(APPROVERS)

    actions = audit_events(fault_db, number)
    assert actions.count("onewindow.case.accepted") == 1
    assert actions.count("onewindow.case.task_approved") == 2
    assert actions.count("onewindow.case.step_opened") == 2  # step 2 at acceptance, step 3 once
    with connect(fault_db.name) as conn:
        tasks = conn.execute(
            "SELECT t.step, t.kind, t.state FROM cases_task t JOIN cases_case c ON c.id = t.case_id "
            "WHERE c.number = %s ORDER BY t.step, t.id", [number]).fetchall()
        item_stages = conn.execute(
            "SELECT COUNT(*) FROM catalog_stage s JOIN catalog_item i ON i.id = s.item_id WHERE i.code = %s",
            [ITEM_CODE]).fetchone()[0]
    assert len(tasks) == item_stages
    assert [state for step, kind, state in tasks if kind == "review"] == ["approved", "approved"]
    assert [state for step, kind, state in tasks if kind == "decision"] == ["open"]
    verified = fault_db.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
