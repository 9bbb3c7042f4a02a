"""Intake: channels and visits, numbers and query codes, the clerk's four decisions and their rules."""

import re
from datetime import date

import pytest

from onewindow.audit.selectors import events_for
from onewindow.cases import services
from onewindow.cases.models import (
    Case,
    CaseMaterialStatus,
    DenialFiling,
    DenialKind,
    IdempotencyRecord,
    SupplementRequest,
    Task,
)
from onewindow.cases.numbering import QUERY_CODE_ALPHABET
from onewindow.catalog.models import ItemStatus
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from .factories import accepted_case, at, make_item, material, new_applicant, snapshot, submit_online


def _statuses(case):
    return {row.name: row.status for row in case.materials.all()}


# -- submission --------------------------------------------------------------------------------------

def test_online_submission_gets_a_readable_number_a_query_code_and_no_visit(world):
    case = submit_online(world, now=at(2026, 11, 25, 9))
    assert re.fullmatch(r"DX01-20261125-\d{4}", case.number)
    assert len(case.query_code) == 6 and set(case.query_code) <= set(QUERY_CODE_ALPHABET)
    assert case.state == "submitted" and case.channel == "online" and case.visit_count == 0
    assert case.due_on is None
    events = list(events_for(f"case:{case.number}"))
    assert [e.action for e in events] == ["onewindow.case.submitted"]
    assert events[0].to_state == "submitted" and events[0].actor == world.applicant_user


def test_case_numbers_count_per_centre_and_day(world):
    first = submit_online(world, now=at(2026, 11, 25, 9))
    second = submit_online(world, now=at(2026, 11, 25, 15))
    next_day = submit_online(world, now=at(2026, 11, 26, 9))
    assert first.number == "DX01-20261125-0001"
    assert second.number == "DX01-20261125-0002"
    assert next_day.number == "DX01-20261126-0001"


def test_post_submission_counts_no_visit_and_window_intake_counts_one(world):
    by_post = services.submit_case(item=world.licence, applicant=world.applicant, channel="post",
                                   centre=world.centre, provided_material_ids=world.all_required(world.licence),
                                   submitted_by=world.clerk, now=at(2026, 9, 30))
    assert by_post.channel == "post" and by_post.visit_count == 0
    at_window = services.intake_at_window(clerk=world.clerk, item=world.licence, applicant=world.applicant,
                                          provided_material_ids=world.all_required(world.licence),
                                          decision="accept", window=world.window, now=at(2026, 9, 30))
    assert at_window.channel == "window" and at_window.visit_count == 1 and at_window.window == world.window


def test_channel_not_offered_by_the_item_is_refused(world):
    world.licence.channel_post = False
    world.licence.save()
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.submit_case(
            item=world.licence, applicant=world.applicant, channel="post", centre=world.centre,
            submitted_by=world.clerk, now=at(2026, 9, 30))
    assert error.value.field == "channel" and "邮寄" in error.value.message
    assert snapshot() == before


def test_abolished_item_cannot_be_applied_for(world):
    world.licence.status = ItemStatus.ABOLISHED
    world.licence.save()
    with pytest.raises(ValidationError) as error:
        submit_online(world)
    assert error.value.field == "item"
    assert Case.objects.count() == 0


def test_applicant_cannot_submit_for_someone_else(world):
    other = new_applicant()
    with pytest.raises(PermissionDenied):
        services.submit_case(item=world.licence, applicant=other, channel="online", centre=world.centre,
                             submitted_by=world.applicant_user, now=at(2026, 9, 30))
    assert Case.objects.count() == 0


def test_material_ids_of_another_item_are_refused(world):
    foreign = material(world.needs_licence, "申请表").id
    with pytest.raises(ValidationError) as error:
        submit_online(world, provided=[foreign])
    assert error.value.field == "provided_material_ids" and str(foreign) in error.value.message
    assert Case.objects.count() == 0


def test_data_sharing_material_is_filled_and_never_asked(world):
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书", "经营场所证明", "消防安全承诺书"))
    statuses = _statuses(case)
    assert statuses["身份证明"] == CaseMaterialStatus.FROM_DATA_SHARING
    assert statuses["委托书"] == CaseMaterialStatus.NOT_APPLICABLE
    accepted = services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30))
    assert accepted.state == "in_progress"


def test_idempotency_key_returns_the_same_case(world):
    first = submit_online(world, idempotency_key="k-1", principal="user:1")
    again = submit_online(world, idempotency_key="k-1", principal="user:1")
    assert again.pk == first.pk
    assert Case.objects.count() == 1 and IdempotencyRecord.objects.get().case_id == first.pk


