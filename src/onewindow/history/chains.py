"""A sample case's audit trail (history/life.py): its events, hash-chained as audit.services.record
chains them, written without a query per event.

The hashes come from audit.digest.ChainHasher — the audit app's own definition of an event's hash,
made for bulk loaders: the middle fields' JSON is cached per combination and the event data arrive as
their canonical JSON text, built by hand for the common events (the builders below) and by
canonical_json for the rest; the hasher checks every 1009th event against event_digest, so a builder
that drifted fails loudly. On PostgreSQL the events' COPY lines are made in the same pass as the
hashes (the moment's ISO text serves both); the rows' columns are rows.AuditEventRow's."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from onewindow.audit.digest import ChainHasher, canonical_json
from onewindow.audit.models import AuditChain, AuditEvent

from .rows import NULL, AuditChainRow, AuditEventRow, copy_text
from .values import SYSTEM

HASHER = ChainHasher()
js = HASHER.string

# The COPY line below writes these columns in this order: a changed AuditEventRow must change it too.
_LINE_FIELDS = ("id", "chain", "position", "occurred_at", "actor", "actor_label", "action", "from_state",
                "to_state", "reason", "data", "prev_hash", "hash")
if tuple(f.name for f in fields(AuditEventRow)) != _LINE_FIELDS:  # pragma: no cover - a changed declaration
    raise RuntimeError("history/chains.py: update write_chain's COPY line to rows.AuditEventRow")


def jv(value) -> str:
    """JSON of a scalar: str, int, bool, None, date (as json.dumps(..., default=str) writes a date)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):
        return f'"{value.isoformat()}"'
    return js(value)


sorted_json = canonical_json


# -- the common events' data, as canonical JSON ------------------------------------------------------
def submitted_data(item: str, channel: str) -> str:
    return f'{{"channel":{js(channel)},"item":{js(item)}}}'


def accepted_data(due_on: date, calendar_version, provisional: bool, waivers: dict[str, str]) -> str:
    waived = ",".join(f"{js(key)}:{js(waivers[key])}" for key in sorted(waivers))
    return (f'{{"calendar_version":{jv(calendar_version)},"due_on":"{due_on.isoformat()}",'
            f'"provisional":{jv(provisional)},"waivers":{{{waived}}}}}')


def step_opened_data(step: int, tasks: list[tuple[int, str, date | None]]) -> str:
    """tasks: (task id, department name, due date)."""
    listed = ",".join(f'{{"department":{js(department)},"due_on":{jv(due_on)},"task":{task_id}}}'
                      for task_id, department, due_on in tasks)
    return f'{{"step":{step},"tasks":[{listed}]}}'


def task_approved_data(task_id: int, step: int, name: str, department: str) -> str:
    return f'{{"department":{js(department)},"name":{js(name)},"step":{step},"task":{task_id}}}'


def certificate_data(number: str, certificate_type: str) -> str:
    return f'{{"certificate":{js(number)},"type":{js(certificate_type)}}}'


def concluded_data(method: str, tracking_number: str) -> str:
    return f'{{"delivery_method":{js(method)},"tracking_number":{js(tracking_number)}}}'


class EventLog:
    """The case's events in the order they happened (a mixin of the case's life: `self.events`,
    `self.state`)."""

    events: list[tuple[Any, ...]]
    state: str

    def event(self, moment, actor, action: str, frm, to, reason="", data: dict | str | None = None) -> None:
        """As transitions.transition / record_event write it: an event that keeps the state records the
        state as both from and to; an event without a person is the system's. `data`: a dict, or its
        canonical JSON already (the builders above)."""
        frm, to = (frm or self.state), (to or self.state)
        if data is None:
            data = "{}"
        elif not isinstance(data, str):
            data = canonical_json(data)
        self.events.append((moment, actor.id, actor.label or SYSTEM, action, frm, to, reason, data))
        self.state = to


_middles: dict[tuple, tuple[str, str]] = {}


def _middle(key: tuple) -> tuple[str, str]:
    """The five middle fields as the hash's JSON and as COPY text columns (cached per combination)."""
    found = _middles[key] = (HASHER.middle(*key), "\t".join(copy_text(value) for value in key))
    return found


def write_chain(writer, chain_key: str, events: list[tuple]) -> None:
    """Write `events` (EventLog's, sorted by moment) and the chain's head through `writer`: on
    PostgreSQL as COPY text lines, elsewhere as rows. The moments' ISO texts stay in writer.moments
    for the case's other rows."""
    events_table, chains = writer.tables[AuditEvent], writer.tables[AuditChain]
    chain_id = chains.next_id
    chains.next_id += 1
    first_id = events_table.next_id - 1
    events_table.next_id += len(events)
    lines = events_table.lines if writer.postgres else None
    rows = events_table.rows
    middles, digest, iso_of = _middles, HASHER.digest, HASHER.iso
    checked, every = writer.events_hashed, HASHER.CHECK_EVERY
    prev = ""
    moments = writer.moments
    moments.clear()
    for position, (occurred_at, actor_id, label, action, from_state, to_state, reason, data_json) in \
            enumerate(events, 1):
        iso = moments.get(occurred_at)
        if iso is None:
            iso = moments[occurred_at] = iso_of(occurred_at)
        key = (label, action, from_state, to_state, reason)
        middle, middle_text = middles.get(key) or _middle(key)
        hashed = digest(prev, position, iso, middle, data_json)
        if (checked + position) % every == 1:  # keep the fast path honest against event_digest
            HASHER.check(hashed, prev_hash=prev, position=position, occurred_at=occurred_at, actor_label=label,
                         action=action, from_state=from_state, to_state=to_state, reason=reason, data_json=data_json)
        if lines is not None:
            if "\\" in data_json:  # JSON escapes (\" \\ \n) are backslashes to COPY
                data_json = data_json.replace("\\", "\\\\")
            lines.append(f"{first_id + position}\t{chain_id}\t{position}\t{iso}\t"
                         f"{NULL if actor_id is None else actor_id}\t{middle_text}\t{data_json}\t{prev}\t{hashed}\n")
        else:
            rows.append((first_id + position, chain_id, position, occurred_at, actor_id, label, action, from_state,
                         to_state, reason, data_json, prev, hashed))
        prev = hashed
    writer.events_hashed = checked + len(events)
    writer.add(AuditChain, AuditChainRow(id=chain_id, key=chain_key, length=len(events), head_hash=prev))
    writer.flush_if_full(events_table)
