"""/my/cases/<number>/withdraw/: the applicant withdraws their own application (撤回申请), in writing:
a confirmation page asks for the reason, then cases.services.withdraw_case decides (only while the case
is open: submitted, awaiting a supplement, under review or in a special procedure). Someone else's
case, or a number that does not exist, is a 404 alike."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from onewindow.cases import selectors as case_selectors
from onewindow.cases import services as case_services
from onewindow.cases.states import CASE_MACHINE
from onewindow.core.errors import DomainError, NotFound
from onewindow.orgs import selectors as org_selectors

from .account_forms import WithdrawForm
from .account_views import sign_in_first


def can_withdraw(case) -> bool:
    """Whether the case is in a state the withdrawal may leave (the one transition table, cases.states)."""
    return "withdraw" in CASE_MACHINE.allowed_actions(case.state)


@require_http_methods(["GET", "POST"])
def withdraw(request, number: str):
    if not request.user.is_authenticated:
        return sign_in_first(request)
    applicant = org_selectors.applicant_for_user(request.user)
    if applicant is None:
        return render(request, "portal/cases/not_applicant.html", status=403)
    try:
        case = case_selectors.get_case_for(request.user, number)
    except NotFound:
        raise Http404 from None
    if case.applicant_id != applicant.pk:  # an agent's view of a case is not the applicant's own
        raise Http404
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    status = 200 if can_withdraw(case) else 409
    if request.method == "POST" and form.is_valid():
        try:
            case_services.withdraw_case(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_domain_error(exc)
            status = exc.status_code
        else:
            messages.success(request, _("申请已撤回（办件编号 %(number)s）。") % {"number": case.number})
            return redirect("portal_cases:my_case", number=case.number)
    elif request.method == "POST":
        status = 400
    return render(request, "portal/cases/withdraw.html",
                  {"case": case, "form": form, "allowed": can_withdraw(case)}, status=status)
