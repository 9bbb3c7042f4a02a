"""Results: e-certificates, fees, waived materials, conclusion and delivery, immediate and instant
approval, bundles, agents."""

from datetime import date

import pytest

from onewindow.audit.selectors import events_for
from onewindow.cases import selectors, services
from onewindow.cases.models import BundleApplication, Case, CaseMaterialStatus, Certificate, KeyProject
from onewindow.catalog.models import Bundle, BundleItem
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError

from .factories import accepted_case, at, make_item, snapshot, submit_online, task_of


def _approve_all(world, case, now=None):
    now = now or at(2026, 10, 9)
    for dept, approver, step in ((world.scjg, world.approver_scj, 2), (world.gaj, world.approver_gaj, 2),
                                 (world.scjg, world.approver_scj, 3)):
        services.approve_task(approver=approver, task=task_of(case, dept, step), now=now)
    return Case.objects.get(pk=case.pk)


def test_approval_issues_a_verifiable_certificate(world):
    case = _approve_all(world, accepted_case(world))
    certificate = Certificate.objects.get(case=case)
    assert certificate.number == "DX-YYZZ-2026-000001"
    assert certificate.title == "营业执照" and certificate.holder == world.applicant and certificate.issuer == world.scjg
    assert selectors.verify_certificate(certificate.number) == certificate
    # The certificate's own data does not copy the holder's identity number (the holder row has it).
    assert world.applicant.id_number not in str(certificate.data)
    assert selectors.verify_certificate(certificate.number, digest=certificate.digest) == certificate
    assert selectors.verify_certificate(certificate.number, digest="0" * 64) is None
    assert selectors.verify_certificate("DX-YYZZ-2026-999999") is None
    # A row edited behind the service's back no longer verifies.
    Certificate.objects.filter(pk=certificate.pk).update(title="伪造执照")
    assert selectors.verify_certificate(certificate.number) is None


def test_later_application_gets_the_certificate_filled_automatically(world):
    _approve_all(world, accepted_case(world))
    form = world.ids(world.needs_licence, "申请表")
    later = submit_online(world, world.needs_licence, provided=form, now=at(2026, 10, 12))
    row = later.materials.get(name="营业执照")
    assert row.status == CaseMaterialStatus.FROM_CERTIFICATE and row.certificate.certificate_type == "yyzz"
    accepted = services.accept_case(clerk=world.clerk, case=later, now=at(2026, 10, 12))
    assert accepted.state == "in_progress"


def test_revoked_certificate_is_not_used(world):
    _approve_all(world, accepted_case(world))
    Certificate.objects.update(status="revoked")
    later = submit_online(world, world.needs_licence, provided=world.ids(world.needs_licence, "申请表"))
    assert later.materials.get(name="营业执照").status == CaseMaterialStatus.MISSING


def test_conclude_with_unpaid_fee_is_refused_until_paid(world):
    case = accepted_case(world, world.paid)
    services.approve_task(approver=world.approver_zrzy, task=task_of(case, world.zrzy), now=at(2026, 10, 8))
    before = snapshot(case)
    with pytest.raises(Conflict) as error:
        services.conclude_case(actor=world.clerk, case=case, delivery_method="pickup", now=at(2026, 10, 9))
    assert "不动产登记费" in error.value.message and "未缴" in error.value.message
    assert snapshot(case) == before
    fee = case.fees.get()
    with pytest.raises(ValidationError) as error:
        services.record_payment(actor=world.applicant_user, fee=fee, receipt_number="", now=at(2026, 10, 9))
    assert error.value.field == "receipt_number"
    with pytest.raises(PermissionDenied):
        services.record_payment(actor=world.stranger_user, fee=fee, receipt_number="R1", now=at(2026, 10, 9))
    paid = services.record_payment(actor=world.applicant_user, fee=fee, receipt_number="GX2026-0001",
                                   now=at(2026, 10, 9))
    assert paid.state == "paid" and paid.receipt_number == "GX2026-0001"
    with pytest.raises(Conflict):
        services.record_payment(actor=world.applicant_user, fee=fee, receipt_number="GX2026-0002",
                                now=at(2026, 10, 9))
    concluded = services.conclude_case(actor=world.clerk, case=case, delivery_method="pickup", now=at(2026, 10, 9))
    assert concluded.state == "concluded" and concluded.visit_count == 1  # online, came once for the result


