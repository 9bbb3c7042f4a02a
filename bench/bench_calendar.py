"""Deadline arithmetic: onewindow's WorkdayIndex against a day-by-day loop over
chinese_calendar.is_workday (what a straightforward implementation does).

    .venv/bin/python -m bench.bench_calendar [--size small|province]

Both sides use the same data: the index is built directly from chinese_calendar's holidays and
make-up working days (2004-2026 official, 2027-2028 provisional). Before timing, the index must agree
with the day-by-day loop on a random sample of 10,000 add and 10,000 between pairs (the loop runs over
chinese_calendar.is_workday asked once per day; 300 more adds run over the unmodified function), or
the script fails loudly. Workload: limits of
1-60 working days, start dates across 2004-01-01 .. 2026-09-30 (so the baseline, which knows no year
after 2026, can answer); `between` spans 0-90 calendar days. Each side is timed 5 times; we report the
median rate and the spread ((max - min) / median). The measured loop includes Python's own loop
overhead (an empty loop over the same pairs is reported in details for reference). Rates are calls per
CPU-second of this process (time.process_time), so other load on the machine does not distort them;
the wall-clock median is in details.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta

import chinese_calendar

from onewindow.calendar.index import WorkdayIndex

SIZES = {  # calls per timed run: (onewindow, baseline)
    "small": (300_000, 300),
    "province": (2_000_000, 1_500),
}
RUNS = 5
CHECK_PAIRS = 10_000
FIRST, LAST_START = date(2004, 1, 1), date(2026, 9, 30)
TARGET_RATE = 1_000_000
TARGET_RATIO = 500
ONE = timedelta(days=1)


def build_index() -> WorkdayIndex:
    return WorkdayIndex(first=FIRST, last=date(2028, 12, 31), holidays=set(chinese_calendar.holidays),
                        makeup_workdays=set(chinese_calendar.workdays),
                        official_years=set(range(2004, 2027)), version=1)


def baseline_add(start: date, days: int) -> date:
    day, counted = start, 0
    while counted < days:
        day += ONE
        if chinese_calendar.is_workday(day):
            counted += 1
    return day


def baseline_between(start: date, end: date) -> int:
    day, counted = start, 0
    while day < end:
        day += ONE
        if chinese_calendar.is_workday(day):
            counted += 1
    return counted


def sample(n: int, seed: int) -> tuple[list[tuple[date, int]], list[tuple[date, date]]]:
    rnd = random.Random(seed)
    span = (LAST_START - FIRST).days
    adds = [(FIRST + timedelta(days=rnd.randrange(span + 1)), rnd.randint(1, 60)) for _ in range(n)]
    betweens = [(start, start + timedelta(days=rnd.randint(0, 90))) for start, _ in adds]
    return adds, betweens


def workday_table() -> dict[date, bool]:
    """chinese_calendar.is_workday for every day it knows, asked once per day."""
    last = date(max(chinese_calendar.holidays).year, 12, 31)
    table, day = {}, FIRST
    while day <= last:
        table[day] = chinese_calendar.is_workday(day)
        day += ONE
    return table


def loop_add(table: dict[date, bool]):
    """The same day-by-day loop over a precomputed table: a fair naive implementation (and a fast way
    to check 10,000+ answers against chinese_calendar's own verdict for each day)."""
    def add(start: date, days: int) -> date:
        day, counted = start, 0
        while counted < days:
            day += ONE
            if table[day]:
                counted += 1
        return day
    return add


def loop_between(table: dict[date, bool]):
    def between(start: date, end: date) -> int:
        day, counted = start, 0
        while day < end:
            day += ONE
            if table[day]:
                counted += 1
        return counted
    return between


def check(index: WorkdayIndex, table: dict[date, bool]) -> int:
    adds, betweens = sample(CHECK_PAIRS, seed=20261125)
    want_add, want_between = loop_add(table), loop_between(table)
    for start, days in adds:
        got, want = index.add(start, days).due_on, want_add(start, days)
        if got != want:
            raise SystemExit(f"MISMATCH add({start}, {days}): onewindow {got}, baseline {want}")
    # and a slice against the unmodified chinese_calendar.is_workday loop itself
    for start, days in adds[:300]:
        if index.add(start, days).due_on != baseline_add(start, days):
            raise SystemExit(f"MISMATCH add({start}, {days}) against chinese_calendar.is_workday")
    for start, end in betweens:
        got, want = index.between(start, end).working_days, want_between(start, end)
        if got != want:
            raise SystemExit(f"MISMATCH between({start}, {end}): onewindow {got}, baseline {want}")
    return len(adds) + len(betweens)


def _time(func, pairs) -> tuple[float, float]:
    """Calls per CPU-second of this process (robust when other processes share the machine) and per
    wall-clock second."""
    cpu, wall = time.process_time(), time.perf_counter()
    for a, b in pairs:
        func(a, b)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    return len(pairs) / max(cpu, 1e-9), len(pairs) / wall


def _empty(pairs) -> float:
    started = time.perf_counter()
    for _a, _b in pairs:
        pass
    return len(pairs) / (time.perf_counter() - started)


def measure(func, pairs) -> dict:
    timings = [_time(func, pairs) for _ in range(RUNS)]
    rates = [cpu for cpu, _wall in timings]
    median = statistics.median(rates)
    return {"calls": len(pairs), "runs": RUNS, "median_per_s": round(median),
            "min_per_s": round(min(rates)), "max_per_s": round(max(rates)),
            "spread_pct": round(100 * (max(rates) - min(rates)) / median, 1),
            "wall_median_per_s": round(statistics.median(wall for _cpu, wall in timings))}


def run(size: str = "small") -> list[dict]:
    ours_n, base_n = SIZES[size]
    started = time.perf_counter()
    index = build_index()
    build_ms = (time.perf_counter() - started) * 1000
    table = workday_table()
    checked = check(index, table)
    adds, betweens = sample(ours_n, seed=1)
    results = []
    for metric, ours_func, base_func, naive_func, pairs in [
        ("add", index.add, baseline_add, loop_add(table), adds),
        ("between", index.between, baseline_between, loop_between(table), betweens),
    ]:
        ours = measure(ours_func, pairs)
        base = measure(base_func, pairs[:base_n])
        naive = measure(naive_func, pairs[:base_n * 50])
        ratio = ours["median_per_s"] / base["median_per_s"]
        met = ours["median_per_s"] >= TARGET_RATE and ratio >= TARGET_RATIO
        results.append({
            "scenario": "calendar", "metric": f"{metric} calls per CPU-second (1 process)",
            "onewindow": f"{ours['median_per_s']:,} (±{ours['spread_pct']}%)",
            "baseline": f"{base['median_per_s']:,} (±{base['spread_pct']}%)",
            "ratio": f"{ratio:,.0f}×", "target": f"≥ {TARGET_RATE:,}/s and ≥ {TARGET_RATIO}×", "met": met,
            "notes": (f"median of {RUNS} runs; index built in {build_ms:.0f} ms; {checked:,} answers checked "
                      "equal to the day-by-day loop first. The baseline is slow partly because "
                      "chinese_calendar.is_workday scans its whole table (min/max year) on every call; "
                      "against the same loop over a precomputed dict the index is "
                      f"{ours['median_per_s'] / naive['median_per_s']:,.0f}× faster ({metric})")
                     if metric == "add" else
                     f"vs the same loop over a precomputed dict: "
                     f"{ours['median_per_s'] / naive['median_per_s']:,.0f}× faster",
            "details": {"onewindow": ours, "baseline": base, "naive_loop_over_dict": naive,
                        "empty_loop_per_s": round(_empty(pairs)),
                        "checked_answers": checked, "index_build_ms": round(build_ms, 1)},
        })
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_calendar")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args(argv)
    results = run(args.size)
    print(f"{'metric':<40} {'onewindow /s':>22} {'baseline /s':>16} {'ratio':>8}  met")
    for r in results:
        print(f"{r['metric']:<40} {r['onewindow']:>22} {r['baseline']:>16} {r['ratio']:>8}  "
              f"{'yes' if r['met'] else 'NO'}")
    for r in results:
        print(f"{r['metric']}: {r['notes']}")
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
