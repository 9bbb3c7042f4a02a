"""Reads from a streaming replica, for the pages that only look (dashboards, the supervision board).

Rule (docs/scaling.md, "The read/write split"): every write, and every read by default, goes to the
primary (`default`). A read goes to the replica only inside `reads_from_replica`, which a view or job
opts into when

- it writes nothing (the router sends writes to `default` anyway, but a page that writes and then
  reads what it wrote must read it from where it wrote it), and
- it can show data a second or two old: a streaming replica is behind the primary by its replay lag.

So: GET dashboards and reports, never forms, actions or the case pages an applicant or clerk has just
changed. On top of that the view decorator keeps on the primary

- any request that is not GET or HEAD;
- a browser that wrote within the last `REPLICA_PIN_SECONDS` (the `ow_primary` cookie set by
  core.scaleout.ScaleOutMiddleware after a write): read-your-own-writes while the lag stays under it;
- anything inside `transaction.atomic()` on `default` (a transaction sees its own uncommitted rows;
  the replica cannot);
- the tables that must never be stale (sessions, the cache, sign-in lockouts, API tokens,
  permissions, the admin log), and
- everything, when the replica does not answer (the page is served by the primary instead of failing).

The choice is a contextvar, so it is per thread (gunicorn gthread workers) and per asyncio task, and
nested uses restore the outer value. Without ONEWINDOW_REPLICA_DATABASE_URL there is no replica and
everything reads from `default`.
"""

from __future__ import annotations

import contextvars
import logging
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import DatabaseError

REPLICA_ALIAS = "replica"
READ_DB_HEADER = "X-Onewindow-Read-DB"
PIN_COOKIE = "ow_primary"
SAFE_METHODS = ("GET", "HEAD")
# App labels whose tables are always read from the primary: stale rows there are wrong, not just old
# (a session created a moment ago, a throttle counter, a revoked token).
PRIMARY_ONLY_APPS = frozenset({"sessions", "django_cache", "axes", "api", "admin", "auth", "contenttypes"})

logger = logging.getLogger(__name__)
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("onewindow_read_alias", default=None)


def replica_enabled() -> bool:
    return bool(getattr(settings, "REPLICA_ENABLED", False)) and REPLICA_ALIAS in settings.DATABASES


def current_read_alias() -> str:
    """Where a read of a business table would go right now: "replica" or "default"."""
    alias = _read_alias.get()
    if alias is None or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return alias


class ReplicaRouter:
    """Writes and migrations: `default` only. Reads: the alias chosen by `reads_from_replica`, else
    `default` (stated explicitly, so an object loaded from the replica does not pull its related
    objects from there once the block has ended)."""

    def db_for_read(self, model, **hints):
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return current_read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS  # a physical replica follows the primary's schema by itself


def _replica_answers() -> bool:
    """The replica's connection is open or can be opened (a dead replica must not take the page down)."""
    connection = connections[REPLICA_ALIAS]
    try:
        connection.close_if_health_check_failed()  # a connection kept from an earlier request
        connection.ensure_connection()
    except DatabaseError:
        logger.warning("the read replica does not answer; reading from the primary", exc_info=True)
        connection.close()
        return False
    return True


class _ReplicaReads:
    """Context manager: `with reads_from_replica() as alias:` — `alias` says where the reads went."""

    def __init__(self, *, use_replica: bool = True):
        self.use_replica = use_replica
        self._tokens: list[contextvars.Token] = []

    def __enter__(self) -> str:
        target = None
        if self.use_replica and replica_enabled() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            target = REPLICA_ALIAS if _replica_answers() else None
        self._tokens.append(_read_alias.set(target))
        return current_read_alias()

    def __exit__(self, *exc_info) -> None:
        _read_alias.reset(self._tokens.pop())

    def __call__(self, view):
        return _decorate(view)


def _pinned_to_primary(request) -> bool:
    return request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES


def _decorate(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        # Evaluate the lazy `request.user` (session + user rows) before the block: always the primary.
        if hasattr(request, "user"):
            bool(request.user.is_authenticated)
        with _ReplicaReads(use_replica=not _pinned_to_primary(request)) as alias:
            response = view(request, *args, **kwargs)
            # A TemplateResponse would render (and query) after the block: render it inside.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response[READ_DB_HEADER] = alias
        return response

    return wrapper


def reads_from_replica(view=None):
    """`@reads_from_replica` on a read-only view (sets the X-Onewindow-Read-DB response header), or
    `with reads_from_replica() as alias:` around read-only code (a report, a job)."""
    if view is None:
        return _ReplicaReads()
    return _decorate(view)
