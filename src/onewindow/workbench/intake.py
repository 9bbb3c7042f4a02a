"""综合窗口受理: the window clerk's intake screen. The clerk picks an item (or a bundle), enters or looks
up the applicant, ticks the material checklist and ends in exactly one decision; the cases service
`intake_at_window` does the rest. The item picker and the checklist are swapped by htmx; without
JavaScript the same links and forms reload the page."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from onewindow.cases import notices
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.models import Channel
from onewindow.catalog import selectors as catalog_selectors
from onewindow.catalog.bundles import bundle_materials
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.orgs import identity
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs import services as org_services
from onewindow.orgs.models import Role

from .common import add_domain_error, staff_required
from .forms import ApplicantForm, BundleChecklistForm, ChecklistForm

SEARCH_LIMIT = 12
# The service names the applicant's fields plainly; on this screen they carry a prefix.
APPLICANT_FIELDS = {
    "kind": "applicant_kind",
    "id_number": "applicant_id_number",
    "name": "applicant_name",
    "phone": "applicant_phone",
}


def clerk_required(view):
    """Only window clerks open the intake screen (the service checks the centre again)."""

    @staff_required
    def wrapper(request, *args, **kwargs):
        if Role.WINDOW_CLERK not in org_selectors.roles_of(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _item(code: str):
    try:
        return catalog_selectors.get_item(code)
    except NotFound:
        return None


def _bundle(code: str):
    try:
        return catalog_selectors.get_bundle(code)
    except NotFound:
        return None


def _checklist_context(*, item=None, bundle=None, form=None) -> dict:
    if item is not None and form is None:
        form = ChecklistForm(item=item, initial={"item_code": item.code})
    if bundle is not None and form is None:
        form = BundleChecklistForm(
            merged_materials=bundle_materials(bundle), initial={"bundle_code": bundle.code}
        )
    context = {"item": item, "bundle": bundle, "form": form}
    if item is not None:
        context["notice"] = catalog_selectors.one_time_notice(item)
    if bundle is not None:
        context["bundle_notice"] = catalog_selectors.bundle_notice(bundle)
    return context


def _page_context(request, *, applicant_form=None, **checklist) -> dict:
    query = request.GET.get("q", "").strip()[:100]
    return {
        "q": query,
        "results": catalog_selectors.search_items(query=query)[:SEARCH_LIMIT] if query else [],
        "bundles": catalog_selectors.bundles(),
        "applicant_form": applicant_form or ApplicantForm(),
        **_checklist_context(**checklist),
    }


@clerk_required
@require_http_methods(["GET", "POST"])
def intake(request):
    if request.method == "POST":
        if request.POST.get("bundle_code"):
            return _intake_bundle(request)
        return _intake_item(request)
    item = _item(request.GET["item"]) if request.GET.get("item") else None
    bundle = _bundle(request.GET["bundle"]) if request.GET.get("bundle") and item is None else None
    return render(request, "workbench/intake.html", _page_context(request, item=item, bundle=bundle))


@clerk_required
@require_GET
def item_results(request):
    """htmx: the picker's results as the clerk types (name, code or pinyin initials such as yyzz)."""
    query = request.GET.get("q", "").strip()[:100]
    results = catalog_selectors.search_items(query=query)[:SEARCH_LIMIT] if query else []
    return render(request, "workbench/intake/_results.html", {"q": query, "results": results})


@clerk_required
@require_GET
def checklist(request):
    """htmx: the checklist of the chosen item or bundle; a plain request gets the whole page."""
    if not request.htmx:
        return redirect(reverse("workbench:intake") + "?" + request.GET.urlencode())
    item = _item(request.GET["item"]) if request.GET.get("item") else None
    bundle = _bundle(request.GET["bundle"]) if request.GET.get("bundle") and item is None else None
    return render(request, "workbench/intake/_checklist.html", _checklist_context(item=item, bundle=bundle))


