import pytest
from django.db import transaction

from onewindow.calendar import selectors, services


@pytest.fixture(autouse=True)
def fresh_index():
    """The index is cached per process; each test's database starts over, so must the cache."""
    selectors.invalidate()
    yield
    selectors.invalidate()


@pytest.fixture
def seeded(db):
    with transaction.atomic():
        services.seed_official_calendar()
    return selectors.current_version()
