"""A production server for `onewindow serve`: gunicorn (threads, several processes), static files
served by the app itself through whitenoise, so no separate web server is needed in embedded mode.

Without a broker (the embedded mode) every worker process also runs the notification outbox in a
thread (notify/dispatcher.py, wired by settings.SERVER_BACKGROUND_MODULES), started after the fork and stopped when the worker exits."""

from __future__ import annotations

import importlib

from gunicorn.app.base import BaseApplication


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
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 60,
            "graceful_timeout": 10,
            "preload_app": True,
            "post_worker_init": _start_background,
            "worker_exit": _stop_background,
        }
    ).run()
