"""One case on the workbench: its materials, stages, clock and record, and the forms of the actions the
viewer may take now — exactly those the cases action registry offers them (cases/actions.py; the forms
are built in workbench/case_actions.py). Each form posts to `case_action`, which parses it and acts
through the registry; a DomainError is shown beside the field it names and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from onewindow.audit import selectors as audit_selectors
from onewindow.cases import deadlines, notices
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.actions import registry
from onewindow.cases.states import FINAL_CASE_STATES
from onewindow.core.errors import DomainError, NotFound
from onewindow.core.uploads import serve_protected
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role
from onewindow.supervision import access as office_access
from onewindow.supervision import selectors as office_selectors
from onewindow.workflow import clock as generic_clock

from . import forms as f
from .case_actions import action_forms
from .common import add_domain_error, roles, staff_required

OVERSEER_ROLES = {Role.SUPERVISOR, Role.ADMINISTRATOR}


def _case_or_404(user, number: str):
    try:
        return case_selectors.get_case_for(user, number)
    except NotFound:
        raise Http404 from None


def may_assign_agent(user, case) -> bool:
    """Who is offered 指派代办员: a clerk of the case's centre or the efficiency office, while the case
    is open (cases.services.assign_agent checks the same rule again)."""
    if case.state in FINAL_CASE_STATES:
        return False
    held = roles(user)
    if held & OVERSEER_ROLES:
        return True
    return Role.WINDOW_CLERK in held and (
        org_selectors.users_with_role(Role.WINDOW_CLERK, centre=case.centre).filter(pk=user.pk).exists()
    )


def agent_form(user, case, data=None):
    """The 指派代办员 form for those who may assign, else None."""
    if not may_assign_agent(user, case):
        return None
    form = f.AgentAssignForm(data, prefix="assign_agent")
    form.set_agents(org_selectors.users_with_role(Role.AGENT), current=case.agent)
    return form


def _render_detail(request, case, actions: list[dict], *, status: int = 200, assign_form=None):
    today = timezone.localdate()
    progress = case_selectors.progress(case, today=today)
    light = case_selectors.light(case, today=today)
    open_clock = light in ("green", "yellow", "red", "paused")
    tasks = [{"row": task, "light": deadlines.task_light(task, today=today),
              "days_left": generic_clock.days_left(task, today=today, fields=deadlines.TASK_CLOCK)
              if deadlines.task_light(task, today=today) in ("green", "yellow", "red", "paused") else None}
             for task in case.tasks.select_related("department", "completed_by").order_by("step", "id")]
    return render(
        request,
        "workbench/case_detail.html",
        {
            "case": case,
            "progress": progress,
            "days_left": deadlines.days_left(case, today=today) if open_clock else None,
            "light": light,
            "materials": case.materials.select_related("material", "certificate"),
            "tasks": tasks,
            "events": audit_selectors.events_for(f"case:{case.number}"),
            "certificates": case.certificates.all(),
            "actions": actions,
            "agent_form": assign_form or agent_form(request.user, case),
            "notices": notices.available_notices(case),
            "track_url": notices.track_url(case),
            # The efficiency office's breaches and urgings of this case (supervision/_case.html).
            "supervision": office_selectors.case_supervision(case),
            "may_open_urgings": office_access.is_office(request.user) or bool(office_access.department_ids(request.user)),
        },
        status=status,
    )


@staff_required
@require_GET
def case_detail(request, number: str):
    case = _case_or_404(request.user, number)
    return _render_detail(request, case, action_forms(request.user, case))


@staff_required
@require_POST
def case_action(request, number: str, action: str):
    case = _case_or_404(request.user, number)
    actions = action_forms(request.user, case, data=request.POST, posted=action)
    offered = next((row for row in actions if row["name"] == action), None)
    if offered is None:
        messages.error(request, _("该办件当前状态下不能进行此操作，或您无权办理。"))
        return redirect("workbench:case_detail", number=case.number)
    form = offered["form"]
    if form.is_valid():
        try:
            registry.perform(request.user, case, action, form.params())
        except DomainError as exc:
            form.add_error(form.error_field(exc.field), exc.message)
        else:
            messages.success(request, str(form.offer.action.done_message))
            return redirect("workbench:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_detail(request, case, actions, status=400)


@staff_required
@require_GET
def material_file(request, number: str, row_id: int):
    """A document the applicant handed in, for staff who may see the case; each opening is recorded
    on the case's trail (cases.services.open_material_file). Anyone else gets the same 404 as a
    missing file."""
    try:
        row = case_services.open_material_file(viewer=request.user, number=number, material_row_id=row_id)
    except DomainError:
        raise Http404 from None
    return serve_protected(request, row.file, allowed=True, download_name=f"{number}-{row.pk}")


@staff_required
@require_POST
def assign_agent(request, number: str):
    """指派代办员: a thin page over cases.services.assign_agent."""
    case = _case_or_404(request.user, number)
    form = agent_form(request.user, case, data=request.POST)
    if form is None:
        raise Forbidden
    if form.is_valid():
        try:
            case_services.assign_agent(actor=request.user, case=case, agent=form.chosen_agent())
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            agent = form.chosen_agent()
            messages.success(request, _("已指派代办员：%(name)s") % {"name": agent.display_name or agent.get_username()})
            return redirect("workbench:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_detail(request, case, action_forms(request.user, case), status=400, assign_form=form)


@staff_required
@require_GET
def case_notice(request, number: str, kind: str):
    case = _case_or_404(request.user, number)
    try:
        data = notices.build_notice(case, kind)
    except NotFound:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{kind}-{case.number}.pdf"'
    return response
