"""API: the working-day calendar.

GET /api/v1/workdays/add?date=2026-09-30&days=5  -> {"start", "days", "due_on", "provisional", "calendar_version"}
GET /api/v1/workdays/between?start=…&end=…       -> {"working_days", "provisional", "calendar_version"}

`provisional: true` means a year in the span has no official State Council schedule yet (statutory
holidays and weekends were used); the answer will change when the schedule is imported. Bad input is
400 {"code", "field", "message"}.
"""

import datetime

from ninja import Router, Schema

from onewindow.calendar import inputs

router = Router(tags=["calendar"])


class DeadlineOut(Schema):
    start: datetime.date
    days: int
    due_on: datetime.date
    provisional: bool
    calendar_version: int


class SpanOut(Schema):
    working_days: int
    provisional: bool
    calendar_version: int


class ErrorOut(Schema):
    code: str
    field: str | None
    message: str


@router.get("/workdays/add", response={200: DeadlineOut, 400: ErrorOut}, auth=None,
            summary="Due date of an N-working-day limit")
def workdays_add(request, date: str = "", days: str = ""):
    """Counting starts the day after `date`, skips weekends and official holidays and counts make-up
    working days (调休); `days` = 0 gives the same day."""
    start = inputs.parse_day(date, field="date")
    limit = inputs.parse_limit(days, field="days")
    deadline = inputs.add(start, limit)
    return {"start": start, "days": limit, "due_on": deadline.due_on, "provisional": deadline.provisional,
            "calendar_version": deadline.calendar_version}


@router.get("/workdays/between", response={200: SpanOut, 400: ErrorOut}, auth=None,
            summary="Working days after start up to and including end")
def workdays_between(request, start: str = "", end: str = ""):
    """Negative when `end` is before `start`."""
    first = inputs.parse_day(start, field="start")
    last = inputs.parse_day(end, field="end")
    span = inputs.between(first, last)
    return {"working_days": span.working_days, "provisional": span.provisional,
            "calendar_version": span.calendar_version}
