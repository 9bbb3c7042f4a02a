"""What concluded cases measured, for the appraisal and the reform dashboard: which cases count as
concluded in a period, the day each was decided, and the days each used from acceptance to decision
summed over groups of cases in the database without a loop over cases.

Time used: working days after acceptance up to the decision day (natural days for items whose limits
are natural days), less the days the clock was paused (special procedures, supplements in review).
Σ between(accepted, decided) = Σ rank(decided) − Σ rank(accepted) for any fixed anchor, so the
database groups the cases by (group, unit, decided day) and by (group, unit, accepted day) — a row
per group and day, not per case — and each day's working-day rank is looked up once on the calendar."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from onewindow.calendar import selectors as calendar

from .models import Case
from .states import CaseState

DECIDED_STATES = (CaseState.CONCLUDED, CaseState.DENIED)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Local midnight of `start` and of the day after `end` (days inclusive)."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(start, time.min, tzinfo=tz),
            datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz))


def decided_day():
    return TruncDate(Coalesce("decided_at", "concluded_at"), tzinfo=timezone.get_current_timezone())


def concluded_between(start: date, end: date) -> QuerySet[Case]:
    """Cases concluded from `start` to `end`: approved and delivered (办结), or denied."""
    low, high = bounds(start, end)
    return Case.objects.filter(state__in=DECIDED_STATES, concluded_at__gte=low, concluded_at__lt=high)


def submitted_between(start: date, end: date) -> QuerySet[Case]:
    low, high = bounds(start, end)
    return Case.objects.filter(submitted_at__gte=low, submitted_at__lt=high)


@dataclass
class TimeUsed:
    cases: int = 0
    used: float = 0  # days used, summed
    legal: float = 0  # legal limits, summed
    committed: float = 0  # committed limits, summed
    counts: dict[str, int] = field(default_factory=dict)  # the caller's extra counts (see time_used)


class _Ranks:
    def __init__(self, anchor: date):
        self.anchor = anchor
        self.cache: dict[tuple[str, date], int] = {}

    def __call__(self, unit: str, day: date) -> int:
        key = (unit, day)
        if key not in self.cache:
            self.cache[key] = (day.toordinal() if unit == "natural"
                               else calendar.working_days_between(self.anchor, day).working_days)
        return self.cache[key]


def time_used(cases: QuerySet[Case], group: str, *, counts: dict | None = None) -> dict[object, TimeUsed]:
    """{group value: TimeUsed} over the decided `cases`, grouped by the field path `group` (e.g.
    "item__department_id", "centre_id", "item__region_level"). Two GROUP BY queries (two scans).

    `counts` ({name: aggregate}, e.g. Count("id", filter=…)) are computed in the first of them over
    every case of the group, accepted or not, and summed into TimeUsed.counts: the caller's other
    figures of the same cases at no extra scan (the queryset is annotated with decided_day; names
    starting with tu_ are taken)."""
    accepted = Q(accepted_on__isnull=False)
    extra = counts or {}
    by_end = list(cases.annotate(decided_day=decided_day()).order_by()
                  .values(group, "item__limit_unit", "decided_day")
                  .annotate(tu_n=Count("id", filter=accepted), tu_paused=Sum("paused_days", filter=accepted),
                            tu_legal=Sum(Coalesce("item__legal_limit_days", "committed_limit_days"), filter=accepted),
                            tu_committed=Sum("committed_limit_days", filter=accepted), **extra))
    by_start = list(cases.filter(accepted).order_by().values(group, "item__limit_unit", "accepted_on")
                    .annotate(n=Count("id")))
    result: dict[object, TimeUsed] = defaultdict(TimeUsed)
    if not by_end:
        return {}
    days = [r["decided_day"] for r in by_end] + [r["accepted_on"] for r in by_start]
    rank = _Ranks(min(days))
    for r in by_end:
        t = result[r[group]]
        t.cases += r["tu_n"]
        if r["tu_n"]:
            t.used += r["tu_n"] * rank(r["item__limit_unit"], r["decided_day"]) - (r["tu_paused"] or 0)
        t.legal += r["tu_legal"] or 0
        t.committed += r["tu_committed"] or 0
        for name in extra:
            t.counts[name] = t.counts.get(name, 0) + (r[name] or 0)
    for r in by_start:
        result[r[group]].used -= r["n"] * rank(r["item__limit_unit"], r["accepted_on"])
    for t in result.values():
        t.used = max(0.0, t.used)
    return dict(result)


def case_time_used(case: Case) -> int | None:
    """One case's days used (for a page listing a few cases)."""
    decided = case.decided_at or case.concluded_at
    if case.accepted_on is None or decided is None:
        return None
    day = timezone.localtime(decided).date()
    if case.item.limit_unit == "natural":
        used = (day - case.accepted_on).days
    else:
        used = calendar.working_days_between(case.accepted_on, day).working_days
    return max(0, used - case.paused_days)


def on_time_q() -> Q:
    """On a queryset annotated with decided_day: decided on or before the due date."""
    from django.db.models import F

    return Q(due_on__isnull=True) | Q(decided_day__lte=F("due_on"))
