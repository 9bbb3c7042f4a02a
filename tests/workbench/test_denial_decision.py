"""不予许可决定书: a denial gives the applicant a written decision (Administrative Licensing Law Art. 38)
with its number, the reason, the legal basis, the deciding department's seal line, and the right to
reconsideration within 60 days (Administrative Reconsideration Law 2023 Art. 20) before the body that
hears it (Arts. 24, 27) or to a lawsuit within 6 months (Administrative Procedure Law Art. 46). Staff
print it from the case page; the applicant downloads it from their own case page or the progress page;
nobody else gets it."""

import re

import pytest
from django.urls import reverse

from onewindow.cases import notices, services
from onewindow.core.errors import NotFound
from onewindow.orgs import selectors as org_selectors
from onewindow.orgs.models import RegionLevel
from tests import pdfcheck
from tests.factories import DepartmentFactory, RegionFactory

from .cases import accepted_case, task_of
from .world import make_world

pytestmark = pytest.mark.django_db

REASON = "经现场核查，经营场所位于居民楼内，未设置独立的消防安全出口，不符合《建筑设计防火规范》要求"
BASIS = "《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》第十条"


@pytest.fixture
def w():
    world = make_world()
    world.item.legal_basis = BASIS
    world.item.save(update_fields=["legal_basis"])
    return world


def denied_case(w):
    case = accepted_case(w)
    services.deny_task(approver=w.approver_b, task=task_of(case, w.dept_b), reason=REASON)
    case.refresh_from_db()
    return case


def _flat(text: str) -> str:
    """PDF text without the line breaks and spaces that wrapping puts inside sentences."""
    return re.sub(r"\s+", "", text)


def test_the_decision_states_number_reason_basis_seal_and_both_remedies_with_their_deadlines(w):
    case = denied_case(w)
    data = notices.build_notice(case, "denial")
    text = _flat(pdfcheck.text(data))
    assert "不予许可决定书" in text
    assert f"不许字〔{case.decided_at.year}〕{case.number}号" in text
    assert "张三" in text and w.item.name in text
    assert _flat(REASON) in text
    assert _flat(BASIS) in text and "行政许可法》第三十八条第二款" in text
    assert "东兴市消防救援大队（印章）" in text  # the department that denied seals it
    assert "自收到本决定书之日起六十日内" in text and "《中华人民共和国行政复议法》第二十条" in text
    assert "向东兴市人民政府申请行政复议" in text
    assert "自收到本决定书之日起六个月内" in text and "《中华人民共和国行政诉讼法》第四十六条" in text
    assert "向人民法院提起行政诉讼" in text
    assert w.applicant.id_number not in text  # masked on paper too
    assert all(font.font_file2 for font in pdfcheck.fonts(data))


def test_a_decision_is_offered_only_for_a_denied_case(w):
    case = accepted_case(w)
    assert "denial" not in dict(notices.available_notices(case))
    assert "denial" not in dict(notices.applicant_notices(case))
    with pytest.raises(NotFound):
        notices.notice_story(case, "denial")
    case = denied_case(w)
    assert ("denial", "不予许可决定书") in notices.available_notices(case)
    assert ("denial", "不予许可决定书") in notices.applicant_notices(case)


def test_the_reconsideration_body_is_the_regions_government_or_the_departments_own_entry(w):
    assert org_selectors.reconsideration_body(w.dept_b) == "东兴市人民政府"
    county = RegionFactory(code="459000000101", name="测试县", level=RegionLevel.COUNTY)
    township = RegionFactory(code="459000000102", name="测试镇", level=RegionLevel.TOWNSHIP, parent=county)
    assert org_selectors.reconsideration_body(DepartmentFactory(region=township)) == "测试县人民政府"
    tax = DepartmentFactory(region=w.dept_b.region, name="国家税务总局东兴市税务局",
                            reconsideration_body="国家税务总局防城港市税务局")
    assert org_selectors.reconsideration_body(tax) == "国家税务总局防城港市税务局"  # vertically led (Art. 27)


def test_a_configured_body_is_printed_on_the_decision(w):
    w.dept_b.reconsideration_body = "防城港市消防救援支队"
    w.dept_b.save(update_fields=["reconsideration_body"])
    text = _flat(pdfcheck.text(notices.build_notice(denied_case(w), "denial")))
    assert "向防城港市消防救援支队申请行政复议" in text and "东兴市人民政府" not in text


def test_staff_who_see_the_case_print_it_from_the_case_page_and_others_find_nothing(client, w):
    case = denied_case(w)
    url = reverse("workbench:case_notice", args=[case.number, "denial"])
    client.force_login(w.clerk)
    page = client.get(reverse("workbench:case_detail", args=[case.number])).content.decode()
    assert url in page and "不予许可决定书" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    client.force_login(w.approver_c)  # a department with no task in this case
    assert client.get(url).status_code == 404


def test_the_applicant_downloads_it_from_their_own_case_page(client, w):
    case = denied_case(w)
    url = reverse("portal_cases:my_case_notice", args=[case.number, "denial"])
    client.force_login(w.applicant_user)
    page = client.get(reverse("portal_cases:my_case", args=[case.number])).content.decode()
    assert url in page and "下载不予许可决定书（PDF）" in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert _flat(REASON) in _flat(pdfcheck.text(response.content))
    assert client.get(reverse("portal_cases:my_case_notice", args=[case.number, "supplement"])).status_code == 404
    client.force_login(w.stranger_user)  # another applicant
    assert client.get(url).status_code == 404
    client.force_login(w.clerk)  # staff print it from the workbench, not from an applicant's page
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_the_progress_page_offers_it_with_the_query_code_only(client, w):
    case = denied_case(w)
    query = {"number": case.number, "code": case.query_code}
    page = client.get(reverse("portal_cases:track"), query).content.decode()
    url = reverse("portal_cases:track_notice", args=["denial"])
    assert url in page and "下载不予许可决定书（PDF）" in page
    assert client.get(url, query)["Content-Type"] == "application/pdf"
    assert client.get(url, {"number": case.number, "code": "WRONG1"}).status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(reverse("portal_cases:track_notice", args=["refusal"]), query).status_code == 404
    assert client.get(reverse("portal_cases:track_notice", args=["supplement"]), query).status_code == 404
