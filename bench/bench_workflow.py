"""Advancing cases through a four-stage procedure with three departments in parallel, in process with
PostgreSQL: onewindow's case services against SpiffWorkflow running the same procedure as BPMN with
its state saved to the same database after each step.

    .venv/bin/python -m bench.bench_workflow [--size small|province] [--profile]

A fresh database `bench_workflow` (`onewindow init`, demo accounts). The item is the sample catalog's
存量房转移登记 copied under its own code without its fee (bench/workflow/onewindow_side.py): acceptance
by the window → review by 自然资源局, 税务局 and 住建局 in parallel → decision (自然资源局, which
issues the real-estate e-certificate) → conclusion with electronic delivery. Cases are submitted
beforehand and not timed. Timed, per case: the clerk accepts, each of the three departments approves its
task, the decision, the conclusion — six actions, each through the public service function with the
object its page would load, one transaction each, the acting account handed in as a new request would
(its roles not yet looked up).

Baseline (bench/workflow/spiff_side.py, bench/workflow/parallel_review.bpmn): SpiffWorkflow 3.2.0, the
same procedure as a BPMN process (a parallel gateway around three user tasks, one lane per
department). Each step is one transaction: the workflow row read FOR UPDATE, restored with
SpiffWorkflow's JSON serializer, the ready user task of the actor's lane completed, the engine run,
the workflow serialized and saved, one hash-chained audit row appended. Plain psycopg, same database,
same process, same number of cases.

Before anything is timed, a warm-up batch goes through both sides with every SQL statement counted
per action and is checked. Then `RUNS` runs each advance a fresh batch on both sides (stage by stage
across the batch; the side going first alternates). Afterwards every case is checked: onewindow's
concluded, with six approved tasks, one certificate and an audit chain that verifies; the baseline's
workflows completed with every user task done once and audit chains that verify. We report the median
cases per wall-clock second and the spread ((max − min) / median), and, because the machine is
shared, CPU milliseconds per case of the benchmark process plus its PostgreSQL backend."""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

from bench import support

DB = "bench_workflow"
# cases per timed run and side, runs, warm-up cases, seconds after which no new run starts
SIZES = {"small": (30, 5, 10, 30), "province": (300, 5, 30, 900)}
TARGET_RATE, TARGET_RATIO = 300, 3


def _child(db: str, cases: int, runs: int, warmup: int, seconds: float, profile: str | None) -> dict:
    args = [support.PYTHON, "-m", "bench.workflow.child", "--cases", str(cases), "--runs", str(runs),
            "--warmup", str(warmup), "--seconds", str(seconds)]
    if profile:
        args += ["--profile", profile]
    proc = subprocess.run(args, env=support.django_env(db), cwd=support.ROOT, text=True, capture_output=True,
                          timeout=seconds * 4 + 600)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "{}"
    result = json.loads(last) if last.startswith("{") else {}
    if proc.returncode != 0 or "runs" not in result:
        raise RuntimeError(f"bench.workflow.child failed ({proc.returncode}): {result.get('error', '')} "
                           f"{json.dumps(result.get('check', ''), ensure_ascii=False)[:1500]}{proc.stderr[-2000:]}")
    return result


def _summary(runs: list[dict]) -> dict:
    rates = [r["cases"] / r["wall"] for r in runs]
    median, spread = support.median_spread(rates)
    cpu = statistics.median(1000 * r["cpu"] / r["cases"] for r in runs)
    db_cpu = statistics.median(1000 * r["db_cpu"] / r["cases"] for r in runs)
    return {"median_per_s": round(median, 1), "spread_pct": spread, "rates": [round(x, 1) for x in rates],
            "cpu_ms_per_case": round(cpu, 2), "db_cpu_ms_per_case": round(db_cpu, 2),
            "cases": sum(r["cases"] for r in runs), "runs": len(runs)}


