"""The language switch in every page's header, as a link: `GET /lang/en/?next=/items/`.

A link rather than Django's POST form (`set_language`, still served under /i18n/) so that a public
page carries no form and no CSRF token: an anonymous visitor reading the catalog gets no token cookie
made for them on every page (that was ~10 % of a public page's server time under load), and the page
is the same for everyone. Choosing a language changes nothing but the visitor's own language cookie,
so there is nothing for a forged request to gain."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

LANGUAGES = {code for code, _name in settings.LANGUAGES}


@require_GET
def switch_language(request, code: str):
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in LANGUAGES:
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, code, max_age=settings.LANGUAGE_COOKIE_AGE,
                            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                            samesite=settings.LANGUAGE_COOKIE_SAMESITE)
    return response
