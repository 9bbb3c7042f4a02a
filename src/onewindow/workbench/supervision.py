"""The efficiency office's pages (效能监察): the supervision board a supervisor works from all day, the
drill-down to the cases, the refusals and denials filed for review, urgings, inspections with their
notices and rectifications, and accountability records. Thin: each view parses, calls a supervision
service or selector and renders; a DomainError is shown beside the field it names (status 400) and
nothing changes. The office's pages answer 404 to anyone else; a unit's staff see and answer their
own urgings and rectifications."""

from __future__ import annotations

from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.audit import selectors as audit_selectors
from onewindow.core.errors import DomainError
from onewindow.core.uploads import serve_protected
from onewindow.orgs.models import Department, Window
from onewindow.supervision import access, forecast, notices, selectors, services
from onewindow.supervision.actions import rectifications as rectification_registry
from onewindow.supervision.actions import urgings as urging_registry
from onewindow.supervision.models import Inspection, InspectionPhoto, Rectification, TargetKind, Urging
from onewindow.workflow.forms import ActionForm

from . import supervision_forms as f
from .common import add_domain_error, querystring, staff_required

COLOURS = {"green": "#2e7d32", "yellow": "#d9a400", "red": "#b8202a", "paused": "#7a8591"}
LIGHT_LABELS = {"green": gettext_lazy("正常"), "yellow": gettext_lazy("临近期限"), "red": gettext_lazy("已超期"),
                "paused": gettext_lazy("暂停计时")}
RATE_DAYS = 90
BOARD_ROWS = 12


