"""Public pages about cases. Views parse input, call a cases service or selector and render:

- /track/ (办件查询): number + query code, no sign-in; a wrong code reads exactly like an unknown number;
- /certificates/verify/ and /certificates/<number>/: anyone checks that a certificate is genuine and valid;
- /apply/<item_code>/ and /apply/bundle/<code>/: online application by a signed-in applicant;
- /my/cases/: the signed-in applicant's own cases;
- the written notices that decide on an application (acceptance, refusal, denial decision) as PDFs, to
  the applicant only: on the progress page with the number and query code, or on their own case page."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import notices
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.models import Channel
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.bundles import bundle_materials
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.orgs import selectors as org_selectors

from .account_views import sign_in_first
from .cases_forms import ApplicationForm, BundleApplicationForm, TrackForm
from .ratings_views import case_rating
from .withdraw_views import can_withdraw

PAGE_SIZE = 20
NOT_FOUND = gettext_lazy("没有找到该办件。请核对办件编号和查询码（查询码见受理通知书或短信）。")


def _progress_context(case) -> dict:
    return {
        "case": case,
        "progress": case_selectors.progress(case, today=timezone.localdate()),
        "certificates": case.certificates.all(),
        "applicant_notices": notices.applicant_notices(case),
    }


@throttle("progress", params=("number",))
@require_GET
def track(request):
    """办件查询. The message for a wrong code is the message for an unknown number: the page must not
    tell a stranger that a number exists."""
    form = TrackForm(request.GET or None)
    context: dict = {"form": form}
    if form.is_bound and form.is_valid():
        number, code = form.cleaned_data["number"], form.cleaned_data["code"]
        try:
            case = case_selectors.get_case_by_query(number, code, for_progress=True)
        except NotFound:
            try:  # a bundle application (一件事) has one tracker for all its cases
                application = case_selectors.get_bundle_by_query(number, code)
            except NotFound:
                context["not_found"] = str(NOT_FOUND)
            else:
                context["bundle"] = case_selectors.bundle_progress(application, today=timezone.localdate())
        else:
            context.update(_progress_context(case))
            context["notice_query"] = urlencode({"number": case.number, "code": form.cleaned_data["code"]})
            context["case_rating"] = case_rating(case, look_up=False)
    return render(request, "portal/cases/track.html", context, status=404 if "not_found" in context else 200)


def _notice_response(case, kind: str) -> HttpResponse:
    """One of the applicant's notices (notices.APPLICANT_KINDS) as a PDF; 404 for another kind or one the
    case has no grounds for."""
    if kind not in notices.APPLICANT_KINDS:
        raise Http404
    try:
        data = notices.build_notice(case, kind)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{case.number}.pdf"'
    return response


@throttle("progress", params=("number",))
@require_GET
def track_notice(request, kind: str):
    """A notice for the applicant (acceptance, refusal, denial decision), opened with the number and query
    code like the progress page; a wrong code reads like an unknown number (404)."""
    form = TrackForm(request.GET or None)
    if not form.is_valid():
        raise Http404
    try:
        case = case_selectors.get_case_by_query(form.cleaned_data["number"], form.cleaned_data["code"])
    except NotFound:
        raise Http404 from None
    return _notice_response(case, kind)


@require_GET
def certificate_verify(request):
    number = request.GET.get("number", "").strip()[:50]
    if number:
        return redirect("portal_cases:certificate", number=number)
    return render(request, "portal/cases/certificate.html", {"number": ""})


@throttle("certificate")
@require_GET
def certificate(request, number: str):
    found = case_selectors.verify_certificate(number)
    return render(
        request,
        "portal/cases/certificate.html",
        {"number": number, "certificate": found},
        status=200 if found else 404,
    )


def _applicant_or_refuse(request):
    """The signed-in applicant; None (and the caller shows why) for staff accounts."""
    return org_selectors.applicant_for_user(request.user)


def _not_applicant(request):
    return render(request, "portal/cases/not_applicant.html", status=403)


def _principal(request) -> str:
    return f"user:{request.user.pk}"


def _online_centre(item, where, chosen: str | None):
    """The centre an online application goes to: the one the applicant chose among those that accept
    the item (就近办), else the county's centre of the item's region as before, else the first that accepts
    it; the submission refuses a centre that does not accept the item, naming those that do."""
    if chosen:
        return org_selectors.centre_by_code(chosen)
    default = org_selectors.online_centre(item.department.region)
    if where and (default is None or default.code not in {c.code for c in where}):
        return org_selectors.centre_by_code(where[0].code)
    return default


@throttle("apply", by="applicant", methods=("POST",))
@require_http_methods(["GET", "POST"])
def apply(request, item_code: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    try:
        item = catalog_selectors.get_item(item_code)
    except NotFound:
        raise Http404 from None
    applicant = _applicant_or_refuse(request)
    if applicant is None:
        return _not_applicant(request)
    where = catalog_selectors.accepting_centres(item)
    held = case_selectors.held_certificate_types(applicant)
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES, item=item, centres=where, held_certificate_types=held)
        if form.is_valid():
            try:
                case = case_services.submit_case(
                    item=item,
                    applicant=applicant,
                    channel=Channel.ONLINE,
                    centre=_online_centre(item, where, form.cleaned_data.get("centre")),
                    form_data=form.form_data(),
                    provided_material_ids=form.provided_material_ids(),
                    files=form.files_by_material() or None,
                    submitted_by=request.user,
                    idempotency_key=form.cleaned_data["token"],
                    principal=_principal(request),
                    require_complete=True,
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("申请已提交，办件编号 %(number)s，查询码 %(code)s。")
                    % {"number": case.number, "code": case.query_code},
                )
                return redirect("portal_cases:my_case", number=case.number)
    else:
        nearest = catalog_selectors.nearest_centre(where, applicant.address)
        form = ApplicationForm(item=item, centres=where, held_certificate_types=held, initial={
            "token": uuid.uuid4().hex, "centre": nearest.code if nearest else None})
    return render(
        request,
        "portal/cases/apply.html",
        {
            "item": item,
            "notice": catalog_selectors.one_time_notice(item),
            "form": form,
            "applicant": applicant,
        },
        status=400 if form.errors else 200,
    )


@throttle("apply", by="applicant", methods=("POST",))
@require_http_methods(["GET", "POST"])
def apply_bundle(request, code: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    try:
        bundle = catalog_selectors.get_bundle(code)
    except NotFound:
        raise Http404 from None
    applicant = _applicant_or_refuse(request)
    if applicant is None:
        return _not_applicant(request)
    merged = bundle_materials(bundle)
    if request.method == "POST":
        form = BundleApplicationForm(request.POST, merged_materials=merged)
        if form.is_valid():
            try:
                application = case_services.submit_bundle(
                    bundle=bundle,
                    applicant=applicant,
                    channel=Channel.ONLINE,
                    centre=org_selectors.online_centre(),
                    provided_material_ids=form.provided_material_ids(),
                    submitted_by=request.user,
                    idempotency_key=form.cleaned_data["token"],
                    principal=_principal(request),
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                messages.success(
                    request,
                    _("“%(name)s”已提交，一件事编号 %(number)s，共 %(n)s 个办件。")
                    % {"name": bundle.name, "number": application.number, "n": application.cases.count()},
                )
                return redirect("portal_cases:my_cases")
    else:
        form = BundleApplicationForm(merged_materials=merged, initial={"token": uuid.uuid4().hex})
    return render(
        request,
        "portal/cases/apply_bundle.html",
        {
            "bundle": bundle,
            "notice": catalog_selectors.bundle_notice(bundle),
            "form": form,
            "applicant": applicant,
        },
        status=400 if form.errors else 200,
    )


@require_GET
def my_cases(request):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    applicant = _applicant_or_refuse(request)
    if applicant is None:
        return _not_applicant(request)
    cases = (
        case_selectors.cases_visible_to(request.user)
        .filter(applicant=applicant)
        .select_related("item", "centre")
        .order_by("-submitted_at", "-id")
    )
    page_obj = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/cases/my_cases.html", {"page_obj": page_obj, "applicant": applicant})


@require_GET
def my_case(request, number: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    if _applicant_or_refuse(request) is None:
        return _not_applicant(request)
    try:
        case = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    context = _progress_context(case)
    context["track_url"] = notices.track_url(case)
    context["can_withdraw"] = can_withdraw(case)
    context["case_rating"] = case_rating(case)
    return render(request, "portal/cases/my_case.html", context)


@require_GET
def my_case_notice(request, number: str, kind: str):
    """A notice of the signed-in applicant's own case; 404 for anyone else's case, and for staff (who
    print it from the workbench)."""
    if not request.user.is_authenticated:
        return sign_in_first(request)
    applicant = _applicant_or_refuse(request)
    if applicant is None:
        raise Http404
    try:
        case = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    if case.applicant_id != applicant.pk:
        raise Http404
    return _notice_response(case, kind)
