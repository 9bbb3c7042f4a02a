"""Two workbench gaps closed: the intake screen's 收件方式 (an application received by post is entered
at the window without a visit), and agents (代办) — assigned on the case page by a clerk of the centre,
then seeing and opening their cases; nobody else may assign and nothing changes when refused."""

import pytest
from django.urls import reverse

from onewindow.audit.models import AuditEvent
from onewindow.audit.selectors import events_for
from onewindow.cases.models import Case
from onewindow.cases.states import CaseState
from tests.factories import make_staff

from .cases import accepted_case
from .world import make_world

pytestmark = pytest.mark.django_db

VALID_PERSON_ID = "450681199001011234"


@pytest.fixture
def w():
    world = make_world()
    world.item.channel_post = True
    world.item.save(update_fields=["channel_post"])
    return world


def _intake_post(w, **extra):
    m = w.materials
    data = {
        "applicant_kind": "person",
        "applicant_id_number": VALID_PERSON_ID,
        "applicant_name": "王五",
        "applicant_phone": "13900000000",
        "item_code": w.item.code,
        "decision": "accept",
        "reason": "",
    }
    for key in ("form", "id_card", "lease"):
        data[f"status_{m[key].pk}"] = "provided"
    data.update(extra)
    return data


# --- 收件方式 ------------------------------------------------------------------------------------


def test_the_checklist_offers_window_or_post_intake_with_window_chosen(client, w):
    client.force_login(w.clerk)
    body = client.get(reverse("workbench:intake"), {"item": w.item.code}).content.decode()
    assert "收件方式" in body and "窗口当面" in body and "邮寄收件" in body
    assert 'name="channel" value="window"' in body and 'name="channel" value="post"' in body
    assert "checked" in body.split('name="channel" value="window"')[1].split(">")[0]
    assert "checked" not in body.split('name="channel" value="post"')[1].split(">")[0]


