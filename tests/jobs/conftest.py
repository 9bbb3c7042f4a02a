import pytest

from onewindow.calendar.services import seed_official_calendar
from tests.cases.factories import build_world


@pytest.fixture
def world(db):
    """Dongxing's centres, departments, staff and two applicants (tests/cases/factories.build_world)
    on the official calendar (2026 National Day: October 1-7 off, Saturday October 10 worked)."""
    seed_official_calendar()
    return build_world()


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
