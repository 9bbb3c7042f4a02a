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

from onewindow.calendar import selectors as calendar_selectors
from onewindow.cases import selectors as case_selectors
from onewindow.cases.states import FINAL_CASE_STATES, CaseState, TaskState
from onewindow.orgs.models import Role

from .common import page, querystring, roles, staff_required

INBOX_STATES = [
    ("open", _("待办")),
    (TaskState.SUSPENDED.value, TaskState.SUSPENDED.label),
    (TaskState.APPROVED.value, TaskState.APPROVED.label),
    (TaskState.DENIED.value, TaskState.DENIED.label),
]
LIGHTS = [("green", _("绿灯：正常")), ("yellow", _("黄灯：临近期限")), ("red", _("红灯：已超期"))]
DEPARTMENT_ROLES = {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}
CASE_LIST_ROLES = {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}


def days_left(due_on: date | None, today: date) -> int | None:
    """Working days from today to the due date (negative when overdue)."""
    if due_on is None:
        return None
    return calendar_selectors.working_days_between(today, due_on).working_days


def _clock(case, today: date) -> dict:
    """The light once the clock runs (from acceptance), and the working days left until decided."""
    if case.accepted_on is None:
        return {"light": None, "days_left": None}
    running = case.state not in FINAL_CASE_STATES and case.state != CaseState.APPROVED
    return {
        "light": case_selectors.light(case, today=today),
        "days_left": days_left(case.due_on, today) if running else None,
    }


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
            "task_days_left": days_left(task.due_on, today),
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
    params = {
        "state": request.GET.get("state", "") if request.GET.get("state") in CaseState.values else "",
        "light": request.GET.get("light", "") if request.GET.get("light") in dict(LIGHTS) else "",
        "q": request.GET.get("q", "").strip()[:40],
        "since": request.GET.get("since", "") if parse_date(request.GET.get("since") or "") else "",
        "until": request.GET.get("until", "") if parse_date(request.GET.get("until") or "") else "",
    }
    today = timezone.localdate()
    cases = case_selectors.cases_visible_to(request.user).select_related("item", "applicant", "centre")
    if params["state"]:
        cases = cases.filter(state=params["state"])
    if params["q"]:
        cases = cases.filter(number__icontains=params["q"])
    if params["since"]:
        cases = cases.filter(submitted_at__date__gte=parse_date(params["since"]))
    if params["until"]:
        cases = cases.filter(submitted_at__date__lte=parse_date(params["until"]))
    if params["light"]:
        # The light is the cases app's rule on working days, decided in SQL from the stored due dates
        # (selectors.filter_by_light): the list is paged by the database whatever the table's size.
        cases = case_selectors.filter_by_light(cases, params["light"], today=today)
    cases = cases.order_by("-submitted_at", "-id")
    page_obj = page(request, cases)
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
            "querystring": querystring(params),
        },
    )
