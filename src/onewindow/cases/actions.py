"""Every action a person takes on a case, declared once: its typed input, the transitions it needs, who
may take it (cases.access), the options its form offers and the one service it calls. The API
(`POST/GET /api/v1/cases/{number}/actions`), the workbench's case page and the CLI (`onewindow cases
act|actions`) offer exactly what `registry.available(person, case)` says and act through
`registry.perform`.

A department acting on a task names it (`task_id`, `procedure_id`): nothing is guessed, so a repeated
press of "approve" meets the approved task (409) and never approves the next one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from pydantic import Field, Strict

from onewindow.core.errors import ValidationError
from onewindow.workflow.registry import Action, Choice, Choices, Labels, LongText, Params, Registry

from . import access, selectors, services
from .approval import MAX_PROCEDURE_DAYS
from .models import (
    Case,
    CaseMaterialStatus,
    DeliveryMethod,
    Fee,
    FeeState,
    ProcedureKind,
    SpecialProcedure,
    SupplementRequest,
    Task,
)
from .states import CASE_MACHINE, OPEN_TASK_STATES, CaseState, TaskState
from .transitions import describe

# JSON has no dates and its object keys are strings: these two are read leniently even in strict mode.
MaterialKey = Annotated[int, Strict(False)]
PromisedDate = Annotated[date, Strict(False)]
FETCHED = (CaseMaterialStatus.FROM_CERTIFICATE, CaseMaterialStatus.FROM_DATA_SHARING)

registry = Registry("case", machine=CASE_MACHINE, describe=describe)


# -- who, and what a form offers ------------------------------------------------------------------------

def _clerk(actor, case: Case) -> bool:
    return access.is_clerk_of(actor, case.centre_id)


def _applicant_side(actor, case: Case) -> bool:
    """The applicant, their agent, or a clerk of the case's centre (at the window)."""
    return _clerk(actor, case) or access.acts_for_applicant(actor, case)


def _department_staff(actor, case: Case) -> bool:
    """An approver or chief representative: which task is theirs the service checks (403 otherwise)."""
    return bool(access.department_ids(actor)) or bool(access.delegation_scopes(actor))


def _my_tasks(actor, case: Case, states) -> list[Task]:
    if not _department_staff(actor, case):
        return []
    tasks = case.tasks.filter(state__in=states).select_related("case", "department").order_by("step", "id")
    return [task for task in tasks if access.can_handle_task(actor, task)]


def _task_choices(actor, case: Case) -> Choices:
    return {"task_id": [Choice(t.pk, f"{t.step}. {t.name} · {t.department.name}")
                        for t in _my_tasks(actor, case, [TaskState.OPEN])]}


def _task(case: Case, task_id: int) -> Task:
    task = selectors.task_of_case(case.pk, task_id)
    if task is None:
        raise ValidationError(_("该办件没有编号为 %(id)s 的审批任务") % {"id": task_id}, field="task_id")
    return task


def _pending_supplement(case: Case) -> SupplementRequest | None:
    return case.supplement_requests.filter(supplied_at__isnull=True).order_by("-requested_at", "-id").first()


# -- intake ---------------------------------------------------------------------------------------------

class AcceptParams(Params):
    provided_material_ids: list[int] = Field(
        default_factory=list, max_length=200, title=gettext_noop("现场核验已提交的材料"),
        description="此前缺少、现场核验已提交的材料 id material ids handed in now")
    waivers: dict[MaterialKey, PromisedDate | None] = Field(
        default_factory=dict, title=gettext_noop("容缺材料及承诺补齐日期"),
        description="容缺受理：材料 id → 承诺补齐日期 (YYYY-MM-DD)，在目录规定的容缺补齐时限（工作日）内；null 为时限"
                    "期满之日 waivable material id → promised date within the material's term, null for its last day")
    promise_note: LongText = Field("", title=gettext_noop("承诺说明"), description="申请人书面承诺的说明（300 字内）")


def _accept_choices(actor, case: Case) -> Choices:
    missing = [(cm.material_id, cm) for cm in case.materials.select_related("material")
               if cm.status == CaseMaterialStatus.MISSING and cm.material_id]
    return {"provided_material_ids": [Choice(material_id, cm.name) for material_id, cm in missing if material_id],
            "waivers": [Choice(material_id, _("%(name)s（可容缺，%(n)s 个工作日内补齐）") % {
                "name": cm.name, "n": cm.material.waiver_term_days})
                        for material_id, cm in missing if material_id and cm.material is not None and cm.material.waivable]}


