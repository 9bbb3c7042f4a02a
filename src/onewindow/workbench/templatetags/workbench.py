"""Template helpers of the staff pages: the navigation by role, and the clock light as a badge."""

from django import template
from django.utils.translation import gettext_lazy as _

from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role
from onewindow.workflow.clock import Light, Unit

register = template.Library()

LINKS = [
    ("workbench:home", _("工作台"), None),
    ("workbench:intake", _("窗口受理"), {Role.WINDOW_CLERK}),
    ("workbench:hall_calling", _("叫号"), {Role.WINDOW_CLERK}),
    ("workbench:inbox", _("待办任务"), {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}),
    ("workbench:case_list", _("办件"), {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:project_list", _("工程项目"), {Role.WINDOW_CLERK, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:my_projects", _("我的帮办项目"), {Role.AGENT}),
    ("workbench:dashboard", _("看板"), {Role.WINDOW_CLERK, Role.APPROVER, Role.CHIEF_REPRESENTATIVE, Role.SUPERVISOR,
                                       Role.ADMINISTRATOR}),
    ("workbench:reports", _("报表"), {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:rectifications", _("差评整改"), {Role.APPROVER, Role.CHIEF_REPRESENTATIVE, Role.WINDOW_CLERK,
                                              Role.SUPERVISOR}),
    ("workbench:rating_figures", _("评价统计"), {Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:surveys", _("社会评议"), {Role.SUPERVISOR}),
    ("workbench:supervision_board", _("效能监察"), {Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:supervision_urgings", _("督办"), {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}),
    ("workbench:appraisal", _("绩效考评"), {Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:reform", _("改革成效"), {Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:catalog_drafts", _("目录草稿"), {Role.ADMINISTRATOR}),
    ("workbench:complaint_list", _("诉求工单"), {Role.SUPERVISOR, Role.ADMINISTRATOR}),
    ("workbench:complaint_queue", _("本单位工单"), {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}),
    ("workbench:delegations", _("首席代表授权"), {Role.DEPARTMENT_HEAD}),
]

LIGHT_LABELS = {str(value): label for value, label in Light.choices}


@register.simple_tag
def staff_links(user):
    roles = org_selectors.roles_of(user)
    return [(name, label) for name, label, needed in LINKS if needed is None or roles & needed]


@register.inclusion_tag("workbench/_light.html")
def clock_light(light, days_left=None, unit=Unit.WORKING):
    """The light's badge: days overdue only when red, days left only while open (frozen while paused),
    in the clock's unit; nothing more once the clock stopped."""
    light = str(light) if light else light
    overdue = -days_left if light == Light.RED and days_left is not None and days_left < 0 else None
    if light not in (Light.GREEN, Light.YELLOW, Light.PAUSED) or (days_left is not None and days_left < 0):
        days_left = None
    return {"light": light, "label": LIGHT_LABELS.get(light, ""), "days_left": days_left, "overdue": overdue,
            "natural": unit == Unit.NATURAL}


EVENT_LABELS = {
    "submitted": _("提交申请"),
    "accepted": _("受理"),
    "refused": _("不予受理"),
    "supplement_requested": _("一次性补正告知"),
    "supplement_supplied": _("补正材料"),
    "supplied": _("补正材料"),
    "task_opened": _("环节开始"),
    "task_approved": _("环节通过"),
    "task_denied": _("环节不予通过"),
    "approved": _("审批通过"),
    "denied": _("不予许可"),
    "special_procedure_started": _("启动特别程序"),
    "special_procedure_ended": _("结束特别程序"),
    "extended": _("延长期限"),
    "waived_material_supplied": _("补齐容缺材料"),
    "fee_paid": _("缴费"),
    "paid": _("缴费"),
    "concluded": _("办结"),
    "withdrawn": _("撤回"),
    "certificate_issued": _("颁发电子证照"),
    "instant_approved": _("秒批"),
    "agent_assigned": _("指派代办员"),
    "deadline_recomputed": _("重算期限"),
    "step_opened": _("环节开始"),
    "instant_approval_declined": _("不符合秒批条件，转人工审批"),
    "material_file_opened": _("查阅申请材料文件"),
}


@register.filter
def event_label(action: str) -> str:
    """onewindow.case.accepted → 受理; an unknown code is shown as it is."""
    verb = (action or "").rsplit(".", 1)[-1]
    return str(EVENT_LABELS.get(verb, action))


@register.filter
def state_label(value: str) -> str:
    from onewindow.cases.states import CaseState, TaskState

    for choices in (CaseState, TaskState):
        if value in choices.values:
            return str(choices(value).label)
    return value
