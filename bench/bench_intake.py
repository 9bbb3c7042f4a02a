"""Intake over HTTP with the production server, against the same rows written by a minimal SQL
transaction through psycopg; and each server worker's memory afterwards.

    .venv/bin/python -m bench.bench_intake [--size small|province] [--profile]

Setup: a fresh PostgreSQL database `bench_intake` (or $ONEWINDOW_BENCH_INTAKE_DB; `onewindow init`, demo accounts, an API token of
the window clerk, 50 registered applicants). `onewindow serve` (gunicorn gthread, 2 workers x 4
threads, access log on, as in production) listens on 127.0.0.1.

Load: a SECOND set of processes (the Python client below: 2 processes x 4 threads, keep-alive
http.client connections, so 8 requests in flight — the server's 2 x 4 threads) posts
`POST /api/v1/cases` for a fixed time, each request with a unique Idempotency-Key, for 公司设立登记
(6 materials). Every response is recorded: status, latency, the case number. A Python client rather
than wrk so every acknowledged number can be checked afterwards (wrk's Lua response hook cannot write
them out cheaply); its CPU cost is measured and reported (it shares the 2 cores with the server).

Baseline: the same client structure (2 processes x 4 threads, one psycopg connection each) writes
the SAME rows per case as the server does (checked: the rows added per case are counted on both
sides): the day counter bumped in its own short transaction, then in one transaction the idempotency
record, the case, its material rows, the audit chain and its first hash-chained event, the record
pointed at the case.

Checks (a fast wrong answer is a failure): every acknowledged case number is in the database, one
case per acknowledged key, no case without an acknowledgement, replaying 50 keys returns the same
cases (200) and creates nothing, the audit chains of the new cases verify."""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import psycopg

from bench import support

DB = os.environ.get("ONEWINDOW_BENCH_INTAKE_DB", "bench_intake")  # another name for parallel runs
ITEM = "1145068100760101XH-010020000000-00"  # 公司设立登记: 6 materials, online channel, no instant rules
DURATION = {"small": 15, "province": 60}
CLIENT_PROCESSES, CLIENT_THREADS = 2, 4
SERVER_WORKERS, SERVER_THREADS = 2, 4
PORT = int(os.environ.get("ONEWINDOW_BENCH_PORT", "18731"))
TARGET_RATE, TARGET_RATIO, TARGET_P99_MS, TARGET_RSS_MB = 500, 0.35, 150, 150
TZ = ZoneInfo("Asia/Shanghai")


# -- the HTTP client (runs in child processes) ----------------------------------------------------

def _http_thread(run_id: str, proc: int, thread: int, setup: dict, until: float, out: list) -> None:
    rng = random.Random(f"{run_id}-{proc}-{thread}")
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    headers = {"Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json"}
    n = 0
    while time.monotonic() < until and n < 1_000_000:
        n += 1
        key = f"{run_id}-{proc}-{thread}-{n}"
        body = json.dumps({"item": setup["item"], "applicant": rng.choice(setup["applicants"]),
                           "provided_material_ids": setup["material_ids"], "form_data": {"n": n}})
        started = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/cases", body=body, headers={**headers, "Idempotency-Key": key})
            response = conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException):
            status, payload = 0, b""
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        latency = time.perf_counter() - started
        number = json.loads(payload).get("number") if status in (200, 201) else None
        out.append((key, status, latency, number, body if status in (200, 201) and n <= 8 else None))
    conn.close()


# -- the baseline (runs in child processes) -------------------------------------------------------

