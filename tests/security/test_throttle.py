"""Throttling of the public endpoints against enumeration and spam: the progress query and the
certificate check (page and API share one budget per address) and online applications (per account)."""

from __future__ import annotations

import socket
from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from onewindow.core import throttle
from tests.cases.factories import World

from .conftest import build_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def tight(settings, monkeypatch):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "progress": "3/m", "certificate": "2/m", "apply": "2/h"}
    # The windows are fixed (aligned to the clock): a test that straddles a minute's end would start a
    # fresh budget halfway. The throttle's clock stands still in the middle of a window here.
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))


def test_progress_queries_beyond_the_limit_get_429_on_page_and_api_alike(tight):
    m = build_matrix()
    client = Client(REMOTE_ADDR="10.1.1.1")
    url = reverse("portal_cases:track")
    # The empty form is not a query and costs nothing.
    for _ in range(5):
        assert client.get(url).status_code == 200
    for code in ("AAAAAA", "BBBBBB"):
        assert client.get(url, {"number": m.case_a.number, "code": code}).status_code == 404
    assert client.get(f"/api/v1/progress/{m.case_a.number}", {"query_code": m.case_a.query_code}).status_code == 200
    # The fourth query of the minute, whichever door it uses:
    page = client.get(url, {"number": m.case_a.number, "code": m.case_a.query_code})
    assert page.status_code == 429
    assert page["Content-Type"].startswith("text/html")
    assert "请求过于频繁" in page.content.decode()
    assert 1 <= int(page["Retry-After"]) <= 60
    api = client.get(f"/api/v1/progress/{m.case_a.number}", {"query_code": m.case_a.query_code})
    assert api.status_code == 429
    assert api["Content-Type"].startswith("application/json")
    assert api.json()["message"]
    assert int(api["Retry-After"]) >= 1
    # Another address still gets its answer.
    other = Client(REMOTE_ADDR="10.1.1.2")
    assert other.get(url, {"number": m.case_a.number, "code": m.case_a.query_code}).status_code == 200


def test_certificate_checks_are_limited_per_address(tight):
    client = Client(REMOTE_ADDR="10.1.1.3")
    assert client.get(reverse("portal_cases:certificate", args=["NO-SUCH-1"])).status_code == 404
    assert client.get("/api/v1/certificates/NO-SUCH-2").status_code == 200
    assert client.get(reverse("portal_cases:certificate", args=["NO-SUCH-3"])).status_code == 429
    assert client.get("/api/v1/certificates/NO-SUCH-4").status_code == 429


def _apply(client: Client, w: World, token: str):
    item = w.needs_licence
    data = {"token": token}
    for material in item.materials.all():
        data[f"provided_{material.pk}"] = "on"
    return client.post(reverse("portal_cases:apply", args=[item.code]), data)


def test_online_applications_are_limited_per_account(tight):
    m = build_matrix()
    w = m.world
    client = Client()
    client.force_login(w.applicant_user)
    # Showing the form is free.
    for _ in range(3):
        assert client.get(reverse("portal_cases:apply", args=[w.needs_licence.code])).status_code == 200
    assert _apply(client, w, "t1").status_code in (200, 302, 400)
    assert _apply(client, w, "t2").status_code in (200, 302, 400)
    before = w.applicant.cases.count()
    third = _apply(client, w, "t3")
    assert third.status_code == 429
    assert w.applicant.cases.count() == before
    # Another applicant's budget is their own.
    other = Client()
    other.force_login(w.stranger_user)
    assert _apply(other, w, "t4").status_code != 429


def test_api_submissions_by_staff_are_not_counted_as_spam(tight):
    m = build_matrix()
    from onewindow.api.auth import create_token

    token = create_token(user=m.world.clerk).raw
    for _ in range(4):
        response = Client().post("/api/v1/cases", data="{}", content_type="application/json",
                                 HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code != 429


def test_rates_parse_and_fail_loudly():
    assert throttle.parse_rate("20/m") == (20, 60)
    assert throttle.parse_rate("30/10m") == (30, 600)
    assert throttle.parse_rate("100/h") == (100, 3600)
    assert throttle.parse_rate("5/day") == (5, 86400)
    assert throttle.parse_rate("off") is None
    for bad in ("twenty/m", "20/fortnight", "0/m", "20"):
        with pytest.raises(ImproperlyConfigured):
            throttle.parse_rate(bad)


def test_switched_off_scope_never_limits(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "progress": "off"}
    assert all(throttle.hit("progress", "ip:1.2.3.4").allowed for _ in range(50))


def test_client_address_behind_a_proxy_ignores_what_the_client_forged(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.PROXY_COUNT = 0
    assert throttle.client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 1  # nginx appends the real peer: the right-most entry
    assert throttle.client_ip(request) == "203.0.113.9"
    bare = factory.get("/", REMOTE_ADDR="10.0.0.1")
    assert throttle.client_ip(bare) == "10.0.0.1"


def test_an_unreachable_cache_lets_requests_through():
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:1/0"}}):
        assert throttle.hit("progress", "ip:10.9.9.9").allowed


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.3).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_counters_work_on_redis(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "progress": "2/m"}
    with override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                               "LOCATION": "redis://127.0.0.1:6379/15",
                                               "KEY_PREFIX": "ow-security-test"}}):
        from django.core.cache import cache

        cache.clear()
        try:
            results = [throttle.hit("progress", "ip:10.8.8.8").allowed for _ in range(3)]
            assert results == [True, True, False]
        finally:
            cache.clear()
