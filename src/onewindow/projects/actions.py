"""Every action on a project, declared once (workflow.registry): its typed input, the transition it
needs (states.PROJECT_MACHINE), who may take it (access), the options its form offers and the one
service it calls. The workbench's project page, the API (`/api/v1/projects/{code}/actions`) offer exactly
what `registry.offers(person, project)` says and act through `registry.perform`. Registering a project
creates one and is its own service (`services.register_project`)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field

from onewindow.workflow.registry import Action, Choice, Choices, LongText, Params, Registry

from . import access, selectors, services
from .models import Project, Stage
from .states import PROJECT_MACHINE, StageState

registry = Registry("project", machine=PROJECT_MACHINE, describe=services.describe)


def _manager(actor, project: Project) -> bool:
    return access.manages(actor, project)


def _assistant(actor, project: Project) -> bool:
    return access.may_assist(actor, project)


def _running(project: Project) -> Stage | None:
    return project.stages.filter(state=StageState.RUNNING).first()


def _next_stage(project: Project) -> Stage | None:
    if _running(project) is not None:
        return None
    return project.stages.filter(state=StageState.PENDING).order_by("order").first()


class ProjectStartStageParams(Params):
    stage_id: int = Field(title=gettext_noop("阶段"), description="要启动的阶段 id（须为下一个未开始的阶段）")
    item_ids: list[int] = Field(default_factory=list, max_length=services.MAX_ITEMS_PER_STAGE,
                                title=gettext_noop("本阶段事项"),
                                description="本阶段需办理的事项 id（可省略：关联办件时自动加入）")


def _start_choices(actor, project: Project) -> Choices:
    stage = _next_stage(project)
    cases = selectors.unattached_cases(project)
    items = {c.item_id: c.item.name for c in cases}
    return {"stage_id": [Choice(stage.pk, f"{stage.order}. {stage.get_kind_display()}（{stage.planned_limit} 个工作日）")]
            if stage else [],
            "item_ids": [Choice(pk, name, selected=True) for pk, name in items.items()]}


def _start_blocked(project: Project) -> str | None:
    running = _running(project)
    if running is not None:
        return _("阶段“%(stage)s”尚未完成，各阶段须依次办理") % {"stage": running.get_kind_display()}
    if _next_stage(project) is None:
        return _("各阶段均已启动")
    return None


class ProjectAttachCasesParams(Params):
    case_ids: list[int] = Field(min_length=1, max_length=services.MAX_CASES_PER_ATTACH, title=gettext_noop("办件"),
                                description="为本项目申请的办件 id，关联到进行中的阶段")


def _attach_choices(actor, project: Project) -> Choices:
    return {"case_ids": [Choice(c.pk, f"{c.number} {c.item.name}（{c.get_state_display()}）")
                         for c in selectors.unattached_cases(project)]}


def _needs_running(project: Project) -> str | None:
    if _running(project) is None:
        return _("没有进行中的阶段，请先启动下一阶段")
    return None


class ProjectWaitParams(Params):
    reason: LongText = Field(title=gettext_noop("需要申请人做什么"), max_length=services.REASON_MAX,
                             description="如：补充设计文件、修改总平面图（必填）")


def _wait_blocked(project: Project) -> str | None:
    running = _running(project)
    if running is None:
        return _needs_running(project)
    if running.clock_paused_since is not None:
        return _("已在等待申请人，计时已暂停")
    return None


class ProjectResumeParams(Params):
    pass


def _resume_blocked(project: Project) -> str | None:
    running = _running(project)
    if running is None or running.clock_paused_since is None:
        return _("没有暂停计时")
    return None


class ProjectCompleteStageParams(Params):
    stage_id: int = Field(title=gettext_noop("阶段"), description="进行中的阶段 id（其办件均已办结）")


def _complete_choices(actor, project: Project) -> Choices:
    stage = _running(project)
    return {"stage_id": [Choice(stage.pk, f"{stage.order}. {stage.get_kind_display()}")] if stage else []}


def _complete_blocked(project: Project) -> str | None:
    running = _running(project)
    if running is None:
        return _needs_running(project)
    return services.stage_unfinished(running)


class ProjectCloseParams(Params):
    pass


def _close_blocked(project: Project) -> str | None:
    left = project.stages.exclude(state=StageState.COMPLETED).order_by("order").first()
    if left is not None:
        return _("阶段“%(stage)s”尚未完成，项目不能办结") % {"stage": left.get_kind_display()}
    return None


def _start(actor, project, p: ProjectStartStageParams, now: datetime | None):
    return services.start_stage(actor=actor, project=project, stage_id=p.stage_id, item_ids=p.item_ids, now=now)


for _action in (
    Action("start_stage", gettext_lazy("启动阶段"), gettext_lazy("阶段已启动，开始计时。"), ProjectStartStageParams,
           ("start_stage",), _manager, _start, choices=_start_choices, blocked=_start_blocked,
           description="各阶段依次办理：启动下一个未开始的阶段，阶段与项目开始（或恢复）计时"),
    Action("attach_cases", gettext_lazy("关联办件"), gettext_lazy("办件已关联到进行中的阶段。"), ProjectAttachCasesParams,
           ("attach_cases",), _assistant,
           lambda actor, project, p, now: services.attach_cases(actor=actor, project=project, case_ids=p.case_ids,
                                                                now=now),
           choices=_attach_choices, blocked=_needs_running,
           description="为本项目申请的办件关联到进行中的阶段，其事项成为本阶段事项"),
    Action("wait_for_applicant", gettext_lazy("等待申请人"), gettext_lazy("已暂停计时，等待申请人。"), ProjectWaitParams,
           ("wait_for_applicant",), _assistant,
           lambda actor, project, p, now: services.wait_for_applicant(actor=actor, project=project, reason=p.reason,
                                                                      now=now),
           blocked=_wait_blocked, description="需要建设单位补充或修改时，项目和进行中阶段的计时暂停"),
    Action("resume", gettext_lazy("恢复计时"), gettext_lazy("已恢复计时。"), ProjectResumeParams, ("resume",), _assistant,
           lambda actor, project, p, now: services.resume(actor=actor, project=project, now=now),
           blocked=_resume_blocked),
    Action("complete_stage", gettext_lazy("完成阶段"), gettext_lazy("阶段已完成。"), ProjectCompleteStageParams,
           ("complete_stage",), _manager,
           lambda actor, project, p, now: services.complete_stage(actor=actor, project=project, stage_id=p.stage_id,
                                                                  now=now),
           choices=_complete_choices, blocked=_complete_blocked,
           description="阶段的办件均已办结、每个事项都有办结的办件时，完成本阶段"),
    Action("close", gettext_lazy("项目办结"), gettext_lazy("项目已办结。"), ProjectCloseParams, ("close",), _manager,
           lambda actor, project, p, now: services.close_project(actor=actor, project=project, now=now),
           blocked=_close_blocked, description="各阶段均已完成，项目计时结束"),
):
    registry.register(_action)
