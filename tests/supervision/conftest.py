import pytest

from onewindow.calendar.services import seed_official_calendar
from tests.cases.factories import build_world


@pytest.fixture
def calendar(db):
    """The official schedules (2026 National Day: October 1-7 off, Saturday October 10 worked)."""
    seed_official_calendar()


@pytest.fixture
def world(db, calendar):
    return build_world()