def test_a_posted_application_entered_at_the_window_counts_no_visit(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workbench:intake"), _intake_post(w, channel="post"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == "post" and case.visit_count == 0 and case.delivery_method == "post"
    assert case.state == CaseState.IN_PROGRESS


def test_without_a_choice_the_screen_records_a_window_visit(client, w):
    client.force_login(w.clerk)
    assert client.post(reverse("workbench:intake"), _intake_post(w)).status_code == 302
    case = Case.objects.get()
    assert case.channel == "window" and case.visit_count == 1


def test_a_bad_intake_channel_is_shown_beside_its_field_and_nothing_is_saved(client, w):
    client.force_login(w.clerk)
    response = client.post(reverse("workbench:intake"), _intake_post(w, channel="online"))
    assert response.status_code == 400
    assert response.context["form"].errors["channel"]
    assert not Case.objects.exists()


def test_post_for_an_item_without_the_post_channel_is_refused_beside_the_field(client, w):
    w.item.channel_post = False
    w.item.save(update_fields=["channel_post"])
    client.force_login(w.clerk)
    response = client.post(reverse("workbench:intake"), _intake_post(w, channel="post"))
    assert response.status_code == 400
    assert "不提供“邮寄”申请渠道" in " ".join(response.context["form"].errors["channel"])
    assert not Case.objects.exists()


# --- 代办 -----------------------------------------------------------------------------------------


@pytest.fixture
def agent(w):
    return make_staff("agent", centre=w.centre, username="agent", display_name="代办员小李")


@pytest.fixture
def case(w):
    return accepted_case(w)


def _detail(case):
    return reverse("workbench:case_detail", args=[case.number])


def _assign(case):
    return reverse("workbench:case_assign_agent", args=[case.number])


def test_a_clerk_assigns_an_agent_who_then_sees_and_opens_the_case(client, w, agent, case):
    client.force_login(w.clerk)
    page = client.get(_detail(case)).content.decode()
    assert "指派代办员" in page and "代办员小李" in page and "未指派" in page
    response = client.post(_assign(case), {"assign_agent-agent": str(agent.pk)})
    assert response.status_code == 302 and response["Location"] == _detail(case)
    case.refresh_from_db()
    assert case.agent == agent
    event = list(events_for(f"case:{case.number}"))[-1]
    assert event.action == "onewindow.case.agent_assigned" and event.actor == w.clerk
    assert event.data["agent"] == "agent"
    page = client.get(_detail(case)).content.decode()
    assert "已指派代办员：代办员小李" in page
    assert "代办员小李" in page.split('id="case-agent"')[1].split("</span>")[0]

    client.force_login(agent)
    listing = client.get(reverse("workbench:case_list"))
    assert listing.status_code == 200 and case.number in listing.content.decode()
    assert reverse("workbench:case_list") in client.get(reverse("workbench:home")).content.decode()
    opened = client.get(_detail(case))
    assert opened.status_code == 200
    body = opened.content.decode()
    assert case.number in body
    assert "action-assign-agent" not in body  # an agent does not assign agents


def test_an_agent_does_not_see_cases_not_assigned_to_them(client, w, agent, case):
    client.force_login(agent)
    assert case.number not in client.get(reverse("workbench:case_list")).content.decode()
    assert client.get(_detail(case)).status_code == 404


def test_an_approver_is_not_offered_the_form_and_a_direct_post_is_refused(client, w, agent, case):
    client.force_login(w.approver_a)  # sees the case: their department has a task on it
    page = client.get(_detail(case))
    assert page.status_code == 200 and "action-assign-agent" not in page.content.decode()
    events = AuditEvent.objects.count()
    response = client.post(_assign(case), {"assign_agent-agent": str(agent.pk)})
    assert response.status_code in (403, 404)
    case.refresh_from_db()
    assert case.agent is None and AuditEvent.objects.count() == events


def test_a_clerk_of_another_centre_cannot_assign(client, w, agent, case):
    client.force_login(w.other_clerk)
    response = client.post(_assign(case), {"assign_agent-agent": str(agent.pk)})
    assert response.status_code == 404  # the case is not theirs to see at all
    case.refresh_from_db()
    assert case.agent is None


def test_assigning_a_non_agent_is_refused_beside_the_field(client, w, agent, case):
    client.force_login(w.clerk)
    events = AuditEvent.objects.count()
    response = client.post(_assign(case), {"assign_agent-agent": str(w.approver_b.pk)})
    assert response.status_code == 400
    assert response.context["agent_form"].errors["agent"]
    response = client.post(_assign(case), {"assign_agent-agent": ""})
    assert response.status_code == 400 and response.context["agent_form"].errors["agent"]
    case.refresh_from_db()
    assert case.agent is None and AuditEvent.objects.count() == events


def test_the_supervisor_may_assign_and_a_concluded_case_offers_no_form(client, w, agent, case):
    client.force_login(w.supervisor)
    assert "action-assign-agent" in client.get(_detail(case)).content.decode()
    assert client.post(_assign(case), {"assign_agent-agent": str(agent.pk)}).status_code == 302
    case.refresh_from_db()
    assert case.agent == agent
    Case.objects.filter(pk=case.pk).update(state=CaseState.CONCLUDED)
    client.force_login(w.clerk)
    assert "action-assign-agent" not in client.get(_detail(case)).content.decode()
    assert client.post(_assign(case), {"assign_agent-agent": str(agent.pk)}).status_code == 403


def test_the_conclude_form_preselects_post_for_a_posted_application(client, w):
    from onewindow.cases import services

    from .cases import provided_ids

    case = services.intake_at_window(clerk=w.clerk, item=w.item, applicant=w.applicant, channel="post",
                                     provided_material_ids=provided_ids(w), decision="accept")
    for task in case.tasks.all():
        services.approve_task(approver=w.approver_a if task.department == w.dept_a else w.approver_b, task=task)
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    client.force_login(w.clerk)
    actions = {a["name"]: a["form"] for a in client.get(_detail(case)).context["actions"]}
    assert actions["conclude"]["delivery_method"].value() == "post"
