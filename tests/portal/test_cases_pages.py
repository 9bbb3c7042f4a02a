"""Public case pages: the progress query (no sign-in; a wrong code reads like an unknown number),
certificate verification, online application by a signed-in applicant, and "my cases"."""

import pytest
from django.urls import reverse

from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.cases.states import CaseState
from tests.workbench.cases import accepted_case, concluded_case
from tests.workbench.world import make_bundle, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


# --- /track/ --------------------------------------------------------------------------------------


def test_progress_page_shows_each_parallel_department_the_due_date_and_days_left(client, w):
    case = accepted_case(w)
    response = client.get(reverse("portal_cases:track"), {"number": case.number, "code": case.query_code})
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and w.item.name in body
    assert "东兴市市场监督管理局" in body and "东兴市消防救援大队" in body
    assert "2 个部门同时审批" in body
    assert case.due_on.isoformat() in body
    assert "剩余 5 个工作日" in body and "已用 0 个工作日" in body
    assert reverse("portal_cases:track_notice", args=["acceptance"]) in body


def test_a_wrong_code_reads_exactly_like_an_unknown_number(client, w):
    case = accepted_case(w)
    wrong = client.get(reverse("portal_cases:track"), {"number": case.number, "code": "ZZZZZZ"})
    unknown = client.get(reverse("portal_cases:track"), {"number": "DX01-20990101-9999", "code": "ZZZZZZ"})
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.context["not_found"] == unknown.context["not_found"]
    assert w.item.name not in wrong.content.decode()
    assert "progress" not in wrong.context


def test_the_empty_query_form_asks_for_both_fields(client):
    response = client.get(reverse("portal_cases:track"))
    assert response.status_code == 200 and 'name="code"' in response.content.decode()
    response = client.get(reverse("portal_cases:track"), {"number": "DX01-20261125-0001"})
    assert response.context["form"].errors["code"]


def test_progress_shows_what_is_owed_and_the_stopped_clock(client, w):
    case = accepted_case(w)
    services.request_supplement(
        actor=w.approver_b, case=case, defects=[{"material_id": w.materials["lease"].pk, "reason": "未盖章"}]
    )
    body = client.get(
        reverse("portal_cases:track"), {"number": case.number, "code": case.query_code}
    ).content.decode()
    assert "需要您办理的事项" in body and "经营场所使用证明" in body and "未盖章" in body
    assert "计时暂停" in body


def test_a_concluded_case_shows_the_certificate_and_delivery(client, w):
    case = concluded_case(w)
    certificate = case.certificates.get()
    body = client.get(
        reverse("portal_cases:track"), {"number": case.number, "code": case.query_code}
    ).content.decode()
    assert "已办结" in body and certificate.number in body and "窗口领取" in body


# --- certificates ---------------------------------------------------------------------------------


def test_anyone_can_verify_a_genuine_certificate_and_an_unknown_number_is_not_found(client, w):
    certificate = concluded_case(w).certificates.get()
    response = client.get(reverse("portal_cases:certificate_verify"), {"number": certificate.number})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "真实有效" in body and certificate.title in body and "东兴市市场监督管理局" in body
    assert w.applicant.name not in body  # a person's full name is not published
    missing = client.get(reverse("portal_cases:certificate", args=["NO-SUCH-1"]))
    assert missing.status_code == 404 and "没有编号为" in missing.content.decode()
    assert client.get(reverse("portal_cases:certificate_verify")).status_code == 200


def test_a_tampered_certificate_does_not_verify(client, w):
    certificate = concluded_case(w).certificates.get()
    certificate.data = {**certificate.data, "holder": "冒名者"}
    certificate.save(update_fields=["data"])
    assert client.get(reverse("portal_cases:certificate", args=[certificate.number])).status_code == 404


# --- applying online ------------------------------------------------------------------------------


def test_applying_needs_a_signed_in_applicant(client, w):
    url = reverse("portal_cases:apply", args=[w.item.code])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("portal_account:login"))
    client.force_login(w.clerk)
    assert client.get(url).status_code == 403
    assert client.get(reverse("portal_cases:apply", args=["NO-SUCH-ITEM"])).status_code == 404


