"""Before a light turns yellow: the green cases most likely to run late, and why.

For each green open case: how long its item's cases have really taken (the 75th percentile of the
working days used from acceptance to decision, paused days left out, over recent decided cases; the
department's when the item has too few), how much of that is still ahead of it, and how loaded its
department is today (Little's law: the open tasks now against the tasks a normal day holds — decisions
per working day × the usual time in hand). The expected time still needed, stretched by that load,
against the working days left, is the score; 1 or more means it is expected to run late.

`measure` replays the rule on the history: for each case decided in the last window, as it stood when
40 % of its limit was used (still green), with the durations of cases decided before the window. The
department's load on that past day is not known, so the replay leaves it out (factor 1): the figure
is the rule's floor. Precision: of the cases it flagged, how many did run late; recall: of the cases
that ran late, how many it flagged."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar

from . import casefacts

HISTORY_DAYS = 180
HISTORY_LIMIT = 20000
MIN_SAMPLES = 5
PERCENTILE = 0.75
LOAD_CAP = 3.0
REPLAY_SHARE = 0.4
REPLAY_DAYS = 90
REPLAY_LIMIT = 5000


def _workdays(start: date, end: date) -> int:
    return calendar.working_days_between(start, end).working_days


def _percentile(values: list[int], share: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))])


@dataclass
class Durations:
    by_item: dict[int, float]
    by_department: dict[int, float]
    mean_by_department: dict[int, float]
    decided_per_day: dict[int, float]

    def expected(self, item_id: int, department_id: int) -> float | None:
        return self.by_item.get(item_id, self.by_department.get(department_id))


def durations(*, before: date, days: int = HISTORY_DAYS) -> Durations:
    """Working days used by cases decided in the `days` before `before` (the latest HISTORY_LIMIT)."""
    # decided_on is decided_cases' annotation, which django-stubs cannot see in values_list
    rows = (casefacts.decided_cases(start=before - timedelta(days=days), end=before - timedelta(days=1))  # type: ignore[misc]
            .filter(accepted_on__isnull=False).order_by("-decided_at")
            .values_list("item_id", "item__department_id", "accepted_on", "decided_on", "paused_days")[:HISTORY_LIMIT])
    item_days: dict[int, list[int]] = defaultdict(list)
    dept_days: dict[int, list[int]] = defaultdict(list)
    for item_id, department_id, accepted_on, decided_on, paused in rows:
        used = max(0, _workdays(accepted_on, decided_on) - (paused or 0))
        item_days[item_id].append(used)
        dept_days[department_id].append(used)
    span = max(1, _workdays(before - timedelta(days=days), before - timedelta(days=1)))
    return Durations(
        by_item={k: _percentile(v, PERCENTILE) for k, v in item_days.items() if len(v) >= MIN_SAMPLES},
        by_department={k: _percentile(v, PERCENTILE) for k, v in dept_days.items() if v},
        mean_by_department={k: sum(v) / len(v) for k, v in dept_days.items() if v},
        decided_per_day={k: len(v) / span for k, v in dept_days.items()})


@dataclass
class Risk:
    number: str
    case_id: int
    department: str
    item: str
    due_on: date
    days_left: int
    expected_left: float
    load: float
    score: float
    why: str


def _load(department_id: int, open_now: dict[int, int], history: Durations) -> float:
    typical = history.decided_per_day.get(department_id, 0) * history.mean_by_department.get(department_id, 0)
    if typical <= 0:
        return 1.0
    return min(LOAD_CAP, max(1.0, open_now.get(department_id, 0) / typical))


def at_risk(*, today: date, limit: int = 20, department_id: int | None = None) -> list[Risk]:
    """The green open cases ranked by how likely they are to run late (score ≥ 1 first), with why."""
    history = durations(before=today)
    open_now = dict(casefacts.open_cases().order_by().values("item__department_id")
                    .annotate(n=Count("id")).values_list("item__department_id", "n"))
    green = casefacts.cases_with_light(casefacts.open_cases(), today=today).filter(Q(board_light="green"))
    if department_id:
        green = green.filter(item__department_id=department_id)
    rows = green.order_by("due_on").values_list("id", "number", "item_id", "item__name", "item__department_id",
                                                 "item__department__name", "accepted_on", "due_on", "paused_days")
    risks: list[Risk] = []
    for case_id, number, item_id, item, dept_id, dept, accepted_on, due_on, paused in rows[:50000]:
        expected = history.expected(item_id, dept_id)
        if expected is None or due_on is None or accepted_on is None:
            continue
        used = max(0, _workdays(accepted_on, today) - (paused or 0))
        left = max(0, _workdays(today, due_on))
        load = _load(dept_id, open_now, history)
        expected_left = max(0.0, expected - used) * load
        score = expected_left / max(left, 0.5)
        why = _("该事项近期办件用时（75%%分位）%(p)s 个工作日，本件已用 %(u)s、剩 %(l)s 个工作日；"
                "%(d)s在办 %(n)s 件，为常态的 %(k).1f 倍") % {
            "p": f"{expected:g}", "u": used, "l": left, "d": dept, "n": open_now.get(dept_id, 0), "k": load}
        risks.append(Risk(number, case_id, dept, item, due_on, left, expected_left, load, score, why))
    risks.sort(key=lambda r: (-r.score, r.due_on, r.number))
    return [r for r in risks if r.score >= 0.5][:limit]


@dataclass
class Quality:
    window_start: date
    window_end: date
    replayed: int
    flagged: int
    late: int
    flagged_late: int

    @property
    def precision(self) -> float | None:
        return self.flagged_late / self.flagged if self.flagged else None

    @property
    def recall(self) -> float | None:
        return self.flagged_late / self.late if self.late else None

    def as_dict(self) -> dict:
        return {"window_start": self.window_start.isoformat(), "window_end": self.window_end.isoformat(),
                "replayed": self.replayed, "flagged": self.flagged, "late": self.late,
                "flagged_late": self.flagged_late, "precision": self.precision, "recall": self.recall}


def measure(*, today: date, days: int = REPLAY_DAYS) -> Quality:
    """The rule replayed on the cases decided in the last `days` (see the module's docstring)."""
    start = today - timedelta(days=days)
    history = durations(before=start)
    rows = (casefacts.decided_cases(start=start, end=today - timedelta(days=1))  # type: ignore[misc]  # decided_on: an annotation
            .filter(accepted_on__isnull=False)
            .order_by("-decided_at").values_list("item_id", "item__department_id", "accepted_on", "decided_on",
                                                 "due_on", "committed_limit_days", "extension_days")[:REPLAY_LIMIT])
    replayed = flagged = late = flagged_late = 0
    for item_id, dept_id, accepted_on, decided_on, due_on, limit, extension in rows:
        expected = history.expected(item_id, dept_id)
        total = (limit or 0) + (extension or 0)
        if expected is None or total <= 0:
            continue
        used = math.floor(total * REPLAY_SHARE)
        as_of = calendar.add_working_days(accepted_on, used).due_on
        if decided_on <= as_of:
            continue  # decided before the moment replayed: nothing to forecast
        replayed += 1
        left = total - used  # the working days of the limit still ahead at that moment
        predicted = max(0.0, expected - used) / max(left, 0.5) >= 1
        was_late = decided_on > due_on
        flagged += predicted
        late += was_late
        flagged_late += predicted and was_late
    return Quality(start, today, replayed, flagged, late, flagged_late)
