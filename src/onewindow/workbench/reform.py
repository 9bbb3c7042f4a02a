"""改革成效 for leaders: the measured reform dashboard (as on the public site) and the what-if — compress
the committed limits of chosen items by a share and see from the last twelve months how each
department's late cases and load would change. Supervisors and administrators."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from onewindow.core.errors import ValidationError
from onewindow.orgs.models import Department
from onewindow.reform import charts, selectors, whatif

from .common import roles, staff_required

LEADER_ROLES = {"supervisor", "administrator"}


@staff_required
@require_GET
def reform(request):
    if not roles(request.user) & LEADER_ROLES:
        raise Http404
    region = selectors.region_by_code(request.GET.get("region", ""))
    d = selectors.dashboard(region)
    departments = Department.objects.filter(is_active=True, items__status="active").distinct().order_by("name")
    if region is not None:
        departments = departments.filter(region=region)
    context = {"d": d, "charts": charts.dashboard_charts(d), "regions": selectors.regions(), "region": region,
               "departments": departments[:300],
               "form": {name: request.GET.get(name, "") for name in ("department", "items", "share")}, "rows": None, "error": None}
    status = 200
    if "share" in request.GET:
        try:
            share = whatif.parse_share(request.GET.get("share", ""))
            items = whatif.chosen_items(department_code=request.GET.get("department", ""),
                                        item_codes=request.GET.get("items", "").split())
            rows = whatif.compress(items, share, start=d.start, end=timezone.localdate())
        except ValidationError as exc:
            context["error"], status = exc, 400
        else:
            context.update(rows=rows, total=whatif.totals(rows), share_pct=round(share * 100))
    return render(request, "workbench/reform.html", context, status=status)
