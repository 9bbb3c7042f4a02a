"""Before a light turns yellow: the green cases most likely to run late, and why.

For each green open case the history answers: of the item's recently decided cases that were still
undecided after as many working days as this one has used (paused days left out), how many ran late?
That share is the chance it runs late (the department's cases when the item has too few). The
department's load today raises it: with the open cases now at k times what a normal day holds
(Little's law: decisions per working day × the usual time in hand; k capped at LOAD_CAP), the chance
becomes 1 − (1 − p)^k. A case is flagged when the chance is FLAG or more; the board ranks by it and says
why in words.

`measure` replays the rule on the history: each case decided in the last window, as it stood when
40 % of its limit was used (still green), judged with the durations of cases decided before the window.
The department's load on that past day is not known, so the replay leaves it out (k = 1). Precision: of
the cases it flagged, how many did run late; recall: of the cases that ran late, how many it flagged."""

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
LOAD_CAP = 2.0
FLAG = 0.6
REPLAY_SHARE = 0.4
REPLAY_DAYS = 90
REPLAY_LIMIT = 5000


def _workdays(start: date, end: date) -> int:
    return calendar.working_days_between(start, end).working_days


@dataclass
class Durations:
    """Per item and per department: the working days each decided case used and whether it ran late."""

    by_item: dict[int, list[tuple[int, bool]]]
    by_department: dict[int, list[tuple[int, bool]]]
    mean_by_department: dict[int, float]
    decided_per_day: dict[int, float]

    def chance(self, item_id: int, department_id: int, used: int) -> tuple[float, int, int] | None:
        """(share late, cases still undecided after `used` days, of them late), or None without history."""
        rows = self.by_item.get(item_id)
        if rows is None or len(rows) < MIN_SAMPLES:
            rows = self.by_department.get(department_id)
        if not rows:
            return None
        still_open = [late for days, late in rows if days > used]
        if len(still_open) < MIN_SAMPLES:
            return None
        late = sum(still_open)
        return late / len(still_open), len(still_open), late


def durations(*, before: date, days: int = HISTORY_DAYS) -> Durations:
    """The cases decided in the `days` before `before` (the latest HISTORY_LIMIT)."""
    # decided_on is decided_cases' annotation, which django-stubs cannot see in values_list
    rows = (casefacts.decided_cases(start=before - timedelta(days=days), end=before - timedelta(days=1))  # type: ignore[misc]
            .filter(accepted_on__isnull=False).order_by("-decided_at")
            .values_list("item_id", "item__department_id", "accepted_on", "decided_on", "due_on",
                         "paused_days")[:HISTORY_LIMIT])
    by_item: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    by_dept: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for item_id, department_id, accepted_on, decided_on, due_on, paused in rows:
        row = (max(0, _workdays(accepted_on, decided_on) - (paused or 0)), decided_on > due_on)
        by_item[item_id].append(row)
        by_dept[department_id].append(row)
    span = max(1, _workdays(before - timedelta(days=days), before - timedelta(days=1)))
    return Durations(by_item=dict(by_item), by_department=dict(by_dept),
                     mean_by_department={k: sum(d for d, _late in v) / len(v) for k, v in by_dept.items()},
                     decided_per_day={k: len(v) / span for k, v in by_dept.items()})


@dataclass
class Risk:
    number: str
    case_id: int
    department: str
    item: str
    due_on: date
    days_left: int
    share: float
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
        if due_on is None or accepted_on is None:
            continue
        used = max(0, _workdays(accepted_on, today) - (paused or 0))
        found = history.chance(item_id, dept_id, used)
        if found is None:
            continue
        share, still_open, late = found
        load = _load(dept_id, open_now, history)
        score = 1 - (1 - share) ** load
        left = max(0, _workdays(today, due_on))
        why = _("以往同类办件用去 %(u)s 个工作日仍未办结的 %(n)s 件中，%(m)s 件超期；本件剩 %(l)s 个工作日；"
                "%(d)s在办 %(o)s 件，为常态的 %(k).1f 倍") % {
            "u": used, "n": still_open, "m": late, "l": left, "d": dept, "o": open_now.get(dept_id, 0), "k": load}
        risks.append(Risk(number, case_id, dept, item, due_on, left, share, load, score, why))
    risks.sort(key=lambda r: (-r.score, r.due_on, r.number))
    return [r for r in risks if r.score >= FLAG][:limit]


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
        total = (limit or 0) + (extension or 0)
        if total <= 0:
            continue
        used = math.floor(total * REPLAY_SHARE)
        as_of = calendar.add_working_days(accepted_on, used).due_on
        if decided_on <= as_of:
            continue  # decided before the moment replayed: nothing to forecast
        found = history.chance(item_id, dept_id, used)
        if found is None:
            continue
        replayed += 1
        predicted = found[0] >= FLAG
        was_late = decided_on > due_on
        flagged += predicted
        late += was_late
        flagged_late += predicted and was_late
    return Quality(start, today, replayed, flagged, late, flagged_late)
