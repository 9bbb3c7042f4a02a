"""Start the scale-out topology on this machine's loopback, run the end-to-end flow through it, check what
it left, stop everything and print a summary (docs/scaling.md, "What the topology script proves").

    .venv/bin/python -m scripts.topology.run [--keep] [--celery auto|on|off]

Under var/topology/ (removed at the end unless --keep):

    nginx 127.0.0.1:18080 ──round robin──▶ onewindow serve app1 :18001, app2 :18002, app3 :18003
    app servers ──writes, most reads──▶ PostgreSQL 15 primary :25432 ──WAL streaming──▶ replica :25433
                ──dashboard reads (reads_from_replica)──────────────────────────────────▶ replica
    app servers, Celery worker + beat ──▶ Redis 127.0.0.1:6379 (db 12 cache, db 13 broker)

Needs PostgreSQL 15's server programs (/usr/lib/postgresql/15/bin), nginx (Debian: apt-get install
nginx) and Redis on 127.0.0.1:6379. Exit status 0 when every check passed, 1 otherwise, 2 when
something required is missing. Every process runs in its own process group and is stopped in `finally`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

if __package__ in (None, ""):  # run as a file: scripts/topology/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    __package__ = "scripts.topology"

from .client import FlowError  # noqa: E402
from .flow import ITEM_CODE, TOKEN_ACCOUNTS, Flow, Report  # noqa: E402
from .nginx import Nginx, nginx_binary  # noqa: E402
from .postgres import Clusters, pg_tools_present  # noqa: E402
from .procs import LOOPBACK, ProcessSet, port_is_free, wait_until  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PIN_COOKIE = "ow_primary"  # onewindow.core.dbrouter.PIN_COOKIE (this script does not import Django)
REDIS = ("127.0.0.1", 6379)
CACHE_DB, BROKER_DB = 12, 13
TZ = ZoneInfo("Asia/Shanghai")
READY_PATH = "/api/v1/certificates/READY-CHECK"  # public, cheap, touches the database


@dataclass
class Ports:
    # All below Linux's ephemeral range (32768–60999): a port in it can be taken at any moment by the
    # local end of some outgoing connection, and the topology would then find it "busy".
    primary: int = 25432
    replica: int = 25433
    apps: tuple[int, ...] = (18001, 18002, 18003)
    nginx: int = 18080

    def all(self) -> list[int]:
        return [self.primary, self.replica, *self.apps, self.nginx]


def redis_answers() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def celery_missing() -> str:
    """Why the Celery part cannot run here ("" when it can)."""
    for module in ("celery", "onewindow.celery", "onewindow.notify.tasks", "onewindow.jobs.tasks"):
        try:
            if importlib.util.find_spec(module) is None:
                return f"{module} is not installed"
        except ImportError as exc:
            return f"{module}: {exc}"
    return ""


def missing_requirements(ports: Ports | None = None) -> list[str]:
    ports = ports or Ports()
    missing = [f"PostgreSQL program {tool} (postgresql-15)" for tool in pg_tools_present()]
    if nginx_binary() is None:
        missing.append("nginx (apt-get install nginx)")
    if not redis_answers():
        missing.append(f"Redis on {REDIS[0]}:{REDIS[1]}")
    busy = [port for port in ports.all() if not port_is_free(port)]
    if busy:
        missing.append(f"free loopback ports (busy: {', '.join(map(str, busy))})")
    return missing


def _flush_redis() -> None:
    import redis

    for db in (CACHE_DB, BROKER_DB):
        redis.Redis(host=REDIS[0], port=REDIS[1], db=db, socket_timeout=5).flushdb()


class Topology:
    def __init__(self, root: Path, ports: Ports, *, celery: bool, say=print, pg_root: Path | None = None):
        self.root, self.ports, self.celery, self.say = root, ports, celery, say
        self.procs = ProcessSet(log_dir=root / "logs")
        self.pg_root = pg_root or root / "pg"
        self.clusters = Clusters(self.pg_root, self.procs, primary_port=ports.primary, replica_port=ports.replica)
        self.nginx = Nginx(root / "nginx", self.procs, port=ports.nginx, upstream_ports=list(ports.apps))
        self.media = root / "media"
        self.secret = secrets.token_urlsafe(40)
        self.server_ids = [f"app{n}" for n in range(1, len(ports.apps) + 1)]

    # -- environment -------------------------------------------------------------------------------

    def env(self, data_dir: Path, **extra: str) -> dict:
        """What every onewindow process of the topology shares (as on several machines), plus `extra`."""
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("ONEWINDOW_", "PYTEST_", "DJANGO_")) and k != "PYTHONPATH"}
        base.update({
            "ONEWINDOW_DATABASE_URL": self.clusters.primary.url,
            "ONEWINDOW_REPLICA_DATABASE_URL": self.clusters.replica.url,
            "ONEWINDOW_SECRET_KEY": self.secret,
            "ONEWINDOW_DATA_DIR": str(data_dir),
            "ONEWINDOW_MEDIA_ROOT": str(self.media),
            "ONEWINDOW_CACHE_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{CACHE_DB}",
            "ONEWINDOW_BROKER_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{BROKER_DB}",
            "ONEWINDOW_ALLOWED_HOSTS": f"{LOOPBACK},localhost",
            "ONEWINDOW_SITE_URL": f"http://{LOOPBACK}:{self.ports.nginx}",
            "ONEWINDOW_PROXY_COUNT": "1",
            "ONEWINDOW_REPLICA_PIN_SECONDS": "3",
            "ONEWINDOW_NOTIFY_DISPATCH_SECONDS": "2",
            "ONEWINDOW_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        })
        base.update(extra)
        return base

    def _python(self, *args: str, data_dir: Path, timeout: float = 240) -> str:
        done = subprocess.run([sys.executable, *args], env=self.env(data_dir), cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    # -- start -------------------------------------------------------------------------------------

    def start_database(self) -> None:
        self.clusters.start_primary()
        self.clusters.start_replica()

    def init_database(self) -> dict:
        admin_dir = self.root / "admin"
        self._python("-m", "onewindow.cli", "init", data_dir=admin_dir)
        return json.loads(self._python("-m", "scripts.topology.prepare", ITEM_CODE, *TOKEN_ACCOUNTS, data_dir=admin_dir))

    def start_apps(self) -> None:
        started = []
        for server_id, port in zip(self.server_ids, self.ports.apps, strict=True):
            data_dir = self.root / server_id
            proc = self.procs.start(server_id, [sys.executable, "-m", "onewindow.cli", "serve", "--host", LOOPBACK,
                                                "--port", str(port), "--workers", "1", "--threads", "4"],
                                    env=self.env(data_dir, ONEWINDOW_SERVER_ID=server_id), cwd=ROOT)
            started.append((proc, port))
        for proc, port in started:
            wait_until(lambda port=port: _ready(port), timeout=90, what=f"{proc.name} on port {port}", proc=proc,
                       interval=0.3)

    def start_celery(self) -> None:
        data_dir = self.root / "celery"
        data_dir.mkdir(parents=True, exist_ok=True)
        celery = [sys.executable, "-m", "celery", "-A", "onewindow.celery"]
        worker = self.procs.start("celery-worker", [*celery, "worker", "--loglevel=INFO", "--concurrency=1",
                                                    "--hostname=topology@%h"], env=self.env(data_dir), cwd=ROOT)
        self.procs.start("celery-beat", [*celery, "beat", "--loglevel=INFO",
                                         f"--schedule={data_dir / 'celerybeat-schedule'}"],
                         env=self.env(data_dir), cwd=ROOT)
        wait_until(lambda: "ready." in worker.log_path.read_text(errors="replace"), timeout=60,
                   what="the Celery worker connected to the broker", proc=worker, interval=0.3)

    def enqueue(self, specs: list) -> str:
        return self._python("-m", "scripts.topology.enqueue", json.dumps(specs), data_dir=self.root / "celery")


def _ready(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{READY_PATH}", timeout=2) as response:
            return response.status in (200, 404)
    except urllib.error.HTTPError as exc:
        return exc.code in (200, 404)
    except OSError:
        return False


# -- the run ---------------------------------------------------------------------------------------------

def _timed(report: Report, name: str, started: float) -> None:
    report.facts.setdefault("seconds", {})[name] = round(time.monotonic() - started, 1)


def run(*, root: Path | None = None, ports: Ports | None = None, celery: str = "auto", keep: bool = False,
        say=print) -> Report:
    """Start the topology, run the flow, stop everything; the Report's checks say what held."""
    root = (root or ROOT / "var" / "topology").resolve()
    ports = ports or Ports()
    report = Report()
    missing = missing_requirements(ports)
    if missing:
        raise RuntimeError("cannot start the topology, missing: " + "; ".join(missing))
    why_not = celery_missing()
    use_celery = celery == "on" or (celery == "auto" and not why_not)
    if celery == "on" and why_not:
        raise RuntimeError(f"--celery on: {why_not}")
    report.facts["celery"] = "on" if use_celery else f"off ({why_not or 'switched off'})"
    if root.exists():
        shutil.rmtree(root)
    (root / "logs").mkdir(parents=True)
    # As root, PostgreSQL runs as the `postgres` account, which must reach its data directory: a checkout
    # under a private directory (a CI clone in a 0700 temporary folder) is out of its reach, so the
    # clusters then live in a folder of their own under the system's temporary directory.
    pg_root = Path(tempfile.mkdtemp(prefix="onewindow-topology-pg-")) if os.geteuid() == 0 else None
    topology = Topology(root, ports, celery=use_celery, say=say, pg_root=pg_root)
    began = time.monotonic()
    try:
        _flush_redis()
        step = time.monotonic()
        say(f"PostgreSQL primary :{ports.primary} and streaming replica :{ports.replica} …")
        topology.start_database()
        _timed(report, "postgres primary + replica", step)
        step = time.monotonic()
        say("onewindow init, demo accounts and API tokens on the primary …")
        prepared = topology.init_database()
        _timed(report, "init + accounts", step)
        step = time.monotonic()
        say(f"app servers {', '.join(map(str, ports.apps))}, nginx :{ports.nginx}"
            + (", Celery worker and beat" if use_celery else "") + " …")
        topology.start_apps()
        topology.nginx.start(nginx_binary())
        if use_celery:
            topology.start_celery()
        _timed(report, "servers started", step)
        step = time.monotonic()
        say("the end-to-end flow through nginx …")
        _flow(topology, prepared, report)
        _timed(report, "flow", step)
    except (FlowError, RuntimeError, TimeoutError, OSError, subprocess.SubprocessError) as exc:
        report.check("the topology ran to the end", False, f"{type(exc).__name__}: {exc}")
    finally:
        problems = topology.procs.stop_all()
        report.check("every process stopped (process groups)", not problems and not any(
            p.alive() for p in topology.procs.procs), "; ".join(problems))
        try:
            _flush_redis()
        except Exception as exc:  # noqa: BLE001 - the summary says it
            report.facts["redis cleanup"] = str(exc)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
            if pg_root is not None:
                shutil.rmtree(pg_root, ignore_errors=True)
        elif pg_root is not None:
            say(f"PostgreSQL data kept in {pg_root}")
        _timed(report, "total", began)
    return report


