"""Celery tasks of the jobs app (scheduled by settings.CELERY_BEAT_SCHEDULE). Both are idempotent:
a redelivered or repeated run replaces its own rows and files and adds nothing."""

from __future__ import annotations

from datetime import date, datetime

from onewindow.celery import app

from . import services


@app.task(name="onewindow.jobs.tasks.daily_check")
def daily_check(day: str | None = None, force: bool = False, now: str | None = None) -> dict:
    """The daily check of `day` (ISO date; default today, skipped on a day off unless `force`)."""
    return services.daily_check(day=date.fromisoformat(day) if day else None,
                                now=datetime.fromisoformat(now) if now else None, force=force).as_dict()


@app.task(name="onewindow.jobs.tasks.build_report")
def build_report(period: str | None = None, centre: str | None = None, now: str | None = None) -> dict:
    """The monthly report of `period` (YYYY-MM; default the month before) for the centre with code
    `centre` (default every centre that had cases that month)."""
    return services.build_reports(period=period, centre_code=centre,
                                  now=datetime.fromisoformat(now) if now else None).as_dict()
