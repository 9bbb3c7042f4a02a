"""Writes on projects: one function per action, each in one transaction under the project's row lock,
checking its rule again, moving the clocks and appending the audit event (chain `project:<code>`, the
chain cases already use for the project's file).

The clocks (workflow.clock):
- each stage's clock runs from the day it starts with the stage's limit and stops the day it completes;
- the project's clock holds the committed total (70/35/30 working days). It starts with the first stage,
  stands still between stages (the builder prepares the next stage's applications) and while the
  builder must act (`wait_for_applicant` … `resume`, which pause the running stage too), and stops when
  the project is closed. A stage may be late while the project is still on time: both lights show."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.states import FINAL_CASE_STATES, CaseState
from onewindow.catalog.models import Item
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Applicant, Role, ServiceCentre
from onewindow.workflow import clock

from . import access, plans
from .measure import measured_days
from .models import Project, Stage, StageCase
from .plans import ProjectKind
from .states import PROJECT_MACHINE, ProjectState, StageState

CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")
MAX_CASES_PER_ATTACH = 100
MAX_ITEMS_PER_STAGE = 50
REASON_MAX = 500


QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_query_code() -> str:
    """The code the builder reads their project's progress with (with the project's number)."""
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(6))


def _moment(now: datetime | None) -> datetime:
    return timezone.now() if now is None else (timezone.make_aware(now) if timezone.is_naive(now) else now)


def _day(now: datetime) -> date:
    return timezone.localdate(now)


def describe(project: Project) -> str:
    return _("项目 %(code)s") % {"code": project.code}


def _record(project: Project, verb: str, *, actor, now: datetime, from_state: str = "", reason: str = "",
            data: dict | None = None) -> None:
    audit.record(chain_key=f"project:{project.code}", action=f"onewindow.project.{verb}", actor=actor,
                 from_state=from_state or project.state, to_state=project.state, reason=reason, data=data, now=now)


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().select_related("file", "centre").get(pk=project.pk)


def _require(project: Project, action: str) -> None:
    PROJECT_MACHINE.require(project.state, action, describe=lambda: describe(project))


def _require_manager(actor, project: Project) -> None:
    if not access.manages(actor, project):
        raise PermissionDenied(_("只有牵头中心的窗口人员或效能办才能办理%(subject)s") % {"subject": describe(project)})


def _require_assistant(actor, project: Project) -> None:
    if not access.may_assist(actor, project):
        raise PermissionDenied(_("您不能办理%(subject)s") % {"subject": describe(project)})


def _running_stage(project: Project) -> Stage | None:
    return project.stages.select_for_update().filter(state=StageState.RUNNING).first()


def _stage(project: Project, stage_id) -> Stage:
    stage = project.stages.select_for_update().filter(pk=stage_id).first() if isinstance(stage_id, int) else None
    if stage is None:
        raise ValidationError(_("该项目没有编号为 %(id)s 的阶段") % {"id": stage_id}, field="stage_id")
    return stage


def _save_clock(obj, *extra: str) -> None:
    obj.save(update_fields=[*clock.DEFAULT_FIELDS.stored(), *extra])


# -- registering ----------------------------------------------------------------------------------------

def register_project(*, actor, code: str, name: str, kind: str, centre: ServiceCentre | None,
                     applicant: Applicant | None, is_key: bool = False, investment=None, location: str = "",
                     now: datetime | None = None) -> Project:
    """登记项目: the project, its file for the cases and its stages from the plan of its kind (limits
    adding up to the commitment). Nothing is timed until the first stage starts."""
    now = _moment(now)
    code, name, location = (code or "").strip(), (name or "").strip(), (location or "").strip()
    if not CODE_PATTERN.match(code):
        raise ValidationError(_("项目编号应为 3–40 位字母、数字或连字符"), field="code")
    if not name:
        raise ValidationError(_("请填写项目名称"), field="name")
    if len(name) > 200:
        raise ValidationError(_("项目名称不能超过 200 个字"), field="name")
    if kind not in ProjectKind.values:
        raise ValidationError(_("项目类型应为以下之一：%(all)s") % {"all": ", ".join(ProjectKind.values)}, field="kind")
    if centre is None:
        raise ValidationError(_("请指定牵头中心"), field="centre")
    if applicant is None:
        raise ValidationError(_("请指定建设单位"), field="applicant")
    if len(location) > 200:
        raise ValidationError(_("建设地点不能超过 200 个字"), field="location")
    if investment is not None and investment != "":
        try:
            investment = Decimal(str(investment))
        except InvalidOperation:
            raise ValidationError(_("总投资应为数字（万元）"), field="investment") from None
        if investment < 0 or investment >= Decimal("10000000000"):
            raise ValidationError(_("总投资应在 0 至 99 亿万元之间"), field="investment")
    else:
        investment = None
    if not access.may_register(actor, centre.pk):
        raise PermissionDenied(_("只有该中心的窗口人员或效能办才能登记项目"))
    with transaction.atomic():
        if Project.objects.filter(code=code).exists():
            raise Conflict(_("项目编号 %(code)s 已存在") % {"code": code}, field="code")
        file = case_services.open_project_file(code=code, name=name, applicant=applicant)
        project = Project.objects.create(
            file=file, code=code, name=name, kind=kind, centre=centre, is_key=bool(is_key), investment=investment,
            location=location, query_code=new_query_code(), registered_at=now, registered_by=actor,
            clock_limit=plans.commitment(kind))
        Stage.objects.bulk_create([Stage(project=project, order=p.order, kind=p.kind, planned_limit=p.limit,
                                         clock_limit=p.limit) for p in plans.stages(kind)])
        _record(project, "registered", actor=actor, now=now, from_state="-",
                data={"kind": kind, "commitment": project.clock_limit, "key": bool(is_key)})
    return project


def assign_coordinator(*, actor, project: Project, coordinator, now: datetime | None = None) -> Project:
    """指派帮办: a key project's coordinator is the agent on its file (cases.services.assign_agent), who
    then acts for the builder on every case of the project."""
    now = _moment(now)
    _require_manager(actor, project)
    if not project.is_key:
        raise Conflict(_("只有重点项目配备帮办"), field="coordinator")
    if project.state == ProjectState.CLOSED:
        raise Conflict(_("%(subject)s 已办结") % {"subject": describe(project)}, field="coordinator")
    if coordinator is None or Role.AGENT not in orgs.roles_of(coordinator):
        raise ValidationError(_("“%(u)s”不是代办员") % {"u": coordinator or ""}, field="coordinator")
    case_services.assign_agent(actor=actor, project=project.file, agent=coordinator, now=now)
    return Project.objects.select_related("file", "centre").get(pk=project.pk)


# -- the actions (registered in actions.py) ---------------------------------------------------------------

def start_stage(*, actor, project: Project, stage_id: int, item_ids: list[int] | tuple = (),
                now: datetime | None = None) -> Project:
    """启动阶段: the next stage in order starts its clock; the project's clock starts (first stage) or
    runs again (the builder is back with the next stage's applications)."""
    now = _moment(now)
    item_ids = list(item_ids or [])
    if len(item_ids) > MAX_ITEMS_PER_STAGE:
        raise ValidationError(_("最多 %(n)s 项") % {"n": MAX_ITEMS_PER_STAGE}, field="item_ids")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "start_stage")
        _require_manager(actor, locked)
        stage = _stage(locked, stage_id)
        if stage.state != StageState.PENDING:
            raise Conflict(_("阶段“%(stage)s”已启动") % {"stage": stage.get_kind_display()}, field="stage_id")
        running = locked.stages.filter(state=StageState.RUNNING).first()
        if running is not None:
            raise Conflict(_("阶段“%(stage)s”尚未完成，各阶段须依次办理") % {"stage": running.get_kind_display()},
                           field="stage_id")
        earlier = locked.stages.filter(order__lt=stage.order).exclude(state=StageState.COMPLETED).first()
        if earlier is not None:
            raise Conflict(_("须先完成阶段“%(stage)s”，各阶段须依次办理") % {"stage": earlier.get_kind_display()},
                           field="stage_id")
        items = list(Item.objects.filter(pk__in=item_ids))
        if len(items) != len(set(item_ids)):
            unknown = sorted(set(item_ids) - {i.pk for i in items})
            raise ValidationError(_("没有编号为 %(ids)s 的事项") % {"ids": ", ".join(map(str, unknown))},
                                  field="item_ids")
        day = _day(now)
        clock.start(stage, on=day, limit=stage.planned_limit)
        stage.state = StageState.RUNNING
        _save_clock(stage, "state")
        if items:
            stage.items.add(*items)
        before = locked.state
        if locked.clock_started_on is None:
            clock.start(locked, on=day, limit=locked.clock_limit)
        else:
            clock.resume(locked, on=day)
        locked.state = PROJECT_MACHINE.target(before, "start_stage")
        _save_clock(locked, "state")
        _record(locked, "stage_started", actor=actor, now=now, from_state=before,
                data={"stage": stage.kind, "order": stage.order, "limit": stage.planned_limit,
                      "due_on": stage.clock_due_on, "project_due_on": locked.clock_due_on,
                      "items": [i.code for i in items]})
    return locked