def _accept(actor, case: Case, p: AcceptParams, now: datetime | None):
    return services.accept_case(clerk=actor, case=case, waivers=p.waivers or None, promise_note=p.promise_note,
                                provided_material_ids=p.provided_material_ids, now=now)


class RefuseParams(Params):
    reason: LongText = Field(title=gettext_noop("不予受理理由"), description="不予受理的书面理由（必填）")


def _refuse_blocked(case: Case) -> str | None:
    if case.state != CaseState.SUPPLEMENT_REQUESTED:
        return None
    pending = _pending_supplement(case)
    if pending is not None and pending.return_state != CaseState.SUBMITTED:
        return _("办件 %(number)s 已受理，补正期间不能再作出不予受理决定") % {"number": case.number}
    return None


class DefectIn(Params):
    material_id: int | None = Field(None, description="需补正的材料 id（目录材料）")
    name: str = Field("", max_length=200, description="不是目录材料时，需补正事项的名称")
    reason: str = Field(description="需补正的原因，如：复印件不清晰")


class RequestSupplementParams(Params):
    defects: list[DefectIn] = Field(max_length=200, title=gettext_noop("需补正的材料"),
                                    description="一次性告知的全部补正内容（至少一项）")


def _may_request_supplement(actor, case: Case) -> bool:
    if case.state == CaseState.SUBMITTED:
        return _clerk(actor, case)
    return bool(_my_tasks(actor, case, [TaskState.OPEN]))


def _supplement_choices(actor, case: Case) -> Choices:
    rows = [cm for cm in case.materials.all() if cm.material_id and cm.status not in FETCHED]
    return {"defects": [Choice(cm.material_id or 0, cm.name, selected=cm.status == CaseMaterialStatus.MISSING)
                        for cm in rows]}


class SupplyParams(Params):
    provided_material_ids: list[int] = Field(
        default_factory=list, max_length=200, title=gettext_noop("已补正的材料"),
        description="补正告知所列、现已提交的材料 id")


def _supply_choices(actor, case: Case) -> Choices:
    pending = _pending_supplement(case)
    defects = pending.defects if pending else []
    return {"provided_material_ids": [Choice(d["material_id"], d.get("name") or str(d["material_id"]), selected=True)
                                      for d in defects if d.get("material_id") is not None]}


# -- approval -------------------------------------------------------------------------------------------

class ApproveParams(Params):
    task_id: int = Field(title=gettext_noop("审批环节"), description="审批任务 id（见办件的 tasks）")
    opinion: LongText = Field("", title=gettext_noop("审查意见"))


class DenyParams(Params):
    task_id: int = Field(title=gettext_noop("审批环节"), description="审批任务 id（见办件的 tasks）")
    reason: LongText = Field(title=gettext_noop("不予许可理由"), description="书面理由（必填），报效能办备案")


class StartSpecialProcedureParams(Params):
    task_id: int = Field(title=gettext_noop("审批环节"), description="审批任务 id（见办件的 tasks）")
    kind: Annotated[Literal[tuple(ProcedureKind.values)], Labels.of(ProcedureKind)] = Field(  # type: ignore[valid-type]
        title=gettext_noop("特别程序"), description="特别程序类型：" + "、".join(ProcedureKind.values))
    limit_days: int = Field(ge=1, le=MAX_PROCEDURE_DAYS, title=gettext_noop("程序时限（工作日）"),
                            description="特别程序自身的时限（工作日），书面告知申请人")
    reason: LongText = Field(title=gettext_noop("理由"), description="启动理由（必填）")
    exception_reason: LongText = Field(
        "", title=gettext_noop("例外理由（事项未承诺该程序或超过承诺时限时填写）"),
        description="事项未在目录中承诺该特别程序，或时限超过承诺的时限时写明，报效能办（不写则以启动理由为准）")


class EndSpecialProcedureParams(Params):
    procedure_id: int = Field(title=gettext_noop("进行中的特别程序"), description="特别程序 id")
    outcome: LongText = Field(title=gettext_noop("结论"), description="特别程序的结论（必填）")


def _procedure_choices(actor, case: Case) -> Choices:
    mine = _my_tasks(actor, case, [TaskState.SUSPENDED])
    procedures = SpecialProcedure.objects.filter(case=case, ended_on__isnull=True, task__in=mine).order_by("id")
    return {"procedure_id": [Choice(p.pk, f"{p.get_kind_display()}（{p.started_on} 起，{p.limit_days} 个工作日）")
                             for p in procedures]}


