"""Writes on work orders: one function per action, each in one transaction, checking the transition
table (states.ORDER_MACHINE) and who acts (access.py) under the order's row lock, moving its clocks
(workflow.clock) and appending the audit event `onewindow.workorder.<verb>` on the chain
`workorder:<number>` — the events notify turns into messages to the complainant and the staff."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.audit import services as audit
from onewindow.core.errors import NotFound, PermissionDenied, ValidationError
from onewindow.orgs.models import Department
from onewindow.workflow import clock

from . import access, numbering
from .clocks import SIGN_CLOCK
from .limits import limits_for
from .models import (
    Channel,
    ComplaintSubkind,
    OrderKind,
    OrderReturn,
    OrderState,
    RatingSource,
    Satisfaction,
    WorkOrder,
)
from .states import ORDER_MACHINE

TEXT_CHARS = 4000
REASON_CHARS = 2000
# Kinds whose reply must say whether the complaint was substantiated (属实 / 不属实).
JUDGED_KINDS = (OrderKind.COMPLAINT, OrderKind.CANNOT_GET_DONE)


def chain_key(order: WorkOrder) -> str:
    return f"workorder:{order.number}"


def describe(order: WorkOrder) -> str:
    return _("工单 %(number)s") % {"number": order.number}


def _today(now: datetime) -> date:
    return timezone.localdate(now)


def _record(order: WorkOrder, verb: str, *, actor, now: datetime, from_state: str, reason: str = "",
            data: dict | None = None) -> None:
    label = "" if not isinstance(actor, access.Complainant) else _("诉求人")
    audit.record(chain_key=chain_key(order), action=f"onewindow.workorder.{verb}",
                 actor=None if isinstance(actor, access.Complainant) else actor, actor_label=label,
                 from_state=from_state, to_state=order.state, reason=reason,
                 data={"number": order.number, "kind": order.kind, "department": order.department_id,
                       **(data or {})}, now=now)


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("department").get(pk=order.pk)


def _text(value: str, *, field: str, limit: int, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError(message, field=field)
    if len(value) > limit:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": limit}, field=field)
    return value


def _coordinate(value, *, field: str, bound: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError(_("应为数字"), field=field) from None
    if not number.is_finite() or abs(number) > bound:
        raise ValidationError(_("应在 -%(b)s 到 %(b)s 之间") % {"b": bound}, field=field)
    return number.quantize(Decimal("0.000001"))


def register_order(*, actor=None, kind: str, text: str, channel: str, title: str = "", subkind: str = "",
                   complainant_name: str = "", complainant_phone: str = "", complainant_email: str = "",
                   anonymous: bool = False, complainant_user=None, address: str = "", latitude=None,
                   longitude=None, media_url: str = "", case_number: str = "", item_code: str = "",
                   now: datetime | None = None) -> WorkOrder:
    """Register a work order ("有诉必理": every complaint is accepted and numbered); the complainant gets
    its number and query code. An operator registers hotline and window orders; the public files web,
    API and Open311 orders themselves."""
    now = now or timezone.now()
    if kind not in OrderKind.values:
        raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(OrderKind.values)}, field="kind")
    if channel not in Channel.values:
        raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(Channel.values)}, field="channel")
    subkind = (subkind or "").strip()
    if subkind and kind != OrderKind.COMPLAINT:
        raise ValidationError(_("只有效能投诉需要选择投诉情形"), field="subkind")
    if subkind and subkind not in ComplaintSubkind.values:
        raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(ComplaintSubkind.values)},
                              field="subkind")
    if channel in (Channel.HOTLINE, Channel.WINDOW) and not access.is_office(actor):
        raise PermissionDenied(_("热线和窗口的诉求由效能办登记"))
    text = _text(text, field="text", limit=TEXT_CHARS, message=_("请填写诉求内容"))
    title = (title or "").strip()[:200] or text[:30]
    name, phone = (complainant_name or "").strip(), (complainant_phone or "").strip()
    email = (complainant_email or "").strip()
    if len(name) > 100:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": 100}, field="complainant_name")
    if len(phone) > 30 or (phone and not all(c.isdigit() or c in "+- " for c in phone)):
        raise ValidationError(_("电话号码只能包含数字、空格、+ 和 -"), field="complainant_phone")
    if email and ("@" not in email or len(email) > 254):
        raise ValidationError(_("电子邮箱格式不正确"), field="complainant_email")
    case = item = None
    if case_number.strip():
        from onewindow.cases.models import Case

        case = Case.objects.filter(number=case_number.strip()).first()
        if case is None:
            raise ValidationError(_("没有找到办件 %(n)s") % {"n": case_number.strip()}, field="case_number")
    if item_code.strip():
        from onewindow.catalog.selectors import get_item

        try:
            item = get_item(item_code.strip())
        except NotFound:
            raise ValidationError(_("没有找到事项 %(c)s") % {"c": item_code.strip()}, field="item_code") from None
    lat = _coordinate(latitude, field="lat", bound=90)
    lon = _coordinate(longitude, field="long", bound=180)
    if len(media_url or "") > 500 or (media_url and not media_url.startswith(("http://", "https://"))):
        raise ValidationError(_("图片地址应为 http(s) 网址"), field="media_url")
    number = numbering.allocate_number(_today(now))
    with transaction.atomic():
        order = WorkOrder.objects.create(
            number=number, query_code=numbering.new_query_code(), kind=kind, subkind=subkind, channel=channel,
            title=title, text=text, complainant_name=name, complainant_phone=phone, complainant_email=email,
            complainant_user=complainant_user if getattr(complainant_user, "pk", None) else None,
            anonymous=bool(anonymous), address=(address or "").strip()[:200], latitude=lat, longitude=lon,
            media_url=media_url or "", case=case, item=item,
            registered_by=actor if access.is_office(actor) else None, registered_at=now)
        _record(order, "registered", actor=actor, now=now, from_state="",
                data={"channel": channel, "case": case.number if case else None,
                      "item": item.code if item else None})
    return order


def dispatch_order(*, actor, order: WorkOrder, department_id: int, note: str = "",
                   now: datetime | None = None) -> WorkOrder:
    """Send the order to the unit responsible by its duties (按职责派单), or again after a return. Both
    clocks start on the day: sign-off and reply, with the kind's limits (limits.py)."""
    now = now or timezone.now()
    if not access.is_office(actor):
        raise PermissionDenied(_("只有效能办可以派单"))
    department = Department.objects.filter(pk=department_id, is_active=True).first()
    if department is None:
        raise ValidationError(_("没有编号为 %(id)s 的承办单位") % {"id": department_id}, field="department_id")
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        order.state = ORDER_MACHINE.target(from_state, "dispatch", describe=lambda: describe(order))
        limits = limits_for(order.kind)
        today = _today(now)
        clock.start(order, on=today, limit=limits.reply_days)
        clock.start(order, on=today, limit=limits.sign_days, fields=SIGN_CLOCK)
        order.department, order.dispatched_at, order.signed_at = department, now, None
        order.dispatch_note = (note or "").strip()[:REASON_CHARS]
        order.save(update_fields=["state", "department", "dispatched_at", "signed_at", "dispatch_note",
                                  *clock.DEFAULT_FIELDS.stored(), *SIGN_CLOCK.stored()])
        _record(order, "dispatched", actor=actor, now=now, from_state=from_state, reason=order.dispatch_note,
                data={"department_name": department.name, "due_on": order.clock_due_on,
                      "sign_due_on": order.sign_due_on, "redispatch": from_state == OrderState.RETURNED})
    return order


