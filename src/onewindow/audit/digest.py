"""How an audit event is hashed: one definition for the services that append events one at a time,
for `verify`, and for bulk loaders that write whole chains at once (the sample history).

An event's hash is the SHA-256 of the compact, key-sorted JSON list [prev_hash, position, occurred_at
(ISO 8601 in UTC, microseconds), actor_label, action, from_state, to_state, reason, data]; each event
carries the hash of the one before it, so an edited, removed or reordered event breaks the chain."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from functools import partial


def canonical_json(data: dict | None) -> str:
    """`data` as the hash sees it: compact JSON with sorted keys, dates and other values as text."""
    return json.dumps(data or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def event_digest(*, prev_hash: str, position: int, occurred_at: datetime, actor_label: str, action: str,
                 from_state: str, to_state: str, reason: str, data: dict) -> str:
    """The hash of one event (see the module docstring). `occurred_at` is aware; it is hashed in UTC
    as the database hands it back."""
    payload = json.dumps(
        [prev_hash, position, occurred_at.isoformat(timespec="microseconds"), actor_label, action,
         from_state, to_state, reason, data],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class ChainHasher:
    """event_digest for many events, for a bulk loader: the same hashes, built from text.

    Labels, actions, states and reasons repeat across events, so the JSON of those five fields is made
    once per combination (`middle`); the data arrive as their canonical_json text and the moment as its
    ISO text (`iso`), which the loader reuses for the row it writes. `digest` then only joins and hashes.
    A loader calls `check` on a sample of its events (every CHECK_EVERY-th, say): it recomputes the hash
    with event_digest, so data text that is not canonical fails loudly instead of writing chains that
    do not verify."""

    CHECK_EVERY = 1009
    # The moment's text in the hash, of an aware UTC datetime (a C call, no Python frame).
    iso = staticmethod(partial(datetime.isoformat, sep="T", timespec="microseconds"))

    __slots__ = ("_middles", "_strings")

    def __init__(self):
        self._middles: dict[tuple[str, str, str, str, str], str] = {}
        self._strings: dict[str, str] = {}

    def string(self, text: str) -> str:
        """A string as JSON (cached: the same few hundred strings recur)."""
        found = self._strings.get(text)
        if found is None:
            found = self._strings[text] = json.dumps(text, ensure_ascii=False)
        return found

    def middle(self, actor_label: str, action: str, from_state: str, to_state: str, reason: str) -> str:
        """The JSON of the five middle fields, for `digest`."""
        key = (actor_label, action, from_state, to_state, reason)
        found = self._middles.get(key)
        if found is None:
            string = self.string
            found = self._middles[key] = ",".join(string(value) for value in key)
        return found

    @staticmethod
    def digest(prev_hash: str, position: int, occurred_iso: str, middle: str, data_json: str) -> str:
        """event_digest from the parts: `occurred_iso` from `iso`, `middle` from `middle`, `data_json`
        the canonical_json of the data."""
        return hashlib.sha256(
            f'["{prev_hash}",{position},"{occurred_iso}",{middle},{data_json}]'.encode()).hexdigest()

    @staticmethod
    def check(digest: str, *, prev_hash: str, position: int, occurred_at: datetime, actor_label: str, action: str,
              from_state: str, to_state: str, reason: str, data_json: str) -> None:
        """Raise unless `digest` is event_digest of the event."""
        expected = event_digest(prev_hash=prev_hash, position=position, occurred_at=occurred_at,
                                actor_label=actor_label, action=action, from_state=from_state, to_state=to_state,
                                reason=reason, data=json.loads(data_json))
        if expected != digest:
            raise RuntimeError(f"audit: bulk digest differs from event_digest ({action}): data not canonical?")
