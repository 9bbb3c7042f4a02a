"""The window intake screen (综合窗口受理): who may open it, the htmx item picker and checklist, and each
of the four decisions — with bad input shown beside its field and nothing saved."""

import pytest
from django.urls import reverse

from onewindow.cases.models import Case, CaseMaterialStatus
from onewindow.cases.states import CaseState
from onewindow.orgs.models import Applicant

from .world import ITEM_NAME, make_bundle, make_world

pytestmark = pytest.mark.django_db

VALID_PERSON_ID = "450681199001011234"


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def clerk_client(client, w):
    client.force_login(w.clerk)
    return client


def _post(
    w, *, decision, applicant_id=None, statuses=None, promise=None, defect=None, reason="", name="王五"
):
    m = w.materials
    data = {
        "applicant_kind": "person",
        "applicant_id_number": applicant_id or VALID_PERSON_ID,
        "applicant_name": name,
        "applicant_phone": "13900000000",
        "item_code": w.item.code,
        "decision": decision,
        "reason": reason,
    }
    statuses = statuses or {}
    for key in ("form", "id_card", "lease"):
        data[f"status_{m[key].pk}"] = statuses.get(key, "provided")
    if promise:
        data[f"promise_{m['lease'].pk}"] = promise
    for key, text in (defect or {}).items():
        data[f"defect_{m[key].pk}"] = text
    return data


def test_intake_screen_is_for_window_clerks_only(client, w):
    url = reverse("workbench:intake")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(w.approver_a)
    assert client.get(url).status_code == 404
    client.force_login(w.applicant_user)
    assert client.get(url).status_code == 404
    client.force_login(w.clerk)
    response = client.get(url)
    assert response.status_code == 200
    assert "综合窗口受理" in response.content.decode()


