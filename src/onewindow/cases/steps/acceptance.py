"""The clerk's decision on a locked, submitted case: accept (with waivers, 容缺), one-time supplement
notice (补正), refusal (不予受理) — and the system's own acceptance when the instant-approval rules
hold for an application arriving online (秒批).

Sources: Administrative Licensing Law Art. 32 (incomplete materials: tell everything at once; refusal
in writing with reasons, filed for the efficiency office), Art. 42 and 82 (limits in working days from
the day after acceptance)."""

from __future__ import annotations

from datetime import datetime

from django.utils.translation import gettext as _

from onewindow.catalog.models import MaterialSource
from onewindow.core import fastsql
from onewindow.core.errors import Conflict, ValidationError

from .. import deadlines, rules
from ..inputs import id_set, local_day, required_text
from ..models import Case, CaseMaterial, CaseMaterialStatus, DenialFiling, DenialKind, Fee, SupplementRequest
from ..states import CaseState
from ..transitions import record_event, require, transition
from .clock import pause_clock
from .decision import approve_every_task
from .materials import clean_defects, defect_key, mark_provided, validate_waivers
from .outcome import conclude_locked, owed_reasons
from .tasks import create_tasks

# Read on every acceptance: compiled once (core/fastsql.py), in the materials' own order.
_MISSING = fastsql.Select(CaseMaterial, "{case} = %s AND {status} = %s", order_by=("id",))


def accept_locked(case: Case, *, clerk, waivers=None, provided_material_ids=(), promise_note: str = "",
                  now: datetime, actor_label: str = "") -> Case:
    """受理 on a locked case (see intake.accept_case): its due date, its waivers, its fee, its tasks."""
    today = local_day(now)
    require(case, "accept")
    provided = id_set(provided_material_ids, field="provided_material_ids")
    newly = mark_provided(case, provided, now=now)
    case.accepted_on, case.accepted_by, case.limit_unit = today, clerk, case.item.limit_unit
    deadline = deadlines.apply_deadline(case)
    note = (promise_note or "").strip()
    waived = validate_waivers(case, waivers or {}, due_on=deadline.due_on, today=today, note=note)
    missing = [row for row in case.materials.filter(status=CaseMaterialStatus.MISSING).select_related("material")
               if row.material_id not in waived]
    if missing:
        message = _("缺少必要材料：%(names)s。请一次性告知补正，或对可容缺的材料办理容缺受理") % {
            "names": "、".join(f"“{row.name}”" for row in missing)}
        unfetched = [row.name for row in missing if _fetched_by_certificate(row)]
        if unfetched:
            # The dead end of a new applicant: no e-certificate on file, so the paper copy is taken instead.
            message += _("。未查到申请人的电子证照：%(names)s，请核收纸质件或上传件（标记为“已提交纸质件”）") % {
                "names": "、".join(f"“{name}”" for name in unfetched)}
        raise ValidationError(message, field="materials")
    for row in case.materials.filter(material_id__in=list(waived)):
        row.status, row.promised_by = CaseMaterialStatus.WAIVED, waived[row.material_id or 0]
        row.note = (note or _("申请人书面承诺于 %(d)s 前补齐")
                    % {"d": waived[row.material_id or 0].isoformat()})[:300]
        row.save(update_fields=["status", "promised_by", "note"])
    fees = []
    if case.item.has_fee and not case.fees.exists():
        fee = Fee.objects.create(case=case, description=(case.item.fee_description or case.item.name)[:200],
                                 amount=case.item.fee_amount)
        fees.append({"description": fee.description, "amount": str(fee.amount)})
    transition(case, "accept", actor=clerk, now=now, actor_label=actor_label,
               fields=("accepted_on", "accepted_by", "limit_unit", *deadlines.CASE_DATES),
               data={"due_on": case.due_on, "committed_limit_days": case.committed_limit_days,
                     "limit_unit": case.limit_unit,
                     "calendar_version": case.calendar_version, "due_provisional": case.due_provisional,
                     "waivers": {str(k): v.isoformat() for k, v in waived.items()}, "promise_note": note,
                     "provided_at_acceptance": newly, "fees": fees})
    create_tasks(case, clerk=clerk, now=now)
    return case


