"""Values shared by the parts of a sample case's life (history_case*.py): the states as plain strings,
the empty actor, the timeline's stop signal."""

from __future__ import annotations

import json
from types import SimpleNamespace

from . import models, states


def _values(choices) -> SimpleNamespace:
    # Plain strings, not enum members: psycopg's COPY would write an enum's name, not its value.
    return SimpleNamespace(**{member.name: member.value for member in choices})


S = _values(states.CaseState)
TaskState = _values(states.TaskState)
CaseMaterialStatus = _values(models.CaseMaterialStatus)
FeeState = _values(models.FeeState)
DenialKind = _values(models.DenialKind)
NOBODY = (None, "")
REVIEW_KINDS = ("review", "decision")
SYSTEM = "系统"


class Stop(Exception):
    """The timeline has reached `now`: what follows has not happened yet."""


def to_json(value) -> str:
    """A JSON column's text (compact, as the rows the services write hold the same values)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
