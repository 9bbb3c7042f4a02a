"""报表: the monthly reports of the centres this account works at (supervisors and administrators:
every centre), each as CSV and PDF. The files are made by the background task
(jobs.tasks.build_report, on the 1st of each month) and stream only to those allowed (serve_protected):
to anyone else a report is a 404, like one that does not exist."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.core.errors import NotFound
from onewindow.core.uploads import serve_protected
from onewindow.jobs import selectors as job_selectors

from .common import page, staff_required

FORMATS = ("csv", "pdf")


@staff_required
@require_GET
def reports(request):
    if not job_selectors.can_see_reports(request.user):
        raise Http404
    page_obj = page(request, job_selectors.reports_visible_to(request.user))
    rows = [{"report": report, "total": (report.rows or [{}])[-1]} for report in page_obj]
    return render(request, "workbench/reports.html", {"page_obj": page_obj, "rows": rows})


@staff_required
@require_GET
def report_file(request, report_id: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404
    try:
        report = job_selectors.get_report_for(request.user, report_id)
    except NotFound:
        raise Http404 from None
    name = f"{report.centre.code}-{report.period:%Y-%m}-report"
    if fmt == "csv":
        return serve_protected(request, report.csv_file, allowed=True, download_name=f"{name}.csv")
    return serve_protected(request, report.pdf_file, allowed=True, download_name=name)
