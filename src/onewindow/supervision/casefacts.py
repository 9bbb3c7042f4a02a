"""The one place the efficiency office reads the cases' clock: the generic clock of workflow/clock.py on
the cases' and stages' stored dates (cases.selectors: `light_q`, `task_light_q`, `light`).

Lights of a case here: paused (a supplement or a special procedure stops the clock: never late while it
stands), else green / yellow / red from the stored warn_on / late_on. A stage (task) has its own clock:
red when open past its own limit — flagged even when its case is still within its limit."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Case as When_
from django.db.models import CharField, Count, Q, QuerySet, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

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


def _light_annotation(today: date) -> When_:
    return When_(*[When(case_selectors.light_q(light, today=today), then=Value(light)) for light in LIGHTS],
                 default=Value(""), output_field=CharField())


def cases_with_light(cases: QuerySet[Case], *, today: date) -> QuerySet[Case]:
    """`cases` annotated with `board_light`: paused / green / yellow / red, from the stored dates."""
    return cases.annotate(board_light=_light_annotation(today))


def light_groups(*, today: date) -> list[tuple[int, int, str, int]]:
    """(centre, item, light, count) over the open cases: one GROUP BY, each light counted by the clock's
    stored-date condition (the same as the drill-down's filter)."""
    aggregates = {light: Count("id", filter=case_selectors.light_q(light, today=today)) for light in LIGHTS}
    rows = open_cases().order_by().values("centre_id", "item_id").annotate(**aggregates)
    return [(row["centre_id"], row["item_id"], light, row[light]) for row in rows for light in LIGHTS
            if row[light]]


def case_light(case: Case, *, today: date) -> str:
    return str(case_selectors.light(case, today=today))


def open_tasks() -> QuerySet[Task]:
    """The stages in hand: open or suspended tasks of cases not yet decided."""
    return Task.objects.filter(state__in=[TaskState.OPEN, TaskState.SUSPENDED], case__decided_at__isnull=True)


def task_light_q(light: str, *, today: date) -> Q:
    """The open tasks showing `light` on their own clock (a stage's limit, in order)."""
    return case_selectors.task_light_q(light, today=today)


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
    """Days left at or below which a clock of `total_days` shows yellow (workflow/clock.py)."""
    return clock.yellow_threshold(total_days)


def tasks_of(case_ids: list[int]) -> QuerySet[Task]:
    """The review tasks of these cases, for the forecast's stage signal."""
    return Task.objects.filter(case_id__in=case_ids, opened_on__isnull=False)


def cases_with_late_stage(cases: QuerySet[Case], *, today: date) -> QuerySet[Case]:
    """Those of `cases` with a stage open past its own due date today."""
    return cases.filter(pk__in=open_tasks().filter(task_light_q("red", today=today)).values("case_id"))