def _flow(topology: Topology, prepared: dict, report: Report) -> None:
    base = f"http://{LOOPBACK}:{topology.ports.nginx}"
    flow = Flow(base, prepared)
    journal = flow.journal
    flow.sign_in()
    a = flow.whole_case(report, label="case A (API submission, accepted on the case page)", window=False)
    b = flow.whole_case(report, label="case B (taken at the window form)", window=True)
    spread = journal.servers()
    report.facts["answers per app server"] = dict(spread)
    report.check("nginx spread the requests over all three app servers", set(spread) == set(topology.server_ids),
                 ", ".join(f"{k} {v}" for k, v in sorted(spread.items())))

    # The dashboard from the replica, once the replica has replayed what the flow wrote.
    topology.clusters.wait_replayed()
    report.facts["replication"] = topology.clusters.replication_status()
    # Signing in was the supervisor's last write: the pin to the primary (ONEWINDOW_REPLICA_PIN_SECONDS)
    # lasts a few seconds after it; on a fast machine the flow above can take less than that.
    wait_until(lambda: not flow.supervisor.has_cookie(PIN_COOKIE), timeout=15, what="the sign-in pin to expire")
    answer, counts = flow.dashboard(flow.supervisor)
    report.check("the supervisor's dashboard was read from the replica", answer.read_db == "replica",
                 f"X-Onewindow-Read-DB: {answer.read_db or '-'} (served by {answer.server})")
    report.check("the dashboard counts the two new cases (received and concluded today)",
                 counts.get("received") == 2 and counts.get("concluded") == 2, json.dumps(counts))
    with topology.clusters.replica.connect() as conn:
        readers = conn.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                               "AND backend_type = 'client backend' AND pid <> pg_backend_pid()").fetchone()[0]
    report.check("the app servers hold connections to the replica", readers >= 1, f"{readers} connections")

    if topology.celery:
        _celery_checks(topology, [a, b], report)

    # One app server dies; the flow goes on through nginx.
    victim = topology.server_ids[1]
    victim_port = topology.ports.apps[1]
    topology.procs.get(victim).kill()
    since, log_since = len(journal.answers), len(topology.nginx.log_lines())
    c = flow.submit_by_api(report, label=f"case C (after {victim} was killed)")
    flow.accept_on_case_page(c)
    pinned, _counts = flow.dashboard(flow.clerk)
    report.check("a clerk who has just written reads the dashboard from the primary (read-your-writes)",
                 pinned.read_db == "default", f"X-Onewindow-Read-DB: {pinned.read_db or '-'}")
    approved = flow.approve_all(c)
    flow.conclude(c)
    progress = flow.progress(next(case for case in flow.cases if case["number"] == c))
    for _ in range(6):
        flow.public.call("GET", f"/items/{ITEM_CODE}")
    after = journal.servers(since)
    failures = journal.failures(since)
    report.check(f"after {victim} was killed, the whole flow still succeeded through nginx",
                 not failures and approved["state"] == "approved" and progress["state"] == "concluded",
                 f"{c}: {progress['state']}; failures: {failures or 'none'}")
    report.check("after the kill only the live servers answered", victim not in after,
                 ", ".join(f"{k} {v}" for k, v in sorted(after.items())))
    retried = [line for line in topology.nginx.log_lines()[log_since:]
               if f"{LOOPBACK}:{victim_port}, " in line]
    report.check("nginx passed requests refused by the dead server on to a live one", bool(retried),
                 retried[0] if retried else "no retried request in the access log")
    report.facts["cases"] = [case["number"] for case in flow.cases]
    report.facts["requests"] = len(journal.answers)


