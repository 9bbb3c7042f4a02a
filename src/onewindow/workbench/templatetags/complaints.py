"""Template helpers of the complaint centre's pages: a work order's light, its events' names, rates."""

from django import template
from django.utils.translation import gettext_lazy as _

from onewindow.workflow.clock import Light

register = template.Library()

EVENT_LABELS = {
    "registered": _("登记"),
    "dispatched": _("派单"),
    "signed": _("签收"),
    "returned": _("退单"),
    "replied": _("答复"),
    "rated": _("评价"),
    "reopened": _("不满意，重办"),
    "closed": _("办结归档"),
    "urged": _("督办"),
}


@register.inclusion_tag("workbench/complaints/_light.html")
def order_light(light, days_left=None):
    label = Light(light).label if light in Light.values else ""
    open_ = light in ("green", "yellow", "red")
    overdue = -days_left if days_left is not None and days_left < 0 else None
    return {"light": light, "label": label, "days_left": days_left if open_ else None, "overdue": overdue,
            "open": open_}


@register.filter
def order_event_label(action: str) -> str:
    verb = (action or "").rsplit(".", 1)[-1]
    return str(EVENT_LABELS.get(verb, action))


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{100 * float(value):.1f} %"


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key)
