"""The indicator registry of the performance appraisal: each indicator once, with the source that
measures it, which subjects it applies to, its default weight, target and floor.

Scoring (stated on every page): each indicator's value is normalised to 0–100 linearly between its
floor (0 points) and its target (100 points), clamped at both ends — a target below the floor means
lower is better. A subject's total is the weighted mean of the scores of the indicators that apply to
it and have data in the period (a denominator above 0): Σ weight × score / Σ weight over those.

A source measures a group of indicators over a period per subject (department, centre, window
clerk) in a few aggregate queries, never by looping over cases. Sources measured now:

- `cases`: the cases themselves (cases.Case, its items and supplement requests).
- `hall`: appointments and tickets (hall.selectors.hall_figures) — centres and window clerks only.
- `ratings`: the counted 好差评 ratings rated in the period (ratings.selectors.appraisal_figures per
  department, clerk_figures per window clerk, statistics(by="centre") per centre): satisfaction.
- `public_appraisal`: the year's 社会评议 survey (ratings.selectors.public_appraisal_scores of the
  year the period starts in; every period of a year reads that year's survey) — departments only.
- `supervision`: urgings received, inspection findings and accountability records of the period
  (supervision.selectors.appraisal_figures) — departments only, counts, lower is better; a department
  with none has 0 (Source.absent_is_zero), once it has figures from any other source.

Still to come (PENDING_SOURCES, not measured or faked): complaints (orders, replied_on_time,
substantiated: complaints per thousand cases, on-time replies, substantiated complaints)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from onewindow.cases import measured
from onewindow.cases.models import Case, Channel, SupplementRequest
from onewindow.cases.states import CaseState
from onewindow.catalog.models import Item
from onewindow.hall import selectors as hall
from onewindow.ratings import selectors as ratings
from onewindow.supervision import selectors as supervision

from .models import SubjectKind
from .periods import PeriodRef

ALL_SUBJECTS = (SubjectKind.DEPARTMENT, SubjectKind.CENTRE, SubjectKind.CLERK)
HALL_SUBJECTS = (SubjectKind.CENTRE, SubjectKind.CLERK)
DEPARTMENTS = (SubjectKind.DEPARTMENT,)


@dataclass(frozen=True)
class Figure:
    """One indicator of one subject: value = numerator / denominator (None without a denominator)."""

    numerator: float
    denominator: float

    @property
    def value(self) -> float | None:
        return None if not self.denominator else self.numerator / self.denominator


@dataclass(frozen=True)
class Indicator:
    code: str
    label: Promise
    source: str
    unit: str  # "share" (shown as %), "ratio" (shown as %), "minutes", "points" (0–100), "count"
    weight: Decimal
    target: Decimal
    floor: Decimal
    numerator_label: Promise
    denominator_label: Promise
    how: Promise
    subjects: tuple[str, ...] = ALL_SUBJECTS
    population: str = ""  # the cases behind it: "decided" or "submitted" ("" for other sources)

    @property
    def lower_is_better(self) -> bool:
        return self.target < self.floor


def normalised(value: float | None, *, target: Decimal, floor: Decimal) -> float | None:
    """0–100, linear from floor to target, clamped."""
    if value is None:
        return None
    share = (value - float(floor)) / (float(target) - float(floor))
    return round(100 * min(1.0, max(0.0, share)), 2)


D = Decimal
INDICATORS: dict[str, Indicator] = {i.code: i for i in [
    Indicator("on_time", _("按时办结率"), "cases", "share", D(25), D("1"), D("0.9"),
              _("按时办结件数"), _("办结件数"),
              _("期内办结（含不予许可）的办件中，作出决定之日不晚于办结期限的比例"), population="decided"),
    Indicator("legal_time_used", _("法定时限使用率"), "cases", "ratio", D(15), D("0.3"), D("1"),
              _("实际用时合计（天）"), _("法定时限合计（天）"),
              _("期内办结的办件从受理到作出决定所用时间（工作日，自然日事项按自然日，扣除特别程序等暂停）"
                "之和与其法定时限之和的比值"), population="decided"),
    Indicator("at_most_one_visit", _("最多跑一次实现率"), "cases", "share", D(15), D("0.95"), D("0.6"),
              _("到现场不超过一次的件数"), _("办结件数"),
              _("期内办结的办件中，实际到现场次数不超过 1 次的比例（窗口受理、到窗口补正、窗口领取各计一次）"),
              population="decided"),
    Indicator("zero_visit", _("零跑腿实现率"), "cases", "share", D(10), D("0.5"), D("0"),
              _("零到现场件数"), _("办结件数"),
              _("期内办结的办件中，实际到现场次数为 0 的比例（网上申请、补正在网上、结果邮寄或电子送达）"),
              population="decided"),
    Indicator("online_share", _("网上申请率"), "cases", "share", D(10), D("0.8"), D("0.2"),
              _("网上申请件数"), _("申请件数"), _("期内提交的申请中，通过网上渠道提交的比例"), population="submitted"),
    Indicator("supplement_rate", _("补正率"), "cases", "share", D(10), D("0.05"), D("0.3"),
              _("要求过补正的件数"), _("申请件数"),
              _("期内提交的申请中，受理前或审查中要求过补正的比例（越低越好）"), population="submitted"),
    Indicator("refusal_rate", _("不予受理率"), "cases", "share", D(5), D("0.01"), D("0.1"),
              _("不予受理件数"), _("申请件数"), _("期内提交的申请中，不予受理的比例（越低越好）"),
              population="submitted"),
    Indicator("no_show_rate", _("预约爽约率"), "hall", "share", D(5), D("0.02"), D("0.2"),
              _("爽约数"), _("应到预约数"), _("预约日在期内、未取消的预约中，未到场签到的比例（越低越好）"),
              subjects=HALL_SUBJECTS),
    Indicator("average_wait", _("平均等候时间"), "hall", "minutes", D(5), D("5"), D("30"),
              _("平均等候（分钟）"), _("（取平均值）"), _("期内取号到首次叫号的平均等候分钟数（越低越好）"),
              subjects=HALL_SUBJECTS),
    Indicator("satisfaction", _("好差评满意率"), "ratings", "share", D(10), D("0.98"), D("0.8"),
              _("非差评数"), _("评价数"),
              _("期内计入统计的好差评中，评价为基本满意及以上（非“不满意”“非常不满意”）的比例"),
              subjects=ALL_SUBJECTS),
    Indicator("public_appraisal", _("社会评议得分"), "public_appraisal", "points", D(10), D("90"), D("60"),
              _("社会评议得分"), _("（年度评议）"),
              _("考评期开始所在年度社会评议中该部门的得分（非常满意 100、满意 75、基本满意 50、不满意 25、"
                "非常不满意 0 的平均，不计可疑答卷）；同一年度的各考评期使用同一次评议"), subjects=DEPARTMENTS),
    Indicator("urgings", _("被督办次数"), "supervision", "count", D(5), D("0"), D("5"),
              _("被督办次数"), _("（计数）"), _("期内效能办对该部门发出的督办次数（越低越好）"), subjects=DEPARTMENTS),
    Indicator("inspection_findings", _("检查发现问题数"), "supervision", "count", D(5), D("0"), D("5"),
              _("检查发现问题数"), _("（计数）"), _("期内明察暗访等检查对该部门发现并责令整改的问题数（越低越好）"),
              subjects=DEPARTMENTS),
    Indicator("accountability_records", _("问责记录数"), "supervision", "count", D(5), D("0"), D("2"),
              _("问责记录数"), _("（计数）"), _("期内对该部门作出问责决定的记录数（越低越好）"), subjects=DEPARTMENTS),
]}


# -- the cases source ---------------------------------------------------------------------------------

CASE_SUBJECT_FIELD = {SubjectKind.DEPARTMENT: "item__department_id", SubjectKind.CENTRE: "centre_id",
                      SubjectKind.CLERK: "accepted_by_id"}
case_time_used = measured.case_time_used


def decided_cases(period: PeriodRef) -> QuerySet[Case]:
    return measured.concluded_between(period.start, period.end)


def submitted_cases(period: PeriodRef) -> QuerySet[Case]:
    return measured.submitted_between(period.start, period.end)


def _supplemented():
    return Exists(SupplementRequest.objects.filter(case_id=OuterRef("pk")))


# Per indicator of the cases source: the condition of its numerator over its population (the time
# used has no one condition: its numerator is a sum of days, see cases.measured.time_used).
NUMERATOR: dict[str, Callable[[], Q]] = {
    "on_time": measured.on_time_q,
    "at_most_one_visit": lambda: Q(visit_count__lte=1),
    "zero_visit": lambda: Q(visit_count=0),
    "online_share": lambda: Q(channel=Channel.ONLINE),
    "supplement_rate": lambda: Q(supplemented=True),
    "refusal_rate": lambda: Q(state=CaseState.REFUSED),
    "legal_time_used": lambda: Q(pk__in=[]),
}


def population(indicator: Indicator, period: PeriodRef) -> QuerySet[Case]:
    """The cases an indicator counts in its denominator, annotated with what its numerator reads."""
    if indicator.population == "decided":
        return decided_cases(period).annotate(decided_day=measured.decided_day())
    return submitted_cases(period).annotate(supplemented=_supplemented())


def case_figures(period: PeriodRef, by: str, only: int | None = None) -> dict[int, dict[str, Figure]]:
    """Every cases-source indicator per subject: three GROUP BY queries over the period's cases (two
    scans of the concluded ones, by subject and day, cases.measured.time_used; one of the submitted
    ones by subject). `only`: one subject's figures, its queries filtered to it."""
    subject = CASE_SUBJECT_FIELD[SubjectKind(by)]
    if only is None:
        scope = Q(**{f"{subject}__isnull": False})
    elif by == SubjectKind.DEPARTMENT:
        # the department's items by id: the cases' (item, state) index answers, no scan of every case
        scope = Q(item_id__in=list(Item.objects.filter(department_id=only).values_list("pk", flat=True)))
    else:
        scope = Q(**{subject: only})
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    decided = decided_cases(period).filter(scope)
    counts = {"decided": Count("id"), "on_time": Count("id", filter=NUMERATOR["on_time"]()),
              "le1": Count("id", filter=NUMERATOR["at_most_one_visit"]()),
              "zero": Count("id", filter=NUMERATOR["zero_visit"]())}
    for key, t in measured.time_used(decided, subject, counts=counts).items():
        s = sums[int(key)]  # type: ignore[call-overload]
        s.update(t.counts)
        s["used"], s["legal"] = t.used, t.legal
    submitted = (submitted_cases(period).filter(scope).annotate(supplemented=_supplemented())
                 .values(subject).order_by()
                 .annotate(n=Count("id"), online=Count("id", filter=NUMERATOR["online_share"]()),
                           refused=Count("id", filter=NUMERATOR["refusal_rate"]()),
                           supplemented_n=Count("id", filter=Q(supplemented=True))))
    for r in submitted:
        s = sums[r[subject]]
        s["submitted"], s["online"], s["refused"] = r["n"], r["online"], r["refused"]
        s["supplemented"] = r["supplemented_n"]
    result: dict[int, dict[str, Figure]] = {}
    for key, s in sums.items():
        result[key] = {
            "on_time": Figure(s["on_time"], s["decided"]),
            "legal_time_used": Figure(s["used"], s["legal"]),
            "at_most_one_visit": Figure(s["le1"], s["decided"]),
            "zero_visit": Figure(s["zero"], s["decided"]),
            "online_share": Figure(s["online"], s["submitted"]),
            "supplement_rate": Figure(s["supplemented"], s["submitted"]),
            "refusal_rate": Figure(s["refused"], s["submitted"]),
        }
    return result


