"""Writes of ratings: rate a service once, and the bad rating's rectification — follow-up, result, the
office's review, the unit's appeal and its decision. One function per action, one transaction, one
audit event (chains `rating:<kind>-<id>` and `rectification:<id>`).

Rules (State Council General Office 2019 No. 51; GB/T 39734/39735-2020): every service rated once by
the person served; staff cannot rate their own services nor change a rating; a bad rating (不满意 or
worse) is rectified by the responsible unit within a limit (default 5 working days,
ONEWINDOW_RATING_RECTIFICATION_DAYS) with a follow-up contact; the unit may appeal a mistaken or
malicious bad rating, the office decides, and an upheld appeal takes the rating out of the statistics
while keeping it on record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.workflow import clock

from . import access
from .models import Rating, Rectification
from .states import DIMENSIONS, RECTIFICATION_MACHINE, AppealGround, Level, RectificationState, Source, is_bad
from .subjects import Subject, resolve

COMMENT_CHARS = 500
NOTE_CHARS = 2000
DEFAULT_RECTIFICATION_DAYS = 5


def rectification_days() -> int:
    return int(getattr(settings, "ONEWINDOW_RATING_RECTIFICATION_DAYS", DEFAULT_RECTIFICATION_DAYS))


def _now(now: datetime | None) -> datetime:
    return timezone.localtime(now or timezone.now())


def _level(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in Level.values:
        raise ValidationError(_("评价应为 1—5（非常不满意—非常满意）"), field=field)
    return value


def _text(value: str, field: str, *, limit: int, required: str = "") -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError(required, field=field)
    if len(text) > limit:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": limit}, field=field)
    return text


def check_rater(subject: Subject, rater) -> None:
    """Staff may not rate a service they gave, nor rate in someone's place: a staff account rates only a
    service where it was itself the applicant. The pad at the window rates with no account."""
    if rater is None or not getattr(rater, "is_authenticated", False):
        return
    if rater.pk in subject.staff_ids:
        raise PermissionDenied(_("工作人员不能评价本人提供的服务"))
    if access.is_staff(rater) and rater.pk != subject.applicant_user_id:
        raise PermissionDenied(_("工作人员不能代替办事人评价"))


def rate(*, kind: str, subject_id: int, level: int, dimensions: Mapping[str, int] | None = None,
         comment: str = "", source: str = Source.PORTAL, rater=None, device=None,
         now: datetime | None = None) -> Rating:
    """Rate one service once (一次一评、一事一评). A bad rating opens its rectification in the same
    transaction. `device`: the account the window's pad is signed in with (recorded, never the rater). A second rating of the same service is refused (409), by the database if two arrive at
    once."""
    now = _now(now)
    if source not in Source.values:
        raise ValidationError(_("评价渠道无效"), field="source")
    subject = resolve(kind, subject_id)
    if not subject.rateable:
        raise Conflict(subject.not_rateable_reason, field="id")
    check_rater(subject, rater)
    level = _level(level, "level")
    allowed = DIMENSIONS[subject.mode]
    values: dict[str, int] = {}
    for name, value in (dimensions or {}).items():
        if name not in allowed:
            raise ValidationError(_("此类服务没有“%(name)s”这一评价项") % {"name": name}, field=f"dimensions.{name}")
        if value is not None:
            values[str(name)] = _level(value, f"dimensions.{name}")
    comment = _text(comment, "comment", limit=COMMENT_CHARS)
    if Rating.objects.filter(subject_kind=subject.kind, subject_id=subject.id).exists():
        raise Conflict(_("该服务已评价过，每次服务只能评价一次"), field="id")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                subject_kind=subject.kind, subject_id=subject.id, subject_label=subject.label[:120],
                mode=subject.mode, source=source, level=level, comment=comment, **values,
                department_id=subject.department_id, centre_id=subject.centre_id, window_id=subject.window_id,
                item_id=subject.item_id, clerk_id=subject.clerk_id, applicant_id=subject.applicant_id,
                rated_by=rater if rater is not None and getattr(rater, "is_authenticated", False) else None,
                rated_at=now, rated_on=now.date())
            audit.record(chain_key=f"rating:{subject.kind}-{subject.id}", action="onewindow.rating.rated",
                         actor=rating.rated_by, actor_label="" if rating.rated_by else _("办事群众"),
                         data={"level": level, "source": source, "dimensions": values, "subject": subject.label,
                               "device": device.get_username() if device is not None else ""},
                         reason=comment, now=now)
            if is_bad(level):
                _open_rectification(rating, now=now)
    except IntegrityError:
        raise Conflict(_("该服务已评价过，每次服务只能评价一次"), field="id") from None
    return rating


def _open_rectification(rating: Rating, *, now: datetime) -> Rectification:
    rectification = Rectification(rating=rating, department_id=rating.department_id,
                                  centre_id=None if rating.department_id else rating.centre_id, opened_at=now)
    clock.start(rectification, on=now.date(), limit=rectification_days())
    rectification.save()
    audit.record(chain_key=f"rectification:{rectification.pk}", action="onewindow.rectification.opened",
                 to_state=rectification.state, data={"rating": rating.pk, "due_on": str(rectification.clock_due_on),
                                                     "department": rating.department_id}, now=now)
    return rectification


# -- the rectification -------------------------------------------------------------------------------

def _lock(rectification: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("rating").get(pk=rectification.pk)


def _describe(rectification: Rectification) -> str:
    return _("差评整改 %(id)s") % {"id": rectification.pk}


def _move(rectification: Rectification, action: str, *, actor, now: datetime, reason: str = "",
          data: dict | None = None, fields: list[str]) -> Rectification:
    """Apply the machine's transition (already checked), save and append the audit event."""
    before = rectification.state
    rectification.state = RECTIFICATION_MACHINE.target(before, action, describe=_describe(rectification))
    rectification.save(update_fields=["state", *fields, *clock.DEFAULT_FIELDS.stored()])
    audit.record(chain_key=f"rectification:{rectification.pk}",
                 action=f"onewindow.rectification.{RECTIFICATION_MACHINE.verb(action)}", actor=actor,
                 from_state=before, to_state=rectification.state, reason=reason, data=data or {}, now=now)
    return rectification