def _celery_checks(topology: Topology, numbers: list[str], report: Report) -> None:
    today = datetime.now(TZ).date()
    sent = topology.enqueue([["onewindow.jobs.tasks.daily_check", {"day": today.isoformat(), "force": True}],
                             ["onewindow.jobs.tasks.build_report", {"period": today.strftime("%Y-%m")}]])
    report.facts["tasks sent"] = sent.split()
    primary = topology.clusters.primary

    def delivered() -> list:
        with primary.connect() as conn:
            rows = conn.execute("SELECT case_number, kind FROM notify_notification WHERE case_number = ANY(%s) "
                                "AND delivered_at IS NOT NULL", [numbers]).fetchall()
        kinds = {(number, kind) for number, kind in rows}
        return rows if all((n, k) in kinds for n in numbers for k in ("accepted", "concluded")) else []

    def snapshots() -> int:
        with primary.connect() as conn:
            return conn.execute("SELECT count(*) FROM jobs_dailysnapshot WHERE day = %s", [today]).fetchone()[0]

    def reports() -> list:
        with primary.connect() as conn:
            return conn.execute("SELECT csv_file, pdf_file FROM jobs_report WHERE period = %s",
                                [today.replace(day=1)]).fetchall()

    for name, probe, detail in (
        ("the worker delivered the applicants' notifications (accepted, concluded) via the broker", delivered,
         lambda v: f"{len(v)} delivered for {', '.join(numbers)}"),
        ("the worker stored today's daily check snapshot", snapshots, lambda v: f"{v} department rows for {today}"),
        ("the worker built this month's report (CSV + PDF under the shared media)", reports,
         lambda v: ", ".join(f"{c} {p}" for c, p in v)),
    ):
        try:
            value = wait_until(probe, timeout=40, what=name, interval=0.5)
        except TimeoutError as exc:
            report.check(name, False, str(exc))
            continue
        ok = True
        if probe is reports:
            ok = all((topology.media / path).is_file() for row in value for path in row)
        report.check(name, ok, detail(value))


def print_summary(report: Report, say=print) -> None:
    say("")
    say("== the scale-out topology, end to end ==")
    for check in report.checks:
        say(f"{'PASS' if check.ok else 'FAIL'}  {check.name}" + (f"\n      {check.detail}" if check.detail else ""))
    for key, value in report.facts.items():
        say(f"  {key}: {json.dumps(value, ensure_ascii=False, default=str)}")
    say(f"== {'all checks passed' if report.ok else f'{len(report.failed())} check(s) FAILED'} ==")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.topology.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="leave var/topology (logs, data) for inspection")
    parser.add_argument("--celery", choices=["auto", "on", "off"], default="auto",
                        help="the Celery worker step: auto = when onewindow.celery and the tasks are installed")
    args = parser.parse_args(argv)
    missing = missing_requirements()
    if missing:
        print("cannot start the topology, missing: " + "; ".join(missing), file=sys.stderr)
        return 2
    report = run(celery=args.celery, keep=args.keep)
    print_summary(report)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
