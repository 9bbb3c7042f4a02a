"""The daily check: each breach policy, on the record (a Breach row and an audit event), idempotent."""

from datetime import date

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.cases import services
from onewindow.cases.models import Case, DenialFiling
from onewindow.supervision import breaches, selectors
from onewindow.supervision.models import (
    Breach,
    BreachKind,
    BreachPolicy,
    CheckRun,
    EscalationLevel,
    MissedPromise,
)
from tests.cases.factories import accepted_case, at, material, submit_online

pytestmark = pytest.mark.django_db


def test_an_application_left_undecided_five_working_days_is_deemed_accepted_from_the_day_it_arrived(world):
    case = submit_online(world, now=at(2026, 9, 29, 9))
    # 29 Sept arrived; working days after it: 30 Sept, 8, 9, 10 (make-up Saturday), 12 October.
    assert breaches.run_daily_check(day=date(2026, 10, 12), now=at(2026, 10, 12, 7))["deemed_accepted"] == 0
    figures = breaches.run_daily_check(day=date(2026, 10, 13), now=at(2026, 10, 13, 7))
    assert figures["deemed_accepted"] == 1
    case.refresh_from_db()
    assert case.state == "in_progress"
    assert case.accepted_on == date(2026, 9, 29)
    assert case.tasks.filter(state="open").exists()
    breach = Breach.objects.get(case=case, kind=BreachKind.DEEMED_ACCEPTED)
    assert breach.effective_on == date(2026, 9, 29)
    # Its clock counts from the day it arrived: due 12 October, so already overdue and escalated too.
    assert case.due_on == date(2026, 10, 12)
    assert Breach.objects.filter(case=case, kind=BreachKind.ESCALATED).exists()
    assert AuditEvent.objects.filter(chain__key=f"case:{case.number}", action__endswith=".accepted").exists()
    assert AuditEvent.objects.filter(chain__key="supervision-check:2026-10-13",
                                     action="onewindow.supervision.deemed_accepted").count() == 1


def test_the_same_day_twice_does_nothing_the_second_time(world):
    submit_online(world, now=at(2026, 9, 29, 9))
    accepted_case(world, now=at(2026, 9, 1, 10))  # long overdue by 13 October
    first = breaches.run_daily_check(day=date(2026, 10, 13), now=at(2026, 10, 13, 7))
    events, rows = AuditEvent.objects.count(), Breach.objects.count()
    second = breaches.run_daily_check(day=date(2026, 10, 13), now=at(2026, 10, 13, 8))
    assert first["already_ran"] is False and second["already_ran"] is True
    assert (AuditEvent.objects.count(), Breach.objects.count()) == (events, rows)
    assert CheckRun.objects.count() == 1
    # The next day: an escalated case is not escalated again.
    breaches.run_daily_check(day=date(2026, 10, 14), now=at(2026, 10, 14, 7))
    assert Breach.objects.filter(kind=BreachKind.ESCALATED).count() == rows - 1


def test_an_overdue_case_is_escalated_to_the_items_named_level_after_its_days(world):
    BreachPolicy.objects.create(item=world.licence, escalate_to=EscalationLevel.GOVERNMENT, escalate_after_days=2,
                                deemed_acceptance=False)
    case = accepted_case(world, now=at(2026, 9, 30, 10))  # due 13 October
    breaches.run_daily_check(day=date(2026, 10, 15), now=at(2026, 10, 15, 7))  # 2 working days late
    assert not Breach.objects.exists()
    breaches.run_daily_check(day=date(2026, 10, 16), now=at(2026, 10, 16, 7))
    breach = Breach.objects.get(case=case)
    assert (breach.kind, breach.level) == (BreachKind.ESCALATED, EscalationLevel.GOVERNMENT)
    assert list(selectors.breaches()) == [breach]
    assert selectors.case_supervision(case)["breaches"] == [breach]


