"""Reads on work orders, computed in the database: lists by light, state, kind and unit; the unit's
queue; the complainant's look-up; the figures per unit (on-time sign-off and reply, satisfaction,
substantiated share, returns) for the metrics page and the appraisal; what the supervision board reads
(`open_orders`, `light_counts`, `substantiated`). Every light is the engine's (workflow.clock): the
reply clock's, and the sign-off clock's (clocks.SIGN_CLOCK) for on-time sign-off."""

from __future__ import annotations

import hmac
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import NotFound
from onewindow.workflow import clock

from . import access
from .clocks import SIGN_CLOCK
from .models import OrderReturn, OrderState, Satisfaction, WorkOrder
from .states import OPEN_STATES, UNIT_STATES

FIGURES = ("orders", "signed_on_time", "replied", "replied_on_time", "substantiated", "satisfied", "rated",
           "returns")
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.BASICALLY)
RELATED = ("department", "case", "item")


def _today(today: date | None) -> date:
    return today or timezone.localdate()


def orders_visible_to(user) -> QuerySet[WorkOrder]:
    """Everything for the office; the orders now with one of the unit's departments, or returned by it,
    for a unit's staff; nothing for anyone else."""
    rows = WorkOrder.objects.select_related(*RELATED)
    if access.is_office(user):
        return rows
    units = access.unit_ids(user)
    if not units:
        return rows.none()
    return rows.filter(Q(department_id__in=units) | Q(returns__department_id__in=units)).distinct()


def get_order_for(user, number: str) -> WorkOrder:
    order = orders_visible_to(user).filter(number=(number or "").strip()).first()
    if order is None:
        raise NotFound(_("没有找到工单 %(n)s") % {"n": number})
    return order


def get_order_by_query(number: str, query_code: str) -> WorkOrder:
    """The complainant's look-up: the number and the query code must both match (NotFound otherwise,
    the same message for both, so a guess learns nothing)."""
    order = WorkOrder.objects.select_related(*RELATED).filter(number=(number or "").strip().upper()).first()
    code = (query_code or "").strip().upper()
    if order is None or not hmac.compare_digest(order.query_code.encode(), code.encode()):
        raise NotFound(_("工单编号或查询码不正确"))
    return order


def filter_orders(rows: QuerySet[WorkOrder], *, light: str = "", state: str = "", kind: str = "",
                  unit: int | None = None, today: date | None = None, query: str = "") -> QuerySet[WorkOrder]:
    """The office's list filters. `light` is one of the clock's lights (or "open"), `unit` a department id."""
    if light:
        rows = rows.filter(clock.light_q(light, today=_today(today)))
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if unit:
        rows = rows.filter(department_id=unit)
    if query:
        rows = rows.filter(Q(number__icontains=query) | Q(title__icontains=query) | Q(text__icontains=query))
    return rows


def office_list(user, **filters) -> QuerySet[WorkOrder]:
    """Newest first, oldest red at the top when filtered by light."""
    rows = filter_orders(orders_visible_to(user), **filters)
    if filters.get("light") in ("red", "overdue", "yellow"):
        return rows.order_by("clock_due_on", "id")
    return rows.order_by("-registered_at", "-id")


def unit_queue(user, *, today: date | None = None) -> QuerySet[WorkOrder]:
    """The orders waiting for the user's units: to sign, and signed but not yet answered (second
    handlings included), the earliest deadline first."""
    return (WorkOrder.objects.select_related(*RELATED)
            .filter(department_id__in=access.unit_ids(user), state__in=UNIT_STATES)
            .order_by("clock_due_on", "id"))


def light_of(order: WorkOrder, *, today: date | None = None) -> str | None:
    return clock.light(order, today=_today(today))


def sign_light_of(order: WorkOrder, *, today: date | None = None) -> str | None:
    return clock.light(order, today=_today(today), fields=SIGN_CLOCK)


def complainant_view(viewer, order: WorkOrder) -> dict[str, str]:
    """Who complained, as `viewer` may see it: an anonymous complainant is "匿名" to the unit."""
    if access.sees_identity(viewer, order):
        return {"name": order.complainant_name, "phone": order.complainant_phone, "email": order.complainant_email}
    return {"name": _("匿名"), "phone": "", "email": ""}


def timeline(order: WorkOrder) -> list[Any]:
    from onewindow.audit.models import AuditEvent

    return list(AuditEvent.objects.filter(chain__key=f"workorder:{order.number}").order_by("position"))


