"""The public catalog under load: search (Chinese words, pinyin initials, full pinyin, item codes,
filters, later pages, the live search's htmx fragments) and items' one-time notice pages, served by
the production server; a static file from the same server as the reference.

    .venv/bin/python -m bench.bench_search [--size small|province] [--profile]

Setup: a fresh PostgreSQL database `bench_search` (`onewindow init`: the sample catalog of 东兴市),
the catalog copied to 20 (small) / 110 (province) more counties of 广西 the way a province's catalog
holds one implementation of each item per county (bench/search_tasks.py: ~1,450 / ~7,700 public
items with their materials, stages, versions and announcements). `onewindow serve` (gunicorn gthread,
2 workers x 4 threads, access log on, as in production) on 127.0.0.1; the shared cache is the
default (`db://`, Django's DatabaseCache in the same PostgreSQL).

Checks first (a fast wrong answer is a failure): every request of the load is made once with a
Python client; each search page's count and first page are compared with an independent match of
the same rule over the catalog's rows (name, code, result name, stored pinyin and initials) and its
ranking; each notice page must carry the item's name, every material, its committed limit and, when
not active, its status. After the load an item is changed through catalog.services in another
process (as staff publish): every following response of both workers must show the change.

Load: wrk (Debian package) with bench/search_load.lua rotating over the request list, 1 thread x 8
connections (the server's 2 x 4 threads), after a warm-up; search and notice pages are measured in
separate runs, each repeated (median and spread of the runs). The public catalog pages are not
rate-limited (core/throttle.py has no scope for them), so nothing was raised or switched off for the
load's address. The server's in-process caches are warm during the timed runs, as on a server that
has been up for a while; the check pass (the first request of each page after start) gives the
cold figures, reported too."""

from __future__ import annotations

import argparse
import html
import http.client
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import psycopg

from bench import support

DB = "bench_search"
REGIONS = {"small": 20, "province": 110}
NOTICES = {"small": 120, "province": 400}  # distinct item pages in the rotation (each checked first)
SECONDS = {"small": 4, "province": 20}
RUNS = 3
WRK_THREADS, WRK_CONNECTIONS = 1, 8
SERVER_WORKERS, SERVER_THREADS = 2, 4
PORT = int(os.environ.get("ONEWINDOW_BENCH_SEARCH_PORT", "18733"))
TARGET_P50_MS, TARGET_RATE = 15, 800
TRUST_SECONDS = 1.0  # catalog.selectors.VERSION_TRUST_SECONDS
STATIC = "/static/onewindow/site.css"
LUA = Path(__file__).parent / "search_load.lua"
LOG = "/tmp/bench-search-server.log"

# What people type: what they want to get (营业执照), the start of an item's name, its initials.
WORDS = ["营业执照", "公司设立", "食品经营", "身份证", "户口", "结婚", "出生", "社保", "公章", "医疗", "建设工程",
         "个体工商户", "道路运输", "不动产", "残疾人", "退休", "养老", "居住证", "税务", "卫生许可"]
PINYIN = ["yingyezhizhao", "shipin", "gongsi", "hunyin", "jiehun"]
FILTERS = [{"department": "dx-scjg"}, {"zero_run": "1"}, {"kind": "licensing"}, {"life_event": "kaiban-qiye"},
           # A county's own catalog (东兴市, in every size), and a department left over from another county
           # after the region was changed (the department is dropped, the region kept).
           {"region": "450681000000", "q": "营业执照"}, {"region": "450681000000", "department": "dx-gaj-r000"}]


# -- the request lists -----------------------------------------------------------------------------