def _end_procedure(actor, case: Case, p: EndSpecialProcedureParams, now: datetime | None):
    procedure = (SpecialProcedure.objects.filter(case=case, pk=p.procedure_id)
                 .select_related("case", "task", "task__department").first())
    if procedure is None:
        raise ValidationError(_("该办件没有编号为 %(id)s 的特别程序") % {"id": p.procedure_id}, field="procedure_id")
    return services.end_special_procedure(approver=actor, procedure=procedure, outcome=p.outcome, now=now)


class ExtendParams(Params):
    days: int = Field(ge=1, title=gettext_noop("延长工作日"), description="延长的工作日数，不超过事项可延长的余额")
    reason: LongText = Field(title=gettext_noop("延长理由"), description="书面理由（必填），告知申请人")


def _extend_blocked(case: Case) -> str | None:
    if case.item.extension_days == 0:
        return _("事项“%(item)s”依法不可延长办理时限") % {"item": case.item.name}
    if case.extension_days >= case.item.extension_days:
        return _("办件 %(number)s 已用尽可延长的 %(n)s 个工作日") % {"number": case.number,
                                                                "n": case.item.extension_days}
    return None


def _handles_open_task(actor, case: Case) -> bool:
    return bool(_my_tasks(actor, case, OPEN_TASK_STATES))


# -- results --------------------------------------------------------------------------------------------

class SupplyWaivedParams(Params):
    material_id: int = Field(title=gettext_noop("补齐的容缺材料"), description="容缺受理时承诺补齐的材料 id")


def _waived_choices(actor, case: Case) -> Choices:
    owed = case.materials.filter(status=CaseMaterialStatus.WAIVED, material_id__isnull=False).order_by("id")
    return {"material_id": [Choice(cm.material_id or 0, f"{cm.name}（承诺 {cm.promised_by}）") for cm in owed]}


class PayParams(Params):
    fee_id: int = Field(title=gettext_noop("收费项目"), description="费用 id（见办件的 fees）")
    receipt_number: str = Field(max_length=40, title=gettext_noop("票据号"), description="缴费票据号（必填）")


def _fee_choices(actor, case: Case) -> Choices:
    return {"fee_id": [Choice(f.pk, f"{f.description} {f.amount} 元")
                       for f in case.fees.filter(state=FeeState.UNPAID).order_by("id")]}


def _pay(actor, case: Case, p: PayParams, now: datetime | None):
    fee = Fee.objects.filter(case=case, pk=p.fee_id).select_related("case").first()
    if fee is None:
        raise ValidationError(_("该办件没有编号为 %(id)s 的费用") % {"id": p.fee_id}, field="fee_id")
    return services.record_payment(actor=actor, fee=fee, receipt_number=p.receipt_number, now=now)


class ConcludeParams(Params):
    delivery_method: Annotated[Literal[tuple(DeliveryMethod.values)], Labels.of(DeliveryMethod)] = Field(  # type: ignore[valid-type]
        title=gettext_noop("送达方式"), description="pickup 窗口领取, post 邮寄送达, electronic 电子证照（网上送达）")
    delivery_address: str = Field("", max_length=200, title=gettext_noop("邮寄地址"),
                                  description="邮寄送达的地址（省略时为申请人登记的地址）")
    tracking_number: str = Field("", max_length=40, title=gettext_noop("快递单号"), description="邮寄送达必填")


def _may_conclude(actor, case: Case) -> bool:
    if _clerk(actor, case):
        return True
    departments = access.department_ids(actor)
    return bool(departments) and case.tasks.filter(department_id__in=departments).exists()


def _delivery_choices(actor, case: Case) -> Choices:
    methods = [m for m in DeliveryMethod if m != DeliveryMethod.POST or case.item.offers_post_delivery]
    return {"delivery_method": [Choice(m.value, str(m.label), selected=m.value == case.delivery_method)
                                for m in methods]}


class WithdrawParams(Params):
    reason: LongText = Field(title=gettext_noop("撤回理由"), description="申请人撤回的书面理由（必填）")


# -- the table ------------------------------------------------------------------------------------------

