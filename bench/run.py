"""`make bench [SIZE=small|province]`: run every benchmark scenario, print one table, and write the
results to bench/results/<timestamp>.json and .md (and latest.json / latest.md).

Each scenario is a module in bench/ with `run(size: str) -> dict` returning
{"scenario", "metric", "onewindow", "baseline", "ratio", "target", "met", "notes", "details"}.
Benchmarks report numbers; tests check behaviour: nothing here runs under `make test`."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import support

SCENARIOS = [
    "bench.bench_calendar",
    "bench.bench_intake",  # intake over HTTP + server memory
    "bench.bench_lookups",  # history generator + progress page and inbox at that size
    "bench.bench_staff",  # every staff list, filter, search and the dashboard at that size
    "bench.bench_workflow",  # cases through 4 stages with 3 parallel departments vs SpiffWorkflow
    "bench.bench_search",  # public catalog search + one-time notice under load (wrk)
    "bench.bench_dispatch",  # complaint dispatch suggestion: learning 100,000 orders, latency, accuracy
    "bench.bench_supervision",  # the supervision board and drill-down vs lights in Python; the daily check
    "bench.bench_appraisal",  # appraisal of a year vs case-by-case Python, explained score page, reform dashboard
]
RESULTS = Path(__file__).parent / "results"


def machine() -> dict:
    cpu = ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    pg = ""
    try:
        pg = subprocess.run(["psql", "--version"], capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return {"python": platform.python_version(), "platform": platform.platform(), "cpu": cpu,
            "cores": os.cpu_count(), "postgresql": pg}


def markdown(results: list[dict], meta: dict) -> str:
    lines = [f"# Benchmark results ({meta['size']}, {meta['finished_at']})", "",
             f"Machine: {meta['machine']['cpu']} · {meta['machine']['cores']} cores · Python "
             f"{meta['machine']['python']} · {meta['machine']['postgresql']} · load average at the start "
             f"{meta.get('load_average_at_start', '?')}, at the end {meta.get('load_average_at_end', '?')} · "
             f"shared cache {meta.get('cache', '?')} · {meta['seconds']} s", "",
             "| scenario | metric | onewindow | baseline | ratio | target | met |",
             "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['scenario']} | {r['metric']} | {r['onewindow']} | {r.get('baseline', '—')} | "
                     f"{r.get('ratio', '—')} | {r.get('target', '—')} | {'yes' if r.get('met') else 'NO'} |")
    notes = [f"- **{r['scenario']}**: {r['notes']}" for r in results if r.get("notes")]
    if notes:
        lines += ["", "Notes:", *notes]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--size", choices=["small", "province", "10m"], default="small",
                        help="10m: the lookups at 10 M cases (bench_lookups), the other scenarios at province size")
    parser.add_argument("--only", help="run only scenarios whose module name contains this")
    args = parser.parse_args(argv)
    results, failed = [], []
    started = time.time()
    started_load = support.load_average()
    for name in SCENARIOS:
        if args.only and args.only not in name:
            continue
        settled = _settle()
        print(f"== {name} ({args.size}) == (machine settled in {settled:.0f} s)", flush=True)
        try:
            size = args.size if args.size != "10m" or name == "bench.bench_lookups" else "province"
            results.extend(_as_list(importlib.import_module(name).run(size=size)))
        except Exception as exc:  # a broken scenario is reported, the others still run
            failed.append(name)
            results.append({"scenario": name, "metric": "error", "onewindow": f"{type(exc).__name__}: {exc}",
                            "met": False})
    meta = {"size": args.size, "machine": machine(), "load_average_at_start": started_load,
            "load_average_at_end": support.load_average(), "seconds": round(time.time() - started, 1),
            "cache": support.BENCH_CACHE_URL,
            "finished_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    payload = json.dumps({"meta": meta, "results": results}, ensure_ascii=False, indent=2)
    table = markdown(results, meta)
    # A partial run (--only) is kept under its own name and never replaces latest-<size>.
    stems = [f"{stamp}-{args.size}-only-{args.only}"] if args.only else [f"{stamp}-{args.size}", f"latest-{args.size}"]
    for stem in stems:
        (RESULTS / f"{stem}.json").write_text(payload)
        (RESULTS / f"{stem}.md").write_text(table)
    print()
    print(table)
    return 1 if failed else 0


def _busy(seconds: float = 1.0) -> float:
    """Share of both cores busy over `seconds` (/proc/stat)."""
    def sample():
        values = [int(v) for v in open("/proc/stat").readline().split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait
    total0, idle0 = sample()
    time.sleep(seconds)
    total1, idle1 = sample()
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def _settle(limit: float = 90) -> float:
    """Start each scenario on a quiet machine: PostgreSQL writes out what the previous scenario left
    dirty (a CHECKPOINT, else it lands in the next one's timing), then wait until the cores are idle
    (under 15 % busy for a second), at most `limit` seconds. Returns the seconds it took."""
    import psycopg

    started = time.monotonic()
    try:
        with psycopg.connect(support.db_url("postgres"), autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error:
        pass  # not a superuser: the wait below still applies
    while time.monotonic() - started < limit and _busy() > 0.15:
        pass
    return time.monotonic() - started


def _as_list(value):
    return value if isinstance(value, list) else [value]


if __name__ == "__main__":
    sys.exit(main())