def _catalog(conn) -> dict:
    rows = conn.execute(
        "SELECT i.id, i.code, i.name, i.result_name, i.search_pinyin, i.search_initials, i.status, i.kind,"
        " i.max_visits, i.committed_limit_days, i.is_immediate, d.code, r.code FROM catalog_item i"
        " JOIN orgs_department d ON d.id = i.department_id JOIN orgs_region r ON r.id = d.region_id"
        " WHERE i.status <> 'draft'").fetchall()
    items = [dict(zip(("id", "code", "name", "result_name", "pinyin", "initials", "status", "kind", "max_visits",
                       "committed", "immediate", "department", "region"), row, strict=True)) for row in rows]
    departments = dict(conn.execute("SELECT d.code, r.code FROM orgs_department d"
                                    " JOIN orgs_region r ON r.id = d.region_id WHERE d.is_active").fetchall())
    events = {}
    for item_id, code in conn.execute("SELECT l.item_id, e.code FROM catalog_item_life_events l"
                                      " JOIN catalog_lifeevent e ON e.id = l.lifeevent_id").fetchall():
        events.setdefault(item_id, set()).add(code)
    for item in items:
        item["events"] = events.get(item["id"], set())
    materials = {}
    for item_id, name in conn.execute("SELECT item_id, name FROM catalog_material ORDER BY item_id, \"order\", id"):
        materials.setdefault(item_id, []).append(name)
    return {"items": items, "materials": materials, "department_regions": departments}


def _requests(catalog: dict, rng: random.Random, notices: int) -> tuple[list[dict], list[dict]]:
    """(search requests, notice requests): each {"path", "htmx", "kind", ...} with what to check."""
    active = [i for i in catalog["items"] if i["status"] == "active"]
    names = sorted({i["name"] for i in active})
    queries = [(w, "word") for w in WORDS] + [(p, "pinyin") for p in PINYIN]
    queries += [(n[:4], "name prefix") for n in rng.sample(names, min(15, len(names)))]
    queries += [(i["initials"].split(" ")[0], "initials") for i in rng.sample(active, min(15, len(active)))]
    queries += [(i["initials"].split(" ")[0][:4], "initials prefix") for i in rng.sample(active, 10)]
    queries += [("gsdj", "initials"), ("yyzz", "initials")]
    queries += [(i["code"], "code") for i in rng.sample(active, min(25, len(active)))]
    search = []
    for q, kind in queries:
        search.append({"params": {"q": q}, "htmx": False, "kind": kind})
    for q, _kind in queries[:20]:
        search.append({"params": {"q": q}, "htmx": True, "kind": "live search"})
        search.append({"params": {"q": q, "suggest": "1"}, "htmx": True, "kind": "suggest"})
    for q in ("dj", "xk", "ba"):
        search.append({"params": {"q": q, "page": "2"}, "htmx": False, "kind": "page 2"})
    for f in FILTERS:
        search.append({"params": dict(f), "htmx": False, "kind": "filter"})
    search.append({"params": {}, "htmx": False, "kind": "browse"})
    rng.shuffle(search)
    for r in search:
        r["path"] = "/items/" + ("?" + urlencode(r["params"]) if r["params"] else "")
    notices = [{"path": f"/items/{quote(i['code'])}/", "htmx": False, "kind": "notice", "item": i}
               for i in rng.sample(catalog["items"], min(notices, len(catalog["items"])))]
    return search, notices


def _write(requests: list[dict], path: str) -> str:
    Path(path).write_text("".join(f"{r['path']}{' htmx' if r['htmx'] else ''}\n" for r in requests))
    return path


# -- the checks --------------------------------------------------------------------------------------

def _rank(item: dict, q: str, compact: str) -> int | None:
    """The selector's rule, written again independently: None when the item does not match."""
    upper = q.upper()
    name, code = item["name"].upper(), item["code"].upper()
    if not (upper in name or upper in code or compact in item["initials"] or compact in item["pinyin"]
            or upper in item["result_name"].upper()):
        return None
    if name == upper:
        return 0
    if item["initials"] == compact or code == upper:
        return 1
    if name.startswith(upper) or item["initials"].startswith(compact):
        return 2
    if upper in name:
        return 3
    if compact in item["initials"]:
        return 4
    return 5