def attach_cases(*, actor, project: Project, case_ids: list[int], now: datetime | None = None) -> Project:
    """关联办件: cases submitted for the project (through cases' services, naming the project's file) join
    the running stage; their items become the stage's items."""
    now = _moment(now)
    case_ids = list(case_ids or [])
    if not case_ids:
        raise ValidationError(_("请至少选择一件办件"), field="case_ids")
    if len(case_ids) > MAX_CASES_PER_ATTACH:
        raise ValidationError(_("最多 %(n)s 项") % {"n": MAX_CASES_PER_ATTACH}, field="case_ids")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "attach_cases")
        _require_assistant(actor, locked)
        stage = _running_stage(locked)
        if stage is None:
            raise Conflict(_("没有进行中的阶段，请先启动下一阶段"), field="case_ids")
        cases = list(case_selectors.project_cases(locked.file).filter(pk__in=case_ids))
        if len(cases) != len(set(case_ids)):
            unknown = sorted(set(case_ids) - {c.pk for c in cases})
            raise ValidationError(_("办件 %(ids)s 不是为本项目申请的办件") % {"ids": ", ".join(map(str, unknown))},
                                  field="case_ids")
        taken = StageCase.objects.filter(case__in=cases).select_related("case").first()
        if taken is not None:
            raise Conflict(_("办件 %(number)s 已关联到项目阶段") % {"number": taken.case.number}, field="case_ids")
        StageCase.objects.bulk_create([StageCase(stage=stage, case=c, attached_at=now, attached_by=actor)
                                       for c in cases])
        stage.items.add(*{c.item_id for c in cases})
        _record(locked, "cases_attached", actor=actor, now=now,
                data={"stage": stage.kind, "cases": [c.number for c in cases]})
    return locked


