"""A project's states and the one table of what may happen in each (workflow.machine). Stages have
their own states; which stage may start is the order rule in services (stages run one after another)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import Machine, transition


class ProjectState(models.TextChoices):
    REGISTERED = "registered", _("已登记，待启动")
    IN_PROGRESS = "in_progress", _("推进中")
    CLOSED = "closed", _("已办结")


class StageState(models.TextChoices):
    PENDING = "pending", _("未开始")
    RUNNING = "running", _("进行中")
    COMPLETED = "completed", _("已完成")


_ACTIVE = {ProjectState.REGISTERED, ProjectState.IN_PROGRESS}

PROJECT_MACHINE = Machine("project", states=ProjectState, transitions={
    "start_stage": transition(_ACTIVE, ProjectState.IN_PROGRESS, _("启动阶段"), "stage_started"),
    "attach_cases": transition({ProjectState.IN_PROGRESS}, None, _("关联办件"), "cases_attached"),
    "wait_for_applicant": transition({ProjectState.IN_PROGRESS}, None, _("等待申请人（暂停计时）"), "paused"),
    "resume": transition({ProjectState.IN_PROGRESS}, None, _("恢复计时"), "resumed"),
    "complete_stage": transition({ProjectState.IN_PROGRESS}, None, _("完成阶段"), "stage_completed"),
    "close": transition({ProjectState.IN_PROGRESS}, ProjectState.CLOSED, _("项目办结"), "closed"),
})
