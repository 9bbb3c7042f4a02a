"""The appraisal of a year for every department, a department's explained score page and the reform
dashboard, at a generated history's size.

    .venv/bin/python -m bench.bench_appraisal [--size small|province|10m]

A fresh database `bench_appraisal` (`onewindow init`, demo accounts) and `generate_history(size=N,
months=12)` — small: 100,000 cases, province: 1,000,000, 10m: 10,000,000 — then, after `VACUUM
ANALYZE`, in one process:
1. The appraisal of this calendar year for every department (appraisal.selectors.live_board: the
   cases' seven indicators in five GROUP BY queries, the hall's figures, scores and ranks), median of
   three runs. Baseline, same run: the same seven figures per department computed case by case in
   Python over every case of the year (a server-side cursor; working days per case on the calendar
   index). The figures must be equal both ways.
2. `GET /staff/appraisal/<year>/department/<id>/` (one department's explained score, queries
   filtered to it) through Django's test client, over the departments in turn: p50.
3. `GET /reform/` (the public reform dashboard): the first request computes it (reported as cold),
   the rest are served from the cache the dashboard is kept in for five minutes: p50."""

from __future__ import annotations

import argparse
import json
import sys

from bench import support

DB = "bench_appraisal"
SIZES = {"small": 100_000, "province": 1_000_000, "10m": 10_000_000}
TARGET_BOARD_S, TARGET_PAGE_MS, TARGET_DASHBOARD_MS = 10, 100, 50


def run(size: str = "small") -> list[dict]:
    cases = SIZES[size]
    try:
        support.init_database(DB)
        support.task(DB, "intake-setup", "--item", "1145068100760101XH-010020000000-00", "--applicants", "1")
        load = support.load_average()
        support.task(DB, "history", "--size", str(cases), "--months", "12", timeout=3 * 3600)
        r = support.task(DB, "appraisal", timeout=3 * 3600)
    finally:
        support.drop_database(DB)
    at = f"{r['cases_in_db']:,} cases"
    full = r["cases_in_db"] >= SIZES["10m"]  # the targets are set at 10 M cases: a smaller run cannot meet them
    ratio = r["baseline_s"] / r["board_median_s"] if r["board_median_s"] else 0
    return [{
        "scenario": f"appraisal ({at})", "metric": f"appraisal of {r['period']} for every department, s",
        "onewindow": r["board_median_s"], "baseline": r["baseline_s"], "ratio": f"{ratio:,.1f}×",
        "target": f"≤ {TARGET_BOARD_S} s at 10 M cases",
        "met": full and r["same_figures"] and r["board_median_s"] <= TARGET_BOARD_S,
        "notes": (f"{r['departments']} departments; runs {r['board_seconds']} s; the baseline reads every case of "
                  f"the year in Python; figures equal both ways: {r['same_figures']}; load average at start {load}"),
        "details": r,
    }, {
        "scenario": f"appraisal ({at})", "metric": "a department's explained score page, p50 / p99 ms",
        "onewindow": f"{r['explained_page']['p50_ms']} / {r['explained_page']['p99_ms']}", "baseline": "—",
        "ratio": "—", "target": f"p50 ≤ {TARGET_PAGE_MS} ms at 10 M",
        "met": full and (r["explained_page"]["p50_ms"] or 1e9) <= TARGET_PAGE_MS, "notes": "Django test client, in process",
        "details": r["explained_page"],
    }, {
        "scenario": f"reform dashboard ({at})", "metric": "GET /reform/ p50 / p99 ms (cold first request, s)",
        "onewindow": f"{r['dashboard']['p50_ms']} / {r['dashboard']['p99_ms']} ({r['dashboard_cold_s']} s)",
        "baseline": "—", "ratio": "—", "target": f"p50 ≤ {TARGET_DASHBOARD_MS} ms at 10 M",
        "met": full and (r["dashboard"]["p50_ms"] or 1e9) <= TARGET_DASHBOARD_MS,
        "notes": "the dashboard is kept in the cache for 5 minutes per region and day; the cold request computes it",
        "details": r["dashboard"],
    }]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_appraisal")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args(argv)
    results = run(args.size)
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
