"""Appending to and verifying the audit trail. `record` is called inside the caller's transaction so
the event commits or rolls back with the change it describes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from onewindow.core import fastsql

from .digest import event_digest
from .models import AuditChain, AuditEvent


def _prepared(*, actor, actor_label: str, data: dict | None, now: datetime | None) -> tuple[str, dict, datetime]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the transaction of the change it records")
    # Hash the instant in UTC: the database hands it back in UTC, whatever zone the caller used.
    now = (now or timezone.now()).astimezone(UTC)
    data = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    if actor is not None and not actor_label:
        actor_label = f"{actor.get_username()}"
    return actor_label, data, now


def record(*, chain_key: str, action: str, actor=None, actor_label: str = "", from_state: str = "",
           to_state: str = "", reason: str = "", data: dict | None = None,
           now: datetime | None = None, head: AuditChain | None = None) -> AuditEvent:
    """Append one event to the chain `chain_key` (created on first use). Locks the chain head, so
    events of one chain are strictly ordered even under concurrent writers. See record_many."""
    return record_many(chain_key, [{"action": action, "actor": actor, "actor_label": actor_label,
                                    "from_state": from_state, "to_state": to_state, "reason": reason,
                                    "data": data, "now": now}], head=head)[0]


def head_attachment(attribute: str, key_sql: str) -> tuple[str, type[AuditChain], str]:
    """For a caller's own locking statement (core/fastsql.Select's `attach`): the chain whose key is
    `key_sql` (an SQL expression over the caller's columns, e.g. `'case:' || {number}`) read into
    `obj.<attribute>` — its head, handed to record_many as `head` to save the chain's own read."""
    return attribute, AuditChain, f"{{{attribute}.key}} = {key_sql}"


def record_many(chain_key: str, events: list[dict], *, head: AuditChain | None = None) -> list[AuditEvent]:
    """Append `events` (each the keyword arguments of `record`), in order, to the chain `chain_key`
    (created on first use), with the rows and hashes one `record` call per event would write: the
    chain head read and locked, every event inserted at once, the head moved — three statements
    whatever the number of events, two on PostgreSQL (the head's update rides on the insert).

    `head`: the chain's row as the caller read it in this transaction (head_attachment), unlocked.
    On PostgreSQL the events are then written in one statement that moves the head only if it still
    has that length — and are inserted only if it moved; otherwise (another writer came first) the
    head is read and locked and the events hashed again after it, as without `head`."""
    prepared = []
    for event in events:
        actor_label, data, now = _prepared(actor=event.get("actor"), actor_label=event.get("actor_label", ""),
                                           data=event.get("data"), now=event.get("now"))
        prepared.append((event, actor_label, data, now))
    if not prepared:
        return []
    if head is not None and head.key == chain_key and transaction.get_connection().vendor == "postgresql":
        rows = _chained(head, prepared)
        if _insert_if_head_unmoved(head, rows):
            head.length, head.head_hash = rows[-1].position, rows[-1].hash
            return rows
    chain = _locked_chain(chain_key)
    rows = _chained(chain, prepared)
    prev_hash, position = rows[-1].hash, rows[-1].position
    if transaction.get_connection().vendor == "postgresql":
        _insert_moving_head(chain, rows)
    else:
        AuditEvent.objects.bulk_create(rows)
        AuditChain.objects.filter(pk=chain.pk).update(length=F("length") + len(rows), head_hash=prev_hash)
    chain.length, chain.head_hash = position, prev_hash
    if head is not None and head.pk == chain.pk:
        head.length, head.head_hash = position, prev_hash
    return rows


def _chained(chain: AuditChain, prepared: list) -> list[AuditEvent]:
    """The event rows after the chain's head as `chain` has it: positions and hashes."""
    rows, prev_hash, position = [], chain.head_hash, chain.length
    for event, actor_label, data, now in prepared:
        position += 1
        fields = {"action": event["action"], "from_state": event.get("from_state", ""),
                  "to_state": event.get("to_state", ""), "reason": event.get("reason", "")}
        digest = event_digest(prev_hash=prev_hash, position=position, occurred_at=now, actor_label=actor_label,
                         data=data, **fields)
        rows.append(AuditEvent(chain=chain, position=position, occurred_at=now, actor=event.get("actor"),
                               actor_label=actor_label, data=data, prev_hash=prev_hash, hash=digest, **fields))
        prev_hash = digest
    return rows


# Every audited action reads and locks its chain's head first: compiled once (core/fastsql.py).
_LOCKED_CHAIN = fastsql.Select(AuditChain, "{key} = %s", order_by=("id",), limit=1, for_update=True)


def _locked_chain(chain_key: str) -> AuditChain:
    """The chain row read and locked by its key (one statement), created first when it is new."""
    chain = _LOCKED_CHAIN.first([chain_key])
    if chain is None:
        chain, _created = AuditChain.objects.get_or_create(key=chain_key)
        chain = AuditChain.objects.select_for_update().get(pk=chain.pk)
    return chain


_EVENT_FIELDS = ("chain", "position", "occurred_at", "actor", "actor_label", "action", "from_state", "to_state",
                 "reason", "data", "prev_hash", "hash")


def _insert_moving_head(chain: AuditChain, rows: list[AuditEvent]) -> None:
    """PostgreSQL: the events inserted and the (locked) chain head moved past them in one statement —
    the head's UPDATE in a data-modifying WITH — the same rows bulk_create and update() would write."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    event_meta, chain_meta = AuditEvent._meta, AuditChain._meta
    fields = [fastsql.concrete_field(AuditEvent, name) for name in _EVENT_FIELDS]
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    params = [rows[-1].hash, len(rows), chain.pk]
    for row in rows:
        params += fastsql.values_for_insert(row, fields, connection)
    length, head = (qn(fastsql.concrete_field(AuditChain, name).column) for name in ("length", "head_hash"))
    sql = (f"WITH moved AS (UPDATE {qn(chain_meta.db_table)} SET {head} = %s, {length} = {length} + %s "
           f"WHERE {qn(chain_meta.pk.column)} = %s) "
           f"INSERT INTO {qn(event_meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "
           f"VALUES {', '.join([row_sql] * len(rows))} RETURNING {qn(event_meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fastsql.mark_saved(rows, [pk for (pk,) in cursor.fetchall()], connection.alias)


def _insert_if_head_unmoved(chain: AuditChain, rows: list[AuditEvent]) -> bool:
    """PostgreSQL: as _insert_moving_head for a chain row read without a lock, in one statement: the
    head moves only if its length is still `chain.length` (the UPDATE waits for, then re-checks, a row
    another transaction is changing), and the events are inserted only if it moved. False (nothing
    written) when it did not."""
    connection = transaction.get_connection()
    qn = connection.ops.quote_name
    event_meta, chain_meta = AuditEvent._meta, AuditChain._meta
    fields = [fastsql.concrete_field(AuditEvent, name) for name in _EVENT_FIELDS]
    # typed placeholders: the values are not in an INSERT's VALUES, where the columns would type them
    row_sql = "(" + ", ".join(f"%s::{field.db_type(connection)}" for field in fields) + ")"
    params = [rows[-1].hash, len(rows), chain.pk, chain.length]
    for row in rows:
        params += fastsql.values_for_insert(row, fields, connection)
    length, head = (qn(fastsql.concrete_field(AuditChain, name).column) for name in ("length", "head_hash"))
    pk = qn(chain_meta.pk.column)
    sql = (f"WITH moved AS (UPDATE {qn(chain_meta.db_table)} SET {head} = %s, {length} = {length} + %s "
           f"WHERE {pk} = %s AND {length} = %s RETURNING {pk}) "
           f"INSERT INTO {qn(event_meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "
           f"SELECT * FROM (VALUES {', '.join([row_sql] * len(rows))}) AS events "
           f"WHERE EXISTS (SELECT 1 FROM moved) RETURNING {qn(event_meta.pk.column)}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [pk for (pk,) in cursor.fetchall()]
    if not ids:
        return False
    fastsql.mark_saved(rows, ids, connection.alias)
    return True


def _insert_new_chain(chain_key: str, head_hash: str) -> AuditChain | None:
    """The chain row with length 1 and `head_hash`, or None when `chain_key` already exists (or the
    engine lacks INSERT … ON CONFLICT DO NOTHING RETURNING: PostgreSQL, SQLite 3.35 and later have it)."""
    connection = transaction.get_connection()
    if not (connection.vendor == "postgresql"
            or (connection.vendor == "sqlite" and connection.features.can_return_columns_from_insert)):
        return None
    qn = connection.ops.quote_name
    meta = AuditChain._meta
    key, length, head = (qn(fastsql.concrete_field(AuditChain, name).column) for name in ("key", "length", "head_hash"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(meta.db_table)} ({key}, {length}, {head}) VALUES (%s, 1, %s) "
                       f"ON CONFLICT ({key}) DO NOTHING RETURNING {qn(meta.pk.column)}", [chain_key, head_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    chain = AuditChain(key=chain_key, length=1, head_hash=head_hash)
    fastsql.mark_saved([chain], [row[0]], connection.alias)
    return chain


def record_first(*, chain_key: str, action: str, actor=None, actor_label: str = "", from_state: str = "",
                 to_state: str = "", reason: str = "", data: dict | None = None,
                 now: datetime | None = None) -> AuditEvent:
    """`record` for a chain the caller has just brought into being (a case created under its new
    number): the chain row is inserted with its first event's hash and length 1, then the event — two
    statements instead of `record`'s seven, and the same rows and hashes. Should the chain exist after
    all, the event is appended to it by `record`."""
    prepared_label, prepared_data, prepared_now = _prepared(actor=actor, actor_label=actor_label, data=data,
                                                            now=now)
    digest = event_digest(prev_hash="", position=1, occurred_at=prepared_now, actor_label=prepared_label,
                     action=action, from_state=from_state, to_state=to_state, reason=reason, data=prepared_data)
    chain = _insert_new_chain(chain_key, digest)
    if chain is None:
        return record(chain_key=chain_key, action=action, actor=actor, actor_label=actor_label,
                      from_state=from_state, to_state=to_state, reason=reason, data=data, now=now)
    return fastsql.insert(AuditEvent(
        chain=chain, position=1, occurred_at=prepared_now, actor=actor, actor_label=prepared_label, action=action,
        from_state=from_state, to_state=to_state, reason=reason, data=prepared_data, prev_hash="", hash=digest,
    ))


@dataclass
class VerifyReport:
    chains: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(*, chain_keys: list[str] | None = None, progress=None) -> VerifyReport:
    """Recompute every hash in order and compare with the stored chain heads."""
    report = VerifyReport()
    chains = AuditChain.objects.order_by("id")
    if chain_keys is not None:
        chains = chains.filter(key__in=chain_keys)
    for chain in chains.iterator(chunk_size=2000):
        report.chains += 1
        prev_hash, expected_position = "", 1
        for event in chain.events.order_by("position").iterator(chunk_size=2000):
            report.events += 1
            if event.position != expected_position:
                report.problems.append(f"{chain.key}: event #{expected_position} is missing")
                expected_position = event.position
            if event.prev_hash != prev_hash:
                report.problems.append(f"{chain.key}: event #{event.position} does not follow the one before it")
            digest = event_digest(prev_hash=event.prev_hash, position=event.position, occurred_at=event.occurred_at,
                             actor_label=event.actor_label, action=event.action, from_state=event.from_state,
                             to_state=event.to_state, reason=event.reason, data=event.data)
            if digest != event.hash:
                report.problems.append(f"{chain.key}: event #{event.position} ({event.action}) was altered")
            prev_hash, expected_position = event.hash, expected_position + 1
        if expected_position - 1 != chain.length:
            report.problems.append(
                f"{chain.key}: chain head says {chain.length} events, found {expected_position - 1}")
        elif prev_hash != chain.head_hash:
            report.problems.append(f"{chain.key}: chain head hash does not match the last event")
        if progress:
            progress(1)
    return report