def test_item_picker_finds_the_item_by_pinyin_initials(clerk_client, w):
    response = clerk_client.get(reverse("workbench:intake_items"), {"q": "spjy"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert ITEM_NAME in body
    assert f"item={w.item.code}" in body
    # Without JavaScript the search form reloads the page with the same results.
    page = clerk_client.get(reverse("workbench:intake"), {"q": "spjy"}).content.decode()
    assert ITEM_NAME in page


def test_checklist_swaps_in_with_htmx_and_shows_automatic_materials_without_asking(clerk_client, w):
    url = reverse("workbench:intake_checklist")
    response = clerk_client.get(url, {"item": w.item.code}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    m = w.materials
    assert "<html" not in body  # a fragment for #checklist
    assert f'name="status_{m["form"].pk}"' in body
    assert f'name="promise_{m["lease"].pk}"' in body  # waivable: the promised date is asked
    assert f'name="promise_{m["form"].pk}"' not in body  # not waivable: no waiver offered
    assert f'name="status_{m["licence"].pk}"' not in body  # data sharing: shown, never asked
    assert "营业执照" in body and "数据共享获取" in body
    for decision in ("accept", "accept_with_waiver", "supplement", "refuse"):
        assert f'value="{decision}"' in body
    # A plain request (no htmx) goes to the whole page with the item chosen.
    plain = clerk_client.get(url, {"item": w.item.code})
    assert plain.status_code == 302 and f"item={w.item.code}" in plain["Location"]
    page = clerk_client.get(plain["Location"]).content.decode()
    assert f'name="status_{m["form"].pk}"' in page


def test_applicant_lookup_shows_a_registered_applicant_masked(clerk_client, w):
    response = clerk_client.get(
        reverse("workbench:intake_applicant"),
        {"applicant_id_number": w.applicant.id_number},
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert w.applicant.name in body
    assert w.applicant.id_number not in body  # masked


def test_applicant_lookup_that_names_someone_is_recorded_on_their_audit_chain(clerk_client, w):
    from onewindow.audit.selectors import events_for

    url = reverse("workbench:intake_applicant")
    clerk_client.get(url, {"applicant_id_number": w.applicant.id_number}, HTTP_HX_REQUEST="true")
    events = list(events_for(f"applicant:{w.applicant.pk}").filter(action="onewindow.identity.looked_up"))
    assert len(events) == 1
    assert events[0].actor == w.clerk
    # The trail holds the masked number only.
    assert w.applicant.id_number not in str(events[0].data)
    assert events[0].data["id_number"].startswith(w.applicant.id_number[:4])
    # A number nobody holds names nobody, and nothing is recorded.
    clerk_client.get(url, {"applicant_id_number": VALID_PERSON_ID}, HTTP_HX_REQUEST="true")
    from onewindow.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="onewindow.identity.looked_up").count() == 1


def test_applicant_lookups_beyond_the_clerks_limit_get_429_and_name_nobody(clerk_client, w, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "applicant_lookup": "3/h"}
    url = reverse("workbench:intake_applicant")
    for _ in range(3):
        assert clerk_client.get(url, {"applicant_id_number": VALID_PERSON_ID}, HTTP_HX_REQUEST="true").status_code == 200
    # An empty field is not a look-up and costs nothing.
    assert clerk_client.get(url, {"applicant_id_number": ""}, HTTP_HX_REQUEST="true").status_code == 200
    refused = clerk_client.get(url, {"applicant_id_number": w.applicant.id_number}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 429
    assert w.applicant.name not in refused.content.decode()
    from onewindow.audit.models import AuditEvent

    assert not AuditEvent.objects.filter(action="onewindow.identity.looked_up").exists()


def test_accept_at_the_window_registers_the_applicant_and_shows_number_code_and_notice(clerk_client, w):
    response = clerk_client.post(reverse("workbench:intake"), _post(w, decision="accept"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert response["Location"] == reverse("workbench:intake_result", args=[case.number])
    assert case.state == CaseState.IN_PROGRESS
    assert case.channel == "window" and case.centre == w.centre
    assert case.applicant.id_number == VALID_PERSON_ID and case.applicant.name == "王五"
    page = clerk_client.get(response["Location"]).content.decode()
    assert case.number in page and case.query_code in page
    assert case.due_on.isoformat() in page
    assert reverse("workbench:case_notice", args=[case.number, "acceptance"]) in page


def test_accept_uses_an_applicant_already_registered(clerk_client, w):
    clerk_client.post(
        reverse("workbench:intake"), _post(w, decision="accept", applicant_id=w.applicant.id_number, name="")
    )
    case = Case.objects.get()
    assert case.applicant == w.applicant
    assert Applicant.objects.count() == 2  # zhangsan and lisi only: nobody new


def test_waiver_acceptance_records_the_promised_date(clerk_client, w, settings):
    from django.utils import timezone

    from onewindow.calendar.selectors import add_working_days

    promise = add_working_days(timezone.localdate(), 1).due_on
    response = clerk_client.post(
        reverse("workbench:intake"),
        _post(w, decision="accept_with_waiver", statuses={"lease": "waived"}, promise=promise.isoformat()),
    )
    assert response.status_code == 302, response.content.decode()
    case = Case.objects.get()
    lease = case.materials.get(material=w.materials["lease"])
    assert lease.status == CaseMaterialStatus.WAIVED and lease.promised_by == promise
    page = clerk_client.get(response["Location"]).content.decode()
    assert reverse("workbench:case_notice", args=[case.number, "waiver"]) in page


def test_waiver_without_a_promised_date_promises_the_last_day_of_the_catalog_term(clerk_client, w):
    from onewindow.calendar.selectors import add_working_days

    body = clerk_client.get(
        reverse("workbench:intake_checklist"), {"item": w.item.code}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "可容缺，5 个工作日内补齐" in body and "留空即为目录规定的 5 个工作日期满之日" in body
    response = clerk_client.post(
        reverse("workbench:intake"), _post(w, decision="accept_with_waiver", statuses={"lease": "waived"})
    )
    assert response.status_code == 302
    case = Case.objects.get()
    row = case.materials.get(material=w.materials["lease"])
    assert row.status == CaseMaterialStatus.WAIVED
    assert row.promised_by == add_working_days(case.accepted_on, 5).due_on


def test_refusal_needs_a_reason_and_saves_nothing_without_one(clerk_client, w):
    response = clerk_client.post(reverse("workbench:intake"), _post(w, decision="refuse", reason="  "))
    assert response.status_code == 400
    body = response.content.decode()
    assert "不予受理必须写明理由" in body
    assert not Case.objects.exists()
    assert not Applicant.objects.filter(id_number=VALID_PERSON_ID).exists()  # the registration rolled back
    # The clerk's entries are kept on the page.
    assert VALID_PERSON_ID in body


def test_refusal_with_a_reason_offers_the_refusal_notice(clerk_client, w):
    response = clerk_client.post(
        reverse("workbench:intake"), _post(w, decision="refuse", reason="申请事项不属于本机关职权范围")
    )
    case = Case.objects.get()
    assert case.state == CaseState.REFUSED
    page = clerk_client.get(response["Location"]).content.decode()
    assert reverse("workbench:case_notice", args=[case.number, "refusal"]) in page


def test_supplement_lists_every_defect_at_once(clerk_client, w):
    response = clerk_client.post(
        reverse("workbench:intake"),
        _post(
            w,
            decision="supplement",
            statuses={"form": "missing", "lease": "missing"},
            defect={"form": "未签字", "lease": "租赁合同已过期"},
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.state == CaseState.SUPPLEMENT_REQUESTED
    defects = case.supplement_requests.get().defects
    assert {d["reason"] for d in defects} == {"未签字", "租赁合同已过期"}
    page = clerk_client.get(response["Location"]).content.decode()
    assert reverse("workbench:case_notice", args=[case.number, "supplement"]) in page


def test_a_bad_id_number_is_shown_beside_the_id_field(clerk_client, w):
    response = clerk_client.post(
        reverse("workbench:intake"), _post(w, decision="accept", applicant_id="450681199001011237")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="id_applicant_id_number"' in body and 'aria-invalid="true"' in body
    assert not Case.objects.exists()


def test_accept_with_a_required_material_missing_is_refused_and_saves_nothing(clerk_client, w):
    response = clerk_client.post(
        reverse("workbench:intake"), _post(w, decision="accept", statuses={"form": "missing"})
    )
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_bundle_at_the_window_opens_one_case_per_item_under_one_number(clerk_client, w):
    bundle = make_bundle(w)
    page = clerk_client.get(reverse("workbench:intake"), {"bundle": bundle.code}).content.decode()
    assert "公共场所卫生许可" in page and 'name="provided"' in page
    # The same document asked by both items is listed once.
    assert page.count("食品经营许可申请书") == 1
    provided = [str(i) for i in range(3)]
    response = clerk_client.post(
        reverse("workbench:intake"),
        {
            "bundle_code": bundle.code,
            "provided": provided,
            "applicant_kind": "person",
            "applicant_id_number": w.applicant.id_number,
        },
    )
    assert response.status_code == 200
    cases = list(Case.objects.order_by("id"))
    assert len(cases) == 2 and cases[0].bundle_application_id == cases[1].bundle_application_id
    body = response.content.decode()
    assert all(case.number in body for case in cases)
    assert cases[0].bundle_application.query_code in body
