"""Celery task of the hall. `sweep` is the scheduled job (settings.JOBS_SCHEDULE "hall-sweep", hourly):
appointments whose half-day ended without a check-in become no-shows, earlier days' tickets are
closed. Idempotent: a repeated or redelivered run changes nothing."""

from __future__ import annotations

from onewindow.celery import app

from . import services


@app.task(name="onewindow.hall.tasks.sweep")
def sweep() -> dict:
    return services.sweep()
