"""What-if for reformers: compress the committed limits of chosen items by a share and see, from the
cases of the last twelve months, how each department's load and the expected late cases would change.

The history is replayed as it happened: each concluded case keeps the days it really used (working
or natural days from acceptance to decision, less paused days) and its granted extension; under the
new limit ⌊committed × (1 − share)⌋ it would be late when it used more than the new limit plus its
extension. The load to cut is the days by which the cases on time now exceed their new limit: the
work a department must take out of its process to keep them on time. The database groups the cases
by department, limit, extension, paused days and the two days (a row per group, never per case)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from onewindow.cases import measured
from onewindow.cases.models import Case
from onewindow.catalog.models import Item
from onewindow.core.errors import ValidationError
from onewindow.orgs.models import Department

MAX_ITEMS = 200


@dataclass
class DepartmentWhatIf:
    department_id: int
    name: str
    cases: int = 0
    committed_now: float = 0  # Σ committed limit
    committed_after: float = 0
    late_now: int = 0
    late_after: int = 0
    days_to_cut: float = 0

    @property
    def avg_now(self): return round(self.committed_now / self.cases, 1) if self.cases else None

    @property
    def avg_after(self): return round(self.committed_after / self.cases, 1) if self.cases else None

    @property
    def late_now_pct(self): return round(100 * self.late_now / self.cases, 1) if self.cases else None

    @property
    def late_after_pct(self): return round(100 * self.late_after / self.cases, 1) if self.cases else None


def parse_share(raw: str) -> Decimal:
    try:
        value = Decimal((raw or "").strip().rstrip("%"))
    except InvalidOperation:
        raise ValidationError(_("压缩比例应为 1 到 90 之间的百分数"), field="share") from None
    if not value.is_finite() or not 1 <= value <= 90:
        raise ValidationError(_("压缩比例应为 1 到 90 之间的百分数"), field="share")
    return value / 100


def chosen_items(*, department_code: str = "", item_codes: list[str] | None = None) -> QuerySet[Item]:
    """The items to compress: the named item codes, else every active item of the department."""
    codes = [c.strip() for c in (item_codes or []) if c.strip()]
    if codes:
        if len(codes) > MAX_ITEMS:
            raise ValidationError(_("一次最多选择 %(n)s 个事项") % {"n": MAX_ITEMS}, field="items")
        items = Item.objects.filter(code__in=codes)
        missing = set(codes) - set(items.values_list("code", flat=True))
        if missing:
            raise ValidationError(_("没有这些事项编码：%(codes)s") % {"codes": "、".join(sorted(missing))},
                                  field="items")
        return items
    department = Department.objects.filter(code=department_code.strip()).first() if department_code else None
    if department is None:
        raise ValidationError(_("请选择部门或填写事项编码"), field="department")
    return Item.objects.filter(department=department, status="active")


def compress(items: QuerySet[Item], share: Decimal, *, start: date, end: date) -> list[DepartmentWhatIf]:
    cases: QuerySet[Case] = measured.concluded_between(start, end).filter(item__in=items, accepted_on__isnull=False)
    rows = (cases.annotate(decided_day=measured.decided_day()).order_by()
            .values("item__department_id", "item__limit_unit", "committed_limit_days", "extension_days",
                    "paused_days", "accepted_on", "decided_day")
            .annotate(n=Count("id")))
    ranks = measured._Ranks(start.replace(year=start.year - 1))
    result: dict[int, DepartmentWhatIf] = {}
    keep = 1 - float(share)
    for r in rows:
        used = (ranks(r["item__limit_unit"], r["decided_day"]) - ranks(r["item__limit_unit"], r["accepted_on"])
                - r["paused_days"])
        used = max(0, used)
        limit, extension, n = r["committed_limit_days"], r["extension_days"], r["n"]
        after = math.floor(limit * keep)
        d = result.setdefault(r["item__department_id"], DepartmentWhatIf(r["item__department_id"], ""))
        d.cases += n
        d.committed_now += n * limit
        d.committed_after += n * after
        late_now = used > limit + extension
        late_after = used > after + extension
        d.late_now += n * late_now
        d.late_after += n * late_after
        if late_after and not late_now:
            d.days_to_cut += n * (used - after - extension)
    names = dict(Department.objects.filter(pk__in=result).values_list("pk", "name"))
    for d in result.values():
        d.name = names.get(d.department_id, "")
    return sorted(result.values(), key=lambda d: (-(d.late_after - d.late_now), d.name))


def totals(rows: list[DepartmentWhatIf]) -> DepartmentWhatIf:
    total = DepartmentWhatIf(0, _("合计"))
    for d in rows:
        for name in ("cases", "committed_now", "committed_after", "late_now", "late_after", "days_to_cut"):
            setattr(total, name, getattr(total, name) + getattr(d, name))
    return total