def _expected(catalog: dict, params: dict) -> list[tuple[int, str]]:
    q = params.get("q", "").strip()
    compact = "".join(q.split()).lower()
    department, region = params.get("department"), params.get("region")
    if department and region and catalog["department_regions"].get(department, region) != region:
        department = None  # a department of another region than the chosen one is not a filter
    rows = []
    for item in catalog["items"]:
        if item["status"] != "active":
            continue
        if department and item["department"] != department:
            continue
        if region and item["region"] != region:
            continue
        if "life_event" in params and params["life_event"] not in item["events"]:
            continue
        if "kind" in params and item["kind"] != params["kind"]:
            continue
        if params.get("zero_run") == "1" and item["max_visits"] != 0:
            continue
        rank = _rank(item, q, compact) if q else 0
        if rank is not None:
            rows.append((rank, item["code"]))
    return sorted(rows)


_RESULT = re.compile(r'class="result-title" href="/items/([^/"]+)/"')
_SUGGEST = re.compile(r'<li><a href="/items/([^/"]+)/"')
_COUNT = re.compile(r"共找到 (\d+) 个事项|共 (\d+) 个事项|查看全部 (\d+) 个结果")


def _check_search(r: dict, body: str, catalog: dict) -> str | None:
    expected = _expected(catalog, r["params"])
    suggest = "suggest" in r["params"]
    if r["htmx"] and ("<html" in body):
        return "htmx request got the whole page"
    if not r["htmx"] and "<html" not in body:
        return "page request got a fragment"
    codes = [html.unescape(c) for c in (_SUGGEST if suggest else _RESULT).findall(body)]
    page = int(r["params"].get("page", "1"))
    size = 8 if suggest else 20
    want = expected[(page - 1) * 20:(page - 1) * 20 + size]
    if not expected:
        return None if not codes else f"{len(codes)} results where none match"
    count = _COUNT.search(body)
    found = int(next(g for g in count.groups() if g)) if count else -1
    if found != len(expected):
        return f"count {found}, expected {len(expected)}"
    by_code = dict((code, rank) for rank, code in expected)
    if any(code not in by_code for code in codes):
        return "a result that does not match"
    if len(codes) != len(want) or sorted(by_code[c] for c in codes) != [rank for rank, _c in want] or \
            [by_code[c] for c in codes] != sorted(by_code[c] for c in codes):
        return f"first page ranks {[by_code[c] for c in codes]} expected {[rank for rank, _c in want]}"
    return None


def _check_notice(r: dict, body: str, catalog: dict) -> str | None:
    item = r["item"]
    text = html.unescape(body)
    missing = [name for name in [item["name"], *catalog["materials"].get(item["id"], [])] if name not in text]
    if missing:
        return f"missing {missing[:3]}"
    limit = "即办（当场办结）" if item["immediate"] else f"{item['committed']} 个工作日"
    if limit not in text:
        return f"no committed limit {limit}"
    if item["status"] == "abolished" and "本事项已取消" not in text:
        return "abolished item not marked"
    if item["status"] == "suspended" and "本事项已暂停受理" not in text:
        return "suspended item not marked"
    return None


def _get(conn: http.client.HTTPConnection, r: dict) -> tuple[int, str, float]:
    started = time.perf_counter()
    conn.request("GET", r["path"], headers={"HX-Request": "true"} if r["htmx"] else {})
    response = conn.getresponse()
    body = response.read().decode()
    return response.status, body, time.perf_counter() - started


def _check_all(search: list[dict], notices: list[dict], catalog: dict) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    problems, cold = [], {"search": [], "notice": []}
    for group, requests, check in (("search", search, _check_search), ("notice", notices, _check_notice)):
        for r in requests:
            status, body, seconds = _get(conn, r)
            cold[group].append(seconds)
            problem = f"status {status}" if status != 200 else check(r, body, catalog)
            if problem:
                problems.append(f"{r['path']}{' (htmx)' if r['htmx'] else ''}: {problem}")
    conn.close()
    return {"search_checked": len(search), "notices_checked": len(notices), "problems": problems[:10],
            "problem_count": len(problems), "cold_search": support.percentiles(cold["search"]),
            "cold_notice": support.percentiles(cold["notice"])}