def wait_for_applicant(*, actor, project: Project, reason: str, now: datetime | None = None) -> Project:
    """等待申请人: the builder must act (supplement, revise a design): the project's and the running
    stage's clocks stand still until `resume`."""
    now = _moment(now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请说明需要申请人做什么"), field="reason")
    if len(reason) > REASON_MAX:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": REASON_MAX}, field="reason")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "wait_for_applicant")
        _require_assistant(actor, locked)
        stage = _running_stage(locked)
        if stage is None or stage.clock_paused_since is not None:
            raise Conflict(_("%(subject)s 当前没有正在计时的阶段") % {"subject": describe(locked)})
        day = _day(now)
        clock.pause(stage, on=day)
        _save_clock(stage)
        clock.pause(locked, on=day)
        _save_clock(locked)
        _record(locked, "paused", actor=actor, now=now, reason=reason, data={"stage": stage.kind})
    return locked


def resume(*, actor, project: Project, now: datetime | None = None) -> Project:
    """恢复计时: the builder has acted; both clocks run again, their dates moved by the days paused."""
    now = _moment(now)
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "resume")
        _require_assistant(actor, locked)
        stage = _running_stage(locked)
        if stage is None or stage.clock_paused_since is None:
            raise Conflict(_("%(subject)s 没有暂停计时") % {"subject": describe(locked)})
        day = _day(now)
        paused = clock.resume(stage, on=day)
        _save_clock(stage)
        clock.resume(locked, on=day)
        _save_clock(locked)
        _record(locked, "resumed", actor=actor, now=now, data={"stage": stage.kind, "paused_days": paused})
    return locked


