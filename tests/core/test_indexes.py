"""The tables that grow with every case keep no index another one already covers: an index whose columns
(and operator classes) lead another index of the same table costs every insert and the history
generator's rebuild, and serves no lookup the longer one does not (foreign keys are declared
db_index=False where a composite index or unique constraint leads with them). The small reference
tables (catalog, organisations, Django's own) are left as Django makes them."""

from __future__ import annotations

import pytest
from django.db import connection

GROWING = ("cases_case", "cases_task", "cases_casematerial", "cases_certificate", "cases_idempotencyrecord",
           "cases_fee", "cases_supplementrequest", "audit_auditevent", "audit_auditchain", "notify_notification")
pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's catalog")]


def _indexes() -> list[tuple[str, str, tuple, tuple]]:
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, i.relname, x.indkey::text, x.indclass::text
                 FROM pg_index x
                 JOIN pg_class i ON i.oid = x.indexrelid
                 JOIN pg_class t ON t.oid = x.indrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = current_schema() AND x.indpred IS NULL AND x.indexprs IS NULL
                  AND t.relname = ANY(%s)""", [list(GROWING)])
        return [(table, name, tuple(keys.split()), tuple(classes.split()))
                for table, name, keys, classes in cursor.fetchall()]


def test_no_index_is_a_leading_part_of_another_on_the_same_table():
    indexes = _indexes()
    covered = sorted(
        f"{table}.{name} (covered by {other})"
        for table, name, keys, classes in indexes
        for other_table, other, other_keys, other_classes in indexes
        if other_table == table and other != name and len(keys) < len(other_keys)
        and other_keys[:len(keys)] == keys and other_classes[:len(classes)] == classes
        and not name.endswith("_pkey"))
    assert covered == []


def test_every_foreign_key_of_those_tables_still_leads_an_index():
    by_table = {}
    for table, _name, keys, _classes in _indexes():
        by_table.setdefault(table, []).append(keys)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT t.relname, a.attnum::text FROM pg_constraint c
                 JOIN pg_class t ON t.oid = c.conrelid
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                WHERE c.contype = 'f' AND t.relname = ANY(%s)""", [list(GROWING)])
        foreign_keys = cursor.fetchall()
    unindexed = [(table, column) for table, column in foreign_keys
                 if not any(keys[0] == column for keys in by_table.get(table, []))]
    assert foreign_keys and unindexed == []