def test_idempotency_key_reused_for_a_different_request_is_a_conflict(world):
    submit_online(world, idempotency_key="k-2", principal="user:1")
    with pytest.raises(Conflict) as error:
        submit_online(world, idempotency_key="k-2", principal="user:1", form={"area": 50})
    assert error.value.field == "idempotency_key"
    assert Case.objects.count() == 1


# -- accept ----------------------------------------------------------------------------------------------

def test_accept_computes_due_date_on_the_official_calendar(world):
    # 2026-09-30 + 5 working days: Oct 1-7 off, Oct 8, 9, Saturday Oct 10 (make-up), 12, 13.
    case = accepted_case(world, now=at(2026, 9, 30, 10))
    assert case.state == "in_progress"
    assert case.accepted_on == date(2026, 9, 30) and case.accepted_by == world.clerk
    assert case.due_on == date(2026, 10, 13)
    assert case.due_provisional is False and case.calendar_version >= 1
    event = list(events_for(f"case:{case.number}"))[1]
    assert event.action == "onewindow.case.accepted"
    assert (event.from_state, event.to_state) == ("submitted", "in_progress")
    assert event.data["due_on"] == "2026-10-13" and event.data["calendar_version"] == case.calendar_version


def test_accept_opens_the_first_review_step_and_completes_acceptance(world):
    case = accepted_case(world)
    tasks = {(t.step, t.department.code): t for t in Task.objects.filter(case=case).select_related("department")}
    assert tasks[(1, "dx-scjg")].state == "approved" and tasks[(1, "dx-scjg")].completed_by == world.clerk
    assert tasks[(2, "dx-scjg")].state == "open" and tasks[(2, "dx-gaj")].state == "open"
    # Stage limit 2 working days from 2026-09-30: October 8 and 9.
    assert tasks[(2, "dx-gaj")].due_on == date(2026, 10, 9)
    assert tasks[(3, "dx-scjg")].state == "waiting" and tasks[(4, "dx-scjg")].state == "waiting"


def test_accept_with_required_material_missing_is_refused_naming_it(world):
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书"))
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30))
    assert error.value.field == "materials"
    assert "经营场所证明" in error.value.message and "消防安全承诺书" in error.value.message
    assert snapshot(case) == before


def test_clerk_of_another_centre_cannot_accept(world):
    case = submit_online(world)
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        services.accept_case(clerk=world.other_clerk, case=case, now=at(2026, 9, 30))
    with pytest.raises(PermissionDenied):
        services.accept_case(clerk=world.approver_scj, case=case, now=at(2026, 9, 30))
    assert snapshot(case) == before


def test_accepting_twice_is_a_conflict_and_changes_nothing(world):
    case = accepted_case(world)
    before = snapshot(case)
    with pytest.raises(Conflict) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 10, 8))
    assert "审批中" in error.value.message
    assert snapshot(case) == before


def test_fee_rows_are_created_at_acceptance(world):
    case = accepted_case(world, world.paid)
    fee = case.fees.get()
    assert fee.state == "unpaid" and str(fee.amount) == "80.00" and fee.description == "不动产登记费"


# -- waiver (容缺) -----------------------------------------------------------------------------------------

def _waiver_case(world, **kwargs):
    return submit_online(world, provided=world.ids(world.licence, "设立登记申请书"), **kwargs)


def test_waiver_acceptance_stores_the_written_promise(world):
    case = _waiver_case(world)
    site, fire = world.ids(world.licence, "经营场所证明", "消防安全承诺书")
    accepted = services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30),
                                    waivers={site: date(2026, 10, 9), fire: "2026-10-08"},
                                    promise_note="申请人张三书面承诺10月9日前补齐")
    assert accepted.state == "in_progress"
    row = accepted.materials.get(material_id=site)
    assert row.status == CaseMaterialStatus.WAIVED and row.promised_by == date(2026, 10, 9)
    assert row.note == "申请人张三书面承诺10月9日前补齐"
    assert accepted.materials.get(material_id=fire).promised_by == date(2026, 10, 8)


def test_waiver_only_for_waivable_materials(world):
    case = submit_online(world, provided=world.ids(world.licence, "经营场所证明", "消防安全承诺书"))
    form = material(world.licence, "设立登记申请书").id
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30), waivers={form: date(2026, 10, 9)})
    assert error.value.field == "waivers" and "设立登记申请书" in error.value.message and "不可容缺" in error.value.message
    assert snapshot(case) == before


@pytest.mark.parametrize(("promised", "words"), [
    # Accepted Sep 30: the default term of 5 working days ends Oct 13 (National Day off, Oct 10 worked).
    (date(2026, 10, 14), "5 个工作日内补齐"),
    (date(2026, 10, 20), "5 个工作日内补齐"),
    (date(2026, 9, 30), "应晚于受理日"),  # not after acceptance
    (date(2026, 9, 29), "应晚于受理日"),
])
def test_waiver_date_too_late_or_too_early_is_refused(world, promised, words):
    case = _waiver_case(world)
    site, fire = world.ids(world.licence, "经营场所证明", "消防安全承诺书")
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30),
                             waivers={site: promised, fire: date(2026, 10, 9)})
    assert error.value.field == "waivers" and words in error.value.message
    assert snapshot(case) == before