def stage_unfinished(stage: Stage) -> str | None:
    """Why the stage cannot be completed now (None: it can): every case attached to it has ended, at
    least one was concluded, and each of its items has a concluded case. A stage of the power company's
    own work (plans.WITHOUT_CASES) with no items or cases completes when the staff confirm it."""
    links = list(stage.links.select_related("case", "case__item"))
    if not links:
        if stage.kind in plans.WITHOUT_CASES and not stage.items.exists():
            return None  # the power company's own work: confirmed by the staff
        return _("阶段“%(stage)s”尚未关联办件") % {"stage": stage.get_kind_display()}
    open_cases = [link.case.number for link in links if link.case.state not in FINAL_CASE_STATES]
    if open_cases:
        return _("阶段“%(stage)s”还有办件未办结：%(cases)s") % {"stage": stage.get_kind_display(),
                                                          "cases": "、".join(open_cases[:5])}
    concluded = {link.case.item_id for link in links if link.case.state == CaseState.CONCLUDED}
    missing = [item.name for item in stage.items.all() if item.pk not in concluded]
    if missing:
        return _("阶段“%(stage)s”的事项尚未办结：%(items)s") % {"stage": stage.get_kind_display(),
                                                          "items": "、".join(missing[:5])}
    return None


def complete_stage(*, actor, project: Project, stage_id: int, now: datetime | None = None) -> Project:
    """完成阶段: when its cases are concluded. The stage's clock stops; the project's stands still until
    the next stage starts (or the project is closed)."""
    now = _moment(now)
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "complete_stage")
        _require_manager(actor, locked)
        stage = _stage(locked, stage_id)
        if stage.state != StageState.RUNNING:
            raise Conflict(_("阶段“%(stage)s”不在进行中") % {"stage": stage.get_kind_display()}, field="stage_id")
        reason = stage_unfinished(stage)
        if reason:
            raise Conflict(reason, field="stage_id")
        day = _day(now)
        clock.resume(stage, on=day)
        clock.stop(stage, on=day)
        stage.state = StageState.COMPLETED
        _save_clock(stage, "state")
        clock.pause(locked, on=day)
        _save_clock(locked)
        light = clock.light(stage, today=day)
        _record(locked, "stage_completed", actor=actor, now=now,
                data={"stage": stage.kind, "order": stage.order, "light": str(light),
                      "used": measured_days(stage, today=day)})
    return locked


def close_project(*, actor, project: Project, now: datetime | None = None) -> Project:
    """项目办结: every stage completed; the project's clock stops (on time or late against the
    commitment)."""
    now = _moment(now)
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, "close")
        _require_manager(actor, locked)
        left = locked.stages.exclude(state=StageState.COMPLETED).order_by("order").first()
        if left is not None:
            raise Conflict(_("阶段“%(stage)s”尚未完成，项目不能办结") % {"stage": left.get_kind_display()})
        day = _day(now)
        clock.resume(locked, on=day)
        clock.stop(locked, on=day)
        before = locked.state
        locked.state = PROJECT_MACHINE.target(before, "close")
        locked.closed_at = now
        _save_clock(locked, "state", "closed_at")
        _record(locked, "closed", actor=actor, now=now, from_state=before,
                data={"light": str(clock.light(locked, today=day)), "used": measured_days(locked, today=day),
                      "commitment": locked.clock_limit})
    return locked