def test_a_missed_waiver_promise_makes_the_case_deemed_withdrawn(world):
    BreachPolicy.objects.create(item=world.licence, missed_promise=MissedPromise.WITHDRAWN)
    provided = world.ids(world.licence, "设立登记申请书", "身份证明")
    case = submit_online(world, provided=provided, now=at(2026, 9, 30, 9))
    waivers = {material(world.licence, n).id: date(2026, 10, 9) for n in ("经营场所证明", "消防安全承诺书")}
    services.accept_case(clerk=world.clerk, case=case, waivers=waivers, promise_note="书面承诺", now=at(2026, 9, 30, 10))
    breaches.run_daily_check(day=date(2026, 10, 9), now=at(2026, 10, 9, 7))
    assert Case.objects.get(pk=case.pk).state == "in_progress"
    breaches.run_daily_check(day=date(2026, 10, 10), now=at(2026, 10, 10, 7))
    case.refresh_from_db()
    assert case.state == "withdrawn"
    assert not case.tasks.filter(state="open").exists()
    assert Breach.objects.get(case=case).kind == BreachKind.DEEMED_WITHDRAWN


def test_a_missed_waiver_promise_can_be_deemed_a_denial_filed_for_review(world):
    BreachPolicy.objects.create(item=world.licence, missed_promise=MissedPromise.REFUSED)
    provided = world.ids(world.licence, "设立登记申请书", "身份证明", "消防安全承诺书")
    case = submit_online(world, provided=provided, now=at(2026, 9, 30, 9))
    services.accept_case(clerk=world.clerk, case=case, waivers={material(world.licence, "经营场所证明").id:
                                                                date(2026, 10, 9)}, now=at(2026, 9, 30, 10))
    breaches.run_daily_check(day=date(2026, 10, 12), now=at(2026, 10, 12, 7))
    case.refresh_from_db()
    assert case.state == "denied"
    filing = DenialFiling.objects.get(case=case)
    assert filing.kind == "denial" and "逾期未补齐" in filing.reason
    assert Breach.objects.get(case=case).kind == BreachKind.DEEMED_REFUSED


def test_an_unanswered_supplement_notice_is_deemed_refused_after_the_policys_days(world):
    BreachPolicy.objects.create(item=world.licence, missed_promise=MissedPromise.REFUSED, supplement_days=3,
                                deemed_acceptance=False)
    case = submit_online(world, provided=world.ids(world.licence, "设立登记申请书"), now=at(2026, 9, 30, 9))
    services.request_supplement(actor=world.clerk, case=case, now=at(2026, 9, 30, 10), defects=[
        {"material_id": material(world.licence, "经营场所证明").id, "reason": "缺少"}])
    breaches.run_daily_check(day=date(2026, 10, 10), now=at(2026, 10, 10, 7))  # 3 working days: not yet
    assert Case.objects.get(pk=case.pk).state == "supplement_requested"
    breaches.run_daily_check(day=date(2026, 10, 12), now=at(2026, 10, 12, 7))
    case.refresh_from_db()
    assert case.state == "refused"
    assert DenialFiling.objects.get(case=case).kind == "refusal"
    assert Breach.objects.get(case=case).kind == BreachKind.DEEMED_REFUSED


def test_no_policy_means_no_missed_promise_consequence(world):
    provided = world.ids(world.licence, "设立登记申请书", "身份证明", "消防安全承诺书")
    case = submit_online(world, provided=provided, now=at(2026, 9, 30, 9))
    services.accept_case(clerk=world.clerk, case=case, waivers={material(world.licence, "经营场所证明").id:
                                                                date(2026, 10, 9)}, now=at(2026, 9, 30, 10))
    breaches.run_daily_check(day=date(2026, 10, 12), now=at(2026, 10, 12, 7))
    assert Case.objects.get(pk=case.pk).state == "in_progress"
    assert not Breach.objects.filter(case=case).exclude(kind=BreachKind.ESCALATED).exists()
