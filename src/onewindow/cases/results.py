"""Results (结果): fees paid, waived materials caught up, the conclusion with delivery (pick-up, post
with tracking, or electronic), and withdrawal. Each service checks who acts, locks the case and calls
the steps (steps/outcome.py); the e-certificate itself is issued on approval (steps/decision.py).

Sources: Administrative Licensing Law Art. 44 (certificate within 10 days of the decision); waiver
acceptance rules (the case is not concluded until the promised material is supplied)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from . import access
from .certificates import certificate_digest, is_genuine
from .inputs import local_day, moment, required_text, to_int
from .models import Case, CaseMaterialStatus, Fee, FeeState, SpecialProcedure
from .steps.outcome import conclude_locked
from .transitions import lock_case, record_action, released, require, task_transition, transition

__all__ = ["certificate_digest", "conclude_case", "is_genuine", "record_payment", "supply_waived_material",
           "withdraw_case"]


def _check_applicant_side(actor, case: Case, message: str) -> bool:
    """The applicant, their agent, or a clerk of the centre (at the window). Returns True for a clerk."""
    at_window = access.is_clerk_of(actor, case.centre_id)
    if not (at_window or access.acts_for_applicant(actor, case)):
        raise PermissionDenied(message)
    return at_window


def record_payment(*, actor, fee: Fee, receipt_number: str, now: datetime | None = None) -> Fee:
    """Record that a fee was paid, with its receipt (票据号)."""
    now = moment(now)
    with transaction.atomic():
        case = lock_case(fee.case)
        _check_applicant_side(actor, case, _("只有申请人、其代办员或受理中心窗口人员才能登记缴费"))
        receipt_number = required_text(receipt_number, field="receipt_number", message=_("请填写缴费票据号"),
                                       max_length=40)
        require(case, "pay")
        locked = Fee.objects.select_for_update().get(pk=fee.pk)
        if locked.state != FeeState.UNPAID:
            raise Conflict(_("费用“%(d)s”已是“%(s)s”状态，不能重复缴费") % {
                "d": locked.description, "s": locked.get_state_display()})
        locked.state, locked.paid_at, locked.receipt_number = FeeState.PAID, now, receipt_number
        locked.save(update_fields=["state", "paid_at", "receipt_number"])
        record_action(case, "pay", actor=actor, now=now,
                      data={"fee": locked.pk, "amount": str(locked.amount), "receipt_number": receipt_number})
    return locked


def supply_waived_material(*, actor, case: Case, material_id: int, now: datetime | None = None):
    """The applicant keeps the waiver promise: the owed material is handed in (a visit when at the
    window); the record says whether it came by the promised date."""
    now = moment(now)
    with transaction.atomic():
        locked = lock_case(case)
        at_window = _check_applicant_side(actor, locked, _("只有申请人、其代办员或受理中心窗口人员才能补交容缺材料"))
        material_id = to_int(material_id, field="material_id", minimum=1)
        require(locked, "supply_waived")
        row = locked.materials.select_for_update().filter(material_id=material_id).first()
        if row is None:
            raise ValidationError(_("材料编号 %(id)s 不属于该办件") % {"id": material_id}, field="material_id")
        if row.status != CaseMaterialStatus.WAIVED:
            raise Conflict(_("材料“%(n)s”不是容缺待补材料（当前：%(s)s）") % {"n": row.name, "s": row.get_status_display()})
        today = local_day(now)
        row.status, row.supplied_at = CaseMaterialStatus.PROVIDED, now
        row.save(update_fields=["status", "supplied_at"])
        if at_window:
            locked.visit_count += 1
            locked.save(update_fields=["visit_count", "updated_at"])
        record_action(locked, "supply_waived", actor=actor, now=now,
                      data={"material": row.name, "promised_by": row.promised_by,
                            "on_time": row.promised_by is not None and today <= row.promised_by, "at_window": at_window})
    return row


def conclude_case(*, actor, case: Case, delivery_method: str, delivery_address: str = "", tracking_number: str = "",
                  now: datetime | None = None) -> Case:
    """办结: the approved result is delivered — picked up at the window (a visit unless the applicant is
    still there the same day), posted (address and tracking number) or delivered electronically.
    Refused while a fee is unpaid or a waived material is still owed."""
    now = moment(now)
    allowed = access.is_clerk_of(actor, case.centre_id) or bool(
        access.department_ids(actor) & set(case.tasks.values_list("department_id", flat=True)))
    if not allowed:
        raise PermissionDenied(_("只有受理中心窗口人员或办理部门才能办结送达"))
    with transaction.atomic():
        locked = lock_case(case)
        require(locked, "conclude")
        conclude_locked(locked, actor=actor, delivery_method=delivery_method, delivery_address=delivery_address,
                        tracking_number=tracking_number, now=now)
    return released(locked)  # read under the lock and changed here: as the database now has it


def withdraw_case(*, actor, case: Case, reason: str, now: datetime | None = None) -> Case:
    """The applicant withdraws (in writing: a reason is kept); open tasks are cancelled and a running
    special procedure ends."""
    now = moment(now)
    with transaction.atomic():
        locked = lock_case(case)
        if not (access.acts_for_applicant(actor, locked) or access.is_clerk_of(actor, locked.centre_id)):
            raise PermissionDenied(_("只有申请人、其代办员或受理中心窗口人员才能撤回申请"))
        reason = required_text(reason, field="reason", message=_("撤回申请须写明理由"))
        require(locked, "withdraw")
        task_transition(locked, None, "cancel", stopped_on=local_day(now))
        SpecialProcedure.objects.filter(case=locked, ended_on__isnull=True).update(
            ended_on=local_day(now), outcome=_("申请人撤回申请，程序终止"))
        locked.decision_reason, locked.concluded_at, locked.paused_since = reason, now, None
        transition(locked, "withdraw", actor=actor, now=now, reason=reason,
                   fields=("decision_reason", "concluded_at", "paused_since"))
    return Case.objects.get(pk=case.pk)
