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

import hashlib
import json
import random
import re
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.audit.services import _digest
from onewindow.calendar.selectors import get_index
from onewindow.catalog.models import Bundle, Item, ItemStatus
from onewindow.orgs import identity
from onewindow.orgs.models import Applicant, Department, Role, ServiceCentre, StaffRole, Window

from .history_writer import BulkWriter, Table
from .models import (
    BundleApplication,
    Case,
    CaseCounter,
    CaseMaterial,
    Certificate,
    CertificateCounter,
    DenialFiling,
    Extension,
    Fee,
    SpecialProcedure,
    SupplementRequest,
    Task,
)
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

REVIEW_KINDS = ("review", "decision")
# Share of submissions that are bundle applications (一件事); other scenarios: history_case.P.
P_BUNDLE = 0.04


@dataclass
class _ItemPlan:
    id: int
    code: str
    name: str
    version: int
    department_id: int
    department_code: str
    limit: int
    immediate: bool
    extension_days: int
    fee: Decimal | None
    fee_description: str
    certificate_type: str
    result_name: str
    instant_rules: list
    channels: list[str]
    post_delivery: bool
    stages: list[tuple]  # (step, kind, name, limit_days, department_id), by step
    materials: list[tuple]  # (id, name, required, waivable, source, certificate_type)
    weight: float = 1.0


@dataclass
class _Staff:
    clerks: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # centre id -> [(id, username)]
    approvers: dict[int, list[tuple[int, str]]] = field(default_factory=dict)  # department id -> ...
    agents: list[tuple[int, str]] = field(default_factory=list)
    any_clerk: list[tuple[int, str]] = field(default_factory=list)


def _tables() -> dict:
    return {
        Applicant: Table(Applicant, ["id", "kind", "name", "id_number", "phone", "address", "legal_representative",
                                     "user", "bad_credit", "created_at"]),
        BundleApplication: Table(BundleApplication, ["id", "number", "query_code", "bundle", "applicant", "centre",
                                                     "submitted_at"]),
        Case: Table(Case, [
            "id", "number", "query_code", "item", "item_version", "applicant", "centre", "window", "channel", "state",
            "form_data", "bundle_application", "project", "agent", "submitted_by", "accepted_by", "submitted_at",
            "accepted_on", "committed_limit_days", "extension_days", "paused_days", "paused_since", "due_on",
            "due_provisional", "calendar_version", "decided_at", "concluded_at", "visit_count", "instant_rule", "delivery_method",
            "delivery_address", "tracking_number", "delivered_at", "decision_reason", "updated_at"]),
        Certificate: Table(Certificate, ["id", "number", "certificate_type", "title", "holder", "case", "issuer",
                                         "issued_on", "valid_until", "status", "data", "digest"]),
        Task: Table(Task, ["id", "case", "step", "kind", "name", "department", "state", "limit_days", "opened_on",
                           "due_on", "completed_at", "completed_by", "opinion"]),
        CaseMaterial: Table(CaseMaterial, ["id", "case", "material", "name", "status", "certificate", "file",
                                           "promised_by", "supplied_at", "note"]),
        SupplementRequest: Table(SupplementRequest, ["id", "case", "task", "requested_by", "requested_at",
                                                     "requested_on", "defects", "return_state", "supplied_at"]),
        SpecialProcedure: Table(SpecialProcedure, ["id", "case", "task", "kind", "limit_days", "started_on",
                                                   "due_on", "ended_on", "started_by", "reason", "outcome",
                                                   "applicant_notified_at"]),
        Extension: Table(Extension, ["id", "case", "days", "reason", "requested_by", "approved_by", "approved_at",
                                     "applicant_notified_at", "previous_due_on", "new_due_on"]),
        DenialFiling: Table(DenialFiling, ["id", "case", "kind", "department", "reason", "filed_by", "filed_at"]),
        Fee: Table(Fee, ["id", "case", "description", "amount", "state", "paid_at", "receipt_number"]),
        AuditChain: Table(AuditChain, ["id", "key", "length", "head_hash"]),
        AuditEvent: Table(AuditEvent, ["id", "chain", "position", "occurred_at", "actor", "actor_label", "action",
                                       "from_state", "to_state", "reason", "data", "prev_hash", "hash"]),
    }


# Parents before children (SQLite checks foreign keys per statement; PostgreSQL defers them).
WRITE_ORDER = [Applicant, BundleApplication, Case, Certificate, Task, CaseMaterial, SupplementRequest,
               SpecialProcedure, Extension, DenialFiling, Fee, AuditChain, AuditEvent]


