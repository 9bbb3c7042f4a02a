"""The production server SIGKILLed — master and workers, mid-request — while clients submit, accept and
approve cases over HTTP. After a restart the clients retry what was never answered, and what they were
told is compared with what PostgreSQL holds: every acknowledged case is there with its materials, tasks
and audit events, no case is half-written, no key made two cases, and the audit chains verify."""

from __future__ import annotations

import threading
import time

import pytest

from .conftest import needs_postgres
from .workload import Client, Ledger, Op, check_database

pytestmark = [pytest.mark.fault, needs_postgres]

CLIENTS = 5
CASES_PER_CLIENT = 40  # an upper bound: phase 1 ends at the kill, long before
KILL_AFTER_ACKS = 20
KILL_DEADLINE = 40.0  # seconds: kill anyway if the clients are slower than that
AFTER_RESTART = 1  # fresh cases per client once the server is back


def test_sigkill_mid_load_loses_no_acknowledged_case_and_leaves_none_half_written(fault_db, start_server):
    server = start_server(fault_db, workers=2, threads=4)
    ledger = Ledger()
    keys: set[str] = set()
    pending: dict[int, list[Op]] = {}
    killed = threading.Event()

    def phase_one(n: int) -> None:
        client = Client(fault_db, ledger, port=server.port, timeout=15)
        for i in range(CASES_PER_CLIENT):
            if killed.is_set():
                return
            key = f"kill-{n}-{i}"
            keys.add(key)
            left = client.case_flow(key, decide=i % 2 == 0)
            if left:  # no answer: the server is gone; remember what to retry
                pending[n] = left
                return

    started = time.monotonic()
    threads = [threading.Thread(target=phase_one, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    # Kill while requests are in flight, once enough work has been acknowledged.
    deadline = time.monotonic() + KILL_DEADLINE
    while time.monotonic() < deadline and not (ledger.acks() >= KILL_AFTER_ACKS and ledger.in_flight >= 2):
        time.sleep(0.005)
    in_flight_at_kill, acks_at_kill, kill_at = ledger.in_flight, ledger.acks(), time.monotonic() - started
    server.kill()
    killed.set()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads), "a client hung after the kill"
    assert not ledger.unexpected, ledger.unexpected
    assert in_flight_at_kill >= 1 and ledger.unanswered, "the kill did not interrupt any request"
    acknowledged_before = dict(ledger.submitted)

    # Restart on the same port; every client retries its unanswered operation (same key, same body),
    # finishes that case's flow, then submits fresh cases.
    restart_began = time.monotonic()
    server.start()
    restarted_in = time.monotonic() - restart_began

    def phase_two(n: int) -> None:
        client = Client(fault_db, ledger, port=server.port, timeout=15)
        for op in pending.get(n, []):
            if not client.run(op, retry=True):
                return
            if op.kind == "submit":  # the rest of this case's flow
                number = ledger.submitted[op.key]
                for rest in [Op("accept", number=number), Op("approve", number=number, actor="approver.cgj"),
                             Op("approve", number=number, actor="approver.zrzy")]:
                    if not client.run(rest, retry=True):
                        return
        for i in range(AFTER_RESTART):
            key = f"after-{n}-{i}"
            keys.add(key)
            client.case_flow(key, decide=True)

    ledger.unanswered.clear()
    threads = [threading.Thread(target=phase_two, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=90)
    assert not any(t.is_alive() for t in threads), "a client hung after the restart"
    assert not ledger.unanswered, f"the restarted server did not answer: {ledger.unanswered}"
    assert not ledger.unexpected, ledger.unexpected

    # Nothing acknowledged before the kill changed its answer; every key now has its one case.
    assert all(ledger.submitted[k] == v for k, v in acknowledged_before.items())
    problems = check_database(fault_db, ledger, keys=keys)
    assert not problems, "\n".join(problems)
    verified = fault_db.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    print(f"\nkill test: {len(keys)} keys, {ledger.created} cases created, {len(ledger.accepted)} acceptances, "
          f"{sum(len(v) for v in ledger.approvals.values())} approvals acknowledged; "
          f"{in_flight_at_kill} requests in flight at the kill; {sum(len(v) for v in pending.values())} "
          f"operations retried after the restart; killed at {kill_at:.1f} s after {acks_at_kill} acknowledgements, "
          f"restarted in {restarted_in:.1f} s, phase two {time.monotonic() - restart_began:.1f} s")
