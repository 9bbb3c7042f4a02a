"""Django-side steps of bench_supervision (`python -m bench.tasks supervision …`): the supervision
board and its drill-down as a supervisor opens them (in process, Django's test client through every
middleware, templates rendered), against the baseline that judges every open case's light one by one
in Python (cases.deadlines.light over each row, then counts per department in a dict); then the daily
check over every open clock, twice (the second run must do nothing)."""

from __future__ import annotations

import random
import time

from bench import support


def register(sub) -> None:
    p = sub.add_parser("supervision")
    p.add_argument("--board-requests", type=int, default=60)
    p.add_argument("--drill-requests", type=int, default=120)
    p.add_argument("--baseline-requests", type=int, default=5)
    p.add_argument("--seed", type=int, default=17)
    p.set_defaults(func=supervision)


def _get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise RuntimeError(f"GET {url}: {response.status_code}")
    return elapsed


def _baseline(today) -> tuple[dict, float]:
    """Every open case read and judged in Python, counted per department."""
    from onewindow.cases import deadlines
    from onewindow.supervision import casefacts

    started = time.perf_counter()
    counts: dict = {}
    workdays = deadlines.clock()
    for case in casefacts.open_cases().select_related(None).only(
            "id", "state", "accepted_on", "due_on", "committed_limit_days", "extension_days", "paused_days",
            "paused_since", "decided_at", "concluded_at", "item__department_id").iterator(chunk_size=5000):
        light = "paused" if case.paused_since is not None else deadlines.light(case, today=today, workdays=workdays)
        row = counts.setdefault(case.item.department_id, {"green": 0, "yellow": 0, "red": 0, "paused": 0})
        row[light] += 1
    return counts, time.perf_counter() - started


def supervision(args) -> dict:
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from onewindow.orgs.models import Role, StaffRole, User
    from onewindow.supervision import breaches, casefacts, selectors

    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    today = timezone.localdate()
    open_cases = casefacts.open_cases().count()
    ours = {row["id"]: {k: row[k] for k in ("green", "yellow", "red", "paused")}
            for row in selectors.counts_by("department", today=today)}
    base, _seconds = _baseline(today)
    mismatched = sorted(k for k in set(ours) | set(base) if ours.get(k) != base.get(k))
    role = StaffRole.objects.filter(role=Role.SUPERVISOR).first()
    client = Client()
    client.force_login(User.objects.get(pk=role.user_id))
    first = _get(client, "/staff/supervision/")  # the forecast computed and cached, imports, templates
    board = [_get(client, "/staff/supervision/") for _ in range(args.board_requests)]
    departments = [row["id"] for row in selectors.counts_by("department", today=today)] or [0]
    urls = []
    for _ in range(args.drill_requests):
        light = rng.choice(["red", "yellow", "green", "paused", ""])
        page = rng.choice([1, 1, 1, 2, 3])
        urls.append(f"/staff/supervision/cases/?light={light}&department={rng.choice(departments)}&page={page}")
    drill = [_get(client, url) for url in urls]
    baseline = [_baseline(today)[1] for _ in range(args.baseline_requests)]
    started = time.perf_counter()
    figures = breaches.run_daily_check(day=today)
    check_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = breaches.run_daily_check(day=today)
    again_seconds = time.perf_counter() - started
    return {"open_cases": open_cases, "counts_equal_baseline": not mismatched, "mismatched": mismatched[:10],
            "first_board_s": round(first, 3), "board": support.percentiles(board),
            "drill": support.percentiles(drill), "baseline": support.percentiles(baseline),
            "check": {"seconds": round(check_seconds, 2), "figures": figures},
            "check_again": {"seconds": round(again_seconds, 3), "already_ran": again.get("already_ran")}}
