"""Counts for the staff dashboard (and later the supervision board), computed in the database with
aggregates: a few GROUP BY queries whatever the number of cases. Each function takes the querysets a
caller may see (`dashboard_scope`), so the counts never include a stranger's cases.

These are reads only: the dashboard runs them on the read replica (core.dbrouter.reads_from_replica).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from onewindow.orgs.models import Role
from onewindow.workflow.clock import Light

from . import access, deadlines
from .models import Case, Task
from .selectors import cases_visible_to
from .states import OPEN_TASK_STATES, CaseState, TaskState

DASHBOARD_ROLES = {Role.WINDOW_CLERK, Role.APPROVER, Role.CHIEF_REPRESENTATIVE, Role.SUPERVISOR,
                   Role.ADMINISTRATOR}
# The lights of the cases in hand (the dashboard's), each count the length of the list its filter gives.
OPEN_LIGHTS = (Light.GREEN, Light.YELLOW, Light.RED, Light.PAUSED)


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
        # The centre's open cases (case_open_clock_idx), not a join with every case it ever had: the
        # dashboard counts only tasks in hand, and those belong to open cases.
        condition |= Q(case_id__in=Case.objects.filter(centre_id__in=sorted(centres), stopped_on__isnull=True,
                                                       due_on__isnull=False).values("id"))
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
    # One count per index (case_list_idx, case_accepted_on_idx, case_concluded_at_idx,
    # case_list_state_idx): four short index scans rather than one pass over every case.
    cases = cases.order_by()
    return {
        "received": cases.filter(submitted_at__gte=start, submitted_at__lt=end).count(),
        "accepted": cases.filter(accepted_on=today).count(),
        "concluded": cases.filter(concluded_at__gte=start, concluded_at__lt=end).count(),
        "awaiting_acceptance": cases.filter(state=CaseState.SUBMITTED).count(),
    }


def open_by_light(cases: QuerySet[Case], *, today: date) -> dict[str, int]:
    """Accepted cases still in hand by light (green / yellow / red / paused), in one query over the
    open clocks only (case_open_clock_idx), by the very conditions the list's light filter uses
    (deadlines.light_q): each count is the length of that list."""
    open_cases = cases.filter(deadlines.light_q("open", today=today)).order_by()
    counts = open_cases.aggregate(**{str(light): Count("pk", filter=deadlines.light_q(light, today=today))
                                     for light in OPEN_LIGHTS})
    return {key: int(value or 0) for key, value in counts.items()}


def department_load(tasks: QuerySet[Task], *, today: date) -> list[dict]:
    """Per department: tasks in hand and tasks overdue (the stage's own clock red: open, running and
    past its own due date, even inside a case still on time; a paused stage is not overdue). Most
    overdue first."""
    rows = (tasks.filter(state__in=[TaskState.OPEN, TaskState.SUSPENDED]).order_by()
            .values("department_id", "department__name")
            .annotate(open=Count("id"), overdue=Count("id", filter=deadlines.task_light_q(Light.RED, today=today))))
    return sorted(({"name": row["department__name"], "open": row["open"], "overdue": row["overdue"]}
                   for row in rows), key=lambda row: (-row["overdue"], -row["open"], row["name"]))


# -- the daily check and the monthly report (jobs) -----------------------------------------------

DECIDED_STATES = [CaseState.CONCLUDED, CaseState.DENIED]


def department_task_counts(*, day: date) -> dict[int, dict[str, int]]:
    """Per department with open tasks: open (in hand or suspended), and by the stage's own light on
    `day`: paused (a special procedure, or the case waits for a supplement: the clock stands), overdue
    (red) and warning (yellow). One GROUP BY over the open tasks (task_open_inbox_idx)."""
    rows = (Task.objects.filter(state__in=OPEN_TASK_STATES).values("department_id")
            .annotate(open_tasks=Count("id"),
                      paused_tasks=Count("id", filter=deadlines.task_light_q(Light.PAUSED, today=day)),
                      overdue_tasks=Count("id", filter=deadlines.task_light_q(Light.RED, today=day)),
                      warning_tasks=Count("id", filter=deadlines.task_light_q(Light.YELLOW, today=day)))
            .order_by("department_id"))
    return {row.pop("department_id"): row for row in rows}


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def monthly_case_figures(*, centre_id: int, first_day: date, next_first_day: date) -> list[dict]:
    """A centre's cases by the item's department for one month: received (submitted in the month),
    concluded (approved and concluded, or denied, in the month), of those concluded on time (decided
    on or before the due date), and overdue (at the month's last day accepted, past due, undecided
    and the clock not stopped before the due date). Rows: {department_id, department, received,
    concluded, on_time, overdue}, by department name. From the clock's stored dates: on time is
    stopped (decided) on or before due_on; overdue is still open on the last day (not stopped by then,
    not paused) and past late_on — a case concluded late is not "overdue" but concluded, not on time."""
    start, end = _local_midnight(first_day), _local_midnight(next_first_day)
    last_day = next_first_day - timedelta(days=1)
    concluded = Q(state__in=DECIDED_STATES, concluded_at__gte=start, concluded_at__lt=end)
    on_time = concluded & (Q(due_on__isnull=True) | Q(stopped_on__lte=F("due_on")))
    overdue = (Q(accepted_on__lte=last_day, late_on__lte=last_day)
               & (Q(stopped_on__isnull=True) | Q(stopped_on__gt=last_day)) & Q(paused_since__isnull=True))
    relevant = Q(submitted_at__gte=start, submitted_at__lt=end) | concluded | overdue
    rows = (Case.objects.filter(centre_id=centre_id).filter(relevant)
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
