"""The reform summary of the catalog, computed in the database with aggregates: the figures that local
reforms publish as their results (share of items needing at most one visit — "run at most once",
Zhejiang 2017; zero-visit items; committed limits against legal ones — Yumen: 73.6 % below the legal
limit; immediate items; fully online share)."""

from __future__ import annotations

from django.db.models import Avg, Count, Q, QuerySet

from .models import Item, ItemStatus, LimitUnit, OnlineDepth


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _reduction(legal, committed) -> float:
    # (legal - committed) / legal, as a percentage of the legal limit.
    return round(100.0 * (float(legal) - float(committed)) / float(legal), 1) if legal else 0.0


_AGGREGATES = {
    "items": Count("id"),
    "at_most_one_visit": Count("id", filter=Q(max_visits__lte=1)),
    "zero_visit": Count("id", filter=Q(max_visits=0)),
    "immediate": Count("id", filter=Q(is_immediate=True)),
    "fully_online": Count("id", filter=Q(online_depth=OnlineDepth.FULLY_ONLINE)),
    # Averages in working days, over the items counted in working days: a natural day is not one.
    "avg_legal": Avg("legal_limit_days", filter=Q(limit_unit=LimitUnit.WORKING)),
    "avg_committed": Avg("committed_limit_days", filter=Q(limit_unit=LimitUnit.WORKING)),
}


def _figures(row: dict) -> dict:
    n = row["items"]
    avg_legal, avg_committed = row["avg_legal"] or 0, row["avg_committed"] or 0
    return {
        "items": n,
        "at_most_one_visit": row["at_most_one_visit"],
        "at_most_one_visit_pct": _share(row["at_most_one_visit"], n),
        "zero_visit": row["zero_visit"],
        "zero_visit_pct": _share(row["zero_visit"], n),
        "immediate": row["immediate"],
        "immediate_pct": _share(row["immediate"], n),
        "fully_online": row["fully_online"],
        "fully_online_pct": _share(row["fully_online"], n),
        "avg_legal_days": round(float(avg_legal), 1),
        "avg_committed_days": round(float(avg_committed), 1),
        "limit_reduction_pct": _reduction(avg_legal, avg_committed),
    }


def reform_summary(queryset: QuerySet | None = None) -> dict:
    """Figures over the active items of `queryset` (default: the whole catalog), overall and by
    department. Shares are percentages with one decimal; limits are averages in working days over the
    items counted in working days; the reduction is (average legal − average committed) / average legal."""
    qs = (queryset if queryset is not None else Item.objects.all()).filter(status=ItemStatus.ACTIVE)
    summary = _figures(qs.aggregate(**_AGGREGATES))
    rows = (qs.order_by().values("department__code", "department__name")
            .annotate(**_AGGREGATES).order_by("-items", "department__code"))
    summary["by_department"] = [
        {"department": row["department__code"], "department_name": row["department__name"], **_figures(row)}
        for row in rows
    ]
    return summary


def summary_lines(summary: dict) -> list[str]:
    """The summary as printable lines (CLI)."""
    s = summary
    lines = [
        f"在用事项 active items: {s['items']}",
        f"最多跑一次 at most one visit: {s['at_most_one_visit']} ({s['at_most_one_visit_pct']}%)",
        f"零跑动 zero visits: {s['zero_visit']} ({s['zero_visit_pct']}%)",
        f"即办件 immediate: {s['immediate']} ({s['immediate_pct']}%)",
        f"全程网办 fully online: {s['fully_online']} ({s['fully_online_pct']}%)",
        f"平均法定时限 average legal limit: {s['avg_legal_days']} 个工作日 working days",
        f"平均承诺时限 average committed limit: {s['avg_committed_days']} 个工作日 working days",
        f"承诺时限比法定时限压缩 committed below legal: {s['limit_reduction_pct']}%",
        "按部门 by department:",
    ]
    for d in s["by_department"]:
        lines.append(
            f"  {d['department']:<16} {d['department_name']}: {d['items']} 项, 最多跑一次 {d['at_most_one_visit_pct']}%, "
            f"零跑动 {d['zero_visit_pct']}%, 法定 {d['avg_legal_days']} / 承诺 {d['avg_committed_days']} 工作日 "
            f"(-{d['limit_reduction_pct']}%)")
    return lines