def _require_unit(actor, order: WorkOrder, label: str) -> None:
    if not access.is_unit_of(actor, order):
        raise PermissionDenied(_("只有承办单位可以%(action)s%(subject)s") % {"action": label, "subject": describe(order)})


def sign_order(*, actor, order: WorkOrder, now: datetime | None = None) -> WorkOrder:
    """The unit signs for the order (签收): the sign-off clock stops; the reply clock keeps running."""
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        order.state = ORDER_MACHINE.target(from_state, "sign", describe=lambda: describe(order))
        _require_unit(actor, order, _("签收"))
        clock.stop(order, on=_today(now), fields=SIGN_CLOCK)
        order.signed_at = now
        order.save(update_fields=["state", "signed_at", *SIGN_CLOCK.stored()])
        _record(order, "signed", actor=actor, now=now, from_state=from_state)
    return order


def return_order(*, actor, order: WorkOrder, basis: str, now: datetime | None = None) -> WorkOrder:
    """The unit returns an order that is not its duty (退单), giving its basis (the law or the list of
    duties that puts it elsewhere). The office dispatches it again; the reply clock stands paused
    meanwhile and restarts in full for the next unit."""
    now = now or timezone.now()
    basis = _text(basis, field="basis", limit=REASON_CHARS, message=_("退单须写明依据"))
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        order.state = ORDER_MACHINE.target(from_state, "return", describe=lambda: describe(order))
        _require_unit(actor, order, _("退回"))
        today = _today(now)
        clock.stop(order, on=today, fields=SIGN_CLOCK)
        clock.pause(order, on=today)
        department = order.department
        assert department is not None
        OrderReturn.objects.create(order=order, department=department, basis=basis, returned_at=now,
                                   returned_by=actor)
        order.returns_count += 1
        order.department = None
        order.save(update_fields=["state", "department", "returns_count", *clock.DEFAULT_FIELDS.stored(),
                                  *SIGN_CLOCK.stored()])
        _record(order, "returned", actor=actor, now=now, from_state=from_state, reason=basis,
                data={"department": department.pk, "department_name": department.name})
    return order


