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
bulk (COPY on PostgreSQL) by `writer.BulkWriter`, as the rows declared in `rows.py`.

Its rules are the product's own, read through the other apps' public modules: due dates, pauses and
lights from cases.deadlines, audit actions from the cases' verb table (values.py), hashes from
audit.digest, who applies for an item from the catalog (plan.py). Its reasons, applicants and items fit
each other (reasons.py, people.py)."""

from __future__ import annotations

import random
import re
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onewindow.calendar.selectors import get_index
from onewindow.cases.deadlines import WorkdayClock
from onewindow.cases.models import BundleApplication, Case, CaseCounter, CertificateCounter
from onewindow.cases.numbering import QUERY_CODE_ALPHABET, QUERY_CODE_LENGTH
from onewindow.cases.states import CaseState
from onewindow.catalog.models import Bundle
from onewindow.catalog.selectors import accepting_centre_ids
from onewindow.orgs.models import Department, ServiceCentre, Window

from . import bulkload
from .people import ApplicantPool, ApplicantRef
from .plan import BundlePlan, bundle_plan, load_items, load_staff
from .rows import WRITE_ORDER, BundleApplicationRow, row_defs
from .writer import BulkWriter

# Share of submissions that are bundle applications (一件事); other scenarios: life.P.
P_BUNDLE = 0.04
# Simulation processes on PostgreSQL from this many cases on (each simulates a disjoint range of days;
# the parent COPYs their rows in its one transaction: history/parallel.py).
PARALLEL_FROM = 20_000
PROCESSES = 2
# Rows per case we expect in each table, to decide whether to build its indexes after the load.
ROWS_PER_CASE = {"cases_task": 3, "cases_casematerial": 4, "audit_auditevent": 7, "orgs_applicant": 0.25,
                 "cases_certificate": 0.25, "cases_fee": 0.05}


QUERY_CODE_RANGE = range(QUERY_CODE_LENGTH)


class Centre(NamedTuple):
    id: int
    code: str
    level: int


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
        self.clock = WorkdayClock(self.index)  # the cases' clock rules on this run's calendar
        self.items = load_items(self.rng)
        if not self.items:
            raise ValueError("没有可用的事项（含办理环节的在用事项）：请先运行 onewindow init 载入示例目录")
        self.item_cum_weights = list(accumulate(plan.weight for plan in self.items))
        self.plan_by_id = {plan.id: plan for plan in self.items}
        self.bundles: list[BundlePlan] = []
        for bundle in Bundle.objects.filter(is_active=True).select_related("life_event").order_by("code"):
            item_ids = list(bundle.bundle_items.order_by("order").values_list("item_id", flat=True))
            if item_ids and all(item_id in self.plan_by_id for item_id in item_ids):
                self.bundles.append(bundle_plan(bundle.id, bundle.code, item_ids,
                                                bundle.life_event.audience if bundle.life_event else None,
                                                self.plan_by_id))
        self.staff = load_staff()
        self.department_names = dict(Department.objects.values_list("id", "name"))
        self.department_codes = dict(Department.objects.values_list("id", "code"))
        centres = [Centre(*row) for row in ServiceCentre.objects.order_by("level", "code").values_list(
            "id", "code", "level")]
        if not centres:
            raise ValueError("没有政务服务中心：请先运行 onewindow init")
        self.county = centres[0]
        # Windows: the county centre takes most intake, townships and village points the rest.
        self.centres = centres
        self.centre_cum_weights = list(accumulate({2: 60, 3: 60, 4: 12, 5: 4}.get(centre.level, 10)
                                                  for centre in centres))
        # 就近办: a township or village centre takes only the items delegated to it (catalog/centres.py).
        self.accepting = accepting_centre_ids()
        self.windows: dict[int, list[int]] = defaultdict(list)
        for window_id, centre_id in Window.objects.filter(is_comprehensive=True).order_by("id").values_list(
                "id", "centre_id"):
            self.windows[centre_id].append(window_id)
        self.workdays = [d for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
                         if self.index.is_workday(d)] or [end]
        self.counters: dict[tuple[int, date], int] = {
            (centre_id, day): last for centre_id, day, last in CaseCounter.objects.filter(
                day__gte=start, day__lte=end).values_list("centre_id", "day", "last")}
        self.writer = BulkWriter(row_defs().values())
        self.progress = progress
        self.holdings: dict = {}  # (applicant id, certificate type) -> life_outcome.Holding
        self.stats: dict[str, int] = defaultdict(int)
        self.lights: dict[str, int] = defaultdict(int)
        self.certificate_counters: dict[tuple[str, int], int] = {}
        self.certificate_offset = 0  # a simulation process's block of certificate numbers
        self.midnights: dict[date, datetime] = {}
        self.day_digits: dict[date, str] = {}
        self.channel_options: dict[int, tuple[list[str], list[int]]] = {}  # item id -> (channels, cum. weights)
        self.today = now.astimezone(self.tz).date()
        # The zone's offset when it does not change over the years simulated (Asia/Shanghai): a local
        # day is then (moment + offset).date(), without a zone lookup per call (life.local_day).
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
        below = self.rng._randbelow  # type: ignore[attr-defined]  # see above
        morning, afternoon = 510 + below(206), 870 + below(181)
        minutes = afternoon if below(2) else morning
        return self.at(day, 0) + timedelta(seconds=60 * minutes + below(60))

    def workday_after(self, day: date, days: int) -> date:
        return self.index.add(day, days).due_on if days > 0 else day

    # -- applicants --------------------------------------------------------------------------------
    def make_applicants(self) -> ApplicantPool:
        """A pool of persons and enterprises (with valid numbers); the demo applicants are reused."""
        pool = ApplicantPool(rng=self.rng, writer=self.writer, wanted=max(20, min(self.size // 4, 300_000)),
                             created_at=self.at(self.start, 480))
        self.stats["applicants_created"] = pool.created
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
                dropped = bulkload.drop_secondary_indexes(cursor, expected)
        # Several processes are forked: no writer thread in the parent then (it COPYs what they send).
        self.writer.start(background=self.processes == 1)
        try:
            summary = self._run(started)
        finally:
            self.writer.stop()
        if dropped:
            with connection.cursor() as cursor:
                bulkload.rebuild(cursor, dropped)
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
            from .parallel import run_parallel

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

    def simulate(self, moments: list[int], applicants: ApplicantPool, progress=None) -> None:
        """One case (or bundle) per moment (an index into the working days), in order."""
        from .life import simulate_case

        made, size, rng, days = 0, len(moments), self.rng, self.workdays
        items, cum_weights, pick = self.items, self.item_cum_weights, applicants.pick
        while made < size:
            day = days[moments[made]]
            bundle = rng.choice(self.bundles) if self.bundles and rng.random() < P_BUNDLE else None
            if bundle is not None and made + len(bundle.item_ids) <= size:
                count = self.bundle(bundle, day, pick(bundle.kinds, bundle.trades))
            else:
                plan = rng.choices(items, cum_weights=cum_weights)[0]
                simulate_case(self, plan, day, pick(plan.kinds, plan.trades))
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
    def bundle(self, bundle: BundlePlan, day: date, applicant: ApplicantRef) -> int:
        application_id = self.writer.new_id(BundleApplication)
        submitted_at = min(self.office_time(day), self.now - timedelta(minutes=1))
        centre = self.county
        day = submitted_at.astimezone(self.tz).date()
        number = "YJS-" + self.number_for(centre.id, centre.code, day)  # numbering.allocate_bundle_number
        self.writer.add(BundleApplication, BundleApplicationRow(
            id=application_id, number=number, query_code=self.query_code(), bundle=bundle.id,
            applicant=applicant.id, centre=centre.id, submitted_at=submitted_at))
        channel = self.rng.choice(("window", "online"))
        from .life import simulate_case

        for item_id in bundle.item_ids:
            simulate_case(self, self.plan_by_id[item_id], day, applicant, bundle_application_id=application_id,
                          submitted_at=submitted_at, channel=channel, centre=centre)
        self.stats["bundles"] += 1
        return len(bundle.item_ids)

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
                bulkload.prepare(cursor)
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

