"""Intake (一窗受理): submission by any channel, and the clerk's decision — accept, accept with waiver
(容缺), supplement request (补正) or refusal (不予受理) — plus bundles (一件事), agents and withdrawal.

Sources: Administrative Licensing Law Art. 32 (incomplete materials: tell everything at once; refusal
in writing with reasons), Art. 42 and 82 (limits in working days from the day after acceptance);
provincial waiver-acceptance rules (main materials complete, written promise, catch-up date at least
2 working days before the due date and at most 20 working days away, no bad-credit applicants)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.catalog.models import ItemStatus, MaterialSource
from onewindow.core import fastsql, uploads
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from . import access, deadlines, numbering
from .inputs import id_set, local_day, moment, required_text, to_date
from .models import (
    BundleApplication,
    Case,
    CaseMaterial,
    CaseMaterialStatus,
    Certificate,
    CertificateStatus,
    Channel,
    DeliveryMethod,
    DenialFiling,
    DenialKind,
    Fee,
    IdempotencyRecord,
)
from .states import CaseState
from .transitions import audit_batch, chain_key, lock_case, released, require, transition

WAIVER_MIN_DAYS_BEFORE_DUE = 2
WAIVER_MAX_WORKING_DAYS = 20
DECISIONS = ("accept", "accept_with_waiver", "supplement", "refuse")
# Which catalog switch offers each channel (the API is an online channel; a phone application is
# entered by staff, like a window one, and needs no switch).
CHANNEL_SWITCH = {Channel.WINDOW: "channel_window", Channel.ONLINE: "channel_online",
                  Channel.POST: "channel_post", Channel.API: "channel_online"}


# -- submission ------------------------------------------------------------------------------------

@dataclass
class _Submission:
    item: object
    applicant: object
    channel: str
    centre: object
    form_data: dict
    materials: list[CaseMaterial]
    submitted_by: object = None
    window: object = None
    agent: object = None
    project: object = None
    files: dict = field(default_factory=dict)


def _check_submitter(*, submitted_by, applicant, centre, channel, agent, project):
    """Who may hand in an application for `applicant`: the applicant, their agent, or a clerk of the
    centre (window, post and phone applications are entered by staff)."""
    if submitted_by is None:
        return agent
    if applicant.user_id is not None and applicant.user_id == submitted_by.id:
        return agent
    if access.is_clerk_of(submitted_by, centre.id):
        return agent
    if access.is_agent(submitted_by):
        if project is not None and project.agent_id == submitted_by.id:
            return agent
        if agent is None or agent.id == submitted_by.id:
            return submitted_by  # an agent applying for someone is that case's agent
    if channel == Channel.WINDOW:
        raise PermissionDenied(_("只有本中心的窗口人员才能在窗口录入申请"))
    raise PermissionDenied(_("只能为本人（或受托代办的申请人）提交申请"))


# The submission's statements, compiled once (core/fastsql.py): a submission is the hottest write path.
_VALID_CERTIFICATES = fastsql.Select(
    Certificate, "{holder} = %s AND {status} = %s AND ({valid_until} IS NULL OR {valid_until} >= %s)",
    order_by=("issued_on", "id"))
_IDEMPOTENCY_RECORD = fastsql.Select(IdempotencyRecord, "{principal} = %s AND {key} = %s", order_by=("id",),
                                     limit=1)


def _material_rows(item, applicant, provided: set[int], *, today: date, files: dict) -> list[CaseMaterial]:
    """One row per catalog material. A material the applicant already holds as a valid e-certificate,
    or that data sharing provides, is filled in and never asked for ("let data run, not people")."""
    materials = list(item.materials.all())
    known = {m.id for m in materials}
    unknown = sorted(provided - known)
    if unknown:
        raise ValidationError(_("材料编号 %(ids)s 不属于事项“%(item)s”") % {
            "ids": "、".join(map(str, unknown)), "item": item.name}, field="provided_material_ids")
    bad_files = sorted(set(files) - known)
    if bad_files:
        raise ValidationError(_("文件对应的材料编号 %(ids)s 不属于该事项") % {"ids": "、".join(map(str, bad_files))},
                              field="files")
    types = {m.certificate_type for m in materials if m.certificate_type}
    held: dict[str, Certificate] = {}
    if types:
        valid = _VALID_CERTIFICATES.all([applicant.pk, CertificateStatus.VALID, today])
        held = {c.certificate_type: c for c in valid if c.certificate_type in types}  # the latest of each type wins
    rows = []
    for m in materials:
        row = CaseMaterial(material=m, name=m.name)
        cert = held.get(m.certificate_type) if m.certificate_type else None
        if cert is not None:
            row.status, row.certificate = CaseMaterialStatus.FROM_CERTIFICATE, cert
            row.note = _("电子证照 %(number)s 自动调取") % {"number": cert.number}
        elif m.source == MaterialSource.DATA_SHARING:
            row.status, row.note = CaseMaterialStatus.FROM_DATA_SHARING, _("部门间数据共享获取，无需提交")
        elif m.id in provided or m.id in files:
            row.status = CaseMaterialStatus.PROVIDED
            if m.id in files:
                row.file = uploads.accept_upload(files[m.id], field=f"file_{m.id}")
        elif m.required:
            row.status = CaseMaterialStatus.MISSING
        else:
            row.status = CaseMaterialStatus.NOT_APPLICABLE
        rows.append(row)
    return rows


def prepare_submission(*, item, applicant, channel, centre, form_data, provided_material_ids, files, submitted_by,
             window, agent, project, now) -> _Submission:
    if channel not in Channel.values:
        raise ValidationError(_("申请渠道“%(c)s”无效，可选：%(all)s") % {"c": channel, "all": ", ".join(Channel.values)},
                              field="channel")
    if item.status != ItemStatus.ACTIVE:
        raise ValidationError(_("事项“%(item)s”当前不可申请（%(status)s）") % {
            "item": item.name, "status": item.get_status_display()}, field="item")
    switch = CHANNEL_SWITCH.get(channel)
    if switch and not getattr(item, switch):
        raise ValidationError(_("事项“%(item)s”不提供“%(channel)s”申请渠道") % {
            "item": item.name, "channel": Channel(channel).label}, field="channel")
    if form_data is not None and not isinstance(form_data, dict):
        raise ValidationError(_("申请表内容应为键值对象"), field="form_data")
    if window is not None and window.centre_id != centre.id:
        raise ValidationError(_("窗口不属于该中心"), field="window")
    if project is not None and project.applicant_id != applicant.id:
        raise ValidationError(_("重点项目“%(p)s”不属于该申请人") % {"p": project.name}, field="project")
    if agent is not None and not access.is_agent(agent):
        raise ValidationError(_("“%(u)s”不是代办员") % {"u": agent}, field="agent")
    agent = _check_submitter(submitted_by=submitted_by, applicant=applicant, centre=centre, channel=channel,
                             agent=agent, project=project)
    files = {int(k): v for k, v in (files or {}).items()}
    provided = id_set(provided_material_ids, field="provided_material_ids")
    rows = _material_rows(item, applicant, provided, today=local_day(now), files=files)
    return _Submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data or {},
                       materials=rows, submitted_by=submitted_by, window=window, agent=agent, project=project)


def create_case(sub: _Submission, *, number: str, query_code: str, now: datetime,
            bundle_application: BundleApplication | None = None) -> Case:
    case = fastsql.insert(Case(
        number=number, query_code=query_code, item=sub.item, item_version=sub.item.version,
        applicant=sub.applicant, centre=sub.centre, window=sub.window, channel=sub.channel,
        state=CaseState.SUBMITTED, form_data=sub.form_data, bundle_application=bundle_application,
        project=sub.project, agent=sub.agent, submitted_by=sub.submitted_by, submitted_at=now,
        committed_limit_days=sub.item.committed_limit_days,
        # "Run at most once" is measured: a window intake is the applicant's visit; online, post and
        # API intake cost none.
        visit_count=1 if sub.channel == Channel.WINDOW else 0,
        # A posted application expects its result by post too, where the item offers it; the clerk
        # still chooses the delivery at conclusion.
        delivery_method=(DeliveryMethod.POST if sub.channel == Channel.POST and sub.item.offers_post_delivery
                         else ""),
    ))
    for row in sub.materials:
        row.case = case
    fastsql.insert_many(sub.materials)  # one INSERT; the rows get their ids back
    # The case's chain is new (its number was issued a moment ago and the case row is unique by number):
    # its first event goes through audit's short path. Arguments as transitions.record_event gives them.
    actor = sub.submitted_by
    audit.record_first(
        chain_key=chain_key(case), action="onewindow.case.submitted", actor=actor,
        actor_label="" if actor is not None else _("系统"), from_state=case.state, to_state=CaseState.SUBMITTED,
        data={"channel": sub.channel, "item": sub.item.code, "item_version": sub.item.version,
              "bundle_application": bundle_application.number if bundle_application else None,
              "materials": {row.name: row.status for row in sub.materials}},
        now=now)
    return case


@dataclass(frozen=True)
class IdempotentRequest:
    """One submission's Idempotency-Key: the same key from the same caller returns what the first
    request made (a case, or a bundle application), never a second one; the same key with a different
    request is a Conflict. `key` is empty when the caller sent none, and then every method is a no-op."""

    key: str
    principal: str = ""
    digest: str = ""
    bundle: bool = False

    @classmethod
    def start(cls, *, idempotency_key, principal, submitted_by, applicant, request: dict,
              bundle: bool = False) -> IdempotentRequest:
        key = (idempotency_key or "").strip()[:100]
        if not key:
            return cls(key="")
        if principal:
            principal_key = str(principal)[:80]
        else:
            principal_key = f"user:{submitted_by.pk}" if submitted_by is not None else f"applicant:{applicant.pk}"
        payload = json.dumps(request, ensure_ascii=False, sort_keys=True, default=str)
        return cls(key=key, principal=principal_key, digest=hashlib.sha256(payload.encode()).hexdigest(),
                   bundle=bundle)

    def replay(self):
        """What an earlier request with this key made, or None."""
        if not self.key:
            return None
        record = _IDEMPOTENCY_RECORD.first([self.principal, self.key])
        if record is None:
            return None
        if record.request_digest != self.digest:
            raise Conflict(_("该幂等键（Idempotency-Key）已用于另一份不同的申请"), field="idempotency_key")
        target = record.bundle_application if self.bundle else record.case
        if target is None:
            raise Conflict(_("该幂等键的申请正在处理，请稍后重试"), field="idempotency_key")
        return target

    def claim(self) -> IdempotencyRecord | None:
        """Insert the key's record first in the transaction: a concurrent duplicate blocks here and then
        fails on the unique key before it has created anything."""
        if not self.key:
            return None
        return fastsql.insert(IdempotencyRecord(key=self.key, principal=self.principal, request_digest=self.digest))

    def attach(self, record: IdempotencyRecord | None, target) -> None:
        if record is not None:
            field_name = "bundle_application" if self.bundle else "case"
            setattr(record, field_name, target)
            fastsql.update(record, [field_name])


def submit_case(*, item, applicant, channel, centre, form_data=None, provided_material_ids=(), files=None,
                submitted_by=None, window=None, agent=None, project=None, idempotency_key=None, principal=None,
                now: datetime | None = None) -> Case:
    """An application arrives (online, post, API): number and query code issued, materials checked
    against the list (e-certificates and shared data filled in), state SUBMITTED for the clerk. With
    an idempotency key the same request returns the same case, never a second one. Items whose
    instant-approval rules all hold are decided at once (秒批)."""
    now = moment(now)
    request = IdempotentRequest.start(
        idempotency_key=idempotency_key, principal=principal, submitted_by=submitted_by, applicant=applicant,
        request={"item": item.pk, "applicant": applicant.pk, "channel": channel, "centre": centre.pk,
                 "form_data": form_data or {}, "provided": sorted(map(str, provided_material_ids or ()))})
    if (existing := request.replay()) is not None:
        return existing
    sub = prepare_submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data,
                   provided_material_ids=provided_material_ids, files=files, submitted_by=submitted_by,
                   window=window, agent=agent, project=project, now=now)
    number = numbering.allocate_case_number(centre, local_day(now))
    instant = bool(item.instant_approval_rules)  # no rules: try_instant_approval would do nothing
    try:
        with transaction.atomic():
            record = request.claim()
            case = create_case(sub, number=number, query_code=numbering.new_query_code(), now=now)
            request.attach(record, case)
            if instant:
                from .approval import try_instant_approval

                try_instant_approval(lock_case(case), now=now)
    except IntegrityError:
        if (existing := request.replay()) is not None:
            return existing
        raise
    if instant:
        return Case.objects.get(pk=case.pk)
    # Nothing changed the case after it was written: it is returned as it is, with the material rows it
    # was created with (a submitted case has no tasks, fees or certificates yet), so a caller can show
    # it without reading it back.
    case.submitted_materials = sub.materials
    return case


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
