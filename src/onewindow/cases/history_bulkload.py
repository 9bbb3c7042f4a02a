"""PostgreSQL bulk-load settings for the history generator (cases/history.py), as pg_restore loads a
dump: the rows go in by COPY, the secondary indexes are built once afterwards instead of being updated
row by row, and the foreign keys are not checked per row.

Everything happens in the generator's one transaction: the indexes dropped here are created again with
their exact definitions before it commits (a failed run rolls the drop back), so the schema afterwards is
the one the migrations made. Primary keys and unique constraints stay in place throughout: they are what
would catch a duplicate id, case number or audit position. Measured (100,000 cases, bench/README.md):
the server's CPU for the load halves when the secondary indexes are built at the end."""

from __future__ import annotations

from contextlib import contextmanager

# Build the indexes at the end only when the load is at least this share of what the table already
# holds: rebuilding an index over ten million existing rows to add a hundred thousand costs more than
# maintaining it.
REBUILD_SHARE = 1.0


def prepare(cursor) -> None:
    """Session settings for this transaction only (SET LOCAL): no wait for the WAL flush at commit, room
    to sort when building the indexes, and — for a superuser — no per-row foreign-key triggers."""
    cursor.execute("SET LOCAL synchronous_commit = off")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    # The foreign-key checks Django defers to COMMIT cost more than the COPY itself (one trigger call
    # per row and key). The rows are consistent by construction (and the tests check them), so a
    # superuser skips them for this transaction only, as pg_restore --disable-triggers does; other
    # roles keep them.
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index name, CREATE INDEX statement) of each plain index on `tables` that no constraint
    owns (primary keys, unique and exclusion constraints keep theirs). Partial and expression indexes
    stay too: PostgreSQL stores their predicate re-parsed, so a rebuilt one would read differently in
    pg_indexes (same meaning, other text), and the partial ones are small anyway."""
    cursor.execute(
        """SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE t.relname = ANY(%s) AND n.nspname = current_schema()
              AND x.indpred IS NULL AND x.indexprs IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname""", [tables])
    return list(cursor.fetchall())


def drop_secondary_indexes(cursor, expected_rows: dict[str, int]) -> list[tuple[str, str, str]]:
    """Drop the secondary indexes of the tables about to receive at least REBUILD_SHARE of their current
    size; return what was dropped, for rebuild()."""
    cursor.execute("SELECT relname, GREATEST(reltuples, 0)::bigint FROM pg_class "
                   "WHERE relname = ANY(%s) AND relkind = 'r'", [list(expected_rows)])
    current = dict(cursor.fetchall())
    tables = [name for name, rows in expected_rows.items() if rows >= REBUILD_SHARE * current.get(name, 0)]
    dropped = secondary_indexes(cursor, tables)
    with _checks_done(cursor, bool(dropped)):
        for _table, index, _definition in dropped:
            cursor.execute(f'DROP INDEX "{index}"')
    return dropped


def rebuild(cursor, dropped: list[tuple[str, str, str]]) -> None:
    """Create the dropped indexes again, each with its original definition and name."""
    with _checks_done(cursor, bool(dropped)):
        for _table, _index, definition in dropped:
            cursor.execute(definition)


@contextmanager
def _checks_done(cursor, needed: bool):
    """PostgreSQL refuses to drop or build an index on a table with deferred foreign-key checks still
    pending in the transaction (rows written earlier in it, or our own rows when the checks are not
    skipped): run them now, then defer again (as Django's check_constraints does)."""
    if needed:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    if needed:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
