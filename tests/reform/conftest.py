import pytest


@pytest.fixture(autouse=True)
def _fresh_dashboard_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
