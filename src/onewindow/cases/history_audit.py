"""Audit chains for the history generator (cases/history.py): each case's events, hash-chained as
audit.services.record chains them, without a query per event.

The hash is audit.services._digest: SHA-256 of the compact, key-sorted JSON list [prev_hash, position,
occurred_at, actor_label, action, from_state, to_state, reason, data]. Here that text is assembled from
pieces: the strings repeat (labels, actions, states, reasons), so the JSON of the middle five is cached
per combination, and the event data arrive already as their sorted compact JSON — built by hand for the
common events (the builders below) and by json.dumps for the rest. Every 1009th event is checked
against the real _digest (and the tests verify every chain), so a builder that drifted from json.dumps
fails loudly."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from onewindow.audit.models import AuditChain, AuditEvent
from onewindow.audit.services import _digest

_JS: dict[str, str] = {}
_MIDDLE: dict[tuple, str] = {}
CHECK_EVERY = 1009
NULL = "\\N"  # COPY text's NULL


def js(text: str) -> str:
    """json.dumps(text, ensure_ascii=False), cached (the same few hundred strings recur)."""
    found = _JS.get(text)
    if found is None:
        found = _JS[text] = json.dumps(text, ensure_ascii=False)
    return found


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


def sorted_json(data: dict) -> str:
    """The general case: sorted, compact JSON (what _digest puts inside its list)."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str) if data \
        else "{}"


# -- the common events' data, as sorted compact JSON ---------------------------------------------------
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


def _pieces(label: str, action: str, from_state: str, to_state: str, reason: str) -> tuple[str, str]:
    """The five middle fields as the digest's JSON and as COPY text columns (cached per combination)."""
    key = (label, action, from_state, to_state, reason)
    found = _MIDDLE.get(key)
    if found is None:
        found = _MIDDLE[key] = (f"{js(label)},{js(action)},{js(from_state)},{js(to_state)},{js(reason)}",
                                "\t".join(copy_text(value) for value in key))
    return found


def copy_text(text: str) -> str:
    """A string as a COPY text field (backslash, tab, newline and carriage return escaped)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


_isoformat = datetime.isoformat


def write_chain(g, chain_key: str, events: list[tuple]) -> None:
    """events: (occurred_at, actor_id, actor_label, action, from_state, to_state, reason, data JSON),
    in order. Writes the events and the chain head through the generator's writer: on PostgreSQL as
    COPY text lines built in the same pass as the hashes (the moment's ISO text serves both), elsewhere
    as row tuples."""
    writer = g.writer
    events_table, chains = writer.tables[AuditEvent], writer.tables[AuditChain]
    chain_id = chains.next_id
    chains.next_id += 1
    first_id = events_table.next_id - 1
    events_table.next_id += len(events)
    lines = events_table.lines if writer.postgres else None
    rows = events_table.rows
    pieces, sha256, isoformat = _pieces, hashlib.sha256, _isoformat
    prev = ""
    checked = g.digests
    moments = g.moment_texts  # this case's moments as ISO text, reused for its case and task rows
    moments.clear()
    for position, (occurred_at, actor_id, label, action, from_state, to_state, reason, data_json) in \
            enumerate(events, 1):
        iso = moments[occurred_at] = isoformat(occurred_at, "T", "microseconds")
        middle, middle_text = pieces(label, action, from_state, to_state, reason)
        digest = sha256(f'["{prev}",{position},"{iso}",{middle},{data_json}]'.encode()).hexdigest()
        if (checked + position) % CHECK_EVERY == 1:  # keep the fast path honest against the real function
            expected = _digest(prev_hash=prev, position=position, occurred_at=occurred_at, actor_label=label,
                               action=action, from_state=from_state, to_state=to_state, reason=reason,
                               data=json.loads(data_json))
            if expected != digest:
                raise RuntimeError(f"history: audit digest differs from audit.services._digest ({action})")
        if lines is not None:
            if "\\" in data_json:  # JSON escapes (\" \\ \n) are backslashes to COPY
                data_json = data_json.replace("\\", "\\\\")
            lines.append(f"{first_id + position}\t{chain_id}\t{position}\t{iso}\t"
                         f"{NULL if actor_id is None else actor_id}\t{middle_text}\t{data_json}\t{prev}\t{digest}\n")
        else:
            rows.append((first_id + position, chain_id, position, occurred_at, actor_id, label, action, from_state,
                         to_state, reason, data_json, prev, digest))
        prev = digest
    g.digests = checked + len(events)
    if lines is not None:
        chains.lines.append(f"{chain_id}\t{copy_text(chain_key)}\t{len(events)}\t{prev}\n")
    else:
        chains.rows.append((chain_id, chain_key, len(events), prev))
    writer.flush_if_full(events_table)
    writer.flush_if_full(chains)
