"""The actions on the efficiency office's own work items, declared once (like cases/actions.py): an
urging is answered by its unit and closed or sent back by the office; a rectification is reported by
its unit and verified or sent back by the office. The workbench's pages build their forms from these
registries (workflow/forms.py) and act through `registry.perform`."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field

from onewindow.workflow.registry import Action, LongText, Params, Registry

from . import access, services
from .models import Rectification, Urging
from .states import RECTIFICATION_MACHINE, URGING_MACHINE


def _describe_urging(urging: Urging) -> str:
    return str(gettext_lazy("督办“%(t)s”")) % {"t": urging.target_label}


def _describe_rectification(row: Rectification) -> str:
    return str(gettext_lazy("整改任务“%(t)s”")) % {"t": row.finding[:30]}


urgings = Registry("urging", machine=URGING_MACHINE, describe=_describe_urging)
rectifications = Registry("rectification", machine=RECTIFICATION_MACHINE, describe=_describe_rectification,
                         schema_prefix="SupervisionRectification")  # ratings has a "rectification" registry too


def _unit(actor, obj) -> bool:
    return access.speaks_for(actor, obj.department_id)


def _office(actor, obj) -> bool:
    return access.is_office(actor)


class AnswerParams(Params):
    answer: LongText = Field(title=gettext_noop("答复内容"), description="已采取的措施和预计办结时间")


class NoteParams(Params):
    note: LongText = Field("", title=gettext_noop("说明"), description="办结说明（可不填）")


class ReasonParams(Params):
    reason: LongText = Field(title=gettext_noop("退回理由"), description="退回的理由（必填）")


class ReportParams(Params):
    report: LongText = Field(title=gettext_noop("整改情况"), description="整改措施和结果")


def _answer(actor, urging: Urging, p: AnswerParams, now: datetime | None):
    return services.answer_urging(actor=actor, urging=urging, answer=p.answer, now=now)


def _close(actor, urging: Urging, p: NoteParams, now: datetime | None):
    return services.close_urging(actor=actor, urging=urging, note=p.note, now=now)


def _reopen(actor, urging: Urging, p: ReasonParams, now: datetime | None):
    return services.reopen_urging(actor=actor, urging=urging, reason=p.reason, now=now)


def _report(actor, row: Rectification, p: ReportParams, now: datetime | None):
    return services.report_rectification(actor=actor, rectification=row, report=p.report, now=now)


def _verify(actor, row: Rectification, p: NoteParams, now: datetime | None):
    return services.verify_rectification(actor=actor, rectification=row, note=p.note, now=now)


def _send_back(actor, row: Rectification, p: ReasonParams, now: datetime | None):
    return services.send_back_rectification(actor=actor, rectification=row, reason=p.reason, now=now)


urgings.register(Action("answer", gettext_lazy("答复督办"), gettext_lazy("已答复督办"), AnswerParams, ("answer",),
                        _unit, _answer))
urgings.register(Action("close", gettext_lazy("督办办结"), gettext_lazy("督办已办结"), NoteParams, ("close",),
                        _office, _close))
urgings.register(Action("reopen", gettext_lazy("退回重新答复"), gettext_lazy("已退回被督办单位"), ReasonParams,
                        ("reopen",), _office, _reopen))
rectifications.register(Action("report", gettext_lazy("报送整改结果"), gettext_lazy("整改结果已报送"), ReportParams,
                               ("report",), _unit, _report))
rectifications.register(Action("verify", gettext_lazy("确认整改到位"), gettext_lazy("已确认整改到位"), NoteParams,
                               ("verify",), _office, _verify))
rectifications.register(Action("send_back", gettext_lazy("退回继续整改"), gettext_lazy("已退回继续整改"),
                               ReasonParams, ("send_back",), _office, _send_back))

REGISTRIES = {"urging": urgings, "rectification": rectifications}