@clerk_required
@require_GET
@throttle("applicant_lookup", by="user", params=("applicant_id_number",))
def applicant_lookup(request):
    """htmx: is this number already registered? Shows the name and the masked number only. Each look-up
    that names someone is recorded on that applicant's audit chain, and a clerk's look-ups are rate
    limited (ONEWINDOW_THROTTLE_APPLICANT_LOOKUP), so the screen cannot be used to walk the register."""
    number = request.GET.get("applicant_id_number", "").strip()
    applicant = org_selectors.find_applicant_by_id_number(number) if number else None
    if applicant is not None:
        org_services.record_lookup(viewer=request.user, applicant=applicant)
    return render(
        request,
        "workbench/intake/_applicant.html",
        {
            "applicant": applicant,
            "number": number,
            "masked": identity.mask_id_number(applicant.id_number) if applicant else "",
        },
    )


def _applicant(form: ApplicantForm, clerk=None):
    """The registered applicant with this number (given the phone number the clerk adds when none is on
    record), or a new one (orgs validates the number)."""
    data = form.cleaned_data
    existing = org_selectors.find_applicant_by_id_number(data["applicant_id_number"])
    if existing is not None:
        if not existing.phone and data.get("applicant_phone"):
            org_services.add_applicant_phone(clerk=clerk, applicant=existing, phone=data["applicant_phone"])
        return existing
    return org_services.register_applicant(
        kind=data["applicant_kind"],
        name=data["applicant_name"],
        id_number=data["applicant_id_number"],
        phone=data["applicant_phone"],
    )


def _route_error(exc: DomainError, applicant_form, form) -> None:
    if exc.field in APPLICANT_FIELDS:
        add_domain_error(applicant_form, exc, aliases=APPLICANT_FIELDS)
    else:
        add_domain_error(form, exc)


def _intake_item(request):
    item = _item(request.POST.get("item_code", ""))
    if item is None:
        messages.error(request, _("请先选择要办理的事项"))
        return redirect("workbench:intake")
    applicant_form = ApplicantForm(request.POST)
    form = ChecklistForm(request.POST, item=item)
    if applicant_form.is_valid() and form.is_valid():
        try:
            # Registering a new applicant and the intake stand or fall together.
            with transaction.atomic():
                case = case_services.intake_at_window(
                    clerk=request.user,
                    item=item,
                    applicant=_applicant(applicant_form, request.user),
                    form_data=form.form_data(),
                    provided_material_ids=form.provided_material_ids(),
                    decision=form.cleaned_data["decision"],
                    waivers=form.waivers() or None,
                    defects=form.defects() or None,
                    reason=form.cleaned_data["reason"],
                    channel=form.intake_channel(),
                )
        except DomainError as exc:
            _route_error(exc, applicant_form, form)
        else:
            return redirect("workbench:intake_result", number=case.number)
    context = _page_context(request, applicant_form=applicant_form, item=item, form=form)
    return render(request, "workbench/intake.html", context, status=400)


def _intake_bundle(request):
    bundle = _bundle(request.POST.get("bundle_code", ""))
    if bundle is None:
        messages.error(request, _("请先选择要办理的“一件事”"))
        return redirect("workbench:intake")
    applicant_form = ApplicantForm(request.POST)
    form = BundleChecklistForm(request.POST, merged_materials=bundle_materials(bundle))
    if applicant_form.is_valid() and form.is_valid():
        centre = org_selectors.centres_of(request.user).first()
        try:
            with transaction.atomic():
                application = case_services.submit_bundle(
                    bundle=bundle,
                    applicant=_applicant(applicant_form, request.user),
                    channel=Channel.WINDOW,
                    centre=centre,
                    provided_material_ids=form.provided_material_ids(),
                    submitted_by=request.user,
                )
        except DomainError as exc:
            _route_error(exc, applicant_form, form)
        else:
            messages.success(
                request, _("“一件事”已登记，编号 %(number)s；请逐件受理。") % {"number": application.number}
            )
            return render(
                request,
                "workbench/intake_bundle_result.html",
                {
                    "application": application,
                    "cases": application.cases.select_related("item").order_by("id"),
                },
            )
    context = _page_context(request, applicant_form=applicant_form, bundle=bundle, form=form)
    return render(request, "workbench/intake.html", context, status=400)


@staff_required
@require_GET
def intake_result(request, number: str):
    """After the decision: the number, the query code for the applicant, the due date, and the notices."""
    try:
        case = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "workbench/intake_result.html",
        {
            "case": case,
            "notices": notices.available_notices(case),
            "track_url": notices.track_url(case),
        },
    )
