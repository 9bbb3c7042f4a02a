"""The department inbox (审批人员 / 首席代表: their open tasks, oldest due first) and the centre's case
list (window clerks: their centre's cases; supervisors and administrators: all). Both paged, each row
with its clock light and working days left."""

from __future__ import annotations

from datetime import date

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from onewindow.cases import deadlines
from onewindow.cases import selectors as case_selectors
from onewindow.cases.states import CaseState, TaskState
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role
from onewindow.workflow import clock as generic_clock

from .common import bounded_page, page, querystring, roles, staff_required

INBOX_STATES = [
    ("open", _("待办")),
    (TaskState.SUSPENDED.value, TaskState.SUSPENDED.label),
    (TaskState.APPROVED.value, TaskState.APPROVED.label),
    (TaskState.DENIED.value, TaskState.DENIED.label),
]
LIGHTS = [("green", _("绿灯：正常")), ("yellow", _("黄灯：临近期限")), ("red", _("红灯：已超期")),
          ("paused", _("暂停计时")), ("on_time", _("按时办结")), ("late", _("超期办结"))]
DEPARTMENT_ROLES = {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}
CASE_LIST_ROLES = {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}


def _clock(case, today: date) -> dict:
    """The case's light (cases/deadlines.py) and the days of its limit left, in its unit (frozen while
    paused; none once the clock stopped)."""
    light = case_selectors.light(case, today=today)
    open_clock = light in ("green", "yellow", "red", "paused")
    return {"light": light, "days_left": deadlines.days_left(case, today=today) if open_clock else None,
            "unit": case.limit_unit}


def _task_clock(task, today: date) -> dict:
    """The stage's own light and days left: a stage past its own limit is red even in a case on time."""
    light = deadlines.task_light(task, today=today)
    open_clock = light in ("green", "yellow", "red", "paused")
    return {"task_light": light,
            "task_days_left": generic_clock.days_left(task, today=today, fields=deadlines.TASK_CLOCK)
            if open_clock else None}


@staff_required
@require_GET
def inbox(request):
    if not roles(request.user) & DEPARTMENT_ROLES:
        raise Http404
    state = request.GET.get("state", "open")
    state = state if state in dict(INBOX_STATES) else "open"
    today = timezone.localdate()
    page_obj = page(request, case_selectors.inbox_list(request.user, state=state))
    rows = [
        {
            "task": task,
            "case": task.case,
            **_clock(task.case, today),
            **_task_clock(task, today),
        }
        for task in page_obj
    ]
    return render(
        request,
        "workbench/inbox.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "state": state,
            "states": INBOX_STATES,
            "querystring": querystring({"state": state}),
        },
    )


@staff_required
@require_GET
def case_list(request):
    if not roles(request.user) & CASE_LIST_ROLES:
        raise Http404
    centres = {str(c.pk): c for c in org_selectors.centres()}
    departments = {str(d.pk): d for d in org_selectors.departments()}
    params = {
        "state": request.GET.get("state", "") if request.GET.get("state") in CaseState.values else "",
        "light": request.GET.get("light", "") if request.GET.get("light") in dict(LIGHTS) else "",
        "centre": request.GET.get("centre", "") if request.GET.get("centre") in centres else "",
        "department": request.GET.get("department", "") if request.GET.get("department") in departments else "",
        "item": (request.GET.get("item") or "").strip()[:40],
        "q": request.GET.get("q", "").strip()[:40],
        "since": request.GET.get("since", "") if parse_date(request.GET.get("since") or "") else "",
        "until": request.GET.get("until", "") if parse_date(request.GET.get("until") or "") else "",
    }
    today = timezone.localdate()
    filters = case_selectors.CaseFilters(
        state=params["state"], light=params["light"], q=params["q"],
        centre_id=int(params["centre"]) if params["centre"] else None,
        department_id=int(params["department"]) if params["department"] else None,
        item_code=params["item"],
        since=parse_date(params["since"]) if params["since"] else None,
        until=parse_date(params["until"]) if params["until"] else None)
    cases = case_selectors.staff_case_list(request.user, filters, today=today).select_related(
        "item", "applicant", "centre")
    page_obj = bounded_page(request, cases)
    rows = [{"case": case, **_clock(case, today)} for case in page_obj]
    return render(
        request,
        "workbench/case_list.html",
        {
            "page_obj": page_obj,
            "rows": rows,
            "params": params,
            "states": CaseState.choices,
            "lights": LIGHTS,
            "centres": list(centres.values()),
            "departments": list(departments.values()),
            "querystring": querystring(params),
        },
    )