def _check_publish(code: str) -> dict:
    """A change published by another process is on every following page (fresh connections, so both
    workers answer)."""
    phone = f"0770-{random.randint(1000000, 9999999)}"
    proc = subprocess.run([support.PYTHON, "-m", "bench.search_tasks", "publish", "--code", code, "--phone", phone],
                          env=support.django_env(DB), cwd=support.ROOT, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        return {"ok": False, "error": proc.stderr[-500:]}
    # The writing process sees its change at once; other processes within VERSION_TRUST_SECONDS.
    time.sleep(TRUST_SECONDS + 0.2)
    seen = 0
    for _ in range(20):
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        status, body, _s = _get(conn, {"path": f"/items/{quote(code)}/", "htmx": False})
        conn.close()
        seen += status == 200 and phone in body
    return {"ok": seen == 20, "pages_with_the_change": f"{seen}/20"}


# -- the server and the load ---------------------------------------------------------------------------

def _start_server(log) -> subprocess.Popen:
    return support.start_server(DB, port=PORT, workers=SERVER_WORKERS, threads=SERVER_THREADS, log=log,
                                log_path=LOG, probe=STATIC)


def _stop(server: subprocess.Popen) -> None:
    support.stop_server(server)


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the server's worker processes so far (/proc/<pid>/stat)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return total / ticks


WORKERS: list[int] = []


def _wrk(requests_file: str | None, seconds: float, path: str = "/") -> dict:
    args = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--timeout", "10s"]
    args += ["-s", str(LUA), f"http://127.0.0.1:{PORT}", "--", requests_file] if requests_file else \
        ["-s", str(LUA), f"http://127.0.0.1:{PORT}{path}", "--", _write([{"path": path, "htmx": False}],
                                                                         "/tmp/bench-search-static.txt")]
    cpu, server_cpu = os.times(), _cpu_seconds(WORKERS)
    proc = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60)
    after, server_after = os.times(), _cpu_seconds(WORKERS)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("WRKJSON ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed: {proc.stderr[-500:]} {proc.stdout[-500:]}")
    out = json.loads(line[len("WRKJSON "):])
    out["rate"] = out["requests"] / (out["duration_us"] / 1e6)
    out["errors"] = sum(out[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors",
                                         "timeouts"))
    out["server_cpu_ms_per_request"] = round(1000 * (server_after - server_cpu) / max(out["requests"], 1), 3)
    out["wrk_cpu_s"] = round((after.children_user - cpu.children_user) + (after.children_system
                                                                           - cpu.children_system), 2)
    return out


def _runs(requests_file: str | None, seconds: float, path: str = "/") -> dict:
    runs = [_wrk(requests_file, seconds, path) for _ in range(RUNS)]
    rate, rate_spread = support.median_spread([r["rate"] for r in runs])
    p50, p50_spread = support.median_spread([r["p50_us"] / 1000 for r in runs])
    p99, _ = support.median_spread([r["p99_us"] / 1000 for r in runs])
    cpu_per_request, _ = support.median_spread([r["server_cpu_ms_per_request"] for r in runs])
    return {"rate": round(rate, 1), "rate_spread": rate_spread, "server_cpu_ms_per_request": cpu_per_request,
            "p50_ms": round(p50, 2), "p50_spread": p50_spread,
            "p99_ms": round(p99, 2), "errors": sum(r["errors"] for r in runs),
            "requests": sum(r["requests"] for r in runs), "wrk_cpu_s": sum(r["wrk_cpu_s"] for r in runs),
            "runs": runs}


