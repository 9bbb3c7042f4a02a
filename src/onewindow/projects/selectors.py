"""Reads on projects: who sees which, the lists and their filters, a project's stages with their lights,
the board's counts (supervision) and the measured times against the commitment (the reform dashboard).
Every light is the clock's (workflow.clock.light / light_q / counts): a list filtered by a light and
the count shown for it always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from onewindow.cases import selectors as case_selectors
from onewindow.core.errors import NotFound, ValidationError
from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role
from onewindow.workflow import clock
from onewindow.workflow.clock import Light

from . import access, plans
from .measure import measured_days
from .models import Project, Stage
from .plans import ProjectKind
from .states import ProjectState, StageState

LIGHT_FILTERS = ("open", *Light.values)
# A stage that ran over inside a project that is (so far) within its commitment.
LATE_STAGE_LIGHTS = {Light.LATE, Light.RED}
PROJECT_WITHIN = {Light.GREEN, Light.YELLOW, Light.PAUSED, Light.ON_TIME}
# Open first (the nearest deadline first, those not started after them), then the closed ones, the most
# recently closed first; the same order on both databases (NULLs placed explicitly).
OPEN_FIRST = (F("clock_stopped_on").desc(nulls_first=True), F("clock_late_on").asc(nulls_last=True))


def projects() -> QuerySet[Project]:
    return Project.objects.select_related("file", "file__applicant", "file__agent", "centre")


def visible_to(user) -> QuerySet[Project]:
    """The efficiency office and administrators: every project; window clerks: their centres' projects;
    a coordinator (帮办): the key projects they carry."""
    if access.is_overseer(user):
        return projects()
    condition = Q(pk__in=[])
    centres = access.clerk_centre_ids(user)
    if centres:
        condition |= Q(centre_id__in=centres)
    if Role.AGENT in orgs.roles_of(user):
        condition |= Q(file__agent=user)
    return projects().filter(condition)


def get_for(user, code: str) -> Project:
    project = visible_to(user).filter(code=code).first()
    if project is None:
        raise NotFound(_("没有找到项目 %(code)s") % {"code": code}, field="code")
    return project


def get_by_query(code: str, query_code: str) -> Project:
    """The public progress page: the project's code and its query code, or 404 either way."""
    project = projects().filter(code=(code or "").strip()).first()
    if project is None or project.query_code != (query_code or "").strip().upper():
        raise NotFound(_("项目编号或查询码不正确"), field="query_code")
    return project


def coordinated_by(user) -> QuerySet[Project]:
    """帮办: the key projects the account coordinates, open first, the nearest deadline first."""
    return projects().filter(file__agent=user).order_by(*OPEN_FIRST, "code")


def project_list(user, *, today: date, light: str = "", kind: str = "", centre_id: int | None = None,
                 key_only: bool = False) -> QuerySet[Project]:
    """The staff list: visible projects filtered by light (clock.light_q), kind and centre, open first
    and the nearest deadline first."""
    rows = visible_to(user)
    if light:
        if light not in LIGHT_FILTERS:
            raise ValidationError(_("未知的状态灯 %(light)s，可选：%(all)s") % {"light": light, "all": ", ".join(LIGHT_FILTERS)},
                                  field="light")
        rows = rows.filter(clock.light_q(light, today=today))
    if kind:
        if kind not in ProjectKind.values:
            raise ValidationError(_("项目类型应为以下之一：%(all)s") % {"all": ", ".join(ProjectKind.values)}, field="kind")
        rows = rows.filter(kind=kind)
    if centre_id is not None:
        rows = rows.filter(centre_id=centre_id)
    if key_only:
        rows = rows.filter(is_key=True)
    return rows.order_by(*OPEN_FIRST, "-registered_at", "id")


def light_counts(*, today: date, centre_ids: set[int] | list[int] | None = None, kind: str = "",
                 queryset: QuerySet[Project] | None = None) -> dict[str, int]:
    """How many projects show each light, in one query (the supervision board), with `open`."""
    rows = queryset if queryset is not None else Project.objects.all()
    if centre_ids is not None:
        rows = rows.filter(centre_id__in=list(centre_ids))
    if kind:
        rows = rows.filter(kind=kind)
    counts = clock.counts(rows, today=today)
    counts["open"] = sum(counts[str(v)] for v in clock.OPEN_LIGHTS)
    return counts


def open_projects(*, today: date, light: str = "open", centre_ids=None, limit: int | None = None) -> list[Project]:
    """Open projects for the board (a light among the open ones; red first, then the nearest deadline)."""
    rows = projects().filter(clock.light_q(light or "open", today=today))
    if centre_ids is not None:
        rows = rows.filter(centre_id__in=list(centre_ids))
    rows = rows.order_by("clock_late_on", "code")
    return list(rows[:limit] if limit else rows)


