"""Shared fixtures. Tests run against the database named by ONEWINDOW_DATABASE_URL (SQLite or
PostgreSQL); `make test` runs the whole suite once on each."""

import pytest
from django.conf import settings


def pytest_report_header(config):
    return f"onewindow database engine: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def is_postgres():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


@pytest.fixture(scope="session", autouse=True)
def _close_connections_before_teardown(django_db_setup, django_db_blocker):
    # The `replica` alias mirrors the test database (core.dbrouter): a connection it opened would still
    # be attached when pytest-django drops the test database ("being accessed by other users").
    yield
    from django.db import connections

    name = connections["default"].settings_dict["NAME"]
    connections.close_all()
    if connections["default"].vendor == "postgresql":
        # Something this worker started still held one idle session here in about half the runs (last
        # statement ROLLBACK; not this thread's — most likely a thread's own connection, e.g. a live
        # server's request thread while the browser keeps its socket; not pinned down), and
        # pytest-django could not drop the database. This worker's database goes now: its leftover
        # sessions end with it.
        with django_db_blocker.unblock(), connections["default"]._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = %s AND pid <> pg_backend_pid()", [name])


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Django's default hasher costs ~0.5 s per hash by design; tests need correctness, not cost.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_calendar_index():
    # The working-day index is cached per process for a couple of seconds; a test's rolled-back
    # calendar must not leak into the next test.
    from onewindow.calendar import selectors

    selectors.invalidate()
    yield
    selectors.invalidate()


@pytest.fixture(autouse=True)
def _fresh_catalog_memo():
    # Rendered catalog pages are kept per process under the catalog's version; a rolled-back catalog
    # must not be served to the next test.
    from onewindow.catalog import selectors

    selectors.forget()
    yield
    selectors.forget()


@pytest.fixture(autouse=True)
def _default_language():
    # A request in English activates English for the thread; every test starts in the default language.
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
