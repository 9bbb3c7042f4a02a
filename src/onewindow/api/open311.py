"""Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2), so existing Open311 apps and clients file and
follow complaints unchanged: discovery, services, a service's definition, POST and GET requests, one
request, in .json and .xml, the standard's error format, API keys for posting, jurisdiction_id, and
mySociety's servicerequestupdates extension (every step of an order as an update). docs/open311.md maps
each field to the work order.

Plain Django views, not ninja: the standard fixes the URLs (format as the file extension), form-encoded
POST bodies and its own error format — `[{"code": 403, "description": "…"}]` / `<errors><error>…` with
the same HTTP status. The rules are the complaint centre's (complaints.services / selectors)."""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from xml.etree import ElementTree

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.complaints import selectors, services
from onewindow.complaints.limits import limits_for
from onewindow.complaints.models import Channel, ComplaintSubkind, OrderKind, OrderState
from onewindow.core.errors import DomainError

from .auth import user_for_token

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-07T00:00:00+08:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The element of each item of a list, in XML (the standard's names).
ITEM_TAGS = {"services": "service", "service_requests": "request", "service_request_updates": "request_update",
             "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
             "errors": "error"}
COMPLAINT_KINDS = (OrderKind.COMPLAINT, OrderKind.CANNOT_GET_DONE)
KEYWORDS = {
    OrderKind.COMPLAINT: "效能投诉, 推诿扯皮, 吃拿卡要, 拖延, 乱收费",
    OrderKind.CANNOT_GET_DONE: "办不成事, 跑多次",
    OrderKind.ENTERPRISE_REQUEST: "企呼我应, 企业诉求",
    OrderKind.CONSULTATION: "咨询",
    OrderKind.SUGGESTION: "建议",
    OrderKind.PRAISE: "表扬",
}


class Open311Error(Exception):
    def __init__(self, code: int, description: str):
        super().__init__(description)
        self.code, self.description = code, description


def jurisdiction() -> str:
    return getattr(settings, "ONEWINDOW_OPEN311_JURISDICTION", "dongxing.gov.cn")


# --- output --------------------------------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


def _append(parent: ElementTree.Element, tag: str, value) -> None:
    element = ElementTree.SubElement(parent, tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            _append(element, key, inner)
    elif isinstance(value, list):
        for inner in value:
            _append(element, ITEM_TAGS.get(tag, "item"), inner)
    else:
        element.text = _text(value)


def _xml(root: str, payload) -> bytes:
    element = ElementTree.Element(root)
    if isinstance(payload, list):
        for row in payload:
            _append(element, ITEM_TAGS[root], row)
    else:
        for key, value in payload.items():
            _append(element, key, value)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(element, encoding="utf-8")


def _json_default(value):
    if isinstance(value, datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)  # lat and long are numbers in the standard's JSON examples
    return str(value)


def respond(fmt: str, root: str, payload, *, status: int = 200) -> HttpResponse:
    import json

    body = _xml(root, payload) if fmt == "xml" else json.dumps(payload, ensure_ascii=False,
                                                               default=_json_default).encode("utf-8")
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error(fmt: str, exc: Open311Error) -> HttpResponse:
    return respond(fmt, "errors", [{"code": exc.code, "description": exc.description}], status=exc.code)


def w3c(value: datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def open311_view(methods: list[str]):
    """A GeoReport method: the format from the URL, jurisdiction_id checked, Open311Error → its format."""
    def decorate(view):
        @csrf_exempt
        @require_http_methods(methods)
        def wrapper(request, fmt: str, **kwargs):
            try:
                given = (request.POST if request.method == "POST" else request.GET).get("jurisdiction_id", "")
                if given and given != jurisdiction():
                    raise Open311Error(404, f"jurisdiction_id {given} was not found")
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return error(fmt, exc)
        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper
    return decorate


# --- discovery and services ------------------------------------------------------------------------------

@open311_view(["GET"])
def discovery(request, fmt: str):
    """The service discovery document: this one GeoReport v2 endpoint, its formats."""
    url = request.build_absolute_uri(reverse("open311:discovery", args=["json"])).rsplit("/discovery", 1)[0] + "/"
    endpoint = {"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": "production",
                "formats": ["text/xml", "application/json"]}
    return respond(fmt, "discovery", {
        "changeset": CHANGESET, "contact": _("效能办 12345 热线"), "key_service": _("API 密钥由效能办签发"),
        "endpoints": [endpoint]})


def _service(kind: OrderKind) -> dict:
    return {"service_code": kind.value, "service_name": str(kind.label),
            "description": _("%(kind)s：提交后派给承办单位，%(days)s 个工作日内答复") % {
                "kind": kind.label, "days": limits_for(kind).reply_days},
            "metadata": True, "type": "realtime", "keywords": KEYWORDS[kind],
            "group": _("效能投诉") if kind in COMPLAINT_KINDS else _("诉求")}


@open311_view(["GET"])
def service_list(request, fmt: str):
    return respond(fmt, "services", [_service(kind) for kind in OrderKind])


def _kind(code: str) -> OrderKind:
    if code not in OrderKind.values:
        raise Open311Error(404, f"service_code {code} was not found")
    return OrderKind(code)


def _attributes(kind: OrderKind) -> list[dict]:
    attributes = []
    if kind == OrderKind.COMPLAINT:
        attributes.append({"variable": True, "code": "subkind", "datatype": "singlevaluelist", "required": False,
                           "datatype_description": "", "order": 1, "description": str(_("投诉情形")),
                           "values": [{"key": v, "name": str(label)} for v, label in ComplaintSubkind.choices]})
    attributes.append({"variable": True, "code": "anonymous", "datatype": "singlevaluelist", "required": False,
                       "datatype_description": "", "order": 2,
                       "description": str(_("对承办单位匿名（效能办仍可见）")),
                       "values": [{"key": "false", "name": str(_("否"))}, {"key": "true", "name": str(_("是"))}]})
    attributes.append({"variable": True, "code": "case_number", "datatype": "string", "required": False,
                       "datatype_description": str(_("受理通知书上的办件编号")), "order": 3,
                       "description": str(_("相关办件编号"))})
    return attributes


@open311_view(["GET"])
def service_definition(request, fmt: str, code: str):
    kind = _kind(code)
    return respond(fmt, "service_definition", {"service_code": kind.value, "attributes": _attributes(kind)})


# --- requests ----------------------------------------------------------------------------------------

def _expected(order) -> datetime | None:
    if order.clock_due_on is None:
        return None
    return timezone.make_aware(datetime.combine(order.clock_due_on, time(23, 59, 59)))


def _status_notes(order) -> str:
    note = str(order.get_state_display())
    if order.state in (OrderState.REPLIED, OrderState.CLOSED) and order.reply:
        note += "：" + order.reply
    return note


def request_out(order, updated: datetime | None) -> dict:
    return {
        "service_request_id": order.number,
        "status": "closed" if order.state == OrderState.CLOSED else "open",
        "status_notes": _status_notes(order),
        "service_name": str(order.get_kind_display()), "service_code": order.kind,
        "description": order.text,
        "agency_responsible": order.department.name if order.department else "",
        "service_notice": _("%(days)s 个工作日内答复") % {"days": order.clock_limit or limits_for(order.kind).reply_days},
        "requested_datetime": order.registered_at, "updated_datetime": updated or order.registered_at,
        "expected_datetime": _expected(order), "address": order.address, "address_id": "", "zipcode": "",
        "lat": order.latitude, "long": order.longitude, "media_url": order.media_url,
    }


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    parsed = parse_datetime(value.strip().replace(" ", "+"))
    if parsed is None:
        raise Open311Error(400, f"{name} must be a w3 datetime such as 2026-12-07T00:00:00+08:00")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _csv(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@open311_view(["GET", "POST"])
def requests(request, fmt: str):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    numbers = _csv(params.get("service_request_id", ""))
    if numbers:  # "This overrides all other arguments" (GeoReport v2, GET service requests)
        rows = list(selectors.open311_requests(numbers=numbers))
        updated = selectors.last_event_at(rows)
        return respond(fmt, "service_requests", [request_out(o, updated.get(o.number)) for o in rows])
    statuses = _csv(params.get("status", ""))
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, "status must be open, closed or both (comma-delimited)")
    closed = None if len(set(statuses)) != 1 else statuses[0] == "closed"
    kinds = _csv(params.get("service_code", ""))
    for code in kinds:
        _kind(code)
    rows = list(selectors.open311_requests(
        kinds=kinds,
        start=_date(params.get("start_date", ""), "start_date"), end=_date(params.get("end_date", ""), "end_date"),
        closed=closed))
    updated = selectors.last_event_at(rows)
    return respond(fmt, "service_requests", [request_out(o, updated.get(o.number)) for o in rows])


@open311_view(["GET"])
def request_detail(request, fmt: str, request_id: str):
    rows = list(selectors.open311_requests(numbers=[request_id]))
    if not rows:
        raise Open311Error(404, f"service_request_id {request_id} was not found")
    updated = selectors.last_event_at(rows)
    return respond(fmt, "service_requests", [request_out(rows[0], updated.get(rows[0].number))])


def _create(request, fmt: str) -> HttpResponse:
    """POST requests: api_key first (403), then service_code (400/404), a location (400), the attributes;
    the order is registered on the Open311 channel and its number is the service_request_id."""
    data = request.POST
    if user_for_token(data.get("api_key", "") or request.GET.get("api_key", "")) is None:
        raise Open311Error(403, "Invalid api_key received -- can't proceed with create_request.")
    code = data.get("service_code", "").strip()
    if not code:
        raise Open311Error(400, "service_code was not provided")
    kind = _kind(code)
    has_point = bool(data.get("lat", "").strip() and data.get("long", "").strip())
    address = data.get("address_string", "").strip() or data.get("address_id", "").strip()
    if not has_point and not address:
        raise Open311Error(400, "a location is required: lat and long, address_string or address_id")
    subkind = data.get("attribute[subkind]", "").strip()
    anonymous = data.get("attribute[anonymous]", "false").strip().lower()
    if anonymous not in ("true", "false", ""):
        raise Open311Error(400, "attribute[anonymous] must be true or false")
    name = (data.get("last_name", "").strip() + data.get("first_name", "").strip())
    text = data.get("description", "").strip() or f"{kind.label}：{address}"
    try:
        order = services.register_order(
            kind=kind, subkind=subkind, channel=Channel.OPEN311, text=text, complainant_name=name,
            complainant_phone=data.get("phone", ""), complainant_email=data.get("email", ""),
            anonymous=anonymous == "true", address=address[:200], latitude=data.get("lat") or None,
            longitude=data.get("long") or None, media_url=data.get("media_url", "").strip(),
            case_number=data.get("attribute[case_number]", ""))
    except DomainError as exc:
        field = {"subkind": "attribute[subkind]", "case_number": "attribute[case_number]", "text": "description",
                 "complainant_phone": "phone", "complainant_email": "email"}.get(exc.field or "", exc.field)
        raise Open311Error(400, f"{field}: {exc.message}" if field else exc.message) from None
    notice = _("工单编号 %(n)s，查询码 %(c)s（凭此在政务服务网查询和评价），%(days)s 个工作日内答复") % {
        "n": order.number, "c": order.query_code, "days": limits_for(order.kind).reply_days}
    return respond(fmt, "service_requests", [{"service_request_id": order.number, "service_notice": notice,
                                              "account_id": None}])


# --- the servicerequestupdates extension --------------------------------------------------------------

UPDATE_WORDS = {
    "registered": gettext_lazy("已登记"), "dispatched": gettext_lazy("已派单"), "signed": gettext_lazy("承办单位已签收"),
    "returned": gettext_lazy("承办单位退单，重新派单中"), "replied": gettext_lazy("已答复"), "rated": gettext_lazy("已评价"),
    "reopened": gettext_lazy("不满意，重新办理"), "closed": gettext_lazy("已办结归档"), "urged": gettext_lazy("已督办"),
}


@open311_view(["GET"])
def request_updates(request, fmt: str):
    """Every step of the Open311 orders between start_date and end_date (default: the last 90 days)."""
    rows = selectors.open311_updates(start=_date(request.GET.get("start_date", ""), "start_date"),
                                     end=_date(request.GET.get("end_date", ""), "end_date"))
    out = []
    for event, number, state in rows:
        verb = event.action.rsplit(".", 1)[-1]
        words = str(UPDATE_WORDS.get(verb, verb))
        out.append({"update_id": str(event.pk), "service_request_id": number,
                    "status": "closed" if state == OrderState.CLOSED else "open",
                    "updated_datetime": event.occurred_at,
                    "description": f"{words}：{event.reason}" if event.reason and verb == "replied" else words,
                    "media_url": ""})
    return respond(fmt, "service_request_updates", out)


@require_GET
def index(request):
    """/open311/v2/: the discovery document (JSON), for clients that start at the root."""
    return discovery(request, "json")
