"""API tokens: shown once, stored as a digest, revocable; bearer and session authentication."""

import hashlib

import pytest
from django.test import Client
from django.utils import timezone

from onewindow.api.auth import create_token, revoke_token, user_for_token
from onewindow.api.models import ApiToken
from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, NotFound, ValidationError
from tests.factories import UserFactory, make_applicant_user, make_staff


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_token_is_stored_only_as_its_digest(db):
    user = make_staff("window_clerk")
    issued = create_token(user=user, name="12345 热线对接")
    token = ApiToken.objects.get(user=user)
    assert issued.raw.startswith(f"ow_{token.prefix}_")
    assert token.key_digest == hashlib.sha256(issued.raw.encode()).hexdigest()
    assert issued.raw not in str(ApiToken.objects.values_list())
    assert token.name == "12345 热线对接" and token.revoked_at is None
    assert AuditEvent.objects.filter(chain__key=f"user:{user.pk}", action="onewindow.token.created").exists()


def test_tokens_are_distinct(db):
    user = make_applicant_user()
    assert create_token(user=user).raw != create_token(user=user).raw


def test_token_authenticates_until_revoked(db):
    user = make_applicant_user()
    issued = create_token(user=user)
    assert user_for_token(issued.raw) == user
    assert ApiToken.objects.get().last_used_at is not None
    revoke_token(prefix=issued.token.prefix)
    assert user_for_token(issued.raw) is None
    response = Client(headers={"Authorization": f"Bearer {issued.raw}"}).get("/api/v1/cases")
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_altered_or_malformed_tokens_are_refused(db):
    issued = create_token(user=make_applicant_user())
    assert user_for_token(issued.raw[:-1] + ("A" if issued.raw[-1] != "A" else "B")) is None
    for raw in ("", "ow_", "Bearer", "ow_short_x", "x" * 500, f"ow_{issued.token.prefix}"):
        assert user_for_token(raw) is None


def test_inactive_account_token_is_refused(db):
    user = make_applicant_user()
    issued = create_token(user=user)
    user.is_active = False
    user.save()
    assert user_for_token(issued.raw) is None
    with pytest.raises(ValidationError) as exc:
        create_token(user=user)
    assert exc.value.field == "user"


def test_last_used_is_written_at_most_once_a_minute(db):
    issued = create_token(user=make_applicant_user())
    now = timezone.now()
    user_for_token(issued.raw, now=now)
    user_for_token(issued.raw, now=now + timezone.timedelta(seconds=30))
    assert ApiToken.objects.get().last_used_at == now
    later = now + timezone.timedelta(minutes=2)
    user_for_token(issued.raw, now=later)
    assert ApiToken.objects.get().last_used_at == later


def test_revoke_errors_name_the_prefix(db):
    issued = create_token(user=make_applicant_user())
    with pytest.raises(NotFound) as missing:
        revoke_token(prefix="nosuchprefix")
    assert missing.value.field == "prefix"
    revoke_token(prefix=f"ow_{issued.token.prefix}")  # the ow_ is accepted too
    with pytest.raises(Conflict):
        revoke_token(prefix=issued.token.prefix)


def test_token_name_too_long_is_refused(db):
    with pytest.raises(ValidationError) as exc:
        create_token(user=UserFactory(), name="x" * 101)
    assert exc.value.field == "name"
    assert not ApiToken.objects.exists()


def test_wrong_scheme_is_unauthorized(db):
    issued = create_token(user=make_applicant_user())
    response = Client(headers={"Authorization": f"Token {issued.raw}"}).get("/api/v1/tasks")
    assert response.status_code == 401


def test_session_login_reads_without_a_token(db):
    user = make_applicant_user()
    client = Client()
    client.force_login(user)
    assert client.get("/api/v1/cases").status_code == 200
    assert Client().get("/api/v1/cases").status_code == 401