def _load_items(rng: random.Random) -> list[_ItemPlan]:
    items = (Item.objects.filter(status=ItemStatus.ACTIVE, stages__isnull=False).distinct()
             .select_related("department").prefetch_related("stages", "materials").order_by("code"))
    plans = []
    for item in items:
        stages = [(stage.step, stage.kind, stage.name, stage.limit_days, stage.department_id)
                  for stage in sorted(item.stages.all(), key=lambda s: (s.step, s.id))]
        if not any(kind in REVIEW_KINDS for _step, kind, *_rest in stages):
            # As approval.create_tasks: one review task for the item's department with the whole limit.
            step = max((st for st, kind, *_rest in stages if kind == "acceptance"), default=0) + 1
            stages = [(st + 1 if kind == "delivery" and st <= step else st, kind, *rest)
                      for st, kind, *rest in stages]
            stages.append((step, "review", "审查与决定", item.committed_limit_days, item.department_id))
            stages.sort(key=lambda s: s[0])
        channels = [name for name in ("window", "online", "post") if getattr(item, f"channel_{name}")] or ["window"]
        plans.append(_ItemPlan(
            id=item.id, code=item.code, name=item.name, version=item.version, department_id=item.department_id,
            department_code=item.department.code,
            limit=item.committed_limit_days, immediate=item.is_immediate, extension_days=item.extension_days,
            fee=item.fee_amount if item.has_fee and item.fee_amount else None,
            fee_description=(item.fee_description or item.name)[:200], certificate_type=item.result_certificate_type,
            result_name=item.result_name or item.name, instant_rules=list(item.instant_approval_rules or []),
            channels=channels, post_delivery=item.offers_post_delivery, stages=stages,
            materials=[(m.id, m.name, m.required, m.waivable, m.source, m.certificate_type)
                       for m in sorted(item.materials.all(), key=lambda m: (m.order, m.id))],
        ))
    # Popularity: a few items take most of the cases (Zipf-like), in a seed-determined order.
    order = list(range(len(plans)))
    rng.shuffle(order)
    for rank, index in enumerate(order):
        plans[index].weight = 1.0 / (rank + 1) ** 0.9
    return plans


def _load_staff() -> _Staff:
    staff = _Staff()
    for user_id, username, role, centre_id, department_id in StaffRole.objects.filter(user__is_active=True).values_list(
            "user_id", "user__username", "role", "centre_id", "department_id").order_by("user_id"):
        if role == Role.WINDOW_CLERK and centre_id:
            staff.clerks.setdefault(centre_id, []).append((user_id, username))
            staff.any_clerk.append((user_id, username))
        elif role in (Role.APPROVER, Role.CHIEF_REPRESENTATIVE) and department_id:
            staff.approvers.setdefault(department_id, []).append((user_id, username))
        elif role == Role.AGENT:
            staff.agents.append((user_id, username))
    return staff


