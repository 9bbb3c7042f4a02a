"""The states of a case and of its tasks, and the one table of allowed transitions.

Every transition goes through `cases.transitions.transition` (after `lock_case`), which checks this table
and writes the audit event. Nothing else assigns `state`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交，待受理")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("待补正")
    IN_PROGRESS = "in_progress", _("审批中")
    SUSPENDED = "suspended", _("特别程序中（计时暂停）")
    APPROVED = "approved", _("已批准，待送达")
    CONCLUDED = "concluded", _("已办结")
    DENIED = "denied", _("不予许可")
    REFUSED = "refused", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


FINAL_CASE_STATES = {CaseState.CONCLUDED, CaseState.DENIED, CaseState.REFUSED, CaseState.WITHDRAWN}

# action name -> (allowed from-states, to-state). `None` to-state: the action keeps the state.
CASE_TRANSITIONS: dict[str, tuple[set[str], str | None]] = {
    "accept": ({CaseState.SUBMITTED}, CaseState.IN_PROGRESS),
    "request_supplement_at_intake": ({CaseState.SUBMITTED}, CaseState.SUPPLEMENT_REQUESTED),
    "supply": ({CaseState.SUPPLEMENT_REQUESTED}, None),  # back to where it was asked from
    "refuse": ({CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED}, CaseState.REFUSED),
    "request_supplement_in_review": ({CaseState.IN_PROGRESS}, CaseState.SUPPLEMENT_REQUESTED),
    "start_special_procedure": ({CaseState.IN_PROGRESS}, CaseState.SUSPENDED),
    "end_special_procedure": ({CaseState.SUSPENDED}, CaseState.IN_PROGRESS),
    "extend": ({CaseState.IN_PROGRESS, CaseState.SUSPENDED}, None),
    "approve_all": ({CaseState.IN_PROGRESS}, CaseState.APPROVED),
    "deny": ({CaseState.IN_PROGRESS}, CaseState.DENIED),
    "conclude": ({CaseState.APPROVED}, CaseState.CONCLUDED),
    "withdraw": ({CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED, CaseState.IN_PROGRESS,
                  CaseState.SUSPENDED}, CaseState.WITHDRAWN),
}


class TaskState(models.TextChoices):
    WAITING = "waiting", _("未开始")
    OPEN = "open", _("办理中")
    SUSPENDED = "suspended", _("特别程序中")
    APPROVED = "approved", _("已通过")
    DENIED = "denied", _("不予通过")
    CANCELLED = "cancelled", _("已终止")


OPEN_TASK_STATES = {TaskState.OPEN, TaskState.SUSPENDED}
