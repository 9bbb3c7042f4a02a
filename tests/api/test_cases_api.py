"""The cases API (/api/v1/): submission with Idempotency-Key, reads with permissions, actions, the
public progress and certificate checks, and errors as JSON naming the field."""

import json
import threading
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from onewindow.api.auth import create_token
from onewindow.cases import services
from onewindow.cases.models import Case, Certificate, IdempotencyRecord
from onewindow.catalog.models import Bundle, BundleItem
from onewindow.orgs import identity
from onewindow.orgs.models import Applicant
from tests.cases.factories import World, accepted_case, at, build_world, open_tasks, submit_online
from tests.factories import make_staff

NEW_PERSON_ID = identity.generate_resident_id(region="450681", birth_date=date(1990, 5, 6),
                                              sequence=321)


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


def post(client: Client, path: str, body, **headers):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.post(f"/api/v1{path}", data=data, content_type="application/json", headers=headers)


def get(client: Client, path: str, **params):
    return client.get(f"/api/v1{path}", params)


def submission(w: World, item=None, **extra) -> dict:
    item = item or w.licence
    return {"item": item.code, "provided_material_ids": w.all_required(item), "form_data": {"shop": "边贸小店"},
            **extra}


# -- submitting --------------------------------------------------------------------------------------

def test_applicant_submits_for_themself(world):
    response = post(client_for(world.applicant_user), "/cases", submission(world, channel="online"))
    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(number=body["number"])
    assert case.applicant == world.applicant and case.channel == "online" and case.state == "submitted"
    assert body["state"] == "submitted" and body["query_code"] == case.query_code
    assert body["applicant_id_number"] == world.applicant.id_number  # their own number, unmasked
    assert {m["status"] for m in body["materials"]} >= {"provided"}


