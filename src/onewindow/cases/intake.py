"""Intake (一窗受理): the clerk's decision on a submission (cases/submission.py) — accept, accept with waiver
(容缺), supplement request (补正) or refusal (不予受理) — plus bundles (一件事), agents and withdrawal.

Sources: Administrative Licensing Law Art. 32 (incomplete materials: tell everything at once; refusal
in writing with reasons), Art. 42 and 82 (limits in working days from the day after acceptance);
provincial waiver-acceptance rules (main materials complete, written promise, catch-up date at least
2 working days before the due date and at most 20 working days away, no bad-credit applicants)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _

from onewindow.core.errors import PermissionDenied, ValidationError

from . import access, deadlines, numbering
from .inputs import id_set, local_day, moment, required_text, to_date
from .models import (
    Case,
    CaseMaterialStatus,
    Channel,
    DenialFiling,
    DenialKind,
    Fee,
)
from .submission import create_case, prepare_submission
from .transitions import audit_batch, lock_case, released, require, transition

WAIVER_MIN_DAYS_BEFORE_DUE = 2
WAIVER_MAX_WORKING_DAYS = 20
DECISIONS = ("accept", "accept_with_waiver", "supplement", "refuse")


# -- the clerk's decision ----------------------------------------------------------------------------

def _validate_waivers(case: Case, waivers: dict, *, due_on: date, today: date, note: str) -> dict[int, date]:
    """Waiver acceptance (容缺): only waivable materials, only missing ones, not for bad-credit
    applicants; the promised date at least 2 working days before the due date and at most 20 working
    days away."""
    if not waivers:
        return {}
    if not isinstance(waivers, dict):
        raise ValidationError(_("容缺材料应为“材料编号 → 承诺补齐日期”"), field="waivers")
    if case.applicant.bad_credit:
        raise ValidationError(_("申请人“%(name)s”列入失信名单，不适用容缺受理") % {"name": case.applicant.name},
                              field="waivers")
    rows = {row.material_id: row for row in case.materials.select_related("material") if row.material_id}
    result: dict[int, date] = {}
    for raw_id, raw_date in waivers.items():
        material_id = int(raw_id) if str(raw_id).isdigit() else None
        row = rows.get(material_id)
        if row is None:
            raise ValidationError(_("材料编号 %(id)s 不属于事项“%(item)s”") % {"id": raw_id, "item": case.item.name},
                                  field="waivers")
        if not row.material.waivable:
            raise ValidationError(_("材料“%(name)s”不可容缺：事项目录未将其列为容缺材料") % {"name": row.name},
                                  field="waivers")
        if row.status != CaseMaterialStatus.MISSING:
            raise ValidationError(_("材料“%(name)s”已提交或已调取，无需容缺") % {"name": row.name}, field="waivers")
        promised = to_date(raw_date, field="waivers")
        if promised <= today:
            raise ValidationError(_("材料“%(name)s”的承诺补齐日期 %(d)s 应晚于受理日 %(t)s") % {
                "name": row.name, "d": promised, "t": today}, field="waivers")
        away = deadlines.paused_working_days(today, promised)
        if away > WAIVER_MAX_WORKING_DAYS:
            raise ValidationError(_("材料“%(name)s”的承诺补齐日期 %(d)s 距受理日 %(n)s 个工作日，不能超过 %(max)s 个工作日")
                                  % {"name": row.name, "d": promised, "n": away, "max": WAIVER_MAX_WORKING_DAYS},
                                  field="waivers")
        before_due = deadlines.paused_working_days(promised, due_on) if promised < due_on else 0
        if before_due < WAIVER_MIN_DAYS_BEFORE_DUE:
            raise ValidationError(_("材料“%(name)s”的承诺补齐日期 %(d)s 应在办结期限 %(due)s 前至少 %(min)s 个工作日") % {
                "name": row.name, "d": promised, "due": due_on, "min": WAIVER_MIN_DAYS_BEFORE_DUE}, field="waivers")
        result[row.material_id] = promised
    if len(note) > 300:
        raise ValidationError(_("承诺说明不能超过 300 字"), field="promise_note")
    return result


def mark_provided(case: Case, provided: set[int], *, now: datetime) -> list[str]:
    if not provided:
        return []
    rows = {row.material_id: row for row in case.materials.all() if row.material_id}
    unknown = sorted(provided - set(rows))
    if unknown:
        raise ValidationError(_("材料编号 %(ids)s 不属于事项“%(item)s”") % {
            "ids": "、".join(map(str, unknown)), "item": case.item.name}, field="provided_material_ids")
    names = []
    for material_id in provided:
        row = rows[material_id]
        if row.status in (CaseMaterialStatus.MISSING, CaseMaterialStatus.NOT_APPLICABLE, CaseMaterialStatus.WAIVED):
            row.status, row.supplied_at = CaseMaterialStatus.PROVIDED, now
            row.save(update_fields=["status", "supplied_at"])
            names.append(row.name)
    return names


def accept(case: Case, *, clerk, waivers=None, provided_material_ids=(), promise_note: str = "",
           now: datetime, actor_label: str = "") -> Case:
    """Accept a locked case (inside the caller's transaction). See accept_case."""
    from .approval import create_tasks

    today = local_day(now)
    require(case, "accept")
    provided = id_set(provided_material_ids, field="provided_material_ids")
    newly = mark_provided(case, provided, now=now)
    case.accepted_on, case.accepted_by = today, clerk
    deadline = deadlines.apply_deadline(case)
    note = (promise_note or "").strip()
    waived = _validate_waivers(case, waivers or {}, due_on=deadline.due_on, today=today, note=note)
    missing = [row for row in case.materials.filter(status=CaseMaterialStatus.MISSING)
               if row.material_id not in waived]
    if missing:
        raise ValidationError(
            _("缺少必要材料：%(names)s。请一次性告知补正，或对可容缺的材料办理容缺受理") % {
                "names": "、".join(f"“{row.name}”" for row in missing)}, field="materials")
    for row in case.materials.filter(material_id__in=list(waived)):
        row.status, row.promised_by = CaseMaterialStatus.WAIVED, waived[row.material_id]
        row.note = (note or _("申请人书面承诺于 %(d)s 前补齐")
                    % {"d": waived[row.material_id].isoformat()})[:300]
        row.save(update_fields=["status", "promised_by", "note"])
    fees = []
    if case.item.has_fee and not case.fees.exists():
        fee = Fee.objects.create(case=case, description=(case.item.fee_description or case.item.name)[:200],
                                 amount=case.item.fee_amount)
        fees.append({"description": fee.description, "amount": str(fee.amount)})
    transition(case, "accept", actor=clerk, now=now, actor_label=actor_label,
               fields=("accepted_on", "accepted_by", "due_on", "due_provisional", "calendar_version"),
               data={"due_on": case.due_on, "committed_limit_days": case.committed_limit_days,
                     "calendar_version": case.calendar_version, "due_provisional": case.due_provisional,
                     "waivers": {str(k): v.isoformat() for k, v in waived.items()}, "promise_note": note,
                     "provided_at_acceptance": newly, "fees": fees})
    create_tasks(case, clerk=clerk, now=now)
    return case


def accept_case(*, clerk, case: Case, waivers: dict | None = None, provided_material_ids=(),
                promise_note: str = "", now: datetime | None = None) -> Case:
    """受理: the case gets its due date (committed limit, working days from the day after acceptance,
    Art. 42/82) and its first step's tasks. Required materials must be complete, except waivable ones
    the applicant promises in writing to supply by a date (容缺受理)."""
    now = moment(now)
    if not access.is_clerk_of(clerk, case.centre_id):
        raise PermissionDenied(_("只有受理中心的窗口人员才能受理该办件"))
    with transaction.atomic():
        locked = lock_case(case)
        with audit_batch(locked):
            accept(locked, clerk=clerk, waivers=waivers, provided_material_ids=provided_material_ids,
                   promise_note=promise_note, now=now)
            from .approval import decide_if_immediate

            decide_if_immediate(locked, clerk=clerk, now=now)
    return released(locked)  # read under the lock and changed here: as the database now has it


def refuse_locked(case: Case, *, clerk, reason, now: datetime) -> Case:
    reason = required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    require(case, "refuse")
    DenialFiling.objects.create(case=case, kind=DenialKind.REFUSAL, department=case.item.department,
                                reason=reason, filed_by=clerk, filed_at=now)
    case.decision_reason, case.concluded_at = reason, now
    return transition(case, "refuse", actor=clerk, now=now, reason=reason,
                      fields=("decision_reason", "concluded_at"))


def refuse_case(*, clerk, case: Case, reason: str, now: datetime | None = None) -> Case:
    """不予受理: a written reason is required (Art. 32); the refusal is filed for the efficiency office
    (否定报备)."""
    now = moment(now)
    if not access.is_clerk_of(clerk, case.centre_id):
        raise PermissionDenied(_("只有受理中心的窗口人员才能作出不予受理决定"))
    required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    with transaction.atomic():
        refuse_locked(lock_case(case), clerk=clerk, reason=reason, now=now)
    return Case.objects.get(pk=case.pk)


def _clerk_centre(clerk, window):
    if window is not None:
        return window.centre
    centres = sorted(access.clerk_centre_ids(clerk))
    if len(centres) != 1:
        raise ValidationError(_("请选择受理窗口（您在多个中心或没有窗口岗位）"), field="window")
    from onewindow.orgs.models import ServiceCentre

    return ServiceCentre.objects.get(pk=centres[0])


INTAKE_CHANNELS = (Channel.WINDOW, Channel.POST)


def intake_at_window(*, clerk, item, applicant, form_data=None, provided_material_ids=(), decision: str,
                     waivers=None, defects=None, reason: str = "", window=None, promise_note: str = "",
                     channel: str = Channel.WINDOW, now: datetime | None = None) -> Case:
    """The window clerk's screen: the application is entered and decided in one go — accept, accept
    with waiver, supplement request (every missing material listed when no defects are given) or
    refusal. Handed in at the window (channel window, one visit; immediate items accepted here are
    concluded the same day) or received by post (邮寄收件: no visit, the result posted by default)."""
    now = moment(now)
    if channel not in INTAKE_CHANNELS:
        raise ValidationError(_("收件方式应为窗口当面或邮寄收件（%(all)s），而不是“%(c)s”") % {
            "all": ", ".join(INTAKE_CHANNELS), "c": channel}, field="channel")
    if decision not in DECISIONS:
        raise ValidationError(_("受理决定应为：%(all)s") % {"all": ", ".join(DECISIONS)}, field="decision")
    if decision == "refuse":
        required_text(reason, field="reason", message=_("不予受理必须写明理由"))
    if decision == "accept_with_waiver" and not waivers:
        raise ValidationError(_("容缺受理必须列明容缺材料及承诺补齐日期"), field="waivers")
    centre = _clerk_centre(clerk, window)
    if not access.is_clerk_of(clerk, centre.id):
        raise PermissionDenied(_("只有本中心的窗口人员才能在窗口录入申请"))
    sub = prepare_submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data,
                   provided_material_ids=provided_material_ids, files=None, submitted_by=clerk, window=window,
                   agent=None, project=None, now=now)
    number = numbering.allocate_case_number(centre, local_day(now))
    with transaction.atomic():
        case = lock_case(create_case(sub, number=number, query_code=numbering.new_query_code(), now=now))
        if decision in ("accept", "accept_with_waiver"):
            with audit_batch(case):
                accept(case, clerk=clerk, waivers=waivers, promise_note=promise_note, now=now)
                from .approval import decide_if_immediate

                decide_if_immediate(case, clerk=clerk, now=now)
        elif decision == "supplement":
            from .supplements import missing_defects, request_supplement_locked

            request_supplement_locked(case, actor=clerk, defects=defects or missing_defects(case), now=now)
        else:
            refuse_locked(case, clerk=clerk, reason=reason, now=now)
    return Case.objects.get(pk=case.pk)