for _action in (
    Action("accept", gettext_lazy("受理"), gettext_lazy("已受理。"), AcceptParams, ("accept",), _clerk,
           _accept, choices=_accept_choices,
           description="受理：材料齐全，或对可容缺材料书面承诺后容缺受理"),
    Action("approve", gettext_lazy("审批通过"), gettext_lazy("已审批通过。"), ApproveParams, ("approve_task",),
           _department_staff,
           lambda actor, case, p, now: services.approve_task(approver=actor, task=_task(case, p.task_id),
                                                             opinion=p.opinion, now=now),
           choices=_task_choices),
    Action("deny", gettext_lazy("不予许可"), gettext_lazy("已作出不予许可决定，并已报备。"), DenyParams, ("deny",),
           _department_staff,
           lambda actor, case, p, now: services.deny_task(approver=actor, task=_task(case, p.task_id),
                                                          reason=p.reason, now=now),
           choices=_task_choices),
    Action("request_supplement", gettext_lazy("一次性补正告知"), gettext_lazy("已出具补正材料通知书，计时暂停至补正。"),
           RequestSupplementParams, ("request_supplement_at_intake", "request_supplement_in_review"),
           _may_request_supplement,
           lambda actor, case, p, now: services.request_supplement(
               actor=actor, case=case, defects=[d.model_dump() for d in p.defects], now=now),
           choices=_supplement_choices, description="一次性告知全部补正内容；审批中要求补正则暂停计时"),
    Action("refuse", gettext_lazy("不予受理"), gettext_lazy("已不予受理，并已报备。"), RefuseParams, ("refuse",),
           _clerk, lambda actor, case, p, now: services.refuse_case(clerk=actor, case=case, reason=p.reason, now=now),
           blocked=_refuse_blocked, description="不予受理须书面说明理由，并向效能办报备"),
    Action("supply", gettext_lazy("补正材料已收齐"), gettext_lazy("补正材料已登记。"), SupplyParams, ("supply",),
           _applicant_side,
           lambda actor, case, p, now: services.supply_supplement(
               actor=actor, case=case, provided_material_ids=p.provided_material_ids, now=now),
           choices=_supply_choices),
    Action("start_special_procedure", gettext_lazy("启动特别程序"),
           gettext_lazy("特别程序已启动，计时暂停；请打印特别程序告知书。"), StartSpecialProcedureParams,
           ("start_special_procedure",), _department_staff,
           lambda actor, case, p, now: services.start_special_procedure(
               approver=actor, task=_task(case, p.task_id), kind=p.kind, limit_days=p.limit_days, reason=p.reason,
               exception_reason=p.exception_reason, now=now),
           choices=_task_choices),
    Action("end_special_procedure", gettext_lazy("结束特别程序"), gettext_lazy("特别程序已结束，恢复计时。"),
           EndSpecialProcedureParams, ("end_special_procedure",), _department_staff, _end_procedure,
           choices=_procedure_choices),
    Action("extend", gettext_lazy("延长办理期限"), gettext_lazy("已延长办理期限；请打印延期告知书。"), ExtendParams,
           ("extend",), _handles_open_task,
           lambda actor, case, p, now: services.extend_case(approver=actor, case=case, days=p.days, reason=p.reason,
                                                            now=now),
           blocked=_extend_blocked),
    Action("supply_waived", gettext_lazy("容缺材料已补齐"), gettext_lazy("容缺材料已补齐。"), SupplyWaivedParams,
           ("supply_waived",), _applicant_side,
           lambda actor, case, p, now: services.supply_waived_material(actor=actor, case=case,
                                                                       material_id=p.material_id, now=now),
           choices=_waived_choices),
    Action("pay", gettext_lazy("登记缴费"), gettext_lazy("缴费已登记。"), PayParams, ("pay",), _applicant_side, _pay,
           choices=_fee_choices),
    Action("conclude", gettext_lazy("办结送达"), gettext_lazy("已办结。"), ConcludeParams, ("conclude",),
           _may_conclude,
           lambda actor, case, p, now: services.conclude_case(
               actor=actor, case=case, delivery_method=p.delivery_method, delivery_address=p.delivery_address,
               tracking_number=p.tracking_number, now=now),
           choices=_delivery_choices),
    Action("withdraw", gettext_lazy("撤回申请"), gettext_lazy("申请已撤回。"), WithdrawParams, ("withdraw",),
           _applicant_side,
           lambda actor, case, p, now: services.withdraw_case(actor=actor, case=case, reason=p.reason, now=now)),
):
    registry.register(_action)
