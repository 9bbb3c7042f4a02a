"""Urging, inspections to rectification, accountability, the denial review and the board's counts."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Task
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.supervision import actions, selectors
from onewindow.supervision import services as office
from onewindow.supervision.models import AccountabilityRecord, DenialReview, Urging
from onewindow.workflow import clock
from tests.cases.factories import accepted_case, at, open_tasks, submit_online

pytestmark = pytest.mark.django_db


def _png() -> SimpleUploadedFile:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return SimpleUploadedFile("窗口.png", buffer.getvalue(), content_type="image/png")


# -- the board --------------------------------------------------------------------------------------------

def test_the_board_counts_cases_by_light_and_flags_a_stage_late_inside_an_on_time_case(world):
    red = accepted_case(world, now=at(2026, 9, 1, 10))
    yellow = accepted_case(world, now=at(2026, 9, 30, 10))  # due 13 Oct; its step-2 tasks due 9 Oct
    paused = accepted_case(world, world.needs_licence, now=at(2026, 9, 30, 10))
    services.request_supplement(actor=world.approver_zrzy, case=paused, now=at(2026, 10, 8, 10),
                                defects=[{"material_id": None, "name": "申请表", "reason": "签名缺失"}])
    today = date(2026, 10, 12)
    assert selectors.case_totals(today=today) == {"green": 0, "yellow": 1, "red": 1, "paused": 1}
    by_dept = {row["name"]: row for row in selectors.counts_by("department", today=today)}
    assert by_dept["东兴市市场监督管理局"]["red"] == 1 and by_dept["东兴市自然资源局"]["paused"] == 1
    assert selectors.counts_by("centre", today=today)[0]["total"] == 3
    # The yellow case's review stage (limit 2, due 9 October) is red on its own limit.
    stages = {row["name"]: row for row in selectors.stage_counts(today=today)}
    assert stages["东兴市公安局"]["red"] == 2  # the red case's and the yellow case's
    assert yellow.pk in {t.case_id for t in selectors.late_stages(today=today)}
    # Drill-down: oldest overdue first.
    assert [c.pk for c in selectors.drill_down(today=today)][:2] == [red.pk, yellow.pk]
    assert [c.pk for c in selectors.drill_down(today=today, light="paused")] == [paused.pk]


def test_the_on_time_rate_per_department(world):
    case = accepted_case(world, world.paid, now=at(2026, 9, 30, 10))
    task = open_tasks(case)[0]
    services.approve_task(approver=world.approver_zrzy, task=task, opinion="同意", now=at(2026, 10, 9, 10))
    late = accepted_case(world, world.paid, now=at(2026, 9, 1, 10))
    services.approve_task(approver=world.approver_zrzy, task=open_tasks(late)[0], opinion="同意",
                          now=at(2026, 10, 9, 10))
    rows = selectors.on_time_rates(start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert rows == [{"id": world.zrzy.pk, "name": "东兴市自然资源局", "decided": 2, "on_time": 1, "rate": 0.5}]


def test_a_refusal_filed_for_review_is_reviewed_once_by_the_office(world):
    case = submit_online(world, now=at(2026, 9, 30, 9))
    services.refuse_case(clerk=world.clerk, case=case, reason="不属于本机关职权范围", now=at(2026, 9, 30, 10))
    filing = selectors.denial_filings(status="pending").get()
    with pytest.raises(PermissionDenied):
        office.review_denial(actor=world.clerk, filing_id=filing.pk, verdict="upheld")
    with pytest.raises(ValidationError) as bad:
        office.review_denial(actor=world.supervisor, filing_id=filing.pk, verdict="improper", opinion="")
    assert bad.value.field == "opinion" and not DenialReview.objects.exists()
    office.review_denial(actor=world.supervisor, filing_id=filing.pk, verdict="improper", opinion="应予受理")
    assert selectors.denial_filings(status="reviewed").get().review.verdict == "improper"
    with pytest.raises(Conflict):
        office.review_denial(actor=world.supervisor, filing_id=filing.pk, verdict="upheld")


# -- urging ---------------------------------------------------------------------------------------------

def test_urging_a_late_case_notifies_its_unit_which_answers_by_a_date(world):
    case = accepted_case(world, now=at(2026, 9, 1, 10))
    urging = office.urge(actor=world.supervisor, target_kind="case", target_id=case.pk, requirement="请于两日内办结",
                         answer_days=1, now=at(2026, 10, 9, 9))  # Friday: 1 working day is the make-up Saturday
    assert urging.clock_due_on == date(2026, 10, 10)
    assert urging.department == world.scjg  # the department holding the case now
    event = AuditEvent.objects.get(chain__key=f"urging:{urging.pk}")
    assert event.action == "onewindow.supervision.urged" and event.data["department"] == world.scjg.pk
    assert clock.light(urging, today=date(2026, 10, 12)) == clock.Light.RED
    with pytest.raises(Conflict):
        office.urge(actor=world.supervisor, target_kind="case", target_id=case.pk, requirement="再催")
    # Only the unit answers; the registry offers the answer to it and the closing to the office.
    assert [a.name for a in actions.urgings.available(world.approver_gaj, urging)] == []
    assert [a.name for a in actions.urgings.available(world.approver_scj, urging)] == ["answer"]
    with pytest.raises(PermissionDenied):
        actions.urgings.perform(world.approver_gaj, urging, "answer", {"answer": "已办"})
    answered = actions.urgings.perform(world.approver_scj, urging, "answer", {"answer": "已审结，明日送达"},
                                       now=at(2026, 10, 12, 9))
    assert answered.state == "answered" and clock.light(answered, today=date(2026, 10, 12)) == clock.Light.LATE
    assert [a.name for a in actions.urgings.available(world.supervisor, answered)] == ["close", "reopen"]
    closed = actions.urgings.perform(world.supervisor, answered, "close", {})
    assert closed.state == "closed"
    assert [u.pk for u in selectors.urgings_about("case", case.pk)] == [urging.pk]


def test_urging_a_stage_goes_to_the_stages_department_and_bad_input_changes_nothing(world):
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    task = Task.objects.get(case=case, department=world.gaj, state="open")
    urging = office.urge(actor=world.supervisor, target_kind="task", target_id=task.pk, requirement="环节超期")
    assert urging.department == world.gaj and case.number in urging.target_label
    for kwargs, field in (({"target_kind": "letter"}, "target_kind"), ({"target_id": 999999}, "target_id"),
                          ({"requirement": " "}, "requirement"), ({"answer_days": 0}, "answer_days"),
                          ({"target_kind": "work_order"}, "target_kind")):
        params = {"target_kind": "case", "target_id": case.pk, "requirement": "催办", "answer_days": 2, **kwargs}
        with pytest.raises(ValidationError) as bad:
            office.urge(actor=world.supervisor, **params)
        assert bad.value.field == field
    assert Urging.objects.count() == 1
    with pytest.raises(PermissionDenied):
        office.urge(actor=world.approver_scj, target_kind="case", target_id=case.pk, requirement="催")


def test_appraisal_figures_count_urgings_findings_and_accountability_per_department(world):
    case = accepted_case(world, now=at(2026, 9, 1, 10))
    office.urge(actor=world.supervisor, target_kind="case", target_id=case.pk, requirement="催办",
                now=at(2026, 10, 9, 9))
    inspection = office.record_inspection(actor=world.supervisor, kind="unannounced", visited_at=at(2026, 10, 9, 10),
                                          inspectors="王明、李红", findings="窗口人员脱岗", window_id=world.window.pk,
                                          now=at(2026, 10, 9, 11))
    office.issue_notice(actor=world.supervisor, inspection=inspection, text="通报", now=at(2026, 10, 9, 15),
                        rectifications=[{"department_id": world.gaj.pk, "finding": "脱岗", "requirement": "整改",
                                         "days": 5}])
    office.record_accountability(actor=world.supervisor, department_id=world.gaj.pk, grounds="inspection",
                                 measure="efficiency_warning", facts="脱岗", decided_on=date(2026, 10, 9),
                                 inspection_id=inspection.pk, now=at(2026, 10, 9, 16))
    figures = selectors.appraisal_figures(start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert figures == {world.scjg.pk: {"urgings": 1, "inspection_findings": 0, "accountability_records": 0},
                       world.gaj.pk: {"urgings": 0, "inspection_findings": 1, "accountability_records": 1}}
    assert selectors.appraisal_figures(start=date(2026, 11, 1), end=date(2026, 11, 30)) == {}


# -- inspections to rectification, accountability -------------------------------------------------------

def test_an_inspection_becomes_a_notice_and_rectifications_tracked_by_their_lights(world):
    inspection = office.record_inspection(actor=world.supervisor, kind="announced", visited_at=at(2026, 10, 8, 10),
                                          inspectors="王明", findings="1. 未一次性告知\n2. 叫号屏故障",
                                          window_id=world.window.pk, photos=[_png()], now=at(2026, 10, 8, 12))
    assert inspection.centre == world.centre and inspection.photos.count() == 1
    assert inspection.photos.get().file.name.endswith(".png")
    notice = office.issue_notice(actor=world.supervisor, inspection=inspection, text="现将检查情况通报如下……",
                                 now=at(2026, 10, 8, 15), rectifications=[
                                     {"department_id": world.scjg.pk, "finding": "未一次性告知", "requirement": "培训",
                                      "days": 2},
                                     {"department_id": world.gaj.pk, "finding": "叫号屏故障", "requirement": "维修",
                                      "days": 1}])
    assert notice.notice_number == "效能通报〔2026〕1号"
    with pytest.raises(Conflict):
        office.issue_notice(actor=world.supervisor, inspection=inspection, text="再发", rectifications=[
            {"department_id": world.gaj.pk, "finding": "x", "requirement": "y", "days": 1}])
    screen, first = selectors.rectifications()  # soonest due first
    assert (screen.department, screen.clock_due_on) == (world.gaj, date(2026, 10, 9))
    assert (first.department, first.clock_due_on) == (world.scjg, date(2026, 10, 10))
    assert selectors.rectification_counts(today=date(2026, 10, 12))["red"] == 2
    with pytest.raises(PermissionDenied):
        actions.rectifications.perform(world.approver_gaj, first, "report", {"report": "已培训"})
    reported = actions.rectifications.perform(world.approver_scj, first, "report", {"report": "已培训"},
                                              now=at(2026, 10, 9, 16))
    assert clock.light(reported, today=date(2026, 10, 12)) == clock.Light.ON_TIME
    back = actions.rectifications.perform(world.supervisor, reported, "send_back", {"reason": "未见培训记录"})
    assert back.state == "open" and back.clock_stopped_on is None
    again = actions.rectifications.perform(world.approver_scj, back, "report", {"report": "附培训签到表"},
                                           now=at(2026, 10, 12, 10))
    verified = actions.rectifications.perform(world.supervisor, again, "verify", {})
    assert verified.state == "verified" and clock.light(verified, today=date(2026, 10, 12)) == clock.Light.LATE


def test_a_photo_that_is_not_an_image_is_refused_and_nothing_is_recorded(world):
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ValidationError) as bad:
        office.record_inspection(actor=world.supervisor, kind="announced", visited_at=at(2026, 10, 8, 10),
                                 inspectors="王明", findings="无", department_id=world.gaj.pk, photos=[fake],
                                 now=at(2026, 10, 8, 12))
    assert bad.value.field == "photos"
    assert not selectors.inspections().exists()


def test_an_accountability_record_is_linked_both_ways_to_its_source(world):
    inspection = office.record_inspection(actor=world.supervisor, kind="unannounced", visited_at=at(2026, 10, 8, 10),
                                          inspectors="王明", findings="索要好处", department_id=world.zrzy.pk,
                                          now=at(2026, 10, 8, 12))
    with pytest.raises(ValidationError) as bad:
        office.record_accountability(actor=world.supervisor, department_id=world.zrzy.pk, grounds="inspection",
                                     measure="admonishment", facts="索要好处", decided_on=date(2026, 10, 9),
                                     now=at(2026, 10, 9, 12))
    assert bad.value.field == "inspection_id"
    record = office.record_accountability(
        actor=world.supervisor, department_id=world.zrzy.pk, official_id=world.approver_zrzy.pk, grounds="inspection",
        measure="admonishment", facts="索要好处", decided_on=date(2026, 10, 9), inspection_id=inspection.pk,
        now=at(2026, 10, 9, 12))
    assert record.inspection == inspection and record.source_kind == "inspection"
    assert list(inspection.accountability_records.all()) == [record]
    assert list(selectors.records_from("inspection", inspection.pk)) == [record]
    complaint = office.record_accountability(
        actor=world.supervisor, department_id=world.zrzy.pk, official_name="赵六", grounds="complaint",
        measure="criticism", facts="投诉查实：推诿", decided_on=date(2026, 10, 9), source_kind="work_order",
        source_id=42, source_label="TS-20261009-0042", now=at(2026, 10, 9, 12))
    assert list(selectors.records_from("work_order", 42)) == [complaint]
    for field, value in (("measure", "firing"), ("grounds", "gossip"), ("decided_on", date(2026, 12, 1))):
        params = dict(actor=world.supervisor, department_id=world.zrzy.pk, grounds="red_lights", measure="criticism",
                      facts="多次超期", decided_on=date(2026, 10, 9), now=at(2026, 10, 9, 12))
        params[field] = value
        with pytest.raises(ValidationError) as bad:
            office.record_accountability(**params)
        assert bad.value.field == field
    assert AccountabilityRecord.objects.count() == 2
