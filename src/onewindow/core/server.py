"""A production server for `onewindow serve`: gunicorn (threads, several processes), static files
served by the app itself through whitenoise, so no separate web server is needed in embedded mode."""

from __future__ import annotations

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


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    from django.conf import settings
    from django.core.management import call_command

    # whitenoise serves files collected into STATIC_ROOT; collecting is idempotent and fast.
    call_command("collectstatic", interactive=False, verbosity=0)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # One writer at a time: more processes only queue on SQLite's lock. Threads still help reads.
        workers = min(workers, 2)
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
        }
    ).run()
