"""API: engineering-construction projects — register, list (filters by light, kind, centre; paged),
read, the actions the caller may take and acting (one union body keyed on `action`, from
projects/actions.py), the board's counts, the measured times against the commitment, and the public
progress by number and query code.

Thin on purpose: parse, call `onewindow.projects.services` / `.selectors`, serialize. Strangers get 404,
never 403; business rules are the services'."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Status
from pydantic import BaseModel, ConfigDict

from onewindow.core.errors import DomainError, PermissionDenied, ValidationError
from onewindow.core.throttle import ScopedThrottle
from onewindow.orgs import selectors as orgs_selectors
from onewindow.projects import access, selectors, services
from onewindow.projects.actions import registry
from onewindow.projects.measure import measured_days
from onewindow.workflow import clock

from .auth import API_AUTH
from .case_schemas import AvailableActionOut, ErrorOut
from .case_views import page_of

router = Router(tags=["projects"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ProjectActionIn: Any = registry.union_schema()


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProjectClockOut(Out):
    started_on: date | None = Field(description="计时起始日（首个阶段启动日）")
    limit: int = Field(description="时限（工作日）：项目为承诺总时限，阶段为阶段时限")
    paused_days: int = Field(description="不计时的工作日（阶段之间、等待申请人）")
    due_on: date | None
    stopped_on: date | None
    paused: bool
    light: str | None = Field(description="green, yellow, red, paused, on_time, late；未启动为 null")
    used: int | None = Field(description="实际用时（工作日）")


class ProjectCaseOut(Out):
    number: str
    item: str
    state: str


class ProjectStageOut(Out):
    id: int
    order: int
    kind: str
    kind_label: str
    state: str
    clock: ProjectClockOut
    late_inside_on_time: bool = Field(description="阶段超时而项目仍在承诺总时限内")
    items: list[str] = Field(description="阶段事项编码")
    cases: list[ProjectCaseOut]


class ProjectOut(Out):
    code: str
    name: str
    kind: str
    kind_label: str
    state: str
    is_key: bool
    centre: str
    applicant_name: str
    coordinator: str | None = Field(description="帮办（重点项目）账号")
    commitment: int = Field(description="承诺总时限（工作日）")
    clock: ProjectClockOut
    stages: list[ProjectStageOut] | None = None


class ProjectPage(Out):
    count: int
    page: int
    page_size: int
    results: list[ProjectOut]


class ProjectRegisterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(max_length=40, description="项目编号（3–40 位字母、数字或连字符）")
    name: str = Field(max_length=200, description="项目名称")
    kind: str = Field(description="government 政府投资项目, social 社会投资项目, electricity 获得电力")
    centre: str = Field(max_length=20, description="牵头中心编码")
    applicant_id_number: str = Field(max_length=18, description="建设单位统一社会信用代码（已登记的申请人）")
    is_key: bool = Field(False, description="重点项目（配备帮办）")
    investment: Decimal | None = Field(None, description="总投资（万元）")
    location: str = Field("", max_length=200, description="建设地点")


class ProjectCountsOut(Out):
    green: int
    yellow: int
    red: int
    paused: int
    on_time: int
    late: int
    open: int


class MeasuredProjectStageOut(Out):
    order: int
    kind: str
    limit: int
    used: int | None
    light: str | None


class MeasuredProjectOut(Out):
    code: str
    name: str
    kind: str
    state: str
    commitment: int
    used: int | None
    light: str | None
    stages: list[MeasuredProjectStageOut]


class ProjectKindSummaryOut(Out):
    kind: str
    label: str
    commitment: int
    projects: int
    closed: int
    on_time: int
    average_used: float | None
    stages_late: int


class ProjectMeasuredTimesOut(Out):
    projects: list[MeasuredProjectOut]
    kinds: list[ProjectKindSummaryOut]


def _clock(obj, today: date, light, used) -> dict:
    return {"started_on": obj.clock_started_on, "limit": obj.clock_limit, "paused_days": obj.clock_paused_days,
            "due_on": obj.clock_due_on, "stopped_on": obj.clock_stopped_on,
            "paused": obj.clock_paused_since is not None and obj.clock_stopped_on is None,
            "light": str(light) if light else None, "used": used}


def project_out(project, *, today: date, detail: bool = False, public: bool = False) -> dict:
    """A project as the API shows it; its stages only in `detail` (a list reads no stage)."""
    if detail:
        view = selectors.view(project, today=today, with_cases=not public)
        light, used = view.light, view.used
    else:
        light, used = clock.light(project, today=today), measured_days(project, today=today)
    out = {"code": project.code, "name": project.name, "kind": project.kind, "kind_label": project.get_kind_display(),
           "state": project.state, "is_key": project.is_key, "centre": project.centre.code,
           "applicant_name": project.file.applicant.name,
           "coordinator": None if public or project.file.agent is None else project.file.agent.get_username(),
           "commitment": project.clock_limit, "clock": _clock(project, today, light, used)}
    if detail:
        out["stages"] = [{"id": row.stage.pk, "order": row.stage.order, "kind": row.stage.kind,
                          "kind_label": row.stage.get_kind_display(), "state": row.stage.state,
                          "clock": _clock(row.stage, today, row.light, row.used),
                          "late_inside_on_time": row.late_inside_on_time, "items": [i.code for i in row.items],
                          "cases": [{"number": c.number, "item": c.item.code, "state": c.state} for c in row.cases]}
                         for row in view.stages]
    return out


def _visible(user, code: str):
    return selectors.get_for(user, code)


@router.get("/projects", auth=API_AUTH, response={200: ProjectPage, **ERRORS},
            summary="工程建设项目列表 Projects",
            description="本人可见的项目（效能办：全部；窗口人员：本中心；帮办：本人负责的重点项目），按红黄绿灯、类型、"
                        "牵头中心筛选，未办结且期限最早的在前。")
def list_projects(request, light: str = Query("", max_length=10, description="open, green, yellow, red, paused, "
                                                                              "on_time, late"),
                  kind: str = Query("", max_length=16), centre: str = Query("", max_length=20),
                  page: int = Query(1, ge=1, le=100000), page_size: int = Query(20, ge=1, le=100)):
    centre_id = None
    if centre:
        found = orgs_selectors.centre_by_code(centre)
        if found is None:
            raise ValidationError(_("没有编码为 %(c)s 的中心") % {"c": centre}, field="centre")
        centre_id = found.pk
    today = timezone.localdate()
    rows = selectors.project_list(request.auth, today=today, light=light, kind=kind, centre_id=centre_id)
    return Status(200, page_of(rows, page=page, page_size=page_size,
                               serialize=lambda p: project_out(p, today=today)))


@router.post("/projects", auth=API_AUTH, response={201: ProjectOut, **ERRORS},
             summary="登记项目 Register a project",
             description="登记工程建设项目：按类型生成各阶段（阶段时限合计为承诺总时限：政府投资 70、社会投资 35、"
                         "获得电力 30 个工作日）。须为牵头中心的窗口人员或效能办。")
def register_project(request, body: ProjectRegisterIn):
    centre = orgs_selectors.centre_by_code(body.centre)
    if centre is None:
        raise ValidationError(_("没有编码为 %(c)s 的中心") % {"c": body.centre}, field="centre")
    applicant = orgs_selectors.find_applicant_by_id_number(body.applicant_id_number.strip().upper())
    if applicant is None:
        raise ValidationError(_("没有登记该统一社会信用代码的申请人"), field="applicant_id_number")
    project = services.register_project(actor=request.auth, code=body.code, name=body.name, kind=body.kind,
                                        centre=centre, applicant=applicant, is_key=body.is_key,
                                        investment=body.investment, location=body.location)
    return Status(201, project_out(selectors.get_for(request.auth, project.code), today=timezone.localdate(),
                                   detail=True))


@router.get("/projects/board", auth=API_AUTH, response={200: ProjectCountsOut, **ERRORS},
            summary="项目红黄绿灯计数 The board's counts",
            description="本人可见项目按红黄绿灯的计数（与列表按灯筛选的条数一致）。")
def board(request):
    return Status(200, selectors.light_counts(today=timezone.localdate(),
                                              queryset=selectors.visible_to(request.auth)))


@router.get("/projects/measured", auth=API_AUTH, response={200: ProjectMeasuredTimesOut, **ERRORS},
            summary="实测用时 Measured times against the commitment",
            description="每个项目及其各阶段的实测用时（工作日，扣除不计时）与承诺时限对照，及按类型汇总。限效能办。")
def measured(request, kind: str = Query("", max_length=16), since: date | None = None, until: date | None = None):
    if not access.is_overseer(request.auth):
        raise PermissionDenied(_("只有效能办可以查看实测用时汇总"))
    rows, kinds = selectors.measured_times(today=timezone.localdate(), kind=kind, since=since, until=until)
    return Status(200, {"projects": [vars(r) for r in rows], "kinds": [vars(k) for k in kinds]})


@router.get("/projects/progress/{code}", auth=None, response={200: ProjectOut, **ERRORS},
            throttle=[ScopedThrottle("progress")],
            summary="项目进度（免登录） Public progress",
            description="凭项目编号和查询码查询各阶段进度；编号或查询码不符一律 404。")
def progress(request, code: str, query_code: str = Query(..., min_length=1, max_length=12)):
    project = selectors.get_by_query(code, query_code)
    return Status(200, project_out(project, today=timezone.localdate(), detail=True, public=True))


@router.get("/projects/{code}", auth=API_AUTH, response={200: ProjectOut, **ERRORS}, summary="项目详情 A project")
def get_project(request, code: str):
    return Status(200, project_out(_visible(request.auth, code), today=timezone.localdate(), detail=True))


@router.get("/projects/{code}/actions", auth=API_AUTH, response={200: list[AvailableActionOut], **ERRORS},
            summary="我现在可办理的动作 Actions I may take now",
            description="按项目当前状态和本人身份列出可办理的动作及参数的可选值（下一个阶段、未关联的办件…）。")
def list_actions(request, code: str):
    project = _visible(request.auth, code)
    return Status(200, [offer.as_dict() for offer in registry.offers(request.auth, project)])


@router.post("/projects/{code}/actions", auth=API_AUTH, response={200: ProjectOut, **ERRORS},
             summary="办理动作 Act on a project",
             description="启动阶段、关联办件、等待申请人、恢复计时、完成阶段、项目办结：{\"action\": 动作名, "
                         "\"params\": 参数}。各阶段须依次办理（409）；无权 403；参数错误 400/422 并指明字段。")
def act(request, code: str, body: Body[ProjectActionIn]):
    project = _visible(request.auth, code)
    try:
        registry.perform(request.auth, project, body.action, body.params)
    except DomainError as exc:
        if exc.field and exc.field.split(".")[0] in type(body.params).model_fields:
            exc.field = f"params.{exc.field}"
        raise
    return Status(200, project_out(selectors.get_for(request.auth, code), today=timezone.localdate(), detail=True))
