"""The department inbox, the centre's case list and the case detail page with its action forms:
who sees what (404 for strangers), each action through its service, errors beside their field."""

import pytest
from django.urls import reverse

from onewindow.cases.models import Certificate, SpecialProcedure
from onewindow.cases.states import CaseState, TaskState

from .cases import accepted_case, submitted_online_case, task_of
from .world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def case(w):
    return accepted_case(w)


def _detail(case):
    return reverse("workbench:case_detail", args=[case.number])


def _action(case, name):
    return reverse("workbench:case_action", args=[case.number, name])


# --- who sees what --------------------------------------------------------------------------------


def test_home_links_what_each_role_can_do_and_sends_applicants_to_their_cases(client, w):
    client.force_login(w.clerk)
    body = client.get(reverse("workbench:home")).content.decode()
    assert reverse("workbench:intake") in body and reverse("workbench:case_list") in body
    assert reverse("workbench:inbox") not in body
    client.force_login(w.approver_a)
    body = client.get(reverse("workbench:home")).content.decode()
    assert reverse("workbench:inbox") in body and reverse("workbench:intake") not in body
    client.force_login(w.applicant_user)
    response = client.get(reverse("workbench:home"))
    assert response.status_code == 302 and response["Location"] == reverse("portal_cases:my_cases")


def test_the_inbox_lists_the_departments_open_tasks_with_their_clock(client, w, case):
    client.force_login(w.approver_a)
    response = client.get(reverse("workbench:inbox"))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and "现场核查与审查" in body
    assert "light-green" in body and "个工作日" in body
    client.force_login(w.approver_c)  # a department with no task on the case
    assert case.number not in client.get(reverse("workbench:inbox")).content.decode()
    client.force_login(w.clerk)
    assert client.get(reverse("workbench:inbox")).status_code == 404


def test_the_inbox_is_paged_25_to_a_page(client, w):
    for _ in range(26):
        accepted_case(w)
    client.force_login(w.approver_b)
    first = client.get(reverse("workbench:inbox"))
    assert first.context["page_obj"].paginator.num_pages == 2
    assert len(first.context["rows"]) == 25
    assert len(client.get(reverse("workbench:inbox"), {"page": 2}).context["rows"]) == 1


def test_clerks_list_their_centres_cases_only_and_filter_by_state(client, w, case):
    client.force_login(w.clerk)
    body = client.get(reverse("workbench:case_list")).content.decode()
    assert case.number in body
    assert (
        case.number in client.get(reverse("workbench:case_list"), {"state": "in_progress"}).content.decode()
    )
    assert (
        case.number not in client.get(reverse("workbench:case_list"), {"state": "refused"}).content.decode()
    )
    client.force_login(w.other_clerk)
    assert case.number not in client.get(reverse("workbench:case_list")).content.decode()
    client.force_login(w.supervisor)
    assert case.number in client.get(reverse("workbench:case_list")).content.decode()


def test_case_list_filters_by_light(client, w, case):
    client.force_login(w.clerk)
    assert case.number in client.get(reverse("workbench:case_list"), {"light": "green"}).content.decode()
    assert case.number not in client.get(reverse("workbench:case_list"), {"light": "red"}).content.decode()


@pytest.mark.parametrize(
    "who, status",
    [
        ("clerk", 200),
        ("approver_a", 200),
        ("approver_b", 200),
        ("supervisor", 200),
        ("other_clerk", 404),
        ("approver_c", 404),
        ("applicant_user", 404),
    ],
)
def test_case_detail_is_shown_only_to_those_with_access(client, w, case, who, status):
    client.force_login(getattr(w, who))
    assert client.get(_detail(case)).status_code == status
    assert (
        client.get(reverse("workbench:case_notice", args=[case.number, "acceptance"])).status_code == status
    )


def test_case_detail_shows_materials_tasks_and_the_record(client, w, case):
    client.force_login(w.approver_a)
    body = client.get(_detail(case)).content.decode()
    assert "食品经营许可申请书" in body and "营业执照" in body
    assert "消防安全审查" in body and "东兴市消防救援大队" in body
    assert "受理" in body  # the audit record's acceptance event
    assert _action(case, "approve") in body and _action(case, "deny") in body


# --- actions --------------------------------------------------------------------------------------


