"""Sample work orders for the demo (`onewindow demo`): two months of a county complaint centre — hotline,
web, window and Open311 orders of every kind, dispatched to the sample departments, signed or returned
and dispatched again, answered on time or late, rated, a few reopened once, some still open with green,
yellow and red lights today — so the office's list, the unit's queue, the figures per unit and the
supervision board show real-looking data. The words come from the synthetic hotline history
(sample.py) and, for efficiency complaints, from the six lapses; the dispatch model learns from that
history first, so the operator's three suggestions are real.

Each order is built the way the services build it (the engine's clocks, the transition table's states,
one audit event per step on the order's chain, written with audit.record_many) but in bulk: one
insert of the orders, one chain write per order. Idempotent: nothing is added when sample orders exist."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from onewindow.audit import services as audit
from onewindow.calendar import selectors as calendar
from onewindow.orgs.models import Department, Role, StaffRole, User
from onewindow.workflow import clock

from . import numbering, sample
from .clocks import SIGN_CLOCK
from .limits import all_limits
from .models import OrderKind, OrderReturn, OrderState, RatingSource, Satisfaction, WorkOrder
from .units import UnitMatcher

DAYS = 60
KINDS = [(OrderKind.COMPLAINT, 30), (OrderKind.CANNOT_GET_DONE, 10), (OrderKind.ENTERPRISE_REQUEST, 10),
         (OrderKind.CONSULTATION, 28), (OrderKind.SUGGESTION, 14), (OrderKind.PRAISE, 8)]
CHANNELS = [("hotline", 55), ("web", 25), ("window", 10), ("api", 5), ("open311", 5)]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁宋郑谢韦覃莫陆"
GIVEN = ("伟", "芳", "娜", "敏", "静", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华")
LAPSES = {
    "delay": ["在{unit}窗口办理业务，材料齐全却被告知回去等通知，{wait}没有任何答复",
              "申请已经提交{wait}，{unit}一直说在审核，超过承诺时限也不给说法"],
    "passing_the_buck": ["去{unit}办事，窗口说要找另一个部门，另一个部门又让回{unit}，来回跑了三趟",
                         "{unit}说这事不归他们管，但说不清该找谁，互相推诿"],
    "favours": ["{unit}有工作人员暗示要请吃饭才能加快办理", "{unit}经办人员让找指定的中介代办，否则材料总是不合格"],
    "rudeness": ["{unit}窗口工作人员态度生硬，问两句就不耐烦", "在{unit}咨询时工作人员边玩手机边答复，语气很冲"],
    "illegal_fees": ["{unit}办理时收取了没有依据的材料费{fee}元，也不开票", "{unit}在检查中罚款{fee}元，没有出具处罚决定书"],
    "one_time_notice": ["到{unit}办事，第一次说缺身份证复印件，第二次又说缺证明，没有一次性告知",
                        "{unit}每次只说缺一样材料，已经跑了四次还没办成"],
}
CANNOT = ["在{unit}办理营业执照变更，系统一直提示信息不一致，窗口也解决不了，办不成",
          "想给老人办理{unit}的待遇认定，各部门都说条件不符，但政策上应该可以办",
          "外地户籍在{unit}办理业务，要求提供原籍证明，回原籍开不出来，事情办不成"]
ENTERPRISE = ["我公司在边贸物流园的项目等{unit}审批{wait}，影响开工，希望协调加快",
              "企业申请的稳岗补贴{wait}没有到账，希望{unit}帮助解决",
              "公司新厂房办理消防和规划手续，{unit}要求的材料太多，请求指导"]
PRAISE = ["{unit}窗口的工作人员主动加班帮我办完业务，特此表扬", "感谢{unit}上门服务，帮企业一次办好了所有手续"]
REPLIES_YES = ["经核查，反映情况属实。已对相关工作人员批评教育，并于当日为诉求人办结业务。",
               "经调查属实，已责令退还不合理收费，对责任人作出效能告诫，并向诉求人当面致歉。"]
REPLIES_NO = ["经调阅窗口记录和监控，工作人员已按规定一次性告知，诉求人材料不全，已电话向其解释。",
              "经核查，该业务依法需要公示期，未超过法定时限，已向诉求人说明办理进度。"]
REPLIES_OTHER = ["已电话联系诉求人，详细解答了办理条件、所需材料和办理流程。",
                 "已转业务科室研究，相关建议将在下一步工作中采纳。", "已协调相关科室加快办理，预计三个工作日内办结。"]


def _at(day: date, rng: random.Random) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(8, 30)) + timedelta(minutes=rng.randint(0, 510)))


def _after(moment: datetime, working_days: int, rng: random.Random) -> datetime:
    day = calendar.add_working_days(timezone.localtime(moment).date(), working_days).due_on if working_days else \
        timezone.localtime(moment).date()
    later = _at(day, rng)
    return later if later > moment else moment + timedelta(minutes=rng.randint(20, 180))


def _text(kind: str, subkind: str, unit: str, rng: random.Random, hotline: list[tuple[str, str]]) -> str:
    fill = {"unit": unit, "wait": rng.choice(("两周", "一个多月", "十多天", "二十天")), "fee": rng.choice((50, 200, 500))}
    if kind == OrderKind.COMPLAINT:
        return rng.choice(LAPSES[subkind]).format(**fill) + "，请效能办督促处理。"
    if kind == OrderKind.CANNOT_GET_DONE:
        return rng.choice(CANNOT).format(**fill) + "。"
    if kind == OrderKind.ENTERPRISE_REQUEST:
        return rng.choice(ENTERPRISE).format(**fill) + "。"
    if kind == OrderKind.PRAISE:
        return rng.choice(PRAISE).format(**fill) + "。"
    return hotline.pop()[0]


def _staff() -> tuple[User | None, dict[int, User]]:
    office = User.objects.filter(staff_roles__role=Role.SUPERVISOR).order_by("id").first()
    units: dict[int, User] = {}
    for role in StaffRole.objects.filter(role=Role.APPROVER).select_related("user").order_by("id"):
        if role.department_id is not None:
            units.setdefault(role.department_id, role.user)
    return office, units


def load_sample_orders(*, count: int = 400, now: datetime | None = None, seed: int = 17, learn: bool = True) -> str:
    """Write `count` sample work orders over the last DAYS days (idempotent: none when orders exist)."""
    from . import dispatch

    now = timezone.localtime(now or timezone.now())
    if WorkOrder.objects.exists():
        return "sample work orders already present"
    departments = list(Department.objects.filter(is_active=True).order_by("id"))
    if not departments:
        return "no departments: load the sample organisations first"
    summary = ""
    if learn and dispatch.current_model() is None:
        report = dispatch.learn(list(sample.orders(3000, seed=seed)))
        summary = f"dispatch model v{report.version} ({report.examples} orders, {report.seconds:.1f} s); "
    rng = random.Random(seed)
    office, unit_staff = _staff()
    limits = all_limits()
    matcher = UnitMatcher()
    hotline = [(t, u) for t, u in sample.orders(count * 2, seed=seed + 1) if matcher.match(u).department_id]
    rng.shuffle(hotline)
    by_name = {d.name: d for d in departments}
    orders: list[WorkOrder] = []
    events: dict[str, list[dict]] = {}
    returns: list[tuple[str, int, str, datetime]] = []
    start_day = now.date() - timedelta(days=DAYS)
    for _i in range(count):
        kind = rng.choices([k for k, _w in KINDS], [w for _k, w in KINDS])[0]
        subkind = rng.choice(list(LAPSES)) if kind == OrderKind.COMPLAINT else ""
        if kind in (OrderKind.CONSULTATION, OrderKind.SUGGESTION) and hotline:
            text, unit_name = hotline[-1]
            department = by_name.get(matcher.match(unit_name).name) or rng.choice(departments)
        else:
            department = rng.choice(departments)
        text = _text(kind, subkind, department.short_name or department.name, rng, hotline)
        registered = _at(start_day + timedelta(days=int(DAYS * rng.random() ** 0.7)), rng)
        if registered >= now:
            registered = now - timedelta(hours=rng.randint(1, 6))
        channel = rng.choices([c for c, _w in CHANNELS], [w for _c, w in CHANNELS])[0]
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        order = WorkOrder(number=numbering.allocate_number(registered.date()), query_code=numbering.new_query_code(),
                          kind=kind, subkind=subkind, channel=channel, title=text[:30], text=text,
                          complainant_name=name, complainant_phone=f"138{rng.randint(0, 99999999):08d}",
                          anonymous=kind == OrderKind.COMPLAINT and rng.random() < 0.3,
                          address="东兴市政务服务中心" if channel == "open311" else "",
                          registered_by=office if channel in ("hotline", "window") else None, registered_at=registered)
        steps = events[order.number] = [{"action": "onewindow.workorder.registered", "actor": order.registered_by,
                                         "to_state": OrderState.REGISTERED, "now": registered,
                                         "data": {"number": order.number, "kind": kind, "channel": channel}}]
        _simulate(order, department, departments, limits[kind], rng, now, office, unit_staff, steps, returns)
        orders.append(order)
    with transaction.atomic():
        WorkOrder.objects.bulk_create(orders, batch_size=500)
        ids = dict(WorkOrder.objects.filter(number__in=[o.number for o in orders]).values_list("number", "id"))
        OrderReturn.objects.bulk_create([OrderReturn(order_id=ids[n], department_id=d, basis=b, returned_at=at)
                                         for n, d, b, at in returns])
        for number, steps in events.items():
            audit.record_many(f"workorder:{number}", steps)
        closed = [(o.text, o.department.name, o.number) for o in orders
                  if o.state == OrderState.CLOSED and o.department is not None]
        dispatch.learn_from_closed(closed, now=now)
    states = {state: sum(1 for o in orders if o.state == state) for state in OrderState.values}
    return summary + f"{len(orders)} 个工单 work orders {states}, {len(returns)} 次退单 returns"


def _simulate(order, department, departments, limit, rng, now, office, unit_staff, steps, returns) -> None:
    """Walk one order through its life until `now`, storing the clocks and one event per step."""
    def step(verb, at, actor, to_state, reason="", **data):
        steps.append({"action": f"onewindow.workorder.{verb}", "actor": actor, "from_state": order.state,
                      "to_state": to_state, "reason": reason, "now": at,
                      "data": {"number": order.number, "kind": order.kind, "department": order.department_id,
                               **data}})
        order.state = to_state

    if order.kind in (OrderKind.CONSULTATION, OrderKind.PRAISE) and rng.random() < 0.35:
        at = order.registered_at + timedelta(minutes=rng.randint(3, 15))
        if at < now:  # answered on the spot by the operator
            order.reply, order.replied_at, order.closed_at = rng.choice(REPLIES_OTHER), at, at
            step("closed", at, office, OrderState.CLOSED, order.reply)
        return
    at = order.registered_at + timedelta(minutes=rng.randint(10, 240))
    if at >= now:
        return
    unit = department
    for attempt in range(2):
        order.department, order.dispatched_at = unit, at
        clock.start(order, on=timezone.localtime(at).date(), limit=limit.reply_days)
        clock.start(order, on=timezone.localtime(at).date(), limit=limit.sign_days, fields=SIGN_CLOCK)
        step("dispatched", at, office, OrderState.DISPATCHED, department_name=unit.name, redispatch=attempt > 0)
        staff = unit_staff.get(unit.pk)
        at = _after(at, rng.choices([0, 1, 2, 3], [50, 35, 10, 5])[0], rng)
        if at >= now:
            return
        if attempt == 0 and rng.random() < 0.08:
            basis = f"依据“三定”方案，该事项不属{unit.short_name or unit.name}职责，请派{rng.choice(departments).name}"
            clock.stop(order, on=timezone.localtime(at).date(), fields=SIGN_CLOCK)
            clock.pause(order, on=timezone.localtime(at).date())
            returns.append((order.number, unit.pk, basis, at))
            order.returns_count += 1
            order.department = None
            step("returned", at, staff, OrderState.RETURNED, basis, department=unit.pk, department_name=unit.name)
            at = at + timedelta(hours=rng.randint(1, 20))
            if at >= now:
                return
            unit = rng.choice([d for d in departments if d.pk != unit.pk])
            continue
        break
    staff = unit_staff.get(unit.pk)
    clock.stop(order, on=timezone.localtime(at).date(), fields=SIGN_CLOCK)
    order.signed_at = at
    step("signed", at, staff, OrderState.HANDLING)
    judged = order.kind in (OrderKind.COMPLAINT, OrderKind.CANNOT_GET_DONE)
    for handling in range(2):
        lateness = rng.choices([0, 1, 3], [80, 14, 6])[0]
        at = _after(at, max(1, rng.randint(1, limit.reply_days) + lateness), rng)
        if at >= now:
            return
        order.substantiated = (rng.random() < 0.45) if judged else None
        order.reply = rng.choice(REPLIES_YES if order.substantiated else REPLIES_NO if judged else REPLIES_OTHER)
        order.replied_at, order.replied_by = at, staff
        clock.stop(order, on=timezone.localtime(at).date())
        step("replied", at, staff, OrderState.REPLIED, order.reply, substantiated=order.substantiated)
        at = _after(at, rng.randint(1, 3), rng)
        if at >= now:
            return
        satisfaction = rng.choices(Satisfaction.values, [70, 18, 12])[0]
        source = rng.choice([RatingSource.COMPLAINANT, RatingSource.FOLLOW_UP_CALL])
        order.satisfaction, order.rating_source, order.rated_at = satisfaction, source, at
        step("rated", at, office if source == RatingSource.FOLLOW_UP_CALL else None, order.state,
             satisfaction=satisfaction, source=source)
        if satisfaction == Satisfaction.UNSATISFIED and handling == 0:
            order.reopened_at, order.first_reply, order.reply = at, order.reply, ""
            clock.start(order, on=timezone.localtime(at).date(), limit=limit.reply_days)
            step("reopened", at, None, OrderState.HANDLING)
            continue
        order.closed_at = at
        step("closed", at, None, OrderState.CLOSED)
        return
