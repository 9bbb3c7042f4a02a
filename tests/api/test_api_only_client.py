"""Issue 16: every input POST /api/v1/cases asks for is discoverable from the API. A docking system
that uses only what the API publishes reads the item and its materials, submits, and staff tokens
accept, approve and conclude through the API: one case from submission to conclusion."""

import json

import pytest
from django.test import Client

from onewindow.api.auth import create_token
from tests.cases.factories import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db) -> World:
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    return build_world()


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user=user).raw}"})


def get(client, path, **params):
    response = client.get(f"/api/v1{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def act(client, number, action, params=None):
    body = {"action": action, "params": params or {}}
    response = client.post(f"/api/v1/cases/{number}/actions", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def _offer(client, number, action):
    offers = {offer["action"]: offer for offer in get(client, f"/cases/{number}/actions")}
    return offers.get(action)


def test_the_item_and_its_notice_publish_each_material_id(world):
    public = Client()
    item = get(public, f"/items/{world.licence.code}")
    notice = get(public, f"/items/{world.licence.code}/notice")
    expected = set(world.licence.materials.values_list("id", flat=True))
    assert {m["id"] for m in item["materials"]} == expected
    assert {m["id"] for m in notice["required_materials"] + notice["conditional_materials"]} == expected
    schema = get(public, "/openapi.json")
    assert "provided_material_ids" in json.dumps(schema["components"]["schemas"]["MaterialOut"], ensure_ascii=False)


def test_a_client_using_only_the_api_runs_a_case_from_submission_to_conclusion(world):
    public = Client()
    code = world.licence.code
    # 1. What the item asks for: every required material the system does not fetch by itself.
    item = get(public, f"/items/{code}")
    provided = [m["id"] for m in item["materials"] if m["required"] and not m["auto_obtained"]]
    # 2. The applicant's docking system submits.
    applicant = client_for(world.applicant_user)
    response = applicant.post("/api/v1/cases", data=json.dumps(
        {"item": code, "provided_material_ids": provided, "channel": "api"}), content_type="application/json",
        headers={"Idempotency-Key": "dock-0001"})
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["state"] == "submitted"
    # 3. The clerk accepts: the action and its parameters are what the API offers.
    clerk = client_for(world.clerk)
    assert _offer(clerk, number, "accept") is not None
    assert act(clerk, number, "accept")["state"] == "in_progress"
    # 4. Each department approves the tasks the API lists as theirs, step after step.
    approvers = [client_for(u) for u in (world.approver_scj, world.approver_gaj)]
    for _round in range(10):
        state = get(clerk, f"/cases/{number}")["state"]
        if state != "in_progress":
            break
        acted = False
        for approver in approvers:
            offer = _offer(approver, number, "approve")
            for choice in (offer or {}).get("choices", {}).get("task_id", []):
                act(approver, number, "approve", {"task_id": choice["value"], "opinion": "同意"})
                acted = True
        assert acted, "no approver was offered a task of an open case"
    assert get(clerk, f"/cases/{number}")["state"] == "approved"
    # 5. Conclusion with a delivery method the API offers.
    offer = _offer(clerk, number, "conclude")
    methods = [c["value"] for c in offer["choices"]["delivery_method"]]
    assert "pickup" in methods
    concluded = act(clerk, number, "conclude", {"delivery_method": "pickup"})
    assert concluded["state"] == "concluded"
    assert get(applicant, f"/cases/{number}")["state"] == "concluded"
