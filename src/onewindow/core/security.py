"""HTTP-level protections that Django 5.2 does not ship itself:

- `SecurityHeadersMiddleware`: Content-Security-Policy (settings.CONTENT_SECURITY_POLICY: scripts only
  from our own origin, no inline script, no framing), Permissions-Policy (no camera, microphone,
  geolocation…), and `Cache-Control: private, no-store` on every response to a signed-in user, so a
  shared computer's back button or a proxy never shows someone's case to the next person;
- `LoginThrottleMiddleware`: a per-address cap on sign-in POSTs, whatever the user name (django-axes
  locks one user name + address pair; this stops one address trying one password on many names);
- `RejectNulMiddleware`: 400 for a NUL character in a path, query or text body (PostgreSQL refuses
  them, which would otherwise surface as a 500);
- `lockout_response`: what django-axes shows a locked-out sign-in (the login page with a clear Chinese
  message, HTTP 429).

The rest is Django's own (SecurityMiddleware: nosniff, referrer policy, COOP, HSTS; CSRF; clickjacking)
configured in settings.py."""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from . import throttle

PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    # Only features Chromium knows (an unknown one is a console warning on every page).
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "serial", "browsing-topics")
)


def content_security_policy() -> str:
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {"default-src": ["'self'"]}
    return "; ".join(f"{directive} {' '.join(sources)}" for directive, sources in policy.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        header = ("Content-Security-Policy-Report-Only" if getattr(settings, "CSP_REPORT_ONLY", False)
                  else "Content-Security-Policy")
        # A view may set a stricter policy of its own (a served upload: sandbox, no sources at all).
        if "Content-Security-Policy" not in response and header not in response:
            response[header] = content_security_policy()
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.setdefault("X-Content-Type-Options", "nosniff")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            response["Cache-Control"] = "private, no-store"
        return response


# Every sign-in page (URL name, its template for the lockout and throttle answers): the staff sign-in
# (settings.LOGIN_URL), the applicants' on the public site, the admin's.
LOGIN_PAGES = (("workbench:login", "workbench/login.html"), ("portal_account:login", "portal/account/login.html"),
               ("admin:login", "workbench/login.html"))


def _login_paths() -> dict[str, str]:
    """{path: template} of the sign-in pages."""
    paths: dict[str, str] = {}
    for name, template in ((settings.LOGIN_URL, "workbench/login.html"), *LOGIN_PAGES):
        try:
            paths.setdefault(reverse(name), template)
        except NoReverseMatch:
            if str(name).startswith("/"):
                paths.setdefault(str(name), template)
    return paths


class LoginThrottleMiddleware:
    """At most settings.THROTTLE_RATES["login"] sign-in POSTs per client address."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths: dict[str, str] | None = None

    def __call__(self, request):
        if request.method == "POST":
            if self._paths is None:
                self._paths = _login_paths()
            if request.path in self._paths:
                decision = throttle.hit("login", f"ip:{throttle.client_ip(request)}")
                if not decision.allowed:
                    minutes = max(1, math.ceil(decision.retry_after / 60))
                    message = _("该网络地址登录尝试过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": minutes}
                    response = _login_page(request, message)
                    response["Retry-After"] = str(decision.retry_after)
                    return response
        return self.get_response(request)


def _login_page(request, message: str) -> HttpResponse:
    context = {
        # The login template shows `form.non_field_errors`; a plain mapping stands in for the form so
        # that rendering never calls authenticate() again (which would count one more failure).
        "form": {"non_field_errors": [message]},
        "next": request.POST.get("next", "") if request.method == "POST" else "",
        "locked_out": True,
    }
    template = _login_paths().get(request.path, "workbench/login.html")
    try:
        return render(request, template, context, status=429)
    except TemplateDoesNotExist:
        return HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("密码错误次数过多，该账号在本设备上已被锁定 %(minutes)s 分钟。请稍后再试，"
             "或联系系统管理员解锁。锁定期间即使输入正确的密码也无法登录。") % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """django-axes AXES_LOCKOUT_CALLABLE: the sign-in page again, with the reason and for how long."""
    return _login_page(request, lockout_message())


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for sign-ins that come with a request (the login pages). A call to
    authenticate() without one comes from our own server-side code (the CLI, Django's test client):
    there is no remote client to count or lock, so it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


NUL_MESSAGE = "请求中含有不允许的控制字符（NUL） / the request contains a NUL character"


class RejectNulMiddleware:
    """400 for any request carrying a NUL character in its path, query or text body. No legitimate
    input has one, and PostgreSQL refuses NUL in text: without this check a `%00` in any URL or field
    becomes a database error and a 500 (found by the API fuzzer). File uploads (multipart) are binary
    and are checked by their form fields only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "invalid", "field": None, "message": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request) -> bool:
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return True
        if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
            return False
        content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if content_type == "multipart/form-data":
            return any("\x00" in value for values in request.POST.lists() for value in values[1])
        if content_type == "application/x-www-form-urlencoded":
            return b"%00" in request.body or b"\x00" in request.body
        if content_type in ("application/json", "text/plain"):
            return b"\x00" in request.body or b"\\u0000" in request.body
        return False
