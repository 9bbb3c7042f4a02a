import pytest

from onewindow.calendar.services import seed_official_calendar

from .world import make_hall_world


@pytest.fixture
def calendar(db):
    """The official schedules up to 2026 (National Day October 1–7 off; Saturday October 10 worked)."""
    seed_official_calendar()


@pytest.fixture
def w(db, calendar):
    return make_hall_world()
