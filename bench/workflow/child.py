"""Django side of bench.bench_workflow, run in a child process against one `bench_*` database:

    python -m bench.workflow.child --cases 100 --runs 5 --warmup 20   (ONEWINDOW_DATABASE_URL set)

Set-up (not timed): demo accounts, the benchmark item, 50 applicants, then warmup + runs × cases
cases submitted in onewindow and as many SpiffWorkflow workflows started. Warm-up: `warmup` cases
advanced on both sides with every SQL statement counted per action, then checked (a wrong result stops
the run before anything is timed). Each timed run advances a fresh batch of `cases` on each side,
stage by stage across the batch (the window accepts the batch, each department works through its
inbox, the decisions, the conclusions), the side going first alternating between runs. Afterwards
every case of both sides is checked again. Prints one JSON line last."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import django

APPLICANTS = 50


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend process on this machine."""
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


class _Counter:
    def __init__(self):
        self.queries = 0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        self.sql.append(sql.split(" ", 2)[0] + " " + sql[:160])
        return execute(sql, params, many, context)


def _advance(side: str, batch: list[int], steps, action, timings: dict) -> dict:
    """Advance every case of `batch` through every step; wall and CPU seconds per step and in all."""
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for step in steps:
        started = time.perf_counter()
        for case_id in batch:
            action(step, case_id)
        timings.setdefault(step, []).append((time.perf_counter() - started) / len(batch))
    return {"wall": time.perf_counter() - wall0, "cpu": time.process_time() - cpu0}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workflow.child")
    parser.add_argument("--cases", type=int, required=True, help="cases per timed run and side")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300, help="stop starting new runs after this")
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--profile", metavar="FILE", help="pyinstrument onewindow's timed runs, text report to FILE")
    args = parser.parse_args(argv)
    django.setup()
    from django.db import connection

    from onewindow.orgs import sample as orgs_sample

    from . import onewindow_side as ours
    from .spiff_side import Baseline

    started = time.monotonic()
    orgs_sample.ensure_demo_accounts(password="bench-pass-2026")
    item = ours.setup_item()
    applicants = ours.register_applicants(APPLICANTS)
    who = ours.actors()
    total = args.warmup + args.runs * args.cases
    t = time.perf_counter()
    case_ids = ours.submit(item, total, applicants)
    submit_s = time.perf_counter() - t
    base = Baseline(os.environ["ONEWINDOW_DATABASE_URL"])  # the same database as onewindow's
    from onewindow.cases.models import Case

    numbers = dict(Case.objects.filter(pk__in=case_ids).values_list("pk", "number"))
    flow_ids = [base.submit(numbers[pk]) for pk in case_ids]
    setup_s = time.monotonic() - started

    def ours_action(step, case_id):
        ours.ACTIONS[step](case_id, who)

    # Warm-up with every statement counted, then checked: nothing is timed before both sides are right.
    counts = {"onewindow": {}, "baseline": {}}
    sql_samples = {}
    for step in ours.STEPS:
        for case_id in case_ids[:args.warmup]:
            counter = _Counter()
            with connection.execute_wrapper(counter):
                ours_action(step, case_id)
            counts["onewindow"].setdefault(step, []).append(counter.queries)
            sql_samples.setdefault(step, counter.sql)
        for flow_id in flow_ids[:args.warmup]:
            before = base.statements
            base.step(flow_id, step)
            counts["baseline"].setdefault(step, []).append(base.statements - before)
    warm_check = {"onewindow": ours.check(case_ids[:args.warmup]), "baseline": base.check(flow_ids[:args.warmup])}
    if warm_check["onewindow"]["problems"] or warm_check["baseline"]["problems"]:
        print(json.dumps({"error": "warm-up check failed", "check": warm_check}, ensure_ascii=False, default=str))
        return 1

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        ours_pid = cursor.fetchone()[0]
    base_pid = base.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
    base.conn.rollback()
    runs = {"onewindow": [], "baseline": []}
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
    per_step = {"onewindow": {}, "baseline": {}}
    done_ours, done_base = list(case_ids[:args.warmup]), list(flow_ids[:args.warmup])
    deadline = time.monotonic() + args.seconds
    for run in range(args.runs):
        if time.monotonic() > deadline:
            break
        lo = args.warmup + run * args.cases
        batch_ours, batch_base = case_ids[lo:lo + args.cases], flow_ids[lo:lo + args.cases]
        sides = [("onewindow", batch_ours, ours_action, ours_pid), ("baseline", batch_base, lambda step, flow_id: base.step(flow_id, step), base_pid)]
        for side, batch, action, pid in (sides if run % 2 == 0 else sides[::-1]):
            db_cpu = _backend_cpu(pid)
            if profiler is not None and side == "onewindow":
                profiler.start()
            result = _advance(side, batch, ours.STEPS, action, per_step[side])
            if profiler is not None and side == "onewindow":
                profiler.stop()
            result["db_cpu"] = _backend_cpu(pid) - db_cpu
            result["cases"] = len(batch)
            runs[side].append(result)
        done_ours += batch_ours
        done_base += batch_base
    if profiler is not None:
        with open(args.profile, "w") as out:
            out.write(profiler.output_text(unicode=True, show_all=False))
    final_check = {"onewindow": ours.check(done_ours), "baseline": base.check(done_base)}
    rows = {}
    from django.db.models import Count

    from onewindow.audit.models import AuditEvent
    from onewindow.cases.models import Certificate, Task
    rows["onewindow"] = {
        "cases_task": Task.objects.filter(case_id__in=done_ours).count() / len(done_ours),
        "audit_auditevent": AuditEvent.objects.filter(
            chain__key__in=[f"case:{numbers[pk]}" for pk in done_ours]).count() / len(done_ours),
        "cases_certificate": Certificate.objects.filter(case_id__in=done_ours).count() / len(done_ours),
    }
    actions = dict(AuditEvent.objects.filter(chain__key=f"case:{numbers[done_ours[0]]}")
                   .values_list("action").annotate(n=Count("id")).values_list("action", "n"))
    workflow_bytes = base.conn.execute("SELECT avg(length(workflow)) FROM bench_spiff_case WHERE id = ANY(%s)",
                                       (done_base,)).fetchone()[0]
    base.conn.rollback()
    base.close()
    print(json.dumps({
        "setup_seconds": round(setup_s, 1), "submit_seconds": round(submit_s, 1), "submitted": total,
        "runs": runs, "per_step_s": per_step,
        "statements": {side: {step: sorted(set(v)) for step, v in steps.items()} for side, steps in counts.items()},
        "statements_total": {side: sum(max(v) for v in steps.values()) for side, steps in counts.items()},
        "sql_samples": sql_samples if args.show_sql else {},
        "warm_check": warm_check, "check": final_check, "rows_per_case": rows["onewindow"],
        "audit_actions_per_case": actions, "workflow_json_bytes": round(float(workflow_bytes or 0)),
    }, ensure_ascii=False, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
