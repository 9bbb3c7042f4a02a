"""Django side of bench.bench_appraisal: the appraisal of a year for every department (in SQL, and a
baseline aggregating the same cases one by one in Python, same run, same answers checked), one
department's explained score page and the reform dashboard through Django's test client."""

from __future__ import annotations

import statistics
import time
from collections import defaultdict

from bench.support import percentiles


def register(sub) -> None:
    p = sub.add_parser("appraisal")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--page-requests", type=int, default=60)
    p.add_argument("--dashboard-requests", type=int, default=100)
    p.set_defaults(func=appraisal)


def _baseline(key: str) -> dict[int, dict[str, tuple[float, float]]]:
    """The same seven case figures per department, case by case in Python: every case of the period
    read (server-side cursor), the working days of each counted on the calendar index."""
    from django.utils import timezone

    from onewindow.appraisal.periods import parse
    from onewindow.calendar import selectors as calendar
    from onewindow.cases import measured
    from onewindow.cases.models import SupplementRequest

    ref = parse(key)
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    decided = measured.concluded_between(ref.start, ref.end).values_list(
        "item__department_id", "decided_at", "concluded_at", "due_on", "accepted_on", "paused_days", "visit_count",
        "item__legal_limit_days", "committed_limit_days", "item__limit_unit")
    for dept, decided_at, concluded_at, due_on, accepted_on, paused, visits, legal, committed, unit in \
            decided.iterator(chunk_size=20_000):
        s = sums[dept]
        day = timezone.localtime(decided_at or concluded_at).date()
        s["decided"] += 1
        s["on_time"] += due_on is None or day <= due_on
        s["le1"] += visits <= 1
        s["zero"] += visits == 0
        if accepted_on is not None:
            used = ((day - accepted_on).days if unit == "natural"
                    else calendar.working_days_between(accepted_on, day).working_days)
            s["used"] += used - paused
            s["legal"] += legal if legal is not None else committed
    submitted = measured.submitted_between(ref.start, ref.end)
    supplemented = set(SupplementRequest.objects.filter(case__in=submitted).values_list("case_id", flat=True)
                       .iterator(chunk_size=20_000))
    for pk, dept, channel, state in submitted.values_list("pk", "item__department_id", "channel", "state") \
            .iterator(chunk_size=20_000):
        s = sums[dept]
        s["submitted"] += 1
        s["online"] += channel == "online"
        s["refused"] += state == "refused"
        s["supplemented"] += pk in supplemented
    return {dept: {"on_time": (s["on_time"], s["decided"]), "legal_time_used": (max(0.0, s["used"]), s["legal"]),
                   "at_most_one_visit": (s["le1"], s["decided"]), "zero_visit": (s["zero"], s["decided"]),
                   "online_share": (s["online"], s["submitted"]),
                   "supplement_rate": (s["supplemented"], s["submitted"]),
                   "refusal_rate": (s["refused"], s["submitted"])} for dept, s in sums.items()}


def appraisal(args) -> dict:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from onewindow.appraisal import indicators, selectors
    from onewindow.appraisal.periods import parse
    from onewindow.cases.models import Case
    from onewindow.orgs.models import User

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    key = str(timezone.localdate().year)
    ref = parse(key)
    selectors.live_board(ref, "department")  # warm: the calendar index, the catalog
    ours, board = [], None
    for _ in range(args.repeat):
        t = time.perf_counter()
        board = selectors.live_board(ref, "department")
        ours.append(time.perf_counter() - t)
    t = time.perf_counter()
    expected = _baseline(key)
    baseline = time.perf_counter() - t
    measured_ = {k: {c: (f.numerator, f.denominator) for c, f in v.items()}
                 for k, v in indicators.case_figures(ref, "department").items()}
    same = measured_ == expected

    client = Client()
    client.force_login(User.objects.get(username="supervisor"))
    departments = [row.subject_id for row in board.rows] if board else []
    page_times = []
    for n in range(args.page_requests):
        dept = departments[n % len(departments)]
        t = time.perf_counter()
        response = client.get(f"/staff/appraisal/{key}/department/{dept}/")
        page_times.append(time.perf_counter() - t)
        assert response.status_code == 200, response.status_code
    cache.clear()
    t = time.perf_counter()
    first = client.get("/reform/")
    cold = time.perf_counter() - t
    assert first.status_code == 200
    dash = []
    for _ in range(args.dashboard_requests):
        t = time.perf_counter()
        response = client.get("/reform/")
        dash.append(time.perf_counter() - t)
        assert response.status_code == 200
    return {"cases_in_db": Case.objects.count(), "period": key, "departments": len(departments),
            "board_seconds": [round(x, 3) for x in ours], "board_median_s": round(statistics.median(ours), 3),
            "baseline_s": round(baseline, 3), "same_figures": same,
            "explained_page": percentiles(page_times), "dashboard_cold_s": round(cold, 3),
            "dashboard": percentiles(dash)}
