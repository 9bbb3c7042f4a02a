"""首席代表授权: the department head's page. The head of a department sees its delegations (in force
first), grants one to the department's chief representative — on named items or all the department's
items, for a period — and revokes one with a reason; catalog/delegations.py checks the role and
records each on the audit trail. To anyone who heads no department the page is a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.catalog import delegations
from onewindow.core.errors import DomainError
from onewindow.core.forms import choice_field
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import Department, Role

from .common import add_domain_error, staff_required


class GrantForm(forms.Form):
    representative = forms.ChoiceField(label=gettext_lazy("首席代表"))
    items = forms.MultipleChoiceField(label=gettext_lazy("授权事项"), required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      help_text=gettext_lazy("不选：该部门的全部事项"))
    valid_from = forms.DateField(label=gettext_lazy("授权起始日"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    valid_until = forms.DateField(label=gettext_lazy("授权截止日"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=gettext_lazy("留空：长期有效，直至撤销"))

    def __init__(self, *args, department: Department, **kwargs):
        super().__init__(*args, **kwargs)
        self.representatives = {str(u.pk): u for u in org_selectors.users_with_role(
            Role.CHIEF_REPRESENTATIVE, department=department)}
        choice_field(self, "representative").choices = [
            (key, f"{u.display_name or u.get_username()}（{u.get_username()}）") for key, u in self.representatives.items()]
        self.item_rows = {str(i.pk): i for i in delegations.department_items(department)}
        choice_field(self, "items").choices = [(key, i.name) for key, i in self.item_rows.items()]


def _department(request) -> Department:
    headed = delegations.headed_department_ids(request.user)
    if not headed:
        raise Http404
    wanted = request.GET.get("department") or request.POST.get("department")
    rows = Department.objects.filter(pk__in=headed).order_by("code")
    chosen = (rows.filter(code=wanted).first() if wanted else None) or rows.first()
    if chosen is None:
        raise Http404
    return chosen


@staff_required
@require_http_methods(["GET", "POST"])
def delegation_list(request):
    department = _department(request)
    form = GrantForm(request.POST or None, department=department)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rows = delegations.grant_delegation(
                    head=request.user, department=department,
                    representative=form.representatives[form.cleaned_data["representative"]],
                    items=[form.item_rows[k] for k in form.cleaned_data["items"]],
                    valid_from=form.cleaned_data["valid_from"], valid_until=form.cleaned_data["valid_until"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, _("已授权（%(n)s 条）。") % {"n": len(rows)})
                return redirect(f"{request.path}?department={department.code}")
        status = 400
    return render(request, "workbench/delegations.html", {
        "department": department,
        "departments": Department.objects.filter(pk__in=delegations.headed_department_ids(request.user)),
        "delegations": delegations.delegations_of(department),
        "form": form,
    }, status=status)


@staff_required
@require_POST
def delegation_revoke(request, delegation_id: int):
    if not delegations.headed_department_ids(request.user):
        raise Http404
    try:
        row = delegations.revoke_delegation(head=request.user, delegation_id=delegation_id,
                                            reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("workbench:delegations")
    messages.success(request, _("已撤销授权。"))
    return redirect(f"{redirect('workbench:delegations').url}?department={row.department.code}")
