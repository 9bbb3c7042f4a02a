"""The reform dashboard, measured (改革成效): what the catalog planned beside what the concluded
cases measured, by level, department and month, and the company start-up bundle's measured time
against its target. Everything is aggregated in the database (a row per group, never per case); the
whole dashboard of one region is kept in the cache for a few minutes (it reads months of cases).

Planned: the active items of the catalog (max_visits, online depth, limits). Measured: the cases
concluded in the last twelve months (visits, time used, on time) and submitted in them (channel).
Satisfaction and complaints join when the ratings and complaints apps provide their figures."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from onewindow.calendar import selectors as calendar
from onewindow.cases import measured
from onewindow.cases.models import BundleApplication, Case, Channel
from onewindow.cases.states import CaseState
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.models import Announcement, Bundle, Item, ItemStatus
from onewindow.orgs.models import CentreLevel, Department, Region, RegionLevel
from onewindow.ratings import selectors as ratings

CACHE_SECONDS = 300
MONTHS = 12
STARTUP_BUNDLE = "company-startup"


def share(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Measured:
    """Concluded cases (n, on time, at most one visit, zero visits, days) and submitted ones (online)."""

    concluded: int = 0
    on_time: int = 0
    at_most_one: int = 0
    zero: int = 0
    submitted: int = 0
    online: int = 0
    used_days: float = 0
    legal_days: float = 0
    committed_days: float = 0
    timed: int = 0

    @property
    def on_time_pct(self): return share(self.on_time, self.concluded)

    @property
    def at_most_one_pct(self): return share(self.at_most_one, self.concluded)

    @property
    def zero_pct(self): return share(self.zero, self.concluded)

    @property
    def online_pct(self): return share(self.online, self.submitted)

    @property
    def avg_used(self): return round(self.used_days / self.timed, 1) if self.timed else None

    @property
    def avg_legal(self): return round(self.legal_days / self.timed, 1) if self.timed else None

    @property
    def avg_committed(self): return round(self.committed_days / self.timed, 1) if self.timed else None

    @property
    def days_saved(self):
        """Against the legal limits: Σ legal − Σ used over the timed cases."""
        return round(self.legal_days - self.used_days) if self.timed else None


@dataclass
class Planned:
    items: int = 0
    at_most_one: int = 0
    zero: int = 0
    fully_online: int = 0

    @property
    def at_most_one_pct(self): return share(self.at_most_one, self.items)

    @property
    def zero_pct(self): return share(self.zero, self.items)

    @property
    def fully_online_pct(self): return share(self.fully_online, self.items)


@dataclass
class Row:
    key: object
    label: str
    planned: Planned = field(default_factory=Planned)
    measured: Measured = field(default_factory=Measured)


@dataclass
class BundleTime:
    name: str
    target_days: int | None  # the bundle's combined committed limit: the longest of its items
    applications: int = 0
    completed: int = 0
    avg_days: float | None = None  # working days from submission to the last case concluded
    within_target: int = 0


@dataclass(frozen=True)
class Satisfaction:
    """The counted 好差评 ratings of the dashboard's months: not bad (level ≥ 基本满意) over all."""

    ratings: int = 0
    satisfied: int = 0

    @property
    def pct(self) -> float | None:
        return None if not self.ratings else round(100 * self.satisfied / self.ratings, 1)


def _satisfaction(region: Region | None, start: date, end: date) -> Satisfaction:
    """The whole installation: every counted rating; a region: its departments' ratings."""
    if region is None:
        t = ratings.totals(start=start, end=end)
        return Satisfaction(t.ratings, t.satisfied)
    ids = set(Department.objects.filter(region=region).values_list("pk", flat=True))
    rows = [f for pk, f in ratings.appraisal_figures(start=start, end=end).items() if pk in ids]
    return Satisfaction(sum(f["ratings"] for f in rows), sum(f["satisfied"] for f in rows))


@dataclass
class Dashboard:
    region: Region | None
    start: date
    end: date
    changes: dict[str, int]
    delegated: int
    total: Row
    levels: list[Row]
    months: list[Row]
    departments: list[Row]
    bundle: BundleTime | None
    summary: dict  # the catalog's reform summary of the region (catalog.selectors.reform_summary)
    satisfaction: Satisfaction = field(default_factory=Satisfaction)