def test_conclude_with_owed_waived_material_is_refused_until_supplied(world):
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书", "消防安全承诺书"))
    site = world.ids(world.licence, "经营场所证明")[0]
    case = services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30), waivers={site: date(2026, 10, 9)})
    case = _approve_all(world, case)
    before = snapshot(case)
    with pytest.raises(Conflict) as error:
        services.conclude_case(actor=world.clerk, case=case, delivery_method="electronic", now=at(2026, 10, 9))
    assert "经营场所证明" in error.value.message and "容缺" in error.value.message
    assert snapshot(case) == before
    row = services.supply_waived_material(actor=world.applicant_user, case=case, material_id=site, now=at(2026, 10, 9))
    assert row.status == CaseMaterialStatus.PROVIDED
    event = list(events_for(f"case:{case.number}"))[-1]
    assert event.action == "onewindow.case.waived_material_supplied" and event.data["on_time"] is True
    with pytest.raises(Conflict):
        services.supply_waived_material(actor=world.applicant_user, case=case, material_id=site, now=at(2026, 10, 9))
    concluded = services.conclude_case(actor=world.clerk, case=case, delivery_method="electronic",
                                       now=at(2026, 10, 9))
    assert concluded.state == "concluded" and concluded.delivered_at == at(2026, 10, 9)


def test_post_delivery_needs_address_and_tracking_number(world):
    case = _approve_all(world, accepted_case(world))
    before = snapshot(case)
    with pytest.raises(ValidationError) as error:
        services.conclude_case(actor=world.clerk, case=case, delivery_method="post", delivery_address="东兴市北仑大道1号",
                               now=at(2026, 10, 9))
    assert error.value.field == "tracking_number"
    with pytest.raises(ValidationError) as error:
        services.conclude_case(actor=world.clerk, case=case, delivery_method="carrier_pigeon", now=at(2026, 10, 9))
    assert error.value.field == "delivery_method"
    assert snapshot(case) == before
    concluded = services.conclude_case(actor=world.clerk, case=case, delivery_method="post",
                                       delivery_address="东兴市北仑大道1号", tracking_number="SF1234567890",
                                       now=at(2026, 10, 9))
    assert concluded.tracking_number == "SF1234567890" and concluded.delivered_at is None
    assert concluded.visit_count == 0  # zero-run: online application, result by post
    assert task_of(case, world.scjg, 4).state == "approved"


def test_conclude_only_from_approved_and_only_by_staff(world):
    case = accepted_case(world)
    before = snapshot(case)
    with pytest.raises(Conflict):
        services.conclude_case(actor=world.clerk, case=case, delivery_method="pickup", now=at(2026, 10, 9))
    with pytest.raises(PermissionDenied):
        services.conclude_case(actor=world.applicant_user, case=case, delivery_method="pickup", now=at(2026, 10, 9))
    with pytest.raises(PermissionDenied):
        services.conclude_case(actor=world.other_clerk, case=case, delivery_method="pickup", now=at(2026, 10, 9))
    assert snapshot(case) == before


def test_immediate_item_is_concluded_at_the_window_the_same_day(world):
    case = services.intake_at_window(clerk=world.clerk, item=world.immediate, applicant=world.applicant,
                                     provided_material_ids=world.all_required(world.immediate), decision="accept",
                                     window=world.window, now=at(2026, 10, 9, 9, 30))
    assert case.state == "concluded" and case.due_on == date(2026, 10, 9)
    assert case.concluded_at == at(2026, 10, 9, 9, 30) and case.visit_count == 1
    assert case.delivery_method == "pickup"
    assert selectors.light(case, today=date(2026, 10, 9)) == "on_time"


def test_instant_approval_decides_at_once_and_records_the_rules(world):
    case = submit_online(world, world.instant, form={"area": "80"}, now=at(2026, 10, 9, 20))
    assert case.state == "concluded" and case.delivery_method == "electronic" and case.visit_count == 0
    assert [r["label"] for r in case.instant_rule["rules"]] == ["经营面积不超过100平方米", "无失信记录"]
    assert all(r["held"] for r in case.instant_rule["rules"])
    assert Certificate.objects.get(case=case).certificate_type == "spba"
    actions = [e.action for e in events_for(f"case:{case.number}")]
    assert "onewindow.case.approved" in actions and actions[-1] == "onewindow.case.concluded"


def test_instant_approval_rule_not_met_leaves_the_case_to_the_clerk(world):
    case = submit_online(world, world.instant, form={"area": "150"})
    assert case.state == "submitted" and case.instant_rule is None
    event = list(events_for(f"case:{case.number}"))[-1]
    assert event.action == "onewindow.case.instant_approval_declined"
    assert event.data["failed"] == ["经营面积不超过100平方米"]
    world.applicant.bad_credit = True
    world.applicant.save()
    assert submit_online(world, world.instant, form={"area": "80"}).state == "submitted"


