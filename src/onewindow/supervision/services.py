"""Writes of the efficiency office: one function per action, one transaction, one audit event each.

- review_denial: the office's review of a refusal or denial filed for review (否定报备);
- urge / answer_urging / close_urging / reopen_urging: 督办 with its answer-by clock;
- record_inspection / add_photo / issue_notice: 明察暗访, its photos and its circulated notice (通报)
  with the rectification tasks (整改) it orders, each with its clock;
- report_rectification / verify_rectification / send_back_rectification;
- record_accountability: 问责, linked to its source.
The daily check (breach policies) is `breaches.run_daily_check`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.cases import selectors as case_selectors
from onewindow.cases.models import Case, DenialFiling, Task
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from onewindow.core.uploads import accept_upload
from onewindow.orgs.models import Department, ServiceCentre, User, Window
from onewindow.workflow import clock

from . import access
from .models import (
    AccountabilityRecord,
    DenialReview,
    Grounds,
    Inspection,
    InspectionKind,
    InspectionPhoto,
    Measure,
    Rectification,
    ReviewVerdict,
    TargetKind,
    Urging,
)
from .states import RECTIFICATION_MACHINE, URGING_MACHINE, UrgingState

DEFAULT_ANSWER_DAYS = 3
MAX_DAYS = 60
MAX_TEXT = 2000


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _office(actor) -> None:
    if not access.is_office(actor):
        raise PermissionDenied(_("只有效能办监督人员才能办理此项"))


def _text(value, *, field: str, message: str, required: bool = True, max_length: int = MAX_TEXT) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()
    if required and not text:
        raise ValidationError(message, field=field)
    if len(text) > max_length:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": max_length}, field=field)
    return text


def _days(value, *, field: str) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("应为整数"), field=field) from None
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(_("应为 1 到 %(n)s 个工作日") % {"n": MAX_DAYS}, field=field)
    return days


def _choice(value, choices, *, field: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(choices.values)}, field=field)
    return str(value)


# -- 否定报备 review ---------------------------------------------------------------------------------------

def review_denial(*, actor, filing_id: int, verdict: str, opinion: str = "",
                  now: datetime | None = None) -> DenialReview:
    """The office reviews one filed refusal or denial: upheld, questioned (the unit must explain) or
    improper (the unit must correct it). Once per filing."""
    now = _now(now)
    _office(actor)
    verdict = _choice(verdict, ReviewVerdict, field="verdict")
    opinion = _text(opinion, field="opinion", message=_("理由不足或否定不当时须写明审查意见"),
                    required=verdict != ReviewVerdict.UPHELD)
    with transaction.atomic():
        filing = DenialFiling.objects.select_for_update().filter(pk=filing_id).first()
        if filing is None:
            raise NotFound(_("没有找到该否定报备"))
        if DenialReview.objects.filter(filing=filing).exists():
            raise Conflict(_("该否定报备已审查"))
        review = DenialReview.objects.create(filing=filing, verdict=verdict, opinion=opinion, reviewed_by=actor,
                                             reviewed_at=now)
        audit.record(chain_key=f"denial-filing:{filing.pk}", action="onewindow.supervision.denial_reviewed",
                     actor=actor, now=now, reason=opinion,
                     data={"case": filing.case.number, "kind": filing.kind, "verdict": verdict})
    return review


# -- 督办 -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    kind: str
    id: int
    label: str
    department: Department


def _case_target(target_id: int) -> Target:
    case = Case.objects.filter(pk=target_id).select_related("item__department").first()
    if case is None:
        raise ValidationError(_("没有编号为 %(id)s 的办件") % {"id": target_id}, field="target_id")
    return Target(TargetKind.CASE, case.pk, case.number, case_selectors.case_departments(case)[0])


def _task_target(target_id: int) -> Target:
    task = Task.objects.filter(pk=target_id).select_related("case", "department").first()
    if task is None:
        raise ValidationError(_("没有编号为 %(id)s 的审批环节") % {"id": target_id}, field="target_id")
    return Target(TargetKind.TASK, task.pk, f"{task.case.number} · {task.name}"[:120], task.department)


# What each kind of target is and which unit answers for it. Complaint work orders add their resolver
# here when the complaint centre's orders land (TargetKind.WORK_ORDER is already a kind).
TARGETS: dict[str, Callable[[int], Target]] = {TargetKind.CASE: _case_target, TargetKind.TASK: _task_target}


def resolve_target(kind: str, target_id) -> Target:
    if kind not in TargetKind.values:
        raise ValidationError(_("督办对象类别应为：%(all)s") % {"all": ", ".join(TargetKind.values)},
                              field="target_kind")
    resolver = TARGETS.get(kind)
    if resolver is None:
        raise ValidationError(_("暂不能督办该类对象"), field="target_kind")
    try:
        number = int(target_id)
    except (TypeError, ValueError):
        raise ValidationError(_("应为整数"), field="target_id") from None
    return resolver(number)


def _urging_chain(urging: Urging) -> str:
    return f"urging:{urging.pk}"


def urge(*, actor, target_kind: str, target_id, requirement: str, answer_days=DEFAULT_ANSWER_DAYS,
         now: datetime | None = None) -> Urging:
    """督办: the unit that holds the case, stage or work order is told (the audit event
    onewindow.supervision.urged is what notifies it) and must answer within `answer_days` working days.
    One open urging per target at a time."""
    now = _now(now)
    _office(actor)
    target = resolve_target(target_kind, target_id)
    requirement = _text(requirement, field="requirement", message=_("请写明督办要求"))
    days = _days(answer_days, field="answer_days")
    with transaction.atomic():
        if Urging.objects.filter(target_kind=target.kind, target_id=target.id, state=UrgingState.OPEN).exists():
            raise Conflict(_("%(t)s 已有待答复的督办") % {"t": target.label})
        urging = Urging(target_kind=target.kind, target_id=target.id, target_label=target.label,
                        department=target.department, requirement=requirement, urged_by=actor, urged_at=now)
        clock.start(urging, on=_today(now), limit=days)
        urging.save()
        audit.record(chain_key=_urging_chain(urging), action="onewindow.supervision.urged", actor=actor, now=now,
                     to_state=urging.state, reason=requirement,
                     data={"target_kind": target.kind, "target_id": target.id, "target": target.label,
                           "department": target.department.pk, "department_name": target.department.name,
                           "answer_by": urging.clock_due_on})
    return urging


def _locked_urging(urging: Urging) -> Urging:
    return Urging.objects.select_for_update().select_related("department").get(pk=urging.pk)


def answer_urging(*, actor, urging: Urging, answer: str, now: datetime | None = None) -> Urging:
    """The unit answers: what it did and when the case will be done. The answer-by clock stops."""
    now = _now(now)
    answer = _text(answer, field="answer", message=_("请填写答复内容"))
    with transaction.atomic():
        locked = _locked_urging(urging)
        if not access.speaks_for(actor, locked.department_id):
            raise PermissionDenied(_("只有被督办单位的人员才能答复督办"))
        target = URGING_MACHINE.target(locked.state, "answer", describe=str(locked))
        previous, locked.state = locked.state, target
        locked.answer, locked.answered_by, locked.answered_at = answer, actor, now
        clock.stop(locked, on=_today(now))
        locked.save()
        audit.record(chain_key=_urging_chain(locked), action="onewindow.supervision.urging_answered", actor=actor,
                     now=now, from_state=previous, to_state=locked.state, reason=answer,
                     data={"on_time": clock.light(locked, today=_today(now)) == clock.Light.ON_TIME})
    return locked


def close_urging(*, actor, urging: Urging, note: str = "", now: datetime | None = None) -> Urging:
    now = _now(now)
    _office(actor)
    with transaction.atomic():
        locked = _locked_urging(urging)
        previous = locked.state
        locked.state = URGING_MACHINE.target(locked.state, "close", describe=str(locked))
        locked.save(update_fields=["state"])
        audit.record(chain_key=_urging_chain(locked), action="onewindow.supervision.urging_closed", actor=actor,
                     now=now, from_state=previous, to_state=locked.state, reason=_text(note, field="note",
                                                                                      message="", required=False))
    return locked


def reopen_urging(*, actor, urging: Urging, reason: str, now: datetime | None = None) -> Urging:
    """The answer is not enough: back to the unit, its clock running again from where it stopped."""
    now = _now(now)
    _office(actor)
    reason = _text(reason, field="reason", message=_("请写明退回理由"))
    with transaction.atomic():
        locked = _locked_urging(urging)
        previous = locked.state
        locked.state = URGING_MACHINE.target(locked.state, "reopen", describe=str(locked))
        locked.clock_stopped_on = None
        locked.save()
        audit.record(chain_key=_urging_chain(locked), action="onewindow.supervision.urging_reopened", actor=actor,
                     now=now, from_state=previous, to_state=locked.state, reason=reason)
    return locked


# -- 明察暗访 ----------------------------------------------------------------------------------------------

def _inspection_chain(inspection: Inspection) -> str:
    return f"inspection:{inspection.pk}"


def record_inspection(*, actor, kind: str, visited_at: datetime, inspectors: str, findings: str,
                      centre_id=None, window_id=None, department_id=None, photos: Iterable = (),
                      now: datetime | None = None) -> Inspection:
    """A visit, announced (明查) or not (暗访), to a window or a department: when, who, what was found."""
    now = _now(now)
    _office(actor)
    kind = _choice(kind, InspectionKind, field="kind")
    if not isinstance(visited_at, datetime):
        raise ValidationError(_("请填写检查时间"), field="visited_at")
    if visited_at > now:
        raise ValidationError(_("检查时间不能晚于现在"), field="visited_at")
    inspectors = _text(inspectors, field="inspectors", message=_("请填写检查人员"), max_length=200)
    findings = _text(findings, field="findings", message=_("请填写发现的问题（没有问题也请写明）"))
    window = Window.objects.filter(pk=window_id).select_related("centre").first() if window_id else None
    if window_id and window is None:
        raise ValidationError(_("没有该窗口"), field="window_id")
    centre = window.centre if window else (ServiceCentre.objects.filter(pk=centre_id).first() if centre_id else None)
    if centre_id and centre is None:
        raise ValidationError(_("没有该中心"), field="centre_id")
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    if department_id and department is None:
        raise ValidationError(_("没有该部门"), field="department_id")
    if window is None and department is None and centre is None:
        raise ValidationError(_("请选择被检查的窗口或部门"), field="window_id")
    photos = [accept_upload(photo, field="photos") for photo in photos]
    with transaction.atomic():
        inspection = Inspection.objects.create(kind=kind, visited_at=visited_at, centre=centre, window=window,
                                               department=department, inspectors=inspectors, findings=findings,
                                               recorded_by=actor, recorded_at=now)
        for photo in photos:
            InspectionPhoto.objects.create(inspection=inspection, file=photo, uploaded_at=now)
        audit.record(chain_key=_inspection_chain(inspection), action="onewindow.supervision.inspected", actor=actor,
                     now=now, data={"kind": kind, "window": window.pk if window else None,
                                    "department": department.pk if department else None, "photos": len(photos)})
    return inspection


def add_photo(*, actor, inspection: Inspection, upload, caption: str = "",
              now: datetime | None = None) -> InspectionPhoto:
    now = _now(now)
    _office(actor)
    photo = accept_upload(upload, field="photo")
    with transaction.atomic():
        row = InspectionPhoto.objects.create(inspection=inspection, file=photo, uploaded_at=now,
                                             caption=_text(caption, field="caption", message="", required=False,
                                                           max_length=200))
        audit.record(chain_key=_inspection_chain(inspection), action="onewindow.supervision.photo_added",
                     actor=actor, now=now, data={"photo": row.pk})
    return row


def _notice_number(day: date) -> str:
    count = Inspection.objects.filter(notice_issued_at__year=day.year).count() + 1
    return _("效能通报〔%(y)s〕%(n)s号") % {"y": day.year, "n": count}


def issue_notice(*, actor, inspection: Inspection, text: str, rectifications: list[dict],
                 now: datetime | None = None) -> Inspection:
    """通报: the findings circulated, and one rectification task per finding and unit, each with a
    deadline in working days (立查立改). Once per inspection. `rectifications`: [{department_id,
    finding, requirement, days}]."""
    now = _now(now)
    _office(actor)
    text = _text(text, field="text", message=_("请填写通报内容"), max_length=5000)
    if not rectifications:
        raise ValidationError(_("请至少下达一项整改任务"), field="rectifications")
    rows = []
    for index, spec in enumerate(rectifications):
        prefix = f"rectifications.{index}"
        department = Department.objects.filter(pk=int(spec.get("department_id") or 0)).first()
        if department is None:
            raise ValidationError(_("请选择整改单位"), field=f"{prefix}.department_id")
        rows.append(Rectification(
            inspection=inspection, department=department, created_at=now,
            finding=_text(spec.get("finding"), field=f"{prefix}.finding", message=_("请写明问题")),
            requirement=_text(spec.get("requirement"), field=f"{prefix}.requirement", message=_("请写明整改要求")),
            clock_limit=_days(spec.get("days"), field=f"{prefix}.days")))
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if locked.notice_issued_at is not None:
            raise Conflict(_("该次检查已通报（%(n)s）") % {"n": locked.notice_number})
        locked.notice_number, locked.notice_text, locked.notice_issued_at = _notice_number(_today(now)), text, now
        locked.save(update_fields=["notice_number", "notice_text", "notice_issued_at"])
        for row in rows:
            clock.start(row, on=_today(now), limit=row.clock_limit)
            row.save()
        audit.record(chain_key=_inspection_chain(locked), action="onewindow.supervision.notice_issued", actor=actor,
                     now=now, data={"notice": locked.notice_number,
                                    "rectifications": [{"id": r.pk, "department": r.department_id,
                                                        "due_on": r.clock_due_on} for r in rows]})
    return locked


def _rectification_chain(row: Rectification) -> str:
    return f"rectification:{row.pk}"


def _locked_rectification(row: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().get(pk=row.pk)


def _move_rectification(row: Rectification, action: str, *, actor, now: datetime, reason: str = "",
                        **changes) -> Rectification:
    previous = row.state
    row.state = RECTIFICATION_MACHINE.target(row.state, action, describe=str(row))
    for name, value in changes.items():
        setattr(row, name, value)
    row.save()
    audit.record(chain_key=_rectification_chain(row), action=f"onewindow.supervision.rectification_"
                 f"{RECTIFICATION_MACHINE.verb(action)}", actor=actor, now=now, from_state=previous,
                 to_state=row.state, reason=reason, data={"due_on": row.clock_due_on})
    return row


def report_rectification(*, actor, rectification: Rectification, report: str,
                         now: datetime | None = None) -> Rectification:
    """The unit reports what it put right; its clock stops (on time or late by its due date)."""
    now = _now(now)
    report = _text(report, field="report", message=_("请填写整改情况"))
    with transaction.atomic():
        row = _locked_rectification(rectification)
        if not access.speaks_for(actor, row.department_id):
            raise PermissionDenied(_("只有整改单位的人员才能报送整改结果"))
        RECTIFICATION_MACHINE.require(row.state, "report", describe=str(row))
        clock.stop(row, on=_today(now))
        return _move_rectification(row, "report", actor=actor, now=now, reason=report, report=report,
                                   reported_by=actor, reported_at=now)


def verify_rectification(*, actor, rectification: Rectification, note: str = "",
                         now: datetime | None = None) -> Rectification:
    now = _now(now)
    _office(actor)
    with transaction.atomic():
        row = _locked_rectification(rectification)
        return _move_rectification(row, "verify", actor=actor, now=now,
                                   reason=_text(note, field="note", message="", required=False))


def send_back_rectification(*, actor, rectification: Rectification, reason: str,
                            now: datetime | None = None) -> Rectification:
    """Not put right: back to the unit, its clock running again (the same due date)."""
    now = _now(now)
    _office(actor)
    reason = _text(reason, field="reason", message=_("请写明退回理由"))
    with transaction.atomic():
        row = _locked_rectification(rectification)
        return _move_rectification(row, "send_back", actor=actor, now=now, reason=reason, clock_stopped_on=None)


# -- 问责 -------------------------------------------------------------------------------------------------

def record_accountability(*, actor, department_id, grounds: str, measure: str, facts: str, decided_on: date,
                          official_id=None, official_name: str = "", inspection_id=None, source_kind: str = "",
                          source_id=None, source_label: str = "", now: datetime | None = None) -> AccountabilityRecord:
    """A record against an official or a department with its grounds, measure, who decided and when,
    linked to its source: an inspection (listed back on it), a complaint work order (kind and id) or
    a department's red lights."""
    now = _now(now)
    _office(actor)
    department = Department.objects.filter(pk=department_id).first() if department_id else None
    if department is None:
        raise ValidationError(_("请选择责任单位"), field="department_id")
    grounds = _choice(grounds, Grounds, field="grounds")
    measure = _choice(measure, Measure, field="measure")
    facts = _text(facts, field="facts", message=_("请写明事实与依据"))
    if not isinstance(decided_on, date):
        raise ValidationError(_("日期格式应为 YYYY-MM-DD"), field="decided_on")
    if decided_on > _today(now):
        raise ValidationError(_("决定日期不能晚于今天"), field="decided_on")
    official = User.objects.filter(pk=official_id).first() if official_id else None
    if official_id and official is None:
        raise ValidationError(_("没有该人员"), field="official_id")
    official_name = _text(official_name or (official.get_full_name() if official else ""), field="official_name",
                          message="", required=False, max_length=60)
    inspection = Inspection.objects.filter(pk=inspection_id).first() if inspection_id else None
    if inspection_id and inspection is None:
        raise ValidationError(_("没有该次明察暗访"), field="inspection_id")
    if grounds == Grounds.INSPECTION and inspection is None:
        raise ValidationError(_("以明察暗访发现问题问责的，须关联该次检查"), field="inspection_id")
    if inspection is not None:
        source_kind, source_id = "inspection", inspection.pk
        source_label = source_label or inspection.notice_number or str(inspection)
    with transaction.atomic():
        record = AccountabilityRecord.objects.create(
            department=department, official=official, official_name=official_name, grounds=grounds, measure=measure,
            facts=facts, inspection=inspection, source_kind=(source_kind or "")[:16], source_id=source_id,
            source_label=(source_label or "")[:120], decided_by=actor, decided_on=decided_on, recorded_at=now)
        audit.record(chain_key=f"accountability:{record.pk}", action="onewindow.supervision.held_accountable",
                     actor=actor, now=now, reason=facts,
                     data={"department": department.pk, "official": official.pk if official else None,
                           "grounds": grounds, "measure": measure, "source_kind": record.source_kind,
                           "source_id": source_id})
    return record
