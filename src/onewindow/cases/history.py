"""Sample history: months of realistic cases on the sample catalog, for the demo and the benchmarks.

`generate_history(size=N)` writes N cases in every state — concluded on time and late, in progress
(green, yellow, red), waiting for intake, supplemented, refused and denied with reasons, withdrawn,
waivers, special procedures, extensions, bundles, instant approvals, fees and certificates — with the
rows the services would have written (tasks, case materials, supplement requests, denial filings,
audit events whose hash chains verify) but without calling them: the services take a row lock and an
audit-chain lock per action, which is right for one case and far too slow for a million.

Each case is simulated on its own timeline (submission, intake, each step's tasks, decision,
delivery) and cut at `now`: whatever would happen later has not happened yet, so a case submitted
yesterday is still in progress and one from last month is most likely concluded. Rows are written in
bulk (COPY on PostgreSQL) by `history_writer.BulkWriter`."""

from __future__ import annotations

import random
import re
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onewindow.calendar.selectors import get_index
from onewindow.catalog.models import Bundle
from onewindow.orgs import identity
from onewindow.orgs.models import Applicant, Department, ServiceCentre, Window

from . import history_bulkload
from .history_plan import WRITE_ORDER, ItemPlan, load_items, load_staff, tables
from .history_writer import BulkWriter
from .models import BundleApplication, Case, CaseCounter, CertificateCounter
from .numbering import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH
from .states import CaseState

REFUSAL_REASONS = [
    "申请事项不属于本机关职权范围，已告知向东兴市自然资源局申请",
    "申请人不具备申请资格：经营场所位于规划控制区内",
    "申请材料存在虚假内容，身份证明与本人不符",
    "同一事项已在办理中，不得重复申请",
    "申请事项依法不需要取得行政许可",
]
DENIAL_REASONS = [
    "现场核查：经营场所面积不符合卫生许可条件",
    "专家评审意见：消防设计不符合国家工程建设消防技术标准",
    "申请人未能提供合法有效的土地使用权证明",
    "经审查，申请内容与国土空间规划不符",
    "拟从业人员健康证明不全，且补正期满未补齐",
]
SUPPLEMENT_REASONS = ["未加盖公章", "复印件不清晰", "缺少法定代表人签字", "有效期已过", "与原件不一致"]
WITHDRAW_REASONS = ["申请人主动撤回：经营计划变更", "申请人撤回后重新提交", "已在外地办理"]
PROCEDURES = [("site_inspection", "现场勘验", 5), ("expert_review", "专家评审", 10), ("hearing", "听证", 15),
              ("public_notice", "公示", 7)]
SURNAMES = "黄李陈梁林韦刘张王杨周吴覃莫何邓蒙潘罗谢苏冯钟廖卢"
GIVEN = "海明华丽强芳军燕勇娟伟敏静磊洋艳杰涛玲霞平刚桂兰文斌凤英春雪"
COMPANY_WORDS = ["边贸", "海产", "红木", "跨境电商", "物流", "商贸", "旅游", "建材", "餐饮", "水产", "进出口",
                 "百货", "农业", "电子"]
STREETS = ["东兴大道", "北仑大道", "兴边路", "江平大道", "万尾金滩路", "马路镇中心街", "民生路", "迎宾路"]

# Share of submissions that are bundle applications (一件事); other scenarios: history_case.P.
P_BUNDLE = 0.04
# Simulation processes on PostgreSQL from this many cases on (each simulates a disjoint range of days;
# the parent COPYs their rows in its one transaction: cases/history_parallel.py).
PARALLEL_FROM = 20_000
PROCESSES = 2
# Rows per case we expect in each table, to decide whether to build its indexes after the load.
ROWS_PER_CASE = {"cases_task": 3, "cases_casematerial": 4, "audit_auditevent": 7, "orgs_applicant": 0.25,
                 "cases_certificate": 0.25, "cases_fee": 0.05}


QUERY_CODE_RANGE = range(QUERY_CODE_LENGTH)


