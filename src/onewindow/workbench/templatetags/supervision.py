"""Template helpers of the efficiency office's pages: a work item's clock light (workflow.clock) as a
badge, and the names of the office's audit events."""

from django import template
from django.utils.translation import gettext_lazy as _

from onewindow.workflow import clock

register = template.Library()

EVENTS = {
    "urged": _("督办"), "urging_answered": _("答复督办"), "urging_closed": _("督办办结"),
    "urging_reopened": _("退回重新答复"), "inspected": _("记录明察暗访"), "photo_added": _("上传照片"),
    "notice_issued": _("印发通报"), "rectification_reported": _("报送整改结果"),
    "rectification_verified": _("确认整改到位"), "rectification_sent_back": _("退回继续整改"),
    "held_accountable": _("问责"), "denial_reviewed": _("审查否定报备"),
}


@register.inclusion_tag("workbench/_light.html")
def work_light(item, today):
    light = clock.light(item, today=today)
    days_left = clock.days_left(item, today=today) if light in clock.OPEN_LIGHTS else None
    overdue = -days_left if days_left is not None and days_left < 0 else None
    return {"light": str(light) if light else None, "label": light.label if light else "", "days_left": days_left,
            "overdue": overdue}


@register.filter
def office_event(action: str) -> str:
    return str(EVENTS.get(action.rsplit(".", 1)[-1], action))
