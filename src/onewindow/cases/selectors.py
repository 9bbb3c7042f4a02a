"""Reads on cases. Permission comes first, in the queryset: a stranger's case is simply not there
(NotFound, never "forbidden": existence is not revealed). Lights (cases/lights.py) and progress
(cases/progress.py) live in modules of their own and are read through this one."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Exists, F, Model, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.catalog.models import Item
from onewindow.core import fastsql
from onewindow.core.errors import NotFound
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Applicant, Department, Role

from . import access
from .certificates import is_genuine
from .deadlines import light_q, task_light_q  # noqa: F401
from .lights import filter_by_light, light, light_ordering  # noqa: F401
from .models import BundleApplication, Case, Certificate, DenialFiling, Task
from .numbering import normalise_query_code
from .progress import BundleProgress, Progress, bundle_progress, progress, with_progress_facts  # noqa: F401
from .states import OPEN_TASK_STATES, TaskState

__all__ = ["CaseFilters", "Progress", "awaiting_acceptance", "bundle_progress", "cases_visible_to", "denial_filings",
           "exceptions", "filter_by_light", "get_bundle_by_query", "get_case_by_query", "get_case_for",
           "held_certificate_types", "inbox", "inbox_list", "light", "light_ordering", "light_q",
           "open_task_of_department", "progress", "search_condition", "staff_case_list", "task_light_q",
           "task_of_case", "verify_certificate", "with_progress_facts"]


def cases_visible_to(user: Any) -> QuerySet[Case]:
    """Applicant: own cases (and an agent: cases assigned to them or to their key projects); clerk:
    the centre's cases; approver / chief representative: cases with a task of their department (or of
    an item delegated to them); supervisor / administrator: all."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if access.is_overseer(user):
        return Case.objects.all()
    # The applicant's own cases by its id (one look-up on the unique user column), not a join: a staff
    # member with no applicant record then has a plain condition on the case's own columns, and the
    # clerk's list is a scan of the centre's rows in list order (case_list_centre_idx).
    own = Applicant.objects.filter(user=user).values_list("id", flat=True).first()
    condition = Q(applicant_id=own) if own is not None else Q(pk__in=[])
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


_Row = TypeVar("_Row", bound=Model)


def _one(rows: QuerySet[_Row]) -> _Row | None:
    """The row of a query on a unique column, or None (no ORDER BY, unlike first())."""
    return next(iter(rows[:1]), None)


def get_case_for(user: Any, number: str) -> Case:
    case = _one(with_progress_facts(cases_visible_to(user).filter(number=(number or "").strip())
                                    .select_related("item", "applicant", "centre")))
    if case is None:
        raise NotFound(_("没有找到办件 %(n)s") % {"n": number})
    return case


# A task as the action pages load it (with its case and department): compiled once (core/fastsql.py).
_TASK_OF_CASE = fastsql.Select(Task, "{case} = %s AND {id} = %s", related=("case", "department"))
_OPEN_TASK_OF_DEPARTMENT = fastsql.Select(Task, "{case} = %s AND {department} = %s AND {state} = %s",
                                          related=("case", "department"), order_by=("step", "id"), limit=1)


def task_of_case(case_id: int, task_id: int) -> Task | None:
    """The task `task_id` of the case `case_id` (with its case and department), or None."""
    task: Task | None = _TASK_OF_CASE.first([case_id, task_id])
    return task


def open_task_of_department(case_id: int, department_id: int) -> Task | None:
    """The department's open task of the case (the earliest, with its case and department), or None."""
    task: Task | None = _OPEN_TASK_OF_DEPARTMENT.first([case_id, department_id, TaskState.OPEN.value])
    return task


def inbox(user: Any, *, state: str = "open") -> QuerySet[Task]:
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
INBOX_LIST_FIELDS = ("id", "case_id", "name", "department_id", "state", "due_on", "warn_on", "late_on", "stopped_on",
                     "paused_since", "opened_on", "limit_unit", "department__name", "case__number",
                     "case__item_id", "case__applicant_id", "case__state", "case__accepted_on", "case__due_on",
                     "case__warn_on", "case__late_on", "case__stopped_on", "case__limit_unit",
                     "case__due_provisional", "case__committed_limit_days", "case__extension_days",
                     "case__paused_days", "case__paused_since", "case__decided_at", "case__concluded_at",
                     "case__item__name", "case__applicant__name")


