"""A production server for `onewindow serve`: gunicorn (threads, several processes), static files
served by the app itself through whitenoise, so no separate web server is needed in embedded mode.

Without a broker (the embedded mode) every worker process also runs the notification outbox in a
thread (notify/dispatcher.py), started after the fork and stopped when the worker exits."""

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


def _start_outbox(worker) -> None:
    # Lazy: core sits below notify (as in core/hooks.py); the worker has loaded the application.
    from onewindow.notify import dispatcher

    dispatcher.start()


def _stop_outbox(server, worker) -> None:
    from onewindow.notify import dispatcher

    dispatcher.stop()


def embedded_notice() -> str:
    """What the console says about the outbox and text messages when the server starts."""
    from django.conf import settings

    from onewindow.notify import dispatcher

    interval = dispatcher.embedded_interval()
    lines = []
    if interval:
        lines.append(f"消息通知 notifications: sent by the server every {interval:.0f} s "
                     "(no broker; ONEWINDOW_NOTIFY_DISPATCH_SECONDS)")
    if settings.NOTIFY_BACKEND == "log":
        lines.append(f"短信 text messages (backend `log`, nothing leaves this machine): registration codes are "
                     f"written to {settings.NOTIFY_LOG_FILE}")
    return "\n".join(lines)


def serve(*, host: str, port: int, workers: int = 2, threads: int = 4) -> None:
    from django.conf import settings
    from django.core.management import call_command

    # whitenoise serves files collected into STATIC_ROOT; collecting is idempotent and fast.
    call_command("collectstatic", interactive=False, verbosity=0)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        # One writer at a time: more processes only queue on SQLite's lock. Threads still help reads.
        workers = min(workers, 2)
    notice = embedded_notice()
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
            "post_worker_init": _start_outbox,
            "worker_exit": _stop_outbox,
        }
    ).run()
