import pytest

from onewindow.calendar.services import seed_official_calendar

from .factories import build_world


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def calendar(db):
    """The official schedules 2004-2026 (2026 National Day: October 1-7 off, Saturday October 10 worked)."""
    seed_official_calendar()


@pytest.fixture
def world(db, calendar):
    return build_world()
