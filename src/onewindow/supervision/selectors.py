"""Reads of the efficiency office, computed in the database: the board's counts by light (per centre,
department and item, over open cases and stages), the drill-down to the cases (oldest overdue first),
on-time rates per department, the refusals and denials filed for review with the office's review,
urgings, breaches, inspections, accountability records and the appraisal's figures.

Cases' lights are read through `casefacts` (one module to change when cases move onto the clock)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from onewindow.catalog.models import Item
from onewindow.orgs.models import Department, ServiceCentre
from onewindow.ratings import selectors as ratings
from onewindow.workflow import clock

from . import casefacts
from .models import AccountabilityRecord, Breach, Inspection, Rectification, TargetKind, Urging
from .states import RectificationState, UrgingState

DIMENSIONS = {
    "centre": ("centre_id", "centre__name"),
    "department": ("item__department_id", "item__department__name"),
    "item": ("item_id", "item__name"),
}
LIGHTS = casefacts.LIGHTS


def _zero() -> dict[str, int]:
    return {light: 0 for light in LIGHTS}


def board_counts(*, today: date) -> dict:
    """Open cases by light: in total and per centre, department (the item's) and item — from one
    grouped query (casefacts.light_groups). Each list most red first."""
    totals = _zero()
    per: dict[str, dict[int, dict[str, int]]] = {"centre": {}, "department": {}, "item": {}}
    groups = casefacts.light_groups(today=today)
    items = dict(Item.objects.filter(pk__in={item for _c, item, _l, _n in groups}).values_list("pk", "department_id"))
    for centre_id, item_id, light, n in groups:
        totals[light] += n
        for key, value in (("centre", centre_id), ("department", items[item_id]), ("item", item_id)):
            per[key].setdefault(value, _zero())[light] += n
    names = {"centre": dict(ServiceCentre.objects.filter(pk__in=list(per["centre"])).values_list("pk", "name")),
             "department": dict(Department.objects.filter(pk__in=list(per["department"])).values_list("pk", "name")),
             "item": dict(Item.objects.filter(pk__in=list(per["item"])).values_list("pk", "name"))}
    result: dict = {"totals": totals}
    for key, rows in per.items():
        listed: list[dict[str, Any]] = [{"id": pk, "name": names[key].get(pk, ""), **counts, "total": sum(counts.values())}
                  for pk, counts in rows.items()]
        listed.sort(key=lambda row: (-row["red"], -row["yellow"], -row["total"], row["name"]))
        result[key] = listed
    return result


def case_totals(*, today: date) -> dict[str, int]:
    """Open cases by light."""
    return board_counts(today=today)["totals"]


def counts_by(dimension: str, *, today: date, limit: int | None = None) -> list[dict]:
    """Open cases by light per centre, department (the item's) or item; most red first."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    rows = board_counts(today=today)[dimension]
    return rows[:limit] if limit else rows


def stage_counts(*, today: date) -> list[dict]:
    """Open stages (tasks) by light per department: a stage late on its own limit is red even when its
    case is on time."""
    aggregates = {light: Count("id", filter=casefacts.task_light_q(light, today=today)) for light in LIGHTS}
    rows = casefacts.open_tasks().order_by().values("department_id", "department__name").annotate(**aggregates)
    result = [{"id": row["department_id"], "name": row["department__name"],
               **{light: row[light] for light in LIGHTS}, "total": sum(row[light] for light in LIGHTS)}
              for row in rows]
    result.sort(key=lambda row: (-row["red"], -row["yellow"], -row["total"], row["name"]))
    return result


def stage_totals(*, today: date) -> dict[str, int]:
    aggregates = {light: Count("id", filter=casefacts.task_light_q(light, today=today)) for light in LIGHTS}
    rows = casefacts.open_tasks().order_by().aggregate(**aggregates)
    return {light: int(rows[light] or 0) for light in LIGHTS}


def drill_down(*, today: date, light: str = "", centre_id: int | None = None, department_id: int | None = None,
               item_id: int | None = None) -> QuerySet:
    """The open cases behind a count, oldest overdue first (earliest due date), then by number."""
    cases = casefacts.cases_with_light(casefacts.open_cases(), today=today)
    if light:
        cases = cases.filter(Q(board_light=light))
    if centre_id:
        cases = cases.filter(centre_id=centre_id)
    if department_id:
        cases = cases.filter(item__department_id=department_id)
    if item_id:
        cases = cases.filter(item_id=item_id)
    return (cases.select_related("item", "item__department", "centre", "applicant")
            .order_by(F("due_on").asc(nulls_last=True), "id"))


def late_stages(*, today: date, department_id: int | None = None) -> QuerySet:
    """Stages past their own due date, oldest first."""
    tasks = casefacts.open_tasks().filter(casefacts.task_light_q("red", today=today))
    if department_id:
        tasks = tasks.filter(department_id=department_id)
    return tasks.select_related("case", "department").order_by("due_on", "id")


def on_time_rates(*, start: date, end: date) -> list[dict]:
    """Per department (the item's): cases decided from `start` to `end`, how many by their due date,
    and the rate; lowest rate first."""
    rows = (casefacts.decided_cases(start=start, end=end).order_by()
            .values("item__department_id", "item__department__name")
            .annotate(decided=Count("id"), on_time=Count("id", filter=Q(decided_on__lte=F("due_on")))))
    result = [{"id": row["item__department_id"], "name": row["item__department__name"], "decided": row["decided"],
               "on_time": row["on_time"], "rate": row["on_time"] / row["decided"] if row["decided"] else None}
              for row in rows]
    result.sort(key=lambda row: (row["rate"] if row["rate"] is not None else 2, row["name"]))
    return result


def denial_filings(*, status: str = "") -> QuerySet:
    """Refusals and denials filed for review, with the office's review when there is one.
    status: "" all, "pending" not yet reviewed, "reviewed"."""
    filings = casefacts.denial_filings().select_related("review", "review__reviewed_by")
    if status == "pending":
        filings = filings.filter(review__isnull=True)
    elif status == "reviewed":
        filings = filings.filter(review__isnull=False)
    return filings


def pending_denial_count() -> int:
    return casefacts.denial_filings().filter(review__isnull=True).count()


# -- urgings, breaches ---------------------------------------------------------------------------------

def urgings(*, state: str = "", department_id: int | None = None, department_ids=None) -> QuerySet[Urging]:
    rows = Urging.objects.select_related("department", "urged_by", "answered_by")
    if state:
        rows = rows.filter(state=state)
    if department_id:
        rows = rows.filter(department_id=department_id)
    if department_ids is not None:
        rows = rows.filter(department_id__in=sorted(department_ids))
    return rows.order_by("-urged_at", "-id")


def urging_counts(*, today: date) -> dict[str, int]:
    counts = clock.counts(Urging.objects.all(), today=today)
    counts["open"] = Urging.objects.filter(state=UrgingState.OPEN).count()
    return counts


def urgings_about(kind: str, target_id: int) -> QuerySet[Urging]:
    return urgings().filter(target_kind=kind, target_id=target_id)


def breaches(*, kind: str = "", since: date | None = None) -> QuerySet[Breach]:
    rows = Breach.objects.select_related("case", "item", "department")
    if kind:
        rows = rows.filter(kind=kind)
    if since:
        rows = rows.filter(detected_on__gte=since)
    return rows.order_by("-detected_on", "-id")


def breach_counts(*, since: date) -> dict[str, int]:
    rows = Breach.objects.filter(detected_on__gte=since).order_by().values("kind").annotate(n=Count("id"))
    return {row["kind"]: row["n"] for row in rows}


def case_supervision(case) -> dict:
    """What the case page shows of the office's work on a case: its breaches and urgings (of the case
    and of its stages)."""
    task_ids = list(case.tasks.values_list("id", flat=True))
    return {
        "breaches": list(Breach.objects.filter(case=case).order_by("detected_on", "id")),
        "urgings": list(Urging.objects.filter(Q(target_kind=TargetKind.CASE, target_id=case.pk)
                                              | Q(target_kind=TargetKind.TASK, target_id__in=task_ids))
                        .select_related("department").order_by("urged_at", "id")),
    }


# -- inspections, rectifications, accountability ------------------------------------------------------

def inspections() -> QuerySet[Inspection]:
    return (Inspection.objects.select_related("centre", "window", "window__centre", "department", "recorded_by")
            .annotate(photo_count=Count("photos", distinct=True),
                      rectification_count=Count("rectifications", distinct=True))
            .order_by("-visited_at", "-id"))


def get_inspection(pk: int) -> Inspection | None:
    return inspections().filter(pk=pk).first()


def rectifications(*, state: str = "", department_ids=None) -> QuerySet[Rectification]:
    rows = Rectification.objects.select_related("department", "inspection")
    if state:
        rows = rows.filter(state=state)
    if department_ids is not None:
        rows = rows.filter(department_id__in=sorted(department_ids))
    return rows.order_by("clock_due_on", "id")


def rectification_counts(*, today: date) -> dict[str, int]:
    counts = clock.counts(Rectification.objects.all(), today=today)
    counts["open"] = Rectification.objects.exclude(state=RectificationState.VERIFIED).count()
    return counts


def accountability_records(*, department_id: int | None = None) -> QuerySet[AccountabilityRecord]:
    rows = AccountabilityRecord.objects.select_related("department", "official", "decided_by", "inspection")
    if department_id:
        rows = rows.filter(department_id=department_id)
    return rows.order_by("-decided_on", "-id")


def records_from(source_kind: str, source_id: int) -> QuerySet[AccountabilityRecord]:
    """The accountability records opened from a source (an inspection, a work order): the link back."""
    return accountability_records().filter(source_kind=source_kind, source_id=source_id)


def appraisal_figures(*, start: date, end: date) -> dict[int, dict]:
    """Per department, from `start` to `end` inclusive: urgings received, inspection findings
    (rectifications ordered) and accountability records — what the appraisal counts against it."""
    figures: dict[int, dict] = {}

    def add(rows, key: str) -> None:
        for row in rows:
            figures.setdefault(row["department_id"], {"urgings": 0, "inspection_findings": 0,
                                                      "accountability_records": 0})[key] = row["n"]

    add(Urging.objects.filter(urged_at__date__gte=start, urged_at__date__lte=end).order_by()
        .values("department_id").annotate(n=Count("id")), "urgings")
    add(Rectification.objects.filter(created_at__date__gte=start, created_at__date__lte=end).order_by()
        .values("department_id").annotate(n=Count("id")), "inspection_findings")
    add(AccountabilityRecord.objects.filter(decided_on__gte=start, decided_on__lte=end).order_by()
        .values("department_id").annotate(n=Count("id")), "accountability_records")
    return figures


# -- the ratings' own clocked work, beside the cases (ratings' selectors; supervision is above ratings) --

def _by_unit(rows: QuerySet, *, today: date) -> list[dict]:
    """Open rows per responsible unit (the department, else the centre) by light, most red first."""
    counts = {light: Count("id", filter=clock.light_q(light, today=today)) for light in LIGHTS}
    fields = ["department_id", "department__name"]
    if any(f.name == "centre" for f in rows.model._meta.get_fields()):
        fields.append("centre__name")
    grouped = rows.values(*fields).order_by().annotate(**counts)
    result = [{"id": row["department_id"], "name": row["department__name"] or row.get("centre__name") or "",
               **{light: row[light] for light in LIGHTS}, "total": sum(row[light] for light in LIGHTS)}
              for row in grouped]
    return sorted(result, key=lambda r: (-r["red"], -r["yellow"], -r["total"], r["name"]))


def rating_work(*, today: date, limit: int = 8) -> dict[str, Any]:
    """The open rectifications of bad ratings (ratings.open_rectifications) and the open problems of
    this and last year's public appraisal (社会评议), each by light in total and per unit, with the
    most urgent rows (earliest due first) and their lights."""
    rectifications = ratings.open_rectifications(today=today)
    surveys = [s for s in (ratings.survey_for_year(today.year), ratings.survey_for_year(today.year - 1)) if s]
    problems: QuerySet[Any] | None = None
    for survey in surveys:
        found = ratings.survey_problems(survey).filter(clock.light_q("open", today=today))
        problems = found if problems is None else problems | found
    result: dict[str, Any] = {}
    related = {"rectifications": ("department", "centre", "rating"), "problems": ("department", "survey")}
    work: list[tuple[str, QuerySet[Any] | None]] = [("rectifications", rectifications), ("problems", problems)]
    for key, rows in work:
        if rows is None:
            result[key] = {"totals": {**_zero(), "open": 0}, "units": [], "urgent": []}
            continue
        totals = {light: n for light, n in clock.counts(rows, today=today).items() if light in LIGHTS}
        totals["open"] = sum(totals.values())
        urgent = list(rows.select_related(*related[key]).order_by("clock_due_on", "id")[:limit])
        result[key] = {"totals": {**_zero(), **totals}, "units": _by_unit(rows, today=today),
                       "urgent": [(row, clock.light(row, today=today)) for row in urgent]}
    return result
