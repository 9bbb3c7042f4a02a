"""Sample projects for the demo (东兴市): a few of each kind — government-invested (70 working days),
socially invested (35) and getting electricity (30) — closed on time, closed late, one with a stage late
inside an on-time project, running green, overdue, waiting for the builder, one only registered; key
projects with the demo coordinator (帮办 `agent`). Everything goes through the services (the projects'
and the cases': each stage's items are real cases submitted for the project, accepted, approved by the
departments' demo approvers and concluded), dated back from today on the working-day calendar, so the
lights, the board and the measured times come out of the same rules as live work. About a hundred
cases in all: a few seconds. A second run adds nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.cases import services as case_services
from onewindow.catalog.models import Item
from onewindow.orgs import identity
from onewindow.orgs import selectors as orgs
from onewindow.orgs import services as org_services
from onewindow.orgs.models import Role, ServiceCentre

from . import services
from .models import Project
from .plans import StageKind

CENTRE = "DX01"
STAGE_ITEMS = {
    StageKind.LAND_PLANNING: ["建设用地规划许可"],
    StageKind.WORKS_PERMIT: ["建设工程规划许可", "特殊建设工程消防设计审查"],
    StageKind.CONSTRUCTION_PERMIT: ["建筑工程施工许可（新办）"],
    StageKind.COMPLETION: ["国有建设用地使用权及房屋所有权首次登记"],
    StageKind.POWER_APPLICATION: [],
    StageKind.POWER_EXTERNAL: ["临时占用、挖掘城市道路审批"],
    StageKind.POWER_CONNECTION: [],
}
BUILDERS = [
    # (name, the first 8 digits of its code)
    ("东兴市城市建设投资集团有限公司", "66050001"),
    ("广西边贸通物流园开发有限公司", "66050002"),
    ("东兴市江平置业有限公司", "66050003"),
    ("东兴口岸冷链供应链有限公司", "66050004"),
]


@dataclass(frozen=True)
class Spec:
    """A sample project: how many working days ago its first stage started, then per stage the working
    days it took (None: still running, for as many days as given by `running`) and the working days the
    builder took before the next stage. `waiting`: the builder was asked to act `waiting` days ago."""

    code: str
    name: str
    kind: str
    builder: int
    key: bool
    started_ago: int | None
    stages: tuple[tuple[int, int], ...] = ()
    close: bool = False
    waiting: int | None = None
    location: str = ""


SPECS = [
    Spec("GC-2026-001", "东兴市第二中学教学综合楼", "government", 0, True, 150,
         ((18, 10), (15, 12), (9, 8), (14, 0)), close=True, location="东兴镇北仑大道"),
    Spec("GC-2026-002", "北仑河滨江公园提升工程", "government", 0, False, 70,
         ((30, 15), (16, 6)), location="东兴镇滨江路"),  # land planning late (limit 24), project still within 70
    Spec("GC-2026-003", "东兴市人民医院门诊楼扩建", "government", 0, True, 26, ((20, 2),),
         location="东兴镇兴华路"),
    Spec("SH-2026-001", "边贸通物流园仓储中心", "social", 1, True, 110,
         ((13, 20), (7, 15), (3, 9), (6, 0)), close=True, location="江平镇物流园区"),  # stage 1 late, closed on time
    Spec("SH-2026-002", "江平镇商住综合楼", "social", 2, False, 60,
         ((14, 5), (12, 3), (9, 0)), location="江平镇江平大道"),  # over its 35 days: red
    Spec("SH-2026-003", "竹山港冷链仓库", "social", 3, False, None, location="江平镇竹山村"),
    Spec("SH-2026-004", "东兴口岸跨境电商监管中心", "social", 1, True, 20, ((8, 4), (6, 2)), waiting=3,
         location="东兴镇口岸大道"),
    Spec("DL-2026-001", "边贸通物流园 10 千伏用电报装", "electricity", 1, False, 60,
         ((4, 2), (15, 3), (5, 0)), close=True, location="江平镇物流园区"),
    Spec("DL-2026-002", "江平镇商住综合楼用电报装", "electricity", 2, False, 55,
         ((7, 3), (22, 2), (6, 0)), close=True, location="江平镇江平大道"),  # 35 days: late
    Spec("DL-2026-003", "东兴市人民医院双电源接入", "electricity", 0, True, 12, ((5, 1),),
         location="东兴镇兴华路"),
]


def _workdays_back(today: date, n: int) -> date:
    day = today
    while n > 0:
        day -= timedelta(days=1)
        if calendar.is_workday(day):
            n -= 1
    return day


def _workdays_on(day: date, n: int) -> date:
    return day if n <= 0 else calendar.add_working_days(day, n).due_on


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _builders() -> list:
    found = []
    for name, body in BUILDERS:
        code = identity.generate_uscc(authority="9", type_code="1", region="450681", body=body)
        applicant = orgs.find_applicant_by_id_number(code)
        if applicant is None:
            applicant = org_services.register_applicant(kind="enterprise", name=name, id_number=code,
                                                        phone="0770-7600000", legal_representative="王建国")
        found.append(applicant)
    return found


def _case(*, item: Item, file, applicant, centre, clerk, start: date, end: date | None):
    """A case of `item` submitted for the project at the window on `start` and accepted; approved by the
    departments' demo approvers and concluded on `end` (None: still open)."""
    required = list(item.materials.filter(required=True).values_list("id", flat=True))
    case = case_services.submit_case(item=item, applicant=applicant, channel="window", centre=centre,
                                     provided_material_ids=required, submitted_by=clerk, project=file,
                                     now=_at(start, 9, 30))
    case = case_services.accept_case(clerk=clerk, case=case, now=_at(start, 10))
    if end is None:
        return case
    for _round in range(8):
        tasks = list(case.tasks.filter(state="open").select_related("case", "department"))
        if not tasks:
            break
        for task in tasks:
            approver = orgs.users_with_role(Role.APPROVER, department=task.department).first()
            if approver is None:
                return case
            case_services.approve_task(approver=approver, task=task, opinion="符合要求", now=_at(end, 11))
        case.refresh_from_db()
    case.refresh_from_db()
    if case.state == "approved":
        for n, fee in enumerate(case.fees.filter(state="unpaid").select_related("case"), start=1):
            case_services.record_payment(actor=clerk, fee=fee, receipt_number=f"{case.number}-{n}", now=_at(end, 14))
        case = case_services.conclude_case(actor=clerk, case=case, delivery_method="electronic", now=_at(end, 15))
    return case


