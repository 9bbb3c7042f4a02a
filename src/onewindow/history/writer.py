"""Bulk writing for the sample history (history/generator.py): the rows declared in history/rows.py,
ids allocated up front, written with COPY on PostgreSQL and batched executemany elsewhere.

Ids are assigned by the generator (not by the database) so that child rows can point at parents
without a round trip; the tables are locked while we write and the identity sequences are moved past
our ids at the end, so later inserts by the application never collide.

On PostgreSQL each row becomes its COPY text line when it is added (rows.RowDef.line) and the
batches are sent by a background thread, so the server parses, checks and indexes one batch while
this process simulates the next (the wait for the server releases the GIL). The busiest table, the
audit events, has its lines made by chains.write_chain. The thread uses the same connection and
transaction; the generator does not query the database while the writer runs (start() before,
finish() after).

With several simulation processes (history/parallel.py) each process formats its own batches
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

from .rows import RowDef

COPY_BATCH = 20_000
INSERT_BATCH = 5_000

class Table:
    """One table being written: its declaration, the rows (or COPY lines) waiting, the ids used."""

    __slots__ = ("definition", "model", "name", "columns", "rows", "lines", "written", "next_id")

    def __init__(self, definition: RowDef):
        self.definition = definition
        self.model, self.name, self.columns = definition.model, definition.name, definition.columns
        self.rows: list[tuple] = []  # value tuples (not PostgreSQL)
        self.lines: list[str] = []  # COPY text lines (PostgreSQL)
        self.written = 0
        self.next_id = 0


class BulkWriter:
    def __init__(self, definitions: Iterable[RowDef]):
        self.tables = {definition.model: Table(definition) for definition in definitions}
        self.postgres = connection.vendor == "postgresql"
        self.sink = None  # a simulation process's pipe: (table, columns, COPY text) -> None
        self.moments: dict[datetime, str] = {}  # moments already as ISO text (the current case's: chains)
        self.events_hashed = 0  # audit events hashed so far (chains checks a sample)
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

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
        if self.postgres and background:
            self._queue = queue.Queue(maxsize=8)  # bounded: the simulation waits if the server falls behind
            self._thread = threading.Thread(target=self._send, args=(connection.connection,), daemon=True,
                                            name="history-copy")
            self._thread.start()

    def _send(self, raw) -> None:
        """The background thread: COPY each batch in the order it was queued; stop at None."""
        while True:
            assert self._queue is not None  # started before this thread
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
    def add(self, model, row) -> None:
        """Queue a row (of the table's declared row type) for writing."""
        table = self.tables[model]
        if self.postgres:
            table.lines.append(table.definition.line(row, self.moments))
        else:
            table.rows.append(table.definition.values(row))
        if len(table.rows) + len(table.lines) >= (COPY_BATCH if self.postgres else INSERT_BATCH):
            self.flush(table)

    def add_many(self, model, rows) -> None:
        """Queue several rows of one table (one size check)."""
        table = self.tables[model]
        if self.postgres:
            line, moments = table.definition.line, self.moments
            table.lines += [line(row, moments) for row in rows]
        else:
            values = table.definition.values
            table.rows += [values(row) for row in rows]
        self.flush_if_full(table)

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
            if rows:
                raise RuntimeError(f"history: value tuples for {table.name} on PostgreSQL")
            data = "".join(lines).encode()
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
        if self._thread is not None and self._queue is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._failure is not None:
            failure, self._failure = self._failure, None
            raise failure


def copy(raw, name: str, columns: str, data: bytes) -> None:
    """One COPY of a batch of COPY text lines."""
    with raw.cursor() as cursor, cursor.copy(f'COPY "{name}" ({columns}) FROM STDIN') as copier:
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
