"""The projects' pages: the staff list (filters, counts equal to the filtered lists, paging), a project's
page with its SVG timeline and exactly the actions the registry offers, acting and bad input through the
page, the coordinator's list and the public progress."""

import re
from datetime import date

import pytest
from django.urls import reverse

from onewindow.projects import services
from onewindow.projects.models import Project

from .factories import at, concluded_case, register, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(world):
    late = register(world, code="DL-2026-001", kind="electricity", name="边贸物流园用电报装")
    services.start_stage(actor=world.clerk, project=late, stage_id=late.stages.get(order=1).pk, now=at(2026, 9, 1))
    key = register(world, code="GC-2026-002", kind="government", key=True, name="东兴市第二中学教学楼")
    services.assign_coordinator(actor=world.clerk, project=key, coordinator=world.agent, now=at(2026, 9, 1))
    register(world, code="SH-2026-003", kind="social", name="北仑河畔商住楼")
    return {"late": Project.objects.get(code="DL-2026-001"), "key": Project.objects.get(code="GC-2026-002")}


def test_the_list_filters_by_light_kind_and_centre(client, world, projects):
    client.force_login(world.clerk)
    page = client.get(reverse("workbench:project_list")).content.decode()
    assert "DL-2026-001" in page and "GC-2026-002" in page and "SH-2026-003" in page
    red = client.get(reverse("workbench:project_list"), {"light": "red"}).content.decode()
    assert "DL-2026-001" in red and "GC-2026-002" not in red
    social = client.get(reverse("workbench:project_list"), {"kind": "social"}).content.decode()
    assert "SH-2026-003" in social and "DL-2026-001" not in social
    other = client.get(reverse("workbench:project_list"), {"centre": world.other_centre.pk}).content.decode()
    assert "DL-2026-001" not in other
    key = client.get(reverse("workbench:project_list"), {"key": "1"}).content.decode()
    assert "GC-2026-002" in key and "SH-2026-003" not in key


def test_the_list_is_paged(client, world):
    for n in range(27):
        register(world, code=f"SH-2026-{n:03d}", kind="social")
    client.force_login(world.supervisor)
    first = client.get(reverse("workbench:project_list")).content.decode()
    second = client.get(reverse("workbench:project_list"), {"page": 2}).content.decode()
    assert len(re.findall(r"SH-2026-\d{3}</a>", first)) == 25 and len(re.findall(r"SH-2026-\d{3}</a>", second)) == 2


def test_the_detail_shows_the_timeline_and_only_the_offered_actions(client, world, projects):
    client.force_login(world.clerk)
    page = client.get(reverse("workbench:project_detail", args=["DL-2026-001"])).content.decode()
    assert "<svg" in page and "project-timeline" in page
    assert 'id="action-wait_for_applicant"' in page
    assert 'id="action-start_stage"' not in page and 'id="action-close"' not in page
    assert 'id="action-attach_cases"' not in page  # no case submitted for the project yet: nothing to pick
    assert "用电报装与供电方案" in page
    case = concluded_case(world, projects["late"])
    page = client.get(reverse("workbench:project_detail", args=["DL-2026-001"])).content.decode()
    assert 'id="action-attach_cases"' in page and case.number in page


def test_a_clerk_starts_a_stage_from_the_page(client, world, projects):
    client.force_login(world.clerk)
    key = projects["key"]
    first = key.stages.get(order=1)
    response = client.post(reverse("workbench:project_action", args=[key.code, "start_stage"]),
                           {"start_stage-stage_id": str(first.pk)})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.state == "running"


def test_bad_input_on_the_page_is_shown_beside_the_field_and_changes_nothing(client, world, projects):
    client.force_login(world.clerk)
    late = projects["late"]
    before = snapshot()
    response = client.post(reverse("workbench:project_action", args=[late.code, "wait_for_applicant"]),
                           {"wait_for_applicant-reason": ""})
    assert response.status_code == 400 and "请说明需要申请人做什么" in response.content.decode()
    assert snapshot() == before
    response = client.post(reverse("workbench:project_action", args=[late.code, "close"]), {})
    assert response.status_code == 302 and snapshot() == before  # not offered now: a message, nothing done


def test_registering_from_the_list_page(client, world):
    client.force_login(world.clerk)
    data = {"register-code": "GC-2026-777", "register-name": "污水处理厂", "register-kind": "government",
            "register-centre": str(world.centre.pk), "register-applicant": world.applicant.id_number}
    response = client.post(reverse("workbench:project_list"), data)
    assert response.status_code == 302 and Project.objects.get(code="GC-2026-777").clock_limit == 70
    before = snapshot()
    response = client.post(reverse("workbench:project_list"), {**data, "register-code": "坏编号"})
    assert response.status_code == 400 and "项目编号应为" in response.content.decode() and snapshot() == before


def test_the_coordinator_sees_their_key_projects_and_others_do_not(client, world, projects):
    client.force_login(world.agent)
    page = client.get(reverse("workbench:my_projects")).content.decode()
    assert "GC-2026-002" in page and "DL-2026-001" not in page
    assert client.get(reverse("workbench:project_detail", args=["DL-2026-001"])).status_code == 404
    client.force_login(world.other_clerk)
    assert client.get(reverse("workbench:project_detail", args=["GC-2026-002"])).status_code == 404
    client.force_login(world.applicant_user)
    assert client.get(reverse("workbench:project_list")).status_code == 404


def test_the_public_progress_needs_the_query_code(client, world, projects):
    late = projects["late"]
    url = reverse("portal_projects:progress")
    page = client.get(url, {"code": late.code, "query_code": late.query_code})
    assert page.status_code == 200 and "<svg" in page.content.decode() and "装表接电" in page.content.decode()
    wrong = client.get(url, {"code": late.code, "query_code": "AAAAAA"})
    assert wrong.status_code == 404 and "装表接电" not in wrong.content.decode()


def test_a_completed_stage_late_inside_an_on_time_project_is_flagged_on_the_page(client, world):
    project = register(world, kind="social")
    land = project.stages.get(order=1)
    services.start_stage(actor=world.clerk, project=project, stage_id=land.pk, now=at(2026, 9, 1))
    case = concluded_case(world, project)
    services.attach_cases(actor=world.clerk, project=project, case_ids=[case.pk], now=at(2026, 9, 1))
    services.complete_stage(actor=world.clerk, project=project, stage_id=land.pk, now=at(2026, 9, 18))
    client.force_login(world.clerk)
    page = client.get(reverse("workbench:project_detail", args=[project.code])).content.decode()
    assert "阶段超时" in page and "项目总时限内仍可按时办结" in page
    assert date(2026, 9, 18).isoformat() in page


def test_the_project_pages_in_english(client, world, projects, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.clerk)
    listing = client.get(reverse("workbench:project_list")).content.decode()
    assert "Construction projects" in listing and "Getting electricity" in listing
    page = client.get(reverse("workbench:project_detail", args=["DL-2026-001"])).content.decode()
    assert "Stage timeline" in page and "Power application and supply scheme" in page
    assert "Wait for applicant" in page
    late = projects["late"]
    public = client.get(reverse("portal_projects:progress"), {"code": late.code, "query_code": late.query_code})
    assert "Construction project progress" in public.content.decode()