def _fixed_offset(tz, first: date, last: date) -> timedelta | None:
    """tz's UTC offset if it is the same at every local noon from `first` to `last`, else None."""
    offsets = {datetime(day.year, day.month, day.day, 12, tzinfo=tz).utcoffset()
               for day in (first + timedelta(days=i) for i in range(0, (last - first).days + 1, 7))}
    offsets.add(datetime(last.year, last.month, last.day, 12, tzinfo=tz).utcoffset())
    return offsets.pop() if len(offsets) == 1 else None


class _Generator:
    def __init__(self, *, size: int, seed: int, start: date, end: date, now: datetime, progress: bool,
                 processes: int = 1):
        self.size, self.start, self.end, self.now, self.seed = size, start, end, now, seed
        self.processes = processes
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.index = get_index()
        self.items = load_items(self.rng)
        if not self.items:
            raise ValueError("没有可用的事项（含办理环节的在用事项）：请先运行 onewindow init 载入示例目录")
        self.item_cum_weights = list(accumulate(plan.weight for plan in self.items))
        self.bundles = [
            (bundle.id, bundle.code, [item_id for item_id in bundle.bundle_items.order_by("order")
                                      .values_list("item_id", flat=True)])
            for bundle in Bundle.objects.filter(is_active=True).order_by("code")]
        self.plan_by_id = {plan.id: plan for plan in self.items}
        self.bundles = [b for b in self.bundles if b[2] and all(i in self.plan_by_id for i in b[2])]
        self.staff = load_staff()
        self.department_names = dict(Department.objects.values_list("id", "name"))
        self.department_codes = dict(Department.objects.values_list("id", "code"))
        centres = list(ServiceCentre.objects.order_by("level", "code").values_list("id", "code", "level"))
        if not centres:
            raise ValueError("没有政务服务中心：请先运行 onewindow init")
        self.county = centres[0]
        # Windows: the county centre takes most intake, townships and village points the rest.
        self.centres = centres
        self.centre_cum_weights = list(accumulate({2: 60, 3: 60, 4: 12, 5: 4}.get(level, 10)
                                                  for _id, _code, level in centres))
        self.windows: dict[int, list[int]] = defaultdict(list)
        for window_id, centre_id in Window.objects.filter(is_comprehensive=True).order_by("id").values_list(
                "id", "centre_id"):
            self.windows[centre_id].append(window_id)
        self.workdays = [d for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
                         if self.index.is_workday(d)] or [end]
        self.counters: dict[tuple[int, date], int] = {
            (centre_id, day): last for centre_id, day, last in CaseCounter.objects.filter(
                day__gte=start, day__lte=end).values_list("centre_id", "day", "last")}
        self.writer = BulkWriter(tables().values())
        self.progress = progress
        self.holdings: dict[tuple[int, str], tuple[int, str, date]] = {}  # (applicant, type) -> certificate
        self.stats: dict[str, int] = defaultdict(int)
        self.lights: dict[str, int] = defaultdict(int)
        self.certificate_counters: dict[tuple[str, int], int] = {}
        self.certificate_offset = 0  # a simulation process's block of certificate numbers
        self.midnights: dict[date, datetime] = {}
        self.day_digits: dict[date, str] = {}
        self.moment_texts: dict[datetime, str] = {}  # the current case's moments as ISO text (history_audit)
        self.channel_options: dict[int, tuple[list[str], list[int]]] = {}  # item id -> (channels, cum. weights)
        self.digests = 0
        # The zone's offset when it does not change over the years simulated (Asia/Shanghai): a local
        # day is then (moment + offset).date(), without a zone lookup per call (history_case.local_day).
        self.fixed_offset = _fixed_offset(self.tz, start - timedelta(days=400), end + timedelta(days=400))

    # -- time helpers ------------------------------------------------------------------------------
    def at(self, day: date, minutes: int) -> datetime:
        """An aware UTC datetime `minutes` after local midnight of `day` (UTC as the database returns it,
        so the audit hashes computed here equal the ones `audit.verify` recomputes)."""
        midnight = self.midnights.get(day)
        if midnight is None:
            midnight = self.midnights[day] = datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)
        return midnight + timedelta(minutes=minutes)

    def office_time(self, day: date) -> datetime:
        """A moment in office hours (08:30–11:55 or 14:30–17:30) of `day`. The draws are those of
        rng.choice((rng.randint(510, 715), rng.randint(870, 1050))) and rng.randrange(60), made through
        Random._randbelow directly (what those call): this runs a few times per case."""
        below = self.rng._randbelow
        morning, afternoon = 510 + below(206), 870 + below(181)
        minutes = afternoon if below(2) else morning
        return self.at(day, 0) + timedelta(seconds=60 * minutes + below(60))

    def workday_after(self, day: date, days: int) -> date:
        return self.index.add(day, days).due_on if days > 0 else day

    # -- applicants --------------------------------------------------------------------------------
    def make_applicants(self) -> list[tuple[int, str, str, int | None, bool]]:
        """A pool of persons and enterprises (with valid numbers); the demo applicants are reused."""
        rng = self.rng
        pool = list(Applicant.objects.order_by("id").values_list("id", "kind", "name", "user_id", "user__username",
                                                                  "bad_credit", "id_number")[:1000])
        wanted = max(20, min(self.size // 4, 300_000))
        taken = set(Applicant.objects.values_list("id_number", flat=True)) if Applicant.objects.count() < 100_000 \
            else set()
        created_at = self.at(self.start, 480)
        person_serial = rng.randrange(10**6)
        for n in range(wanted):
            enterprise = rng.random() < 0.3
            if enterprise:
                number = identity.generate_uscc(region="450681", body=f"{(person_serial + n * 7919) % 10**8:08d}",
                                                rng=rng)  # not drawn from (body given); spares a Random()
                name = f"东兴市{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS)}有限公司" \
                       f"{'' if n < 2000 else n}"
                kind = "enterprise"
            else:
                born = date(1955, 1, 1) + timedelta(days=(person_serial + n * 37) % (365 * 50))
                number = identity.generate_resident_id(region="450681", birth_date=born, sequence=(n // 18250) % 1000,
                                                       rng=rng)  # not drawn from either
                name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
                kind = "person"
            if number in taken:
                continue
            taken.add(number)
            applicant_id = self.writer.new_id(Applicant)
            bad_credit = rng.random() < 0.01
            self.writer.add(Applicant, (
                applicant_id, kind, name, number, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                f"东兴市{rng.choice(STREETS)}{rng.randint(1, 300)}号", "" if kind == "person" else rng.choice(SURNAMES)
                + rng.choice(GIVEN), None, bad_credit, created_at))
            pool.append((applicant_id, kind, name, None, "", bad_credit, number))
        self.stats["applicants_created"] = len(self.writer.tables[Applicant].rows) + self.writer.tables[Applicant].written
        return pool

    # -- numbering ---------------------------------------------------------------------------------
    def number_for(self, centre_id: int, centre_code: str, day: date) -> str:
        key = (centre_id, day)
        seq = self.counters.get(key, 0) + 1
        self.counters[key] = seq
        digits = self.day_digits.get(day)
        if digits is None:
            digits = self.day_digits[day] = f"{day:%Y%m%d}"
        return f"{centre_code}-{digits}-{seq:04d}"

    def query_code(self) -> str:
        # rng.choices(QUERY_CODE_ALPHABET, k=QUERY_CODE_LENGTH) without its per-call setup (same draws).
        random, n = self.rng.random, len(QUERY_CODE_ALPHABET)
        return "".join([QUERY_CODE_ALPHABET[int(random() * n)] for _ in QUERY_CODE_RANGE])

    # -- the run ------------------------------------------------------------------------------------
    def run(self) -> dict:
        started = time.monotonic()
        # Read before the writer starts: its thread owns the connection until finish().
        self.certificate_counters = {(certificate_type, year): last for certificate_type, year, last in
                                     CertificateCounter.objects.values_list("certificate_type", "year", "last")}
        dropped = []
        if self.writer.postgres:
            with connection.cursor() as cursor:
                expected = {table.name: int(self.size * ROWS_PER_CASE.get(table.name, 1))
                            for table in self.writer.tables.values()}
                dropped = history_bulkload.drop_secondary_indexes(cursor, expected)
        # Several processes are forked: no writer thread in the parent then (it COPYs what they send).
        self.writer.start(background=self.processes == 1)
        try:
            summary = self._run(started)
        finally:
            self.writer.stop()
        if dropped:
            with connection.cursor() as cursor:
                history_bulkload.rebuild(cursor, dropped)
        summary["seconds"] = round(time.monotonic() - started, 2)
        summary["rate"] = round(summary["cases"] / summary["seconds"]) if summary["seconds"] else 0
        summary["indexes_rebuilt"] = len(dropped)
        return summary

    def _run(self, started: float) -> dict:
        applicants = self.make_applicants()
        # Submission moments, oldest first, so earlier certificates can be reused by later cases.
        # More recent days carry a little more load (growth); weekends only online.
        last = len(self.workdays) - 1
        moments = sorted(last - int(last * self.rng.random() ** 1.5) for _ in range(self.size))
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.size, desc="样例办件 cases", unit="件", file=sys.stderr, mininterval=0.5)
        if self.processes > 1:
            from .history_parallel import run_parallel

            run_parallel(self, moments, applicants, bar)
        else:
            self.simulate(moments, applicants, bar.update if bar is not None else None)
        self.writer.flush_all(WRITE_ORDER)
        self.writer.finish()
        self.save_counters()
        if bar is not None:
            bar.close()
        tables = {table.name: table.written for table in self.writer.tables.values()}
        return {
            "cases": self.writer.tables[Case].written, "processes": self.processes,
            "by_state": dict(sorted((k.removeprefix("state:"), v) for k, v in self.stats.items()
                                    if k.startswith("state:"))),
            "lights": dict(self.lights), "scenarios": {k: v for k, v in self.stats.items() if ":" not in k},
            "rows": tables, "start": self.start.isoformat(), "end": self.end.isoformat(),
        }

    def simulate(self, moments: list[int], applicants: list, progress=None) -> None:
        """One case (or bundle) per moment (an index into the working days), in order."""
        from .history_case import simulate_case

        made, size, rng, days = 0, len(moments), self.rng, self.workdays
        items, cum_weights, pool = self.items, self.item_cum_weights, len(applicants)
        while made < size:
            day = days[moments[made]]
            applicant = applicants[int(pool * rng.random() ** 1.3)]
            bundle = rng.choice(self.bundles) if self.bundles and rng.random() < P_BUNDLE else None
            if bundle is not None and made + len(bundle[2]) <= size:
                count = self.bundle(bundle, day, applicant)
            else:
                simulate_case(self, rng.choices(items, cum_weights=cum_weights)[0], day, applicant)
                count = 1
            made += count
            if progress is not None:
                progress(count)

    def save_counters(self) -> None:
        for (certificate_type, year), last in self.certificate_counters.items():
            CertificateCounter.objects.update_or_create(certificate_type=certificate_type, year=year,
                                                        defaults={"last": last})
        existing = {(c.centre_id, c.day): c for c in CaseCounter.objects.filter(day__gte=self.start,
                                                                                 day__lte=self.end)}
        new, changed = [], []
        for (centre_id, day), last in self.counters.items():
            counter = existing.get((centre_id, day))
            if counter is None:
                new.append(CaseCounter(centre_id=centre_id, day=day, last=last))
            elif counter.last != last:
                counter.last = last
                changed.append(counter)
        CaseCounter.objects.bulk_create(new, batch_size=2000)
        CaseCounter.objects.bulk_update(changed, ["last"], batch_size=2000)

    # -- one bundle ---------------------------------------------------------------------------------
    def bundle(self, bundle: tuple, day: date, applicant) -> int:
        bundle_id, _code, item_ids = bundle
        application_id = self.writer.new_id(BundleApplication)
        submitted_at = min(self.office_time(day), self.now - timedelta(minutes=1))
        centre_id = self.county[0]
        day = submitted_at.astimezone(self.tz).date()
        number = "YJS-" + self.number_for(centre_id, self.county[1], day)  # numbering.allocate_bundle_number
        self.writer.add(BundleApplication, (application_id, number, self.query_code(), bundle_id, applicant[0],
                                            centre_id, submitted_at))
        channel = self.rng.choice(("window", "online"))
        for item_id in item_ids:
            self.case(self.plan_by_id[item_id], day, applicant, bundle_application_id=application_id,
                      submitted_at=submitted_at, channel=channel, centre=self.county)
        self.stats["bundles"] += 1
        return len(item_ids)

    # -- one case -----------------------------------------------------------------------------------
    def case(self, plan: ItemPlan, day: date, applicant, *, bundle_application_id=None, submitted_at=None,
             channel=None, centre=None) -> None:
        from .history_case import simulate_case

        simulate_case(self, plan, day, applicant, bundle_application_id=bundle_application_id,
                      submitted_at=submitted_at, channel=channel, centre=centre)

    def certificate_number(self, certificate_type: str, year: int, centre_code: str) -> str:
        """As numbering.allocate_certificate_number: <centre letters>-<TYPE>-<year>-<seq per type and year>."""
        key = (certificate_type, year)
        self.certificate_counters[key] = self.certificate_counters.get(key, self.certificate_offset) + 1
        letters = re.match(r"[A-Za-z]+", centre_code)
        prefix = letters.group(0).upper() if letters else "CERT"
        kind = re.sub(r"[^A-Za-z0-9]", "", certificate_type).upper()[:16] or "CERT"
        return f"{prefix}-{kind}-{year}-{self.certificate_counters[key]:06d}"


def generate_history(*, size: int, seed: int = 2026, start: date | None = None, end: date | None = None,
                     progress: bool = False, months: int = 4, now: datetime | None = None,
                     processes: int | None = None) -> dict:
    """Write `size` sample cases submitted between `start` and `end` (default: the last `months` months up
    to today) and return a summary. Deterministic for a given seed, database, `now` and number of
    simulation `processes` (default: PROCESSES on PostgreSQL from PARALLEL_FROM cases on, else 1; SQLite
    always 1)."""
    if size < 1:
        raise ValueError("size must be at least 1")
    now = now or timezone.now()
    end = end or timezone.localdate(now)
    start = start or end - timedelta(days=30 * months)
    if start > end:
        raise ValueError("start must not be after end")
    # In UTC, as the database returns it: audit hashes are computed over the ISO text of the moment.
    cut = min(now, datetime(end.year, end.month, end.day, 23, 59, tzinfo=ZoneInfo(settings.TIME_ZONE))).astimezone(UTC)
    postgres = connection.vendor == "postgresql"
    if processes is None:
        processes = PROCESSES if postgres and size >= PARALLEL_FROM else 1
    processes = max(1, min(processes, size)) if postgres else 1
    with transaction.atomic():
        if postgres:
            with connection.cursor() as cursor:
                history_bulkload.prepare(cursor)
        generator = _Generator(size=size, seed=seed, start=start, end=end, now=cut, progress=progress,
                               processes=processes)
        return generator.run()


def ensure_history(*, size: int) -> str:
    """Generate the sample history once: only when there are no cases yet. Returns a one-line summary."""
    existing = Case.objects.count()
    if existing:
        return f"已有 {existing} 件办件，未生成 / {existing} cases present, nothing generated"
    if size <= 0:
        return "未生成 / not generated (size 0)"
    summary = generate_history(size=size, progress=sys.stderr.isatty())
    states = "，".join(f"{CaseState(state).label} {count}" for state, count in summary["by_state"].items())
    return f"{summary['cases']} 件（{states}），用时 {summary['seconds']} 秒"

