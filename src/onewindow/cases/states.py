"""The states of a case and of its tasks, and the one table of allowed transitions of each.

Each row says where an action may start, where it leads (None: it keeps the state), what a person
calls it and the audit verb it writes (onewindow.case.<verb>). Every change of a case's state goes
through `cases.transitions.transition` (after `lock_case`), every change of a task's state through
`cases.transitions.task_transition`; both check these tables. Nothing else assigns `state`."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.machine import Machine, transition


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
# A case whose applicant may still owe something (a fee, a waived material) and pay or supply it.
ACTIVE_CASE_STATES = {CaseState.IN_PROGRESS, CaseState.SUSPENDED, CaseState.SUPPLEMENT_REQUESTED,
                      CaseState.APPROVED}
_OPEN = (CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED, CaseState.IN_PROGRESS, CaseState.SUSPENDED)

CASE_MACHINE = Machine("case", states=CaseState, transitions={
    "accept": transition({CaseState.SUBMITTED}, CaseState.IN_PROGRESS, _("受理"), "accepted"),
    "request_supplement_at_intake": transition({CaseState.SUBMITTED}, CaseState.SUPPLEMENT_REQUESTED,
                                               _("一次性告知补正"), "supplement_requested"),
    # back to where the supplement was asked from (the caller names it)
    "supply": transition({CaseState.SUPPLEMENT_REQUESTED}, None, _("补正材料"), "supplied"),
    "refuse": transition({CaseState.SUBMITTED, CaseState.SUPPLEMENT_REQUESTED}, CaseState.REFUSED,
                         _("不予受理"), "refused"),
    "request_supplement_in_review": transition({CaseState.IN_PROGRESS}, CaseState.SUPPLEMENT_REQUESTED,
                                               _("要求补正"), "supplement_requested"),
    "start_special_procedure": transition({CaseState.IN_PROGRESS}, CaseState.SUSPENDED, _("启动特别程序"),
                                          "special_procedure_started"),
    "end_special_procedure": transition({CaseState.SUSPENDED}, CaseState.IN_PROGRESS, _("结束特别程序"),
                                        "special_procedure_ended"),
    "extend": transition({CaseState.IN_PROGRESS, CaseState.SUSPENDED}, None, _("延长办理时限"), "extended"),
    "approve_task": transition({CaseState.IN_PROGRESS}, None, _("审批通过"), "task_approved"),
    "approve_all": transition({CaseState.IN_PROGRESS}, CaseState.APPROVED, _("批准"), "approved"),
    "deny": transition({CaseState.IN_PROGRESS}, CaseState.DENIED, _("不予许可"), "denied"),
    "pay": transition(ACTIVE_CASE_STATES, None, _("登记缴费"), "fee_paid"),
    "supply_waived": transition(ACTIVE_CASE_STATES, None, _("补齐容缺材料"), "waived_material_supplied"),
    "conclude": transition({CaseState.APPROVED}, CaseState.CONCLUDED, _("办结送达"), "concluded"),
    "withdraw": transition(_OPEN, CaseState.WITHDRAWN, _("撤回申请"), "withdrawn"),
})


class TaskState(models.TextChoices):
    WAITING = "waiting", _("未开始")
    OPEN = "open", _("办理中")
    SUSPENDED = "suspended", _("特别程序中")
    APPROVED = "approved", _("已通过")
    DENIED = "denied", _("不予通过")
    CANCELLED = "cancelled", _("已终止")


OPEN_TASK_STATES = {TaskState.OPEN, TaskState.SUSPENDED}

# A task's own table. A task is created waiting (the acceptance stage's is done by the window at once);
# its step opens when the steps before it are done; the department approves or denies it; a special
# procedure suspends and resumes it; a denial or a withdrawal cancels what is left; a decision at once
# (immediate item, instant approval) and the conclusion complete what is left.
TASK_MACHINE = Machine("task", states=TaskState, transitions={
    "accept_at_window": transition({TaskState.WAITING}, TaskState.APPROVED, _("综合窗口受理")),
    "open": transition({TaskState.WAITING}, TaskState.OPEN, _("开始办理")),
    "approve": transition({TaskState.OPEN}, TaskState.APPROVED, _("审批通过")),
    "deny": transition({TaskState.OPEN}, TaskState.DENIED, _("不予许可")),
    "suspend": transition({TaskState.OPEN}, TaskState.SUSPENDED, _("启动特别程序")),
    "resume": transition({TaskState.SUSPENDED}, TaskState.OPEN, _("结束特别程序")),
    "cancel": transition({TaskState.WAITING, TaskState.OPEN, TaskState.SUSPENDED}, TaskState.CANCELLED,
                         _("终止")),
    "decide_at_once": transition({TaskState.WAITING, TaskState.OPEN}, TaskState.APPROVED, _("当场决定")),
    "complete_at_conclusion": transition({TaskState.WAITING, TaskState.OPEN}, TaskState.APPROVED, _("办结")),
})
