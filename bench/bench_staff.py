"""Every staff page at a province's size: the case list, each of its filters (light, state, centre,
department, item), its searches (case number, number prefix, applicant's name, id number, item name)
and the dashboard, as the supervisor (every case) and as the busiest centre's window clerk.

    .venv/bin/python -m bench.bench_staff [--size small|province] [--keep] [--reuse]

A fresh database (`bench_staff`; ONEWINDOW_BENCH_STAFF_DB names another, e.g. to run beside someone
else's) with `generate_history` — small: 100,000 cases, province: 1,000,000 — then `VACUUM ANALYZE`,
then each page `--repeat` times in process (Django's test client through every middleware, templates
rendered; bench/staff_tasks.py). --reuse: time an existing database of that name (no generation);
--keep: leave it for the next run. Target (issue 15): p50 ≤ 100 ms for every page at 1 M cases. The
issue's figures before the clock moved to stored dates (1 M cases): list 1.4 s, light filter 3.1 s,
state 1.5 s, number search 0.8 s, dashboard 0.3 s."""

from __future__ import annotations

import argparse
import json
import os
import sys

from bench import support

DB = os.environ.get("ONEWINDOW_BENCH_STAFF_DB", "bench_staff")
SIZES = {"small": 100_000, "province": 1_000_000, "10m": 1_000_000}
TARGET_P50_MS = 100
# The figures at 1 M cases, before (issue 15, "Performance").
BEFORE_MS = {"list": 1400, "light": 3100, "state": 1500, "search: case number": 800, "dashboard": 300}


def _before(name: str) -> str:
    page = name.split(": ", 1)[1]
    if page.startswith("light="):
        return f"{BEFORE_MS['light']} (issue)"
    if page.startswith("state="):
        return f"{BEFORE_MS['state']} (issue)"
    for key in ("list", "search: case number", "dashboard"):
        if page == key:
            return f"{BEFORE_MS[key]} (issue)"
    return "—"


def run(size: str = "small", *, keep: bool = False, reuse: bool = False) -> list[dict]:
    cases = SIZES[size]
    generated = None
    try:
        if not (reuse and support.database_exists(DB)):
            support.init_database(DB)
            support.task(DB, "intake-setup", "--item", "1145068100760101XH-010020000000-00", "--applicants", "1")
            generated = support.task(DB, "history", "--size", str(cases), "--months", "12", timeout=3 * 3600)
        staff = support.task(DB, "staff", timeout=3600)
    finally:
        if not keep:
            support.drop_database(DB)
    results = []
    for name, figures in staff["pages"].items():
        results.append({
            "scenario": f"staff pages ({staff['cases_in_db']:,} cases)",
            "metric": f"{name}: page p50 / p99 ms (SQL p50 ms, statements)",
            "onewindow": f"{figures['p50_ms']} / {figures['p99_ms']} ({figures['sql']['p50_ms']}, "
                         f"{figures['statements']})",
            "baseline": _before(name), "ratio": "—", "target": f"p50 ≤ {TARGET_P50_MS} ms",
            "met": figures["p50_ms"] <= TARGET_P50_MS,
            "notes": "", "details": figures,
        })
    if results:
        results[0]["notes"] = (f"{staff['cases_in_db']:,} cases (the clerk's centre: {staff['clerk_centre_cases']:,}); "
                               "in process, templates rendered; baseline column: the issue's figures before"
                               + (f"; generated in {generated['seconds']} s" if generated else ""))
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_staff")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time an existing database (no generation)")
    args = parser.parse_args(argv)
    results = run(args.size, keep=args.keep, reuse=args.reuse)
    for r in results:
        print(f"{r['metric']:<70} {r['onewindow']:<28} before {r['baseline']:<14} {'ok' if r['met'] else 'SLOW'}")
    print(json.dumps(results, ensure_ascii=False, default=str))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
