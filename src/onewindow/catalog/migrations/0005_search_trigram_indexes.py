"""Trigram indexes for the catalog search on PostgreSQL.

catalog.selectors.search_items matches `UPPER(col) LIKE UPPER('%q%')` (Django's icontains) on five
columns. Without an index that is a sequential scan of every item, run twice per page (count and
rows): ~24 ms per statement at a province's 7,659 items. A GIN trigram index on each exact expression
turns it into a BitmapOr of index scans (~1 ms); pg_trgm reads Chinese characters as word characters
in a UTF-8 database. Queries shorter than three characters still scan, as the planner chooses.

SQLite has no pg_trgm: nothing is done there. Where the database user may not create the extension
(pg_trgm is a trusted extension from PostgreSQL 13, so a database owner can), the migration says so
and leaves the search unindexed: the same results, slower."""

from django.db import DatabaseError, migrations, transaction

COLUMNS = ("name", "code", "search_initials", "search_pinyin", "result_name")


def _index(column: str) -> str:
    return f"catalog_item_{column}_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        print(f"\n  catalog search: pg_trgm is not available ({exc}); searches stay unindexed.")
        return
    for column in COLUMNS:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{_index(column)}" ON "catalog_item" '
                              f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{_index(column)}"')


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_search_fields_include_result")]
    operations = [migrations.RunPython(forwards, backwards)]
