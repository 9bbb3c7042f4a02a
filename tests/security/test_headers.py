"""Security headers on pages and API, and templates that keep to the Content-Security-Policy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import onewindow
from onewindow.core.security import content_security_policy
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SRC = Path(onewindow.__file__).parent
def _assert_common_headers(response):
    policy = response["Content-Security-Policy"]
    assert policy == content_security_policy()
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


@pytest.mark.parametrize("url", ["/", "/items/", "/track/", "/staff/login/", "/api/v1/items", "/api/v1/docs",
                                 "/api/v1/cases", "/no-such-page/"])
def test_every_response_carries_the_security_headers(url):
    response = Client().get(url)
    assert response.status_code < 500
    _assert_common_headers(response)


def test_signed_in_pages_are_never_cached():
    client = Client()
    public = client.get("/items/")
    assert "no-store" not in public.get("Cache-Control", "")
    client.force_login(make_staff("window_clerk"))
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]


def test_report_only_switch(settings):
    settings.CSP_REPORT_ONLY = True
    response = Client().get("/")
    assert "Content-Security-Policy" not in response
    assert response["Content-Security-Policy-Report-Only"] == content_security_policy()


def test_api_docs_load_their_scripts_from_our_own_origin():
    page = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn." not in page


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\s(on[a-z]+)\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"(?:href|src|action)\s*=\s*[\"']\s*javascript:", re.I)


def test_templates_have_no_inline_scripts_or_handlers_the_policy_would_block():
    offenders = set()
    for template in SRC.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        relative = str(template.relative_to(SRC))
        if INLINE_SCRIPT.search(text) or JS_URL.search(text):
            offenders.add(relative)
        elif INLINE_HANDLER.search(text):
            offenders.add(relative)
    assert not offenders, f"inline script blocked by the CSP in: {sorted(offenders)}"
