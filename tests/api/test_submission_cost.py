"""Submitting a case over the API (`POST /api/v1/cases`) costs a bounded number of SQL statements, so the
count cannot creep back up; and answering from the objects in hand gives exactly what reading the case
back gives."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onewindow.cases.models import Case, Certificate
from onewindow.catalog import services as catalog_services
from onewindow.catalog.item_cache import forget
from onewindow.orgs import identity
from tests.api.test_cases_api import client_for, get, post, submission
from tests.api.test_cases_api import world as world  # noqa: F401 - the fixture
from tests.catalog.factories import make_item as catalog_make_item

# One submission by a window clerk for a registered applicant, counted on SQLite and PostgreSQL alike:
# token, the clerk's roles with their centres, item, applicant, idempotency replay check (one more, the
# applicant's e-certificates, for an item that asks for one), the day counter (one upsert), then in the
# intake transaction the case, its material rows (one INSERT), the audit chain and its first event, and
# the idempotency record pointing at the case. It was 42 before the intake was reworked, 13 before the
# centres came with the roles and the record with the case.
CLERK_SUBMISSION_STATEMENTS = 11
# An applicant's own submission: token, roles, the rate limit in the database cache (4), item, own
# applicant, the online centre, replay check, counter, then the same 5 writes.
APPLICANT_SUBMISSION_STATEMENTS = 16


@pytest.fixture(autouse=True)
def _fresh_item_cache():
    # Rolled-back items of earlier tests may come back under the same id (SQLite).
    forget()
    yield
    forget()


def _statements(ctx) -> list[str]:
    """The statements run, without the savepoints of the test's own wrapping transaction."""
    return [q["sql"] for q in ctx.captured_queries
            if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT"))]


def _for_clerk(w, **extra) -> dict:
    return submission(w, applicant={"kind": "person", "id_number": w.applicant.id_number,
                                    "name": w.applicant.name}, **extra)


def test_a_clerks_submission_stays_within_its_statement_budget(world):
    client = client_for(world.clerk)
    post(client, "/cases", _for_clerk(world), **{"Idempotency-Key": "warm-up"})  # item materials cached
    body = _for_clerk(world)
    with CaptureQueriesContext(connection) as ctx:
        response = post(client, "/cases", body, **{"Idempotency-Key": "counted"})
    assert response.status_code == 201, response.content
    statements = _statements(ctx)
    assert len(statements) <= CLERK_SUBMISSION_STATEMENTS, "\n".join(statements)


def test_an_applicants_own_submission_stays_within_its_statement_budget(world):
    client = client_for(world.applicant_user)
    post(client, "/cases", submission(world), **{"Idempotency-Key": "warm-up"})
    body = submission(world)
    with CaptureQueriesContext(connection) as ctx:
        response = post(client, "/cases", body, **{"Idempotency-Key": "counted"})
    assert response.status_code == 201, response.content
    statements = _statements(ctx)
    assert len(statements) <= APPLICANT_SUBMISSION_STATEMENTS, "\n".join(statements)


@pytest.mark.parametrize("who", ["clerk", "applicant"])
def test_the_submission_answer_is_what_reading_the_case_back_gives(world, who):
    user = world.clerk if who == "clerk" else world.applicant_user
    client = client_for(user)
    body = _for_clerk(world) if who == "clerk" else submission(world)
    created = post(client, "/cases", body, **{"Idempotency-Key": "first"})
    assert created.status_code == 201, created.content
    read_back = get(client, f"/cases/{created.json()['number']}")
    assert created.json() == read_back.json()
    replayed = post(client, "/cases", body, **{"Idempotency-Key": "first"})
    assert replayed.status_code == 200 and replayed.json() == created.json()


def test_a_material_taken_from_a_held_certificate_is_answered_with_its_number(world):
    Certificate.objects.create(number="DX-YYZZ-2026-000001", certificate_type="yyzz", title="营业执照",
                               holder=world.applicant, issuer=world.scjg, issued_on=date(2026, 1, 5),
                               digest="0" * 64)
    client = client_for(world.applicant_user)
    created = post(client, "/cases", submission(world, world.needs_licence))
    assert created.status_code == 201, created.content
    assert [m["certificate"] for m in created.json()["materials"]] == [None, "DX-YYZZ-2026-000001"]
    assert created.json() == get(client, f"/cases/{created.json()['number']}").json()


def _published_item(w):
    """An item made through catalog.services, versioned like a real one."""
    return catalog_make_item(w.scjg.code, materials=[{"name": "申请书", "required": True},
                                                     {"name": "承诺书", "required": False,
                                                      "condition": "委托他人办理时提交"}])


def _apply_for(client, item):
    return post(client, "/cases", {"item": item.code, "provided_material_ids": [], "channel": "online"})


def test_a_new_item_version_is_used_at_once(world):
    item = _published_item(world)
    client = client_for(world.applicant_user)
    first = _apply_for(client, item)
    assert first.status_code == 201, first.content
    assert [m["name"] for m in first.json()["materials"]] == ["申请书", "承诺书"]
    item = catalog_services.set_materials(item=item, reason="精简材料", materials=[
        {"name": "申请书", "required": True}, {"name": "告知承诺书", "required": True}])
    second = _apply_for(client, item)
    assert second.status_code == 201, second.content
    assert [(m["name"], m["status"]) for m in second.json()["materials"]] == [
        ("申请书", "missing"), ("告知承诺书", "missing")]
    assert Case.objects.get(number=second.json()["number"]).item_version == item.version == 2


def test_a_suspended_item_is_refused_at_once(world):
    item = _published_item(world)
    client = client_for(world.applicant_user)
    assert _apply_for(client, item).status_code == 201
    catalog_services.update_item(item=item, data={"status": "suspended"}, reason="暂停受理")
    response = _apply_for(client, item)
    assert response.status_code in (400, 422) and response.json()["field"] == "item"
    assert Case.objects.count() == 1


def test_a_clerks_submission_for_a_new_applicant_still_registers_them(world):
    new_id = identity.generate_resident_id(region="450681", birth_date=date(1991, 2, 3), sequence=123)
    body = submission(world, applicant={"kind": "person", "id_number": new_id, "name": "陈家洛"})
    response = post(client_for(world.clerk), "/cases", body)
    assert response.status_code == 201, response.content
    assert Case.objects.get(number=response.json()["number"]).applicant.id_number == new_id
