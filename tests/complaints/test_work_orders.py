"""The work order's paths (issue 17): register → dispatch → sign or return (re-dispatch) → reply →
rate (an unsatisfied complainant reopens it once) → close; the clocks and lights; anonymity to the unit."""

import pytest

from onewindow.audit.models import AuditEvent
from onewindow.complaints import selectors, services
from onewindow.complaints.access import Complainant
from onewindow.complaints.actions import registry
from onewindow.complaints.models import DispatchExample, KindLimit, OrderReturn, WorkOrder
from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from tests.complaints.orders import at, build_centre, hotline_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return build_centre()


def _verbs(order):
    return [e.action.rsplit(".", 1)[1]
            for e in AuditEvent.objects.filter(chain__key=f"workorder:{order.number}").order_by("position")]


def test_registration_gives_a_number_and_a_query_code(centre):
    order = hotline_order(centre)
    assert order.number.startswith("TS20261207") and len(order.query_code) == 6
    assert order.state == "registered" and order.clock_due_on is None
    assert selectors.get_order_by_query(order.number, order.query_code.lower()) == order
    assert _verbs(order) == ["registered"]


def test_the_whole_path_with_a_satisfied_complainant(centre):
    order = hotline_order(centre)
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_a.pk},
                             now=at("2026-12-07"))
    assert order.state == "dispatched"
    assert str(order.sign_due_on) == "2026-12-08" and str(order.clock_due_on) == "2026-12-14"
    assert selectors.sign_light_of(order, today=at("2026-12-07").date()) == "yellow"
    order = registry.perform(centre.staff_a, order, "sign", {}, now=at("2026-12-08"))
    assert selectors.sign_light_of(order) == "on_time"
    order = registry.perform(centre.staff_a, order, "reply", {"reply": "已核实，窗口人员未按时答复，已批评教育并当日办结",
                                                              "substantiated": "yes"}, now=at("2026-12-10"))
    assert order.state == "replied" and order.substantiated is True
    assert selectors.light_of(order) == "on_time"
    order = registry.perform(Complainant(order.pk), order, "rate", {"satisfaction": "satisfied"},
                             now=at("2026-12-11"))
    assert order.state == "closed" and order.closed_at is not None
    assert _verbs(order) == ["registered", "dispatched", "signed", "replied", "rated", "closed"]
    # the closed order is one more example for the dispatch suggestion
    assert DispatchExample.objects.filter(reference=order.number, unit_name=centre.unit_a.name).exists()


def test_a_return_needs_its_basis_and_the_office_dispatches_again(centre):
    order = hotline_order(centre)
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_a.pk}, now=at("2026-12-07"))
    with pytest.raises(ValidationError) as refused:
        registry.perform(centre.staff_a, order, "return", {"basis": "  "}, now=at("2026-12-07", 15))
    assert refused.value.field == "basis"
    order = registry.perform(centre.staff_a, order, "return", {"basis": "依据三定方案，占道经营由城管局负责"},
                             now=at("2026-12-07", 15))
    assert order.state == "returned" and order.department is None and order.returns_count == 1
    assert selectors.light_of(order) == "paused"
    assert OrderReturn.objects.get(order=order).department == centre.unit_a
    # the unit that returned it can no longer act on it, but still sees it
    assert registry.available(centre.staff_a, order) == []
    assert selectors.get_order_for(centre.staff_a, order.number) == order
    # re-dispatch: both clocks start again, in full, for the next unit
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_b.pk},
                             now=at("2026-12-09"))
    assert order.state == "dispatched" and order.department == centre.unit_b
    assert str(order.clock_due_on) == "2026-12-16" and order.clock_paused_since is None
    order = registry.perform(centre.staff_b, order, "sign", {}, now=at("2026-12-09"))
    assert _verbs(order) == ["registered", "dispatched", "returned", "dispatched", "signed"]
    figures = selectors.appraisal_figures(start=at("2026-12-01").date(), end=at("2026-12-31").date())
    assert figures[centre.unit_a.pk]["returns"] == 1 and figures[centre.unit_a.pk]["orders"] == 0
    assert figures[centre.unit_b.pk]["signed_on_time"] == 1


def test_an_unsatisfied_complainant_reopens_the_order_once(centre):
    order = hotline_order(centre)
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_a.pk}, now=at("2026-12-07"))
    order = registry.perform(centre.staff_a, order, "sign", {}, now=at("2026-12-07"))
    order = registry.perform(centre.staff_a, order, "reply", {"reply": "经查不属实", "substantiated": "no"},
                     now=at("2026-12-08"))
    order = registry.perform(Complainant(order.pk), order, "rate",
                             {"satisfaction": "unsatisfied", "comment": "没有调查就答复"}, now=at("2026-12-09"))
    assert order.state == "handling" and order.reopened_at is not None
    assert order.first_reply == "经查不属实" and order.reply == ""
    assert str(order.clock_started_on) == "2026-12-09" and order.clock_stopped_on is None
    order = registry.perform(centre.staff_a, order, "reply", {"reply": "重新调查，部分属实，已整改", "substantiated": "partly"},
                     now=at("2026-12-11"))
    order = registry.perform(Complainant(order.pk), order, "rate", {"satisfaction": "unsatisfied"},
                             now=at("2026-12-14"))
    assert order.state == "closed"  # the second "unsatisfied" archives it: reopened once only
    assert _verbs(order).count("reopened") == 1


