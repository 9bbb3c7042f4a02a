"""/api/v1/projects: register, list with filters, read, the offered actions and acting (the registry's
union body), bad input as a 4xx naming the field with nothing changed, the board, the measured times and
the public progress."""

import json

import pytest
from django.test import Client

from onewindow.api.auth import create_token
from onewindow.projects import services
from onewindow.projects.models import Project

from .factories import at, concluded_case, register, snapshot

pytestmark = pytest.mark.django_db
BASE = "/api/v1/projects"


def client_for(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user=user).raw}"})


def post(client, path, body):
    return client.post(path, data=json.dumps(body), content_type="application/json")


def test_register_then_read_and_list(world):
    clerk = client_for(world.clerk)
    response = post(clerk, BASE, {"code": "GC-2026-101", "name": "东兴市第二中学教学楼", "kind": "government",
                                  "centre": world.centre.code, "applicant_id_number": world.applicant.id_number,
                                  "is_key": True})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["commitment"] == 70 and [s["order"] for s in body["stages"]] == [1, 2, 3, 4]
    assert sum(s["clock"]["limit"] for s in body["stages"]) == 70 and body["clock"]["light"] is None
    listed = clerk.get(BASE, {"kind": "government"}).json()
    assert listed["count"] == 1 and listed["results"][0]["code"] == "GC-2026-101"
    assert clerk.get(BASE, {"kind": "social"}).json()["count"] == 0


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"kind": "bridge"}, 400, "kind"), ({"code": "?"}, 400, "code"), ({"centre": "NOPE"}, 400, "centre"),
    ({"applicant_id_number": "000"}, 400, "applicant_id_number"), ({"colour": "red"}, 422, "colour"),
    ({"name": 5}, 422, "name"),
])
def test_register_refuses_bad_input(world, change, status, field):
    body = {"code": "GC-2026-101", "name": "污水处理厂", "kind": "government", "centre": world.centre.code,
            "applicant_id_number": world.applicant.id_number, **change}
    clerk = client_for(world.clerk)  # the token's creation is on record: before the snapshot
    before = snapshot()
    response = post(clerk, BASE, body)
    assert response.status_code == status and response.json()["field"] == field, response.content
    assert snapshot() == before


def test_acting_through_the_registry_and_its_errors(world):
    project = register(world, kind="electricity")
    first = project.stages.get(order=1)
    clerk = client_for(world.clerk)
    offered = clerk.get(f"{BASE}/{project.code}/actions").json()
    assert [a["action"] for a in offered] == ["start_stage"]
    assert offered[0]["choices"]["stage_id"][0]["value"] == first.pk
    before = snapshot()
    for body, status, field in [
        ({"action": "start_stage", "params": {}}, 422, "params.stage_id"),
        ({"action": "start_stage", "params": {"stage_id": "x"}}, 422, "params.stage_id"),
        ({"action": "start_stage", "params": {"stage_id": project.stages.get(order=2).pk}}, 409, "params.stage_id"),
        ({"action": "start_stage", "params": {"stage_id": first.pk, "item_ids": [999999]}}, 400, "params.item_ids"),
        ({"action": "fly", "params": {}}, 422, "action"),
        ({"action": "close", "params": {}}, 409, None),
    ]:
        response = post(clerk, f"{BASE}/{project.code}/actions", body)
        assert response.status_code == status and response.json()["field"] == field, (body, response.content)
    assert snapshot() == before
    response = post(clerk, f"{BASE}/{project.code}/actions", {"action": "start_stage", "params": {"stage_id": first.pk}})
    assert response.status_code == 200 and response.json()["stages"][0]["state"] == "running"
    case = concluded_case(world, Project.objects.get(pk=project.pk))
    response = post(clerk, f"{BASE}/{project.code}/actions", {"action": "attach_cases",
                                                               "params": {"case_ids": [case.pk]}})
    assert response.status_code == 200 and response.json()["stages"][0]["cases"][0]["number"] == case.number


def test_strangers_get_404_and_the_public_progress_needs_the_query_code(world):
    project = register(world)
    assert client_for(world.other_clerk).get(f"{BASE}/{project.code}").status_code == 404
    public = Client()
    assert public.get(f"{BASE}/progress/{project.code}", {"query_code": "ZZZZZZ"}).status_code == 404
    body = public.get(f"{BASE}/progress/{project.code}", {"query_code": project.query_code}).json()
    assert body["code"] == project.code and body["coordinator"] is None and len(body["stages"]) == 4


def test_the_board_and_the_measured_times(world):
    project = register(world, kind="social")
    services.start_stage(actor=world.clerk, project=project, stage_id=project.stages.get(order=1).pk,
                         now=at(2026, 9, 1))
    counts = client_for(world.supervisor).get(f"{BASE}/board").json()
    assert counts["open"] == 1 and counts["red"] + counts["yellow"] + counts["green"] + counts["paused"] == 1
    assert client_for(world.clerk).get(f"{BASE}/measured").status_code == 403
    measured = client_for(world.supervisor).get(f"{BASE}/measured").json()
    assert measured["projects"][0]["commitment"] == 35 and measured["projects"][0]["stages"][0]["limit"] == 10
    assert {k["kind"]: k["commitment"] for k in measured["kinds"]} == {"government": 70, "social": 35,
                                                                         "electricity": 30}
