"""Results (结果): the e-certificate issued on approval, fees, waived materials caught up, and the
conclusion with delivery (pick-up, post with tracking, or electronic).

Sources: Administrative Licensing Law Art. 44 (certificate within 10 days of the decision); the
e-certificate practice "let data run, not people" (a result is never asked for again); waiver
acceptance rules (the case is not concluded until the promised material is supplied)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists
from django.utils.translation import gettext as _

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from . import access, numbering
from .inputs import local_day, moment, required_text, to_int
from .models import (
    Case,
    CaseMaterialStatus,
    Certificate,
    Channel,
    DeliveryMethod,
    Fee,
    FeeState,
    SpecialProcedure,
    Task,
)
from .states import CaseState, TaskState
from .transitions import ACTION_LABELS, lock_case, record_event, released, require, state_label, transition

ACTIVE_STATES = {CaseState.IN_PROGRESS, CaseState.SUSPENDED, CaseState.SUPPLEMENT_REQUESTED, CaseState.APPROVED}


# -- certificates ------------------------------------------------------------------------------------

def certificate_digest(certificate: Certificate) -> str:
    """HMAC-SHA256 (keyed with SECRET_KEY) of what the certificate says: a row edited in the database
    no longer verifies."""
    content = json.dumps(
        [certificate.number, certificate.certificate_type, certificate.title, certificate.holder.id_number,
         certificate.holder.name, certificate.issuer.code, certificate.issued_on.isoformat(),
         certificate.valid_until.isoformat() if certificate.valid_until else None, certificate.data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(settings.SECRET_KEY.encode(), content.encode(), hashlib.sha256).hexdigest()


def is_genuine(certificate: Certificate) -> bool:
    return hmac.compare_digest(certificate.digest, certificate_digest(certificate))


def issue_result(case: Case, *, actor, now: datetime) -> Certificate | None:
    """On approval: when the item's result is an e-certificate, issue it (number, digest) so no later
    application asks for it again."""
    item = case.item
    if not item.result_certificate_type:
        return None
    today = local_day(now)
    number = numbering.allocate_certificate_number(certificate_type=item.result_certificate_type, year=today.year,
                                                   prefix=numbering.certificate_prefix(case.centre))
    certificate = Certificate(
        number=number, certificate_type=item.result_certificate_type, title=(item.result_name or item.name)[:100],
        holder=case.applicant, case=case, issuer=item.department, issued_on=today,
        # The holder's identity number is not copied here: the holder row has it (and the digest covers
        # it), and a certificate's data travels further (exports, the API) than the applicant register.
        data={"case": case.number, "item": item.code, "item_name": item.name, "holder": case.applicant.name})
    certificate.digest = certificate_digest(certificate)
    certificate.save()
    record_event(case, "certificate_issued", actor=actor, now=now,
                 data={"certificate": certificate.number, "type": certificate.certificate_type})
    return certificate


# -- what is owed ------------------------------------------------------------------------------------

def owed_reasons(case: Case) -> list[str]:
    """Why the case cannot be concluded yet: unpaid fees and waived materials still owed. One query
    when nothing is owed (the usual case); the owed rows are read only when there are some."""
    unpaid_fees, waived_materials = case.fees.filter(state=FeeState.UNPAID), case.materials.filter(
        status=CaseMaterialStatus.WAIVED)
    unpaid, waived = Case.objects.filter(pk=case.pk).annotate(
        unpaid=Exists(unpaid_fees), waived=Exists(waived_materials)).values_list("unpaid", "waived").get()
    reasons = []
    for fee in unpaid_fees if unpaid else ():
        reasons.append(_("费用“%(d)s”（%(a)s 元）未缴") % {"d": fee.description, "a": fee.amount})
    for row in waived_materials if waived else ():
        reasons.append(_("容缺材料“%(n)s”尚未补齐（承诺 %(d)s 前补齐）") % {"n": row.name, "d": row.promised_by})
    return reasons


def _check_applicant_side(actor, case: Case, message: str) -> bool:
    """The applicant, their agent, or a clerk of the centre (at the window). Returns True for a clerk."""
    at_window = access.is_clerk_of(actor, case.centre_id)
    if not (at_window or access.acts_for_applicant(actor, case)):
        raise PermissionDenied(message)
    return at_window


def _require_active(case: Case, action: str) -> None:
    if case.state not in ACTIVE_STATES:
        raise Conflict(_("办件 %(number)s 当前状态为“%(state)s”，不能%(action)s") % {
            "number": case.number, "state": state_label(case.state), "action": ACTION_LABELS.get(action, action)})


def record_payment(*, actor, fee: Fee, receipt_number: str, now: datetime | None = None) -> Fee:
    """Record that a fee was paid, with its receipt (票据号)."""
    now = moment(now)
    with transaction.atomic():
        case = lock_case(fee.case)
        _check_applicant_side(actor, case, _("只有申请人、其代办员或受理中心窗口人员才能登记缴费"))
        receipt_number = required_text(receipt_number, field="receipt_number", message=_("请填写缴费票据号"),
                                       max_length=40)
        _require_active(case, "pay")
        locked = Fee.objects.select_for_update().get(pk=fee.pk)
        if locked.state != FeeState.UNPAID:
            raise Conflict(_("费用“%(d)s”已是“%(s)s”状态，不能重复缴费") % {
                "d": locked.description, "s": locked.get_state_display()})
        locked.state, locked.paid_at, locked.receipt_number = FeeState.PAID, now, receipt_number
        locked.save(update_fields=["state", "paid_at", "receipt_number"])
        record_event(case, "fee_paid", actor=actor, now=now,
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
        _require_active(locked, "supply_waived")
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
        record_event(locked, "waived_material_supplied", actor=actor, now=now,
                     data={"material": row.name, "promised_by": row.promised_by,
                           "on_time": today <= row.promised_by, "at_window": at_window})
    return row


# -- conclusion ----------------------------------------------------------------------------------------

def conclude_locked(case: Case, *, actor, delivery_method: str, delivery_address: str = "",
                    tracking_number: str = "", now: datetime, same_visit: bool = False,
                    actor_label: str = "") -> Case:
    """Conclude a locked, approved case (see conclude_case)."""
    if delivery_method not in DeliveryMethod.values:
        raise ValidationError(_("送达方式应为：%(all)s") % {"all": "、".join(str(x) for x in DeliveryMethod.labels)},
                              field="delivery_method")
    delivery_address, tracking_number = (delivery_address or "").strip(), (tracking_number or "").strip()
    if delivery_method == DeliveryMethod.POST:
        if not case.item.offers_post_delivery:
            raise ValidationError(_("事项“%(item)s”不提供结果邮寄送达") % {"item": case.item.name},
                                  field="delivery_method")
        delivery_address = delivery_address or case.applicant.address
        required_text(delivery_address, field="delivery_address", message=_("邮寄送达须填写邮寄地址"), max_length=200)
        required_text(tracking_number, field="tracking_number", message=_("邮寄送达须填写快递单号"), max_length=40)
    if case.state == CaseState.APPROVED:
        owed = owed_reasons(case)
        if owed:
            raise Conflict(_("办件 %(number)s 不能办结：%(owed)s") % {"number": case.number, "owed": "；".join(owed)})
    fields = ["delivery_method", "delivery_address", "tracking_number", "delivered_at", "concluded_at"]
    case.delivery_method, case.delivery_address, case.tracking_number = (delivery_method, delivery_address,
                                                                         tracking_number)
    case.concluded_at = now
    # A posted result is delivered when it arrives; pick-up and electronic delivery happen now.
    case.delivered_at = None if delivery_method == DeliveryMethod.POST else now
    if delivery_method == DeliveryMethod.PICKUP:
        same_day_window = (case.channel == Channel.WINDOW and case.accepted_on == local_day(now))
        if not (same_visit or same_day_window):
            case.visit_count += 1  # coming back for the result is a visit
            fields.append("visit_count")
    Task.objects.filter(case=case, state__in=[TaskState.WAITING, TaskState.OPEN]).update(
        state=TaskState.APPROVED, completed_at=now, completed_by=actor, opened_on=local_day(now))
    return transition(case, "conclude", actor=actor, now=now, actor_label=actor_label, fields=fields,
                      data={"delivery_method": delivery_method, "tracking_number": tracking_number,
                            "visit_count": case.visit_count})


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
        Task.objects.filter(case=locked, state__in=[TaskState.WAITING, TaskState.OPEN, TaskState.SUSPENDED]).update(
            state=TaskState.CANCELLED)
        SpecialProcedure.objects.filter(case=locked, ended_on__isnull=True).update(
            ended_on=local_day(now), outcome=_("申请人撤回申请，程序终止"))
        locked.decision_reason, locked.concluded_at, locked.paused_since = reason, now, None
        transition(locked, "withdraw", actor=actor, now=now, reason=reason,
                   fields=("decision_reason", "concluded_at", "paused_since"))
    return Case.objects.get(pk=case.pk)