# -- the hall source ----------------------------------------------------------------------------------

def hall_figures(period: PeriodRef, by: str, only: int | None = None) -> dict[int, dict[str, Figure]]:
    if by not in HALL_SUBJECTS:
        return {}
    rows = hall.hall_figures(start=period.start, end=period.end, by=by)
    result: dict[int, dict[str, Figure]] = {}
    for key, f in rows.items():
        if key is None or (only is not None and key != only):
            continue
        due = f.appointments - f.cancelled
        wait = f.average_wait_seconds
        result[key] = {
            "no_show_rate": Figure(f.no_shows, due),
            # the hall's own mean (its tickets with a wait): numerator the mean, denominator 1 (no data: 0)
            "average_wait": Figure(wait / 60 if wait is not None else 0, 1 if wait is not None else 0),
        }
    return result


# -- the ratings source (好差评) and the public appraisal (社会评议) ---------------------------------------

def _keep(only: int | None, key: int | None) -> bool:
    return key is not None and (only is None or key == only)


def rating_figures(period: PeriodRef, by: str, only: int | None = None) -> dict[int, dict[str, Figure]]:
    """Satisfaction: ratings that are not bad over the counted ratings of the period."""
    rows: dict[int, dict[str, int]]
    if by == SubjectKind.DEPARTMENT:
        rows = ratings.appraisal_figures(start=period.start, end=period.end)
    elif by == SubjectKind.CLERK:
        rows = ratings.clerk_figures(start=period.start, end=period.end)
    else:
        rows = {r.key: {"ratings": r.ratings, "satisfied": r.satisfied}
                for r in ratings.statistics(by="centre", start=period.start, end=period.end)
                if r.key is not None}
    return {key: {"satisfaction": Figure(f["satisfied"], f["ratings"])}
            for key, f in rows.items() if _keep(only, key)}


