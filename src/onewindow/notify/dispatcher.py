"""The outbox without a broker: a thread in every process of `onewindow serve` runs the dispatch
(notify.services.dispatch) at once and then every NOTIFY_DISPATCH_SECONDS, so an applicant is told of
acceptance, a decision or a supplement request within that interval while the site runs — not at the
next start.

With a broker (ONEWINDOW_BROKER_URL) `onewindow beat` schedules the same task for the workers and no
thread is started; ONEWINDOW_NOTIFY_DISPATCH_SECONDS=0 starts none either.

Several processes (gunicorn's workers, several app servers on one database) each run one thread, and
that is safe: `collect` locks the cursor row and writes each (event, kind) once under a unique
constraint, and `deliver` claims each message with a conditional UPDATE before it is sent, so two
threads running at once create and send nothing twice; they only read some events twice.

gunicorn imports the application in its master (preload) and then forks: a thread started before the
fork would not exist in the workers. core/server.py therefore starts it in each worker once the worker
has loaded the application (post_worker_init) and stops it when the worker exits (worker_exit); a
second `start()` in the same process is a no-op, and one in a forked child starts the child's own."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections, connections

logger = logging.getLogger("onewindow.notify")


class Dispatcher:
    """One thread running `run` now and then every `interval` seconds until `stop()`. A failed run is
    logged and the next one tries again; the thread's database connection is closed between runs
    (kept only as long as CONN_MAX_AGE allows)."""

    def __init__(self, interval: float, *, run: Callable[[], object] | None = None):
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.interval = float(interval)
        self._run = run
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.pid = os.getpid()
        self.runs = 0
        self.failures = 0

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and self.pid == os.getpid()

    def start(self) -> Dispatcher:
        if self._thread is not None:
            raise RuntimeError("a Dispatcher starts once")
        self._thread = threading.Thread(target=self._loop, name="onewindow-notify-dispatch", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> bool:
        """Ask the thread to end after the current run; True when it has ended within `timeout`."""
        self._stopping.set()
        if self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout)
        return not (self._thread is not None and self._thread.is_alive())

    def run_once(self) -> None:
        run = self._run
        if run is None:
            from . import services

            run = services.dispatch
        try:
            report = run()
        except Exception:  # any failure: logged, and the next run tries again
            self.failures += 1
            logger.exception("消息发送任务失败 outbox dispatch failed; next try in %g s", self.interval)
        else:
            self.runs += 1
            as_dict = getattr(report, "as_dict", None)
            if as_dict is not None and any(as_dict()[key] for key in ("created", "delivered", "failed")):
                logger.info("消息 outbox: %s", as_dict())
        finally:
            close_old_connections()

    def _loop(self) -> None:
        try:
            while not self._stopping.is_set():
                self.run_once()
                self._stopping.wait(self.interval)
        finally:
            connections.close_all()  # this thread's connections only


_current: Dispatcher | None = None
_lock = threading.Lock()


def embedded_interval() -> float:
    """Seconds between runs of this process's dispatcher; 0 when none should run (a broker does the
    work, or ONEWINDOW_NOTIFY_DISPATCH_SECONDS is 0)."""
    if settings.BROKER_URL or settings.NOTIFY_DISPATCH_SECONDS <= 0:
        return 0
    return float(settings.NOTIFY_DISPATCH_SECONDS)


def start(interval: float | None = None) -> Dispatcher | None:
    """Start this process's dispatcher (see the module's doc); returns it, or None when none runs."""
    global _current
    interval = embedded_interval() if interval is None else interval
    if interval <= 0:
        return None
    with _lock:
        if _current is not None and _current.alive:
            return _current
        _current = Dispatcher(interval).start()
        return _current


def stop(timeout: float = 10.0) -> bool:
    """Stop this process's dispatcher, if it runs; True when none is left running."""
    global _current
    with _lock:
        dispatcher, _current = _current, None
    if dispatcher is None or dispatcher.pid != os.getpid():
        return True
    return dispatcher.stop(timeout)


def startup_notice() -> str:
    """What the console says about the outbox and text messages when a server starts."""
    from django.conf import settings

    lines = []
    interval = embedded_interval()
    if interval:
        lines.append(f"消息通知 notifications: sent by the server every {interval:.0f} s "
                     "(no broker; ONEWINDOW_NOTIFY_DISPATCH_SECONDS)")
    if settings.NOTIFY_BACKEND == "log":
        lines.append(f"短信 text messages (backend `log`, nothing leaves this machine): registration codes are "
                     f"written to {settings.NOTIFY_LOG_FILE}")
    return "\n".join(lines)