def _items() -> dict[str, list[Item]]:
    by_name = {i.name: i for i in Item.objects.filter(name__in=[n for names in STAGE_ITEMS.values() for n in names])}
    return {str(kind): [by_name[n] for n in names if n in by_name] for kind, names in STAGE_ITEMS.items()}


def _run_stage(stage, *, spec: Spec, project, day: date, end: date | None, ctx: dict) -> None:
    """Start `stage` on `day` with a case per item (concluded on `end`, or open when None)."""
    services.start_stage(actor=ctx["clerk"], project=project, stage_id=stage.pk, now=_at(day, 9, 10))
    cases = [_case(item=item, file=project.file, applicant=ctx["builders"][spec.builder], centre=ctx["centre"],
                   clerk=ctx["clerk"], start=day, end=end) for item in ctx["items"][stage.kind]]
    if cases:
        services.attach_cases(actor=ctx["clerk"], project=project, case_ids=[c.pk for c in cases], now=_at(day, 11))


def _play(spec: Spec, *, today: date, ctx: dict) -> Project:
    """Register the project and play its stages: each listed stage (took, gap) completes after `took`
    working days unless that is after today (it runs still) or the builder is being waited for; after
    the last listed stage of a project not closed, the next stage starts after the gap and runs now."""
    clerk = ctx["clerk"]
    project = services.register_project(
        actor=clerk, code=spec.code, name=spec.name, kind=spec.kind, centre=ctx["centre"],
        applicant=ctx["builders"][spec.builder], is_key=spec.key, location=spec.location,
        now=_at(_workdays_back(today, (spec.started_ago or 0) + 3), 9))
    if spec.key and ctx["agent"] is not None:
        project = services.assign_coordinator(actor=clerk, project=project, coordinator=ctx["agent"],
                                              now=_at(_workdays_back(today, (spec.started_ago or 0) + 2), 10))
    if spec.started_ago is None:
        return project
    day = _workdays_back(today, spec.started_ago)
    stages = list(project.stages.order_by("order"))
    for index, (took, gap) in enumerate(spec.stages):
        stage, end = stages[index], _workdays_on(day, took)
        last = index == len(spec.stages) - 1
        if end > today or (last and spec.waiting is not None):
            _run_stage(stage, spec=spec, project=project, day=day, end=None, ctx=ctx)
            break
        _run_stage(stage, spec=spec, project=project, day=day, end=end, ctx=ctx)
        services.complete_stage(actor=clerk, project=project, stage_id=stage.pk, now=_at(end, 16))
        day = _workdays_on(end, gap)
        if last and not spec.close and index + 1 < len(stages) and day <= today:
            _run_stage(stages[index + 1], spec=spec, project=project, day=day, end=None, ctx=ctx)
    project = Project.objects.get(pk=project.pk)
    if spec.waiting is not None:
        project = services.wait_for_applicant(actor=clerk, project=project, reason="请按审查意见修改消防设计文件后重新提交",
                                              now=_at(_workdays_back(today, spec.waiting), 15))
    if spec.close:
        stopped = max(s.clock_stopped_on for s in project.stages.all() if s.clock_stopped_on is not None)
        project = services.close_project(actor=clerk, project=project, now=_at(stopped, 17))
    return project


def load_sample_projects(*, today: date | None = None) -> str:
    """The sample projects that are missing (by code); returns a one-line summary."""
    today = today or timezone.localdate()
    centre = ServiceCentre.objects.filter(code=CENTRE).first()
    if centre is None:
        return "no centre DX01: run init first"
    clerk = orgs.users_with_role(Role.WINDOW_CLERK, centre=centre).order_by("id").first()
    if clerk is None:
        return "no window clerk at DX01: load the demo accounts first"
    agent = orgs.users_with_role(Role.AGENT, centre=centre).order_by("id").first()
    existing = set(Project.objects.values_list("code", flat=True))
    todo = [spec for spec in SPECS if spec.code not in existing]
    if not todo:
        return f"{len(existing)} projects (already present)"
    ctx = {"centre": centre, "clerk": clerk, "agent": agent, "builders": _builders(), "items": _items()}
    for spec in todo:
        with transaction.atomic():
            _play(spec, today=today, ctx=ctx)
    return f"{len(todo)} projects written"
