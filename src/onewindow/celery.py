"""The Celery application: background work (notifications, the daily check, monthly reports).

Configured from Django settings (the CELERY_* names of settings.py, themselves read from ONEWINDOW_*
variables) and finding each app's `tasks.py`. With a broker (ONEWINDOW_BROKER_URL=redis://… or
amqp://…) tasks are queued and run by `onewindow worker` processes on any machine, and
`onewindow beat` (exactly one per installation) sends the scheduled ones. Without a broker (the
embedded mode: one machine, SQLite, `make demo`) every task runs at once in the process that calls it,
so nothing more has to run; `onewindow beat` then runs the schedule itself.

    ONEWINDOW_BROKER_URL=redis://127.0.0.1:6379/5 onewindow worker
    ONEWINDOW_BROKER_URL=redis://127.0.0.1:6379/5 onewindow beat
    # or Celery's own command:  celery -A onewindow.celery worker -l info
"""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")


def beat_schedule(entries: dict) -> dict:
    """settings.JOBS_SCHEDULE as Celery's beat_schedule: {"crontab": {...}} becomes crontab(...)."""
    schedule = {}
    for name, entry in entries.items():
        entry = dict(entry)
        if "crontab" in entry:
            entry["schedule"] = crontab(**entry.pop("crontab"))
        schedule[name] = entry
    return schedule


app = Celery("onewindow")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py (notify, jobs): found once Django's app registry is ready.
app.autodiscover_tasks()


@app.on_after_configure.connect
def _schedule(sender, **kwargs) -> None:
    from django.conf import settings

    sender.conf.beat_schedule = beat_schedule(settings.JOBS_SCHEDULE)
