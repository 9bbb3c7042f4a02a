"""A production server for `onewindow serve`: gunicorn (threads, several processes), static files
served by the app itself through whitenoise, so no separate web server is needed in embedded mode.

Without a broker (the embedded mode) every worker process also runs the notification outbox in a
thread (notify/dispatcher.py, wired by settings.SERVER_BACKGROUND_MODULES), started after the fork and
stopped when the worker exits.

A request line longer than gunicorn's limit never reaches Django. The limit is raised to gunicorn's
maximum (8190 bytes: a search box's URL-encoded Chinese takes 9 bytes a character, and the default 4094
turned a 450-character search into a raw English "URI Too Long"), the search boxes are capped (maxlength
and truncation in the views), and what still goes over is answered by our own worker with the app's
Chinese page (core/templates/core/request_too_long.html) instead of gunicorn's English one."""

from __future__ import annotations

import functools
import importlib

from gunicorn.app.base import BaseApplication
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.util import write_nonblock
from gunicorn.workers.gthread import ThreadWorker

# gunicorn refuses larger values ("0" would mean unlimited, which we do not want).
MAX_REQUEST_LINE = 8190


@functools.cache
def _too_long_page(status: int) -> bytes:
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(None):  # the site's default language (no request to take one from)
        html = render_to_string("core/request_too_long.html", {"status": status})
    return html.encode("utf-8")


def too_long_response(status: int) -> bytes:
    """A complete HTTP response (414 or 431) carrying the app's page, for the worker to write."""
    reason = {414: "URI Too Long", 431: "Request Header Fields Too Large"}[status]
    body = _too_long_page(status)
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nCache-Control: no-store\r\n\r\n")
    return head.encode("latin-1") + body


class Worker(ThreadWorker):
    """gunicorn's threaded worker, answering an over-long request line or headers with our page."""

    def handle_error(self, req, client, addr, exc):
        if isinstance(exc, LimitRequestLine | LimitRequestHeaders):
            status = 414 if isinstance(exc, LimitRequestLine) else 431
            self.log.warning("Request too long from ip=%s: %s", (addr or ("",))[0], exc)
            try:
                write_nonblock(client, too_long_response(status))
            except Exception:  # the client may be gone; nothing else to do for it
                self.log.debug("Failed to send the too-long page.")
            return
        super().handle_error(req, client, addr, exc)


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # The same application onewindow/wsgi.py serves, built here so core imports nothing above it.
        from django.core.wsgi import get_wsgi_application

        return get_wsgi_application()


def _background():
    """The modules whose threads run inside every worker (settings.SERVER_BACKGROUND_MODULES, wired at the
    composition root: core imports no app above it). Each has start(), stop() and startup_notice()."""
    from django.conf import settings

    return [importlib.import_module(name) for name in settings.SERVER_BACKGROUND_MODULES]


def _start_background(worker) -> None:
    for module in _background():
        module.start()


def _stop_background(server, worker) -> None:
    for module in _background():
        module.stop()


def startup_notice() -> str:
    """What the console says about the background threads (the outbox, text messages) at start."""
    return "\n".join(line for module in _background() if (line := module.startup_notice()))


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    from django.conf import settings
    from django.core.management import call_command

    # whitenoise serves files collected into STATIC_ROOT; collecting is idempotent and fast.
    call_command("collectstatic", interactive=False, verbosity=0)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # One writer at a time: more processes only queue on SQLite's lock. Threads still help reads.
        workers = min(workers, 2)
    notice = startup_notice()
    if notice:
        print(notice, flush=True)
    _Server(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "onewindow.core.server.Worker",
            "limit_request_line": MAX_REQUEST_LINE,
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
            "preload_app": True,
            "post_worker_init": _start_background,
            "worker_exit": _stop_background,
        }
    ).run()
