"""The complaint centre's public pages: file a complaint, request, suggestion or praise online (web
channel; no account needed), look it up by number and query code, and rate the reply — through the
same services and the same action registry as the staff pages (the rating is the registry's `rate`
action taken by the complainant, proved by the query code)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from onewindow.complaints import selectors, services
from onewindow.complaints.access import Complainant
from onewindow.complaints.actions import registry
from onewindow.complaints.models import Channel, ComplaintSubkind, OrderKind, OrderState, Satisfaction
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.workflow import clock


class FileForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("诉求类型"), choices=OrderKind.choices, initial=OrderKind.COMPLAINT)
    subkind = forms.ChoiceField(label=gettext_lazy("投诉情形（效能投诉）"), required=False,
                                choices=[("", "—")] + list(ComplaintSubkind.choices))
    text = forms.CharField(label=gettext_lazy("诉求内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=gettext_lazy("请写明时间、地点、单位或窗口、经过和您的诉求"))
    case_number = forms.CharField(label=gettext_lazy("相关办件编号（选填）"), max_length=40, required=False)
    complainant_name = forms.CharField(label=gettext_lazy("姓名"), max_length=100, required=False)
    complainant_phone = forms.CharField(label=gettext_lazy("联系电话"), max_length=30, required=False)
    complainant_email = forms.CharField(label=gettext_lazy("电子邮箱（选填）"), max_length=254, required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("对被投诉单位保密我的身份"), required=False,
                                   help_text=gettext_lazy("效能办仍可联系您核实和回访"))


class TrackForm(forms.Form):
    number = forms.CharField(label=gettext_lazy("工单编号"), max_length=20)
    code = forms.CharField(label=gettext_lazy("查询码"), max_length=12)


class RateForm(forms.Form):
    satisfaction = forms.ChoiceField(label=gettext_lazy("您对答复是否满意"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect)
    comment = forms.CharField(label=gettext_lazy("意见（选填）"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


@throttle("public_form", methods=("POST",))
@require_http_methods(["GET", "POST"])
def file(request):
    """我要投诉: the web channel; the number and query code are shown once filed."""
    form = FileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        try:
            order = services.register_order(actor=user, channel=Channel.WEB, complainant_user=user,
                                            **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return render(request, "portal/complaints/filed.html", {"order": order})
    return render(request, "portal/complaints/file.html", {"form": form},
                  status=400 if form.is_bound else 200)


def _context(order) -> dict:
    today = timezone.localdate()
    return {"order": order, "light": clock.light(order, today=today),
            "replied": order.state in (OrderState.REPLIED, OrderState.CLOSED) and bool(order.reply),
            "may_rate": order.state == OrderState.REPLIED}


@throttle("progress", params=("number",))
@require_http_methods(["GET", "POST"])
def track(request):
    """诉求查询: number + query code; a reply waiting for the rating shows the rating form, whose answer
    is the registry's `rate` action (an unsatisfied first rating reopens the order once)."""
    data = request.POST if request.method == "POST" else request.GET
    form = TrackForm(data or None)
    context: dict = {"form": form}
    status = 200
    if form.is_bound and form.is_valid():
        try:
            order = selectors.get_order_by_query(form.cleaned_data["number"], form.cleaned_data["code"])
        except NotFound as exc:
            context["not_found"] = exc.message
            status = 404
        else:
            rate_form = RateForm(request.POST if request.method == "POST" else None)
            if request.method == "POST" and rate_form.is_valid():
                try:
                    order = registry.perform(Complainant(order.pk), order, "rate", rate_form.cleaned_data)
                except DomainError as exc:
                    rate_form.add_error(exc.field if exc.field in rate_form.fields else None, exc.message)
                    status = 400
                else:
                    context["rated"] = _("感谢您的评价。") if order.state == OrderState.CLOSED else \
                        _("您对答复不满意，工单已转承办单位重新办理，请留意答复。")
                    rate_form = RateForm()
            elif request.method == "POST":
                status = 400
            context.update(_context(order), rate_form=rate_form, code=form.cleaned_data["code"])
    return render(request, "portal/complaints/track.html", context, status=status)
