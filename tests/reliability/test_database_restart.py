"""PostgreSQL restarted (fast mode: every connection cut, open transactions aborted) while clients submit
and accept cases through the real server. The server is not touched: it must recover by itself
(CONN_HEALTH_CHECKS), requests caught by the restart must fail cleanly (a 5xx or a refused connection,
within the timeout: no hang), nothing acknowledged may be lost, and afterwards it answers normally.

This restarts the SHARED PostgreSQL server: the fault suite runs alone, after the other tests
(`make fault`), never in parallel with them."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import needs_postgres
from .live import APPLICANT, admin_connection, base_url, postgres_answers, request, wait_for_postgres
from .workload import Client, Ledger, Op, check_database

pytestmark = [pytest.mark.fault, needs_postgres]

CLIENTS = 4
MAX_CASES_PER_CLIENT = 60
REQUEST_TIMEOUT = 15.0  # seconds: a request caught by the restart must be answered (or refused) by then
RESTART_AFTER_ACKS = 8
SUCCESSES_AFTER_RESTART = 2  # per client, to call the server recovered
RECOVERY_DEADLINE = 45.0


def local_cluster() -> tuple[str, str] | None:
    """(version, name) of the Debian-managed cluster serving the test database, if it is on this machine."""
    if shutil.which("pg_ctlcluster") is None or urlsplit(base_url()).hostname not in ("127.0.0.1", "localhost", "::1"):
        return None
    port = str(urlsplit(base_url()).port or 5432)
    for conf in sorted(Path("/etc/postgresql").glob("*/*/postgresql.conf")):
        text = conf.read_text(errors="replace")
        ports = [line.split("=", 1)[1].split("#")[0].strip() for line in text.splitlines()
                 if line.strip().startswith("port")]
        if (ports[-1] if ports else "5432") == port:
            return conf.parent.parent.name, conf.parent.name
    return None


def postmaster_started_at():
    with admin_connection() as conn:
        return conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0]


def restart_postgres(cluster: tuple[str, str]) -> str:
    """`pg_ctlcluster restart` in fast mode; the proof it restarted is a new postmaster start time.
    pg_ctlcluster's own readiness probe (psql as the calling user, ten clean connections in a row) can
    report failure on a loaded machine although the server is up: its exit status alone is not the
    verdict, pg_isready and the start time are. Returns pg_ctlcluster's complaint, if any."""
    before = postmaster_started_at()
    version, name = cluster
    done = subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", "--mode", "fast", version, name, "restart"],
                          capture_output=True, text=True, timeout=120)
    try:
        pg_isready(timeout=60)
    except TimeoutError:
        raise AssertionError(f"PostgreSQL is not back: pg_ctlcluster said {done.returncode}: {done.stderr}") from None
    assert postmaster_started_at() > before, f"PostgreSQL was not restarted: {done.stderr}"
    return "" if done.returncode == 0 else f"pg_ctlcluster exit {done.returncode}: {done.stderr.strip()[:300]}"


def pg_isready(timeout: float) -> None:
    parts = urlsplit(base_url())
    deadline = time.monotonic() + timeout
    while subprocess.run(["pg_isready", "-q", "-h", parts.hostname, "-p", str(parts.port or 5432)],
                         timeout=10).returncode != 0:
        if time.monotonic() > deadline:
            raise TimeoutError(f"pg_isready: PostgreSQL not ready after {timeout} s")
        time.sleep(0.2)
    wait_for_postgres(timeout=timeout)


@pytest.fixture
def cluster():
    found = local_cluster()
    if found is None:
        pytest.skip("database restart: needs the PostgreSQL cluster on this machine, managed by pg_ctlcluster")
    yield found
    # Whatever happened in the test, PostgreSQL is running again when it ends.
    if not postgres_answers():
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *found, "start"], capture_output=True,
                       timeout=90)
    pg_isready(timeout=60)


def test_database_restart_under_load_recovers_by_itself_and_loses_nothing(fault_db, start_server, cluster):
    server = start_server(fault_db, workers=2, threads=4)
    ledger = Ledger()
    keys: set[str] = set()
    stop = threading.Event()
    restarted = threading.Event()
    recovered = Counter()

    def client_loop(n: int) -> None:
        client = Client(fault_db, ledger, port=server.port, timeout=REQUEST_TIMEOUT)
        for i in range(MAX_CASES_PER_CLIENT):
            if stop.is_set():
                return
            after_restart = restarted.is_set()
            key = f"restart-{n}-{i}"
            keys.add(key)
            ok = client.run(Op("submit", key=key))
            if ok:
                ok = client.run(Op("accept", number=ledger.submitted[key]))
            if ok and after_restart:
                recovered[n] += 1
            if not ok:
                time.sleep(0.1)  # caught by the restart: the operation waits in ledger.unanswered

    threads = [threading.Thread(target=client_loop, args=(n,), daemon=True) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ledger.acks() < RESTART_AFTER_ACKS:
        time.sleep(0.01)
    began = time.monotonic()
    complaint = restart_postgres(cluster)
    restart_seconds = time.monotonic() - began
    restarted.set()
    deadline = time.monotonic() + RECOVERY_DEADLINE
    while time.monotonic() < deadline and not all(recovered[n] >= SUCCESSES_AFTER_RESTART for n in range(CLIENTS)):
        time.sleep(0.05)
    recovery_seconds = time.monotonic() - began
    stop.set()
    for t in threads:
        t.join(timeout=2 * REQUEST_TIMEOUT + 5)
    assert not any(t.is_alive() for t in threads), "a client hung"

    assert not ledger.timeouts, f"requests hung past {REQUEST_TIMEOUT} s: {ledger.timeouts}"
    assert not ledger.unexpected, ledger.unexpected
    assert all(recovered[n] >= SUCCESSES_AFTER_RESTART for n in range(CLIENTS)), (
        f"the server did not recover by itself within {RECOVERY_DEADLINE} s: {dict(recovered)}\n{server.log_tail()}")
    failed = list(ledger.unanswered)
    # Failures are clean: a 5xx answer or a refused/reset connection, nothing else.
    assert all(reason.startswith("HTTP 5") or "Error" in reason for _op, reason in failed), failed

    # The clients retry what was never acknowledged (same key, same body): all of it goes through.
    ledger.unanswered.clear()
    client = Client(fault_db, ledger, port=server.port, timeout=REQUEST_TIMEOUT)
    for op, _reason in failed:
        assert client.run(op, retry=True), (op, ledger.unanswered, ledger.unexpected)
    assert not ledger.unexpected, ledger.unexpected

    problems = check_database(fault_db, ledger, keys=keys)
    assert not problems, "\n".join(problems)
    verified = fault_db.audit_verify()
    assert verified.returncode == 0, verified.stdout + verified.stderr
    # And the server answers normally.
    fresh = request(server.port, "POST", "/api/v1/cases", body=client.body("after-restart"),
                    token=fault_db.tokens[APPLICANT], idempotency_key="after-restart", timeout=REQUEST_TIMEOUT)
    assert fresh.status == 201, fresh
    print(f"\ndatabase restart: PostgreSQL back in {restart_seconds:.1f} s, every client served again "
          f"{recovery_seconds:.1f} s after the restart began; {len(keys)} keys, {ledger.created} cases; "
          f"{len(failed)} requests failed cleanly ({Counter(r.split(':')[0] for _o, r in failed)}) and "
          f"were retried; none hung. {complaint}")
