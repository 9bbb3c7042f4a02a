"""Writing a new case: an application arriving by any channel (online, post, API, or entered at the
window) — its materials checked against the catalog's list, e-certificates and shared data filled in,
the case written with its first audit event — and the idempotency of a submission per caller and key.
Used by submission.submit_case, intake.intake_at_window and bundles.submit_bundle.

The hottest write path of the product: its statements are compiled once (core/fastsql.py)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import Item, ItemStatus, MaterialSource
from onewindow.core import fastsql, uploads
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs.models import Applicant, ServiceCentre, User, Window

from .. import access
from ..inputs import id_set, local_day
from ..models import (
    BundleApplication,
    Case,
    CaseMaterial,
    CaseMaterialStatus,
    Certificate,
    CertificateStatus,
    Channel,
    DeliveryMethod,
    IdempotencyRecord,
    KeyProject,
)
from ..states import CaseState
from ..transitions import chain_key

# Which catalog switch offers each channel (the API is an online channel; a phone application is
# entered by staff, like a window one, and needs no switch).
CHANNEL_SWITCH = {Channel.WINDOW: "channel_window", Channel.ONLINE: "channel_online",
                  Channel.POST: "channel_post", Channel.API: "channel_online"}

@dataclass
class _Submission:
    item: Item
    applicant: Applicant
    channel: str
    centre: ServiceCentre
    form_data: dict
    materials: list[CaseMaterial]
    submitted_by: User | None = None
    window: Window | None = None
    agent: User | None = None
    project: KeyProject | None = None
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
            if m.certificate_type or m.source == MaterialSource.E_CERTIFICATE:
                # No e-certificate on file: the paper copy (or the upload) stands in for it.
                row.note = (_("未查到电子证照，已上传") if m.id in files else _("未查到电子证照，已核收纸质件"))
        elif m.required:
            row.status = CaseMaterialStatus.MISSING
        else:
            row.status = CaseMaterialStatus.NOT_APPLICABLE
        rows.append(row)
    return rows


def _require_complete(rows: list[CaseMaterial]) -> None:
    """An online application is checked before it is sent: every required material that cannot be
    waived is handed in (or fetched); the refusal names each one missing."""
    missing = [row for row in rows if row.status == CaseMaterialStatus.MISSING
               and not (row.material is not None and row.material.waivable)]
    if missing:
        raise ValidationError(
            _("申请材料不全，请上传或勾选后再提交：%(names)s") % {
                "names": "、".join(f"“{row.name}”" for row in missing)}, field="materials")


def prepare_submission(*, item, applicant, channel, centre, form_data, provided_material_ids, files, submitted_by,
             window, agent, project, now, require_complete: bool = False) -> _Submission:
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
    catalog_selectors.require_centre_may_accept(centre, item)  # 就近办: only centres the item is delegated to
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
    if require_complete:
        _require_complete(rows)
    return _Submission(item=item, applicant=applicant, channel=channel, centre=centre, form_data=form_data or {},
                       materials=rows, submitted_by=submitted_by, window=window, agent=agent, project=project)


def create_case(sub: _Submission, *, number: str, query_code: str, now: datetime,
            bundle_application: BundleApplication | None = None) -> Case:
    case = fastsql.insert(Case(
        number=number, query_code=query_code, item=sub.item, item_version=sub.item.version,
        applicant=sub.applicant, centre=sub.centre, window=sub.window, channel=sub.channel,
        state=CaseState.SUBMITTED, form_data=sub.form_data, bundle_application=bundle_application,
        project=sub.project, agent=sub.agent, submitted_by=sub.submitted_by, submitted_at=now,
        committed_limit_days=sub.item.committed_limit_days or 0,  # a published item has it (catalog's constraint)
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

    def claim(self, case: Case | None = None) -> IdempotencyRecord | None:
        """Insert the key's record in the submission's transaction; a concurrent duplicate blocks on its
        unique key until the first commits, then fails, and its transaction rolls back whole. A bundle
        claims first, before its many cases, and `attach`es the record to what it made; a single case
        claims right after the case is written, with the record already pointing at it (one statement)."""
        if not self.key:
            return None
        return fastsql.insert(IdempotencyRecord(key=self.key, principal=self.principal, request_digest=self.digest,
                                                case=case))

    def attach(self, record: IdempotencyRecord | None, target) -> None:
        if record is not None:
            field_name = "bundle_application" if self.bundle else "case"
            setattr(record, field_name, target)
            fastsql.update(record, [field_name])


