"""The workflow engine (onewindow.workflow): a state machine declared as a table, and a registry where
an action is one entry and one service function — and then appears in the API, the workbench and the
CLI with its typed parameters. Also the task table: every change of a task's state is checked."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from ninja import Body, NinjaAPI
from ninja.testing import TestClient
from pydantic import Field

from onewindow.cases import actions as case_actions
from onewindow.cases.models import Case, Task
from onewindow.cases.states import CASE_MACHINE, TASK_MACHINE, CaseState, TaskState
from onewindow.cases.transitions import lock_case, task_transition
from onewindow.cli import main
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.workflow.forms import ActionForm
from onewindow.workflow.machine import Machine, transition
from onewindow.workflow.registry import Action, Choice, Params, Registry

from .factories import accepted_case, at, snapshot, task_of

# -- the machine -------------------------------------------------------------------------------------------


def test_the_case_table_says_where_each_action_may_start_and_where_it_leads():
    assert CASE_MACHINE.allowed_actions(CaseState.SUBMITTED) == [
        "accept", "request_supplement_at_intake", "refuse", "withdraw"]
    assert CASE_MACHINE.target(CaseState.SUSPENDED, "end_special_procedure") == CaseState.IN_PROGRESS
    assert CASE_MACHINE.target(CaseState.IN_PROGRESS, "extend") == CaseState.IN_PROGRESS  # keeps the state
    assert CASE_MACHINE.verb("approve_all") == "approved" and CASE_MACHINE.verb("pay") == "fee_paid"
    with pytest.raises(Conflict) as error:
        CASE_MACHINE.require(CaseState.CONCLUDED, "withdraw", describe="办件 X-1")
    assert error.value.message == "办件 X-1 当前状态为“已办结”，不能撤回申请"


def test_the_task_table_allows_each_change_only_from_its_states():
    assert TASK_MACHINE.allowed_actions(TaskState.OPEN) == [
        "approve", "deny", "suspend", "cancel", "decide_at_once", "complete_at_conclusion"]
    assert TASK_MACHINE.allowed_actions(TaskState.APPROVED) == []
    assert TASK_MACHINE.target(TaskState.SUSPENDED, "resume") == TaskState.OPEN
    with pytest.raises(Conflict):
        TASK_MACHINE.require(TaskState.WAITING, "approve")


def test_a_machine_refuses_a_table_naming_unknown_states():
    with pytest.raises(ValueError, match="unknown states"):
        Machine("broken", states=TaskState, transitions={"x": transition({"nowhere"}, TaskState.OPEN, "x")})


def test_task_transition_checks_every_task_before_changing_any(world):
    case = accepted_case(world)
    tasks = list(Task.objects.filter(case=case, step=2).select_related("department").order_by("id"))
    approved = task_of(case, world.scjg, 1)
    before = snapshot(case)
    with transaction.atomic(), pytest.raises(Conflict) as error:
        task_transition(lock_case(case), [*tasks, approved], "approve", completed_at=at(2026, 10, 8))
    assert "已通过" in error.value.message and "不能审批通过" in error.value.message
    assert snapshot(case) == before
    with transaction.atomic():
        locked = lock_case(case)
        assert task_transition(locked, tasks, "suspend") == 2
        # in bulk: only the tasks whose state allows the change move (the acceptance task stays approved)
        assert task_transition(locked, None, "cancel") == 4
    states = dict(Task.objects.filter(case=case).values_list("step", "state").order_by("step"))
    assert states[1] == TaskState.APPROVED and states[2] == states[3] == states[4] == TaskState.CANCELLED
    with pytest.raises(RuntimeError):
        task_transition(case, None, "cancel")  # never without the case's lock


# -- a registry: one entry and one function ---------------------------------------------------------------

class DummyNoteParams(Params):
    text: str = Field(max_length=20, title="备注")
    task_id: int = Field(title="审批环节")
    urgent: bool = False


NOTES: list[tuple] = []


def _note(actor, case, params, now):
    """The one service of the dummy action."""
    NOTES.append((actor.username, case.number, params.task_id, params.text, params.urgent))
    return case


def note_registry(*extra: Action) -> Registry:
    test_registry = Registry("case", machine=CASE_MACHINE, describe=lambda case: f"办件 {case.number}")
    for action in case_actions.registry:
        test_registry.register(action)
    test_registry.register(Action(
        "note", "加备注", "备注已记下。", DummyNoteParams, ("extend",),
        lambda actor, case: actor.username.startswith("approver"), _note,
        choices=lambda actor, case: {"task_id": [Choice(t.pk, t.name) for t in case.tasks.filter(state="open")]}))
    for action in extra:
        test_registry.register(action)
    return test_registry


@pytest.fixture
def with_note(monkeypatch):
    """The cases registry plus the dummy action, as every surface sees it."""
    NOTES.clear()
    registry = note_registry()
    # The modules that bind the registry are imported (by monkeypatch) before the registry itself is
    # replaced: one first imported while it is replaced would keep the dummy after the test.
    monkeypatch.setattr("onewindow.cases.commands.registry", registry)
    monkeypatch.setattr("onewindow.api.cases.case_actions", registry)
    monkeypatch.setattr("onewindow.workbench.case_actions.registry", registry)
    monkeypatch.setattr("onewindow.workbench.case_detail.registry", registry)
    monkeypatch.setattr(case_actions, "registry", registry)
    return registry


def test_a_dummy_action_is_one_entry_and_appears_in_all_three_surfaces(world, with_note, capsys):
    case = accepted_case(world)
    case = Case.objects.select_related("item", "applicant", "centre").get(pk=case.pk)
    task = task_of(case, world.scjg, 2)
    assert "note" in [a.name for a in with_note.available(world.approver_scj, case)]
    assert "note" not in [a.name for a in with_note.available(world.clerk, case)]
    # the API lists it and acts
    from onewindow.api.auth import create_token

    api = Client(headers={"Authorization": f"Bearer {create_token(user=world.approver_scj).raw}"})
    listed = api.get(f"/api/v1/cases/{case.number}/actions").json()
    assert "note" in [row["action"] for row in listed]
    # the CLI lists it and acts
    assert main(["cases", "actions", case.number, "--as", "approver.scj", "--json"]) == 0
    assert "note" in [row["action"] for row in json.loads(capsys.readouterr().out)]
    assert main(["cases", "act", case.number, "note", "--as", "approver.scj", "--param", f"task_id={task.pk}",
                 "--param", "text=记一笔", "--param", "urgent=true"]) == 0
    # the workbench shows its form and acts
    page = Client()
    page.force_login(world.approver_scj)
    body = page.get(reverse("workbench:case_detail", args=[case.number])).content.decode()
    assert 'id="action-note"' in body and 'name="note-text"' in body
    response = page.post(reverse("workbench:case_action", args=[case.number, "note"]),
                         {"note-task_id": task.pk, "note-text": "页面备注"})
    assert response.status_code == 302
    assert NOTES == [("approver.scj", case.number, task.pk, "记一笔", True),
                     ("approver.scj", case.number, task.pk, "页面备注", False)]


def test_the_union_schema_validates_each_actions_own_parameters(with_note):
    api = NinjaAPI(urls_namespace="note-test")
    union = with_note.union_schema()

    def act(request, body):
        return {"action": body.action, "params": body.params.model_dump()}

    act.__annotations__ = {"body": Body[union]}  # this module's annotations are strings (PEP 563)
    api.post("/act")(act)

    client = TestClient(api)
    ok = client.post("/act", json={"action": "note", "params": {"text": "x", "task_id": 3}})
    assert ok.status_code == 200 and ok.json()["params"] == {"text": "x", "task_id": 3, "urgent": False}
    assert client.post("/act", json={"action": "note", "params": {"text": "x"}}).status_code == 422
    assert client.post("/act", json={"action": "note", "params": {"text": "x", "task_id": "3"}}).status_code == 422
    assert client.post("/act", json={"action": "refuse", "params": {"reason": "r"}}).status_code == 200


def test_perform_checks_params_then_state_then_person(world):
    registry = note_registry()
    case = accepted_case(world)
    with pytest.raises(ValidationError) as error:
        registry.perform(world.approver_scj, case, "note", {"text": "x" * 21, "task_id": 1})
    assert error.value.field == "text" and error.value.message == "不能超过 20 个字"
    with pytest.raises(ValidationError) as error:
        registry.perform(world.approver_scj, case, "note", {"text": "x", "task_id": 1, "colour": "red"})
    assert error.value.field == "colour"
    with pytest.raises(PermissionDenied):
        registry.perform(world.clerk, case, "note", {"text": "x", "task_id": 1})
    Case.objects.filter(pk=case.pk).update(state=CaseState.APPROVED)
    case.refresh_from_db()
    with pytest.raises(Conflict) as error:
        registry.perform(world.approver_scj, case, "note", {"text": "x", "task_id": 1})
    assert "不能加备注" in error.value.message
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.get("note"))
    with pytest.raises(ValueError, match="needs transitions"):
        registry.register(Action("ghost", "x", "x", DummyNoteParams, ("fly",), lambda a, c: True, _note))


def test_the_generic_form_follows_the_params_model(world):
    registry = note_registry()
    case = accepted_case(world)
    form = ActionForm(registry.offer(world.approver_scj, case, registry.get("note")))
    assert form.fields["task_id"].widget.input_type == "select"  # the case's two open tasks
    assert form.fields["text"].max_length == 20 and form.fields["text"].label == "备注"
    assert form.fields["urgent"].required is False
    approve = ActionForm(registry.offer(world.approver_scj, case, registry.get("approve")))
    assert approve.fields["task_id"].widget.input_type == "hidden"  # scjg's one open task: nothing to ask
    start = case_actions.registry.offer(world.approver_scj, case, case_actions.registry.get("start_special_procedure"))
    form = ActionForm(start, {"start_special_procedure-task_id": str(task_of(case, world.scjg, 2).pk),
                              "start_special_procedure-kind": "hearing", "start_special_procedure-limit_days": "7",
                              "start_special_procedure-reason": "听证"})
    assert ("hearing", "听证") in form.fields["kind"].choices and form.fields["limit_days"].max_value == 250
    assert form.is_valid(), form.errors
    assert form.params() == {"task_id": task_of(case, world.scjg, 2).pk, "kind": "hearing", "limit_days": 7,
                             "reason": "听证", "exception_reason": ""}
    bad = ActionForm(start, {"start_special_procedure-task_id": "99999", "start_special_procedure-kind": "party",
                             "start_special_procedure-limit_days": "0"})
    assert not bad.is_valid() and {"task_id", "kind", "limit_days"} <= set(bad.errors)


def test_the_dates_of_a_waiver_are_read_from_json_and_forms_alike(world):
    params = case_actions.registry.parse(case_actions.registry.get("accept"), '{"waivers": {"12": "2026-10-09"}}')
    assert params.waivers == {12: date(2026, 10, 9)}
    with pytest.raises(ValidationError) as error:
        case_actions.registry.parse(case_actions.registry.get("accept"), {"waivers": {"12": "soon"}})
    assert error.value.field == "waivers.12"
