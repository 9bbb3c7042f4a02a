"""Forms of the applicant's account pages: sign-in, registration, the phone code, withdrawal. They parse
input only; orgs.registration and the cases services decide, and their message lands beside the field."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import ApplicantKind

from .cases_forms import DomainErrorMixin


class ApplicantSignInForm(AuthenticationForm):
    """Django's sign-in form (django-axes counts its failures) that also takes an identity number: it
    is turned into the user name of the account linked to it before the password is checked."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名或证件号码")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autocapitalize": "none"})

    def clean(self):
        if self.cleaned_data.get("username"):
            self.cleaned_data["username"] = org_selectors.username_for_sign_in(self.cleaned_data["username"])
        return super().clean()


class RegistrationForm(DomainErrorMixin, forms.Form):
    """One form for persons and enterprises (the page shows the labels of the kind chosen)."""

    kind = forms.ChoiceField(choices=ApplicantKind.choices, widget=forms.HiddenInput)
    # Required-ness and every rule are orgs.registration's: its message names the field and the reason.
    name = forms.CharField(label=_("姓名"), max_length=200, required=False)
    id_number = forms.CharField(label=_("居民身份证号码"), max_length=40, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))
    legal_representative = forms.CharField(label=_("法定代表人姓名"), max_length=100, required=False)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "numeric"}))
    username = forms.CharField(label=_("用户名"), max_length=150, required=False,
                               help_text=_("字母、数字或 @ . + - _，登录时也可以用证件号码"),
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label=_("密码"), strip=False, required=False,
                               help_text=_("至少 8 位，不能全是数字，不能是常用密码"),
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password_again = forms.CharField(label=_("再次输入密码"), strip=False, required=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, kind: str = ApplicantKind.PERSON, **kwargs):
        super().__init__(*args, **kwargs)
        self.applicant_kind = kind if kind in ApplicantKind.values else ApplicantKind.PERSON
        self.fields["kind"].initial = self.applicant_kind
        if self.applicant_kind == ApplicantKind.ENTERPRISE:
            self.fields["name"].label = _("企业（组织）名称")
            self.fields["id_number"].label = _("统一社会信用代码")
            self.fields["phone"].label = _("经办人手机号码")
        else:
            del self.fields["legal_representative"]

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", _("两次输入的密码不一致") if cleaned.get("password_again")
                           else _("请再次输入密码"))
        return cleaned


class CodeForm(DomainErrorMixin, forms.Form):
    code = forms.CharField(label=_("短信验证码"), max_length=12, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "pattern": "[0-9]*", "placeholder": _("6 位数字")}))


class WithdrawForm(DomainErrorMixin, forms.Form):
    reason = forms.CharField(label=_("撤回理由"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("撤回后本次申请终止，不能恢复；如需办理须重新申请。"))