def test_same_idempotency_key_returns_the_same_case_once(world):
    client = client_for(world.applicant_user)
    first = post(client, "/cases", submission(world), **{"Idempotency-Key": "order-42"})
    second = post(client, "/cases", submission(world), **{"Idempotency-Key": "order-42"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["number"] == second.json()["number"]
    assert Case.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="order-42").count() == 1


def test_same_key_with_a_different_body_is_refused(world):
    client = client_for(world.applicant_user)
    post(client, "/cases", submission(world), **{"Idempotency-Key": "k1"})
    response = post(client, "/cases", submission(world, form_data={"shop": "另一家"}), **{"Idempotency-Key": "k1"})
    assert response.status_code == 409
    assert response.json()["field"] == "idempotency_key"
    assert Case.objects.count() == 1


def test_same_key_from_another_caller_is_another_case(world):
    post(client_for(world.applicant_user), "/cases", submission(world), **{"Idempotency-Key": "shared"})
    response = post(client_for(world.clerk), "/cases",
                     submission(world, applicant={"kind": "person", "id_number": world.applicant.id_number,
                                                  "name": world.applicant.name}), **{"Idempotency-Key": "shared"})
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_idempotency_key_too_long_is_refused(world):
    response = post(client_for(world.applicant_user), "/cases", submission(world), **{"Idempotency-Key": "x" * 101})
    assert response.status_code == 400
    assert response.json()["field"] == "Idempotency-Key"
    assert Case.objects.count() == 0


def test_clerk_submits_for_a_new_applicant_who_is_registered(world):
    body = submission(world, applicant={"kind": "person", "id_number": NEW_PERSON_ID, "name": "韦小宝",
                                        "phone": "13877001234"})
    response = post(client_for(world.clerk), "/cases", body)
    assert response.status_code == 201, response.content
    applicant = Applicant.objects.get(id_number=NEW_PERSON_ID)
    assert Case.objects.get(number=response.json()["number"]).applicant == applicant
    assert response.json()["centre"] == world.centre.code
    # Staff see the number masked.
    assert response.json()["applicant_id_number"] == identity.mask_id_number(NEW_PERSON_ID)


def test_clerk_submission_with_a_bad_id_number_changes_nothing(world):
    body = submission(world, applicant={"kind": "person", "id_number": NEW_PERSON_ID[:-1] + "0"
                                        if NEW_PERSON_ID[-1] != "0" else NEW_PERSON_ID[:-1] + "1", "name": "韦小宝"})
    response = post(client_for(world.clerk), "/cases", body)
    assert response.status_code == 400
    assert response.json()["field"] == "applicant.id_number"
    assert "校验位" in response.json()["message"]
    assert Case.objects.count() == 0 and not Applicant.objects.filter(name="韦小宝").exists()


def test_refused_submission_does_not_leave_a_new_applicant_behind(world):
    body = submission(world, applicant={"kind": "person", "id_number": NEW_PERSON_ID, "name": "韦小宝"},
                      provided_material_ids=[999999])
    response = post(client_for(world.clerk), "/cases", body)
    assert 400 <= response.status_code < 500
    assert response.json()["field"]
    assert not Applicant.objects.filter(id_number=NEW_PERSON_ID).exists()
    assert Case.objects.count() == 0


def test_clerk_must_name_the_applicant_and_the_name_must_match(world):
    clerk = client_for(world.clerk)
    missing = post(clerk, "/cases", submission(world))
    assert missing.status_code == 400 and missing.json()["field"] == "applicant"
    wrong = post(clerk, "/cases", submission(world, applicant={"kind": "person", "id_number": world.applicant.id_number,
                                                               "name": "别人"}))
    assert wrong.status_code == 400 and wrong.json()["field"] == "applicant.name"
    assert Case.objects.count() == 0


def test_applicant_cannot_submit_for_someone_else(world):
    body = submission(world, applicant={"kind": "person", "id_number": NEW_PERSON_ID, "name": "韦小宝"})
    response = post(client_for(world.applicant_user), "/cases", body)
    assert response.status_code == 403 and response.json()["field"] == "applicant"
    assert Case.objects.count() == 0


def test_approver_cannot_submit(world):
    body = submission(world, applicant={"kind": "person", "id_number": world.applicant.id_number,
                                        "name": world.applicant.name})
    response = post(client_for(world.approver_scj), "/cases", body)
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_clerk_cannot_submit_in_another_centre(world):
    body = submission(world, centre=world.other_centre.code,
                      applicant={"kind": "person", "id_number": world.applicant.id_number,
                                 "name": world.applicant.name})
    response = post(client_for(world.clerk), "/cases", body)
    assert response.status_code == 403 and response.json()["field"] == "centre"


@pytest.mark.parametrize("body, field", [
    ({"item": "NO-SUCH-ITEM"}, "item"),
    ({"item": "X" * 65}, "item"),
    ({"form_data": ["not", "an", "object"]}, "form_data"),
    ({"provided_material_ids": ["abc"]}, "provided_material_ids.0"),
    ({"provided_material_ids": "1,2"}, "provided_material_ids"),
    ({"channel": "fax"}, "channel"),
    ({"centre": "NOPE"}, "centre"),
    ({"colour": "red"}, "colour"),
    ({"form_data": {"text": "字" * 40000}}, "form_data"),
])
def test_bad_submissions_name_the_field(world, body, field):
    payload = {**submission(world), **body}
    response = post(client_for(world.applicant_user), "/cases", payload)
    assert 400 <= response.status_code < 500, response.content
    assert response.json()["field"] == field, response.json()
    assert response.json()["message"]
    assert Case.objects.count() == 0


def test_malformed_json_is_a_400_not_a_500(world):
    response = post(client_for(world.applicant_user), "/cases", '{"item": ')
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert Case.objects.count() == 0


def test_submitting_needs_authentication(world):
    response = post(Client(), "/cases", submission(world))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    bad = post(Client(headers={"Authorization": "Bearer ow_notatoken_xyz"}), "/cases", submission(world))
    assert bad.status_code == 401


def test_session_auth_keeps_csrf(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.applicant_user)
    assert get(client, "/cases").status_code == 200  # reads need no CSRF token
    response = post(client, "/cases", submission(world))
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    client.get("/api/v1/cases")  # no cookie set by the API: take the token from the cookie jar if any
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    ok = post(client, "/cases", submission(world), **{"X-CSRFToken": _mask_cipher_secret(secret)})
    assert ok.status_code == 201


# -- bundles -----------------------------------------------------------------------------------------

def test_bundle_submission_opens_one_case_per_item_and_is_idempotent(world):
    bundle = Bundle.objects.create(code="kaidian", name="我要开小店")
    BundleItem.objects.create(bundle=bundle, item=world.licence, order=1)
    BundleItem.objects.create(bundle=bundle, item=world.paid, order=2)
    client = client_for(world.applicant_user)
    body = {"provided_material_ids": world.all_required(world.licence) + world.all_required(world.paid)}
    first = post(client, "/bundles/kaidian/applications", body, **{"Idempotency-Key": "b-1"})
    assert first.status_code == 201, first.content
    assert {c["item"] for c in first.json()["cases"]} == {world.licence.code, world.paid.code}
    again = post(client, "/bundles/kaidian/applications", body, **{"Idempotency-Key": "b-1"})
    assert again.status_code == 200 and again.json()["number"] == first.json()["number"]
    assert Case.objects.count() == 2
    missing = post(client, "/bundles/nope/applications", body)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# -- reading -----------------------------------------------------------------------------------------

def test_list_shows_only_visible_cases(world):
    mine = submit_online(world)
    other = submit_online(world, applicant=world.stranger_user.applicant)
    numbers = {c["number"] for c in get(client_for(world.applicant_user), "/cases").json()["results"]}
    assert numbers == {mine.number}
    clerk_view = get(client_for(world.clerk), "/cases").json()
    assert clerk_view["count"] == 2 and {c["number"] for c in clerk_view["results"]} == {mine.number, other.number}
    assert get(client_for(world.other_clerk), "/cases").json()["count"] == 0


def test_list_pages_and_filters(world):
    for _ in range(3):
        submit_online(world)
    client = client_for(world.applicant_user)
    page = get(client, "/cases", page_size=2, page=2).json()
    assert page["count"] == 3 and len(page["results"]) == 1
    assert get(client, "/cases", state="in_progress").json()["count"] == 0
    bad = get(client, "/cases", state="nonsense")
    assert bad.status_code == 400 and bad.json()["field"] == "state"
    assert get(client, "/cases", page_size=1000).json()["field"] == "page_size"


def test_case_detail_has_tasks_materials_and_clock(world):
    case = accepted_case(world)
    body = get(client_for(world.applicant_user), f"/cases/{case.number}").json()
    assert body["number"] == case.number and body["state"] == "in_progress"
    assert body["clock"]["due_on"] == case.due_on.isoformat()
    assert body["clock"]["calendar_version"] == case.calendar_version
    assert body["clock"]["provisional"] is False and body["clock"]["light"] in ("green", "yellow", "red")
    assert {t["department"] for t in body["tasks"]} >= {world.scjg.code, world.gaj.code}
    assert body["materials"]


@pytest.mark.parametrize("who", ["stranger_user", "other_clerk", "approver_zrzy"])
def test_strangers_get_404_for_a_case(world, who):
    case = accepted_case(world)
    response = get(client_for(getattr(world, who)), f"/cases/{case.number}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert get(client_for(world.applicant_user), "/cases/DX01-19990101-0001").status_code == 404


def test_inbox_lists_open_tasks_oldest_due_first(world):
    accepted_case(world)
    accepted_case(world, now=at(2026, 9, 28, 10))
    body = get(client_for(world.approver_gaj), "/tasks").json()
    assert body["count"] == 2
    dues = [t["due_on"] for t in body["results"]]
    assert dues == sorted(dues)
    assert all(t["department"] == world.gaj.code for t in body["results"])
    assert get(client_for(world.approver_zrzy), "/tasks").json()["count"] == 0
    assert get(client_for(world.approver_gaj), "/tasks", state="bogus").json()["field"] == "state"


# -- acting ------------------------------------------------------------------------------------------

def test_clerk_accepts_then_accepting_again_is_a_conflict(world):
    case = submit_online(world)
    clerk = client_for(world.clerk)
    response = post(clerk, f"/cases/{case.number}/actions", {"action": "accept"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_progress" and response.json()["clock"]["due_on"]
    again = post(clerk, f"/cases/{case.number}/actions", {"action": "accept"})
    assert again.status_code == 409 and again.json()["code"] == "conflict"


def test_parallel_departments_approve_through_the_api(world):
    case = accepted_case(world)
    for approver in (world.approver_scj, world.approver_gaj):
        task = next(t for t in open_tasks(case) if t.department_id in
                    set(approver.staff_roles.values_list("department_id", flat=True)))
        response = post(client_for(approver), f"/cases/{case.number}/actions",
                        {"action": "approve", "params": {"task_id": task.pk, "opinion": "同意"}})
        assert response.status_code == 200, response.content
    assert {t.step for t in open_tasks(case)} == {3}


def test_approver_of_another_department_cannot_act(world):
    case = accepted_case(world)
    task = open_tasks(case)[0]
    response = post(client_for(world.approver_zrzy), f"/cases/{case.number}/actions",
                    {"action": "approve", "params": {"task_id": task.pk}})
    assert response.status_code in (403, 404)
    outsider = make_staff("approver", username="approver.outsider")
    response = post(client_for(outsider), f"/cases/{case.number}/actions",
                    {"action": "approve", "params": {"task_id": task.pk}})
    assert response.status_code == 404
    assert open_tasks(case)[0].state == "open"


@pytest.mark.parametrize("body, field, status", [
    ({"action": "explode"}, "action", 422),
    ({"action": "refuse"}, "params", 422),
    ({"action": "refuse", "params": {}}, "params.reason", 422),
    ({"action": "refuse", "params": {"reason": ""}}, "params.reason", 400),
    ({"action": "refuse", "params": {"reason": "x", "because": "y"}}, "params.because", 422),
    ({"action": "accept", "params": "nope"}, "params", 422),
    ({"action": "accept", "params": {"provided_material_ids": ["1"]}}, "params.provided_material_ids.0", 422),
    ({"action": "approve", "params": {}}, "params.task_id", 422),
    ({"action": "approve", "params": {"task_id": "1"}}, "params.task_id", 422),
    ({}, "action", 422),
])
def test_bad_actions_name_the_field(world, body, field, status):
    case = submit_online(world)
    response = post(client_for(world.clerk), f"/cases/{case.number}/actions", body)
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    assert Case.objects.get(pk=case.pk).state == "submitted"


# -- public ------------------------------------------------------------------------------------------

def test_progress_needs_the_right_query_code(world):
    case = accepted_case(world)
    anonymous = Client()
    ok = get(anonymous, f"/progress/{case.number}", query_code=case.query_code)
    assert ok.status_code == 200
    body = ok.json()
    assert body["number"] == case.number and body["state"] == "in_progress" and body["steps"]
    assert body["summary"]
    wrong = get(anonymous, f"/progress/{case.number}", query_code="AAAAAA")
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    assert get(anonymous, "/progress/NOPE-1", query_code=case.query_code).status_code == 404
    assert get(anonymous, f"/progress/{case.number}").status_code == 422


def test_certificate_verification(world):
    case = accepted_case(world)
    while open_tasks(case):
        task = open_tasks(case)[0]
        approver = {world.scjg.pk: world.approver_scj, world.gaj.pk: world.approver_gaj}[task.department_id]
        services.approve_task(approver=approver, task=task, now=at(2026, 10, 9, 10))
    certificate = Certificate.objects.get(case=case)
    body = get(Client(), f"/certificates/{certificate.number}").json()
    assert body["genuine"] is True and body["valid"] is True
    assert body["issuer"] == world.scjg.name
    assert body["holder"] == world.applicant.name[0] + "*" * (len(world.applicant.name) - 1)
    unknown = get(Client(), "/certificates/NO-SUCH-1").json()
    assert unknown["genuine"] is False and unknown["valid"] is False
    Certificate.objects.filter(pk=certificate.pk).update(title="伪造的执照")
    assert get(Client(), f"/certificates/{certificate.number}").json()["genuine"] is False


def test_openapi_documents_the_cases_endpoints(world):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in ("/api/v1/cases", "/api/v1/cases/{number}", "/api/v1/cases/{number}/actions", "/api/v1/tasks",
                 "/api/v1/progress/{number}", "/api/v1/certificates/{number}",
                 "/api/v1/bundles/{code}/applications"):
        assert path in paths, path
    post_cases = paths["/api/v1/cases"]["post"]
    assert {"201", "200", "409", "401"} <= set(post_cases["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post_cases["parameters"])
    assert "BearerAuth" in json.dumps(schema["components"]["securitySchemes"]) or \
        any(s.get("scheme") == "bearer" for s in schema["components"]["securitySchemes"].values())


# -- concurrency (PostgreSQL) --------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_with_one_key_make_one_case(is_postgres):
    if not is_postgres:
        pytest.skip("SQLite serialises writers: two requests can never race (settings: BEGIN IMMEDIATE)")
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    w = build_world()
    token = create_token(user=w.applicant_user).raw
    body = json.dumps(submission(w))
    barrier, results = threading.Barrier(2), []

    def call():
        client = Client(headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "race"})
        barrier.wait()
        try:
            response = client.post("/api/v1/cases", data=body, content_type="application/json")
            results.append((response.status_code, response.json().get("number")))
        finally:
            connection.close()

    threads = [threading.Thread(target=call) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _n in results) == [200, 201]
    assert len({number for _s, number in results}) == 1
    assert Case.objects.count() == 1


def test_database_outage_answers_503_json_with_retry_after(client, monkeypatch):
    # Simulates the database going away mid-request (the fault suite does it for real on PostgreSQL).
    from django.db import OperationalError

    from onewindow.cases import selectors as case_selectors

    def unavailable(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr(case_selectors, "get_case_by_query", unavailable)
    response = client.get("/api/v1/progress/DX01-20261125-0001?query_code=ABCDEF")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "unavailable"
