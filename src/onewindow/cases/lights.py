"""A case's light, one case at a time and as a filter over a queryset — both the generic clock's rule
(workflow/clock.py) on the case's stored dates (cases/deadlines.py, docs/time-limits.md):

    green, yellow, red   open and running: before warn_on, from warn_on, from late_on ("overdue")
    paused               a supplement or a special procedure stands: never late while it does
    on_time, late        the clock stopped (the decision) on or before, or after, the due date

A filter is an indexed date comparison (case_open_clock_idx serves the open lights)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from onewindow.workflow.clock import OPEN_LIGHTS, Light

from . import deadlines
from .models import Case

LIGHTS = tuple(Light.values)
# The order a list filtered by a light comes in: the most urgent first for open clocks (served by the
# partial index case_open_clock_idx), the newest first for stopped ones (case_list_idx).
_LIGHT_ORDER: dict[str, tuple[Any, ...]] = {
    Light.RED: ("late_on", "id"), Light.YELLOW: ("late_on", "id"), Light.GREEN: ("late_on", "id"),
    Light.PAUSED: ("paused_since", "id"),
}


def light(case: Case, *, today: date | None = None) -> str | None:
    """green / yellow / red / paused / on_time / late; None before acceptance (deadlines.light)."""
    return deadlines.light(case, today=today or timezone.localdate())


def filter_by_light(cases: QuerySet[Case], wanted: str, *, today: date | None = None) -> QuerySet[Case]:
    """The cases among `cases` whose light (deadlines.light) is `wanted` ("open", "overdue" too), by the
    stored dates: the same rule as light(), the same list as the dashboard's count."""
    return cases.filter(deadlines.light_q(wanted, today=today or timezone.localdate()))


def light_ordering(wanted: str) -> tuple[Any, ...]:
    """How a list filtered by `wanted` is ordered (the order its index gives)."""
    return _LIGHT_ORDER.get(wanted, (F("submitted_at").desc(), F("id").desc()))


def is_open_light(value: str | None) -> bool:
    return value in OPEN_LIGHTS
