"""The outcome of an approved case: the e-certificate issued on approval, what is still owed, and the
conclusion with delivery (pick-up, post with tracking, or electronic).

Sources: Administrative Licensing Law Art. 44 (certificate within 10 days of the decision); the
e-certificate practice "let data run, not people"; waiver acceptance rules (the case is not concluded
until the promised material is supplied)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core import fastsql
from onewindow.core.errors import Conflict, ValidationError

from .. import numbering
from ..certificates import certificate_digest
from ..inputs import local_day, required_text
from ..models import (
    Case,
    CaseMaterial,
    CaseMaterialStatus,
    Certificate,
    Channel,
    DeliveryMethod,
    Fee,
    FeeState,
)
from ..states import CaseState
from ..transitions import record_event, task_transition, transition


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
    fastsql.insert(certificate)  # certificate.save() without compiling
    record_event(case, "certificate_issued", actor=actor, now=now,
                 data={"certificate": certificate.number, "type": certificate.certificate_type})
    return certificate


def owed_reasons(case: Case) -> list[str]:
    """Why the case cannot be concluded yet: unpaid fees and waived materials still owed. One query
    when nothing is owed (the usual case); the owed rows are read only when there are some."""
    unpaid_fees, waived_materials = case.fees.filter(state=FeeState.UNPAID), case.materials.filter(
        status=CaseMaterialStatus.WAIVED)
    unpaid, waived = _owed(case.pk)
    reasons = []
    for fee in unpaid_fees if unpaid else ():
        reasons.append(_("费用“%(d)s”（%(a)s 元）未缴") % {"d": fee.description, "a": fee.amount})
    for row in waived_materials if waived else ():
        reasons.append(_("容缺材料“%(n)s”尚未补齐（承诺 %(d)s 前补齐）") % {"n": row.name, "d": row.promised_by})
    return reasons


_OWED: dict[str, str] = {}


def _owed(case_id: int) -> tuple[bool, bool]:
    """Whether the case has an unpaid fee, and a waived material still owed: one statement, its text
    built once per database vendor (the ORM would compile the two EXISTS on every conclusion)."""
    connection = transaction.get_connection()
    sql = _OWED.get(connection.vendor)
    if sql is None:
        qn = connection.ops.quote_name

        def exists(model, column: str) -> str:
            case = qn(fastsql.concrete_field(model, "case").column)
            return (f"EXISTS(SELECT 1 FROM {qn(model._meta.db_table)} WHERE {case} = %s "
                    f"AND {qn(fastsql.concrete_field(model, column).column)} = %s)")

        sql = _OWED[connection.vendor] = f"SELECT {exists(Fee, 'state')}, {exists(CaseMaterial, 'status')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [case_id, FeeState.UNPAID.value, case_id, CaseMaterialStatus.WAIVED.value])
        unpaid, waived = cursor.fetchone()
    return bool(unpaid), bool(waived)


def conclude_locked(case: Case, *, actor, delivery_method: str, delivery_address: str = "",
                    tracking_number: str = "", now: datetime, same_visit: bool = False,
                    actor_label: str = "") -> Case:
    """Conclude a locked, approved case (see results.conclude_case)."""
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
    task_transition(case, None, "complete_at_conclusion", completed_at=now, completed_by=actor,
                    opened_on=local_day(now))
    return transition(case, "conclude", actor=actor, now=now, actor_label=actor_label, fields=fields,
                      data={"delivery_method": delivery_method, "tracking_number": tracking_number,
                            "visit_count": case.visit_count})