def test_an_applicant_applies_online_and_lands_on_the_new_case(client, w):
    client.force_login(w.applicant_user)
    url = reverse("portal_cases:apply", args=[w.item.code])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    m = w.materials
    assert f'name="provided_{m["form"].pk}"' in body and f'name="provided_{m["licence"].pk}"' not in body
    token = page.context["form"].initial["token"]
    data = {
        "token": token,
        f"provided_{m['form'].pk}": "on",
        f"provided_{m['id_card'].pk}": "on",
        f"provided_{m['lease'].pk}": "on",
    }
    response = client.post(url, data)
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "portal_cases:my_case", args=[case.number]
    )
    assert (
        case.channel == Channel.ONLINE and case.state == CaseState.SUBMITTED and case.applicant == w.applicant
    )
    assert case.centre == w.centre
    # A double click (same form token) makes no second case.
    client.post(url, data)
    assert Case.objects.count() == 1
    body = client.get(response["Location"]).content.decode()
    assert case.number in body and case.query_code in body and "等待窗口工作人员审核受理" in body


def test_an_uploaded_file_counts_as_provided(client, w, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path

    client.force_login(w.applicant_user)
    url = reverse("portal_cases:apply", args=[w.item.code])
    m = w.materials
    client.post(
        url,
        {
            "token": "t-1",
            f"file_{m['form'].pk}": SimpleUploadedFile("form.pdf", b"%PDF-1.4 test"),
            f"provided_{m['id_card'].pk}": "on",
        },
    )
    row = Case.objects.get().materials.get(material=m["form"])
    assert row.status == "provided" and row.file.name.endswith(".pdf")


def test_an_item_not_offered_online_is_refused_with_the_reason_and_nothing_saved(client, w):
    w.item.channel_online = False
    w.item.save(update_fields=["channel_online"])
    client.force_login(w.applicant_user)
    response = client.post(reverse("portal_cases:apply", args=[w.item.code]), {"token": "t-2"})
    assert response.status_code == 400
    assert "不提供" in response.content.decode()
    assert not Case.objects.exists()


# --- my cases -------------------------------------------------------------------------------------


def test_my_cases_lists_only_my_own_and_another_applicants_case_is_not_found(client, w):
    mine = accepted_case(w)
    from tests.factories import ApplicantFactory

    theirs = accepted_case(w, applicant=ApplicantFactory())
    client.force_login(w.applicant_user)
    body = client.get(reverse("portal_cases:my_cases")).content.decode()
    assert mine.number in body and theirs.number not in body
    assert client.get(reverse("portal_cases:my_case", args=[mine.number])).status_code == 200
    assert client.get(reverse("portal_cases:my_case", args=[theirs.number])).status_code == 404
    client.force_login(w.stranger_user)
    assert client.get(reverse("portal_cases:my_case", args=[mine.number])).status_code == 404
    assert mine.number not in client.get(reverse("portal_cases:my_cases")).content.decode()


def test_applicants_land_on_my_cases_after_signing_in_and_staff_on_the_workbench(client, w):
    from tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("portal_account:login"), {"username": "zhangsan", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("portal_cases:my_cases")
    client.logout()
    response = client.post(
        reverse("workbench:login"), {"username": "clerk", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("workbench:home")


def test_a_bundle_applied_online_is_tracked_on_one_page(client, w):
    bundle = make_bundle(w)
    client.force_login(w.applicant_user)
    url = reverse("portal_cases:apply_bundle", args=[bundle.code])
    page = client.get(url)
    assert page.status_code == 200 and "公共场所卫生许可" in page.content.decode()
    response = client.post(url, {"token": "b-1", "provided": ["0", "1", "2"]})
    assert response.status_code == 302 and response["Location"] == reverse("portal_cases:my_cases")
    application = w.applicant.bundle_applications.get()
    assert application.cases.count() == 2
    client.logout()
    body = client.get(
        reverse("portal_cases:track"), {"number": application.number, "code": application.query_code}
    ).content.decode()
    assert "我要开餐馆" in body and all(c.number in body for c in application.cases.all())