def test_waiver_date_follows_the_term_the_catalog_gives_the_material(world):
    long_item = make_item(department=world.scjg, committed=40, legal=45, stages=[],
                          materials=[{"name": "申请书"}, {"name": "场地证明", "waivable": True, "waiver_term_days": 20}])
    case = submit_online(world, long_item, provided=world.ids(long_item, "申请书"))
    site = material(long_item, "场地证明").id
    with pytest.raises(ValidationError) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 11, 2), waivers={site: date(2026, 12, 7)})
    assert "可容缺，20 个工作日内补齐" in error.value.message and "2026-11-30" in error.value.message
    ok = services.accept_case(clerk=world.clerk, case=case, now=at(2026, 11, 2), waivers={site: date(2026, 11, 30)})
    assert ok.state == "in_progress"


def test_an_immediate_item_whose_material_is_waivable_for_5_working_days_can_be_waived(world):
    """The notice says "可容缺，5 个工作日内补齐": the promise runs past the same-day due date."""
    from onewindow.catalog import selectors as catalog_selectors

    quick = make_item(department=world.gaj, name="居住证明开具", committed=0, legal=1,
                      stages=[(1, "review", world.gaj, 0)],
                      materials=[{"name": "申请表"}, {"name": "租房合同", "waivable": True, "waiver_term_days": 5}])
    notice = catalog_selectors.one_time_notice(quick)
    lease_notice = next(m for m in notice.required_materials if m.name == "租房合同")
    assert lease_notice.waiver_text == "可容缺，5 个工作日内补齐"
    lease = material(quick, "租房合同").id
    case = services.intake_at_window(
        clerk=world.clerk, item=quick, applicant=world.applicant, window=world.window, decision="accept_with_waiver",
        provided_material_ids=world.ids(quick, "申请表"), waivers={lease: None}, now=at(2026, 9, 30, 10))
    row = case.materials.get(material_id=lease)
    assert row.status == CaseMaterialStatus.WAIVED and row.promised_by == date(2026, 10, 13)  # the term's last day
    assert case.state == "approved"  # decided on the spot; concluded once the lease is supplied


def test_bad_credit_applicant_gets_no_waiver(world):
    world.applicant.bad_credit = True
    world.applicant.save()
    case = _waiver_case(world)
    site, fire = world.ids(world.licence, "经营场所证明", "消防安全承诺书")
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30),
                             waivers={site: date(2026, 10, 9), fire: date(2026, 10, 9)})
    assert error.value.field == "waivers" and "失信" in error.value.message
    assert snapshot(case) == before


def test_window_accept_with_waiver_needs_the_waivers(world):
    with pytest.raises(ValidationError) as error:
        services.intake_at_window(clerk=world.clerk, item=world.licence, applicant=world.applicant,
                                  decision="accept_with_waiver", window=world.window, now=at(2026, 9, 30))
    assert error.value.field == "waivers"
    assert Case.objects.count() == 0


# -- supplement (补正) -------------------------------------------------------------------------------------

def test_supplement_request_at_intake_lists_every_defect_once(world):
    case = services.intake_at_window(clerk=world.clerk, item=world.licence, applicant=world.applicant,
                                     provided_material_ids=world.ids(world.licence, "设立登记申请书"),
                                     decision="supplement", window=world.window, now=at(2026, 9, 30))
    assert case.state == "supplement_requested" and case.due_on is None
    request = SupplementRequest.objects.get(case=case)
    assert {d["name"] for d in request.defects} == {"经营场所证明", "消防安全承诺书"}
    assert request.return_state == "submitted"


def test_second_supplement_request_with_a_new_defect_is_refused(world):
    case = submit_online(world, provided=world.all_required(world.licence))
    form, site = world.ids(world.licence, "设立登记申请书", "经营场所证明")
    services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30),
                                defects=[{"material_id": form, "reason": "未签字"}])
    services.supply_supplement(actor=world.applicant_user, case=case, provided_material_ids=[form],
                               now=at(2026, 10, 8))
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.request_supplement(actor=world.clerk, case=case, now=at(2026, 10, 8),
                                    defects=[{"material_id": site, "reason": "过期"}])
    assert error.value.field == "defects" and "经营场所证明" in error.value.message
    assert "一次性告知" in error.value.message
    assert snapshot(case) == before
    # The same defect again (still not right) may be asked again.
    again = services.request_supplement(actor=world.clerk, case=case, now=at(2026, 10, 8),
                                        defects=[{"material_id": form, "reason": "签字仍不符"}])
    assert again.defects[0]["name"] == "设立登记申请书"


