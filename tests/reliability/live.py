"""The fault suite's tools: throwaway PostgreSQL databases, the real production server (`onewindow serve`,
gunicorn) in a process group of its own so it can be SIGKILLed whole, and an HTTP client in which every
request has a timeout. Loopback addresses only; every loop is bounded in count and time."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"
READY_PATH = "/api/v1/certificates/READY-CHECK"  # public, cheap, touches the database
ITEM_CODE = "114506810076011160-010020000000-00"  # 户外广告设施设置审批: parallel review by dx-cgj and dx-zrzy
APPLICANT = "qiye"
CLERK = "clerk"
APPROVERS = {"approver.cgj": "dx-cgj", "approver.zrzy": "dx-zrzy"}
ACCOUNTS = [APPLICANT, CLERK, *APPROVERS]
# The suite's clients are a few accounts on one address submitting far more than a person would: the
# per-account and per-address rate limits (core/throttle.py) would answer 429 and are not under test.
NO_THROTTLES = {f"ONEWINDOW_THROTTLE_{scope}": "off"
                for scope in ("PROGRESS", "CERTIFICATE", "APPLY", "PUBLIC_FORM", "LOGIN")}


# -- databases -------------------------------------------------------------------------------------

def base_url() -> str:
    return os.environ["ONEWINDOW_DATABASE_URL"]


def url_for(dbname: str) -> str:
    return urlunsplit(urlsplit(base_url())._replace(path=f"/{dbname}"))


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(base_url(), autocommit=True, connect_timeout=10)


def connect(dbname: str) -> psycopg.Connection:
    return psycopg.connect(url_for(dbname), autocommit=True, connect_timeout=10)


def create_database(name: str, *, template: str | None = None) -> None:
    with admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                           sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(name: str) -> None:
    wait_for_postgres(timeout=60)
    with admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def postgres_answers() -> bool:
    try:
        admin_connection().close()
        return True
    except psycopg.Error:
        return False


def wait_for_postgres(*, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not postgres_answers():
        if time.monotonic() > deadline:
            raise TimeoutError(f"PostgreSQL did not answer within {timeout} s")
        time.sleep(0.2)


def project_env(**overrides: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(overrides)
    return env


def onewindow_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "onewindow.cli", *args]


@dataclass
class FaultDatabase:
    name: str
    url: str
    tokens: dict[str, str]
    materials: list[int]

    def audit_verify(self) -> subprocess.CompletedProcess:
        """`onewindow audit verify` against this database, as an operator would run it."""
        return subprocess.run(onewindow_command("audit", "verify"), env=project_env(ONEWINDOW_DATABASE_URL=self.url),
                              cwd=ROOT, capture_output=True, text=True, timeout=120)


def prepare_template(name: str) -> dict:
    """A database with the schema, the sample catalog, the demo accounts and API tokens (copied per test)."""
    create_database(name)
    done = subprocess.run([sys.executable, str(ROOT / "scripts/fault/prepare_db.py"), *ACCOUNTS],
                          env=project_env(ONEWINDOW_DATABASE_URL=url_for(name)), cwd=ROOT,
                          capture_output=True, text=True, timeout=240)
    if done.returncode != 0:
        raise RuntimeError(f"preparing {name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout)


# -- the server ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class Server:
    """`onewindow serve` (gunicorn master + workers) started in a new session: one process group."""

    def __init__(self, *, database_url: str, data_dir: Path, port: int | None = None, workers: int = 2,
                 threads: int = 4):
        self.database_url, self.data_dir = database_url, data_dir
        self.port = port or free_port()
        self.workers, self.threads = workers, threads
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def start(self, *, timeout: float = 45) -> Server:
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        env = project_env(ONEWINDOW_DATABASE_URL=self.database_url, ONEWINDOW_DATA_DIR=str(self.data_dir),
                          ONEWINDOW_SECRET_KEY="fault-suite-only-not-a-secret", ONEWINDOW_DB_CONN_MAX_AGE="60",
                          ONEWINDOW_ALLOWED_HOSTS=LOOPBACK, **NO_THROTTLES)
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start #{self.starts} on {LOOPBACK}:{self.port} ===\n".encode())
            self.proc = subprocess.Popen(
                onewindow_command("serve", "--host", LOOPBACK, "--port", str(self.port), "--workers",
                                  str(self.workers), "--threads", str(self.threads)),
                env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(NoAnswer):
                if request(self.port, "GET", READY_PATH, timeout=2).status == 200:
                    return self
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"the server did not answer within {timeout} s:\n{self.log_tail()}")

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, sig)

    def kill(self) -> None:
        """SIGKILL to the master and every worker at once (the whole process group)."""
        if self.proc is None:
            return
        self._signal_group(signal.SIGKILL)
        self.proc.wait(timeout=10)
        # Orphaned workers are in the same group; give the kernel a moment to finish them too.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self._group_alive():
            self._signal_group(signal.SIGKILL)
            time.sleep(0.05)

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def stop(self) -> None:
        """Graceful stop (SIGTERM), then SIGKILL for anything left: nothing stays running."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        self.kill()

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


# -- HTTP ------------------------------------------------------------------------------------------

class NoAnswer(Exception):
    """The request got no HTTP answer: refused, reset, or timed out."""

    def __init__(self, reason: str, *, timed_out: bool = False):
        super().__init__(reason)
        self.timed_out = timed_out


@dataclass
class Answer:
    status: int
    body: object
    seconds: float


def request(port: int, method: str, path: str, *, body=None, token: str | None = None,
            idempotency_key: str | None = None, timeout: float = 10.0) -> Answer:
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key
    started = time.monotonic()
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=timeout)
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    except TimeoutError as exc:
        raise NoAnswer(f"timed out after {timeout} s", timed_out=True) from exc
    except (OSError, http.client.HTTPException) as exc:
        raise NoAnswer(f"{type(exc).__name__}: {exc}") from exc
    finally:
        conn.close()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")[:200]
    return Answer(response.status, parsed, time.monotonic() - started)
