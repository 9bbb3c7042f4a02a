"""One case on the workbench: its materials, stages, clock and record, and the forms of the actions the
viewer may take now. Each form posts to `case_action`, which parses it and calls one cases service;
a DomainError is shown beside the field it names and nothing changes."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as Forbidden
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from onewindow.audit import selectors as audit_selectors
from onewindow.cases import notices
from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.models import CaseMaterialStatus, FeeState
from onewindow.cases.states import FINAL_CASE_STATES, CaseState, TaskState
from onewindow.core.errors import DomainError, NotFound
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role

from . import forms as f
from .common import add_domain_error, roles, staff_required

CENTRE_ROLES = {Role.WINDOW_CLERK, Role.ADMINISTRATOR, Role.AGENT}
# Intake decisions and conclusion are the centre's own acts; an agent only acts for the applicant
# (supplies materials, pays), so it is not offered these forms.
CLERK_ROLES = CENTRE_ROLES - {Role.AGENT}
OVERSEER_ROLES = {Role.SUPERVISOR, Role.ADMINISTRATOR}


def _case_or_404(user, number: str):
    try:
        return case_selectors.get_case_for(user, number)
    except NotFound:
        raise Http404 from None


def _my_tasks(user, case, state: str):
    if not roles(user) & {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}:
        return []
    return list(case_selectors.inbox(user, state=state).filter(case=case).select_related("department"))


class Actions:
    """The actions the viewer may take on the case now, each with its (unbound or bound) form. Which
    ones are offered is presentation only: the service checks the rule again when the form is posted."""

    LABELS = {
        "accept": gettext_lazy("受理"),
        "request_supplement": gettext_lazy("一次性补正告知"),
        "refuse": gettext_lazy("不予受理"),
        "supply": gettext_lazy("补正材料已收齐"),
        "approve": gettext_lazy("审批通过"),
        "deny": gettext_lazy("不予许可"),
        "start_special_procedure": gettext_lazy("启动特别程序"),
        "end_special_procedure": gettext_lazy("结束特别程序"),
        "extend": gettext_lazy("延长办理期限"),
        "supply_waived": gettext_lazy("容缺材料已补齐"),
        "pay": gettext_lazy("登记缴费"),
        "conclude": gettext_lazy("办结送达"),
    }

    def __init__(self, user, case, *, data=None, posted: str | None = None):
        self.user, self.case = user, case
        self.data, self.posted = data, posted
        self.open_tasks = _my_tasks(user, case, TaskState.OPEN.value)
        self.suspended_tasks = _my_tasks(user, case, TaskState.SUSPENDED.value)
        centre_staff = bool(roles(user) & CENTRE_ROLES)
        clerk = bool(roles(user) & CLERK_ROLES)
        department_staff = bool(self.open_tasks or self.suspended_tasks)
        state = case.state
        materials = list(case.materials.select_related("material"))
        self.forms: dict[str, object] = {}
        if clerk and state == CaseState.SUBMITTED:
            missing = [cm for cm in materials if cm.status == CaseMaterialStatus.MISSING and cm.material_id]
            self._add("accept", f.AcceptForm).set_materials(
                missing, [cm for cm in missing if cm.material and cm.material.waivable]
            )
            self._add("request_supplement", f.SupplementRequestForm).set_materials(materials)
            self._add("refuse", f.RefuseForm)
        if centre_staff and state == CaseState.SUPPLEMENT_REQUESTED:
            pending = case.supplement_requests.filter(supplied_at__isnull=True).last()
            self._add("supply", f.SupplyForm).set_defects(pending.defects if pending else [])
            if clerk and pending and pending.task_id is None:
                self._add("refuse", f.RefuseForm)
        if self.open_tasks and state == CaseState.IN_PROGRESS:
            self._add("approve", f.ApproveForm).set_tasks(self.open_tasks)
            self._add("deny", f.DenyForm).set_tasks(self.open_tasks)
            self._add("request_supplement", f.SupplementRequestForm).set_materials(materials)
            self._add("start_special_procedure", f.SpecialProcedureForm).set_tasks(self.open_tasks)
        if self.suspended_tasks and state == CaseState.SUSPENDED:
            self._add("end_special_procedure", f.EndProcedureForm).set_procedures(
                list(case.special_procedures.filter(ended_on__isnull=True, task__in=self.suspended_tasks))
            )
        if (
            department_staff
            and state in (CaseState.IN_PROGRESS, CaseState.SUSPENDED)
            and case.item.extension_days
        ):
            self._add("extend", f.ExtendForm)
        owed = [cm for cm in materials if cm.status == CaseMaterialStatus.WAIVED and cm.supplied_at is None]
        if owed and (centre_staff or department_staff) and state not in (CaseState.CONCLUDED,):
            self._add("supply_waived", f.SupplyWaivedForm).set_materials(owed)
        unpaid = list(case.fees.filter(state=FeeState.UNPAID))
        if unpaid and (centre_staff or department_staff):
            self._add("pay", f.PaymentForm).set_fees(unpaid)
        if state == CaseState.APPROVED and (
            clerk or roles(user) & {Role.APPROVER, Role.CHIEF_REPRESENTATIVE}
        ):
            form = self._add("conclude", f.ConcludeForm)
            if case.delivery_method:  # a posted application's result goes back by post by default
                form.fields["delivery_method"].initial = case.delivery_method

    def _add(self, name: str, form_class):
        bound = self.data if self.posted == name else None
        form = form_class(bound, prefix=name)
        self.forms[name] = form
        return form

    def __iter__(self):
        for name, form in self.forms.items():
            yield {"name": name, "label": self.LABELS[name], "form": form}


def _perform(action: str, user, case, form):
    """Call the one service behind each action with the parsed form."""
    data = form.cleaned_data
    if action == "accept":
        return case_services.accept_case(
            clerk=user,
            case=case,
            waivers=form.waivers() or None,
            provided_material_ids=form.provided_material_ids(),
        )
    if action == "request_supplement":
        return case_services.request_supplement(actor=user, case=case, defects=form.defects())
    if action == "refuse":
        return case_services.refuse_case(clerk=user, case=case, reason=data["reason"])
    if action == "supply":
        return case_services.supply_supplement(
            actor=user, case=case, provided_material_ids=[int(i) for i in data["materials"]]
        )
    if action == "approve":
        return case_services.approve_task(approver=user, task=form.task(), opinion=data["opinion"])
    if action == "deny":
        return case_services.deny_task(approver=user, task=form.task(), reason=data["reason"])
    if action == "start_special_procedure":
        return case_services.start_special_procedure(
            approver=user,
            task=form.task(),
            kind=data["kind"],
            limit_days=data["limit_days"],
            reason=data["reason"],
        )
    if action == "end_special_procedure":
        return case_services.end_special_procedure(
            approver=user, procedure=form.procedures[data["procedure"]], outcome=data["outcome"]
        )
    if action == "extend":
        return case_services.extend_case(approver=user, case=case, days=data["days"], reason=data["reason"])
    if action == "supply_waived":
        return case_services.supply_waived_material(actor=user, case=case, material_id=int(data["material"]))
    if action == "pay":
        return case_services.record_payment(
            actor=user, fee=form.fees[data["fee"]], receipt_number=data["receipt_number"]
        )
    if action == "conclude":
        return case_services.conclude_case(
            actor=user,
            case=case,
            delivery_method=data["delivery_method"],
            delivery_address=data["delivery_address"],
            tracking_number=data["tracking_number"],
        )
    raise Http404


DONE = {
    "accept": gettext_lazy("已受理。"),
    "request_supplement": gettext_lazy("已出具补正材料通知书，计时暂停至补正。"),
    "refuse": gettext_lazy("已不予受理，并已报备。"),
    "supply": gettext_lazy("补正材料已登记。"),
    "approve": gettext_lazy("已审批通过。"),
    "deny": gettext_lazy("已作出不予许可决定，并已报备。"),
    "start_special_procedure": gettext_lazy("特别程序已启动，计时暂停；请打印特别程序告知书。"),
    "end_special_procedure": gettext_lazy("特别程序已结束，恢复计时。"),
    "extend": gettext_lazy("已延长办理期限；请打印延期告知书。"),
    "supply_waived": gettext_lazy("容缺材料已补齐。"),
    "pay": gettext_lazy("缴费已登记。"),
    "conclude": gettext_lazy("已办结。"),
}


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


def _render_detail(request, case, actions: Actions, *, status: int = 200, assign_form=None):
    today = timezone.localdate()
    progress = case_selectors.progress(case, today=today)
    running = case.state not in FINAL_CASE_STATES and case.state != CaseState.APPROVED
    return render(
        request,
        "workbench/case_detail.html",
        {
            "case": case,
            "progress": progress,
            "days_left": progress.working_days_left if running else None,
            "light": case_selectors.light(case, today=today),
            "materials": case.materials.select_related("material", "certificate"),
            "tasks": case.tasks.select_related("department", "completed_by").order_by("step", "id"),
            "events": audit_selectors.events_for(f"case:{case.number}"),
            "certificates": case.certificates.all(),
            "actions": list(actions),
            "agent_form": assign_form or agent_form(request.user, case),
            "notices": notices.available_notices(case),
            "track_url": notices.track_url(case),
        },
        status=status,
    )


@staff_required
@require_GET
def case_detail(request, number: str):
    case = _case_or_404(request.user, number)
    return _render_detail(request, case, Actions(request.user, case))


@staff_required
@require_POST
def case_action(request, number: str, action: str):
    case = _case_or_404(request.user, number)
    actions = Actions(request.user, case, data=request.POST, posted=action)
    form = actions.forms.get(action)
    if form is None:
        messages.error(request, _("该办件当前状态下不能进行此操作，或您无权办理。"))
        return redirect("workbench:case_detail", number=case.number)
    if form.is_valid():
        try:
            _perform(action, request.user, case, form)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, DONE[action])
            return redirect("workbench:case_detail", number=case.number)
    case.refresh_from_db()
    return _render_detail(request, case, actions, status=400)


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
    return _render_detail(request, case, Actions(request.user, case), status=400, assign_form=form)


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
