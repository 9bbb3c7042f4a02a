"""Django side of bench.bench_staff: every staff list, filter, search and the dashboard, timed in process
(Django's test client through every middleware, templates rendered) as the supervisor (all cases) and
as a window clerk (the busiest centre's cases), each page checked before it is timed."""

from __future__ import annotations

import random
import time
from urllib.parse import urlencode

from bench.lookups_tasks import _SqlClock
from bench.support import percentiles


def register(sub) -> None:
    p = sub.add_parser("staff")
    p.add_argument("--repeat", type=int, default=15, help="requests per page (the search's terms vary)")
    p.add_argument("--seed", type=int, default=11)
    p.set_defaults(func=staff)


def _pages(rng: random.Random) -> dict[str, list[dict]]:
    """The staff pages to time, by name: each a list of query strings (the timed requests cycle
    through them), with the text the page must show to count as answered."""
    from onewindow.cases.models import Case
    from onewindow.cases.states import CaseState
    from onewindow.catalog.models import Item
    from onewindow.orgs.models import Applicant

    sample = list(Case.objects.order_by("?").values_list("number", "applicant_id", "item_id", "centre_id")[:60])
    applicants = dict(Applicant.objects.filter(pk__in=[s[1] for s in sample]).values_list("pk", "name"))
    id_numbers = dict(Applicant.objects.filter(pk__in=[s[1] for s in sample]).values_list("pk", "id_number"))
    items = dict(Item.objects.filter(pk__in=[s[2] for s in sample]).values_list("pk", "name"))
    codes = dict(Item.objects.filter(pk__in=[s[2] for s in sample]).values_list("pk", "code"))
    departments = dict(Item.objects.filter(pk__in=[s[2] for s in sample]).values_list("pk", "department_id"))
    pages: dict[str, list[dict]] = {"list": [{}], "list page 2": [{"page": "2"}], "dashboard": []}
    for light in ("green", "yellow", "red", "paused", "on_time", "late"):
        pages[f"light={light}"] = [{"light": light}]
    for state in CaseState.values:
        pages[f"state={state}"] = [{"state": state}]
    pages["centre"] = [{"centre": str(s[3])} for s in sample[:10]]
    pages["department"] = [{"department": str(departments[s[2]])} for s in sample[:10]]
    pages["item"] = [{"item": codes[s[2]]} for s in sample[:10]]
    pages["state+light (in_progress, red)"] = [{"state": "in_progress", "light": "red"}]
    pages["search: case number"] = [{"q": s[0]} for s in sample[:20]]
    pages["search: number prefix (centre-day)"] = [{"q": s[0].rsplit("-", 1)[0]} for s in sample[:20]]
    pages["search: applicant name"] = [{"q": applicants[s[1]]} for s in sample[:20]]
    pages["search: id number"] = [{"q": id_numbers[s[1]]} for s in sample[:20]]
    pages["search: item name"] = [{"q": items[s[2]][:6]} for s in sample[:20]]
    rng.shuffle(pages["search: case number"])
    return pages


def staff(args) -> dict:
    from django.db import connection
    from django.test import Client

    from onewindow.cases.models import Case
    from onewindow.orgs.models import Role, StaffRole, User

    rng = random.Random(args.seed)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would after the bulk load (it is off on this server)
    total = Case.objects.count()
    supervisor = User.objects.get(pk=StaffRole.objects.filter(role=Role.SUPERVISOR).values_list("user_id", flat=True)
                                  .order_by("user_id")[0])
    busiest = (Case.objects.values_list("centre_id").order_by().annotate(n=__import__("django.db.models", fromlist=["Count"])
               .Count("id")).order_by("-n").first())
    clerk_role = StaffRole.objects.filter(role=Role.WINDOW_CLERK, centre_id=busiest[0]).order_by("user_id").first()
    clerk = User.objects.get(pk=clerk_role.user_id)
    pages = _pages(rng)
    results: dict[str, dict] = {}
    for who, user in (("supervisor", supervisor), ("clerk", clerk)):
        client = Client()
        client.force_login(user)
        client.get("/staff/cases/")  # warm: imports, templates, the calendar index
        for name, queries in pages.items():
            url = "/staff/dashboard/" if name == "dashboard" else "/staff/cases/"
            plan = queries or [{}]
            latencies, sql_times, statements = [], [], []
            for i in range(args.repeat):
                query = plan[i % len(plan)]
                clock = _SqlClock()
                started = time.perf_counter()
                with connection.execute_wrapper(clock):
                    response = client.get(url + ("?" + urlencode(query) if query else ""))
                latencies.append(time.perf_counter() - started)
                sql_times.append(clock.seconds)
                statements.append(clock.queries)
                if response.status_code != 200:
                    raise RuntimeError(f"{who} GET {url}?{urlencode(query)}: {response.status_code}")
                body = response.content.decode()
                if url.endswith("cases/") and "q" in query and len(query["q"]) > 16 and "没有符合条件" in body \
                        and who == "supervisor":
                    raise RuntimeError(f"search {query['q']!r} found nothing")
            results[f"{who}: {name}"] = {"requests": len(latencies), **percentiles(latencies),
                                        "sql": percentiles(sql_times),
                                        "statements": sorted(statements)[len(statements) // 2]}
    return {"cases_in_db": total, "clerk_centre_cases": busiest[1], "pages": results}