def returns_of(order: WorkOrder) -> QuerySet[OrderReturn]:
    return order.returns.select_related("department").order_by("returned_at", "id")


# --- for the supervision board (supervision app) ---------------------------------------------------------

def open_orders(*, department_ids=None, light: str = "", kind: str = "", today: date | None = None
                ) -> QuerySet[WorkOrder]:
    """Open work orders (not yet closed), optionally of some units, of one light of the reply clock
    ("red", "yellow", "green", "paused", or "open" for every started clock) and of one kind; the most
    overdue first. Registered orders not yet dispatched have no light (and no unit)."""
    rows = WorkOrder.objects.select_related(*RELATED).filter(state__in=OPEN_STATES)
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    if light:
        rows = rows.filter(clock.light_q(light, today=_today(today)))
    if kind:
        rows = rows.filter(kind=kind)
    return rows.order_by(F("clock_due_on").asc(nulls_last=True), "id")


def light_counts(*, department_ids=None, today: date | None = None) -> dict[int | None, dict[str, int]]:
    """{department id: {light: count}} of the open orders' reply clocks, in one query (the clock's own
    conditions: each count equals the length of open_orders(light=…) for that unit)."""
    today = _today(today)
    rows = WorkOrder.objects.filter(state__in=OPEN_STATES)
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    aggregates = {str(value): Count("pk", filter=clock.light_q(value, today=today)) for value in clock.OPEN_LIGHTS}
    out: dict[int | None, dict[str, int]] = {}
    for row in rows.values("department_id").annotate(**aggregates).order_by("department_id"):
        row = {k: v for k, v in row.items()}
        out[row.pop("department_id")] = {key: int(value or 0) for key, value in row.items()}
    return out


def total_light_counts(*, today: date | None = None) -> dict[str, int]:
    return clock.counts(WorkOrder.objects.filter(state__in=OPEN_STATES), today=_today(today))


def substantiated(*, start: date | None = None, end: date | None = None, department_ids=None
                  ) -> QuerySet[WorkOrder]:
    """Work orders whose reply found the complaint substantiated (属实), replied between `start` and `end`
    (inclusive, local dates): what accountability links to."""
    rows = WorkOrder.objects.select_related(*RELATED).filter(substantiated=True, replied_at__isnull=False)
    if start is not None:
        rows = rows.filter(replied_at__gte=_start(start))
    if end is not None:
        rows = rows.filter(replied_at__lt=_start(end + timedelta(days=1)))
    if department_ids is not None:
        rows = rows.filter(department_id__in=list(department_ids))
    return rows.order_by("-replied_at", "-id")


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- figures per unit ------------------------------------------------------------------------------------

def appraisal_figures(*, start: date, end: date) -> dict[int, dict[str, int | float]]:
    """Per department, for the orders dispatched to it between `start` and `end` (inclusive): orders,
    signed on time (sign-off clock stopped by its due date while the unit still held it), replied,
    replied on time (reply clock), substantiated, rated and satisfied (满意 or 基本满意); and the returns
    it made in the period. Two queries, both aggregates."""
    since, until = _start(start), _start(end + timedelta(days=1))
    held = Q(signed_at__isnull=False)
    rows = (WorkOrder.objects.filter(dispatched_at__gte=since, dispatched_at__lt=until, department_id__isnull=False)
            .values("department_id")
            .annotate(orders=Count("pk"),
                      signed_on_time=Count("pk", filter=held & Q(sign_stopped_on__lte=F("sign_due_on"))),
                      replied=Count("pk", filter=Q(replied_at__isnull=False)),
                      replied_on_time=Count("pk", filter=Q(replied_at__isnull=False)
                                            & clock.light_q(clock.Light.ON_TIME, today=end)),
                      substantiated=Count("pk", filter=Q(substantiated=True)),
                      satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)),
                      rated=Count("pk", filter=~Q(satisfaction="")))
            .order_by("department_id"))
    out: dict[int, dict[str, int | float]] = {}
    for row in rows:
        out[row.pop("department_id")] = {**{key: int(value) for key, value in row.items()}, "returns": 0}
    returns = (OrderReturn.objects.filter(returned_at__gte=since, returned_at__lt=until)
               .values("department_id").annotate(n=Count("pk")).order_by("department_id"))
    for row in returns:
        out.setdefault(row["department_id"], {key: 0 for key in FIGURES})["returns"] = int(row["n"])
    return out


def _rate(part: int | float, whole: int | float) -> float | None:
    return None if not whole else round(float(part) / float(whole), 4)


