"""The public site: browse and search the catalog, read an item's one-time notice (page and PDF),
bundles, departments, life events, announcements and the reform's numbers. Views only parse input,
call catalog selectors and render."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET

from onewindow.catalog import selectors
from onewindow.catalog.models import AnnouncementKind, ItemKind
from onewindow.core import uploads
from onewindow.core.errors import NotFound
from onewindow.reform import charts as reform_charts
from onewindow.reform import selectors as reform_selectors

from . import charts
from .pdf import notice_pdf

PAGE_SIZE = 20


def _page(request, rows, *, per_page: int = PAGE_SIZE):
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


def _querystring(params: dict) -> str:
    """The current filters without the page number, for pagination links."""
    kept = {key: value for key, value in params.items() if value not in (None, "") and key != "page"}
    return urlencode(kept)


def _zero_run(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


# The home page draws the limits of each department only for a small catalog: a province's has ~1,500
# departments (the reform page, by region, has the details).
HOME_CHART_DEPARTMENTS = 20


def _reform_context() -> dict:
    summary = selectors.reform_summary()
    visits = selectors.visit_distribution(summary)
    limit_rows = [{"name": row["department_name"], "legal_avg": row["avg_legal_days"],
                   "committed_avg": row["avg_committed_days"]} for row in summary["by_department"]]
    return {
        "summary": summary,
        "visits": visits,
        "limit_chart": charts.limit_bars_svg(limit_rows) if len(limit_rows) <= HOME_CHART_DEPARTMENTS else "",
        "visits_chart": charts.visits_donut_svg(visits),
    }


@require_GET
def home(request):
    # A province's catalog has ~1,500 departments (a dozen in each county): the home page lists its regions,
    # each a link to the search filtered by region; a catalog of one region lists its departments.
    regions = selectors.regions_to_choose()
    return render(request, "portal/home.html", {
        "life_events": selectors.life_events_with_counts(),
        "regions": regions,
        "departments": [] if regions else selectors.departments_with_counts(),
        "bundles": selectors.bundles(),
        "latest_announcements": selectors.announcements(limit=5),
        **_reform_context(),
    })


def _item_list_params(request) -> dict:
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "region": request.GET.get("region", "").strip()[:12],
        "department": request.GET.get("department", "").strip()[:64],
        "life_event": request.GET.get("life_event", "").strip()[:64],
        "kind": request.GET.get("kind", "").strip() if request.GET.get("kind") in ItemKind.values else "",
        "zero_run": request.GET.get("zero_run", "") if request.GET.get("zero_run") in ("0", "1") else "",
    }
    params["region"], params["department"] = selectors.search_region_and_department(params["region"],
                                                                                   params["department"])
    return params


def _item_results_html(template: str, params: dict, page: str) -> str:
    """The search results (or the live search's suggestions) for `params`: they depend on the published
    catalog, the language and the parameters only, so they are kept per catalog version."""
    items = selectors.search_items(
        query=params["q"], department_code=params["department"] or None, region_code=params["region"] or None,
        life_event_code=params["life_event"] or None, kind=params["kind"] or None,
        zero_run=_zero_run(params["zero_run"]),
    )
    return render_to_string(template, {
        "page_obj": Paginator(items, PAGE_SIZE).get_page(page),
        "params": params,
        "querystring": _querystring(params),
    })


def _item_filters_html(params: dict, *, swap: bool = False) -> str:
    """The filter menus, kept per catalog version. A province's catalog has a dozen departments in each
    of ~100 counties: the region comes first and the department menu lists that region's departments
    (every department when the catalog has one region only). `swap`: as an htmx out-of-band swap, for
    the live search after the region changed."""
    regions = selectors.regions_to_choose()
    departments = selectors.departments_with_counts(params["region"] or None) \
        if params["region"] or not regions else []
    return render_to_string("portal/_item_filters.html", {
        "params": params,
        "regions": regions,
        "departments": departments,
        "life_events": selectors.life_events_with_counts(),
        "kinds": ItemKind.choices,
        "swap": swap,
    })


@require_GET
def item_list(request):
    params = _item_list_params(request)
    page = request.GET.get("page", "")[:12]
    version = selectors.catalog_version()
    # Live search (htmx) swaps only the results; a normal GET (no JS), a boosted link and htmx's
    # history restore (cache miss on "back") render the whole page.
    partial = request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request
    template = ("portal/_item_suggest.html" if partial and request.GET.get("suggest")
                else "portal/_item_results.html")
    results = selectors.remember(("item_results", template, *params.values(), page),
                                 lambda: _item_results_html(template, params, page), size=len, version=version)
    # The department menu depends on the region: a live search started by the region menu swaps the
    # menus too (out of band), the other menus and the search box swap the results only.
    swap = bool(partial and request.htmx.trigger_name == "region")
    if partial and not swap:
        return HttpResponse(results)
    if swap:
        response = HttpResponse(results + _item_filters(params, version, swap=True))
        # The address bar shows the filters in force (a department of the previous region is dropped).
        query = _querystring(params)
        response["HX-Push-Url"] = reverse("portal:item_list") + (f"?{query}" if query else "")
        return response
    # The whole search page but the site's frame (which carries the visitor's CSRF token) is kept too.
    body = selectors.remember(("item_search", *params.values(), page), lambda: render_to_string(
        "portal/_item_search.html", {"params": params, "filtered": any(params.values()), "results": results,
                                     "filters": _item_filters(params, version)}), size=len, version=version)
    return render(request, "portal/item_list.html", {"body": body})


def _item_filters(params: dict, version: str, *, swap: bool = False) -> str:
    filters = [params[key] for key in ("region", "department", "life_event", "kind", "zero_run")]
    return selectors.remember(("item_filters", swap, *filters), lambda: _item_filters_html(params, swap=swap),
                              size=len, version=version)


def _item_or_404(code: str):
    try:
        return selectors.get_item(code)
    except NotFound as exc:
        raise Http404(exc.message) from None


def item_url(code: str) -> str:
    """The item's public page as an absolute URL (printed on the PDF as a QR code)."""
    return settings.SITE_URL + reverse("portal:item_detail", args=[code])


def _item_detail_parts(code: str, today) -> tuple[str, str]:
    """(title, body) of an item's page, the one-time notice: kept per catalog version, language and day
    (the printed copy carries the date). Unknown codes and drafts raise Http404 and are not kept."""
    item = _item_or_404(code)
    notice = selectors.one_time_notice(item)
    body = render_to_string("portal/_item_notice.html", {
        "item": item, "notice": notice, "item_url": item_url(code), "children": selectors.item_children(item),
        "parent": item.parent if item.parent_id and item.parent.status != "draft" else None,
        "printed_on": today,
    })
    return notice.name, body


@require_GET
def item_detail(request, code: str):
    today = timezone.localdate()
    title, body = selectors.remember(("item_detail", code, today), lambda: _item_detail_parts(code, today),
                                     size=lambda parts: len(parts[1]))
    return render(request, "portal/item_detail.html", {"title": title, "body": body})


@require_GET
def item_notice_pdf(request, code: str):
    item = _item_or_404(code)
    notice = selectors.one_time_notice(item)
    data = notice_pdf(notice, item_url=item_url(code), printed_on=timezone.localdate())
    response = HttpResponse(data, content_type="application/pdf")
    # An ASCII file name: the code identifies the item; browsers show the PDF inline.
    response["Content-Disposition"] = f'inline; filename="notice-{item.pk}.pdf"'
    return response


# kind in the URL -> (Material field, what the downloaded file is called)
MATERIAL_FILES = {"blank": ("blank_form", gettext_noop("空白表格")),
                  "sample": ("sample_file", gettext_noop("填写样例"))}
_UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@require_GET
def material_file(request, code: str, material_id: int, kind: str):
    """A material's blank form or filled-in sample, as a download named after the material. Only for
    public items; the stored file is streamed by this view, never exposed as a media URL."""
    if kind not in MATERIAL_FILES:
        raise Http404
    field, label = MATERIAL_FILES[kind]
    item = _item_or_404(code)
    material = next((m for m in item.materials.all() if m.pk == material_id), None)
    if material is None:
        raise Http404(_("没有找到该文件"))
    name = _UNSAFE_IN_NAME.sub("_", f"{material.name}-{_(label)}").strip(" ._") or kind
    return uploads.serve_protected(request, getattr(material, field), allowed=True, download_name=name)


@require_GET
def bundle_list(request):
    return render(request, "portal/bundle_list.html", {"bundles": selectors.bundles()})


@require_GET
def bundle_detail(request, code: str):
    try:
        bundle = selectors.get_bundle(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "portal/bundle_detail.html", {
        "bundle": bundle, "notice": selectors.bundle_notice(bundle),
    })


@require_GET
def department_list(request):
    return render(request, "portal/department_list.html", {"departments": selectors.departments_with_counts()})


@require_GET
def life_event_detail(request, code: str):
    try:
        event = selectors.get_life_event(code)
    except NotFound as exc:
        raise Http404(exc.message) from None
    items = selectors.search_items(life_event_code=code)
    return render(request, "portal/life_event_detail.html", {
        "event": event, "page_obj": _page(request, items),
        "bundles": selectors.bundles().filter(life_event=event),
        "querystring": _querystring({"q": ""}),
    })


@require_GET
def announcement_list(request):
    kind = request.GET.get("kind", "")
    kind = kind if kind in AnnouncementKind.values else ""
    rows = selectors.announcements(kind=kind or None)
    return render(request, "portal/announcement_list.html", {
        "page_obj": _page(request, rows), "kind": kind, "kinds": AnnouncementKind.choices,
        "querystring": _querystring({"kind": kind}),
    })


@require_GET
def reform(request):
    """改革成效, measured: the catalog's plan beside what the concluded cases measured, for the whole
    installation or one region picked from a list (a province's page never lists every region's
    departments at once)."""
    region = reform_selectors.region_by_code(request.GET.get("region", ""))
    d = reform_selectors.dashboard(region)
    return render(request, "portal/reform.html", {
        "d": d, "charts": reform_charts.dashboard_charts(d), "regions": reform_selectors.regions(),
        "region": region, "summary": d.summary,
    })
