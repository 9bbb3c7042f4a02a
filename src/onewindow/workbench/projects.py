"""Projects on the workbench (工程建设项目): the staff list (filters by light, kind and centre; paged),
registering a project, a project's page with its stage timeline (SVG) and the forms of the actions the
projects registry offers the viewer (projects/actions.py), and the coordinator's (帮办) list of their key
projects. Views parse input, call projects.services / selectors and render; a DomainError is shown beside
the field it names and nothing changes."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.audit import selectors as audit_selectors
from onewindow.core.errors import DomainError, NotFound
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Role, ServiceCentre
from onewindow.projects import access, selectors, services
from onewindow.projects.actions import registry
from onewindow.projects.plans import ProjectKind, StageKind
from onewindow.projects.timeline import timeline_svg
from onewindow.workflow import clock
from onewindow.workflow.clock import Light
from onewindow.workflow.forms import ActionForm

from .common import add_domain_error, page, querystring, roles, staff_required
from .forms import AgentAssignForm

LIST_ROLES = {Role.WINDOW_CLERK, Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR}
EVENT_LABELS = {
    "registered": gettext_lazy("登记项目"), "stage_started": gettext_lazy("启动阶段"),
    "cases_attached": gettext_lazy("关联办件"), "paused": gettext_lazy("等待申请人（暂停计时）"),
    "resumed": gettext_lazy("恢复计时"), "stage_completed": gettext_lazy("完成阶段"), "closed": gettext_lazy("项目办结"),
    "agent_assigned": gettext_lazy("指派帮办"),
}
LIGHT_CHOICES = [("open", gettext_lazy("未办结")), *Light.choices]


def _project_or_404(user, code: str):
    try:
        return selectors.get_for(user, code)
    except NotFound:
        raise Http404 from None


class RegisterForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("项目编号"), max_length=40)
    name = forms.CharField(label=gettext_lazy("项目名称"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("项目类型"), choices=ProjectKind.choices)
    centre = forms.ModelChoiceField(label=gettext_lazy("牵头中心"), queryset=ServiceCentre.objects.none())
    applicant = forms.CharField(label=gettext_lazy("建设单位统一社会信用代码"), max_length=18)
    is_key = forms.BooleanField(label=gettext_lazy("重点项目"), required=False)
    investment = forms.DecimalField(label=gettext_lazy("总投资（万元）"), required=False, max_digits=12,
                                    decimal_places=2)
    location = forms.CharField(label=gettext_lazy("建设地点"), max_length=200, required=False)

    def __init__(self, *args, centres, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres  # type: ignore[attr-defined]

    def clean_applicant(self):
        value = self.cleaned_data["applicant"].strip().upper()
        applicant = org_selectors.find_applicant_by_id_number(value)
        if applicant is None:
            raise forms.ValidationError(_("没有登记该统一社会信用代码的申请人"))
        return applicant


def _register_centres(user):
    if access.is_overseer(user):
        return ServiceCentre.objects.order_by("code")
    return ServiceCentre.objects.filter(pk__in=access.clerk_centre_ids(user)).order_by("code")


def clock_info(obj, today) -> dict:
    """The light and the days left (or overdue) of a project's or a stage's clock, for _light.html."""
    light, left = clock.light(obj, today=today), clock.days_left(obj, today=today)
    return {"light": light, "days_left": left if light in (Light.GREEN, Light.YELLOW) else None,
            "overdue": -left if light == Light.RED and left is not None else None}


def _rows(projects, today):
    return [{"project": p, **clock_info(p, today)} for p in projects]


@staff_required
@require_http_methods(["GET", "POST"])
def project_list(request):
    if not roles(request.user) & LIST_ROLES:
        raise Http404
    today = timezone.localdate()
    centres = _register_centres(request.user)
    form = None
    if centres.exists():
        form = RegisterForm(request.POST if request.method == "POST" else None, centres=centres, prefix="register")
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.register_project(
                    actor=request.user, code=data["code"], name=data["name"], kind=data["kind"],
                    centre=data["centre"], applicant=data["applicant"], is_key=data["is_key"],
                    investment=data["investment"], location=data["location"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("项目已登记：%(code)s") % {"code": project.code})
                return redirect("workbench:project_detail", code=project.code)
    visible_centres = ServiceCentre.objects.filter(
        pk__in=selectors.visible_to(request.user).values("centre_id")).order_by("code")
    params = {
        "light": request.GET.get("light", "") if request.GET.get("light") in dict(LIGHT_CHOICES) else "",
        "kind": request.GET.get("kind", "") if request.GET.get("kind") in ProjectKind.values else "",
        "centre": request.GET.get("centre", "") if request.GET.get("centre", "").isdigit() else "",
        "key": "1" if request.GET.get("key") == "1" else "",
    }
    rows = selectors.project_list(request.user, today=today, light=params["light"], kind=params["kind"],
                                  centre_id=int(params["centre"]) if params["centre"] else None,
                                  key_only=bool(params["key"]))
    page_obj = page(request, rows)
    counts = selectors.light_counts(today=today, queryset=selectors.visible_to(request.user))
    return render(request, "workbench/projects/list.html", {
        "page_obj": page_obj, "rows": _rows(page_obj, today), "params": params, "querystring": querystring(params),
        "lights": LIGHT_CHOICES, "light_counts": [(v, label, counts.get(v, 0)) for v, label in LIGHT_CHOICES],
        "kinds": ProjectKind.choices, "centres": visible_centres, "counts": counts,
        "form": form,
    }, status=400 if request.method == "POST" else 200)


def _action_forms(user, project, *, data=None, posted: str | None = None) -> list[dict]:
    return [{"name": offer.name, "label": offer.action.label,
             "form": ActionForm(offer, data if posted == offer.name else None)}
            for offer in registry.offers(user, project)]


def coordinator_form(user, project, data=None):
    """指派帮办 for a key project, offered to those who carry it while it is open."""
    if not project.is_key or project.state == "closed" or not access.manages(user, project):
        return None
    form = AgentAssignForm(data, prefix="coordinator")
    form.fields["agent"].label = _("帮办")
    form.set_agents(org_selectors.users_with_role(Role.AGENT), current=project.file.agent)
    return form


def _render_detail(request, project, actions, *, status=200, assign_form=None):
    today = timezone.localdate()
    view = selectors.view(project, today=today)
    return render(request, "workbench/projects/detail.html", {
        "project": project, "view": view, "timeline": timeline_svg(view), "actions": actions,
        "coordinator_form": assign_form or coordinator_form(request.user, project),
        "events": [{"event": e, "label": EVENT_LABELS.get(e.action.rsplit(".", 1)[-1], e.action),
                    "stage": StageKind(e.data["stage"]).label if (e.data or {}).get("stage") in StageKind.values else ""}
                   for e in audit_selectors.events_for(f"project:{project.code}")],
        "clock": clock_info(project, today),
        "stage_rows": [{"row": row, **clock_info(row.stage, today)} for row in view.stages],
        "unattached": selectors.unattached_cases(project),
    }, status=status)


@staff_required
@require_GET
def project_detail(request, code: str):
    project = _project_or_404(request.user, code)
    return _render_detail(request, project, _action_forms(request.user, project))


@staff_required
@require_POST
def project_action(request, code: str, action: str):
    project = _project_or_404(request.user, code)
    actions = _action_forms(request.user, project, data=request.POST, posted=action)
    offered = next((row for row in actions if row["name"] == action), None)
    if offered is None:
        messages.error(request, _("该项目当前状态下不能进行此操作，或您无权办理。"))
        return redirect("workbench:project_detail", code=project.code)
    form = offered["form"]
    if form.is_valid():
        try:
            registry.perform(request.user, project, action, form.params())
        except DomainError as exc:
            form.add_error(form.error_field(exc.field), exc.message)
        else:
            messages.success(request, str(form.offer.action.done_message))
            return redirect("workbench:project_detail", code=project.code)
    project.refresh_from_db()
    return _render_detail(request, project, actions, status=400)


@staff_required
@require_POST
def project_coordinator(request, code: str):
    project = _project_or_404(request.user, code)
    form = coordinator_form(request.user, project, data=request.POST)
    if form is None:
        raise Http404
    if form.is_valid():
        try:
            services.assign_coordinator(actor=request.user, project=project, coordinator=form.chosen_agent())
        except DomainError as exc:
            add_domain_error(form, exc, aliases={"coordinator": "agent"})
        else:
            agent = form.chosen_agent()
            messages.success(request, _("已指派帮办：%(name)s") % {"name": agent.display_name or agent.get_username()})
            return redirect("workbench:project_detail", code=project.code)
    return _render_detail(request, project, _action_forms(request.user, project), status=400, assign_form=form)


@staff_required
@require_GET
def my_projects(request):
    """帮办: the key projects I coordinate, each with its light and the stage it is in."""
    if Role.AGENT not in roles(request.user):
        raise Http404
    today = timezone.localdate()
    views = [selectors.view(p, today=today, with_cases=False) for p in selectors.coordinated_by(request.user)]
    return render(request, "workbench/projects/mine.html", {"views": views})
