import pytest

from onewindow.calendar.services import seed_official_calendar
from tests.hall.world import make_hall_world
from tests.workbench.world import make_world


@pytest.fixture
def calendar(db):
    seed_official_calendar()


@pytest.fixture
def w(db, calendar):
    """The case pages' world: DX01 with a window clerk, departments A and B reviewing one item."""
    return make_world()


@pytest.fixture
def hw(db, calendar):
    """The hall's world: DX01's hall with four windows and clerks."""
    return make_hall_world()