def _fetched_by_certificate(row) -> bool:
    """A material the system fetches from the applicant's e-certificates when there is one."""
    material = row.material
    return material is not None and bool(material.certificate_type or material.source == MaterialSource.E_CERTIFICATE)


def refuse_locked(case: Case, *, clerk, reason, now: datetime) -> Case:
    """不予受理 on a locked case: a written reason, filed for the efficiency office (否定报备). Refusal is
    an intake decision: a case waiting for a supplement asked in review was already accepted."""
    reason = required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    require(case, "refuse")
    pending = pending_supplement(case) if case.state == CaseState.SUPPLEMENT_REQUESTED else None
    if pending is not None and pending.return_state != CaseState.SUBMITTED:
        raise Conflict(_("办件 %(number)s 已受理，补正期间不能再作出不予受理决定") % {"number": case.number})
    DenialFiling.objects.create(case=case, kind=DenialKind.REFUSAL, department=case.item.department,
                                reason=reason, filed_by=clerk, filed_at=now)
    case.decision_reason, case.concluded_at = reason, now
    return transition(case, "refuse", actor=clerk, now=now, reason=reason,
                      fields=("decision_reason", "concluded_at"))


def pending_supplement(case: Case) -> SupplementRequest | None:
    """The supplement notice the applicant has not answered yet (a case waiting for a supplement has one)."""
    return case.supplement_requests.filter(supplied_at__isnull=True).order_by("-requested_at", "-id").first()


def request_supplement_locked(case: Case, *, actor, defects, task=None, now: datetime) -> SupplementRequest:
    """补正 on a locked case: one notice listing every defect (Art. 32). A later request may repeat a
    defect of the first notice (not yet put right) but never add a new one. In review the clock stops."""
    action = "request_supplement_at_intake" if case.state == CaseState.SUBMITTED else "request_supplement_in_review"
    require(case, action)
    cleaned = clean_defects(case, defects)
    first = case.supplement_requests.order_by("requested_at", "id").first()
    if first is not None:
        allowed = {defect_key(d) for d in first.defects}
        new = [d["name"] for d in cleaned if defect_key(d) not in allowed]
        if new:
            raise ValidationError(
                _("补正须一次性告知：%(names)s 不在 %(d)s 的首次补正告知中，不能再次要求补正新的内容") % {
                    "names": "、".join(f"“{n}”" for n in new), "d": first.requested_on}, field="defects")
    today = local_day(now)
    request = SupplementRequest.objects.create(case=case, task=task, requested_by=actor, requested_at=now,
                                               requested_on=today, defects=cleaned, return_state=case.state)
    for d in cleaned:
        if d["material_id"] is not None:
            case.materials.filter(material_id=d["material_id"]).update(status=CaseMaterialStatus.MISSING,
                                                                        note=d["reason"][:300])
    fields: list[str] = []
    if action == "request_supplement_in_review":
        fields += pause_clock(case, on=today)
    transition(case, action, actor=actor, now=now, fields=fields,
               data={"supplement_request": request.pk, "defects": cleaned, "task": task.pk if task else None})
    return request


def try_instant_approval(case: Case, *, now: datetime) -> bool:
    """秒批 for an application arriving online (or by post/API): when the item has rules, every rule
    holds on the applicant's data and nothing required is missing, the system accepts, approves,
    issues the e-certificate and concludes with electronic delivery, recording the rules on the case.
    Otherwise the case waits for the clerk, with the rule that failed on its record."""
    outcome = rules.evaluate(case.item.instant_approval_rules, form_data=case.form_data, applicant=case.applicant)
    if not outcome.applies:
        return False
    missing = list(case.materials.filter(status=CaseMaterialStatus.MISSING).values_list("name", flat=True))
    if not outcome.holds or missing:
        record_event(case, "instant_approval_declined", actor=None, now=now, actor_label=_("秒批规则"),
                     data={"failed": [r.label for r in outcome.failed], "missing_materials": missing})
        return False
    label = _("秒批规则")
    case.instant_rule = outcome.as_record()
    case.save(update_fields=["instant_rule", "updated_at"])
    accept_locked(case, clerk=None, now=now, actor_label=label)
    approve_every_task(case, actor=None, opinion=_("秒批：申请数据符合全部自动审批规则"), now=now, actor_label=label)
    if not owed_reasons(case):
        conclude_locked(case, actor=None, delivery_method="electronic", now=now, actor_label=label)
    return True
