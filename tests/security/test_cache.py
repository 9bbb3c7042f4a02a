"""The cache shared by the throttles and the sign-in lockout: configured from ONEWINDOW_CACHE_URL, and
its table created by `onewindow init` when it is the database (the default)."""

from __future__ import annotations

import importlib

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

import onewindow.settings as project_settings


@pytest.mark.parametrize("url, backend", [
    ("db://", "django.core.cache.backends.db.DatabaseCache"),
    ("redis://127.0.0.1:6379/0", "django.core.cache.backends.redis.RedisCache"),
    ("locmem://", "django.core.cache.backends.locmem.LocMemCache"),
])
def test_cache_url_chooses_the_backend(url, backend):
    config = project_settings._cache_from_url(url)
    assert config["BACKEND"] == backend
    if url.startswith("redis"):
        assert config["LOCATION"] == url


def test_unknown_cache_url_fails_loudly():
    with pytest.raises(ImproperlyConfigured):
        project_settings._cache_from_url("memcached://127.0.0.1:11211")


def test_default_is_the_database_cache(monkeypatch):
    monkeypatch.delenv("ONEWINDOW_CACHE_URL", raising=False)
    try:
        assert importlib.reload(project_settings).CACHES["default"]["LOCATION"] == "onewindow_cache"
    finally:
        importlib.reload(project_settings)


@pytest.mark.django_db
def test_init_creates_the_cache_table():
    from onewindow.ops import bootstrap

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE onewindow_cache")
    bootstrap.init(with_sample_catalog=False)
    assert "onewindow_cache" in connection.introspection.table_names()
