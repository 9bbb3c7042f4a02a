"""A case's light (green: running, yellow: near its due date, red: past it), one case at a time and in
SQL over a queryset, from the stored due date (docs/time-limits.md)."""

from __future__ import annotations

import math
from datetime import date, timedelta

from django.db.models import Case as DjangoCase
from django.db.models import CharField, DateField, F, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from onewindow.calendar import selectors as calendar

from . import deadlines
from .models import (
    Case,
)
from .states import FINAL_CASE_STATES, CaseState


def light(case: Case, *, today: date | None = None) -> str:
    """green / yellow / red (see deadlines.light)."""
    return deadlines.light(case, today=today or timezone.localdate())


# The light in SQL, for filtering a list of cases by it. Total limits above this are rare enough (the
# law's longest is 45 + 15 working days) to be judged in Python, like cases whose clock is stopped.
LIGHT_SQL_MAX_LIMIT = 250
_LIGHT_FIELDS = ("id", "state", "accepted_on", "due_on", "paused_since", "paused_days", "committed_limit_days",
                 "extension_days", "decided_at", "concluded_at")


def _yellow_threshold(limit: int) -> int:
    return max(deadlines.yellow_working_days(), math.ceil(limit * deadlines.yellow_share()))


def _last_workday_upto(day: date) -> date:
    for _step in range(60):
        if calendar.is_workday(day):
            return day
        day -= timedelta(days=1)
    return day


def _light_expression(today: date) -> tuple[DjangoCase, Q]:
    """The light of deadlines.light as an SQL expression over a case row, and the rows it cannot judge
    (their clock stopped before today, or a limit above LIGHT_SQL_MAX_LIMIT: judged in Python).

    From the stored due date: due_on = accepted_on + limit + paused days (docs/time-limits.md), so the
    working days left while the clock runs are the working days from today to due_on. Red: due_on
    before the last working day up to today. Yellow: fewer than threshold + 1 working days after today,
    the threshold depending on the case's limit (one date per threshold, computed here once)."""
    thresholds: dict[int, int] = {}  # threshold -> the largest limit having it
    for n in range(LIGHT_SQL_MAX_LIMIT + 1):
        thresholds[_yellow_threshold(n)] = n
    yellow_before = DjangoCase(*[When(light_limit__lte=n, then=Value(calendar.add_working_days(today, k + 1).due_on))
                                 for k, n in sorted(thresholds.items(), key=lambda kv: kv[1])],
                               output_field=DateField())
    # Accepted today: nothing used yet, so yellow exactly when the whole limit is within its threshold.
    whole_limit_yellow = [n for n in range(LIGHT_SQL_MAX_LIMIT + 1) if n <= _yellow_threshold(n)]
    final = sorted({*FINAL_CASE_STATES, CaseState.APPROVED})
    expression = DjangoCase(
        When(Q(due_on__isnull=True) | Q(accepted_on__isnull=True), then=Value("green")),
        When(decided_at__isnull=False, light_decided_on__gt=F("due_on"), then=Value("red")),
        When(decided_at__isnull=False, then=Value("green")),
        When(state__in=[CaseState.CONCLUDED, CaseState.DENIED], light_concluded_on__gt=F("due_on"), then=Value("red")),
        When(state__in=final, then=Value("green")),
        When(accepted_on__gte=today, light_limit__in=whole_limit_yellow, then=Value("yellow")),
        When(accepted_on__gte=today, then=Value("green")),
        When(due_on__lt=_last_workday_upto(today), then=Value("red")),
        When(due_on__lt=yellow_before, then=Value("yellow")),
        default=Value("green"), output_field=CharField(),
    )
    running = Q(due_on__isnull=False, accepted_on__isnull=False, decided_at__isnull=True) & ~Q(state__in=final)
    in_python = running & (Q(paused_since__lt=today) | Q(light_limit__gt=LIGHT_SQL_MAX_LIMIT))
    return expression, in_python


def with_light(cases: QuerySet[Case], *, today: date | None = None) -> QuerySet[Case]:
    """The cases annotated with `clock_light`: green / yellow / red by the rule of deadlines.light,
    computed in SQL from the stored due dates — except for the rows filter_by_light judges in Python."""
    today = today or timezone.localdate()
    expression, _in_python = _light_expression(today)
    return cases.annotate(
        light_limit=F("committed_limit_days") + F("extension_days"),
        light_decided_on=TruncDate("decided_at"), light_concluded_on=TruncDate("concluded_at"),
    ).annotate(clock_light=expression)


def filter_by_light(cases: QuerySet[Case], wanted: str, *, today: date | None = None) -> QuerySet[Case]:
    """The accepted cases among `cases` whose light (deadlines.light) is `wanted`, decided in SQL from
    the stored due dates. The few rows SQL cannot judge — a clock stopped before today (supplement or
    special procedure: the days left are frozen at the stop), or a limit above LIGHT_SQL_MAX_LIMIT —
    are read (only their clock fields) and judged by deadlines.light: as many as clocks stand still
    today, however many cases the table holds."""
    today = today or timezone.localdate()
    _expression, in_python = _light_expression(today)
    accepted = with_light(cases.filter(accepted_on__isnull=False), today=today)
    stopped = [row.pk for row in accepted.filter(in_python).select_related(None).only(*_LIGHT_FIELDS).order_by()
               if deadlines.light(row, today=today) == wanted]
    return accepted.filter((Q(clock_light=wanted) & ~in_python) | Q(pk__in=stopped))
