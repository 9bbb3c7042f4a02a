"""What the daily check and the reports read from the cases and orgs apps: SQL aggregates over stored
due dates, one query each, nothing looped over in Python.

`department_task_counts` and `monthly_case_figures` are reads of the cases app and belong in
`cases/selectors.py`; they live here until that module takes them, so jobs has one place that
touches other apps' tables."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onewindow.cases.models import Case, Task
from onewindow.cases.states import OPEN_TASK_STATES, CaseState, TaskState
from onewindow.orgs.models import Department, ServiceCentre

DECIDED_STATES = [CaseState.CONCLUDED, CaseState.DENIED]


def active_department_ids() -> list[int]:
    return list(Department.objects.filter(is_active=True).order_by("id").values_list("id", flat=True))


def centres() -> list[ServiceCentre]:
    return list(ServiceCentre.objects.order_by("code"))


def centre_by_code(code: str) -> ServiceCentre | None:
    return ServiceCentre.objects.filter(code=(code or "").strip()).first()


def department_task_counts(*, day: date, warning_until: date) -> dict[int, dict[str, int]]:
    """Per department with open tasks: open (in hand or suspended), paused (a special procedure, or
    the case waits for a supplement: the clock stands), and of the running ones those past their due
    date (overdue) and those due from `day` to `warning_until` (warning). One GROUP BY over the
    task_inbox_idx index (department, state, due_on)."""
    paused = Q(state=TaskState.SUSPENDED) | Q(case__paused_since__isnull=False)
    running = Q(state=TaskState.OPEN, case__paused_since__isnull=True)
    rows = (Task.objects.filter(state__in=OPEN_TASK_STATES).values("department_id")
            .annotate(open_tasks=Count("id"), paused_tasks=Count("id", filter=paused),
                      overdue_tasks=Count("id", filter=running & Q(due_on__lt=day)),
                      warning_tasks=Count("id", filter=running & Q(due_on__gte=day, due_on__lte=warning_until)))
            .order_by("department_id"))
    return {row.pop("department_id"): row for row in rows}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def monthly_case_figures(*, centre_id: int, first_day: date, next_first_day: date) -> list[dict]:
    """A centre's cases by the item's department for one month: received (submitted in the month),
    concluded (approved and concluded, or denied, in the month), of those concluded on time (decided
    on or before the due date), and overdue (at the month's last day accepted, past due, undecided
    and the clock not stopped before the due date). Rows: {department_id, department, received,
    concluded, on_time, overdue}, by department name."""
    tz = timezone.get_current_timezone()
    start, end = _local_midnight(first_day), _local_midnight(next_first_day)
    last_day = next_first_day - timedelta(days=1)
    decided_day = Coalesce(TruncDate("decided_at", tzinfo=tz), TruncDate("concluded_at", tzinfo=tz))
    concluded = Q(state__in=DECIDED_STATES, concluded_at__gte=start, concluded_at__lt=end)
    on_time = concluded & (Q(due_on__isnull=True) | Q(decided_day__lte=F("due_on")))
    clock_stopped_in_time = Q(paused_since__isnull=False, paused_since__lte=F("due_on"))
    overdue = (Q(accepted_on__lte=last_day, due_on__lt=last_day)
               & (Q(decided_day__isnull=True) | Q(decided_day__gt=last_day)) & ~clock_stopped_in_time)
    relevant = Q(submitted_at__gte=start, submitted_at__lt=end) | concluded | overdue
    rows = (Case.objects.filter(centre_id=centre_id).annotate(decided_day=decided_day).filter(relevant)
            .values("item__department_id", "item__department__name")
            .annotate(received=Count("id", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
                      concluded=Count("id", filter=concluded), on_time=Count("id", filter=on_time),
                      overdue=Count("id", filter=overdue))
            .order_by("item__department__name", "item__department_id"))
    return [{"department_id": row["item__department_id"], "department": row["item__department__name"],
             "received": row["received"], "concluded": row["concluded"], "on_time": row["on_time"],
             "overdue": row["overdue"]} for row in rows]
