"""The supervision board and its drill-down at a database size, against lights computed case by case in
Python; the daily check over every open clock.

    .venv/bin/python -m bench.bench_supervision [--size small|province]

A fresh database `bench_supervision` (`onewindow init`, demo accounts), `generate_history(size=N,
months=12)` (small: 100,000 cases, province: 1,000,000), then in process as the demo supervisor:
the board (`/staff/supervision/`: counts by light per department, centre, item and stage, on-time
rates, breaches, urgings; the forecast cached after the first request) and the drill-down (a random
light, department and page among the first three). Baseline: every open case read and its light judged
in Python (`cases.deadlines.light`), counted per department — the counts must equal the board's. Then the
daily check (breach policies over every open clock), and again the same day (must do nothing).

The issue's figure is 1 M open cases among 10 M; the sample history keeps only its last weeks open (a
few percent of N), so the open count is reported with the times."""

from __future__ import annotations

import argparse
import json
import sys

from bench import support

DB = "bench_supervision"
SIZES = {"tiny": 20_000, "small": 100_000, "province": 1_000_000}
TARGET_P50_MS, TARGET_P99_MS, TARGET_CHECK_S = 100, 300, 60


def run(size: str = "small") -> list[dict]:
    cases = SIZES.get(size, SIZES["small"])
    try:
        support.init_database(DB)
        support.task(DB, "intake-setup", "--item", "1145068100760101XH-010020000000-00", "--applicants", "1")
        support.task(DB, "history", "--size", str(cases), "--months", "12", timeout=3 * 3600)
        result = support.task(DB, "supervision", timeout=3600)
    finally:
        support.drop_database(DB)
    board, drill, base = result["board"], result["drill"], result["baseline"]
    ratio = round(base["p50_ms"] / board["p50_ms"], 1) if board["p50_ms"] else None
    notes = (f"{result['open_cases']:,} open cases among {cases:,}; counts equal the baseline's: "
             f"{result['counts_equal_baseline']}; first board request {result['first_board_s']} s (forecast "
             f"computed and cached)")
    return [
        {"scenario": "supervision board", "metric": "board page p50 / p99 (ms)",
         "onewindow": f"{board['p50_ms']} / {board['p99_ms']}", "baseline": f"{base['p50_ms']} (lights in Python)",
         "ratio": ratio, "target": f"p50 ≤ {TARGET_P50_MS}, p99 ≤ {TARGET_P99_MS}",
         "met": bool(board["p50_ms"] <= TARGET_P50_MS and board["p99_ms"] <= TARGET_P99_MS
                     and result["counts_equal_baseline"]),
         "notes": notes, "details": result},
        {"scenario": "supervision drill-down", "metric": "cases behind a count, p50 / p99 (ms)",
         "onewindow": f"{drill['p50_ms']} / {drill['p99_ms']}", "baseline": "—", "ratio": "—",
         "target": f"p50 ≤ {TARGET_P50_MS}, p99 ≤ {TARGET_P99_MS}",
         "met": bool(drill["p50_ms"] <= TARGET_P50_MS and drill["p99_ms"] <= TARGET_P99_MS), "notes": ""},
        {"scenario": "supervision daily check", "metric": "breach policies over every open clock (s)",
         "onewindow": result["check"]["seconds"], "baseline": "—", "ratio": "—", "target": f"≤ {TARGET_CHECK_S} s",
         "met": result["check"]["seconds"] <= TARGET_CHECK_S and result["check_again"]["already_ran"] is True,
         "notes": f"figures {result['check']['figures']}; the same day again: {result['check_again']['seconds']} s, "
                  f"nothing done"},
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size), ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
