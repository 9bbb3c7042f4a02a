"""Celery task of the efficiency office: the daily check (settings.JOBS_SCHEDULE
"supervision-daily-check"). Idempotent: a redelivered or repeated run the same day does nothing."""

from __future__ import annotations

from onewindow.celery import app

from . import breaches


@app.task(name="onewindow.supervision.tasks.daily_check")
def daily_check() -> dict:
    return breaches.run_daily_check()
