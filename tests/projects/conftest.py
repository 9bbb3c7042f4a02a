import pytest

from onewindow.calendar.services import seed_official_calendar
from tests.cases.factories import build_world


@pytest.fixture
def world(db):
    """The cases' world (东兴市 centre, clerks, an agent, the efficiency office, an applicant and items),
    on the official calendar (2026 National Day: October 1-7 off, Saturday October 10 worked)."""
    seed_official_calendar()
    return build_world()