def reply_order(*, actor, order: WorkOrder, reply: str, substantiated: bool | None = None,
                now: datetime | None = None) -> WorkOrder:
    """The unit replies with the result of its investigation ("有理必果"); for a complaint or a "could not
    get it done" report it must say whether the complaint was substantiated. The reply clock stops."""
    now = now or timezone.now()
    reply = _text(reply, field="reply", limit=TEXT_CHARS, message=_("请填写答复内容"))
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        order.state = ORDER_MACHINE.target(from_state, "reply", describe=lambda: describe(order))
        _require_unit(actor, order, _("答复"))
        if order.kind in JUDGED_KINDS and substantiated is None:
            raise ValidationError(_("投诉类工单须认定是否属实"), field="substantiated")
        clock.stop(order, on=_today(now))
        order.reply, order.substantiated = reply, substantiated if order.kind in JUDGED_KINDS else None
        order.replied_at, order.replied_by = now, actor
        order.save(update_fields=["state", "reply", "substantiated", "replied_at", "replied_by",
                                  *clock.DEFAULT_FIELDS.stored()])
        _record(order, "replied", actor=actor, now=now, from_state=from_state, reason=reply,
                data={"substantiated": order.substantiated, "on_time": clock.light(order, today=_today(now)) == "on_time",
                      "second_handling": order.reopened_at is not None})
    return order


def _learn(order: WorkOrder) -> None:
    """A closed order answered by a unit is one more example for the dispatch suggestion (the model is
    re-learnt by the scheduled refresh, not here)."""
    if order.department_id is not None:
        from .dispatch import learn_from_closed

        learn_from_closed([(order.text, order.department.name if order.department else "", order.number)])