def inbox_list(user: Any, *, state: str = "open") -> QuerySet[Task]:
    """inbox() reading only the columns of the inbox page (INBOX_LIST_FIELDS): a third less work per
    row for the database and for Python than whole rows of four tables."""
    return inbox(user, state=state).only(*INBOX_LIST_FIELDS)


# What the progress page reads of a case (progress() and the track page): the rest of the row (the form
# data, the item's catalog texts, the applicant, the centre) stays in the database.
PROGRESS_FIELDS = ("id", "number", "query_code", "item_id", "item__name", "state", "channel", "submitted_at",
                   "accepted_on", "committed_limit_days", "limit_unit", "extension_days", "paused_days", "paused_since",
                   "due_on", "warn_on", "late_on", "stopped_on",
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


def case_departments(case: Case | str) -> list[Department]:
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
    the_case: Case = case
    tasks = (Task.objects.filter(case=the_case).select_related("department")
             .annotate(held=Cases(When(state__in=sorted(OPEN_TASK_STATES), then=Value(0)), default=Value(1),
                                  output_field=IntegerField()))
             .order_by("held", "-step", "id"))
    seen: set[int] = set()
    departments: list[Department] = []
    for task in tasks:
        if task.department_id not in seen:
            seen.add(task.department_id)
            departments.append(task.department)
    return departments or [the_case.item.department]


def denial_filings() -> QuerySet[DenialFiling]:
    """Every refusal and denial filed for the efficiency office's review (否定报备), newest first, with
    the case, its item, the department and who filed it."""
    return (DenialFiling.objects.select_related("case", "case__item", "department", "filed_by")
            .order_by("-filed_at", "-id"))


# -- the staff case list ---------------------------------------------------------------------------

SEARCH_MATCHES = 200  # applicants and items a search looks among (more: the user types more)
SEARCH_CASES = 1000  # cases a number prefix names at most
NUMBERISH = re.compile(r"[0-9A-Za-z-]+")


@dataclass(frozen=True)
class CaseFilters:
    """The staff case list's filters (each optional)."""

    state: str = ""
    light: str = ""
    department_id: int | None = None
    item_code: str = ""
    centre_id: int | None = None
    q: str = ""
    since: date | None = None
    until: date | None = None


def _prefix(field: str, upper: str) -> Q:
    """`field` starts with `upper`, served by the column's btree index: on PostgreSQL LIKE 'x%' by the
    varchar_pattern_ops index Django makes for unique text columns, on SQLite a range (binary order)."""
    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": upper})
    return Q(**{f"{field}__gte": upper, f"{field}__lt": upper + "\U0010ffff"})


def search_condition(query: str) -> Q:
    """The cases a staff search finds (see search)."""
    return search(query)[0]


def search(query: str) -> tuple[Q, bool]:
    """Cases matching a staff search (issue 16), each part found through an index and bounded:

    - a case number, whole or its beginning (centre code, day): a prefix of the unique number index —
      the matching ids (at most SEARCH_CASES) are read first, so the list is an id look-up;
    - an applicant's id number (whole or its beginning), the same way on the applicants;
    - an applicant's name (contains; PostgreSQL: the trigram index on UPPER(name), migration cases 0006);
    - an item's name (contains; the catalog's trigram index, on a table of a few thousand rows).

    Text of letters, digits and hyphens is a number (case or id); anything else a name. The applicants
    and items found are capped at SEARCH_MATCHES. Also returns whether the matches are few by
    construction (ids of at most SEARCH_CASES cases and SEARCH_MATCHES applicants, no item): those
    are sorted after they are found, rather than looked for along the whole list's index."""
    text = (query or "").strip()
    if not text:
        return Q(), False
    upper = text.upper()
    condition = Q(pk__in=[])
    if NUMBERISH.fullmatch(text):
        case_ids = list(Case.objects.filter(_prefix("number", upper)).order_by()
                        .values_list("id", flat=True)[:SEARCH_CASES])
        applicant_ids = list(Applicant.objects.filter(_prefix("id_number", upper)).order_by()
                             .values_list("id", flat=True)[:SEARCH_MATCHES])
        exact = org_selectors.find_applicant_by_id_number(text)
        if exact is not None:
            applicant_ids.append(exact.pk)
        item_ids: list[int] = []
    else:
        case_ids = []
        applicant_ids = list(Applicant.objects.filter(name__icontains=text).order_by()
                             .values_list("id", flat=True)[:SEARCH_MATCHES])
        item_ids = list(Item.objects.filter(name__icontains=text).order_by()
                        .values_list("id", flat=True)[:SEARCH_MATCHES])
    if case_ids:
        condition |= Q(pk__in=sorted(case_ids))
    if applicant_ids:
        condition |= Q(applicant_id__in=sorted(set(applicant_ids)))
    if item_ids:
        condition |= Q(item_id__in=sorted(item_ids))
    return condition, not item_ids


def staff_case_list(user: Any, filters: CaseFilters, *, today: date) -> QuerySet[Case]:
    """The staff case list: the cases `user` may see, filtered, in list order — newest first, or the
    most urgent first when filtered by an open light (red, yellow, green: by late_on; paused: by
    paused_since). Each filter and each order is served by an index (Case.Meta.indexes), so the first
    page is read in index order and stops after it; lights are the clock's stored-date conditions."""
    cases = cases_visible_to(user)
    if filters.state:
        cases = cases.filter(state=filters.state)
    if filters.centre_id:
        cases = cases.filter(centre_id=filters.centre_id)
    if filters.item_code:  # every version of the item (a code names one item across its versions)
        cases = cases.filter(item_id__in=list(Item.objects.filter(code=filters.item_code).values_list("id", flat=True)))
    if filters.department_id:
        items = list(Item.objects.filter(department_id=filters.department_id).values_list("id", flat=True))
        cases = cases.filter(item_id__in=items)
    few = False
    if filters.q:
        condition, few = search(filters.q)
        cases = cases.filter(condition)
    if filters.since:  # local days as a range of moments: the submitted_at index serves it
        cases = cases.filter(submitted_at__gte=_midnight(filters.since))
    if filters.until:
        cases = cases.filter(submitted_at__lt=_midnight(filters.until + timedelta(days=1)))
    if filters.light:
        cases = filter_by_light(cases, filters.light, today=today)
    if few and not filters.light:
        # A handful of ids (a number prefix names one day's cases, an old day perhaps): found by id and
        # sorted, never by walking the list index from today back to that day until a page is full.
        return cases.order_by(Coalesce("submitted_at", "submitted_at").desc(), F("id").desc())
    return cases.order_by(*light_ordering(filters.light))


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def project_cases(project_file: Any) -> QuerySet[Case]:
    """The cases submitted for a project (naming its file, `KeyProject`), oldest first."""
    return Case.objects.filter(project=project_file).select_related("item").order_by("submitted_at", "id")


def held_certificate_types(applicant: Any, *, today: date | None = None) -> set[str]:
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


def awaiting_acceptance(user: Any) -> QuerySet[Case]:
    """The clerk's queue: applications received online, through the API or by post at the centres where
    `user` is a window clerk, not yet accepted, refused or sent back for supplement — the oldest
    first, as they are to be taken (受理 within the limit from receipt)."""
    centres = access.clerk_centre_ids(user)
    if not centres:
        return Case.objects.none()
    return (Case.objects.filter(centre_id__in=sorted(centres), state="submitted", channel__in=REMOTE_CHANNELS)
            .select_related("item", "applicant").order_by("submitted_at", "id"))


def exceptions(*, since: date | None = None, until: date | None = None,
               department: Any = None) -> QuerySet[Any]:
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
