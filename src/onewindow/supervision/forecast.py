"""Before a light turns yellow: the green cases most likely to run late, and why.

The history answers for each item: of its recently decided cases that were still undecided on their
last green day (the day before their light would turn yellow), how many ran late — told apart by
whether one of their stages was already past its own limit that day (a stage late inside a green case
is the strongest early sign). That share is a green case's chance of running late (the department's
cases when the item has too few, all cases when the department has too few). The department's load
today raises it: with k times the open cases a normal day holds (Little's law: decisions per working
day × the usual working days in hand; k capped at LOAD_CAP), the chance becomes 1 − (1 − p)^k. A case
is flagged when its chance is at least RATIO times the share of all such cases that ran late (and at
least FLAG_MIN); the board ranks by it and says why in words.

`measure` replays the rule on the history: each case decided in the last window, as it stood on its
last green day, judged with the table of the cases decided before the window; the department's load on
that past day is not known, so the replay leaves it out (k = 1). Precision: of the cases it flagged,
how many did run late; recall: of the cases that ran late, how many it flagged."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.calendar import selectors as calendar

from . import casefacts

HISTORY_DAYS = 180
HISTORY_LIMIT = 20000
MIN_SAMPLES = 8
LOAD_CAP = 2.0
RATIO = 1.5
FLAG_MIN = 0.05
REPLAY_DAYS = 90
REPLAY_LIMIT = 5000
CHUNK = 1000


def _workdays(start: date, end: date) -> int:
    return calendar.working_days_between(start, end).working_days


def last_green_day(accepted_on: date, total: int) -> date:
    """The last day a case accepted on `accepted_on` with `total` working days shows green (pauses
    aside)."""
    return calendar.add_working_days(accepted_on, max(0, total - casefacts.yellow_threshold(total) - 1)).due_on


@dataclass
class Tally:
    seen: int = 0
    late: int = 0

    @property
    def share(self) -> float:
        return self.late / self.seen if self.seen else 0.0


@dataclass
class Table:
    """Open on their last green day, by (item, stage late?), (department, stage late?) and stage late?."""

    by_item: dict[tuple[int, bool], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_department: dict[tuple[int, bool], Tally] = field(default_factory=lambda: defaultdict(Tally))
    overall: dict[bool, Tally] = field(default_factory=lambda: defaultdict(Tally))
    mean_days: dict[int, float] = field(default_factory=dict)
    decided_per_day: dict[int, float] = field(default_factory=dict)

    def add(self, item_id: int, department_id: int, stage_late: bool, late: bool) -> None:
        for tally in (self.by_item[(item_id, stage_late)], self.by_department[(department_id, stage_late)],
                      self.overall[stage_late]):
            tally.seen += 1
            tally.late += late

    @property
    def base(self) -> float:
        seen = sum(t.seen for t in self.overall.values())
        return sum(t.late for t in self.overall.values()) / seen if seen else 0.0

    def flags(self, chance: float) -> bool:
        return chance >= max(FLAG_MIN, RATIO * self.base)

    def chance(self, item_id: int, department_id: int, stage_late: bool) -> Tally | None:
        for tally in (self.by_item.get((item_id, stage_late)), self.by_department.get((department_id, stage_late)),
                      self.overall.get(stage_late)):
            if tally is not None and tally.seen >= MIN_SAMPLES:
                return tally
        return None


def _late_stage_on(rows: Iterable[tuple[int, date]]) -> set[int]:
    """The cases (id, day) with a stage open on that day past its own due date."""
    wanted = dict(rows)
    found: set[int] = set()
    ids = sorted(wanted)
    for start in range(0, len(ids), CHUNK):
        tasks = casefacts.tasks_of(ids[start:start + CHUNK]).values_list("case_id", "opened_on", "due_on",
                                                                          "completed_at")
        for case_id, opened_on, due_on, completed_at in tasks:
            day = wanted[case_id]
            done_on = timezone.localdate(completed_at) if completed_at else None
            if due_on is not None and opened_on is not None and opened_on <= day and due_on < day and (done_on is None or done_on > day):
                found.add(case_id)
    return found


_FIELDS = ("id", "item_id", "item__department_id", "accepted_on", "decided_on", "due_on", "committed_limit_days",
           "extension_days", "paused_days")


def _replayed(start: date, end: date, limit: int) -> list[tuple[int, int, bool, bool]]:
    """(item, department, stage late, ran late) of the cases decided from start to end that were still
    open on their last green day."""
    rows = (casefacts.decided_cases(start=start, end=end).filter(accepted_on__isnull=False)
            .order_by("-decided_at").values_list(*_FIELDS)[:limit])
    open_then = []
    for case_id, item_id, dept_id, accepted_on, decided_on, due_on, committed, extension, _paused in rows:
        total = (committed or 0) + (extension or 0)
        if total <= 0:
            continue
        day = last_green_day(accepted_on, total)
        if decided_on > day:
            open_then.append((case_id, item_id, dept_id, day, decided_on > due_on))
    late_stage = _late_stage_on((case_id, day) for case_id, _i, _d, day, _l in open_then)
    return [(item_id, dept_id, case_id in late_stage, late) for case_id, item_id, dept_id, _day, late in open_then]


def history_table(*, before: date, days: int = HISTORY_DAYS) -> Table:
    table = Table()
    for item_id, dept_id, stage_late, late in _replayed(before - timedelta(days=days), before - timedelta(days=1),
                                                        HISTORY_LIMIT):
        table.add(item_id, dept_id, stage_late, late)
    rows = (casefacts.decided_cases(start=before - timedelta(days=days), end=before - timedelta(days=1))
            .filter(accepted_on__isnull=False).order_by().values("item__department_id")
            .annotate(n=Count("id")).values_list("item__department_id", "n"))
    span = max(1, _workdays(before - timedelta(days=days), before - timedelta(days=1)))
    table.decided_per_day = {dept: n / span for dept, n in rows}
    return table


@dataclass
class Risk:
    number: str
    case_id: int
    department: str
    item: str
    due_on: date
    days_left: int
    stage_late: bool
    load: float
    score: float
    why: str


def _open_now_and_typical(today: date) -> tuple[dict[int, int], dict[int, float]]:
    """Open cases per department now, and the usual time in hand of their open cases (working days)."""
    open_now: dict[int, int] = {}
    in_hand: dict[int, list[int]] = defaultdict(list)
    rows = (casefacts.open_cases().order_by().values("item__department_id", "accepted_on")
            .annotate(n=Count("id")).values_list("item__department_id", "accepted_on", "n"))
    for dept_id, accepted_on, n in rows:
        if accepted_on is None:
            continue
        open_now[dept_id] = open_now.get(dept_id, 0) + n
        in_hand[dept_id] += [_workdays(accepted_on, today)] * min(n, 50)
    return open_now, {dept: sum(days) / len(days) for dept, days in in_hand.items() if days}


def at_risk(*, today: date, limit: int = 20, department_id: int | None = None) -> list[Risk]:
    """The green open cases ranked by their chance of running late (those at FLAG or more), with why."""
    table = history_table(before=today)
    open_now, _typical = _open_now_and_typical(today)
    green = casefacts.cases_with_light(casefacts.open_cases(), today=today).filter(Q(board_light="green"))
    if department_id:
        green = green.filter(item__department_id=department_id)
    late_stage = set(casefacts.cases_with_late_stage(green, today=today).values_list("id", flat=True))
    rows = green.order_by("due_on").values_list("id", "number", "item_id", "item__name", "item__department_id",
                                                 "item__department__name", "accepted_on", "due_on")
    risks: list[Risk] = []
    for case_id, number, item_id, item, dept_id, dept, accepted_on, due_on in rows[:50000]:
        if due_on is None or accepted_on is None:
            continue
        stage_late = case_id in late_stage
        tally = table.chance(item_id, dept_id, stage_late)
        if tally is None:
            continue
        typical = table.decided_per_day.get(dept_id, 0) * max(1.0, _typical.get(dept_id, 1.0))
        load = min(LOAD_CAP, max(1.0, open_now.get(dept_id, 0) / typical)) if typical > 0 else 1.0
        score = 1 - (1 - tally.share) ** load
        if not table.flags(score):
            continue
        left = max(0, _workdays(today, due_on))
        stage = _("已有环节超过其时限；") if stage_late else ""
        why = stage + _("以往同类办件在亮黄灯前仍未办结的 %(n)s 件中 %(m)s 件超期；本件剩 %(l)s 个工作日；"
                        "%(d)s在办 %(o)s 件，为常态的 %(k).1f 倍") % {
            "n": tally.seen, "m": tally.late, "l": left, "d": dept, "o": open_now.get(dept_id, 0), "k": load}
        risks.append(Risk(number, case_id, dept, item, due_on, left, stage_late, load, score, why))
    risks.sort(key=lambda r: (-r.score, r.due_on, r.number))
    return risks[:limit]


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
    table = history_table(before=start)
    replayed = flagged = late = flagged_late = 0
    for item_id, dept_id, stage_late, was_late in _replayed(start, today - timedelta(days=1), REPLAY_LIMIT):
        tally = table.chance(item_id, dept_id, stage_late)
        if tally is None:
            continue
        replayed += 1
        predicted = table.flags(tally.share)
        flagged += predicted
        late += was_late
        flagged_late += predicted and was_late
    return Quality(start, today, replayed, flagged, late, flagged_late)
