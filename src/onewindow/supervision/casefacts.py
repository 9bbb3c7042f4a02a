"""The one place the efficiency office reads the cases' clock. Until cases move onto workflow/clock.py
their lights come from cases' own selectors (cases/lights.py: `with_light`, the light of
cases/deadlines.py in SQL); when they move, only this module changes.

Lights of a case here: paused (a supplement or a special procedure stops the clock: never late while it
stands), else green / yellow / red as cases' selectors say. A stage (task) is red when open past its
own due date — flagged even when its case is still within its limit — and yellow when due within the
yellow days; a task whose case's clock is paused, or suspended by a special procedure, is paused."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import cast

from django.db.models import Case as When_
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import Case, CaseMaterial, CaseMaterialStatus, SupplementRequest, Task
from onewindow.cases.states import CaseState, TaskState
from onewindow.workflow import clock

RUNNING_STATES = (CaseState.IN_PROGRESS, CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED)
LIGHTS = ("green", "yellow", "red", "paused")
DECIDED_STATES = (CaseState.CONCLUDED, CaseState.DENIED, CaseState.APPROVED)

__all__ = ["LIGHTS", "case_light", "cases_with_light", "decided_cases", "denial_filings", "open_cases",
           "missed_supplements", "missed_waivers", "open_tasks", "task_light_q", "waiting_for_acceptance"]


def open_cases() -> QuerySet[Case]:
    """Accepted cases whose clock runs or stands (not yet decided)."""
    return Case.objects.filter(state__in=RUNNING_STATES, accepted_on__isnull=False, decided_at__isnull=True)


def cases_with_light(cases: QuerySet[Case], *, today: date) -> QuerySet[Case]:
    """`cases` annotated with `board_light`: paused / green / yellow / red, in SQL."""
    return case_selectors.with_light(cases, today=today).annotate(board_light=When_(
        When(paused_since__isnull=False, then=Value("paused")), default=F("clock_light"),
        output_field=CharField()))


# What cases' light reads of an open case; cases sharing them share their light (as cases.stats does).
_LIGHT_FIELDS = ("state", "accepted_on", "due_on", "committed_limit_days", "extension_days", "paused_days")


def light_groups(*, today: date) -> list[tuple[int, int, str, int]]:
    """(centre, item, light, count) over the open cases: one GROUP BY on plain columns, and the light
    judged once per group of cases sharing the columns it depends on (cases' own rule, in Python) — a
    few thousand groups however many cases."""
    rows = (open_cases().order_by()
            .values("centre_id", "item_id", *_LIGHT_FIELDS)
            .annotate(n=Count("id"), paused=Count("id", filter=Q(paused_since__isnull=False))))
    judged: dict[tuple, str] = {}
    result = []
    for row in rows:
        n, paused = row.pop("n"), row.pop("paused")
        centre_id, item_id = row.pop("centre_id"), row.pop("item_id")
        if paused:
            result.append((centre_id, item_id, "paused", paused))
        if n - paused:
            key = tuple(row.values())
            light = judged.get(key)
            if light is None:
                # the columns the light reads, as cases.stats.open_by_light hands them to it
                light = judged[key] = str(case_selectors.light(cast(Case, SimpleNamespace(
                    decided_at=None, concluded_at=None, paused_since=None, **row)), today=today))
            result.append((centre_id, item_id, light, n - paused))
    return result


def case_light(case: Case, *, today: date) -> str:
    if case.paused_since is not None:
        return "paused"
    return str(case_selectors.light(case, today=today))


def open_tasks() -> QuerySet[Task]:
    """The stages in hand: open or suspended tasks of cases not yet decided."""
    return Task.objects.filter(state__in=[TaskState.OPEN, TaskState.SUSPENDED], case__decided_at__isnull=True)


def _yellow_until(today: date) -> date:
    return calendar.add_working_days(today, clock.yellow_days()).due_on


def task_light_q(light: str, *, today: date) -> Q:
    """The open tasks showing `light`, as a Q on their own due date (and their case's pause)."""
    paused = Q(state=TaskState.SUSPENDED) | Q(case__paused_since__isnull=False)
    running = Q(state=TaskState.OPEN, case__paused_since__isnull=True, due_on__isnull=False)
    if light == "paused":
        return paused
    if light == "red":
        return running & Q(due_on__lt=today)
    if light == "yellow":
        return running & Q(due_on__gte=today, due_on__lte=_yellow_until(today))
    if light == "green":
        return (running & Q(due_on__gt=_yellow_until(today))) | Q(state=TaskState.OPEN, due_on__isnull=True,
                                                                  case__paused_since__isnull=True)
    raise ValueError(light)


def decided_cases(*, start: date, end: date) -> QuerySet[Case]:
    """Cases decided from `start` to `end` (inclusive), annotated with `decided_on` and `on_time`."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return (Case.objects.filter(decided_at__gte=since, decided_at__lt=until, due_on__isnull=False)
            .annotate(decided_on=TruncDate("decided_at")))


def denial_filings():
    return case_selectors.denial_filings()


# -- what the breach policies look at ------------------------------------------------------------------

def waiting_for_acceptance(*, arrived_before: date) -> QuerySet[Case]:
    """Submitted cases (no supplement asked) that arrived before the given day."""
    return (Case.objects.filter(state=CaseState.SUBMITTED, accepted_on__isnull=True)
            .annotate(arrived_on=TruncDate("submitted_at")).filter(Q(arrived_on__lt=arrived_before)))


def missed_waivers(*, today: date) -> QuerySet[CaseMaterial]:
    """Waived materials still owed after the day the applicant promised them, on cases still open."""
    return CaseMaterial.objects.filter(status=CaseMaterialStatus.WAIVED, promised_by__lt=today,
                                       case__state__in=RUNNING_STATES)


def missed_supplements(*, requested_before: date) -> QuerySet[SupplementRequest]:
    """Supplement notices unanswered since before the given day, on cases still waiting for them."""
    return SupplementRequest.objects.filter(supplied_at__isnull=True, requested_on__lt=requested_before,
                                            case__state=CaseState.SUPPLEMENT_REQUESTED)


def yellow_threshold(total_days: int) -> int:
    """Working days left at or below which a case of `total_days` shows yellow (cases' rule today)."""
    from onewindow.cases import deadlines

    return max(deadlines.yellow_working_days(), math.ceil(total_days * deadlines.yellow_share()))


def tasks_of(case_ids: list[int]) -> QuerySet[Task]:
    """The review tasks of these cases, for the forecast's stage signal."""
    return Task.objects.filter(case_id__in=case_ids, opened_on__isnull=False)


def cases_with_late_stage(cases: QuerySet[Case], *, today: date) -> QuerySet[Case]:
    """Those of `cases` with a stage open past its own due date today."""
    return cases.filter(pk__in=open_tasks().filter(task_light_q("red", today=today)).values("case_id"))
