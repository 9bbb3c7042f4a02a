"""Bulk writing for the sample-history generator (cases/history.py): rows as plain tuples, ids
allocated up front, written with COPY on PostgreSQL and batched executemany elsewhere.

Ids are assigned by the generator (not by the database) so that child rows can point at parents
without a round trip; the tables are locked while we write and the identity sequences are moved past
our ids at the end, so later inserts by the application never collide.

On PostgreSQL the rows of a batch are formatted to COPY text here (psycopg's C formatter) and sent
by a background thread, so the server parses, checks and indexes one batch while this process
simulates the next (the wait for the server releases the GIL). The busiest table, the audit events,
skips the tuples: history_audit formats its COPY lines directly (`Table.lines`, PostgreSQL only). The thread uses the same connection and transaction; the generator does not query the
database while the writer runs (start() before, finish() after).

With several simulation processes (cases/history_parallel.py) each process formats its own batches
and hands them to `sink`; the parent COPYs them on its one connection (`copy()`), so the whole load is
still one transaction."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection

COPY_BATCH = 20_000
INSERT_BATCH = 5_000

try:  # psycopg's row formatter (C in psycopg-binary); private, so the pinned version is relied on
    from psycopg._copy_base import format_row_text
    from psycopg.adapt import Transformer
except ImportError:  # pragma: no cover - another driver version: fall back to write_row
    format_row_text = Transformer = None


class Table:
    """One table we write to: its name and the columns of our tuples, checked against the model so a
    changed model fails loudly here instead of writing shifted columns."""

    def __init__(self, model, fields: list[str]):
        self.model = model
        self.name = model._meta.db_table
        self.columns = [model._meta.get_field(name).column for name in fields]
        concrete = {field.column for field in model._meta.concrete_fields}
        missing = concrete - set(self.columns)
        if missing:
            raise RuntimeError(f"history generator does not fill {self.name}.{sorted(missing)}: update it")
        self.rows: list[tuple] = []
        self.lines: list[str] = []  # rows already as COPY text lines (PostgreSQL only; see history_audit)
        self.written = 0
        self.next_id = 0


class BulkWriter:
    def __init__(self, tables: Iterable[Table]):
        self.tables = {table.model: table for table in tables}
        self.postgres = connection.vendor == "postgresql"
        self.sink = None  # a simulation process's pipe: (table, columns, COPY text) -> None
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None
        self._transformer = None

    # -- ids --------------------------------------------------------------------------------------
    def start(self, *, background: bool = True) -> None:
        """Lock the tables against concurrent inserts and find the first free id of each; on PostgreSQL
        with `background`, start the thread that sends the batches (else they are sent at once)."""
        with connection.cursor() as cursor:
            for table in self.tables.values():
                if self.postgres:
                    cursor.execute(f'LOCK TABLE "{table.name}" IN SHARE ROW EXCLUSIVE MODE')
                cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table.name}"')
                table.next_id = cursor.fetchone()[0] + 1
                if self.postgres:  # the sequence may be ahead of MAX(id) after rollbacks
                    cursor.execute("SELECT last_value FROM pg_sequences s "
                                   "JOIN (SELECT pg_get_serial_sequence(%s, 'id') AS seq) q "
                                   "ON s.schemaname || '.' || s.sequencename = q.seq", [table.name])
                    row = cursor.fetchone()
                    if row and row[0] is not None:
                        table.next_id = max(table.next_id, row[0] + 1)
        if self.postgres:
            self._transformer = Transformer(connection.connection) if Transformer else None
        if self.postgres and background:
            self._queue = queue.Queue(maxsize=8)  # bounded: the simulation waits if the server falls behind
            self._thread = threading.Thread(target=self._send, args=(connection.connection,), daemon=True,
                                            name="history-copy")
            self._thread.start()

    def _send(self, raw) -> None:
        """The background thread: COPY each batch in the order it was queued; stop at None."""
        while True:
            job = self._queue.get()
            if job is None:
                return
            if self._failure is not None:
                continue  # drain, so the producer never blocks on a dead consumer
            try:
                copy(raw, *job)
            except BaseException as exc:  # re-raised in the generator's thread by flush()/finish()
                self._failure = exc

    def new_id(self, model) -> int:
        table = self.tables[model]
        value = table.next_id
        table.next_id += 1
        return value

    # -- rows -------------------------------------------------------------------------------------
    def add(self, model, row: tuple) -> None:
        table = self.tables[model]
        table.rows.append(row)
        if len(table.rows) >= (COPY_BATCH if self.postgres else INSERT_BATCH):
            self.flush(table)

    def flush_if_full(self, table: Table) -> None:
        """For callers that append to `table.rows` / `table.lines` themselves (one check per case, not
        per row)."""
        if len(table.rows) + len(table.lines) >= (COPY_BATCH if self.postgres else INSERT_BATCH):
            self.flush(table)

    def flush(self, table: Table) -> None:
        if not table.rows and not table.lines:
            return
        rows, table.rows = table.rows, []
        lines, table.lines = table.lines, []
        columns = ", ".join(f'"{column}"' for column in table.columns)
        if self.postgres:
            if self._failure is not None:
                raise self._failure
            batches = []
            if self._transformer is not None and rows:
                data, transformer = bytearray(), self._transformer
                for row in rows:
                    format_row_text(row, transformer, data)
                if lines:
                    data += "".join(lines).encode()
                batches.append(data)
            elif self._transformer is not None:
                batches.append("".join(lines).encode())
            else:
                batches += [batch for batch in (rows, "".join(lines).encode()) if batch]
            for data in batches:
                if self.sink is not None:
                    self.sink(table.name, columns, data)
                elif self._queue is not None:
                    self._queue.put((table.name, columns, data))
                else:
                    copy(connection.connection, table.name, columns, data)
            table.written += len(lines)
        else:
            if lines:
                raise RuntimeError(f"history: COPY lines for {table.name} outside PostgreSQL")
            placeholders = ", ".join(["%s"] * len(table.columns))
            adapt = _sqlite_value
            with connection.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({placeholders})',
                                   [tuple(adapt(value) for value in row) for row in rows])
        table.written += len(rows)

    def flush_all(self, order: list) -> None:
        for model in order:
            self.flush(self.tables[model])

    def finish(self) -> None:
        """Wait for the writer thread, then move each identity sequence past the ids we used."""
        if not self.postgres:
            return
        self.stop()
        with connection.cursor() as cursor:
            for table in self.tables.values():
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)",
                               [table.name, table.next_id])

    def stop(self) -> None:
        """End the writer thread (also on the way out of a failed run) and raise its error, if any."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


def copy(raw, name: str, columns: str, data) -> None:
    """One COPY of a batch: COPY text (bytes) or, without psycopg's formatter, row tuples."""
    with raw.cursor() as cursor, cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copier:
        if isinstance(data, list):
            for row in data:
                copier.write_row(row)
        else:
            copier.write(data)


def _sqlite_value(value):
    kind = type(value)
    if value is None or kind is str or kind is int:
        return value
    if kind is datetime:
        # Django's SQLite format: naive UTC text (the generator's datetimes are aware UTC already).
        return str(value.astimezone(UTC).replace(tzinfo=None))
    if kind is date:
        return value.isoformat()
    if kind is bool:
        return int(value)
    if kind is Decimal:
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value