def rate_order(*, actor, order: WorkOrder, satisfaction: str, comment: str = "",
               source: str = RatingSource.COMPLAINANT, now: datetime | None = None) -> WorkOrder:
    """The complainant rates the reply, or the office records what a follow-up call (回访) heard. An
    unsatisfied rating reopens the order ONCE for a second handling by the same unit (its reply clock
    starts again in full); otherwise — or after the second handling — the order is closed and archived."""
    now = now or timezone.now()
    if satisfaction not in Satisfaction.values:
        raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(Satisfaction.values)},
                              field="satisfaction")
    comment = (comment or "").strip()
    if len(comment) > REASON_CHARS:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": REASON_CHARS}, field="comment")
    transition = "follow_up" if source == RatingSource.FOLLOW_UP_CALL else "rate"
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        ORDER_MACHINE.require(from_state, transition, describe=lambda: describe(order))
        if transition == "follow_up" and not access.is_office(actor):
            raise PermissionDenied(_("回访结果由效能办登记"))
        if transition == "rate" and not access.is_complainant(actor, order):
            raise PermissionDenied(_("只有诉求人本人可以评价答复"))
        today = _today(now)
        reopen = satisfaction == Satisfaction.UNSATISFIED and order.reopened_at is None
        order.satisfaction, order.rating_source, order.rating_comment, order.rated_at = \
            satisfaction, source, comment, now
        if reopen:
            order.state = OrderState.HANDLING
            order.first_reply, order.reply, order.reopened_at = order.reply, "", now
            clock.start(order, on=today, limit=limits_for(order.kind).reply_days)
        else:
            order.state = OrderState.CLOSED
            order.closed_at = now
        order.save(update_fields=["state", "satisfaction", "rating_source", "rating_comment", "rated_at",
                                  "first_reply", "reply", "reopened_at", "closed_at", *clock.DEFAULT_FIELDS.stored()])
        _record(order, "rated", actor=actor, now=now, from_state=from_state, reason=comment,
                data={"satisfaction": satisfaction, "source": source})
        if reopen:
            _record(order, "reopened", actor=actor, now=now, from_state=from_state, reason=comment,
                    data={"due_on": order.clock_due_on})
        else:
            _record(order, "closed", actor=actor, now=now, from_state=from_state)
            _learn(order)
    return order


def close_order(*, actor, order: WorkOrder, reason: str, now: datetime | None = None) -> WorkOrder:
    """The office closes and archives an order: one answered on the spot at registration (a consultation
    or praise), a duplicate, or a reply the complainant did not rate after the follow-up attempts."""
    now = now or timezone.now()
    reason = _text(reason, field="reason", limit=REASON_CHARS, message=_("请写明归档理由"))
    with transaction.atomic():
        order = _locked(order)
        from_state = order.state
        order.state = ORDER_MACHINE.target(from_state, "close", describe=lambda: describe(order))
        if not access.is_office(actor):
            raise PermissionDenied(_("只有效能办可以办结归档"))
        order.closed_at = now
        if from_state == OrderState.REGISTERED and not order.reply:
            order.reply, order.replied_at, order.replied_by = reason, now, actor
        order.save(update_fields=["state", "closed_at", "reply", "replied_at", "replied_by"])
        _record(order, "closed", actor=actor, now=now, from_state=from_state, reason=reason)
        if from_state == OrderState.REPLIED:
            _learn(order)
    return order


def set_limits(*, actor, limits: dict[str, tuple[int, int]], now: datetime | None = None) -> None:
    """The office sets each kind's limits (working days to sign, to reply); orders dispatched from now
    on count by them, orders already running keep theirs (their dates are stored)."""
    from .models import KindLimit

    now = now or timezone.now()
    if not access.is_office(actor):
        raise PermissionDenied(_("只有效能办可以设置工单时限"))
    for kind, (sign_days, reply_days) in limits.items():
        if kind not in OrderKind.values:
            raise ValidationError(_("应为以下之一：%(all)s") % {"all": ", ".join(OrderKind.values)}, field="kind")
        if not 0 <= sign_days <= 30:
            raise ValidationError(_("签收时限应在 0 到 30 个工作日之间"), field=f"{kind}_sign")
        if not 1 <= reply_days <= 60:
            raise ValidationError(_("答复时限应在 1 到 60 个工作日之间"), field=f"{kind}_reply")
    with transaction.atomic():
        for kind, (sign_days, reply_days) in limits.items():
            KindLimit.objects.update_or_create(kind=kind, defaults={"sign_days": sign_days, "reply_days": reply_days})
        audit.record(chain_key="workorder-limits", action="onewindow.workorder.limits_set", actor=actor,
                     data={kind: list(value) for kind, value in limits.items()}, now=now)