def _profile(pids: list[int], seconds: float) -> list[subprocess.Popen]:
    spy = Path(support.PYTHON).parent / "py-spy"
    return [subprocess.Popen([str(spy), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "100",
                              "--format", "raw", "--output", f"/tmp/bench-search-worker-{pid}.raw", "--nonblocking"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for pid in pids]


def run(size: str = "small", profile: bool = False) -> list[dict]:
    seconds = SECONDS[size]
    log = open(LOG, "w")
    server = None
    rng = random.Random(2026)
    try:
        support.init_database(DB)
        data = json.loads(subprocess.run(
            [support.PYTHON, "-m", "bench.search_tasks", "setup", "--regions", str(REGIONS[size])],
            env=support.django_env(DB), cwd=support.ROOT, capture_output=True, text=True, timeout=600,
            check=True).stdout.strip().splitlines()[-1])
        with psycopg.connect(support.db_url(DB), autocommit=True) as conn:
            catalog = _catalog(conn)
        search, notices = _requests(catalog, rng, NOTICES[size])
        search_file = _write(search, "/tmp/bench-search-search.txt")
        notice_file = _write(notices, "/tmp/bench-search-notice.txt")
        server = _start_server(log)
        workers = support.children(server.pid)
        WORKERS[:] = workers
        check = _check_all(search, notices, catalog)
        _wrk(search_file, 2)  # warm-up: connections, imports, the first request of each page
        _wrk(notice_file, 2)
        load = support.load_average()
        spies = _profile(workers, seconds * RUNS * 2) if profile else []
        ours_search = _runs(search_file, seconds)
        ours_notice = _runs(notice_file, seconds)
        for spy in spies:
            spy.wait(timeout=120)
        static = _runs(None, max(2, seconds // 2), STATIC)
        load_end = support.load_average()
        active = next(i for i in catalog["items"] if i["status"] == "active")
        published = _check_publish(active["code"])
        rss = {pid: support.rss_mb(pid) for pid in support.children(server.pid)}
    finally:
        if server is not None:
            _stop(server)
        log.close()
        support.drop_database(DB)
    from bench.bench_intake import top_frames

    frames = top_frames([f"/tmp/bench-search-worker-{pid}.raw" for pid in workers]) if profile else []
    correct = check["problem_count"] == 0 and published["ok"]
    rows = []
    for name, ours, cold in (("catalog search", ours_search, check["cold_search"]),
                             ("one-time notice", ours_notice, check["cold_notice"])):
        met = correct and ours["errors"] == 0 and ours["p50_ms"] <= TARGET_P50_MS and ours["rate"] >= TARGET_RATE
        rows.append({
            "scenario": f"{name} ({len(catalog['items']):,} items)",
            "metric": "requests/s under load (p50 / p99 ms); server CPU ms per request",
            "onewindow": f"{ours['rate']:,} (±{ours['rate_spread']}%) ({ours['p50_ms']} / {ours['p99_ms']}); "
                         f"{ours['server_cpu_ms_per_request']} CPU-ms",
            "baseline": f"static file {static['rate']:,}/s ({static['p50_ms']} / {static['p99_ms']}); "
                        f"{static['server_cpu_ms_per_request']} CPU-ms",
            "ratio": f"{100 * ours['rate'] / static['rate']:.0f} % of static's rate" if static["rate"] else "—",
            "target": f"p50 ≤ {TARGET_P50_MS} ms, ≥ {TARGET_RATE}/s",
            "met": met,
            "notes": (f"{'checks passed' if correct else 'CHECKS FAILED'}: "
                      f"{check['search_checked'] if name == 'catalog search' else check['notices_checked']} pages "
                      f"checked against the catalog's rows ({check['problem_count']} problems "
                      f"{check['problems'][:2]}), a change published by another process on "
                      f"{published.get('pages_with_the_change')} following pages; {ours['requests']:,} requests in "
                      f"{RUNS} runs of {seconds} s, {ours['errors']} errors; wrk {WRK_THREADS} thread x "
                      f"{WRK_CONNECTIONS} connections ({round(ours['wrk_cpu_s'], 1)} CPU-s); first request of each page "
                      f"after start (cold) p50 {cold['p50_ms']} ms, p99 {cold['p99_ms']} ms; not rate-limited "
                      f"(no throttle scope on these pages); load average {load} → {load_end}"),
            "details": {"catalog": data, "server": f"gunicorn gthread {SERVER_WORKERS} x {SERVER_THREADS}",
                        "onewindow": ours, "static": static, "check": check, "publish": published,
                        "rss_mb_after": rss, "profile_top_frames": frames, "load_average": [load, load_end]},
        })
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_search")
    parser.add_argument("--size", choices=sorted(SECONDS), default="small")
    parser.add_argument("--profile", action="store_true", help="py-spy the server workers during the load")
    args = parser.parse_args(argv)
    results = run(args.size, profile=args.profile)
    print(json.dumps(results, ensure_ascii=False, indent=2, default=str))
    return 0 if all(r["met"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
