"""Sign-in: lockout after repeated failures (django-axes, by user name + address), a per-address cap
on sign-in attempts, session cookies, CSRF and password hashing."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import global_settings
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, make_applicant_user, make_staff

pytestmark = pytest.mark.django_db
LOGIN = "/staff/login/"


def _login(client: Client, username: str, password: str, *, ip: str = "10.0.0.1", path: str = LOGIN):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_for_that_address_even_against_the_right_password():
    make_staff("window_clerk", username="clerk")
    client = Client()
    for _ in range(4):
        assert _login(client, "clerk", "wrong-password").status_code == 200  # the form again, with the error
    fifth = _login(client, "clerk", "wrong-password")
    assert fifth.status_code == 429
    sixth = _login(client, "clerk", TEST_PASSWORD)
    assert sixth.status_code == 429
    assert not _signed_in(client)
    text = sixth.content.decode()
    assert "锁定 15 分钟" in text and "正确的密码也无法登录" in text
    assert sixth["Content-Type"].startswith("text/html")


def test_lockout_is_per_user_name_and_address():
    make_staff("window_clerk", username="clerk")
    make_staff("approver", username="approver")
    attacker = Client()
    for _ in range(5):
        _login(attacker, "clerk", "wrong-password", ip="10.0.0.66")
    # The clerk at their own desk is not locked out by someone else's guessing …
    desk = Client()
    assert _login(desk, "clerk", TEST_PASSWORD, ip="10.0.0.7").status_code == 302
    assert _signed_in(desk)
    # … nor is another account from the attacker's address.
    other = Client()
    assert _login(other, "approver", TEST_PASSWORD, ip="10.0.0.66").status_code == 302


@pytest.mark.parametrize("path", [LOGIN, "/account/login/"])  # the staff and the applicant sign-in
def test_success_before_the_limit_resets_the_count(path):
    make_applicant_user(username="zhangsan")
    make_staff("window_clerk", username="clerk")
    username = "zhangsan" if path != LOGIN else "clerk"
    client = Client()
    for _ in range(4):
        _login(client, username, "wrong-password", path=path)
    assert _login(client, username, TEST_PASSWORD, path=path).status_code == 302
    client.logout()
    for _ in range(4):
        assert _login(client, username, "wrong-password", path=path).status_code == 200
    assert _login(client, username, TEST_PASSWORD, path=path).status_code == 302


def test_lock_ends_after_the_cool_off(settings):
    # The cool-off runs from the fifth failure: time it from there, so a slow machine (five sign-ins
    # taking longer than the cool-off) cannot let the lock expire before it is checked.
    settings.AXES_COOLOFF_TIME = timedelta(seconds=3)
    make_staff("window_clerk", username="clerk")
    client = Client()
    for _ in range(5):
        _login(client, "clerk", "wrong-password")
        locked_at = time.monotonic()
    assert _login(client, "clerk", TEST_PASSWORD).status_code == 429
    time.sleep(max(0.0, locked_at + 3.3 - time.monotonic()))
    assert _login(client, "clerk", TEST_PASSWORD).status_code == 302


def test_admin_site_sign_in_is_locked_the_same_way():
    make_staff("administrator", username="root", is_superuser=True)
    client = Client()
    for _ in range(5):
        _login(client, "root", "wrong-password", path="/admin/login/")
    response = _login(client, "root", TEST_PASSWORD, path="/admin/login/")
    assert response.status_code == 429
    assert not _signed_in(client)


def test_one_address_trying_many_user_names_is_slowed_down(settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/m"}
    client = Client()
    for name in ("a1", "a2", "a3"):
        assert _login(client, name, "guess").status_code == 200
    response = _login(client, "a4", "guess")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "登录尝试过于频繁" in response.content.decode()
    # Another address is not affected.
    assert _login(Client(), "a5", "guess", ip="10.0.0.2").status_code == 200


def test_session_cookie_is_http_only_same_site_and_ends_after_eight_hours(settings):
    make_staff("window_clerk", username="clerk")
    client = Client()
    response = _login(client, "clerk", TEST_PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert client.session.get_expiry_age() == 8 * 3600
    assert settings.CSRF_COOKIE_HTTPONLY


def test_secure_cookies_switch(monkeypatch):
    import importlib

    import onewindow.settings as project_settings

    monkeypatch.setenv("ONEWINDOW_SECURE_COOKIES", "true")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SESSION_COOKIE_SECURE and reloaded.CSRF_COOKIE_SECURE
    finally:
        monkeypatch.delenv("ONEWINDOW_SECURE_COOKIES")
        importlib.reload(project_settings)


def test_sign_in_needs_the_csrf_token():
    make_staff("window_clerk", username="clerk")
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("workbench:login"), {"username": "clerk", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert not _signed_in(client)


def test_passwords_are_stored_with_a_slow_salted_hash():
    import onewindow.settings as project_settings

    # The project keeps Django's default (PBKDF2-SHA256 with a per-password salt; tests swap in a fast
    # hasher only in conftest).
    assert not hasattr(project_settings, "PASSWORD_HASHERS")
    assert global_settings.PASSWORD_HASHERS[0].endswith("PBKDF2PasswordHasher")
    user = make_applicant_user(username="wangwu")
    assert TEST_PASSWORD not in user.password
