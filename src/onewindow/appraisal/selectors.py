"""Reads of the performance appraisal: weights of a period, the scored board of a period (live from
the sources while the period is open, from its stored Score rows once it is closed), one subject's
explained score, and the cases behind one indicator."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, QuerySet, Value, When
from django.db.models import Case as When_

from onewindow.cases.models import Case
from onewindow.core.errors import ValidationError
from onewindow.orgs.models import Department, ServiceCentre, User

from . import indicators as registry
from .indicators import INDICATORS, SOURCES, Figure, Indicator, normalised
from .models import IndicatorWeight, Period, Score, SubjectKind
from .periods import PeriodRef, parse

SUBJECT_KINDS = [k.value for k in SubjectKind]


@dataclass(frozen=True)
class Weight:
    weight: Decimal
    target: Decimal
    floor: Decimal


@dataclass
class IndicatorScore:
    indicator: Indicator
    weight: Decimal
    target: Decimal
    floor: Decimal
    numerator: float | None
    denominator: float | None
    value: float | None
    score: float | None

    @property
    def contribution(self) -> float | None:
        return None if self.score is None else self.score * float(self.weight)


@dataclass
class SubjectScore:
    kind: str
    subject_id: int
    name: str
    indicators: dict[str, IndicatorScore] = field(default_factory=dict)
    total: float | None = None
    rank: int | None = None


@dataclass
class Board:
    period: PeriodRef
    kind: str
    closed: Period | None
    weights: dict[str, Weight]
    rows: list[SubjectScore]

    @property
    def indicators(self) -> list[Indicator]:
        return [i for i in INDICATORS.values() if self.kind in i.subjects]


def subject_kind(value: str) -> str:
    if value not in SUBJECT_KINDS:
        raise ValidationError("by: " + ", ".join(SUBJECT_KINDS), field="by")
    return value


def period_row(ref: PeriodRef) -> Period | None:
    return Period.objects.filter(kind=ref.kind, start=ref.start).first()


def default_weights() -> dict[str, Weight]:
    return {code: Weight(i.weight, i.target, i.floor) for code, i in INDICATORS.items()}


def weights_of(ref: PeriodRef, row: Period | None = None) -> dict[str, Weight]:
    """The period's own weights where set, the registry's defaults for the rest."""
    weights = default_weights()
    row = row if row is not None else period_row(ref)
    if row is not None:
        for w in IndicatorWeight.objects.filter(period=row):
            if w.indicator in weights:
                weights[w.indicator] = Weight(w.weight, w.target, w.floor)
    return weights


def names(kind: str, ids) -> dict[int, str]:
    ids = [i for i in ids if i is not None]
    if kind == SubjectKind.DEPARTMENT:
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    if kind == SubjectKind.CENTRE:
        return dict(ServiceCentre.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {pk: (display or username) for pk, display, username in
            User.objects.filter(pk__in=ids).values_list("pk", "display_name", "username")}


def score_subject(kind: str, subject_id: int, name: str, figures: dict[str, Figure],
                  weights: dict[str, Weight]) -> SubjectScore:
    row = SubjectScore(kind=kind, subject_id=subject_id, name=name)
    total_weight, total = Decimal(0), 0.0
    for code, indicator in INDICATORS.items():
        if kind not in indicator.subjects:
            continue
        w = weights[code]
        figure = figures.get(code)
        value = figure.value if figure else None
        score = normalised(value, target=w.target, floor=w.floor)
        row.indicators[code] = IndicatorScore(indicator, w.weight, w.target, w.floor,
                                              figure.numerator if figure else None,
                                              figure.denominator if figure else None, value, score)
        if score is not None and w.weight > 0:
            total_weight += w.weight
            total += score * float(w.weight)
    row.total = round(total / float(total_weight), 2) if total_weight else None
    return row


def live_figures(ref: PeriodRef, kind: str, *, only: int | None = None) -> dict[int, dict[str, Figure]]:
    merged: dict[int, dict[str, Figure]] = {}
    for source in SOURCES.values():
        for key, figures in source.figures(ref, kind, only).items():
            merged.setdefault(key, {}).update(figures)
    registry.fill_absent_zeros(merged, kind)
    return merged


def rank(rows: list[SubjectScore]) -> list[SubjectScore]:
    """Best total first; equal totals share a rank (1, 2, 2, 4); subjects without a total last, unranked."""
    rows.sort(key=lambda r: (r.total is None, -(r.total or 0), r.name, r.subject_id))
    previous, position = None, 0
    for index, row in enumerate(rows, start=1):
        if row.total is None:
            break
        if row.total != previous:
            position, previous = index, row.total
        row.rank = position
    return rows


def live_board(ref: PeriodRef, kind: str, *, closed: Period | None = None) -> Board:
    weights = weights_of(ref)
    figures = live_figures(ref, kind)
    known = names(kind, figures)
    rows = [score_subject(kind, key, known.get(key, str(key)), f, weights) for key, f in figures.items()
            if key in known]
    return Board(ref, kind, closed, weights, rank(rows))


def _stored_board(ref: PeriodRef, kind: str, row: Period) -> Board:
    weights = weights_of(ref, row)
    subjects: dict[int, SubjectScore] = {}
    for s in Score.objects.filter(period=row, subject_kind=kind).order_by("subject_id", "indicator"):
        subject = subjects.setdefault(s.subject_id, SubjectScore(kind, s.subject_id, s.subject_name))
        if not s.indicator:
            subject.total, subject.rank = s.score, s.rank
        elif s.indicator in INDICATORS:
            w = weights[s.indicator]
            subject.indicators[s.indicator] = IndicatorScore(INDICATORS[s.indicator], w.weight, w.target, w.floor,
                                                             s.numerator, s.denominator, s.value, s.score)
    rows = sorted(subjects.values(), key=lambda r: (r.rank is None, r.rank or 0, r.name))
    return Board(ref, kind, row, weights, rows)


def board(key: str, kind: str) -> Board:
    """Every subject of a kind in a period, scored and ranked."""
    ref, kind = parse(key), subject_kind(kind)
    row = period_row(ref)
    if row is not None and row.is_closed:
        return _stored_board(ref, kind, row)
    return live_board(ref, kind)


def subject_score(key: str, kind: str, subject_id: int) -> SubjectScore | None:
    """One subject's explained score. An open period is measured for this subject only (its queries
    filtered to it; no rank: the board ranks), a closed one read from its stored rows."""
    ref, kind = parse(key), subject_kind(kind)
    row = period_row(ref)
    if row is not None and row.is_closed:
        return next((r for r in _stored_board(ref, kind, row).rows if r.subject_id == subject_id), None)
    known = names(kind, [subject_id])
    if subject_id not in known:
        return None
    figures = live_figures(ref, kind, only=subject_id).get(subject_id, {})
    return score_subject(kind, subject_id, known[subject_id], figures, weights_of(ref, row))


def cases_behind(key: str, kind: str, subject_id: int, code: str) -> QuerySet[Case]:
    """The cases one indicator of one subject counts in its denominator, each with `counted` (True
    when it is also in the numerator), by case number. Only indicators measured from the cases."""
    ref, kind = parse(key), subject_kind(kind)
    indicator = INDICATORS.get(code)
    if indicator is None or indicator.source != "cases":
        raise ValidationError("indicator", field="indicator")
    cases = registry.population(indicator, ref).filter(**{registry.CASE_SUBJECT_FIELD[SubjectKind(kind)]: subject_id})
    if code == "legal_time_used":
        cases = cases.filter(accepted_on__isnull=False)
    return (cases.annotate(counted=When_(When(registry.NUMERATOR[code](), then=Value(True)), default=Value(False),
                                         output_field=BooleanField()))
            .select_related("item", "centre").order_by("number"))


def periods_closed() -> list[Period]:
    return list(Period.objects.filter(closed_at__isnull=False))
