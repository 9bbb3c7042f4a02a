"""Shared fixtures. Tests run against the database named by ONEWINDOW_DATABASE_URL (SQLite or
PostgreSQL); `make test` runs the whole suite once on each."""

import pytest
from django.conf import settings


def pytest_report_header(config):
    return f"onewindow database engine: {settings.DATABASES['default']['ENGINE']}"


@pytest.fixture
def is_postgres():
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