def _month_start(day: date, back: int) -> date:
    month = day.year * 12 + day.month - 1 - back
    return date(month // 12, month % 12 + 1, 1)


def regions() -> list[Region]:
    """The regions with active items (the picker), kept for CACHE_SECONDS."""
    found = cache.get("reform:regions")
    if found is None:
        found = list(Region.objects.filter(departments__items__status=ItemStatus.ACTIVE).distinct().order_by("code"))
        cache.set("reform:regions", found, CACHE_SECONDS)
    return found


def region_by_code(code: str) -> Region | None:
    return Region.objects.filter(code=code).first() if code else None


def _items(region: Region | None) -> QuerySet[Item]:
    items = Item.objects.filter(status=ItemStatus.ACTIVE)
    return items.filter(department__region=region) if region else items


def _cases(qs: QuerySet[Case], region: Region | None) -> QuerySet[Case]:
    return qs.filter(item__department__region=region) if region else qs


def _planned(items: QuerySet[Item], group: str | None) -> dict[object, Planned]:
    aggregates = {"n": Count("id"), "le1": Count("id", filter=Q(max_visits__lte=1)),
                  "zero": Count("id", filter=Q(max_visits=0)), "full": Count("id", filter=Q(online_depth=4))}
    if group is None:
        r = items.order_by().aggregate(**aggregates)
        return {None: Planned(r["n"], r["le1"], r["zero"], r["full"])}
    return {r[group]: Planned(r["n"], r["le1"], r["zero"], r["full"])
            for r in items.order_by().values(group).annotate(**aggregates)}


def _measured(region: Region | None, start: date, end: date, group: str | None) -> dict[object, Measured]:
    """Measured figures per `group` (a field path of the case, or None for one total): the two GROUP
    BY queries of the time used (carrying the counts) and one of the submitted cases."""
    result: dict[object, Measured] = defaultdict(Measured)
    concluded = _cases(measured.concluded_between(start, end), region)
    counts = {"concluded": Count("id"), "on_time": Count("id", filter=measured.on_time_q()),
              "le1": Count("id", filter=Q(visit_count__lte=1)), "zero": Count("id", filter=Q(visit_count=0))}
    # one total: grouped by the two decided states, then summed
    times = measured.time_used(concluded, group or "state", counts=counts)
    if not group:
        total = measured.TimeUsed()
        for t in times.values():
            total.cases += t.cases
            total.used += t.used
            total.legal += t.legal
            total.committed += t.committed
            for name, n in t.counts.items():
                total.counts[name] = total.counts.get(name, 0) + n
        times = {None: total}
    for key, t in times.items():
        m = result[key]
        m.concluded, m.on_time = t.counts.get("concluded", 0), t.counts.get("on_time", 0)
        m.at_most_one, m.zero = t.counts.get("le1", 0), t.counts.get("zero", 0)
        m.timed, m.used_days, m.legal_days, m.committed_days = t.cases, t.used, t.legal, t.committed
    submitted = _cases(measured.submitted_between(start, end), region)
    sub_counts = {"n": Count("id"), "online": Count("id", filter=Q(channel=Channel.ONLINE))}
    for r in (submitted.order_by().values(group).annotate(**sub_counts) if group
              else [submitted.aggregate(**sub_counts)]):
        m = result[r.get(group) if group else None]
        m.submitted, m.online = r["n"], r["online"]
    return dict(result)


def _months(region: Region | None, start: date, end: date) -> list[Row]:
    tz = timezone.get_current_timezone()
    concluded = _cases(measured.concluded_between(start, end), region)
    result: dict[date, Measured] = defaultdict(Measured)
    for r in (concluded.annotate(decided_day=measured.decided_day(), month=TruncMonth("concluded_at", tzinfo=tz))
              .values("month").order_by()
              .annotate(n=Count("id"), on_time=Count("id", filter=measured.on_time_q()),
                        le1=Count("id", filter=Q(visit_count__lte=1)), zero=Count("id", filter=Q(visit_count=0)))):
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        m = result[month]
        m.concluded, m.on_time, m.at_most_one, m.zero = r["n"], r["on_time"], r["le1"], r["zero"]
    submitted = _cases(measured.submitted_between(start, end), region)
    for r in (submitted.annotate(month=TruncMonth("submitted_at", tzinfo=tz)).values("month").order_by()
              .annotate(n=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE)))):
        month = r["month"].date() if hasattr(r["month"], "date") else r["month"]
        result[month].submitted, result[month].online = r["n"], r["online"]
    rows = []
    for back in range(MONTHS - 1, -1, -1):
        month = _month_start(end, back)
        rows.append(Row(month, f"{month:%Y-%m}", measured=result.get(month, Measured())))
    return rows