def test_two_parallel_approvals_approve_the_case_and_issue_the_certificate(client, w, case):
    client.force_login(w.approver_a)
    response = client.post(
        _action(case, "approve"), {"approve-task_id": task_of(case, w.dept_a).pk, "approve-opinion": "符合条件"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS  # the other department has not finished
    client.force_login(w.approver_b)
    client.post(_action(case, "approve"), {"approve-task_id": task_of(case, w.dept_b).pk})
    case.refresh_from_db()
    assert case.state == CaseState.APPROVED
    certificate = Certificate.objects.get(case=case)
    client.force_login(w.clerk)
    body = client.get(_detail(case)).content.decode()
    assert certificate.number in body and _action(case, "conclude") in body
    response = client.post(
        _action(case, "conclude"),
        {
            "conclude-delivery_method": "post",
            "conclude-delivery_address": "东兴市北仑大道1号",
            "conclude-tracking_number": "SF1234567890",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.CONCLUDED and case.tracking_number == "SF1234567890"


def test_an_approver_cannot_act_on_another_departments_task(client, w, case):
    client.force_login(w.approver_b)
    response = client.post(_action(case, "approve"), {"approve-task_id": task_of(case, w.dept_a).pk})
    assert response.status_code == 400
    assert task_of(case, w.dept_a).state == TaskState.OPEN


def test_deny_without_a_reason_shows_the_message_beside_the_reason_and_changes_nothing(client, w, case):
    client.force_login(w.approver_a)
    response = client.post(
        _action(case, "deny"), {"deny-task_id": task_of(case, w.dept_a).pk, "deny-reason": ""}
    )
    assert response.status_code == 400
    form = response.context["actions"][[a["name"] for a in response.context["actions"]].index("deny")]["form"]
    assert form.errors.get("reason")
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and not case.denial_filings.exists()
    response = client.post(
        _action(case, "deny"), {"deny-task_id": task_of(case, w.dept_a).pk, "deny-reason": "经营场所与住宅混用"}
    )
    case.refresh_from_db()
    assert case.state == CaseState.DENIED and case.denial_filings.get().reason == "经营场所与住宅混用"


def test_special_procedure_stops_the_clock_and_its_notice_tells_the_length(client, w, case):
    client.force_login(w.approver_a)
    response = client.post(
        _action(case, "start_special_procedure"),
        {
            "start_special_procedure-task_id": task_of(case, w.dept_a).pk,
            "start_special_procedure-kind": "site_inspection",
            "start_special_procedure-limit_days": "5",
            "start_special_procedure-reason": "需现场核查经营场所",
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.SUSPENDED
    pdf = client.get(reverse("workbench:case_notice", args=[case.number, "special_procedure"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = client.get(_detail(case)).content.decode()
    assert _action(case, "end_special_procedure") in body
    procedure = SpecialProcedure.objects.get(case=case)
    client.post(
        _action(case, "end_special_procedure"),
        {"end_special_procedure-procedure_id": procedure.pk, "end_special_procedure-outcome": "场所符合要求"},
    )
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_a_bad_limit_is_shown_beside_the_limit_field(client, w, case):
    client.force_login(w.approver_a)
    response = client.post(
        _action(case, "start_special_procedure"),
        {
            "start_special_procedure-task_id": task_of(case, w.dept_a).pk,
            "start_special_procedure-kind": "hearing",
            "start_special_procedure-limit_days": "abc",
            "start_special_procedure-reason": "听证",
        },
    )
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_extension_moves_the_due_date_and_beyond_the_item_allowance_is_refused(client, w, case):
    before = case.due_on
    client.force_login(w.approver_a)
    response = client.post(_action(case, "extend"), {"extend-days": "30", "extend-reason": "情况复杂"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.due_on == before
    response = client.post(_action(case, "extend"), {"extend-days": "5", "extend-reason": "情况复杂"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.due_on > before
    assert client.get(reverse("workbench:case_notice", args=[case.number, "extension"])).status_code == 200


def test_a_clerk_accepts_an_online_application_from_the_case_page(client, w):
    case = submitted_online_case(w)
    client.force_login(w.clerk)
    body = client.get(_detail(case)).content.decode()
    assert _action(case, "accept") in body and _action(case, "refuse") in body
    response = client.post(_action(case, "accept"), {})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS and case.tasks.count() == 2


def test_an_action_not_offered_in_the_state_changes_nothing(client, w, case):
    client.force_login(w.clerk)
    response = client.post(_action(case, "refuse"), {"refuse-reason": "迟到的拒绝"})
    assert response.status_code == 302  # back to the page with a message
    case.refresh_from_db()
    assert case.state == CaseState.IN_PROGRESS


def test_a_supplement_in_review_lists_the_defects_and_offers_its_notice(client, w, case):
    client.force_login(w.approver_b)
    response = client.post(
        _action(case, "request_supplement"),
        {
            "request_supplement-materials": [w.materials["lease"].pk],
            f"request_supplement-reason_{w.materials['lease'].pk}": "租赁合同未盖章",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    assert (
        client.get(reverse("workbench:case_notice", args=[case.number, "supplement"]))["Content-Type"]
        == "application/pdf"
    )
