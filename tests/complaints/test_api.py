"""The complaints API: filing and following without an account, staff acting through the registry."""

import json

import pytest
from django.test import Client

from onewindow.api.auth import create_token
from onewindow.complaints.models import WorkOrder
from tests.complaints.orders import build_centre, hotline_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def _as(user) -> Client:
    return Client(headers={"Authorization": f"Bearer {create_token(user=user).raw}"})


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_file_follow_and_rate_without_an_account(centre):
    client = Client()
    filed = _post(client, "/api/v1/complaints", {"kind": "enterprise_request", "text": "企业开办后银行开户太慢，希望协调"})
    assert filed.status_code == 201
    number, code = filed.json()["number"], filed.json()["query_code"]
    order = WorkOrder.objects.get(number=number)
    assert order.channel == "api"
    assert client.get(f"/api/v1/complaints/track/{number}", {"query_code": "WRONG1"}).status_code == 404
    follow = client.get(f"/api/v1/complaints/track/{number}", {"query_code": code})
    assert follow.status_code == 200 and follow.json()["state"] == "registered"
    rated = _post(client, f"/api/v1/complaints/track/{number}/rating", {"query_code": code, "satisfaction": "satisfied"})
    assert rated.status_code == 409  # not replied yet


def test_bad_filing_names_the_field(centre):
    response = _post(Client(), "/api/v1/complaints", {"kind": "rumour", "text": "x"})
    assert response.status_code == 422 and response.json()["field"] == "kind"
    response = _post(Client(), "/api/v1/complaints", {"kind": "praise", "subkind": "delay", "text": "好"})
    assert response.status_code == 400 and response.json()["field"] == "subkind"
    assert not WorkOrder.objects.exists()


def test_staff_act_through_the_registry(centre):
    order = hotline_order(centre, anonymous=True)
    office, unit = _as(centre.office), _as(centre.staff_a)
    offers = office.get(f"/api/v1/complaints/{order.number}/actions").json()
    assert [o["action"] for o in offers] == ["dispatch", "close"]
    assert unit.get(f"/api/v1/complaints/{order.number}").status_code == 404
    done = _post(office, f"/api/v1/complaints/{order.number}/actions",
                 {"action": "dispatch", "params": {"department_id": centre.unit_a.pk}})
    assert done.status_code == 200 and done.json()["state"] == "dispatched"
    seen = unit.get(f"/api/v1/complaints/{order.number}").json()
    assert seen["complainant_name"] == "匿名" and seen["complainant_phone"] == ""
    bad = _post(unit, f"/api/v1/complaints/{order.number}/actions", {"action": "return", "params": {"basis": ""}})
    assert bad.status_code == 400 and bad.json()["field"] == "params.basis"
    wrong = _post(unit, f"/api/v1/complaints/{order.number}/actions",
                  {"action": "reply", "params": {"reply": "x", "substantiated": "no"}})
    assert wrong.status_code == 409
    assert _post(unit, f"/api/v1/complaints/{order.number}/actions", {"action": "sign"}).status_code == 200
    listed = unit.get("/api/v1/complaints", {"state": "handling"}).json()
    assert listed["count"] == 1 and listed["results"][0]["complainant_name"] == "匿名"
    assert office.get("/api/v1/complaints", {"light": "purple"}).status_code == 400
