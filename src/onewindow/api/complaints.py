"""API: the complaint centre — file a complaint or request (no account needed), follow it and rate the
reply with its number and query code; staff list the orders they may see and act on one through the
action registry (complaints/actions.py): `{"action": …, "params": {…}}`, exactly what the pages offer.

Thin: parse, call `onewindow.complaints.services` / `.selectors` / the registry, serialize. A stranger
gets 404 for an order, never 403."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from ninja import Body, Field, Query, Router, Status
from pydantic import BaseModel, ConfigDict

from onewindow.complaints import access, selectors, services
from onewindow.complaints.actions import registry
from onewindow.complaints.models import Channel, ComplaintSubkind, OrderKind, OrderState, Satisfaction
from onewindow.core.errors import DomainError, ValidationError
from onewindow.core.throttle import ScopedThrottle
from onewindow.workflow.clock import Light

from .auth import API_AUTH
from .case_schemas import AvailableActionOut, ErrorOut

router = Router(tags=["complaints"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
WorkOrderActionIn = registry.union_schema()


class _In(BaseModel):
    # Closed and strict: a misspelt field is refused, and 0 is not false.
    model_config = ConfigDict(extra="forbid", strict=True)


class ComplaintIn(_In):
    kind: Literal[tuple(OrderKind.values)] = Field(  # type: ignore[valid-type]
        description="诉求类型：complaint 效能投诉、cannot_get_done 办不成事、enterprise_request 企业诉求（企呼我应）、"
                    "consultation 咨询、suggestion 建议、praise 表扬")
    subkind: Literal[("",) + tuple(ComplaintSubkind.values)] = Field(  # type: ignore[valid-type]
        "", description="效能投诉的情形：delay 无故拖延、passing_the_buck 推诿扯皮、favours 吃拿卡要、rudeness 态度生硬、"
                        "illegal_fees 乱收费乱罚款、one_time_notice 未落实一次性告知")
    text: str = Field(min_length=1, max_length=4000, description="诉求内容")
    title: str = Field("", max_length=200)
    complainant_name: str = Field("", max_length=100)
    complainant_phone: str = Field("", max_length=30)
    complainant_email: str = Field("", max_length=254)
    anonymous: bool = Field(False, description="对承办单位匿名（效能办仍可见）")
    address: str = Field("", max_length=200)
    case_number: str = Field("", max_length=40, description="相关办件编号")
    item_code: str = Field("", max_length=40, description="相关事项编码")


class FiledOut(BaseModel):
    number: str
    query_code: str = Field(description="查询码：凭编号和查询码查询进度、评价答复")
    state: str


class OrderOut(BaseModel):
    number: str
    kind: str
    kind_label: str
    subkind: str
    channel: str
    state: str
    state_label: str
    title: str
    text: str
    registered_at: datetime
    department: str | None
    sign_due_on: date | None
    due_on: date | None = Field(description="答复期限")
    light: str | None = Field(description="答复时限的灯：green、yellow、red、paused、on_time、late")
    reply: str
    substantiated: bool | None
    replied_at: datetime | None
    satisfaction: str
    reopened: bool
    returns: int


class StaffOrderOut(OrderOut):
    complainant_name: str = Field(description="匿名工单对承办单位显示“匿名”")
    complainant_phone: str
    anonymous: bool


class OrderPage(BaseModel):
    count: int
    page: int
    page_size: int
    results: list[StaffOrderOut]


class RatingIn(_In):
    query_code: str = Field(min_length=1, max_length=12)
    satisfaction: Literal[tuple(Satisfaction.values)]  # type: ignore[valid-type]
    comment: str = Field("", max_length=2000)


def _out(order) -> dict:
    return {"number": order.number, "kind": order.kind, "kind_label": str(order.get_kind_display()),
            "subkind": order.subkind, "channel": order.channel, "state": order.state,
            "state_label": str(order.get_state_display()), "title": order.title, "text": order.text,
            "registered_at": order.registered_at, "department": order.department.name if order.department else None,
            "sign_due_on": order.sign_due_on, "due_on": order.clock_due_on,
            "light": selectors.light_of(order, today=timezone.localdate()),
            "reply": order.reply if order.state in (OrderState.REPLIED, OrderState.CLOSED) else "",
            "substantiated": order.substantiated, "replied_at": order.replied_at, "satisfaction": order.satisfaction,
            "reopened": order.reopened_at is not None, "returns": order.returns_count}


def _staff_out(user, order) -> dict:
    who = selectors.complainant_view(user, order)
    return {**_out(order), "complainant_name": who["name"], "complainant_phone": who["phone"],
            "anonymous": order.anonymous}


@router.post("/complaints", auth=None, response={201: FiledOut, **ERRORS},
             throttle=[ScopedThrottle("public_form")],
             summary="提交诉求（免登录） File a complaint or request",
             description="登记一件投诉或诉求，返回工单编号和查询码。")
def file_complaint(request, body: ComplaintIn):
    order = services.register_order(channel=Channel.API, **body.model_dump())
    return Status(201, {"number": order.number, "query_code": order.query_code, "state": order.state})


@router.get("/complaints/track/{number}", auth=None, response={200: OrderOut, **ERRORS},
            throttle=[ScopedThrottle("progress")], summary="诉求进度（免登录） Follow a complaint",
            description="凭工单编号和查询码查询；编号或查询码不符一律 404。")
def track_complaint(request, number: str, query_code: str = Query(..., min_length=1, max_length=12)):
    return Status(200, _out(selectors.get_order_by_query(number[:20], query_code)))


@router.post("/complaints/track/{number}/rating", auth=None, response={200: OrderOut, **ERRORS},
             throttle=[ScopedThrottle("progress")], summary="评价答复（免登录） Rate the reply",
             description="诉求人评价答复；首次不满意的，工单退回承办单位重新办理一次。")
def rate_complaint(request, number: str, body: RatingIn):
    order = selectors.get_order_by_query(number[:20], body.query_code)
    order = registry.perform(access.Complainant(order.pk), order, "rate",
                             {"satisfaction": body.satisfaction, "comment": body.comment})
    return Status(200, _out(order))


@router.get("/complaints", auth=API_AUTH, response={200: OrderPage, **ERRORS},
            summary="工单列表 Work orders", description="效能办看全部；承办单位看本单位承办或退回过的工单。")
def list_complaints(request, light: str = Query("", max_length=10), state: str = Query("", max_length=12),
                    kind: str = Query("", max_length=24), unit: int | None = Query(None, ge=1),
                    page: int = Query(1, ge=1, le=100000), page_size: int = Query(20, ge=1, le=100)):
    for name, value, allowed in (("state", state, OrderState.values), ("kind", kind, OrderKind.values),
                                 ("light", light, [*Light.values, "open"])):
        if value and value not in allowed:
            raise ValidationError(f"{value}: " + ", ".join(allowed), field=name)
    rows = selectors.office_list(request.auth, light=light, state=state, kind=kind, unit=unit)
    count = rows.count()
    start = (page - 1) * page_size
    return {"count": count, "page": page, "page_size": page_size,
            "results": [_staff_out(request.auth, o) for o in rows[start:start + page_size]]}


@router.get("/complaints/{number}", auth=API_AUTH, response={200: StaffOrderOut, **ERRORS}, summary="工单 A work order")
def get_complaint(request, number: str):
    return Status(200, _staff_out(request.auth, selectors.get_order_for(request.auth, number)))


@router.get("/complaints/{number}/actions", auth=API_AUTH, response={200: list[AvailableActionOut], **ERRORS},
            summary="可办理的动作 Actions available")
def list_complaint_actions(request, number: str):
    order = selectors.get_order_for(request.auth, number)
    return Status(200, [offer.as_dict() for offer in registry.offers(request.auth, order)])


@router.post("/complaints/{number}/actions", auth=API_AUTH, response={200: StaffOrderOut, **ERRORS},
             summary="办理工单 Act on a work order",
             description="派单、签收、退单、答复、回访、归档：{\"action\": 动作名, \"params\": 参数}，各动作参数见 oneOf。"
                         "当前状态不允许 409，无权办理 403，参数错误 400/422 并指明字段。")
def act_on_complaint(request, number: str, body: Body[WorkOrderActionIn]):  # type: ignore[valid-type]
    order = selectors.get_order_for(request.auth, number)
    action, params = body.action, body.params  # type: ignore[attr-defined]
    try:
        order = registry.perform(request.auth, order, action, params)
    except DomainError as exc:
        if exc.field and exc.field.split(".")[0] in type(params).model_fields:
            exc.field = f"params.{exc.field}"
        raise
    return Status(200, _staff_out(request.auth, selectors.get_order_for(request.auth, order.number)))
