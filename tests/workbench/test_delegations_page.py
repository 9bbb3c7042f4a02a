"""Issue 16: the department head's delegation page — grant to the department's chief representative,
revoke with a reason; a 404 to anyone who heads no department."""

import pytest
from django.urls import reverse

from onewindow.catalog.models import Delegation
from tests.factories import make_staff

from .world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    world = make_world()
    world.head = make_staff("department_head", department=world.dept_a, username="head.scj", display_name="王刚")
    world.chief = make_staff("chief_representative", department=world.dept_a, username="chief.scj",
                             display_name="陈红")
    return world


def test_only_a_department_head_opens_the_page(client, w):
    for user in (w.clerk, w.approver_a, w.chief, w.supervisor):
        client.force_login(user)
        assert client.get(reverse("workbench:delegations")).status_code == 404
    client.force_login(w.head)
    body = client.get(reverse("workbench:delegations")).content.decode()
    assert "首席代表授权" in body and w.dept_a.name in body and "陈红" in body and w.item.name in body


def test_the_head_grants_on_one_item_and_revokes_with_a_reason(client, w):
    client.force_login(w.head)
    response = client.post(reverse("workbench:delegations"), {
        "department": w.dept_a.code, "representative": str(w.chief.pk), "items": [str(w.item.pk)],
        "valid_from": "2026-10-08", "valid_until": "2099-12-31"})
    assert response.status_code == 302
    row = Delegation.objects.get()
    assert (row.department, row.item, row.representative, row.granted_by) == (w.dept_a, w.item, w.chief, w.head)
    page = client.get(response["Location"]).content.decode()
    assert "有效" in page and w.item.name in page
    response = client.post(reverse("workbench:delegation_revoke", args=[row.pk]), {"reason": "人员调整"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.revoked_at is not None and row.revoke_reason == "人员调整"


def test_a_period_ending_before_it_starts_is_refused_beside_the_field(client, w):
    client.force_login(w.head)
    response = client.post(reverse("workbench:delegations"), {
        "department": w.dept_a.code, "representative": str(w.chief.pk),
        "valid_from": "2099-10-08", "valid_until": "2099-10-01"})
    assert response.status_code == 400
    assert "早于起始日" in response.content.decode()
    assert not Delegation.objects.exists()
