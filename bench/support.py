"""Shared plumbing for the scenarios that need PostgreSQL and Django: throwaway databases named
`bench_*`, Django-side tasks run in a child process (each scenario has its own database, and Django's
settings are read once per process), latency summaries and the machine's load.

Every database created here is dropped by `drop_database` in the scenario's `finally`."""

from __future__ import annotations

import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = os.environ.get("ONEWINDOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
PYTHON = sys.executable


def db_url(name: str) -> str:
    return f"{PG_SERVER}/{name}"


def create_database(name: str) -> str:
    assert name.startswith("bench_"), name
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return db_url(name)


def drop_database(name: str) -> None:
    assert name.startswith("bench_"), name
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    with psycopg.connect(db_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _bench_cache_url() -> str:
    """The cache the servers share (rate limits, lockout, the catalog version): what docs/operations.md
    prescribes for several app servers under load, Redis (db 9, emptied once per bench process so no
    counter survives from an earlier run), or the embedded default `db://` when Redis is not running.
    ONEWINDOW_BENCH_CACHE_URL overrides."""
    url = os.environ.get("ONEWINDOW_BENCH_CACHE_URL")
    if url:
        return url
    try:
        import redis

        client = redis.Redis.from_url("redis://127.0.0.1:6379/9", socket_connect_timeout=1)
        client.flushdb()
        return "redis://127.0.0.1:6379/9"
    except Exception:  # noqa: BLE001 — no Redis: the embedded default
        return "db://"


BENCH_CACHE_URL = _bench_cache_url()


def django_env(name: str, **extra) -> dict:
    env = dict(os.environ)
    env.setdefault("ONEWINDOW_CACHE_URL", BENCH_CACHE_URL)
    env.update({"ONEWINDOW_DATABASE_URL": db_url(name), "ONEWINDOW_DATA_DIR": f"/tmp/bench-var-{name}",
                "DJANGO_SETTINGS_MODULE": "onewindow.settings", "ONEWINDOW_DEBUG": "false",
                "ONEWINDOW_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
                "ONEWINDOW_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                # This checkout's sources first (a worktree's, not the editable install's), then bench/.
                "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"})
    env.update(extra)
    return env


def task(name: str, *args: str, timeout: float = 1200, stream: bool = False) -> dict:
    """Run `bench.tasks <args>` against database `name` in a child process; it prints one JSON line
    last. With stream=True its stderr (progress bars) goes to ours."""
    proc = subprocess.run([PYTHON, "-m", "bench.tasks", *args], env=django_env(name), cwd=ROOT, text=True,
                          stdout=subprocess.PIPE, stderr=None if stream else subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.tasks {' '.join(args)} failed ({proc.returncode}): "
                           f"{(proc.stderr or '')[-2000:]}{proc.stdout[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def init_database(name: str) -> None:
    """A fresh database with the schema, calendar, sample organisations and catalog (`onewindow init`)."""
    create_database(name)
    proc = subprocess.run([str(Path(PYTHON).parent / "onewindow"), "init"], env=django_env(name), cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"onewindow init failed: {proc.stderr[-2000:]}")
    # The database cache's table (ONEWINDOW_CACHE_URL defaults to db://); idempotent if init made it.
    proc = subprocess.run([str(Path(PYTHON).parent / "django-admin"), "createcachetable"], env=django_env(name),
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"createcachetable failed: {proc.stderr[-2000:]}")


def percentiles(latencies_s: list[float]) -> dict:
    """p50/p90/p99/max in milliseconds."""
    if not latencies_s:
        return {"p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(latencies_s)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {"p50_ms": at(0.50), "p90_ms": at(0.90), "p99_ms": at(0.99), "max_ms": round(1000 * ordered[-1], 2)}


def median_spread(values: list[float]) -> tuple[float, float]:
    median = statistics.median(values)
    return median, (round(100 * (max(values) - min(values)) / median, 1) if median else 0.0)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        return None
    return None


def pss_uss_mb(pid: int) -> dict | None:
    """Proportional and unique set size (shared pages split between the processes sharing them)."""
    try:
        fields = {}
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, value, *_ = line.split()
            fields[name.rstrip(":")] = int(value)
    except (OSError, ValueError):
        return None
    uss = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {"pss": round(fields.get("Pss", 0) / 1024, 1), "uss": round(uss / 1024, 1)}


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def wait_for(predicate, *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"timed out after {seconds:.0f} s waiting for {what}")


def start_server(db: str, *, port: int, workers: int, threads: int, log, log_path: str,
                 probe: str) -> subprocess.Popen:
    """`onewindow serve` (the production server) on 127.0.0.1:`port` against database `db`, in a process
    group of its own; returns once `probe` answers and every worker has been forked."""
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "onewindow"), "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--threads", str(threads)],
        env=django_env(db), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)

    def up() -> bool:
        if server.poll() is not None:
            raise RuntimeError(f"onewindow serve exited; see {log_path}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", probe)
            c.getresponse().read()
            return len(children(server.pid)) >= workers
        except OSError:
            return False

    wait_for(up, seconds=90, what="onewindow serve")
    return server


def stop_server(server: subprocess.Popen) -> None:
    """Stop the server's whole process group: TERM, then KILL after 20 s."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
