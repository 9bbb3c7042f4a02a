"""Authentication of /api/v1/: bearer tokens for programs and applicants' apps, the Django session for
the same-origin pages (with CSRF checked, as Django would check a form).

Tokens look like `ow_<prefix>_<secret>`. Only the SHA-256 digest is stored; the prefix finds the row
and names the token in lists and in `onewindow token revoke PREFIX`. A token is shown once, when it is
created (the practice of GitHub personal access tokens and Stripe keys)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from onewindow.audit import services as audit
from onewindow.core import fastsql
from onewindow.core.errors import Conflict, NotFound, PermissionDenied, ValidationError

from .models import ApiToken

TOKEN_PREFIX = "ow_"
PREFIX_LENGTH = 10
# last_used_at is a hint for administrators, not a log: write it at most once a minute per token so a
# busy integration does not turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"  # no 0/o, 1/l: read aloud over the phone


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def create_token(*, user, name: str = "", created_by=None, now: datetime | None = None) -> IssuedToken:
    """Issue a token for `user` (staff or applicant). The raw token is returned once and only its digest
    is kept; the issue is recorded on the account's audit chain."""
    name = (name or "").strip()
    if len(name) > 100:
        raise ValidationError(_("令牌用途不能超过 100 个字符"), field="name")
    if not user.is_active:
        raise ValidationError(_("账号 %(user)s 已停用，不能签发令牌") % {"user": user.get_username()}, field="user")
    while True:
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_digest=digest_of(raw))
    audit.record(chain_key=f"user:{user.pk}", action="onewindow.token.created", actor=created_by,
                 data={"prefix": prefix, "name": name}, now=now)
    return IssuedToken(token=token, raw=raw)


@transaction.atomic
def revoke_token(*, prefix: str, revoked_by=None, now: datetime | None = None) -> ApiToken:
    """Revoke a token by its prefix (with or without the `ow_`); it stops working at once."""
    prefix = (prefix or "").strip().removeprefix(TOKEN_PREFIX).split("_")[0]
    token = ApiToken.objects.select_for_update().filter(prefix=prefix).first() if prefix else None
    if token is None:
        raise NotFound(_("没有前缀为 %(prefix)s 的令牌") % {"prefix": prefix or "''"}, field="prefix")
    if token.revoked_at is not None:
        when = timezone.localtime(token.revoked_at).strftime("%Y-%m-%d %H:%M")
        raise Conflict(_("令牌 %(prefix)s 已于 %(when)s 注销") % {"prefix": prefix, "when": when}, field="prefix")
    now = now or timezone.now()
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit.record(chain_key=f"user:{token.user_id}", action="onewindow.token.revoked", actor=revoked_by,
                 data={"prefix": prefix}, now=now)
    return token


# Every API call reads its token: a statement compiled once (core/fastsql.py), with the account joined.
_ACTIVE_TOKEN = fastsql.Select(ApiToken, "{prefix} = %s AND {revoked_at} IS NULL", order_by=("id",), limit=1,
                               related=("user",))


def user_for_token(raw: str, *, now: datetime | None = None):
    """The active account behind a raw token, or None (unknown, revoked, altered or inactive account)."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    prefix = raw[len(TOKEN_PREFIX):].split("_", 1)[0]
    if len(prefix) != PREFIX_LENGTH:
        return None
    token = _ACTIVE_TOKEN.first([prefix])
    if token is None or not hmac.compare_digest(token.key_digest, digest_of(raw)):
        return None
    if not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        fastsql.update(token, ["last_used_at"])
    return token.user


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ow_…` (see `onewindow token create`)."""

    def authenticate(self, request, token):
        user = user_for_token(token.strip())
        if user is not None:
            request.user = user
        return user


class SessionCsrfAuth(SessionAuth):
    """The signed-in session of the same-origin pages. Like ninja's `django_auth`, CSRF is checked for
    unsafe methods — but only when there is a signed-in session to protect, so an anonymous call gets
    401 (not a CSRF error) and a token call is never asked for a CSRF token."""

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise PermissionDenied(_("CSRF 校验失败：请刷新页面后重试"), field="csrf", code="csrf_failed")
        return user


token_auth = TokenAuth()
session_auth = SessionCsrfAuth()
# Protected endpoints accept either; the token is tried first (no CSRF needed for it).
API_AUTH = [token_auth, session_auth]