@dataclass
class StageRow:
    stage: Stage
    light: Light | None
    used: int | None
    days_left: int | None
    late_inside_on_time: bool
    cases: list = field(default_factory=list)
    items: list = field(default_factory=list)


@dataclass
class ProjectView:
    project: Project
    light: Light | None
    used: int | None
    days_left: int | None
    stages: list[StageRow]

    @property
    def late_stages(self) -> list[StageRow]:
        return [row for row in self.stages if row.late_inside_on_time]

    @property
    def current(self) -> StageRow | None:
        return next((row for row in self.stages if row.stage.state == StageState.RUNNING), None)


def stage_late_inside_on_time(stage_light, project_light) -> bool:
    """A stage ran over (or is overdue) while the project is still within its commitment."""
    return stage_light in LATE_STAGE_LIGHTS and project_light in PROJECT_WITHIN


def view(project: Project, *, today: date, with_cases: bool = True) -> ProjectView:
    """The project with each stage's light, measured days and cases, and whether a stage is late inside
    an on-time project."""
    light = clock.light(project, today=today)
    rows = []
    stages = project.stages.order_by("order").prefetch_related("items")
    if with_cases:
        stages = stages.prefetch_related("links__case__item")
    for stage in stages:
        stage_light = clock.light(stage, today=today)
        rows.append(StageRow(
            stage=stage, light=stage_light, used=measured_days(stage, today=today),
            days_left=clock.days_left(stage, today=today),
            late_inside_on_time=stage_late_inside_on_time(stage_light, light),
            cases=[link.case for link in stage.links.all()] if with_cases else [],
            items=list(stage.items.all())))
    return ProjectView(project, light, measured_days(project, today=today), clock.days_left(project, today=today),
                       rows)


def unattached_cases(project: Project) -> list:
    """Cases submitted for the project not yet attached to a stage (what `attach_cases` offers)."""
    return list(case_selectors.project_cases(project.file).filter(project_stage_link__isnull=True))


@dataclass
class Measured:
    code: str
    name: str
    kind: str
    state: str
    commitment: int
    used: int | None
    light: Light | None
    stages: list[dict]


@dataclass
class KindSummary:
    kind: str
    label: str
    commitment: int
    projects: int
    closed: int
    on_time: int
    average_used: float | None
    stages_late: int


def measured_times(*, today: date, kind: str = "", since: date | None = None, until: date | None = None,
                   centre_ids=None) -> tuple[list[Measured], list[KindSummary]]:
    """Measured working days per project and stage against the commitment (the reform dashboard): the
    projects whose clock started within [since, until] (all when omitted), and per kind the number
    closed, closed on time, the average days used by the closed ones and the stages that ran late. Two
    queries; the days are counted on the calendar's index (no query per row)."""
    rows = Project.objects.filter(clock_started_on__isnull=False)
    if kind:
        rows = rows.filter(kind=kind)
    if since is not None:
        rows = rows.filter(clock_started_on__gte=since)
    if until is not None:
        rows = rows.filter(clock_started_on__lte=until)
    if centre_ids is not None:
        rows = rows.filter(centre_id__in=list(centre_ids))
    projects_ = list(rows.order_by("code"))
    stages_by_project: dict[int, list[Stage]] = {}
    for stage in Stage.objects.filter(project__in=[p.pk for p in projects_]).order_by("project_id", "order"):
        stages_by_project.setdefault(stage.project_id, []).append(stage)
    measured = []
    for p in projects_:
        light = clock.light(p, today=today)
        stages = [{"order": s.order, "kind": s.kind, "limit": s.planned_limit, "used": measured_days(s, today=today),
                   "light": clock.light(s, today=today)} for s in stages_by_project.get(p.pk, [])]
        measured.append(Measured(p.code, p.name, p.kind, p.state, p.clock_limit, measured_days(p, today=today), light,
                                 stages))
    summaries = []
    for value, label in ProjectKind.choices:
        mine = [m for m in measured if m.kind == value]
        if not mine and kind:
            continue
        closed = [m for m in mine if m.state == ProjectState.CLOSED]
        used = [m.used for m in closed if m.used is not None]
        summaries.append(KindSummary(
            kind=value, label=str(label), commitment=plans.commitment(value), projects=len(mine),
            closed=len(closed), on_time=sum(1 for m in closed if m.light == Light.ON_TIME),
            average_used=round(sum(used) / len(used), 1) if used else None,
            stages_late=sum(1 for m in mine for s in m.stages if s["light"] in LATE_STAGE_LIGHTS)))
    return measured, summaries
