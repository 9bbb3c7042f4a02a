"""Reads on cases. Permission comes first, in the queryset: a stranger's case is simply not there
(NotFound, never "forbidden": existence is not revealed). Lights (cases/lights.py) and progress
(cases/progress.py) live in modules of their own and are read through this one."""

from __future__ import annotations

import hmac

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.orgs.models import Role

from . import access
from .certificates import is_genuine
from .lights import LIGHT_SQL_MAX_LIMIT, filter_by_light, light, with_light  # noqa: F401
from .models import BundleApplication, Case, Certificate, Task
from .numbering import normalise_query_code
from .progress import BundleProgress, Progress, bundle_progress, progress, with_progress_facts  # noqa: F401
from .states import OPEN_TASK_STATES, TaskState

__all__ = ["Progress", "bundle_progress", "cases_visible_to", "filter_by_light", "get_bundle_by_query",
           "awaiting_acceptance", "exceptions", "get_case_by_query", "get_case_for", "held_certificate_types", "inbox", "inbox_list", "light", "with_light", "progress", "verify_certificate", "with_progress_facts"]


def cases_visible_to(user) -> QuerySet[Case]:
    """Applicant: own cases (and an agent: cases assigned to them or to their key projects); clerk:
    the centre's cases; approver / chief representative: cases with a task of their department (or of
    an item delegated to them); supervisor / administrator: all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if access.is_overseer(user):
        return Case.objects.all()
    condition = Q(applicant__user=user)
    held = access.roles(user)
    if Role.AGENT in held:
        condition |= Q(agent=user) | Q(project__agent=user)
    centres = access.clerk_centre_ids(user)
    if centres:
        condition |= Q(centre_id__in=centres)
    departments = access.department_ids(user)
    if departments:
        condition |= Q(Exists(Task.objects.filter(case=OuterRef("pk"), department_id__in=departments)))
    delegated = access.delegated_tasks_q(user)
    if delegated is not None:
        condition |= Q(Exists(Task.objects.filter(delegated, case=OuterRef("pk"))))
    return Case.objects.filter(condition)


def _one(rows: QuerySet):
    """The row of a query on a unique column, or None (no ORDER BY, unlike first())."""
    return next(iter(rows[:1]), None)


def get_case_for(user, number: str) -> Case:
    case = _one(with_progress_facts(cases_visible_to(user).filter(number=(number or "").strip())
                                    .select_related("item", "applicant", "centre")))
    if case is None:
        raise NotFound(_("没有找到办件 %(n)s") % {"n": number})
    return case


def inbox(user, *, state: str = "open") -> QuerySet[Task]:
    """The tasks of the user's departments as approver (a chief representative: those their delegations in
    force cover),
    oldest due first. state: "open" (in hand, including suspended), "done", "all" or a task state.

    "open" is served by the partial index task_open_inbox_idx (department, due_on, id where the task
    is open or suspended): one department's first page is read in index order and stops after a page.
    The join to the case is only made when items are delegated (an empty "or" would keep it)."""
    departments = access.approver_department_ids(user)
    delegated = access.delegated_tasks_q(user)
    if not departments and delegated is None:
        return Task.objects.none()
    condition = Q()
    if departments:
        condition |= Q(department_id__in=sorted(departments))
    if delegated is not None:
        condition |= delegated
    tasks = Task.objects.filter(condition)
    if state == "open":
        tasks = tasks.filter(state__in=sorted(OPEN_TASK_STATES))  # the index's condition, in its order
    elif state == "done":
        tasks = tasks.filter(state__in=[TaskState.APPROVED, TaskState.DENIED])
    elif state != "all":
        tasks = tasks.filter(state=state)
    return (tasks.select_related("case", "case__item", "case__applicant", "department")
            .order_by(F("due_on").asc(nulls_last=True), "id"))


# What a row of the inbox page shows (the task, its case's number, item, applicant and clock).
INBOX_LIST_FIELDS = ("id", "case_id", "name", "department_id", "state", "due_on", "department__name", "case__number",
                     "case__item_id", "case__applicant_id", "case__state", "case__accepted_on", "case__due_on",
                     "case__due_provisional", "case__committed_limit_days", "case__extension_days",
                     "case__paused_days", "case__paused_since", "case__decided_at", "case__concluded_at",
                     "case__item__name", "case__applicant__name")


def inbox_list(user, *, state: str = "open") -> QuerySet[Task]:
    """inbox() reading only the columns of the inbox page (INBOX_LIST_FIELDS): a third less work per
    row for the database and for Python than whole rows of four tables."""
    return inbox(user, state=state).only(*INBOX_LIST_FIELDS)


# What the progress page reads of a case (progress() and the track page): the rest of the row (the form
# data, the item's catalog texts, the applicant, the centre) stays in the database.
PROGRESS_FIELDS = ("id", "number", "query_code", "item_id", "item__name", "state", "channel", "submitted_at",
                   "accepted_on", "committed_limit_days", "extension_days", "paused_days", "paused_since", "due_on",
                   "due_provisional", "decided_at", "concluded_at", "visit_count", "instant_rule", "delivery_method",
                   "tracking_number", "decision_reason", "bundle_application_id")


def get_case_by_query(number: str, query_code: str, *, for_progress: bool = False) -> Case:
    """Public progress: number and query code, no sign-in. NotFound on any mismatch (compared in
    constant time, the same answer for an unknown number and a wrong code). for_progress: read only
    what the progress page shows (PROGRESS_FIELDS; other fields would each cost a query)."""
    cases = Case.objects.filter(number=(number or "").strip())
    cases = (cases.select_related("item").only(*PROGRESS_FIELDS) if for_progress
             else cases.select_related("item", "applicant", "centre"))
    case = _one(with_progress_facts(cases))
    expected = case.query_code if case is not None else "!" * 6
    if not hmac.compare_digest(expected.encode(), normalise_query_code(query_code).encode()) or case is None:
        raise NotFound(_("办件编号或查询码不正确"))
    return case


def get_bundle_by_query(number: str, query_code: str) -> BundleApplication:
    application = BundleApplication.objects.filter(number=(number or "").strip()).select_related("bundle").first()
    expected = application.query_code if application is not None else "!" * 6
    if not hmac.compare_digest(expected.encode(), normalise_query_code(query_code).encode()) or application is None:
        raise NotFound(_("一件事编号或查询码不正确"))
    return application


def verify_certificate(number: str, digest: str | None = None) -> Certificate | None:
    """Public check that certificate `number` is genuine: it exists and its content still matches its
    digest (and the digest shown on the document, when given). The caller shows its status."""
    certificate = (Certificate.objects.filter(number=(number or "").strip())
                   .select_related("holder", "issuer", "case").first())
    if certificate is None or not is_genuine(certificate):
        return None
    if digest is not None and not hmac.compare_digest(certificate.digest, (digest or "").strip().lower()):
        return None
    return certificate


def case_departments(case: Case | str) -> list:
    """The departments that handle a case (a Case or its number; NotFound for an unknown number), the
    one holding it now first: its open tasks' departments, then the others from the latest step back;
    a case not yet accepted (no tasks) has its item's department. A complaint about a case goes to the
    department that has it (the complaint centre's dispatch suggestion reads this)."""
    from django.db.models import Case as Cases
    from django.db.models import IntegerField, Value, When

    if isinstance(case, str):
        found = _one(Case.objects.filter(number=case.strip()).select_related("item__department"))
        if found is None:
            raise NotFound(_("没有找到办件 %(n)s") % {"n": case})
        case = found
    tasks = (Task.objects.filter(case=case).select_related("department")
             .annotate(held=Cases(When(state__in=sorted(OPEN_TASK_STATES), then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
             .order_by("held", "-step", "id"))
    seen, departments = set(), []
    for task in tasks:
        if task.department_id not in seen:
            seen.add(task.department_id)
            departments.append(task.department)
    return departments or [case.item.department]


def held_certificate_types(applicant, *, today=None) -> set[str]:
    """The e-certificate types the applicant holds valid today: what a submission fetches instead of
    asking (the online form asks for the others, so a new applicant is never at a dead end)."""
    from django.utils import timezone

    from .models import CertificateStatus

    today = today or timezone.localdate()
    return set(Certificate.objects.filter(holder=applicant, status=CertificateStatus.VALID)
               .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
               .values_list("certificate_type", flat=True).distinct())


# Applications that came in without the applicant at the window: online, through the API, by post.
REMOTE_CHANNELS = ("online", "api", "post")


def awaiting_acceptance(user) -> QuerySet[Case]:
    """The clerk's queue: applications received online, through the API or by post at the centres where
    `user` is a window clerk, not yet accepted, refused or sent back for supplement — the oldest
    first, as they are to be taken (受理 within the limit from receipt)."""
    centres = access.clerk_centre_ids(user)
    if not centres:
        return Case.objects.none()
    return (Case.objects.filter(centre_id__in=sorted(centres), state="submitted", channel__in=REMOTE_CHANNELS)
            .select_related("item", "applicant").order_by("submitted_at", "id"))


def exceptions(*, since=None, until=None, department=None) -> QuerySet:
    """Special procedures started beyond what the item committed in advance (not listed, or longer than
    listed), each with its reason: what the efficiency office (supervision board) reviews. Filter by
    the day started (`since`/`until`, inclusive) and the department of the task; newest first."""
    from .models import SpecialProcedure

    rows = SpecialProcedure.objects.filter(is_exception=True)
    if since is not None:
        rows = rows.filter(started_on__gte=since)
    if until is not None:
        rows = rows.filter(started_on__lte=until)
    if department is not None:
        rows = rows.filter(task__department=department)
    return (rows.select_related("case", "case__item", "task__department", "started_by")
            .order_by("-started_on", "-id"))