def _digest(prev, position, occurred_at, label, action, from_state, to_state, reason, data) -> str:
    payload = json.dumps([prev, position, occurred_at.isoformat(timespec="microseconds"), label, action,
                          from_state, to_state, reason, data], ensure_ascii=False, sort_keys=True,
                         separators=(",", ":"), default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


def _sql_thread(run_id: str, proc: int, thread: int, setup: dict, until: float, out: list) -> None:
    rng = random.Random(f"{run_id}-{proc}-{thread}")
    ids = setup["ids"]
    provided = set(setup["material_ids"])
    with psycopg.connect(support.db_url(DB), autocommit=True) as conn:
        n = 0
        while time.monotonic() < until and n < 1_000_000:
            n += 1
            key = f"{run_id}-{proc}-{thread}-{n}"
            applicant_id = rng.choice(ids["applicants"])
            started = time.perf_counter()
            now = datetime.now(UTC)
            day = now.astimezone(TZ).date()
            try:
                seq = conn.execute(
                    "INSERT INTO cases_casecounter (centre_id, day, last) VALUES (%s, %s, 1) "
                    "ON CONFLICT (centre_id, day) DO UPDATE SET last = cases_casecounter.last + 1 RETURNING last",
                    [ids["centre"], day]).fetchone()[0]
                number = f"{setup['centre_code']}-{day:%Y%m%d}-{seq:04d}"
                code = "".join(rng.choices("23456789ABCDEFGHJKMNPQRSTUVWXYZ", k=6))
                statuses = {name: ("provided" if mid in provided else "not_applicable" if not required else
                                   "missing") for mid, name, required, _source in setup["materials"]}
                with conn.transaction():
                    record_id = conn.execute(
                        "INSERT INTO cases_idempotencyrecord (key, principal, request_digest, created_at) "
                        "VALUES (%s, %s, %s, %s) RETURNING id",
                        [key, "baseline", hashlib.sha256(key.encode()).hexdigest(), now]).fetchone()[0]
                    case_id = conn.execute(
                        "INSERT INTO cases_case (number, query_code, item_id, item_version, applicant_id, centre_id,"
                        " channel, state, form_data, submitted_by_id, submitted_at, committed_limit_days,"
                        " extension_days, paused_days, due_provisional, visit_count, delivery_method,"
                        " delivery_address, tracking_number, decision_reason, updated_at) VALUES (%s, %s, %s, %s,"
                        " %s, %s, 'api', 'submitted', %s, %s, %s, %s, 0, 0, false, 0, '', '', '', '', %s)"
                        " RETURNING id",
                        [number, code, setup["item_id"], setup["item_version"], applicant_id, ids["centre"],
                         json.dumps({"n": n}), ids["clerk"], now, setup["limit"], now]).fetchone()[0]
                    with conn.cursor() as cur:
                        cur.executemany(
                            "INSERT INTO cases_casematerial (case_id, material_id, name, status, file, note) "
                            "VALUES (%s, %s, %s, %s, '', '')",
                            [(case_id, mid, name, statuses[name]) for mid, name, *_ in setup["materials"]])
                    data = {"channel": "api", "item": setup["item"], "item_version": setup["item_version"],
                            "bundle_application": None, "materials": statuses}
                    digest = _digest("", 1, now, "clerk", "onewindow.case.submitted", "", "submitted", "", data)
                    chain_id = conn.execute(
                        "INSERT INTO audit_auditchain (key, length, head_hash) VALUES (%s, 1, %s) RETURNING id",
                        [f"case:{number}", digest]).fetchone()[0]
                    conn.execute(
                        "INSERT INTO audit_auditevent (chain_id, position, occurred_at, actor_id, actor_label, action,"
                        " from_state, to_state, reason, data, prev_hash, hash) VALUES (%s, 1, %s, %s, 'clerk',"
                        " 'onewindow.case.submitted', '', 'submitted', '', %s, '', %s)",
                        [chain_id, now, ids["clerk"], json.dumps(data, ensure_ascii=False), digest])
                    conn.execute("UPDATE cases_idempotencyrecord SET case_id = %s WHERE id = %s",
                                 [case_id, record_id])
                status = 201
            except psycopg.Error:
                status, number = 0, None
            out.append((key, status, time.perf_counter() - started, number, None))


def _client_process(thread_target, run_id: str, proc: int, setup: dict, until: float) -> dict:
    """One load process: CLIENT_THREADS threads of `thread_target` (HTTP or the SQL baseline) until `until`."""
    cpu = time.process_time()
    out: list = []
    threads = [threading.Thread(target=thread_target, args=(run_id, proc, t, setup, until, out))
               for t in range(CLIENT_THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rows": out, "cpu_s": time.process_time() - cpu}


# -- driving both ---------------------------------------------------------------------------------

def _drive(thread_target, run_id: str, setup: dict, seconds: float) -> dict:
    """Run `thread_target` in CLIENT_PROCESSES processes × CLIENT_THREADS threads for `seconds`; rate over
    the measured window."""
    with ProcessPoolExecutor(CLIENT_PROCESSES) as pool:
        started = time.monotonic()
        until = started + seconds
        futures = [pool.submit(_client_process, thread_target, run_id, p, setup, until)
                   for p in range(CLIENT_PROCESSES)]
        parts = [f.result(timeout=seconds + 120) for f in futures]
        elapsed = time.monotonic() - started
    rows = [row for part in parts for row in part["rows"]]
    ok = [row for row in rows if row[1] in (200, 201)]
    created = [row for row in rows if row[1] == 201]
    return {"rows": rows, "ok": ok, "created": created, "seconds": elapsed,
            "rate": round(len(created) / elapsed, 1), "errors": len(rows) - len(ok),
            "error_statuses": sorted({row[1] for row in rows if row[1] not in (200, 201)}),
            "latency": support.percentiles([row[2] for row in ok]),
            "client_cpu_s": round(sum(p["cpu_s"] for p in parts), 1)}


def _counts(conn) -> dict:
    return {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in (
        "cases_case", "cases_casematerial", "cases_task", "audit_auditevent", "audit_auditchain",
        "cases_idempotencyrecord")}


def _check(conn, result: dict, principal: str, before: dict, after: dict) -> dict:
    """Every acknowledged case is in the database, once; nothing was written without acknowledgement."""
    acknowledged = {row[0]: row[3] for row in result["created"]}
    numbers = list(acknowledged.values())
    found = conn.execute("SELECT count(*) FROM cases_case WHERE number = ANY(%s)", [numbers]).fetchone()[0]
    by_key = dict(conn.execute(
        "SELECT r.key, c.number FROM cases_idempotencyrecord r JOIN cases_case c ON c.id = r.case_id "
        "WHERE r.principal = %s AND r.key = ANY(%s)", [principal, list(acknowledged)]).fetchall())
    mismatched = sum(1 for key, number in acknowledged.items() if by_key.get(key) != number)
    new_cases = after["cases_case"] - before["cases_case"]
    per_case = {table: round((after[table] - before[table]) / max(new_cases, 1), 2) for table in after}
    return {"acknowledged": len(acknowledged), "found_in_db": found, "key_to_case_mismatches": mismatched,
            "duplicate_numbers": len(numbers) - len(set(numbers)),
            "cases_written": new_cases, "written_without_ack": new_cases - len(acknowledged),
            "rows_per_case": per_case,
            "ok": found == len(acknowledged) == len(set(numbers)) and mismatched == 0
            and new_cases == len(acknowledged)}


def _replay(setup: dict, rows: list) -> dict:
    """Resend the first request of each client thread with its key: the same case, status 200."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    same, total = 0, 0
    for key, _status, _latency, number, body in [r for r in rows if r[4]][:50]:
        conn.request("POST", "/api/v1/cases", body=body, headers={
            "Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json",
            "Idempotency-Key": key})
        response = conn.getresponse()
        payload = json.loads(response.read())
        total += 1
        same += response.status == 200 and payload.get("number") == number
    conn.close()
    return {"replayed": total, "same_case_200": same}


def _start_server(log) -> subprocess.Popen:
    return support.start_server(DB, port=PORT, workers=SERVER_WORKERS, threads=SERVER_THREADS, log=log,
                                log_path="/tmp/bench-intake-server.log", probe="/api/v1/workdays/add?date=2026-01-05&days=1")


def _stop(server: subprocess.Popen) -> None:
    support.stop_server(server)


def _profile(pids: list[int], seconds: int) -> list[subprocess.Popen]:
    spy = support.Path(support.PYTHON).parent / "py-spy"
    return [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--duration", str(seconds), "--rate", "100",
                              "--format", "raw", "--output", f"/tmp/bench-intake-worker-{pid}.raw", "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in pids]


def top_frames(paths: list[str], limit: int = 25) -> list[tuple[float, str]]:
    """Inclusive share of samples per frame (onewindow/django/psycopg), from py-spy raw output."""
    from collections import Counter

    inclusive, total = Counter(), 0
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError:
            continue
        for line in lines:
            stack, _, count = line.rpartition(" ")
            total += int(count)
            for frame in set(stack.split(";")):
                inclusive[frame] += int(count)
    return [(round(100 * n / total, 1), frame) for frame, n in inclusive.most_common(limit)] if total else []


def run(size: str = "small", profile: bool = False) -> list[dict]:
    seconds = DURATION[size]
    log = open("/tmp/bench-intake-server.log", "w")
    server = None
    try:
        support.init_database(DB)
        setup = support.task(DB, "intake-setup", "--item", ITEM)
        with psycopg.connect(support.db_url(DB), autocommit=True) as conn:
            setup["ids"] = {
                "centre": conn.execute("SELECT id FROM orgs_servicecentre WHERE code = 'DX01'").fetchone()[0],
                "clerk": conn.execute("SELECT id FROM orgs_user WHERE username = 'clerk'").fetchone()[0],
                "applicants": [r[0] for r in conn.execute(
                    "SELECT id FROM orgs_applicant WHERE id_number = ANY(%s)",
                    [[a["id_number"] for a in setup["applicants"]]]).fetchall()]}
            setup["centre_code"] = "DX01"
        server = _start_server(log)
        workers = support.children(server.pid)
        rss_before = {pid: support.rss_mb(pid) for pid in workers}
        _drive(_http_thread, "warmup", setup, 2)  # imports, connections, caches of a started server
        load = support.load_average()
        with psycopg.connect(support.db_url(DB), autocommit=True) as conn:
            before = _counts(conn)
            spies = _profile(workers, seconds) if profile else []
            ours = _drive(_http_thread, "ow", setup, seconds)
            for spy in spies:
                spy.wait(timeout=60)
            rss_after = {pid: support.rss_mb(pid) for pid in support.children(server.pid)}
            smaps_after = {pid: support.pss_uss_mb(pid) for pid in support.children(server.pid)}
            after = _counts(conn)
            ours_check = _check(conn, ours, f"user:{setup['ids']['clerk']}", before, after)
            replay = _replay(setup, ours["rows"])
            replay_after = _counts(conn)
            ours_check["replay"] = replay
            ours_check["ok"] = ours_check["ok"] and replay["same_case_200"] == replay["replayed"] > 0 \
                and replay_after["cases_case"] == after["cases_case"]
            _stop(server)
            server = None
            before_base = _counts(conn)
            base = _drive(_sql_thread, "sql", setup, seconds)
            after_base = _counts(conn)
            base_check = _check(conn, base, "baseline", before_base, after_base)
        chains = support.task(DB, "verify-chains", "--sample", "3000")
        frames = top_frames([f"/tmp/bench-intake-worker-{pid}.raw" for pid in workers]) if profile else []
    finally:
        if server is not None:
            _stop(server)
        log.close()
        support.drop_database(DB)
    ratio = ours["rate"] / base["rate"] if base["rate"] else 0
    correct = ours_check["ok"] and base_check["ok"] and not chains["problems"]
    p99 = ours["latency"]["p99_ms"] or 1e9
    met = correct and ours["rate"] >= TARGET_RATE and ratio >= TARGET_RATIO and p99 <= TARGET_P99_MS \
        and ours["errors"] == 0
    details = {"seconds": seconds, "concurrency": CLIENT_PROCESSES * CLIENT_THREADS,
               "server": f"gunicorn gthread {SERVER_WORKERS} workers x {SERVER_THREADS} threads",
               "client": f"Python http.client, {CLIENT_PROCESSES} processes x {CLIENT_THREADS} threads, keep-alive",
               "load_average_at_start": load,
               "onewindow": {k: v for k, v in ours.items() if k not in ("rows", "ok", "created")},
               "baseline": {k: v for k, v in base.items() if k not in ("rows", "ok", "created")},
               "onewindow_check": ours_check, "baseline_check": base_check, "audit_chains_verified": chains,
               "rss_mb_before": rss_before, "rss_mb_after": rss_after, "profile_top_frames": frames}
    rss_max = max((v for v in rss_after.values() if v), default=0)
    return [
        {"scenario": "intake over HTTP", "metric": f"cases/s sustained {seconds} s (p50 / p99 ms)",
         "onewindow": f"{ours['rate']:,} ({ours['latency']['p50_ms']} / {ours['latency']['p99_ms']})",
         "baseline": f"{base['rate']:,} ({base['latency']['p50_ms']} / {base['latency']['p99_ms']})",
         "ratio": f"{100 * ratio:.0f} %",
         "target": f"≥ {TARGET_RATE}/s, p99 ≤ {TARGET_P99_MS} ms, ≥ {100 * TARGET_RATIO:.0f} % of baseline",
         "met": met,
         "notes": (f"{'checks passed' if correct else 'CHECKS FAILED'}: {ours_check['acknowledged']:,} acknowledged "
                   f"cases all in the database once ({ours_check['written_without_ack']} written without "
                   f"acknowledgement, {ours_check['duplicate_numbers']} duplicate numbers), "
                   f"{replay['same_case_200']}/{replay['replayed']} replays returned the same case; "
                   f"{ours['errors']} errors; {CLIENT_PROCESSES * CLIENT_THREADS} requests in flight from a Python "
                   f"client ({ours['client_cpu_s']} CPU-s of the 2 cores); rows per case "
                   f"{ours_check['rows_per_case']} vs baseline {base_check['rows_per_case']}; load average {load}"),
         "details": details},
        {"scenario": "memory", "metric": "RSS per server worker after the intake run (MB)",
         "onewindow": ", ".join(f"{v}" for v in rss_after.values()), "baseline": "—", "ratio": "—",
         "target": f"≤ {TARGET_RSS_MB} MB", "met": bool(rss_after) and rss_max <= TARGET_RSS_MB,
         "notes": f"before the load: {', '.join(str(v) for v in rss_before.values())} MB (VmRSS of each gunicorn "
                  "worker, /proc/<pid>/status); RSS counts pages shared with the preloaded master (copy-on-write): "
                  f"proportional / unique set sizes after the load {smaps_after} MB",
         "details": {"before": rss_before, "after": rss_after, "pss_uss_after": smaps_after}},
    ]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_intake")
    parser.add_argument("--size", choices=sorted(DURATION), default="small")
    parser.add_argument("--profile", action="store_true", help="py-spy the server workers during the load")
    args = parser.parse_args(argv)
    results = run(args.size, profile=args.profile)
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
