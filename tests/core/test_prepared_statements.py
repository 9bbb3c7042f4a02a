"""settings: on PostgreSQL a connection binds parameters on the server and prepares the statements it
repeats (ONEWINDOW_DB_PREPARED_STATEMENTS, default true), so the database stops parsing and planning
the same submission INSERTs and lookups on every request; false leaves Django's client-side binding."""

from __future__ import annotations

import pytest
from django.db import connection

from onewindow import settings as onewindow_settings
from onewindow.cases.models import Case
from onewindow.core import fastsql
from tests.cases.factories import build_world, submit_online

pytestmark = pytest.mark.django_db

POSTGRES = {"ENGINE": "django.db.backends.postgresql", "NAME": "x", "OPTIONS": {"sslmode": "require"}}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_a_repeated_statement_is_prepared_once_on_the_connection_and_still_reads_right():
    w = build_world()
    case = submit_online(w)
    select = fastsql.Select(Case, "{number} = %s")

    read = [select.first([case.number]) for _ in range(8)]

    assert {c.pk for c in read} == {case.pk} and read[-1].number == case.number
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "cases_case"' in s and '"number" = $1' in s for s in prepared), prepared


def test_prepared_statements_keep_the_url_options_and_can_be_switched_off(monkeypatch):
    monkeypatch.setattr(onewindow_settings, "PREPARED_STATEMENTS", True)
    on = onewindow_settings._with_prepared_statements({**POSTGRES, "OPTIONS": dict(POSTGRES["OPTIONS"])})
    assert on["OPTIONS"] == {"sslmode": "require", "server_side_binding": True, "prepare_threshold": 5}
    sqlite = onewindow_settings._with_prepared_statements({"ENGINE": "django.db.backends.sqlite3", "NAME": "x"})
    assert "OPTIONS" not in sqlite

    monkeypatch.setattr(onewindow_settings, "PREPARED_STATEMENTS", False)
    off = onewindow_settings._with_prepared_statements({**POSTGRES, "OPTIONS": dict(POSTGRES["OPTIONS"])})
    assert off["OPTIONS"] == {"sslmode": "require"}
