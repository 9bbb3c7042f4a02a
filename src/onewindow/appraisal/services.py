"""Writes of the performance appraisal, each one transaction with its audit event: the efficiency
office sets a period's weights, and closes a period (its scores stored, never to change)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.orgs import selectors as orgs
from onewindow.orgs.models import Role

from .indicators import INDICATORS
from .models import IndicatorWeight, Period, Score
from .periods import PeriodRef, parse
from .selectors import SUBJECT_KINDS, Weight, live_board, weights_of

OFFICE_ROLES = {Role.SUPERVISOR.value, Role.ADMINISTRATOR.value}


def may_manage(user) -> bool:
    return bool(orgs.roles_of(user) & OFFICE_ROLES)


def _require_office(user) -> None:
    if not may_manage(user):
        raise PermissionDenied(_("只有效能办监督人员或管理员可以维护绩效考评"))


def _chain(ref: PeriodRef) -> str:
    return f"appraisal:{ref.kind}:{ref.key}"


def _locked_period(ref: PeriodRef) -> Period:
    Period.objects.get_or_create(kind=ref.kind, start=ref.start, defaults={"end": ref.end})
    return Period.objects.select_for_update().get(kind=ref.kind, start=ref.start)


def _decimal(raw, *, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("请填写数字"), field=field) from None
    if not value.is_finite() or abs(value) >= Decimal("1e7"):
        raise ValidationError(_("请填写数字"), field=field)
    return value


def set_weights(*, actor, key: str, weights: dict[str, dict]) -> Period:
    """The weight, target and floor of each named indicator in the period (others keep theirs).
    Refused when the period is closed, for an unknown indicator, a negative weight, a target equal to
    its floor or all weights zero."""
    _require_office(actor)
    ref = parse(key)
    parsed: dict[str, Weight] = {}
    for code, row in weights.items():
        if code not in INDICATORS:
            raise ValidationError(_("没有这个指标：%(code)s") % {"code": code}, field="indicator")
        w = Weight(_decimal(row.get("weight"), field=f"{code}-weight"),
                   _decimal(row.get("target"), field=f"{code}-target"),
                   _decimal(row.get("floor"), field=f"{code}-floor"))
        if w.weight < 0 or w.weight > 1000:
            raise ValidationError(_("权重应在 0 到 1000 之间"), field=f"{code}-weight")
        if w.target == w.floor:
            raise ValidationError(_("满分目标值不能等于零分值"), field=f"{code}-target")
        parsed[code] = w
    with transaction.atomic():
        period = _locked_period(ref)
        if period.is_closed:
            raise Conflict(_("%(period)s 已关账，权重不能再修改") % {"period": ref.label}, field="period")
        merged = {**weights_of(ref, period), **parsed}
        if not any(w.weight > 0 for w in merged.values()):
            raise ValidationError(_("至少一个指标的权重应大于 0"), field="weight")
        for code, w in parsed.items():
            IndicatorWeight.objects.update_or_create(period=period, indicator=code, defaults={
                "weight": w.weight, "target": w.target, "floor": w.floor})
        audit.record(chain_key=_chain(ref), action="onewindow.appraisal.weights_set", actor=actor,
                     data={"period": ref.key, "kind": ref.kind,
                           "weights": {c: [str(w.weight), str(w.target), str(w.floor)] for c, w in parsed.items()}})
    return period


def close_period(*, actor, key: str, today: date | None = None) -> Period:
    """关账: store every subject's scores of the period as they are now; from then on the period's
    pages read the stored rows and no new or late case changes them. Only a period that has ended."""
    _require_office(actor)
    ref = parse(key)
    today = today or timezone.localdate()
    if ref.end >= today:
        raise ValidationError(_("考评期结束后才能关账"), field="period")
    with transaction.atomic():
        period = _locked_period(ref)
        if period.is_closed:
            raise Conflict(_("%(period)s 已关账") % {"period": ref.label}, field="period")
        rows = []
        counts = {}
        for kind in SUBJECT_KINDS:
            board = live_board(ref, kind)
            counts[kind] = len(board.rows)
            for subject in board.rows:
                rows.append(Score(period=period, subject_kind=kind, subject_id=subject.subject_id,
                                  subject_name=subject.name[:200], indicator="", score=subject.total,
                                  rank=subject.rank))
                for code, s in subject.indicators.items():
                    rows.append(Score(period=period, subject_kind=kind, subject_id=subject.subject_id,
                                      subject_name=subject.name[:200], indicator=code, numerator=s.numerator,
                                      denominator=s.denominator, value=s.value, score=s.score, weight=s.weight))
        # the weights in force are stored with the period, so its explanation never changes either
        for code, w in weights_of(ref, period).items():
            IndicatorWeight.objects.update_or_create(period=period, indicator=code, defaults={
                "weight": w.weight, "target": w.target, "floor": w.floor})
        Score.objects.bulk_create(rows, batch_size=2000)
        period.closed_at, period.closed_by = timezone.now(), actor
        period.save(update_fields=["closed_at", "closed_by"])
        audit.record(chain_key=_chain(ref), action="onewindow.appraisal.period_closed", actor=actor,
                     data={"period": ref.key, "kind": ref.kind, "subjects": counts})
    return period
