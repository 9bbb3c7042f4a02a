import pytest

from onewindow.complaints import dispatch
from onewindow.orgs.sample import load_sample_orgs


@pytest.fixture(autouse=True)
def _fresh_process_cache():
    """Each test starts like a new process: no dispatch model loaded yet."""
    dispatch._loaded = None
    yield
    dispatch._loaded = None


@pytest.fixture
def dongxing(db):
    """The sample regions and 14 departments of 东兴市 (orgs.sample)."""
    load_sample_orgs()


@pytest.fixture
def world(db):
    """The cases' test world (tests/cases/factories.py): departments, items with stages, a calendar."""
    from onewindow.calendar.services import seed_official_calendar
    from tests.cases.factories import build_world

    seed_official_calendar()
    return build_world()