def _bundle(region: Region | None, start: date, end: date) -> BundleTime | None:
    bundle = Bundle.objects.filter(code=STARTUP_BUNDLE).first()
    if bundle is None:
        return None
    target = bundle.items.aggregate(m=Max("committed_limit_days"))["m"]
    low, high = measured.bounds(start, end)
    apps = BundleApplication.objects.filter(bundle=bundle, submitted_at__gte=low, submitted_at__lt=high)
    if region:
        apps = apps.filter(centre__region=region)
    rows = list(apps.annotate(last=Max("cases__concluded_at"), first=Min("cases__submitted_at"),
                              open=Count("cases", filter=~Q(cases__state__in=[
                                  CaseState.CONCLUDED, CaseState.DENIED, CaseState.REFUSED, CaseState.WITHDRAWN])))
                  .values_list("submitted_at", "last", "open"))
    result = BundleTime(bundle.name, target, applications=len(rows))
    days = []
    for submitted_at, last, still_open in rows:  # a row per bundle application, not per case
        if still_open or last is None:
            continue
        used = calendar.working_days_between(timezone.localtime(submitted_at).date(),
                                             timezone.localtime(last).date()).working_days
        days.append(used)
        result.within_target += target is not None and used <= target
    result.completed = len(days)
    result.avg_days = round(sum(days) / len(days), 1) if days else None
    return result


LEVEL_LABELS = dict(RegionLevel.choices)


def compute(region: Region | None, *, today: date) -> Dashboard:
    end = today
    start = _month_start(today, MONTHS - 1)
    items = _items(region)
    changes = dict(Announcement.objects.filter(item__in=items.model.objects.filter(
        **({"department__region": region} if region else {}))).values("kind").order_by()
        .annotate(n=Count("id")).values_list("kind", "n"))
    delegated = items.filter(delegated_down_to__gte=CentreLevel.TOWNSHIP).count()
    total = Row(None, "", _planned(items, None).get(None, Planned()),
                _measured(region, start, end, None).get(None, Measured()))
    planned_levels = _planned(items, "region_level")
    measured_levels = _measured(region, start, end, "item__region_level")
    level_keys = sorted(int(level) for level in set(planned_levels) | set(measured_levels)  # type: ignore[call-overload]
                        if level is not None)
    levels = [Row(level, str(LEVEL_LABELS.get(level, level)), planned_levels.get(level, Planned()),
                  measured_levels.get(level, Measured())) for level in level_keys]
    departments: list[Row] = []
    if region is not None or Region.objects.filter(departments__isnull=False).distinct().count() <= 1:
        planned_departments = _planned(items, "department_id")
        measured_departments = _measured(region, start, end, "item__department_id")
        names = dict(Department.objects.filter(pk__in=set(planned_departments) | set(measured_departments))
                     .values_list("pk", "name"))
        departments = sorted((Row(pk, names.get(pk, ""), planned_departments.get(pk, Planned()),
                                  measured_departments.get(pk, Measured())) for pk in names),
                             key=lambda r: (-r.measured.concluded, r.label))
    return Dashboard(region, start, end, changes, delegated, total, levels, _months(region, start, end),
                     departments, _bundle(region, start, end), catalog_selectors.reform_summary(items),
                     _satisfaction(region, start, end))


def dashboard(region: Region | None = None, *, today: date | None = None) -> Dashboard:
    """The dashboard of a region (None: the whole installation), kept for CACHE_SECONDS."""
    today = today or timezone.localdate()
    key = f"reform:dashboard:{region.pk if region else 0}:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = compute(region, today=today)
        cache.set(key, found, CACHE_SECONDS)
    return found