def run(size: str = "small", profile: str | None = None, db: str = DB) -> list[dict]:
    cases, runs, warmup, seconds = SIZES[size]
    try:
        support.init_database(db)
        load = support.load_average()
        result = _child(db, cases, runs, warmup, seconds, profile)
    finally:
        support.drop_database(db)
    ours, base = _summary(result["runs"]["onewindow"]), _summary(result["runs"]["baseline"])
    check = result["check"]
    problems = check["onewindow"]["problems"] + check["baseline"]["problems"]
    correct = not problems and check["onewindow"]["cases"] == check["baseline"]["cases"] > 0
    ratio = ours["median_per_s"] / base["median_per_s"] if base["median_per_s"] else 0
    ours_cpu = ours["cpu_ms_per_case"] + ours["db_cpu_ms_per_case"]
    base_cpu = base["cpu_ms_per_case"] + base["db_cpu_ms_per_case"]
    statements = result["statements"]
    per_action = " + ".join(f"{step} {'/'.join(map(str, counts))}" for step, counts in statements["onewindow"].items())
    steps = {side: {step: round(1000 * statistics.median(v), 2) for step, v in per_step.items()}
             for side, per_step in result["per_step_s"].items()}
    notes = (f"{check['onewindow']['cases']} cases a side ({ours['runs']} timed runs of {cases}, after a checked "
             f"warm-up of {warmup}); checks {'passed' if correct else 'FAILED: ' + '; '.join(problems[:3])}: every "
             f"case concluded with 6 approved tasks and its certificate, {check['onewindow']['chains']} audit "
             f"chains verified ({check['onewindow']['events']} events), {check['baseline']['cases']} workflows "
             f"completed, {check['baseline']['events']} baseline audit rows verified. SQL statements per case "
             f"(BEGIN/COMMIT not counted): onewindow {result['statements_total']['onewindow']} ({per_action}), "
             f"baseline {result['statements_total']['baseline']} (3 per step). CPU ms per case (this process + "
             f"its PostgreSQL backend): onewindow {ours['cpu_ms_per_case']} + {ours['db_cpu_ms_per_case']}, "
             f"baseline {base['cpu_ms_per_case']} + {base['db_cpu_ms_per_case']}. Rows written per case: onewindow "
             f"{result['rows_per_case']}, baseline 1 workflow row updated 6× ({result['workflow_json_bytes']:,} "
             f"bytes of JSON) + 6 audit rows; the baseline keeps no task rows (no department inbox), no due "
             f"dates and issues no certificate. Load average at start {load}")
    return [{
        "scenario": "workflow (4 stages, 3 parallel departments)",
        "metric": "cases/s advanced accept → 3 parallel approvals → decision → conclusion (1 process)",
        "onewindow": f"{ours['median_per_s']:,} (±{ours['spread_pct']}%)",
        "baseline": f"{base['median_per_s']:,} (±{base['spread_pct']}%)",
        "ratio": f"{ratio:.2f}× (CPU per case {base_cpu / ours_cpu:.2f}×)" if ours_cpu else f"{ratio:.2f}×",
        "target": f"≥ {TARGET_RATE}/s and ≥ {TARGET_RATIO}× the baseline",
        "met": correct and ours["median_per_s"] >= TARGET_RATE and ratio >= TARGET_RATIO,
        "notes": notes,
        "details": {"onewindow": ours, "baseline": base, "per_step_ms": steps, "statements": statements,
                    "setup_seconds": result["setup_seconds"], "submit_seconds": result["submit_seconds"],
                    "audit_actions_per_case": result["audit_actions_per_case"], "check": check,
                    "load_average_at_start": load, "load_average_at_end": support.load_average()},
    }]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_workflow")
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument onewindow's timed runs, report to FILE")
    parser.add_argument("--db", default=DB, help="database name (bench_*)")
    args = parser.parse_args(argv)
    results = run(args.size, profile=args.profile, db=args.db)
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
