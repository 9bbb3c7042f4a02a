"""Django side of bench.bench_lookups: time the applicant's progress page and a department's inbox
in process (Django's test client through the whole middleware stack, templates rendered), first with
the indexes, then with index scans switched off for the session (a sequential scan of each table, the
baseline), and check both give the same page."""

from __future__ import annotations

import re
import time

from bench.support import percentiles

_VOLATILE = re.compile(rb'(csrfmiddlewaretoken" value="|csrf-token" content="|"X-CSRFToken": "|nonce=")[^"]*')


def register(sub) -> None:
    p = sub.add_parser("lookups")
    p.add_argument("--progress-requests", type=int, default=400)
    p.add_argument("--inbox-requests", type=int, default=200)
    p.add_argument("--baseline-requests", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(func=lookups)


def _seqscan(on: bool) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for setting in ("enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"):
            cursor.execute(f"SET {setting} = {'off' if on else 'on'}")
        # Statements prepared on this connection keep the plans made before the SET (prepared
        # statements, ONEWINDOW_DB_PREPARED_STATEMENTS): drop them, so the next ones are planned under
        # the new settings (psycopg notices DEALLOCATE ALL and forgets its own list).
        cursor.execute("DEALLOCATE ALL")


_ADDRESS = [0]


class _SqlClock:
    """Time spent in the database (execute + fetch as Django runs it) per request; the statements on
    the cache table (the public query's rate limiter, ONEWINDOW_CACHE_URL=db://) are also counted
    apart, since they are the same work with or without the indexes."""

    def __init__(self):
        self.seconds = 0.0
        self.queries = 0
        self.cache_seconds = 0.0
        self.cache_queries = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - started
            self.seconds += spent
            self.queries += 1
            if '"onewindow_cache"' in sql:
                self.cache_seconds += spent
                self.cache_queries += 1


def _time(client, urls: list[str], *, deadline: float, sql: list | None = None) -> tuple[list[float], list[bytes]]:
    from django.db import connection

    latencies, bodies = [], []
    for url in urls:
        if time.monotonic() > deadline:
            break
        clock = _SqlClock()
        started = time.perf_counter()
        # Each request from its own address, as many applicants asking once each would (the public
        # progress query is rate-limited per address; the limiter's cache work is still counted).
        _ADDRESS[0] += 1
        n = _ADDRESS[0]
        with connection.execute_wrapper(clock):
            response = client.get(url, REMOTE_ADDR=f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}")
        latencies.append(time.perf_counter() - started)
        if sql is not None:
            sql.append((clock.seconds, clock.queries, clock.cache_seconds, clock.cache_queries))
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        bodies.append(_VOLATILE.sub(rb"\1-", response.content))
    return latencies, bodies


def lookups(args) -> dict:
    import random
    from urllib.parse import urlencode

    from django.db import connection
    from django.test import Client

    from onewindow.cases.models import Case, Task
    from onewindow.cases.states import CaseState
    from onewindow.orgs.models import Role, StaffRole, User

    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        # Planner statistics and visibility maps, as autovacuum keeps them on a running server (the
        # shared test server runs with autovacuum off; without statistics after the bulk load the
        # planner guesses a handful of open tasks per department and sorts instead of reading the
        # inbox index in order).
        cursor.execute("VACUUM ANALYZE")
    total = Case.objects.count()
    ids = Case.objects.order_by("?").values_list("id", flat=True)[:args.progress_requests]  # random sample
    cases = list(Case.objects.filter(id__in=list(ids)).exclude(state=CaseState.SUBMITTED)
                 .values_list("number", "query_code")) + \
        list(Case.objects.filter(id__in=list(ids), state=CaseState.SUBMITTED).values_list("number", "query_code"))
    rng.shuffle(cases)
    progress_urls = [f"/track/?{urlencode({'number': n, 'code': c})}" for n, c in cases]
    # One approver per department with open tasks; the inbox's first page, oldest due first.
    approvers = []
    for department_id in sorted(set(Task.objects.filter(state="open").values_list("department_id", flat=True))):
        role = StaffRole.objects.filter(role=Role.APPROVER, department_id=department_id).first()
        if role is not None:
            approvers.append(role.user_id)
    open_tasks = {uid: Task.objects.filter(state__in=["open", "suspended"],
                                           department__staff_roles__user_id=uid).count() for uid in approvers}
    clients = {}
    for uid in approvers:
        clients[uid] = Client()
        clients[uid].force_login(User.objects.get(pk=uid))
    inbox_plan = [rng.choice(approvers) for _ in range(args.inbox_requests)]

    public = Client()
    _time(public, progress_urls[:5], deadline=time.monotonic() + 60)  # warm: imports, templates, calendar index
    sql = {"progress": [], "inbox": [], "baseline_progress": [], "baseline_inbox": []}
    ours_progress, progress_pages = _time(public, progress_urls, deadline=time.monotonic() + 120,
                                          sql=sql["progress"])
    ours_inbox, inbox_pages = [], []
    for uid in inbox_plan:
        latencies, bodies = _time(clients[uid], ["/staff/inbox/"], deadline=time.monotonic() + 60,
                                  sql=sql["inbox"])
        ours_inbox += latencies
        inbox_pages += bodies
    n = args.baseline_requests
    _seqscan(True)
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN SELECT id FROM cases_case WHERE number = %s", [cases[0][0]])
            plan = " ".join(row[0] for row in cursor.fetchall())
            # The literal baseline: one sequential scan of the cases table for one number.
            scans = []
            for number, _code in cases[:n]:
                started = time.perf_counter()
                cursor.execute("SELECT id FROM cases_case WHERE number = %s", [number])
                cursor.fetchall()
                scans.append(time.perf_counter() - started)
        base_progress, base_progress_pages = _time(public, progress_urls[:n], deadline=time.monotonic() + 120,
                                                   sql=sql["baseline_progress"])
        base_inbox, base_inbox_pages = [], []
        for uid in inbox_plan[:n]:
            latencies, bodies = _time(clients[uid], ["/staff/inbox/"], deadline=time.monotonic() + 120,
                                      sql=sql["baseline_inbox"])
            base_inbox += latencies
            base_inbox_pages += bodies
    finally:
        _seqscan(False)
    progress_same = sum(a == b for a, b in zip(progress_pages, base_progress_pages, strict=False))
    inbox_same = sum(a == b for a, b in zip(inbox_pages, base_inbox_pages, strict=False))
    # The page must show the case: its number appears on each progress page.
    shown = sum(number.encode() in page for (number, _c), page in zip(cases, progress_pages, strict=False))
    return {
        "cases_in_db": total, "tasks_in_db": Task.objects.count(),
        "departments": len(approvers), "open_tasks_per_approver": open_tasks,
        "progress": {"requests": len(ours_progress), **percentiles(ours_progress)},
        "inbox": {"requests": len(ours_inbox), **percentiles(ours_inbox)},
        "baseline_plan": plan, "cases_seq_scan": {"requests": len(scans), **percentiles(scans)},
        "baseline_progress": {"requests": len(base_progress), **percentiles(base_progress)},
        "baseline_inbox": {"requests": len(base_inbox), **percentiles(base_inbox)},
        "sql": {name: {"queries_per_request": sorted(row[1] for row in values)[len(values) // 2] if values else 0,
                       "cache_queries_per_request": sorted(row[3] for row in values)[len(values) // 2] if values else 0,
                       **percentiles([row[0] for row in values]),
                       "without_cache": percentiles([row[0] - row[2] for row in values])}
                for name, values in sql.items()},
        "progress_same_page": progress_same, "inbox_same_page": inbox_same, "progress_shows_number": shown,
    }
