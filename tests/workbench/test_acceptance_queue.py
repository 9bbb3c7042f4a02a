"""Issue 16: the clerk's home lists the online applications waiting for acceptance, oldest first, a page
at a time, each opening the case page where it is accepted."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from onewindow.cases import services

from .world import make_world

pytestmark = pytest.mark.django_db
START = datetime(2026, 9, 28, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def w():
    return make_world()


def _submit(w, minutes: int):
    m = w.materials
    return services.submit_case(item=w.item, applicant=w.applicant, channel="online", centre=w.centre,
                                provided_material_ids=[m["form"].pk, m["id_card"].pk, m["lease"].pk],
                                submitted_by=w.applicant_user, now=START + timedelta(minutes=minutes))


def test_the_queue_pages_the_waiting_online_applications_oldest_first(client, w):
    cases = [_submit(w, minutes) for minutes in range(12, 0, -1)]  # submitted newest first
    accepted = cases[0]
    services.accept_case(clerk=w.clerk, case=accepted, now=START + timedelta(hours=2))
    elsewhere = services.submit_case(item=w.item, applicant=w.applicant, channel="online", centre=w.other_centre,
                                     provided_material_ids=[w.materials["form"].pk, w.materials["id_card"].pk],
                                     submitted_by=w.applicant_user, now=START)
    waiting = sorted(cases[1:], key=lambda c: c.submitted_at)
    client.force_login(w.clerk)
    first = client.get(reverse("workbench:home"))
    body = first.content.decode()
    assert "待受理的网上申请" in body
    numbers = [c.number for c in first.context["queue"]]
    assert numbers == [c.number for c in waiting[:10]]
    assert accepted.number not in body and elsewhere.number not in body
    assert reverse("workbench:case_detail", args=[waiting[0].number]) in body
    second = client.get(reverse("workbench:home"), {"page": 2})
    assert [c.number for c in second.context["queue"]] == [waiting[10].number]
    # The case page offers the acceptance itself.
    detail = client.get(reverse("workbench:case_detail", args=[waiting[0].number])).content.decode()
    assert reverse("workbench:case_action", args=[waiting[0].number, "accept"]) in detail


def test_staff_who_are_not_clerks_have_no_queue(client, w):
    _submit(w, 1)
    client.force_login(w.approver_a)
    response = client.get(reverse("workbench:home"))
    assert response.context["queue"] is None
    assert "待受理的网上申请" not in response.content.decode()
