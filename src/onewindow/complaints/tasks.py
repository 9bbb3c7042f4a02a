"""Celery tasks of the complaints app. `refresh_dispatch_model` is the scheduled job hook
(settings.JOBS_SCHEDULE "complaints-dispatch-refresh"): it re-learns the dispatch model when closed
work orders were kept since the last model (dispatch.learn_from_closed), and does nothing otherwise,
so a repeated or redelivered run costs one query."""

from __future__ import annotations

from onewindow.celery import app

from . import dispatch


@app.task(name="onewindow.complaints.tasks.refresh_dispatch_model")
def refresh_dispatch_model(force: bool = False) -> dict:
    report = dispatch.refresh(force=force)
    if report is None:
        return {"refreshed": False}
    return {"refreshed": True, "version": report.version, "examples": report.examples, "units": len(report.units),
            "seconds": round(report.seconds, 2)}
