"""Values shared by the parts of a sample case's life (life*.py): the states as plain strings, the
audit actions read from the cases' own tables, the timeline's stop signal."""

from __future__ import annotations

import json
from types import SimpleNamespace

from onewindow.cases import models, states


def _values(choices) -> SimpleNamespace:
    # Plain strings, not enum members: they are written as COPY text and hashed as JSON.
    return SimpleNamespace(**{member.name: member.value for member in choices})


S = _values(states.CaseState)
TaskState = _values(states.TaskState)
CaseMaterialStatus = _values(models.CaseMaterialStatus)
FeeState = _values(models.FeeState)
DenialKind = _values(models.DenialKind)
REVIEW_KINDS = ("review", "decision")
SYSTEM = "系统"


def case_action(transition: str) -> str:
    """The audit action a case transition writes, from the cases' one transition table
    (cases.states.CASE_MACHINE: each transition's label and audit verb)."""
    return f"onewindow.case.{states.CASE_MACHINE.verb(transition)}"


def recorded_action(verb: str) -> str:
    """The audit action of an event that keeps the case's state (transitions.record_event's verb).
    cases has no table of these verbs yet: tests/history/test_history.py checks every action the
    history writes against the ones a case run through the services writes."""
    return f"onewindow.case.{verb}"


A = SimpleNamespace(
    submitted=recorded_action("submitted"),
    accepted=case_action("accept"),
    refused=case_action("refuse"),
    supplement_requested_at_intake=case_action("request_supplement_at_intake"),
    supplement_requested_in_review=case_action("request_supplement_in_review"),
    supplied=case_action("supply"),
    special_procedure_started=case_action("start_special_procedure"),
    special_procedure_ended=case_action("end_special_procedure"),
    extended=case_action("extend"),
    approved=case_action("approve_all"),
    denied=case_action("deny"),
    concluded=case_action("conclude"),
    withdrawn=case_action("withdraw"),
    step_opened=recorded_action("step_opened"),
    task_approved=recorded_action("task_approved"),
    certificate_issued=recorded_action("certificate_issued"),
    fee_paid=recorded_action("fee_paid"),
    waived_material_supplied=recorded_action("waived_material_supplied"),
)


class Stop(Exception):
    """The timeline has reached `now`: what follows has not happened yet."""


def to_json(value) -> str:
    """A JSON column's text (compact, as the rows the services write hold the same values)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
