"""The staff case list's filters and search (issues 15 and 16): by light, state, centre, department and
item; a search finds a case by its number (or a prefix of it), the applicant's name or id number and the
item's name — never a case the account may not see; a long list is counted only up to a cap."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onewindow.calendar.services import seed_official_calendar
from onewindow.cases import services
from onewindow.workbench import common
from tests.cases.factories import accepted_case, at, build_world, new_applicant, task_of

pytestmark = pytest.mark.django_db
URL = reverse("workbench:case_list")


@pytest.fixture
def world():
    seed_official_calendar()
    return build_world()


def shown(case) -> str:
    """The case's row link as the list renders it (the number also appears in the page's own links)."""
    return f">{case.number}</a>"


def _listed(client, **params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def cases(world):
    other = new_applicant(name="李红梅", id_number="450681199001011234")
    mine = accepted_case(world, now=at(2026, 10, 9, 10))  # 个体工商户设立登记, 东兴市政务服务中心
    theirs = accepted_case(world, world.paid, applicant=other, now=at(2026, 10, 12, 10))
    suspended = accepted_case(world, now=at(2026, 9, 30, 11))
    services.start_special_procedure(approver=world.approver_gaj, task=task_of(suspended, world.gaj, 2),
                                     kind="hearing", limit_days=20, reason="听证", now=at(2026, 10, 12))
    elsewhere = services.submit_case(item=world.licence, applicant=world.applicant, channel="online",
                                     centre=world.other_centre, form_data={},
                                     provided_material_ids=world.all_required(world.licence),
                                     submitted_by=world.applicant.user, now=at(2026, 10, 12, 9))
    return {"mine": mine, "theirs": theirs, "suspended": suspended, "elsewhere": elsewhere}


def test_a_search_finds_cases_by_number_prefix_applicant_name_id_number_and_item_name(client, world, cases):
    client.force_login(world.supervisor)
    mine, theirs = cases["mine"], cases["theirs"]
    assert shown(mine) in _listed(client, q=mine.number)
    body = _listed(client, q=mine.number.rsplit("-", 1)[0])  # the centre and day: every case of that day
    assert shown(mine) in body and shown(theirs) not in body
    body = _listed(client, q="李红梅")
    assert shown(theirs) in body and shown(mine) not in body
    body = _listed(client, q="450681199001011234")
    assert shown(theirs) in body and shown(mine) not in body
    body = _listed(client, q="不动产")
    assert shown(theirs) in body and shown(mine) not in body
    assert "没有符合条件的办件" in _listed(client, q="不存在的名字")


def test_a_clerk_searches_only_the_centres_cases(client, world, cases):
    client.force_login(world.clerk)
    body = _listed(client, q="无此申请人")  # nothing of that name
    assert "没有符合条件的办件" in body
    assert shown(cases["elsewhere"]) not in _listed(client, q=cases["elsewhere"].number)
    assert shown(cases["theirs"]) in _listed(client, q="李红梅")


def test_filters_by_centre_department_item_state_and_light(client, world, cases):
    client.force_login(world.supervisor)
    body = _listed(client, centre=world.other_centre.pk)
    assert shown(cases["elsewhere"]) in body and shown(cases["mine"]) not in body
    body = _listed(client, department=world.zrzy.pk)
    assert shown(cases["theirs"]) in body and shown(cases["mine"]) not in body
    body = _listed(client, item=world.licence.code)
    assert shown(cases["mine"]) in body and shown(cases["theirs"]) not in body
    body = _listed(client, state="suspended")
    assert shown(cases["suspended"]) in body and shown(cases["mine"]) not in body
    body = _listed(client, light="paused")
    assert shown(cases["suspended"]) in body and shown(cases["mine"]) not in body
    # Bad values are ignored, not errors.
    assert shown(cases["mine"]) in _listed(client, centre="x", department="-1", light="purple", state="nope")


def test_a_long_list_is_counted_up_to_the_cap(client, world, cases, monkeypatch):
    monkeypatch.setattr(common, "LIST_COUNT_CAP", 2)
    monkeypatch.setattr(common.bounded_page, "__kwdefaults__", {"per_page": 1, "cap": 2})
    client.force_login(world.supervisor)
    body = _listed(client)
    assert "超过 2 件，只列出前 2 件" in body
    assert "共 1 件" in _listed(client, state="suspended")
