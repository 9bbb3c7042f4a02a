"""Celery tasks of the notify app (scheduled every NOTIFY_DISPATCH_SECONDS by settings.CELERY_BEAT_SCHEDULE).
Idempotent: a redelivered or overlapping run creates and sends nothing twice (see services)."""

from __future__ import annotations

from datetime import datetime

from onewindow.celery import app

from . import services


@app.task(name="onewindow.notify.tasks.dispatch_notifications")
def dispatch_notifications(now: str | None = None) -> dict:
    """Turn new case events into notifications and deliver the due ones. `now` (ISO 8601) is for
    tests and re-runs; the default is the current time."""
    moment = datetime.fromisoformat(now) if now else None
    return services.dispatch(now=moment).as_dict()