class _Generator:
    def __init__(self, *, size: int, seed: int, start: date, end: date, now: datetime, progress: bool):
        self.size, self.start, self.end, self.now = size, start, end, now
        self.rng = random.Random(seed)
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.index = get_index()
        self.items = _load_items(self.rng)
        if not self.items:
            raise ValueError("没有可用的事项（含办理环节的在用事项）：请先运行 onewindow init 载入示例目录")
        self.item_weights = [plan.weight for plan in self.items]
        self.bundles = [
            (bundle.id, bundle.code, [item_id for item_id in bundle.bundle_items.order_by("order")
                                      .values_list("item_id", flat=True)])
            for bundle in Bundle.objects.filter(is_active=True).order_by("code")]
        self.plan_by_id = {plan.id: plan for plan in self.items}
        self.bundles = [b for b in self.bundles if b[2] and all(i in self.plan_by_id for i in b[2])]
        self.staff = _load_staff()
        self.department_names = dict(Department.objects.values_list("id", "name"))
        self.department_codes = dict(Department.objects.values_list("id", "code"))
        centres = list(ServiceCentre.objects.order_by("level", "code").values_list("id", "code", "level"))
        if not centres:
            raise ValueError("没有政务服务中心：请先运行 onewindow init")
        self.county = centres[0]
        # Windows: the county centre takes most intake, townships and village points the rest.
        self.centres = centres
        self.centre_weights = [{2: 60, 3: 60, 4: 12, 5: 4}.get(level, 10) for _id, _code, level in centres]
        self.windows: dict[int, list[int]] = defaultdict(list)
        for window_id, centre_id in Window.objects.filter(is_comprehensive=True).order_by("id").values_list(
                "id", "centre_id"):
            self.windows[centre_id].append(window_id)
        self.workdays = [d for d in (start + timedelta(days=i) for i in range((end - start).days + 1))
                         if self.index.is_workday(d)] or [end]
        self.counters: dict[tuple[int, date], int] = {
            (centre_id, day): last for centre_id, day, last in CaseCounter.objects.filter(
                day__gte=start, day__lte=end).values_list("centre_id", "day", "last")}
        self.writer = BulkWriter(_tables().values())
        self.progress = progress
        self.holdings: dict[tuple[int, str], tuple[int, str, date]] = {}  # (applicant, type) -> certificate
        self.stats: dict[str, int] = defaultdict(int)
        self.lights: dict[str, int] = defaultdict(int)
        self.certificate_counters: dict[tuple[str, int], int] = {}
        self.midnights: dict[date, datetime] = {}
        self.digests = 0

    # -- time helpers ------------------------------------------------------------------------------
    def at(self, day: date, minutes: int) -> datetime:
        """An aware UTC datetime `minutes` after local midnight of `day` (UTC as the database returns it,
        so the audit hashes computed here equal the ones `audit.verify` recomputes)."""
        midnight = self.midnights.get(day)
        if midnight is None:
            midnight = self.midnights[day] = datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(UTC)
        return midnight + timedelta(minutes=minutes)

    def office_time(self, day: date) -> datetime:
        minutes = self.rng.choice((self.rng.randint(510, 715), self.rng.randint(870, 1050)))
        return self.at(day, minutes) + timedelta(seconds=self.rng.randrange(60))

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
                number = identity.generate_uscc(region="450681", body=f"{(person_serial + n * 7919) % 10**8:08d}")
                name = f"东兴市{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS)}有限公司" \
                       f"{'' if n < 2000 else n}"
                kind = "enterprise"
            else:
                born = date(1955, 1, 1) + timedelta(days=(person_serial + n * 37) % (365 * 50))
                number = identity.generate_resident_id(region="450681", birth_date=born, sequence=(n // 18250) % 1000)
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
        return f"{centre_code}-{day:%Y%m%d}-{seq:04d}"

    def query_code(self) -> str:
        return "".join(self.rng.choices(QUERY_CODE_ALPHABET, k=QUERY_CODE_LENGTH))

    # -- the run ------------------------------------------------------------------------------------
    def run(self) -> dict:
        started = time.monotonic()
        # Read before the writer starts: its thread owns the connection until finish().
        self.certificate_counters = {(certificate_type, year): last for certificate_type, year, last in
                                     CertificateCounter.objects.values_list("certificate_type", "year", "last")}
        self.writer.start()
        try:
            return self._run(started)
        finally:
            self.writer.stop()

    def _run(self, started: float) -> dict:
        applicants = self.make_applicants()
        # Submission moments, oldest first, so earlier certificates can be reused by later cases.
        days = self.workdays
        # More recent days carry a little more load (growth); weekends only online.
        last = len(days) - 1
        moments = sorted(last - int(last * self.rng.random() ** 1.5) for _ in range(self.size))
        bar = None
        if self.progress:
            from tqdm import tqdm

            bar = tqdm(total=self.size, desc="样例办件 cases", unit="件", file=sys.stderr, mininterval=0.5)
        made = 0
        rng = self.rng
        while made < self.size:
            day = days[moments[made]]
            applicant = applicants[int(len(applicants) * rng.random() ** 1.3)]
            bundle = rng.choice(self.bundles) if self.bundles and rng.random() < P_BUNDLE else None
            if bundle is not None and made + len(bundle[2]) <= self.size:
                count = self.bundle(bundle, day, applicant)
            else:
                plan = rng.choices(self.items, weights=self.item_weights)[0]
                self.case(plan, day, applicant)
                count = 1
            made += count
            if bar is not None:
                bar.update(count)
        self.writer.flush_all(WRITE_ORDER)
        self.writer.finish()
        self.save_counters()
        if bar is not None:
            bar.close()
        seconds = time.monotonic() - started
        tables = {table.name: table.written for table in self.writer.tables.values()}
        return {
            "cases": self.writer.tables[Case].written, "seconds": round(seconds, 2),
            "rate": round(self.writer.tables[Case].written / seconds) if seconds else 0,
            "by_state": dict(sorted((k.removeprefix("state:"), v) for k, v in self.stats.items()
                                    if k.startswith("state:"))),
            "lights": dict(self.lights), "scenarios": {k: v for k, v in self.stats.items() if ":" not in k},
            "rows": tables, "start": self.start.isoformat(), "end": self.end.isoformat(),
        }

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
    def case(self, plan: _ItemPlan, day: date, applicant, *, bundle_application_id=None, submitted_at=None,
             channel=None, centre=None) -> None:
        from .history_case import simulate_case

        simulate_case(self, plan, day, applicant, bundle_application_id=bundle_application_id,
                      submitted_at=submitted_at, channel=channel, centre=centre)

    def write_chain(self, chain_key: str, events: list[tuple]) -> None:
        """events: (occurred_at, actor_id, actor_label, action, from_state, to_state, reason, data).
        Hashes are those of audit.services._digest, built from cached pieces (see _fast_digest)."""
        writer = self.writer
        chain_id = writer.new_id(AuditChain)
        prev = ""
        for position, (occurred_at, actor_id, label, action, from_state, to_state, reason, data) in \
                enumerate(events, 1):
            data_json = _json_sorted(data) if data else "{}"
            digest = _fast_digest(prev, position, occurred_at, label, action, from_state, to_state, reason,
                                  data_json)
            self.digests += 1
            if self.digests % 1009 == 1:  # keep the fast path honest against the real function
                expected = _digest(prev_hash=prev, position=position, occurred_at=occurred_at, actor_label=label,
                                   action=action, from_state=from_state, to_state=to_state, reason=reason,
                                   data=json.loads(data_json))
                if expected != digest:
                    raise RuntimeError("history: audit digest differs from audit.services._digest")
            writer.add(AuditEvent, (writer.new_id(AuditEvent), chain_id, position, occurred_at, actor_id, label,
                                    action, from_state, to_state, reason, data_json, prev, digest))
            prev = digest
        writer.add(AuditChain, (chain_id, chain_key, len(events), prev))

    def certificate_number(self, certificate_type: str, year: int, centre_code: str) -> str:
        """As numbering.allocate_certificate_number: <centre letters>-<TYPE>-<year>-<seq per type and year>."""
        key = (certificate_type, year)
        self.certificate_counters[key] = self.certificate_counters.get(key, 0) + 1
        letters = re.match(r"[A-Za-z]+", centre_code)
        prefix = letters.group(0).upper() if letters else "CERT"
        kind = re.sub(r"[^A-Za-z0-9]", "", certificate_type).upper()[:16] or "CERT"
        return f"{prefix}-{kind}-{year}-{self.certificate_counters[key]:06d}"


@lru_cache(maxsize=8192)
def _js(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _json_sorted(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _fast_digest(prev: str, position: int, occurred_at: datetime, label: str, action: str, from_state: str,
                 to_state: str, reason: str, data_json: str) -> str:
    """audit.services._digest with the JSON of the list assembled from pieces: the strings repeat
    (labels, actions, states, reasons), so their JSON is cached; `data_json` is the sorted, compact JSON
    of the event data, the same text json.dumps(..., sort_keys=True) puts inside the list."""
    payload = (f'["{prev}",{position},"{occurred_at.isoformat(timespec="microseconds")}",{_js(label)},'
               f'{_js(action)},{_js(from_state)},{_js(to_state)},{_js(reason)},{data_json}]')
    return hashlib.sha256(payload.encode()).hexdigest()


def generate_history(*, size: int, seed: int = 2026, start: date | None = None, end: date | None = None,
                     progress: bool = False, months: int = 4, now: datetime | None = None) -> dict:
    """Write `size` sample cases submitted between `start` and `end` (default: the last `months` months up
    to today) and return a summary. Deterministic for a given seed, database and `now`."""
    if size < 1:
        raise ValueError("size must be at least 1")
    now = now or timezone.now()
    end = end or timezone.localdate(now)
    start = start or end - timedelta(days=30 * months)
    if start > end:
        raise ValueError("start must not be after end")
    # In UTC, as the database returns it: audit hashes are computed over the ISO text of the moment.
    cut = min(now, datetime(end.year, end.month, end.day, 23, 59, tzinfo=ZoneInfo(settings.TIME_ZONE))).astimezone(UTC)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                # The foreign-key checks Django defers to COMMIT cost more than the COPY itself (one
                # trigger call per row and key). The rows are consistent by construction (and the
                # tests check them), so a superuser skips them for this transaction only, as
                # pg_restore --disable-triggers does; other roles keep them.
                cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cursor.fetchone()[0]:
                    cursor.execute("SET LOCAL session_replication_role = replica")
        generator = _Generator(size=size, seed=seed, start=start, end=end, now=cut, progress=progress)
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

