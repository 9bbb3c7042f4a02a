"""PostgreSQL bulk-load settings for the sample history (history/generator.py), as pg_restore loads a
dump: the rows go in by COPY, the secondary indexes and the unique constraints are built once afterwards
instead of being updated row by row, and the foreign keys are not checked per row.

Everything happens in the generator's one transaction: what is dropped here is created again with its
exact definition and name before it commits (a failed run rolls the drop back), so the schema afterwards
is the one the migrations made. A duplicate case number, certificate number, audit position or id number
fails the ADD CONSTRAINT at the end, and with it the whole load. Primary keys that a foreign key hangs on
(cases, tasks, audit events and chains, applicants, certificates) stay in place throughout; the others
(case materials, fees, ...) are built at the end like the unique constraints.

Measured (bench/README.md): the server's CPU for the load halves when the secondary indexes are built
at the end (100,000 cases); building the unique constraints at the end too takes another quarter off the
server's COPY work (20,000 cases replayed: 1.53 → 1.12 CPU-s for events, tasks, materials and cases),
for a fraction of that in sorting afterwards."""

from __future__ import annotations

from contextlib import contextmanager

# Build the indexes at the end only when the load is at least this share of what the table already
# holds: rebuilding an index over ten million existing rows to add a hundred thousand costs more than
# maintaining it.
REBUILD_SHARE = 1.0
MAINTENANCE_WORK_MEM = "1GB"


def prepare(cursor) -> None:
    """Session settings for this transaction only (SET LOCAL): room to sort when building the indexes
    and — for a superuser — no per-row foreign-key triggers. The commit stays durable (synchronous_commit
    as the server has it): the load is real data. MAINTENANCE_WORK_MEM: building the audit events'
    (action, occurred_at) index over 7 M rows took 8.7 s with 256 MB and 7.5 s with 1 GB."""
    cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
    # The foreign-key checks Django defers to COMMIT cost more than the COPY itself (one trigger call
    # per row and key). The rows are consistent by construction (and the tests check them), so a
    # superuser skips them for this transaction only, as pg_restore --disable-triggers does; other
    # roles keep them.
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if cursor.fetchone()[0]:
        cursor.execute("SET LOCAL session_replication_role = replica")


def secondary_indexes(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index name, CREATE INDEX statement) of each plain index on `tables` that no constraint
    owns (primary keys, unique and exclusion constraints keep theirs), expression indexes (the search's
    trigram indexes: a GIN index built once is far cheaper than a million inserts) among them. Partial
    indexes stay: PostgreSQL stores their predicate re-parsed, so a rebuilt one would read differently in
    pg_indexes (same meaning, other text), and the partial ones are small anyway."""
    cursor.execute(
        """SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid)
             FROM pg_index x
             JOIN pg_class i ON i.oid = x.indexrelid
             JOIN pg_class t ON t.oid = x.indrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE t.relname = ANY(%s) AND n.nspname = current_schema()
              AND x.indpred IS NULL
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname""", [tables])
    return list(cursor.fetchall())


def unique_constraints(cursor, tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, constraint name, definition) of each unique constraint and primary key on `tables` that
    no foreign key depends on."""
    cursor.execute(
        """SELECT t.relname, c.conname, pg_get_constraintdef(c.oid)
             FROM pg_constraint c
             JOIN pg_class t ON t.oid = c.conrelid
             JOIN pg_namespace n ON n.oid = t.relnamespace
            WHERE c.contype IN ('p', 'u') AND t.relname = ANY(%s) AND n.nspname = current_schema()
              AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = c.conindid)
            ORDER BY t.relname, c.conname""", [tables])
    return list(cursor.fetchall())


def drop_secondary_indexes(cursor, expected_rows: dict[str, int]) -> list[tuple[str, str, str]]:
    """Drop the secondary indexes and unique constraints of the tables about to receive at least
    REBUILD_SHARE of their current size; return what was dropped, for rebuild(): (table, name, the
    statement that creates it again)."""
    cursor.execute("SELECT relname, GREATEST(reltuples, 0)::bigint FROM pg_class "
                   "WHERE relname = ANY(%s) AND relkind = 'r'", [list(expected_rows)])
    current = dict(cursor.fetchall())
    tables = [name for name, rows in expected_rows.items() if rows >= REBUILD_SHARE * current.get(name, 0)]
    indexes = secondary_indexes(cursor, tables)
    constraints = unique_constraints(cursor, tables)
    with _checks_done(cursor, bool(indexes or constraints)):
        for _table, index, _definition in indexes:
            cursor.execute(f'DROP INDEX "{index}"')
        for table, name, _definition in constraints:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    return indexes + [(table, name, f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
                      for table, name, definition in constraints]


def rebuild(cursor, dropped: list[tuple[str, str, str]]) -> None:
    """Create the dropped indexes and constraints again, each with its original definition and name."""
    with _checks_done(cursor, bool(dropped)):
        for _table, _name, statement in dropped:
            cursor.execute(statement)


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
