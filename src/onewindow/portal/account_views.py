"""The applicant's account on the public site (申请人账号), apart from the staff entrance:

- /account/login/: sign in with the user name or the identity number. django-axes locks a user name
  at an address after repeated failures and core.security caps sign-in attempts per address, as on
  the staff sign-in (both know this page). `next` is followed only within this site; a staff account
  that signs in here goes to the workbench.
- /account/logout/: sign out (a POST: the button every page shows while signed in).
- /account/register/ and /account/register/confirm/: registration and the code sent to the phone
  (orgs.registration decides; notify sends the text message). The pending registration's id is kept in
  the session, so only the browser that registered can confirm it.

Signed-in pages are sent with `Cache-Control: private, no-store` (core.security), so after signing out
the back button shows nothing of the account."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView, redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from onewindow.core.errors import DomainError, NotFound
from onewindow.core.throttle import throttle
from onewindow.notify import services as notify_services
from onewindow.orgs import registration
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.identity import mask_phone
from onewindow.orgs.models import ApplicantKind

from . import account_session
from .account_forms import ApplicantSignInForm, CodeForm, RegistrationForm

PENDING = "onewindow.registration"
STAFF_PATHS = ("/staff/", "/admin/")


def sign_in_first(request):
    """The applicant sign-in, coming back here afterwards (pages for applicants only)."""
    return redirect_to_login(request.get_full_path(), login_url=reverse("portal_account:login"))


class ApplicantLoginView(LoginView):
    template_name = "portal/account/login.html"
    authentication_form = ApplicantSignInForm

    def get_initial(self):
        initial = super().get_initial()
        username = self.request.GET.get("username", "")
        if self.request.method == "GET" and username:
            initial["username"] = username[:150]
        return initial

    def get_success_url(self):
        target = self.get_redirect_url()  # `next`, only when it stays on this site; else ""
        if org_selectors.is_staff_member(self.request.user):
            return target if target.startswith(STAFF_PATHS) else reverse("workbench:home")
        return target or reverse("portal_cases:my_cases")

    def form_valid(self, form):
        response = super().form_valid(form)
        if not org_selectors.is_staff_member(self.request.user):
            account_session.mark_applicant(self.request)
        return response


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, _("您已退出登录。在公共电脑上使用的，请关闭浏览器窗口。"))
    return redirect("portal_account:login")


def _status(form, error: DomainError | None) -> int:
    if error is not None:
        return error.status_code
    return 400 if form.errors else 200


@throttle("register", methods=("POST",))
@require_http_methods(["GET", "POST"])
def register(request):
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind") if data.get("kind") in ApplicantKind.values else ApplicantKind.PERSON
    if request.user.is_authenticated:
        return render(request, "portal/account/register.html", {"signed_in": True, "kind": kind})
    form = RegistrationForm(request.POST if request.method == "POST" else None, kind=kind)
    error = None
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            confirmation = registration.start_registration(
                kind=form.applicant_kind, name=values["name"], id_number=values["id_number"], phone=values["phone"],
                username=values["username"], password=values["password"],
                legal_representative=values.get("legal_representative", ""),
                send_code=notify_services.send_confirmation_code)
        except DomainError as exc:
            error = exc
            form.add_domain_error(exc)
        else:
            request.session[PENDING] = confirmation.pk
            return redirect("portal_account:confirm")
    return render(request, "portal/account/register.html", {"form": form, "kind": form.applicant_kind},
                  status=_status(form, error))


def _lost(request):
    request.session.pop(PENDING, None)
    messages.error(request, _("注册信息已失效（超过有效期或已完成），请重新填写。"))
    return redirect("portal_account:register")


@require_http_methods(["GET", "POST"])
def confirm(request):
    confirmation = org_selectors.pending_registration(request.session.get(PENDING))
    if confirmation is None:
        return _lost(request)
    form = CodeForm(request.POST if request.method == "POST" else None)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            user = registration.confirm_registration(confirmation_id=confirmation.pk, code=form.cleaned_data["code"])
        except NotFound:
            return _lost(request)
        except DomainError as exc:
            error = exc
            form.add_domain_error(exc)
            confirmation.refresh_from_db()
        else:
            request.session.pop(PENDING, None)
            messages.success(request, _("手机号码已确认，账号已开通。请用刚才设置的密码登录。"))
            return redirect(f"{reverse('portal_account:login')}?{urlencode({'username': user.get_username()})}")
    now = timezone.now()
    context = {
        "form": form,
        "confirmation": confirmation,
        "phone": mask_phone(confirmation.phone),
        "window_record": confirmation.applicant_id is not None,
        "expired": now >= confirmation.expires_at,
        "attempts_left": max(0, registration.CODE_ATTEMPTS - confirmation.attempts),
        "max_attempts": registration.CODE_ATTEMPTS,
        "resend_in": max(0, registration.RESEND_SECONDS - int((now - confirmation.code_sent_at).total_seconds())),
        "sends_left": max(0, registration.MAX_SENDS - confirmation.sends),
        "minutes": registration.CODE_MINUTES,
    }
    return render(request, "portal/account/confirm.html", context, status=_status(form, error))


@throttle("register", methods=("POST",))
@require_POST
def resend(request):
    try:
        confirmation = registration.resend_code(confirmation_id=request.session.get(PENDING),
                                                send_code=notify_services.send_confirmation_code)
    except NotFound:
        return _lost(request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("新的验证码已发送至 %(phone)s，之前的验证码不再有效。")
                         % {"phone": mask_phone(confirmation.phone)})
    return redirect("portal_account:confirm")