def test_bundle_opens_one_case_per_item_under_one_tracker(world):
    bundle = Bundle.objects.create(code="kaidian", name="我要开餐饮店")
    BundleItem.objects.create(bundle=bundle, item=world.licence, order=1)
    BundleItem.objects.create(bundle=bundle, item=world.paid, order=2)
    slow = make_item(department=world.zrzy, name="户外广告设置许可", committed=10, legal=20,
                     stages=[], materials=[{"name": "设立登记申请书"}])
    BundleItem.objects.create(bundle=bundle, item=slow, order=3)
    provided = world.all_required(world.licence) + world.all_required(world.paid)
    application = services.submit_bundle(bundle=bundle, applicant=world.applicant, channel="online",
                                         centre=world.centre, provided_material_ids=provided,
                                         submitted_by=world.applicant_user, now=at(2026, 9, 30, 9))
    cases = list(application.cases.order_by("number"))
    assert [c.item for c in cases] == [world.licence, world.paid, slow]
    assert application.number.startswith("YJS-DX01-20260930-")
    # One set of materials: the application form handed in for the first item counts for the third.
    assert cases[2].materials.get().status == CaseMaterialStatus.PROVIDED
    for case in cases:
        services.accept_case(clerk=world.clerk, case=case, now=at(2026, 9, 30, 10))
    tracker = selectors.bundle_progress(application, today=date(2026, 10, 8))
    assert len(tracker.cases) == 3 and tracker.all_accepted
    # Parallel: the latest due date (10 working days: October 20), not the sum.
    assert tracker.due_on == date(2026, 10, 20)
    assert selectors.get_bundle_by_query(application.number, application.query_code.lower()) == application
    again = services.submit_bundle(bundle=bundle, applicant=world.applicant, channel="online", centre=world.centre,
                                   provided_material_ids=provided, submitted_by=world.applicant_user,
                                   idempotency_key="b-1", now=at(2026, 9, 30))
    same = services.submit_bundle(bundle=bundle, applicant=world.applicant, channel="online", centre=world.centre,
                                  provided_material_ids=provided, submitted_by=world.applicant_user,
                                  idempotency_key="b-1", now=at(2026, 9, 30))
    assert same.pk == again.pk and BundleApplication.objects.count() == 2


def test_agent_assigned_to_a_case_acts_for_the_applicant(world):
    case = submit_online(world)
    services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30),
                                defects=[{"material_id": world.ids(world.licence, "设立登记申请书")[0], "reason": "x"}])
    with pytest.raises(PermissionDenied):
        services.supply_supplement(actor=world.agent, case=case, provided_material_ids=[], now=at(2026, 10, 8))
    with pytest.raises(PermissionDenied):
        services.assign_agent(actor=world.applicant_user, case=case, agent=world.agent)
    with pytest.raises(ValidationError) as error:
        services.assign_agent(actor=world.clerk, case=case, agent=world.stranger_user)
    assert error.value.field == "agent"
    services.assign_agent(actor=world.clerk, case=case, agent=world.agent, now=at(2026, 10, 8))
    supplied = services.supply_supplement(actor=world.agent, case=case,
                                          provided_material_ids=world.ids(world.licence, "设立登记申请书"),
                                          now=at(2026, 10, 8))
    assert supplied.state == "submitted"
    assert selectors.get_case_for(world.agent, case.number) == case


def test_agent_of_a_key_project_acts_for_its_cases(world):
    project = KeyProject.objects.create(code="XM-2026-01", name="东兴边贸物流园", applicant=world.applicant)
    case = submit_online(world, project=project)
    assert selectors.cases_visible_to(world.agent).count() == 0
    services.assign_agent(actor=world.supervisor, project=project, agent=world.agent, now=at(2026, 10, 8))
    assert list(selectors.cases_visible_to(world.agent)) == [case]
    withdrawn = services.withdraw_case(actor=world.agent, case=case, reason="项目调整", now=at(2026, 10, 8))
    assert withdrawn.state == "withdrawn"


def test_immediate_item_applied_online_is_decided_at_once_and_waits_for_delivery(world):
    case = submit_online(world, world.immediate, now=at(2026, 10, 9, 9))
    approved = services.accept_case(clerk=world.clerk, case=case, now=at(2026, 10, 9, 9, 5))
    assert approved.state == "approved" and approved.decided_at == at(2026, 10, 9, 9, 5)
    concluded = services.conclude_case(actor=world.clerk, case=approved, delivery_method="post",
                                       delivery_address="东兴市北仑大道1号", tracking_number="EMS001",
                                       now=at(2026, 10, 9, 11))
    assert concluded.state == "concluded" and concluded.visit_count == 0
