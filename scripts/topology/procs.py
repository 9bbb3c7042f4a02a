"""Processes of the topology: each started in a session (process group) of its own, its output in a log
file, always stopped — group and all — by `ProcessSet.stop_all()` in the runner's `finally`."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

LOOPBACK = "127.0.0.1"


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, port))
        except OSError:
            return False
    return True


def port_answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((LOOPBACK, port)) == 0


def as_user(user: str | None) -> dict:
    """subprocess keyword arguments that run the child as `user` (only when we are root)."""
    if not user or os.geteuid() != 0:
        return {}
    return {"user": user, "group": user, "extra_groups": []}


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.2, proc: Proc | None = None):
    """Poll `predicate` until it returns a true value (returned); TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if proc is not None and not proc.alive():
            raise RuntimeError(f"{proc.name} exited ({proc.popen.returncode}) while waiting for {what}:\n"
                               f"{proc.log_tail()}")
        if time.monotonic() > deadline:
            tail = f":\n{proc.log_tail()}" if proc is not None else ""
            raise TimeoutError(f"{what}: not within {timeout:.0f} s{tail}")
        time.sleep(interval)


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log_path: Path
    # How to ask it to stop: PostgreSQL's postmaster takes SIGINT (fast shutdown) itself and stops its
    # backends; the others take SIGTERM to the whole group.
    stop_signal: int = signal.SIGTERM
    leader_only: bool = False

    def alive(self) -> bool:
        return self.popen.poll() is None

    def _signal_group(self, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def _group_alive(self) -> bool:
        try:
            os.killpg(self.popen.pid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def kill(self) -> None:
        """SIGKILL to the whole process group (master and workers at once), and wait for it to go."""
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=10)
        deadline = time.monotonic() + 5
        while self._group_alive() and time.monotonic() < deadline:
            self._signal_group(signal.SIGKILL)
            time.sleep(0.05)

    def stop(self, *, grace: float = 10) -> None:
        """SIGTERM to the group, then SIGKILL whatever is left."""
        if self.alive():
            if self.leader_only:
                with contextlib.suppress(ProcessLookupError):
                    self.popen.send_signal(self.stop_signal)
            else:
                self._signal_group(self.stop_signal)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=grace)
        self.kill()

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


@dataclass
class ProcessSet:
    """Every long-running process of the topology, stopped in reverse order of start."""

    log_dir: Path
    procs: list[Proc] = field(default_factory=list)

    def start(self, name: str, argv: list[str], *, env: dict, cwd: Path, user: str | None = None,
              stop_signal: int = signal.SIGTERM, leader_only: bool = False) -> Proc:
        """Start `argv` in a new session; `user`: run as that account (we are root; PostgreSQL refuses
        to run as root), switched in the child before exec, so no wrapper process sits in between."""
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            popen = subprocess.Popen(argv, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True, **as_user(user))
        proc = Proc(name=name, popen=popen, log_path=log_path, stop_signal=stop_signal, leader_only=leader_only)
        self.procs.append(proc)
        return proc

    def get(self, name: str) -> Proc:
        return next(proc for proc in self.procs if proc.name == name)

    def stop_all(self) -> list[str]:
        problems = []
        for proc in reversed(self.procs):
            try:
                proc.stop(grace=15)
            except Exception as exc:  # keep stopping the others
                problems.append(f"{proc.name}: {exc}")
        return problems