def office_required(view):
    """The office's own pages: staff with the supervisor (or administrator) role; others get a 404."""

    @staff_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not access.is_office(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _light_labels():
    return [(light, str(LIGHT_LABELS[light])) for light in selectors.LIGHTS]


def light_bars_svg(rows: list[dict], *, width: int = 620) -> SafeString:
    """Stacked horizontal bars per row (department): green, yellow, red and paused open cases."""
    if not rows:
        return mark_safe("")
    label_w, bar_h, gap, top = 190, 14, 8, 26
    height = top + (bar_h + gap) * len(rows)
    scale_w = width - label_w - 50
    biggest = max(row["total"] for row in rows) or 1
    title = _("各部门在办件时限状态")
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    x = 0
    for light, label in _light_labels():
        parts.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{COLOURS[light]}"/>'
                     f'<text x="{x + 14}" y="13" font-size="11" fill="#5b6470">{escape(label)}</text>')
        x += 90
    for index, row in enumerate(rows):
        y = top + index * (bar_h + gap)
        name = escape(row["name"])
        parts.append(f'<text x="0" y="{y + bar_h - 3}" font-size="12" fill="#1f2328">{name}</text>')
        bx = float(label_w)
        for light in selectors.LIGHTS:
            value = row[light]
            if not value:
                continue
            w = scale_w * value / biggest
            parts.append(f'<rect x="{bx:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[light]}">'
                         f'<title>{name} {escape(str(LIGHT_LABELS[light]))} {value}</title></rect>')
            bx += w
        parts.append(f'<text x="{bx + 4:.1f}" y="{y + bar_h - 3}" font-size="11" fill="#1f2328">{row["total"]}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


FORECAST_SECONDS = 600


def _forecast(today):
    """The forecast and its measure, kept for ten minutes in the shared cache: the history they read
    changes by the day, and the board is opened all day."""
    key = f"supervision:forecast:{today.isoformat()}"
    found = cache.get(key)
    if found is None:
        found = (forecast.at_risk(today=today, limit=10), forecast.measure(today=today))
        cache.set(key, found, FORECAST_SECONDS)
    return found


@office_required
@require_GET
def board(request):
    today = timezone.localdate()
    counts = selectors.board_counts(today=today)
    departments = counts["department"]
    risks, quality = _forecast(today)
    return render(request, "workbench/supervision/board.html", {
        "today": today,
        "lights": _light_labels(),
        "totals": counts["totals"],
        "stage_totals": selectors.stage_totals(today=today),
        "by_centre": counts["centre"][:BOARD_ROWS],
        "by_department": departments[:BOARD_ROWS],
        "by_item": counts["item"][:BOARD_ROWS],
        "stages": selectors.stage_counts(today=today)[:BOARD_ROWS],
        "chart": light_bars_svg(departments[:BOARD_ROWS]),
        "rates": selectors.on_time_rates(start=today - timedelta(days=RATE_DAYS), end=today - timedelta(days=1)),
        "rate_days": RATE_DAYS,
        "pending_denials": selectors.pending_denial_count(),
        "urging_counts": selectors.urging_counts(today=today),
        "urgings": selectors.urgings(state="open")[:8],
        "breaches": selectors.breaches(since=today - timedelta(days=30))[:8],
        "breach_counts": selectors.breach_counts(since=today - timedelta(days=30)),
        "rectification_counts": selectors.rectification_counts(today=today),
        "rating_work": selectors.rating_work(today=today),
        "risks": risks,
        "quality": quality,
    })


def _int(value) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


@office_required
@require_GET
def drill_down(request):
    today = timezone.localdate()
    light = request.GET.get("light", "")
    if light and light not in selectors.LIGHTS:
        light = ""
    filters = {"centre_id": _int(request.GET.get("centre")), "department_id": _int(request.GET.get("department")),
               "item_id": _int(request.GET.get("item"))}
    cases = selectors.drill_down(today=today, light=light, **filters)
    page = Paginator(cases, 25).get_page(request.GET.get("page"))
    return render(request, "workbench/supervision/cases.html", {
        "page": page, "light": light, "lights": _light_labels(), "today": today,
        "query": querystring(request.GET.dict()),
        "filters": {k: v for k, v in request.GET.items() if k in ("centre", "department", "item") and v},
    })


# -- urging -----------------------------------------------------------------------------------------------

@office_required
@require_http_methods(["GET", "POST"])
def urge(request, kind: str, target_id: int):
    if kind not in TargetKind.values:
        raise Http404
    try:
        target = services.resolve_target(kind, target_id)
    except DomainError:
        raise Http404 from None
    form = f.UrgeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                urging = services.urge(actor=request.user, target_kind=kind, target_id=target_id,
                                       requirement=form.cleaned_data["requirement"],
                                       answer_days=form.cleaned_data["answer_days"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已督办 %(u)s，答复期限 %(d)s") % {
                    "u": urging.department.name, "d": urging.clock_due_on})
                return redirect("workbench:supervision_urging", pk=urging.pk)
        status = 400
    return render(request, "workbench/supervision/urge.html", {"form": form, "target": target}, status=status)


def _may_see_unit_work(user, department_id: int) -> bool:
    return access.is_office(user) or access.speaks_for(user, department_id)


@staff_required
@require_GET
def urging_list(request):
    state = request.GET.get("state", "")
    if access.is_office(request.user):
        rows = selectors.urgings(state=state)
    else:
        units = access.department_ids(request.user)
        if not units:
            raise Http404
        rows = selectors.urgings(state=state, department_ids=units)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(request, "workbench/supervision/urgings.html", {
        "page": page, "state": state, "today": timezone.localdate(), "query": querystring(request.GET.dict())})


def _urging_or_404(user, pk: int) -> Urging:
    urging = selectors.urgings().filter(pk=pk).first()
    if urging is None or not _may_see_unit_work(user, urging.department_id):
        raise Http404
    return urging


def _forms(registry, user, obj, *, data=None, posted: str | None = None) -> list[dict]:
    return [{"name": offer.name, "label": offer.action.label,
             "form": ActionForm(offer, data if posted == offer.name else None)}
            for offer in registry.offers(user, obj)]


def _render_urging(request, urging: Urging, actions: list[dict], *, status: int = 200):
    return render(request, "workbench/supervision/urging.html", {
        "urging": urging, "actions": actions, "today": timezone.localdate(),
        "events": audit_selectors.events_for(f"urging:{urging.pk}")}, status=status)


@staff_required
@require_GET
def urging_detail(request, pk: int):
    urging = _urging_or_404(request.user, pk)
    return _render_urging(request, urging, _forms(urging_registry, request.user, urging))


def _act(request, registry, obj, action: str):
    """Parse the posted action form and act through the registry: (done, forms)."""
    actions = _forms(registry, request.user, obj, data=request.POST, posted=action)
    offered = next((row for row in actions if row["name"] == action), None)
    if offered is None:
        messages.error(request, _("当前状态下不能进行此操作，或您无权办理。"))
        return True, actions
    form = offered["form"]
    if form.is_valid():
        try:
            registry.perform(request.user, obj, action, form.params())
        except DomainError as exc:
            form.add_error(form.error_field(exc.field), exc.message)
        else:
            messages.success(request, str(form.offer.action.done_message))
            return True, actions
    return False, actions


@staff_required
@require_POST
def urging_action(request, pk: int, action: str):
    urging = _urging_or_404(request.user, pk)
    done, actions = _act(request, urging_registry, urging, action)
    if done:
        return redirect("workbench:supervision_urging", pk=urging.pk)
    return _render_urging(request, _urging_or_404(request.user, pk), actions, status=400)


# -- 否定报备 ---------------------------------------------------------------------------------------------

@office_required
@require_GET
def denials(request):
    status = request.GET.get("status", "pending")
    if status not in ("pending", "reviewed", "all"):
        status = "pending"
    rows = selectors.denial_filings(status="" if status == "all" else status)
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(request, "workbench/supervision/denials.html", {
        "page": page, "status": status, "form": f.ReviewForm(), "query": querystring(request.GET.dict())})


@office_required
@require_POST
def review_denial(request, pk: int):
    form = f.ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.review_denial(actor=request.user, filing_id=pk, verdict=form.cleaned_data["verdict"],
                                   opinion=form.cleaned_data["opinion"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已记录审查意见"))
            return redirect(reverse("workbench:supervision_denials") + "?status=pending")
    rows = selectors.denial_filings().filter(pk=pk)
    if not rows.exists():
        raise Http404
    page = Paginator(rows, 20).get_page(1)
    return render(request, "workbench/supervision/denials.html", {
        "page": page, "status": "all", "form": form, "error_for": pk, "query": ""}, status=400)


# -- inspections ------------------------------------------------------------------------------------------

def _inspection_form(data=None, files=None):
    windows = Window.objects.select_related("centre").order_by("centre__code", "number")
    return f.InspectionForm(data, files, windows=windows, departments=Department.objects.order_by("code"))


@office_required
@require_GET
def inspection_list(request):
    page = Paginator(selectors.inspections(), 20).get_page(request.GET.get("page"))
    return render(request, "workbench/supervision/inspections.html", {
        "page": page, "rectifications": selectors.rectifications().exclude(state="verified")[:20],
        "counts": selectors.rectification_counts(today=timezone.localdate()), "today": timezone.localdate()})


@office_required
@require_http_methods(["GET", "POST"])
def inspection_new(request):
    form = _inspection_form(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                inspection = services.record_inspection(
                    actor=request.user, kind=data["kind"], visited_at=data["visited_at"],
                    inspectors=data["inspectors"], findings=data["findings"], window_id=_int(data["window"]),
                    department_id=_int(data["department"]), photos=request.FILES.getlist("photos"))
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"window_id": "window", "department_id": "department"})
            else:
                messages.success(request, _("已记录明察暗访"))
                return redirect("workbench:supervision_inspection", pk=inspection.pk)
        status = 400
    return render(request, "workbench/supervision/inspection_new.html", {"form": form}, status=status)


def _render_inspection(request, inspection: Inspection, *, notice_form=None, rect_actions=None, status: int = 200):
    today = timezone.localdate()
    rows = []
    for row in inspection.rectifications.select_related("department").order_by("id"):
        forms = (rect_actions or {}).get(row.pk) or _forms(rectification_registry, request.user, row)
        rows.append({"row": row, "actions": forms})
    return render(request, "workbench/supervision/inspection.html", {
        "inspection": inspection, "rows": rows, "today": today,
        "photos": inspection.photos.all(),
        "records": selectors.records_from("inspection", inspection.pk),
        "notice_form": notice_form or f.NoticeForm(departments=Department.objects.order_by("code"),
                                                   initial={"text": inspection.findings,
                                                            "department": inspection.department_id}),
        "events": audit_selectors.events_for(f"inspection:{inspection.pk}"),
        "is_office": access.is_office(request.user)}, status=status)


def _inspection_or_404(user, pk: int) -> Inspection:
    inspection = selectors.get_inspection(pk)
    if inspection is None:
        raise Http404
    if not access.is_office(user) and not inspection.rectifications.filter(
            department_id__in=sorted(access.department_ids(user))).exists():
        raise Http404
    return inspection


@staff_required
@require_GET
def inspection_detail(request, pk: int):
    return _render_inspection(request, _inspection_or_404(request.user, pk))


@office_required
@require_POST
def issue_notice(request, pk: int):
    inspection = _inspection_or_404(request.user, pk)
    form = f.NoticeForm(request.POST, departments=Department.objects.order_by("code"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.issue_notice(actor=request.user, inspection=inspection, text=data["text"], rectifications=[
                {"department_id": _int(data["department"]), "finding": data["finding"],
                 "requirement": data["requirement"], "days": data["days"]}])
        except DomainError as exc:
            add_domain_error(form, exc, aliases={f"rectifications.0.{k}": k for k in ("finding", "requirement", "days")}
                             | {"rectifications.0.department_id": "department"})
        else:
            messages.success(request, _("已印发通报并下达整改任务"))
            return redirect("workbench:supervision_inspection", pk=inspection.pk)
    return _render_inspection(request, inspection, notice_form=form, status=400)


@staff_required
@require_GET
def notice_pdf(request, pk: int):
    inspection = _inspection_or_404(request.user, pk)
    response = HttpResponse(notices.notice_pdf(inspection), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{inspection.pk}.pdf"'
    return response


@staff_required
@require_GET
def inspection_photo(request, pk: int, photo_id: int):
    inspection = _inspection_or_404(request.user, pk)
    photo = InspectionPhoto.objects.filter(pk=photo_id, inspection=inspection).first()
    return serve_protected(request, photo.file if photo else None, allowed=photo is not None,
                           download_name=f"inspection-{inspection.pk}-{photo_id}")


@staff_required
@require_POST
def rectification_action(request, pk: int, action: str):
    row = Rectification.objects.select_related("inspection").filter(pk=pk).first()
    if row is None or not _may_see_unit_work(request.user, row.department_id):
        raise Http404
    done, actions = _act(request, rectification_registry, row, action)
    if done:
        return redirect("workbench:supervision_inspection", pk=row.inspection_id)
    inspection = _inspection_or_404(request.user, row.inspection_id)
    return _render_inspection(request, inspection, rect_actions={row.pk: actions}, status=400)


# -- accountability ---------------------------------------------------------------------------------------

@office_required
@require_http_methods(["GET", "POST"])
def accountability(request):
    departments = Department.objects.order_by("code")
    inspections = selectors.inspections()[:50]
    initial: dict[str, object] = {"decided_on": timezone.localdate()}
    if request.GET.get("inspection"):
        found = selectors.get_inspection(_int(request.GET.get("inspection")) or 0)
        if found is not None:
            initial.update(inspection=str(found.pk), grounds="inspection", department=found.department_id)
    form = f.AccountabilityForm(request.POST or None, departments=departments, inspections=inspections,
                                initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_accountability(
                    actor=request.user, department_id=_int(data["department"]), official_name=data["official_name"],
                    grounds=data["grounds"], measure=data["measure"], facts=data["facts"],
                    decided_on=data["decided_on"], inspection_id=_int(data["inspection"]),
                    source_label=data["source_label"], source_kind="other" if data["source_label"] else "")
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"department_id": "department", "inspection_id": "inspection"})
            else:
                messages.success(request, _("已记录问责"))
                return redirect("workbench:supervision_accountability")
        status = 400
    page = Paginator(selectors.accountability_records(), 20).get_page(request.GET.get("page"))
    return render(request, "workbench/supervision/accountability.html", {"form": form, "page": page},
                  status=status)
