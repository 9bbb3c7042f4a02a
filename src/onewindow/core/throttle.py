"""Rate limits for public endpoints, kept in the shared cache (settings.CACHES, ONEWINDOW_CACHE_URL) so
every app server counts against one budget.

One counter per scope and client, in fixed windows: `hit("progress", ident)` says whether one more
request is allowed and, if not, how many seconds to wait. Pages use the `@throttle(scope)` decorator
(429 page in Chinese); the API uses django-ninja's throttling hook with `ScopedThrottle(scope)` (429
JSON through the API's error handler). The page and the API of one feature share a scope, so the
public progress query has one budget per address whichever door is used.

Rates come from settings.THROTTLE_RATES ("20/m", "30/10m", "off"), read at request time."""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from ninja.throttling import BaseThrottle

log = logging.getLogger(__name__)

_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([a-z]+)\s*$")


def parse_rate(rate: str | None) -> tuple[int, int] | None:
    """"20/m" -> (20, 60); "30/10m" -> (30, 600); "off" or empty -> None (no limit)."""
    if rate is None or rate.strip().lower() in ("", "off", "none"):
        return None
    match = _RATE.match(rate.lower())
    if not match or match.group(3) not in _PERIODS or int(match.group(1)) < 1:
        raise ImproperlyConfigured(f"throttle rate {rate!r}: expected N/period, e.g. 20/m, 30/10m, 100/h")
    multiplier = int(match.group(2)) if match.group(2) else 1
    return int(match.group(1)), multiplier * _PERIODS[match.group(3)]


def rate_for(scope: str) -> tuple[int, int] | None:
    rates = getattr(settings, "THROTTLE_RATES", {})
    if scope not in rates:
        raise ImproperlyConfigured(f"no throttle rate for scope {scope!r} in settings.THROTTLE_RATES")
    return parse_rate(rates[scope])


def client_ip(request) -> str:
    """The client's address. Behind ONEWINDOW_PROXY_COUNT reverse proxies the address is the one the
    outermost trusted proxy appended to X-Forwarded-For (a client can prepend anything it likes, so
    the left-most entries are never trusted); with no proxy it is the socket's address."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int  # seconds until the window ends (0 when allowed)


def hit(scope: str, ident: str, *, now: float | None = None) -> Decision:
    """Count one request of `ident` (an address or an account) in `scope`. When the cache cannot be
    reached the request is allowed and the failure logged: a broken cache must not take the public
    pages down with it."""
    limit = rate_for(scope)
    if limit is None:
        return Decision(True, 0)
    count_allowed, period = limit
    now = time.time() if now is None else now
    window = int(now // period)
    # The address is hashed: cache keys must be short and safe for every backend, and the cache is no
    # place for a list of visitors' addresses.
    digest = hashlib.sha256(ident.encode()).hexdigest()[:24]
    key = f"throttle:{scope}:{digest}:{window}"
    try:
        # Counting an existing window first: the usual case, and one cache operation instead of a
        # refused add() and then incr() (with the database cache 6 statements instead of 12).
        try:
            count = cache.incr(key)
        except ValueError:  # the window's first request (or its key just expired)
            if cache.add(key, 1, timeout=period + 1):
                count = 1
            else:  # a concurrent request opened the window a moment ago
                try:
                    count = cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    cache.set(key, 1, timeout=period + 1)
                    count = 1
    except Exception:  # noqa: BLE001 — any backend error: fail open, loudly
        log.exception("throttle cache unavailable; allowing %s request", scope)
        return Decision(True, 0)
    if count > count_allowed:
        return Decision(False, max(1, math.ceil((window + 1) * period - now)))
    return Decision(True, 0)


BY = ("ip", "user", "applicant")


def _account(request):
    # The API's authenticated principal (token or session) is request.auth; pages have request.user.
    for user in (getattr(request, "auth", None), getattr(request, "user", None)):
        if user is not None and getattr(user, "is_authenticated", False):
            return user
    return None


def _ident(request, by: str) -> str | None:
    """Whom a request is counted against; None: not counted. "ip": the client address; "user": the
    signed-in account (the address when anonymous); "applicant": like "user", but staff accounts are
    not counted — a window clerk or an integration submitting all day is accountable staff, not spam."""
    user = _account(request) if by in ("user", "applicant") else None
    if user is None:
        return f"ip:{client_ip(request)}"
    if by == "applicant" and _exempt_account()(user):
        return None
    return f"user:{user.pk}"


def _exempt_account() -> Callable[[Any], bool]:
    """settings.THROTTLE_EXEMPT_ACCOUNT: the predicate saying an account is not counted by
    by="applicant" throttles (staff). orgs knows who is staff and core must not import orgs, so the
    composition root (settings) names the function, as it names axes' AXES_CLIENT_IP_CALLABLE."""
    predicate: Callable[[Any], bool] = import_string(settings.THROTTLE_EXEMPT_ACCOUNT)
    return predicate


def throttled_response(request, retry_after: int):
    response = render(
        request,
        "core/throttled.html",
        {"retry_after": retry_after, "minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def throttle(scope: str, *, by: str = "ip", methods: tuple[str, ...] | None = None,
             params: tuple[str, ...] | None = None):
    """View decorator: at most settings.THROTTLE_RATES[scope] requests per client (see `_ident` for
    `by`). Only requests with one of `methods` (e.g. ("POST",): showing a form is harmless) and, when
    `params` is given, carrying one of those query/form fields (the empty search form is not a query)
    are counted. Over the limit: a 429 page in Chinese with Retry-After."""
    if by not in BY:
        raise ValueError(f"by must be one of {BY}")
    rate_for(scope)

    def counts(request) -> bool:
        if methods is not None and request.method not in methods:
            return False
        if params is not None:
            data = request.POST if request.method == "POST" else request.GET
            return any(data.get(name) for name in params)
        return True

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if counts(request):
                ident = _ident(request, by)
                decision = hit(scope, ident) if ident is not None else Decision(True, 0)
                if not decision.allowed:
                    return throttled_response(request, decision.retry_after)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


class ScopedThrottle(BaseThrottle):
    """django-ninja throttle sharing the page's budget: `@router.get(..., throttle=[ScopedThrottle("progress")])`.
    Over the limit ninja raises `Throttled` (429, with Retry-After), which the API maps to JSON."""

    def __init__(self, scope: str, *, by: str = "ip"):
        if by not in BY:
            raise ValueError(f"by must be one of {BY}")
        rate_for(scope)  # fail at import time on a missing scope, not on the first request
        self.scope = scope
        self.by = by
        # One instance serves every request of its operation: keep the answer per thread.
        self._last = threading.local()

    def allow_request(self, request) -> bool:
        ident = _ident(request, self.by)
        decision = hit(self.scope, ident) if ident is not None else Decision(True, 0)
        self._last.retry_after = decision.retry_after or None
        return decision.allowed

    def wait(self) -> float | None:
        return getattr(self._last, "retry_after", None)


def throttle_message(retry_after: int) -> str:
    return _("请求过于频繁，请 %(minutes)s 分钟后再试。") % {"minutes": max(1, math.ceil(retry_after / 60))}