def public_appraisal_figures(period: PeriodRef, by: str, only: int | None = None) -> dict[int, dict[str, Figure]]:
    """The score of the year's survey (numerator the score, denominator 1; no answers: no data)."""
    if by != SubjectKind.DEPARTMENT:
        return {}
    rows = ratings.public_appraisal_scores(period.start.year)
    return {key: {"public_appraisal": Figure(float(f["score"]), 1)} for key, f in rows.items()
            if _keep(only, key) and f.get("score") is not None}


# -- the supervision source ---------------------------------------------------------------------------

SUPERVISION_CODES = ("urgings", "inspection_findings", "accountability_records")


def supervision_figures(period: PeriodRef, by: str, only: int | None = None) -> dict[int, dict[str, Figure]]:
    """Counts against a department (numerator the count, denominator 1)."""
    if by != SubjectKind.DEPARTMENT:
        return {}
    rows = supervision.appraisal_figures(start=period.start, end=period.end)
    return {key: {code: Figure(f.get(code, 0), 1) for code in SUPERVISION_CODES}
            for key, f in rows.items() if _keep(only, key)}


@dataclass
class Source:
    code: str
    label: Promise
    figures: Callable[[PeriodRef, str, int | None], dict[int, dict[str, Figure]]]
    drill_down: bool = field(default=False)
    # counts whose absence means none: a subject measured by another source gets 0 (denominator 1)
    absent_is_zero: bool = field(default=False)


SOURCES: dict[str, Source] = {
    "cases": Source("cases", _("办件"), case_figures, drill_down=True),
    "hall": Source("hall", _("大厅预约与排队"), hall_figures),
    "ratings": Source("ratings", _("好差评"), rating_figures),
    "public_appraisal": Source("public_appraisal", _("社会评议"), public_appraisal_figures),
    "supervision": Source("supervision", _("督办、检查与问责"), supervision_figures, absent_is_zero=True),
}

PENDING_SOURCES = {
    "complaints": _("效能投诉（投诉量每千件、按时答复率、属实投诉）"),
}


def fill_absent_zeros(merged: dict[int, dict[str, Figure]], kind: str) -> None:
    """Every subject with figures gets 0 for the indicators of the sources where absence means none."""
    codes = [i.code for i in INDICATORS.values() if kind in i.subjects and SOURCES[i.source].absent_is_zero]
    for figures in merged.values():
        for code in codes:
            figures.setdefault(code, Figure(0, 1))