def test_supply_must_cover_every_listed_material(world):
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书"))
    services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30),
                                defects=[{"material_id": m, "reason": "未提交"}
                                         for m in world.ids(world.licence, "经营场所证明", "消防安全承诺书")])
    site, fire = world.ids(world.licence, "经营场所证明", "消防安全承诺书")
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.supply_supplement(actor=world.applicant_user, case=case, provided_material_ids=[site],
                                   now=at(2026, 10, 8))
    assert "消防安全承诺书" in error.value.message
    assert snapshot(case) == before
    supplied = services.supply_supplement(actor=world.applicant_user, case=case, provided_material_ids=[site, fire],
                                          now=at(2026, 10, 8))
    assert supplied.state == "submitted" and supplied.visit_count == 0
    accepted = services.accept_case(clerk=world.clerk, case=supplied, now=at(2026, 10, 8))
    # The clock starts at acceptance: October 8 + 5 working days (9, Sat 10, 12, 13, 14).
    assert accepted.due_on == date(2026, 10, 14)


def test_supplement_request_needs_defects_with_reasons(world):
    case = submit_online(world)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.request_supplement(actor=world.clerk, case=case, defects=[], now=at(2026, 9, 30))
    assert error.value.field == "defects"
    with pytest.raises(ValidationError):
        services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30),
                                    defects=[{"material_id": world.ids(world.licence, "设立登记申请书")[0], "reason": " "}])
    assert snapshot(case) == before


def test_stranger_cannot_supply(world):
    case = submit_online(world)
    services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30),
                                defects=[{"material_id": world.ids(world.licence, "设立登记申请书")[0], "reason": "x"}])
    before = snapshot(case)
    with pytest.raises(PermissionDenied):
        services.supply_supplement(actor=world.stranger_user, case=case, now=at(2026, 10, 8))
    assert snapshot(case) == before


# -- refusal (不予受理) ------------------------------------------------------------------------------------

def test_refusal_needs_a_written_reason_and_is_filed(world):
    case = submit_online(world)
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.refuse_case(clerk=world.clerk, case=case, reason="   ", now=at(2026, 9, 30))
    assert error.value.field == "reason"
    assert snapshot(case) == before
    refused = services.refuse_case(clerk=world.clerk, case=case, reason="不属于本中心受理范围", now=at(2026, 9, 30))
    assert refused.state == "refused" and refused.decision_reason == "不属于本中心受理范围"
    filing = DenialFiling.objects.get(case=case)
    assert filing.kind == DenialKind.REFUSAL and filing.department == world.scjg and filing.filed_by == world.clerk
    last = list(events_for(f"case:{case.number}"))[-1]
    assert last.action == "onewindow.case.refused" and last.reason == "不属于本中心受理范围"


def test_window_refusal_without_reason_creates_nothing(world):
    before = snapshot()
    with pytest.raises(ValidationError) as error:
        services.intake_at_window(clerk=world.clerk, item=world.licence, applicant=world.applicant,
                                  decision="refuse", reason="", window=world.window, now=at(2026, 9, 30))
    assert error.value.field == "reason"
    assert snapshot() == before


def test_accepting_a_refused_case_is_a_conflict(world):
    case = submit_online(world)
    services.refuse_case(clerk=world.clerk, case=case, reason="材料虚假", now=at(2026, 9, 30))
    before = snapshot(case)
    with pytest.raises(Conflict) as error:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30))
    assert "不予受理" in error.value.message and "不能受理" in error.value.message
    assert snapshot(case) == before


def test_refusing_an_accepted_case_is_a_conflict(world):
    case = accepted_case(world)
    before = snapshot(case)
    with pytest.raises(Conflict):
        services.refuse_case(clerk=world.clerk, case=case, reason="迟到的拒绝", now=at(2026, 10, 8))
    assert snapshot(case) == before


def test_unknown_window_decision_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.intake_at_window(clerk=world.clerk, item=world.licence, applicant=world.applicant,
                                  decision="maybe", window=world.window, now=at(2026, 9, 30))
    assert error.value.field == "decision"


def test_withdrawal_cancels_open_tasks_and_needs_a_reason(world):
    case = accepted_case(world)
    with pytest.raises(ValidationError):
        services.withdraw_case(actor=world.applicant_user, case=case, reason="", now=at(2026, 10, 8))
    with pytest.raises(PermissionDenied):
        services.withdraw_case(actor=world.stranger_user, case=case, reason="x", now=at(2026, 10, 8))
    withdrawn = services.withdraw_case(actor=world.applicant_user, case=case, reason="不再需要", now=at(2026, 10, 8))
    assert withdrawn.state == "withdrawn"
    assert not Task.objects.filter(case=case, state__in=["open", "waiting"]).exists()
