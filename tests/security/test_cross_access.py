"""The attacks the matrix stands for, one by one: a curious applicant guessing numbers, a department
reaching for another's task, a clerk of one centre reading another's case."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from onewindow.api.auth import create_token
from onewindow.cases.models import Task
from tests.cases.factories import snapshot, task_of

from .conftest import build_matrix

pytestmark = pytest.mark.django_db


_tokens: dict = {}


def _bearer(user) -> dict:
    # Issuing a token is itself an audited event: issue them before any "nothing changed" snapshot.
    if (user.pk, user.username) not in _tokens:
        _tokens[(user.pk, user.username)] = create_token(user=user).raw
    return {"HTTP_AUTHORIZATION": f"Bearer {_tokens[(user.pk, user.username)]}"}


@pytest.fixture(autouse=True)
def _fresh_tokens():
    _tokens.clear()


def _act(user, case, action: str, params: dict):
    return Client().post(f"/api/v1/cases/{case.number}/actions", data=json.dumps({"action": action, "params": params}),
                         content_type="application/json", **_bearer(user))


def _with_tokens(m, *roles):
    for role in roles:
        _bearer(m.user(role))


def test_applicant_guessing_another_number_learns_nothing():
    m = build_matrix()
    b = m.user("applicant_b")
    client = Client()
    client.force_login(b)
    unknown = "DX01-20260930-9999"
    # API: another's case reads exactly like a case that does not exist.
    api = Client()
    theirs = api.get(f"/api/v1/cases/{m.case_a.number}", **_bearer(b))
    missing = api.get(f"/api/v1/cases/{unknown}", **_bearer(b))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["code"] == missing.json()["code"] == "not_found"
    # Pages: the applicant's own-case page, too.
    assert client.get(reverse("portal_cases:my_case", args=[m.case_a.number])).status_code == 404
    # The public progress query: a right number with a wrong code is an unknown number.
    wrong_code = client.get(reverse("portal_cases:track"), {"number": m.case_a.number, "code": "AAAAAA"})
    no_case = client.get(reverse("portal_cases:track"), {"number": unknown, "code": "AAAAAA"})
    assert wrong_code.status_code == no_case.status_code == 404
    assert m.case_a.applicant.name not in wrong_code.content.decode()
    api_wrong = api.get(f"/api/v1/progress/{m.case_a.number}", {"query_code": "AAAAAA"})
    api_none = api.get(f"/api/v1/progress/{unknown}", {"query_code": "AAAAAA"})
    assert api_wrong.status_code == api_none.status_code == 404
    assert api_wrong.json() == api_none.json()
    # With the right code the owner (or anyone holding the notice) sees the progress.
    right = api.get(f"/api/v1/progress/{m.case_a.number}", {"query_code": m.case_a.query_code})
    assert right.status_code == 200


def test_department_cannot_act_on_a_case_it_has_no_task_in():
    m = build_matrix()
    _with_tokens(m, "approver_y")
    before = snapshot(m.case_a)
    response = _act(m.user("approver_y"), m.case_a, "approve", {"task_id": task_of(m.case_a, m.world.scjg).id})
    assert response.status_code == 404
    page = Client()
    page.force_login(m.user("approver_y"))
    assert page.post(reverse("workbench:case_action", args=[m.case_a.number, "approve"]),
                     {"opinion": "同意"}).status_code == 404
    assert snapshot(m.case_a) == before


def test_department_cannot_act_on_another_departments_parallel_task():
    m = build_matrix()
    w = m.world
    _bearer(w.approver_gaj)
    # Accepted at the window, the case is in step 2: one task for 市场监管 and one for 公安, in parallel.
    scjg_task, gaj_task = task_of(m.case_a, w.scjg, step=2), task_of(m.case_a, w.gaj, step=2)
    assert scjg_task.state == gaj_task.state == "open"
    before = snapshot(m.case_a)
    refused = _act(w.approver_gaj, m.case_a, "approve", {"task_id": scjg_task.id, "opinion": "越权"})
    assert refused.status_code == 403, refused.content
    assert snapshot(m.case_a) == before
    assert Task.objects.get(pk=scjg_task.pk).state == "open"
    # Its own task it may approve.
    assert _act(w.approver_gaj, m.case_a, "approve", {"task_id": gaj_task.id}).status_code == 200
    assert Task.objects.get(pk=gaj_task.pk).state == "approved"
    assert Task.objects.get(pk=scjg_task.pk).state == "open"


def test_clerk_of_another_centre_cannot_read_or_act():
    m = build_matrix()
    other = m.user("other_clerk")
    _with_tokens(m, "other_clerk")
    before = snapshot(m.case_a)
    assert Client().get(f"/api/v1/cases/{m.case_a.number}", **_bearer(other)).status_code == 404
    assert _act(other, m.case_a, "refuse", {"reason": "越权"}).status_code == 404
    page = Client()
    page.force_login(other)
    assert page.get(reverse("workbench:case_detail", args=[m.case_a.number])).status_code == 404
    assert page.get(reverse("workbench:case_notice", args=[m.case_a.number, "acceptance"])).status_code == 404
    assert page.post(reverse("workbench:case_action", args=[m.case_a.number, "refuse"]),
                     {"reason": "越权"}).status_code == 404
    listing = page.get(reverse("workbench:case_list")).content.decode()
    assert m.case_a.number not in listing and m.case_b.number in listing
    assert snapshot(m.case_a) == before


def test_applicant_cannot_act_as_staff_on_own_case():
    m = build_matrix()
    _with_tokens(m, "applicant_a")
    before = snapshot(m.case_a)
    task = m.case_a.tasks.filter(state="open").first()
    response = _act(m.user("applicant_a"), m.case_a, "approve", {"task_id": task.pk, "opinion": "自己批"})
    assert response.status_code == 403
    assert snapshot(m.case_a) == before


def test_agent_sees_only_assigned_cases():
    m = build_matrix()
    agent = m.user("agent")
    assert Client().get(f"/api/v1/cases/{m.case_b.number}", **_bearer(agent)).status_code == 200
    assert Client().get(f"/api/v1/cases/{m.case_a.number}", **_bearer(agent)).status_code == 404