def _require_unit(actor, rectification: Rectification) -> None:
    if not access.is_unit_of(actor, rectification):
        raise PermissionDenied(_("只有责任单位可以办理该差评整改"))


def _require_office(actor) -> None:
    if not access.is_office(actor):
        raise PermissionDenied(_("只有效能办可以审核差评整改"))


def record_follow_up(*, actor, rectification: Rectification, note: str, now: datetime | None = None) -> Rectification:
    """回访: the unit contacts the applicant and records what was said."""
    now = _now(now)
    note = _text(note, "note", limit=NOTE_CHARS, required=_("请填写回访情况"))
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, "record_follow_up", describe=_describe(r))
        _require_unit(actor, r)
        r.follow_up_at, r.follow_up_note, r.follow_up_by = now, note, actor
        return _move(r, "record_follow_up", actor=actor, now=now, reason=note,
                     fields=["follow_up_at", "follow_up_note", "follow_up_by"])


def submit(*, actor, rectification: Rectification, result: str, now: datetime | None = None) -> Rectification:
    """The unit reports its result after the follow-up; its clock stands while the office reviews."""
    now = _now(now)
    result = _text(result, "result", limit=NOTE_CHARS, required=_("请填写整改结果"))
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, "submit", describe=_describe(r))
        _require_unit(actor, r)
        if r.follow_up_at is None:
            raise Conflict(_("请先登记对评价人的回访情况，再报送整改结果"), field="result")
        r.result, r.submitted_at, r.submitted_by = result, now, actor
        clock.pause(r, on=now.date())
        return _move(r, "submit", actor=actor, now=now, reason=result, fields=["result", "submitted_at", "submitted_by"])


def accept(*, actor, rectification: Rectification, note: str = "", now: datetime | None = None) -> Rectification:
    """The office accepts the result: the rectification ends on the day it was submitted."""
    now = _now(now)
    note = _text(note, "note", limit=NOTE_CHARS)
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, "accept", describe=_describe(r))
        _require_office(actor)
        submitted_on = timezone.localtime(r.submitted_at).date() if r.submitted_at else now.date()
        clock.stop(r, on=submitted_on)
        r.office_note, r.closed_at = note, now
        return _move(r, "accept", actor=actor, now=now, reason=note, fields=["office_note", "closed_at"])


def reject(*, actor, rectification: Rectification, note: str, now: datetime | None = None) -> Rectification:
    """The office sends the result back: the unit rectifies again; its clock runs on from where it stood."""
    now = _now(now)
    note = _text(note, "note", limit=NOTE_CHARS, required=_("请写明退回理由"))
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, "reject", describe=_describe(r))
        _require_office(actor)
        clock.resume(r, on=now.date())
        r.office_note, r.rejections = note, r.rejections + 1
        return _move(r, "reject", actor=actor, now=now, reason=note, fields=["office_note", "rejections"])


def appeal(*, actor, rectification: Rectification, ground: str, reason: str,
           now: datetime | None = None) -> Rectification:
    """申诉复核: the unit holds the bad rating mistaken or malicious (once per rating); its clock stands
    while the office decides."""
    now = _now(now)
    if ground not in AppealGround.values:
        raise ValidationError(_("请选择申诉理由类型"), field="ground")
    reason = _text(reason, "reason", limit=NOTE_CHARS, required=_("请写明申诉理由和依据"))
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, "appeal", describe=_describe(r))
        _require_unit(actor, r)
        if r.appealed_at is not None:
            raise Conflict(_("该差评已申诉过一次，不能再次申诉"))
        r.appeal_ground, r.appeal_reason, r.appealed_at = ground, reason, now
        clock.pause(r, on=now.date())
        return _move(r, "appeal", actor=actor, now=now, reason=reason, data={"ground": ground},
                     fields=["appeal_ground", "appeal_reason", "appealed_at"])


def decide_appeal(*, actor, rectification: Rectification, upheld: bool, decision: str,
                  now: datetime | None = None) -> Rectification:
    """The office decides an appeal. Upheld: the rating leaves the statistics (kept on record) and the
    rectification ends. Dismissed: the unit rectifies, its clock runs on."""
    now = _now(now)
    decision = _text(decision, "decision", limit=NOTE_CHARS, required=_("请填写复核意见"))
    action = "uphold_appeal" if upheld else "dismiss_appeal"
    with transaction.atomic():
        r = _lock(rectification)
        RECTIFICATION_MACHINE.require(r.state, action, describe=_describe(r))
        _require_office(actor)
        r.appeal_decision = decision
        fields = ["appeal_decision"]
        if upheld:
            clock.stop(r, on=now.date())
            r.closed_at = now
            fields.append("closed_at")
            Rating.objects.filter(pk=r.rating_id).update(counted=False)
        else:
            clock.resume(r, on=now.date())
        return _move(r, action, actor=actor, now=now, reason=decision, fields=fields)


def can_appeal(rectification: Rectification) -> bool:
    return rectification.state == RectificationState.OPEN and rectification.appealed_at is None
