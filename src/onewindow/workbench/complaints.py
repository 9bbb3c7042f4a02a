"""The complaint centre's staff pages (issue 17): the operator's registration (hotline, window) with the
dispatch suggestion's three units, the office's list (light, state, kind, unit; paged) and each order's
page with the actions the registry offers the signed-in person (complaints/actions.py), the unit's queue,
the figures per unit and the limits per kind. Thin: every rule is the complaints services'."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.complaints import access, selectors, services
from onewindow.complaints.actions import registry
from onewindow.complaints.dispatch import suggest
from onewindow.complaints.limits import all_limits
from onewindow.complaints.models import Channel, ComplaintSubkind, OrderKind, OrderState
from onewindow.core.errors import DomainError, NotFound
from onewindow.orgs.models import Department
from onewindow.workflow import clock
from onewindow.workflow.forms import ActionForm

from .common import add_domain_error, page, querystring, staff_required

LIGHTS = [(str(v), str(clock.Light(v).label)) for v in clock.OPEN_LIGHTS] + \
    [(str(clock.Light.ON_TIME), str(clock.Light.ON_TIME.label)), (str(clock.Light.LATE), str(clock.Light.LATE.label))]


def _office_required(view):
    @staff_required
    def wrapper(request, *args, **kwargs):
        if not access.is_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)
    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


class RegisterForm(forms.Form):
    """The operator's form: what the caller says, who they are, what it is about."""

    channel = forms.ChoiceField(label=gettext_lazy("来源渠道"), initial=Channel.HOTLINE,
                                choices=[(Channel.HOTLINE.value, Channel.HOTLINE.label),
                                         (Channel.WINDOW.value, Channel.WINDOW.label)])
    kind = forms.ChoiceField(label=gettext_lazy("诉求类型"), choices=OrderKind.choices, initial=OrderKind.COMPLAINT)
    subkind = forms.ChoiceField(label=gettext_lazy("投诉情形"), required=False,
                                choices=[("", "—")] + list(ComplaintSubkind.choices))
    text = forms.CharField(label=gettext_lazy("诉求内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200, required=False,
                            help_text=gettext_lazy("不填则取诉求内容的开头"))
    complainant_name = forms.CharField(label=gettext_lazy("诉求人"), max_length=100, required=False)
    complainant_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30, required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("对承办单位匿名（效能办仍可见）"), required=False)
    address = forms.CharField(label=gettext_lazy("地点"), max_length=200, required=False)
    case_number = forms.CharField(label=gettext_lazy("关联办件编号"), max_length=40, required=False)
    item_code = forms.CharField(label=gettext_lazy("关联事项编码"), max_length=40, required=False)


def _suggestions(text: str, case_number: str, item_code: str) -> tuple[list, str]:
    try:
        return suggest(text, case=case_number.strip() or None, item=item_code.strip() or None), ""
    except DomainError as exc:
        return [], exc.message


