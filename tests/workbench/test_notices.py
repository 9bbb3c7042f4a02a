"""The PDF notices of a case: served as application/pdf to staff with access (and the acceptance notice
to the applicant with the query code), each built from the case's own data."""

import pytest
from django.urls import reverse
from django.utils import timezone
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.platypus import Paragraph, Table

from onewindow.calendar.selectors import add_working_days
from onewindow.cases import notices, services
from onewindow.core.errors import NotFound

from .cases import accepted_case, provided_ids, task_of
from .world import make_world

pytestmark = pytest.mark.django_db


def story_text(flowables) -> str:
    """All text of a notice's flowables, QR payloads included (CID text does not extract from the PDF)."""
    parts = []

    def walk(obj):
        if isinstance(obj, Paragraph):
            parts.append(obj.text)
        elif isinstance(obj, Table):
            for row in obj._cellvalues:
                for cell in row:
                    walk(cell)
        elif isinstance(obj, Drawing):
            for shape in obj.contents:
                walk(shape)
        elif isinstance(obj, QrCodeWidget):
            parts.append(obj.value)
        elif isinstance(obj, list | tuple):
            for item in obj:
                walk(item)
        elif isinstance(obj, str):
            parts.append(obj)

    walk(flowables)
    return "\n".join(parts)


@pytest.fixture
def w():
    return make_world()


def _pdf(client, case, kind):
    return client.get(reverse("workbench:case_notice", args=[case.number, kind]))


def test_acceptance_notice_carries_number_code_due_date_and_a_qr_code_to_the_progress_page(
    client, w, settings
):
    settings.SITE_URL = "https://zwfw.dongxing.example"
    case = accepted_case(w)
    text = story_text(notices.notice_story(case, "acceptance"))
    assert "受理通知书" in text and case.number in text and case.query_code in text
    assert case.item.name in text and "东兴市政务服务中心" in text
    assert f"{case.due_on.year}年{case.due_on.month}月{case.due_on.day}日" in text
    assert f"https://zwfw.dongxing.example/track/?number={case.number}&code={case.query_code}" in text
    assert w.applicant.id_number not in text  # masked on paper too
    client.force_login(w.clerk)
    response = _pdf(client, case, "acceptance")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_supplement_notice_lists_every_defect(client, w):
    case = services.intake_at_window(
        clerk=w.clerk,
        item=w.item,
        applicant=w.applicant,
        provided_material_ids=provided_ids(w, "form", "lease"),
        decision="supplement",
        defects=[
            {"material_id": w.materials["form"].pk, "reason": "未签字"},
            {"material_id": w.materials["lease"].pk, "reason": "已过期"},
        ],
    )
    text = story_text(notices.notice_story(case, "supplement"))
    assert "食品经营许可申请书" in text and "未签字" in text
    assert "经营场所使用证明" in text and "已过期" in text
    assert "一次性告知" in text
    client.force_login(w.clerk)
    assert _pdf(client, case, "supplement")["Content-Type"] == "application/pdf"
    assert _pdf(client, case, "acceptance").status_code == 404  # not accepted: no acceptance notice


def test_refusal_notice_gives_the_reason_and_the_ways_to_appeal(client, w):
    case = services.intake_at_window(
        clerk=w.clerk,
        item=w.item,
        applicant=w.applicant,
        decision="refuse",
        reason="申请事项依法不需要取得行政许可",
    )
    text = story_text(notices.notice_story(case, "refusal"))
    assert "申请事项依法不需要取得行政许可" in text
    assert "六十日内" in text and "行政复议" in text and "六个月内" in text and "行政诉讼" in text
    client.force_login(w.clerk)
    assert _pdf(client, case, "refusal").status_code == 200


def test_waiver_notice_says_what_is_owed_and_by_when(w):
    promise = add_working_days(timezone.localdate(), 2).due_on
    case = services.intake_at_window(
        clerk=w.clerk,
        item=w.item,
        applicant=w.applicant,
        provided_material_ids=provided_ids(w, "lease"),
        decision="accept_with_waiver",
        waivers={w.materials["lease"].pk: promise},
    )
    text = story_text(notices.notice_story(case, "waiver"))
    assert "经营场所使用证明" in text
    assert f"{promise.year}年{promise.month}月{promise.day}日" in text
    assert ("waiver", "容缺受理告知书") in notices.available_notices(case)


def test_special_procedure_and_extension_notices_tell_kind_and_length(w):
    case = accepted_case(w)
    services.start_special_procedure(
        approver=w.approver_a,
        task=task_of(case, w.dept_a),
        kind="expert_review",
        limit_days=7,
        reason="需组织专家论证",
    )
    text = story_text(notices.notice_story(case, "special_procedure"))
    assert "专家评审" in text and "7 个工作日" in text and "第四十五条" in text
    services.extend_case(approver=w.approver_a, case=case, days=5, reason="专家意见分歧")
    text = story_text(notices.notice_story(case, "extension"))
    assert "5 个工作日" in text and "专家意见分歧" in text and "第四十二条" in text


def test_a_notice_without_grounds_or_of_an_unknown_kind_is_not_found(client, w):
    case = accepted_case(w)
    with pytest.raises(NotFound):
        notices.notice_story(case, "refusal")
    client.force_login(w.clerk)
    assert _pdf(client, case, "extension").status_code == 404
    assert _pdf(client, case, "nonsense").status_code == 404


def test_the_applicant_gets_the_acceptance_notice_with_the_query_code_only(client, w):
    case = accepted_case(w)
    url = reverse("portal_cases:track_notice", args=["acceptance"])
    response = client.get(url, {"number": case.number, "code": case.query_code})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert client.get(url, {"number": case.number, "code": "WRONG1"}).status_code == 404