def unit_metrics(*, start: date, end: date) -> list[dict[str, Any]]:
    """appraisal_figures with each unit's name and rates, the worst on-time reply first (the metrics page)."""
    from onewindow.orgs.models import Department

    figures = appraisal_figures(start=start, end=end)
    names = dict(Department.objects.filter(pk__in=list(figures)).values_list("id", "name"))
    out = []
    for pk, f in figures.items():
        out.append({"department_id": pk, "name": names.get(pk, str(pk)), **f,
                    "sign_rate": _rate(f["signed_on_time"], f["orders"]),
                    "reply_rate": _rate(f["replied_on_time"], f["replied"]),
                    "satisfaction_rate": _rate(f["satisfied"], f["rated"]),
                    "substantiated_share": _rate(f["substantiated"], f["replied"]),
                    "return_rate": _rate(f["returns"], f["orders"] + f["returns"])})
    return sorted(out, key=lambda r: (r["reply_rate"] if r["reply_rate"] is not None else 2, r["name"]))


def state_counts() -> dict[str, int]:
    return {row["state"]: row["n"] for row in WorkOrder.objects.values("state").annotate(n=Count("pk")).order_by()}


OPEN_STATE_VALUES = [str(s) for s in OPEN_STATES]
CLOSED = OrderState.CLOSED


# --- Open311 GeoReport v2 (api/open311.py) ---------------------------------------------------------------

def open311_requests(*, numbers: list[str] | None = None, kinds: list[str] | None = None,
                     start: datetime | None = None, end: datetime | None = None, closed: bool | None = None,
                     limit: int = 1000) -> QuerySet[WorkOrder]:
    """Service requests as Open311's GET requests lists them: only orders filed through Open311 (a
    hotline caller never agreed to a public list), newest first; with no number or date, the last 90
    days (the standard's default window)."""
    rows = WorkOrder.objects.select_related("department").filter(channel="open311")
    if numbers:
        rows = rows.filter(number__in=numbers)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    if start is None and end is None and not numbers:
        start = timezone.now() - timedelta(days=90)
    if start is not None:
        rows = rows.filter(registered_at__gte=start)
    if end is not None:
        rows = rows.filter(registered_at__lte=end)
    if closed is True:
        rows = rows.filter(state=OrderState.CLOSED)
    elif closed is False:
        rows = rows.exclude(state=OrderState.CLOSED)
    return rows.order_by("-registered_at", "-id")[:limit]


def last_event_at(orders) -> dict[str, datetime]:
    """{number: when its last event happened} for Open311's updated_datetime, in one query."""
    from django.db.models import Max

    from onewindow.audit.models import AuditEvent

    keys = {f"workorder:{o.number}": o.number for o in orders}
    rows = (AuditEvent.objects.filter(chain__key__in=list(keys)).values("chain__key")
            .annotate(last=Max("occurred_at")).order_by())
    return {keys[row["chain__key"]]: row["last"] for row in rows}


def open311_updates(*, start: datetime | None = None, end: datetime | None = None, limit: int = 1000
                    ) -> list[tuple[Any, str, str]]:
    """(event, order number, order state after it) of Open311 orders between `start` and `end` (the
    servicerequestupdates extension), oldest first; with no dates, the last 90 days."""
    from onewindow.audit.models import AuditEvent

    if start is None and end is None:
        start = timezone.now() - timedelta(days=90)
    from django.db.models import Value
    from django.db.models.functions import Concat

    keys = WorkOrder.objects.filter(channel="open311").annotate(key=Concat(Value("workorder:"), "number")).values("key")
    rows = AuditEvent.objects.filter(chain__key__in=keys)
    if start is not None:
        rows = rows.filter(occurred_at__gte=start)
    if end is not None:
        rows = rows.filter(occurred_at__lte=end)
    rows = rows.select_related("chain").order_by("occurred_at", "id")[:limit]
    return [(event, event.chain.key.split(":", 1)[1], event.to_state) for event in rows]


# --- for the outbox (notify) -------------------------------------------------------------------------------

def message_recipients(numbers) -> dict[str, dict[str, Any]]:
    """{number: who is told of its events}: the complainant's contacts and account, the order's kind,
    title and current unit (notify reads this; complaints never calls notify)."""
    rows = WorkOrder.objects.filter(number__in=list(numbers)).values(
        "number", "query_code", "kind", "title", "complainant_phone", "complainant_email", "complainant_user_id",
        "department_id", "department__name", "clock_due_on")
    return {row["number"]: dict(row) for row in rows}
