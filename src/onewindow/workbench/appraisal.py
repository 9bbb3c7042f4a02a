"""绩效考评: the efficiency office's appraisal pages — the board of a period (departments, centres or
window clerks, scored and ranked), one subject's score explained indicator by indicator, the cases
behind one indicator (paged), the XLSX export, the period's weights and closing the period.

Supervisors and administrators only (to anyone else these pages do not exist: 404)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.appraisal import selectors, services
from onewindow.appraisal.export import board_xlsx
from onewindow.appraisal.indicators import INDICATORS, PENDING_SOURCES, SOURCES, case_time_used
from onewindow.appraisal.models import PeriodKind, SubjectKind
from onewindow.appraisal.periods import containing, parse
from onewindow.core.errors import DomainError, ValidationError

from .common import page, querystring, staff_required


def _office(request) -> None:
    if not services.may_manage(request.user):
        raise Http404


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "minutes":
        return _("%(n)s 分钟") % {"n": f"{value:.1f}"}
    if unit == "points":
        return _("%(n)s 分") % {"n": f"{value:.1f}"}
    if unit == "count":
        return f"{value:g}"
    return f"{100 * value:.1f}%"


def _params(request) -> tuple[str, str]:
    key = request.GET.get("period") or containing(timezone.localdate(), PeriodKind.YEAR).key
    by = request.GET.get("by") or SubjectKind.DEPARTMENT
    return key, by


def _bad_request(request, exc: DomainError):
    return render(request, "workbench/appraisal/bad_request.html", {"title": _("参数有误"), "message": exc.message},
                  status=400)


@staff_required
@require_GET
def board(request):
    _office(request)
    key, by = _params(request)
    try:
        result = selectors.board(key, by)
    except ValidationError as exc:
        return _bad_request(request, exc)
    rows = [{"row": r, "cells": [(r.indicators.get(i.code), fmt(getattr(r.indicators.get(i.code), "value", None),
                                                                 i.unit)) for i in result.indicators]}
            for r in result.rows]
    ended = result.period.end < timezone.localdate()
    return render(request, "workbench/appraisal/board.html", {
        "board": result, "rows": rows, "key": key, "by": by, "kinds": SubjectKind.choices,
        "can_close": result.closed is None and ended, "pending": PENDING_SOURCES.values(),
        "sources": SOURCES.values(), "query": querystring({"period": key, "by": by}),
    })


@staff_required
@require_GET
def subject(request, key: str, by: str, subject_id: int):
    _office(request)
    try:
        row = selectors.subject_score(key, by, subject_id)
        ref = parse(key)
    except ValidationError as exc:
        return _bad_request(request, exc)
    if row is None:
        raise Http404
    lines = []
    for code, s in row.indicators.items():
        i = INDICATORS[code]
        lines.append({"s": s, "i": i, "value": fmt(s.value, i.unit), "target": fmt(float(s.target), i.unit),
                      "floor": fmt(float(s.floor), i.unit),
                      "drill": SOURCES[i.source].drill_down and s.denominator,
                      "share": (None if s.contribution is None or not _weight_with_data(row)
                                else round(s.contribution / _weight_with_data(row), 2))})
    return render(request, "workbench/appraisal/subject.html", {
        "row": row, "lines": lines, "key": key, "by": by, "period": ref,
        "closed": (selectors.period_row(ref) or None),
        "kind_label": dict(SubjectKind.choices)[by],
    })


def _weight_with_data(row) -> float:
    return float(sum(s.weight for s in row.indicators.values() if s.score is not None))


@staff_required
@require_GET
def cases(request, key: str, by: str, subject_id: int, code: str):
    _office(request)
    try:
        rows = selectors.cases_behind(key, by, subject_id, code)
        ref = parse(key)
    except ValidationError as exc:
        return _bad_request(request, exc)
    names = selectors.names(by, [subject_id])
    if subject_id not in names:
        raise Http404
    page_obj = page(request, rows)
    indicator = INDICATORS[code]
    timed = code == "legal_time_used"
    lines = [{"case": c, "used": case_time_used(c) if timed else None,
              "legal": (c.item.legal_limit_days or c.committed_limit_days) if timed else None,
              "decided": c.decided_at or c.concluded_at} for c in page_obj]
    return render(request, "workbench/appraisal/cases.html", {
        "indicator": indicator, "page_obj": page_obj, "lines": lines, "key": key, "by": by, "period": ref,
        "subject_id": subject_id, "subject_name": names[subject_id], "timed": timed,
        "querystring": "",
    })


@staff_required
@require_GET
def export(request):
    _office(request)
    key, by = _params(request)
    try:
        result = selectors.board(key, by)
    except ValidationError as exc:
        return _bad_request(request, exc)
    response = HttpResponse(board_xlsx(result),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="appraisal-{key}-{by}.xlsx"'
    return response


@staff_required
@require_POST
def close(request):
    _office(request)
    key, by = request.POST.get("period", ""), request.POST.get("by") or SubjectKind.DEPARTMENT
    try:
        services.close_period(actor=request.user, key=key)
    except ValidationError as exc:
        return _bad_request(request, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已关账：该期得分已保存，今后不再变化。"))
    return redirect(f"{reverse('workbench:appraisal')}?{querystring({'period': key, 'by': by})}")


@staff_required
@require_http_methods(["GET", "POST"])
def weights(request):
    _office(request)
    key = request.GET.get("period") or request.POST.get("period") or ""
    try:
        ref = parse(key)
    except ValidationError as exc:
        return _bad_request(request, exc)
    error = None
    if request.method == "POST":
        submitted = {code: {"weight": request.POST.get(f"{code}-weight", ""),
                            "target": request.POST.get(f"{code}-target", ""),
                            "floor": request.POST.get(f"{code}-floor", "")} for code in INDICATORS}
        try:
            services.set_weights(actor=request.user, key=ref.key, weights=submitted)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("权重已保存。"))
            return redirect(f"{reverse('workbench:appraisal')}?{querystring({'period': ref.key})}")
    current = selectors.weights_of(ref)
    row = selectors.period_row(ref)
    lines = [{"i": i, "w": current[code],
              "value": (request.POST.get(f"{code}-weight"), request.POST.get(f"{code}-target"),
                        request.POST.get(f"{code}-floor")) if error else None}
             for code, i in INDICATORS.items()]
    return render(request, "workbench/appraisal/weights.html", {
        "period": ref, "lines": lines, "closed": row is not None and row.is_closed, "error": error,
    }, status=400 if error else 200)
