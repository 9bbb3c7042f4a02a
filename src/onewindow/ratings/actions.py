"""Every action on a bad rating's rectification, declared once (workflow.registry): the unit records the
follow-up and the result or appeals; the office accepts, sends back, or decides the appeal. The
workbench's rectification page builds its forms from this registry (workflow/forms.py) and acts through
`registry.perform`; each action calls one service of ratings/services.py, which checks every rule again
under the row's lock."""

from __future__ import annotations

from typing import Annotated, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field

from onewindow.workflow.registry import Action, Labels, LongText, Params, Registry

from . import access, services
from .models import Rectification
from .states import RECTIFICATION_MACHINE, AppealGround

registry = Registry("rectification", machine=RECTIFICATION_MACHINE,
                    describe=lambda r: _("差评整改 %(id)s") % {"id": r.pk})


def _unit(actor, r: Rectification) -> bool:
    return access.is_unit_of(actor, r)


def _office(actor, r: Rectification) -> bool:
    return access.is_office(actor)


class FollowUpParams(Params):
    note: LongText = Field(title=gettext_noop("回访情况"), description="与评价人联系的时间、方式和结果", max_length=2000)


class SubmitParams(Params):
    result: LongText = Field(title=gettext_noop("整改结果"), description="整改措施和结果", max_length=2000)


class RectificationAcceptParams(Params):
    note: LongText = Field("", title=gettext_noop("审核意见"), description="效能办意见（可不填）", max_length=2000)


class RejectParams(Params):
    note: LongText = Field(title=gettext_noop("退回理由"), description="退回重新整改的理由", max_length=2000)


class AppealParams(Params):
    ground: Annotated[Literal[tuple(AppealGround.values)], Labels.of(AppealGround)] = Field(  # type: ignore[valid-type]
        title=gettext_noop("申诉理由类型"), description="mistaken 误评 / malicious 恶意差评")
    reason: LongText = Field(title=gettext_noop("申诉理由"), description="申诉理由和依据", max_length=2000)


class DecisionParams(Params):
    decision: LongText = Field(title=gettext_noop("复核意见"), description="复核意见", max_length=2000)


def _appeal_blocked(r: Rectification) -> str | None:
    return _("该差评已申诉过一次，不能再次申诉") if r.appealed_at is not None else None


for _action in (
    Action("record_follow_up", gettext_lazy("登记回访"), gettext_lazy("回访情况已登记。"), FollowUpParams,
           ("record_follow_up",), _unit,
           lambda actor, r, p, now: services.record_follow_up(actor=actor, rectification=r, note=p.note, now=now)),
    Action("submit", gettext_lazy("报送整改结果"), gettext_lazy("整改结果已报送，等待效能办审核。"), SubmitParams,
           ("submit",), _unit,
           lambda actor, r, p, now: services.submit(actor=actor, rectification=r, result=p.result, now=now)),
    Action("appeal", gettext_lazy("申诉复核"), gettext_lazy("申诉已提交，等待效能办复核。"), AppealParams,
           ("appeal",), _unit,
           lambda actor, r, p, now: services.appeal(actor=actor, rectification=r, ground=p.ground, reason=p.reason,
                                                    now=now),
           blocked=_appeal_blocked),
    Action("accept", gettext_lazy("审核通过"), gettext_lazy("整改已审核通过。"), RectificationAcceptParams, ("accept",), _office,
           lambda actor, r, p, now: services.accept(actor=actor, rectification=r, note=p.note, now=now)),
    Action("reject", gettext_lazy("退回重新整改"), gettext_lazy("已退回责任单位重新整改。"), RejectParams,
           ("reject",), _office,
           lambda actor, r, p, now: services.reject(actor=actor, rectification=r, note=p.note, now=now)),
    Action("uphold_appeal", gettext_lazy("申诉成立"), gettext_lazy("申诉成立：该差评不计入统计，记录保留。"),
           DecisionParams, ("uphold_appeal",), _office,
           lambda actor, r, p, now: services.decide_appeal(actor=actor, rectification=r, upheld=True,
                                                           decision=p.decision, now=now)),
    Action("dismiss_appeal", gettext_lazy("申诉不成立"), gettext_lazy("申诉不成立，责任单位继续整改。"),
           DecisionParams, ("dismiss_appeal",), _office,
           lambda actor, r, p, now: services.decide_appeal(actor=actor, rectification=r, upheld=False,
                                                           decision=p.decision, now=now)),
):
    registry.register(_action)