def test_the_unit_does_not_see_an_anonymous_complainant(centre):
    order = hotline_order(centre, anonymous=True)
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_a.pk}, now=at("2026-12-07"))
    order.refresh_from_db()
    assert selectors.complainant_view(centre.staff_a, order) == {"name": "匿名", "phone": "", "email": ""}
    assert selectors.complainant_view(centre.office, order)["name"] == "李明"
    named = hotline_order(centre)
    named = registry.perform(centre.office, named, "dispatch", {"department_id": centre.unit_a.pk}, now=at("2026-12-07"))
    named.refresh_from_db()
    assert selectors.complainant_view(centre.staff_a, named)["phone"] == "13877001234"


def test_only_the_unit_signs_only_the_office_dispatches_only_the_complainant_rates(centre):
    order = hotline_order(centre)
    with pytest.raises(PermissionDenied):
        registry.perform(centre.staff_a, order, "dispatch", {"department_id": centre.unit_a.pk})
    order = registry.perform(centre.office, order, "dispatch", {"department_id": centre.unit_a.pk}, now=at("2026-12-07"))
    for outsider in (centre.staff_b, centre.stranger, centre.office):
        with pytest.raises(PermissionDenied):
            registry.perform(outsider, order, "sign", {})
    with pytest.raises(Conflict):
        registry.perform(centre.staff_a, order, "reply", {"reply": "x", "substantiated": "no"})
    order = registry.perform(centre.staff_a, order, "sign", {}, now=at("2026-12-07"))
    with pytest.raises(ValidationError) as missing:
        registry.perform(centre.staff_a, order, "reply", {"reply": "已处理"})
    assert missing.value.field == "substantiated"
    order = registry.perform(centre.staff_a, order, "reply", {"reply": "已处理", "substantiated": "no"}, now=at("2026-12-08"))
    with pytest.raises(PermissionDenied):
        registry.perform(Complainant(order.pk + 1), order, "rate", {"satisfaction": "satisfied"})
    assert [a.name for a in registry.available(centre.office, order)] == ["follow_up", "close"]
    order = registry.perform(centre.office, order, "follow_up", {"satisfaction": "basically"}, now=at("2026-12-10"))
    assert order.state == "closed" and order.rating_source == "follow_up_call"


def test_limits_per_kind_are_the_offices_to_set(centre):
    KindLimit.objects.create(kind="enterprise_request", sign_days=1, reply_days=2)
    order = hotline_order(centre, kind="enterprise_request")
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_b.pk,
                                    now=at("2026-12-07"))
    assert str(order.clock_due_on) == "2026-12-09"
    KindLimit.objects.filter(kind="enterprise_request").update(reply_days=3)
    order = hotline_order(centre, kind="enterprise_request")
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_b.pk,
                                    now=at("2026-12-07"))
    assert str(order.clock_due_on) == "2026-12-10"


def test_lights_and_counts_by_unit_agree_with_the_lists(centre):
    late = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=late, department_id=centre.unit_a.pk, now=at("2026-12-01"))
    fresh = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=fresh, department_id=centre.unit_a.pk, now=at("2026-12-07"))
    other = hotline_order(centre)
    services.dispatch_order(actor=centre.office, order=other, department_id=centre.unit_b.pk, now=at("2026-12-07"))
    hotline_order(centre)  # registered, not dispatched: no light
    today = at("2026-12-09").date()
    counts = selectors.light_counts(today=today)
    assert counts[centre.unit_a.pk]["red"] == 1 and counts[centre.unit_a.pk]["green"] == 1
    assert counts[centre.unit_b.pk]["green"] == 1
    assert list(selectors.open_orders(light="red", today=today)) == [late]
    assert selectors.open_orders(department_ids=[centre.unit_a.pk], today=today).count() == 2
    assert selectors.total_light_counts(today=today)["red"] == 1


def test_substantiated_orders_for_accountability(centre):
    order = hotline_order(centre)
    order = services.dispatch_order(actor=centre.office, order=order, department_id=centre.unit_a.pk, now=at("2026-12-07"))
    order = services.sign_order(actor=centre.staff_a, order=order, now=at("2026-12-07"))
    order = services.reply_order(actor=centre.staff_a, order=order, reply="属实，已处理", substantiated=True, now=at("2026-12-08"))
    assert list(selectors.substantiated(start=at("2026-12-08").date(), end=at("2026-12-08").date())) == [order]
    assert not selectors.substantiated(start=at("2026-12-09").date()).exists()


def test_bad_registration_changes_nothing(centre):
    before = WorkOrder.objects.count()
    with pytest.raises(ValidationError) as bad:
        hotline_order(centre, text="  ")
    assert bad.value.field == "text"
    with pytest.raises(ValidationError) as bad:
        services.register_order(actor=centre.office, kind="praise", subkind="delay", channel="hotline", text="好")
    assert bad.value.field == "subkind"
    with pytest.raises(ValidationError) as bad:
        hotline_order(centre, case_number="NOPE-1")
    assert bad.value.field == "case_number"
    with pytest.raises(PermissionDenied):
        services.register_order(actor=None, kind="complaint", text="x", channel="hotline")
    assert WorkOrder.objects.count() == before


def test_a_consultation_answered_on_the_spot_is_closed_by_the_office(centre):
    order = hotline_order(centre, kind="consultation", text="营业执照变更需要带什么材料？")
    order = registry.perform(centre.office, order, "close", {"reason": "已当场告知所需材料清单"}, now=at("2026-12-07"))
    assert order.state == "closed" and order.reply == "已当场告知所需材料清单"
