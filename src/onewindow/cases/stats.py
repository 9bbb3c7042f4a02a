"""Counts for the staff dashboard (and later the supervision board), computed in the database with
aggregates: a few GROUP BY queries whatever the number of cases. Each function takes the querysets a
caller may see (`dashboard_scope`), so the counts never include a stranger's cases.

These are reads only: the dashboard runs them on the read replica (core.dbrouter.reads_from_replica).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onewindow.orgs.models import Role

from . import access, deadlines
from .models import Case, Task
from .selectors import cases_visible_to
from .states import OPEN_TASK_STATES, CaseState, TaskState

# Accepted cases whose clock runs (or is paused): the ones a light is about.
RUNNING_STATES = (CaseState.IN_PROGRESS, CaseState.SUPPLEMENT_REQUESTED, CaseState.SUSPENDED)
DASHBOARD_ROLES = {Role.WINDOW_CLERK, Role.APPROVER, Role.CHIEF_REPRESENTATIVE, Role.SUPERVISOR,
                   Role.ADMINISTRATOR}
# What deadlines.light reads from a case; grouping by these gives the light of every case in a group.
_LIGHT_FIELDS = ("state", "accepted_on", "due_on", "committed_limit_days", "extension_days", "paused_days",
                 "paused_since")


def may_see_dashboard(user) -> bool:
    return bool(access.roles(user) & DASHBOARD_ROLES)


def dashboard_scope(user) -> tuple[QuerySet[Case], QuerySet[Task]]:
    """The cases and tasks a staff member's dashboard counts: supervisors and administrators all; a
    window clerk the centre's cases and their tasks; an approver / chief representative the cases with
    a task of their departments (or delegated items), and those tasks only."""
    cases = cases_visible_to(user)
    if access.is_overseer(user):
        return cases, Task.objects.all()
    condition = Q(pk__in=[])
    centres = access.clerk_centre_ids(user)
    if centres:
        condition |= Q(case__centre_id__in=centres)
    departments = access.department_ids(user)
    if departments:
        condition |= Q(department_id__in=departments)
    delegated = access.delegated_tasks_q(user)
    if delegated is not None:
        condition |= delegated
    return cases, Task.objects.filter(condition)


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def today_counts(cases: QuerySet[Case], *, today: date) -> dict[str, int]:
    """Cases received, accepted and concluded on `today` (the centre's time zone), and those still
    waiting at the window to be accepted: one query."""
    start, end = _day_bounds(today)
    return cases.order_by().aggregate(
        received=Count("id", filter=Q(submitted_at__gte=start, submitted_at__lt=end)),
        accepted=Count("id", filter=Q(accepted_on=today)),
        concluded=Count("id", filter=Q(concluded_at__gte=start, concluded_at__lt=end)),
        awaiting_acceptance=Count("id", filter=Q(state=CaseState.SUBMITTED)),
    )


def open_by_light(cases: QuerySet[Case], *, today: date) -> dict[str, int]:
    """Accepted cases still in hand by light (green / yellow / red, the rule of deadlines.light).

    The light depends on working days, so it is not plain SQL; but it depends only on a handful of
    columns, and cases sharing them share their light. The database groups the open cases by those
    columns (a few hundred groups for a province: acceptance days × due days × limits), and the light
    is computed once per group on the calendar index."""
    counts = Counter({"green": 0, "yellow": 0, "red": 0})
    groups = (cases.filter(state__in=RUNNING_STATES, accepted_on__isnull=False, decided_at__isnull=True)
              .order_by().values(*_LIGHT_FIELDS).annotate(n=Count("id")))
    for group in groups:
        n = group.pop("n")
        case = SimpleNamespace(decided_at=None, concluded_at=None, **group)
        counts[deadlines.light(case, today=today)] += n
    return dict(counts)


def department_load(tasks: QuerySet[Task], *, today: date) -> list[dict]:
    """Per department: tasks in hand and tasks overdue (open past their due date; a task suspended by
    a special procedure has its clock stopped and is not overdue). Most overdue first."""
    rows = (tasks.filter(state__in=[TaskState.OPEN, TaskState.SUSPENDED]).order_by()
            .values("department_id", "department__name")
            .annotate(open=Count("id"), overdue=Count("id", filter=Q(state=TaskState.OPEN, due_on__lt=today))))
    return sorted(({"name": row["department__name"], "open": row["open"], "overdue": row["overdue"]}
                   for row in rows), key=lambda row: (-row["overdue"], -row["open"], row["name"]))


# -- the daily check and the monthly report (jobs) -----------------------------------------------

DECIDED_STATES = [CaseState.CONCLUDED, CaseState.DENIED]


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


@dataclass(frozen=True)
class Recipient:
    case_number: str
    applicant_id: int
    phone: str
    item_name: str


def case_recipients(numbers: Iterable[str]) -> dict[str, Recipient]:
    """Case number → the applicant to tell (with the phone number they gave) and the item's name."""
    rows = (Case.objects.filter(number__in=set(numbers))
            .values_list("number", "applicant_id", "applicant__phone", "item__name"))
    return {number: Recipient(case_number=number, applicant_id=applicant_id, phone=phone or "", item_name=item)
            for number, applicant_id, phone, item in rows}