@_office_required
@require_http_methods(["GET", "POST"])
def register(request):
    """登记工单: register, then dispatch at once to the unit picked (one of the three suggested, or any)."""
    form = RegisterForm(request.POST or None)
    departments = Department.objects.filter(is_active=True).order_by("name")
    picked = request.POST.get("other_department_id") or request.POST.get("department_id", "")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = services.register_order(actor=request.user, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if picked.isdigit():
                try:
                    order = registry.perform(request.user, order, "dispatch", {"department_id": int(picked)})
                except DomainError as exc:
                    messages.error(request, exc.message)
            messages.success(request, _("已登记工单 %(n)s，查询码 %(c)s（请告知诉求人）") % {
                "n": order.number, "c": order.query_code})
            return redirect("workbench:complaint_detail", number=order.number)
    suggested: list = []
    problem = ""
    if form.is_bound:
        suggested, problem = _suggestions(request.POST.get("text", ""), request.POST.get("case_number", ""),
                                          request.POST.get("item_code", ""))
    return render(request, "workbench/complaints/register.html",
                  {"form": form, "departments": departments, "suggested": suggested, "problem": problem,
                   "picked": picked}, status=400 if form.is_bound else 200)


@_office_required
@require_GET
def suggestions(request):
    """The three likely units for what the operator has typed so far (htmx, as the text changes)."""
    suggested, problem = _suggestions(request.GET.get("text", ""), request.GET.get("case_number", ""),
                                      request.GET.get("item_code", ""))
    return render(request, "workbench/complaints/_suggestions.html",
                  {"suggested": suggested, "problem": problem, "picked": request.GET.get("department_id", "")})


def _row(order, today):
    return {"order": order, "light": selectors.light_of(order, today=today),
            "sign_light": selectors.sign_light_of(order, today=today),
            "days_left": clock.days_left(order, today=today) if order.state != OrderState.CLOSED else None}


def _int(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


@staff_required
@require_GET
def order_list(request):
    """工单: the office sees every order, a unit the orders it holds or returned; filter and page."""
    if not access.is_office(request.user) and not access.unit_ids(request.user):
        raise Http404
    today = timezone.localdate()
    params = {key: request.GET.get(key, "").strip() for key in ("light", "state", "kind", "unit", "q")}
    if params["light"] not in dict(LIGHTS) and params["light"] != "open":
        params["light"] = ""
    if params["state"] not in OrderState.values:
        params["state"] = ""
    if params["kind"] not in OrderKind.values:
        params["kind"] = ""
    rows = selectors.office_list(request.user, light=params["light"], state=params["state"], kind=params["kind"],
                                 unit=_int(params["unit"]), query=params["q"][:40], today=today)
    page_obj = page(request, rows)
    return render(request, "workbench/complaints/list.html", {
        "page_obj": page_obj, "rows": [_row(o, today) for o in page_obj], "params": params,
        "query": querystring(params), "lights": LIGHTS, "states": OrderState.choices, "kinds": OrderKind.choices,
        "units": Department.objects.filter(is_active=True).order_by("name"),
        "counts": selectors.total_light_counts(today=today) if access.is_office(request.user) else None,
        "is_office": access.is_office(request.user)})


@staff_required
@require_GET
def queue(request):
    """本单位工单: what the unit must sign and answer, the earliest deadline first."""
    if not access.unit_ids(request.user):
        raise Http404
    today = timezone.localdate()
    page_obj = page(request, selectors.unit_queue(request.user, today=today))
    rows = [{**_row(o, today), "offers": registry.offers(request.user, o),
             "complainant": selectors.complainant_view(request.user, o)} for o in page_obj]
    return render(request, "workbench/complaints/queue.html", {"page_obj": page_obj, "rows": rows, "query": ""})


def _order_or_404(user, number: str):
    try:
        return selectors.get_order_for(user, number)
    except NotFound:
        raise Http404 from None


def _action_forms(user, order, *, data=None, posted: str | None = None) -> list[dict]:
    return [{"name": offer.name, "label": offer.action.label,
             "form": ActionForm(offer, data if posted == offer.name else None)}
            for offer in registry.offers(user, order)]


def _render_detail(request, order, actions, *, status=200):
    today = timezone.localdate()
    return render(request, "workbench/complaints/detail.html", {
        "order": order, **_row(order, today), "actions": actions,
        "complainant": selectors.complainant_view(request.user, order),
        "sees_identity": access.sees_identity(request.user, order),
        "returns": selectors.returns_of(order), "events": selectors.timeline(order),
        "is_office": access.is_office(request.user)}, status=status)


@staff_required
@require_GET
def order_detail(request, number: str):
    order = _order_or_404(request.user, number)
    return _render_detail(request, order, _action_forms(request.user, order))


@staff_required
@require_POST
def order_action(request, number: str, action: str):
    order = _order_or_404(request.user, number)
    actions = _action_forms(request.user, order, data=request.POST, posted=action)
    offered = next((row for row in actions if row["name"] == action), None)
    if offered is None:
        messages.error(request, _("该工单当前状态下不能进行此操作，或您无权办理。"))
        return redirect("workbench:complaint_detail", number=order.number)
    form = offered["form"]
    if form.is_valid():
        try:
            registry.perform(request.user, order, action, form.params())
        except DomainError as exc:
            form.add_error(form.error_field(exc.field), exc.message)
        else:
            messages.success(request, str(form.offer.action.done_message))
            if not access.is_office(request.user) and action == "return":
                return redirect("workbench:complaint_queue")
            return redirect("workbench:complaint_detail", number=order.number)
    order.refresh_from_db()
    return _render_detail(request, order, actions, status=400)


def _period(request) -> tuple[date, date]:
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = today - timedelta(days=90)
    try:
        end = date.fromisoformat(request.GET.get("end", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


@_office_required
@require_GET
def metrics(request):
    """各单位诉求办理情况: on-time sign-off and reply, satisfaction, substantiated share, returns."""
    start, end = _period(request)
    return render(request, "workbench/complaints/metrics.html", {
        "start": start, "end": end, "rows": selectors.unit_metrics(start=start, end=end),
        "counts": selectors.light_counts(), "states": selectors.state_counts()})


class LimitsForm(forms.Form):
    def __init__(self, *args, limits, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, value in limits.items():
            label = OrderKind(kind).label
            self.fields[f"{kind}_sign"] = forms.IntegerField(label=_("%(k)s · 签收") % {"k": label}, min_value=0,
                                                             max_value=30, initial=value.sign_days)
            self.fields[f"{kind}_reply"] = forms.IntegerField(label=_("%(k)s · 答复") % {"k": label}, min_value=1,
                                                              max_value=60, initial=value.reply_days)


@_office_required
@require_http_methods(["GET", "POST"])
def limits(request):
    """工单时限: the office sets the working days to sign and to reply for each kind."""
    form = LimitsForm(request.POST or None, limits=all_limits())
    if request.method == "POST" and form.is_valid():
        services.set_limits(actor=request.user, limits={
            kind: (form.cleaned_data[f"{kind}_sign"], form.cleaned_data[f"{kind}_reply"]) for kind in OrderKind.values})
        messages.success(request, _("时限已保存，此后派出的工单按新时限计时。"))
        return redirect("workbench:complaint_limits")
    return render(request, "workbench/complaints/limits.html",
                  {"form": form, "kinds": [(OrderKind(k).label, form[f"{k}_sign"], form[f"{k}_reply"]) for k in OrderKind.values]},
                  status=400 if form.is_bound else 200)
