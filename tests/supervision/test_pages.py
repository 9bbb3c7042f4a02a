"""The efficiency office's pages: who may open them, what they show, and bad input (400 naming the
field, nothing changed)."""

from datetime import date

import pytest
from django.utils import timezone

from onewindow.cases import services
from onewindow.supervision import services as office
from onewindow.supervision.models import AccountabilityRecord, Breach, DenialReview, Inspection, Urging
from tests.cases.factories import accepted_case, at, submit_online

from .test_work import _png

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def test_the_board_is_the_offices_page_only(client, world):
    assert client.get("/staff/supervision/").status_code == 302  # to the login page
    for user in (world.clerk, world.approver_scj):
        assert _client(client, user).get("/staff/supervision/").status_code == 404
    accepted_case(world, now=at(2026, 9, 1, 10))
    response = _client(client, world.supervisor).get("/staff/supervision/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "效能监察看板" in body and 'data-light="red">1<' in body and "<svg" in body
    assert 'id="forecast-quality"' in body
    assert "东兴市市场监督管理局" in body


def test_the_drill_down_lists_the_cases_behind_a_count_oldest_due_first_paged(client, world):
    old = accepted_case(world, now=at(2026, 9, 1, 10))
    newer = accepted_case(world, now=at(2026, 9, 2, 10))
    body = _client(client, world.supervisor).get(
        f"/staff/supervision/cases/?light=red&department={world.scjg.pk}").content.decode()
    assert body.index(old.number) < body.index(newer.number)
    assert "共 2 件" in body
    assert "共 0 件" in client.get(f"/staff/supervision/cases/?department={world.gaj.pk}").content.decode()


def test_urging_from_the_page_and_the_unit_answering_it(client, world):
    case = accepted_case(world, now=at(2026, 9, 1, 10))
    c = _client(client, world.supervisor)
    assert c.get(f"/staff/supervision/urge/case/{case.pk}/").status_code == 200
    bad = c.post(f"/staff/supervision/urge/case/{case.pk}/", {"requirement": "", "answer_days": "3"})
    assert bad.status_code == 400 and "请写明督办要求" in bad.content.decode() and not Urging.objects.exists()
    response = c.post(f"/staff/supervision/urge/case/{case.pk}/", {"requirement": "请即办结", "answer_days": "3"})
    urging = Urging.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/urgings/{urging.pk}/")
    # The unit's approver sees it in their list and answers it; another department's does not see it.
    c = _client(client, world.approver_gaj)
    assert c.get(f"/staff/supervision/urgings/{urging.pk}/").status_code == 404
    c = _client(client, world.approver_scj)
    assert case.number in c.get("/staff/supervision/urgings/").content.decode()
    page = c.get(f"/staff/supervision/urgings/{urging.pk}/").content.decode()
    assert "答复督办" in page
    empty = c.post(f"/staff/supervision/urgings/{urging.pk}/answer/", {"answer-answer": ""})
    assert empty.status_code == 400 and Urging.objects.get().state == "open"
    done = c.post(f"/staff/supervision/urgings/{urging.pk}/answer/", {"answer-answer": "已办结"})
    assert done.status_code == 302 and Urging.objects.get().state == "answered"
    # The case page shows the urging.
    body = _client(client, world.supervisor).get(f"/staff/cases/{case.number}/").content.decode()
    assert 'id="supervision"' in body and "已办结" in body


def test_reviewing_a_filed_refusal_from_the_page(client, world):
    case = submit_online(world, now=at(2026, 9, 30, 9))
    services.refuse_case(clerk=world.clerk, case=case, reason="不属于本机关职权范围", now=at(2026, 9, 30, 10))
    filing = case.denial_filings.get()
    c = _client(client, world.supervisor)
    assert "不属于本机关职权范围" in c.get("/staff/supervision/denials/").content.decode()
    bad = c.post(f"/staff/supervision/denials/{filing.pk}/review/", {"verdict": "improper", "opinion": ""})
    assert bad.status_code == 400 and "须写明审查意见" in bad.content.decode()
    assert not DenialReview.objects.exists()
    ok = c.post(f"/staff/supervision/denials/{filing.pk}/review/", {"verdict": "upheld", "opinion": ""})
    assert ok.status_code == 302 and DenialReview.objects.get().verdict == "upheld"
    assert _client(client, world.clerk).get("/staff/supervision/denials/").status_code == 404


def test_an_inspection_from_the_page_to_its_notice_pdf_and_rectification(client, world):
    c = _client(client, world.supervisor)
    visited = timezone.localtime(at(2026, 10, 8, 10)).strftime("%Y-%m-%dT%H:%M")
    bad = c.post("/staff/supervision/inspections/new/", {"kind": "unannounced", "visited_at": visited,
                                                         "inspectors": "王明", "findings": ""})
    assert bad.status_code == 400 and not Inspection.objects.exists()
    response = c.post("/staff/supervision/inspections/new/", {
        "kind": "unannounced", "visited_at": visited, "window": str(world.window.pk), "inspectors": "王明、李红",
        "findings": "窗口人员脱岗 20 分钟", "photos": _png()})
    inspection = Inspection.objects.get()
    assert response.status_code == 302 and inspection.photos.count() == 1
    photo = inspection.photos.get()
    url = f"/staff/supervision/inspections/{inspection.pk}/photos/{photo.pk}/"
    assert c.get(url).status_code == 200
    response = c.post(f"/staff/supervision/inspections/{inspection.pk}/notice/", {
        "text": "现将暗访情况通报如下", "department": str(world.gaj.pk), "finding": "脱岗", "requirement": "加强考勤",
        "days": "5"})
    assert response.status_code == 302
    pdf = c.get(f"/staff/supervision/inspections/{inspection.pk}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    # The unit reports through its rectification's form; another department cannot see the photos.
    row = inspection.rectifications.get()
    assert _client(client, world.approver_scj).get(url).status_code == 404
    c = _client(client, world.approver_gaj)
    assert "报送整改结果" in c.get(f"/staff/supervision/inspections/{inspection.pk}/").content.decode()
    done = c.post(f"/staff/supervision/rectifications/{row.pk}/report/", {"report-report": "已调整考勤"})
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.state == "reported"


def test_recording_accountability_from_the_page(client, world):
    inspection = office.record_inspection(actor=world.supervisor, kind="announced", visited_at=at(2026, 10, 8, 10),
                                          inspectors="王明", findings="推诿", department_id=world.zrzy.pk,
                                          now=at(2026, 10, 8, 12))
    c = _client(client, world.supervisor)
    assert c.get(f"/staff/supervision/accountability/?inspection={inspection.pk}").status_code == 200
    data = {"department": str(world.zrzy.pk), "official_name": "赵六", "grounds": "inspection",
            "measure": "efficiency_warning", "facts": "", "decided_on": "2026-10-09",
            "inspection": str(inspection.pk)}
    bad = c.post("/staff/supervision/accountability/", data)
    assert bad.status_code == 400 and "请写明事实与依据" in bad.content.decode()
    assert not AccountabilityRecord.objects.exists()
    ok = c.post("/staff/supervision/accountability/", {**data, "facts": "推诿群众"})
    assert ok.status_code == 302
    body = c.get(f"/staff/supervision/inspections/{inspection.pk}/").content.decode()
    assert "效能告诫" in body and "赵六" in body


def test_a_breach_shows_on_the_case_page_and_the_board(client, world):
    from onewindow.supervision import breaches

    case = accepted_case(world, now=at(2026, 9, 1, 10))
    breaches.run_daily_check(day=date(2026, 10, 9), now=at(2026, 10, 9, 7))
    assert Breach.objects.filter(case=case).exists()
    body = _client(client, world.supervisor).get(f"/staff/cases/{case.number}/").content.decode()
    assert "超期升级" in body
