"""The staff sign-in (工作人员入口). Applicants have their own on the public site (portal_account:login):
an applicant account that signs in here is refused with the way to it, so the two doors stay apart
and an applicant never lands in the staff pages' session length."""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from onewindow.orgs import selectors as org_selectors


class StaffSignInForm(AuthenticationForm):
    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not org_selectors.is_staff_member(user) and org_selectors.applicant_for_user(user) is not None:
            raise ValidationError(_("这是工作人员入口。申请人请从“申请人登录”进入（页面顶部的“登录”）。"),
                                  code="applicant_at_staff_login")


class StaffLoginView(LoginView):
    template_name = "workbench/login.html"
    authentication_form = StaffSignInForm
