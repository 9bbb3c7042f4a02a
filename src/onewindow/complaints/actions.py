"""Every action on a work order, declared once (the engine's registry, as cases/actions.py): its typed
input, its transition, who may take it (access.py), the options its form offers and the one service it
calls. The office's and the unit's pages, the complainant's page, the API and `onewindow complaints act`
all offer what `registry.available(person, order)` says and act through `registry.perform`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field

from onewindow.orgs.models import Department
from onewindow.workflow.registry import Action, Choice, Choices, Labels, LongText, Params, Registry

from . import access, services
from .models import RatingSource, Satisfaction, WorkOrder
from .states import ORDER_MACHINE

registry = Registry("work_order", machine=ORDER_MACHINE, describe=services.describe)


def _office(actor, order: WorkOrder) -> bool:
    return access.is_office(actor)


def _unit(actor, order: WorkOrder) -> bool:
    return access.is_unit_of(actor, order)


def _complainant(actor, order: WorkOrder) -> bool:
    return access.is_complainant(actor, order)


class DispatchParams(Params):
    department_id: int = Field(title=gettext_noop("承办单位"), description="承办单位（部门）id")
    note: LongText = Field("", max_length=2000, title=gettext_noop("派单意见"))


def _dispatch_choices(actor, order: WorkOrder) -> Choices:
    """The dispatch suggestion's three units first (from the linked case or item, else the words), then
    every active department; a unit that returned the order is marked."""
    from .dispatch import suggest

    returned = set(order.returns.values_list("department_id", flat=True))
    try:
        suggested = [s for s in suggest(order.text, case=order.case, item=order.item) if s.department_id]
    except Exception:  # noqa: BLE001 - a broken model must not stop dispatching by hand
        suggested = []
    options, seen = [], set()
    for rank, s in enumerate(suggested, 1):
        assert s.department_id is not None
        seen.add(s.department_id)
        options.append(Choice(s.department_id, f"★{rank} {s.unit_name}（{round(100 * s.score)} %）",
                              selected=rank == 1))
    for pk, name in Department.objects.filter(is_active=True).order_by("name").values_list("id", "name"):
        if pk not in seen:
            options.append(Choice(pk, name + (_(" · 曾退单") if pk in returned else "")))
    return {"department_id": options}


class SignParams(Params):
    pass


class ReturnParams(Params):
    basis: LongText = Field(max_length=2000, title=gettext_noop("退单依据"),
                            description="不属本单位职责的依据（法律法规、三定方案或权责清单）")


SUBSTANTIATED = (("yes", gettext_lazy("属实")), ("partly", gettext_lazy("部分属实")), ("no", gettext_lazy("不属实")),
                 ("na", gettext_lazy("不适用（非投诉类）")))


class ReplyParams(Params):
    reply: LongText = Field(max_length=4000, title=gettext_noop("答复内容"), description="调查核实情况和处理结果")
    substantiated: Annotated[Literal["yes", "partly", "no", "na"], Labels(SUBSTANTIATED)] = Field(
        "na", title=gettext_noop("是否属实"),
        description="yes 属实、partly 部分属实（计为属实）、no 不属实；投诉和办不成事反映必填")


def _reply(actor, order, p: ReplyParams, now):
    verdict = {"yes": True, "partly": True, "no": False}.get(p.substantiated)
    return services.reply_order(actor=actor, order=order, reply=p.reply, substantiated=verdict, now=now)


class RateParams(Params):
    satisfaction: Annotated[Literal[tuple(Satisfaction.values)], Labels.of(Satisfaction)] = Field(  # type: ignore[valid-type]
        title=gettext_noop("满意度"), description="satisfied 满意、basically 基本满意、unsatisfied 不满意（首次不满意将重办一次）")
    comment: LongText = Field("", max_length=2000, title=gettext_noop("评价意见"))


class CloseParams(Params):
    reason: LongText = Field(max_length=2000, title=gettext_noop("归档理由"),
                             description="当场答复的内容、重复工单的说明，或多次回访未果")


def _rate(source):
    def perform(actor, order, p: RateParams, now: datetime | None):
        return services.rate_order(actor=actor, order=order, satisfaction=p.satisfaction, comment=p.comment,
                                   source=source, now=now)
    return perform


for _action in (
    Action("dispatch", gettext_lazy("派单"), gettext_lazy("已派单，承办单位签收和答复计时开始。"), DispatchParams,
           ("dispatch",), _office,
           lambda actor, order, p, now: services.dispatch_order(actor=actor, order=order,
                                                                department_id=p.department_id, note=p.note, now=now),
           choices=_dispatch_choices, description="按职责派给承办单位；退单后重新派单"),
    Action("sign", gettext_lazy("签收"), gettext_lazy("已签收，请在答复期限内调查处理并答复。"), SignParams, ("sign",),
           _unit, lambda actor, order, p, now: services.sign_order(actor=actor, order=order, now=now)),
    Action("return", gettext_lazy("退单"), gettext_lazy("已退回效能办重新派单。"), ReturnParams, ("return",), _unit,
           lambda actor, order, p, now: services.return_order(actor=actor, order=order, basis=p.basis, now=now),
           description="不属本单位职责的，写明依据后退回"),
    Action("reply", gettext_lazy("答复"), gettext_lazy("已答复诉求人。"), ReplyParams, ("reply",), _unit, _reply,
           description="答复调查处理结果；投诉须认定是否属实"),
    Action("rate", gettext_lazy("评价答复"), gettext_lazy("感谢您的评价。"), RateParams, ("rate",), _complainant,
           _rate(RatingSource.COMPLAINANT), description="诉求人评价答复；首次不满意的，工单重办一次"),
    Action("follow_up", gettext_lazy("登记回访结果"), gettext_lazy("回访结果已登记。"), RateParams, ("follow_up",),
           _office, _rate(RatingSource.FOLLOW_UP_CALL), description="效能办电话回访后登记诉求人的满意度"),
    Action("close", gettext_lazy("办结归档"), gettext_lazy("工单已办结归档。"), CloseParams, ("close",), _office,
           lambda actor, order, p, now: services.close_order(actor=actor, order=order, reason=p.reason, now=now)),
):
    registry.register(_action)
