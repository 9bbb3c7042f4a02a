"""A bad rating's rectification: a clock of 5 working days, the follow-up, the result, the office's
review (accept or send back), the unit's appeal and the office's decision."""

from datetime import date, timedelta

import pytest

from onewindow.core.errors import Conflict, PermissionDenied, ValidationError
from onewindow.ratings import selectors, services
from onewindow.ratings.actions import registry
from onewindow.ratings.models import Rating
from onewindow.workflow import clock

from .helpers import NOW, concluded_case, rate_case

pytestmark = pytest.mark.django_db


def act(actor, rectification, name, params, now):
    """As a page does: the row read afresh, then the registry's action."""
    rectification.refresh_from_db()
    return registry.perform(actor, rectification, name, params, now)


@pytest.fixture
def bad(w):
    rating = rate_case(concluded_case(w), 1, rater=w.applicant_user, comment="态度差，跑了三趟")
    return rating.rectification


def test_a_bad_rating_opens_a_rectification_for_the_unit_due_in_five_working_days(w, bad):
    assert bad.department_id == w.dept_a.pk and bad.state == "open"
    assert bad.clock_started_on == date(2026, 11, 16) and bad.clock_due_on == date(2026, 11, 23)
    assert clock.light(bad, today=date(2026, 11, 24)) == "red"
    assert selectors.rectification_counts(w.approver_a, today=date(2026, 11, 24))["red"] == 1
    assert selectors.rectification_counts(w.approver_b, today=date(2026, 11, 24))["red"] == 0


def test_basically_satisfied_is_not_a_bad_rating(w):
    rating = rate_case(concluded_case(w), 3, rater=w.applicant_user)
    assert not hasattr(rating, "rectification") or rating.rectification is None


def test_the_unit_follows_up_then_submits_and_the_office_accepts(w, bad):
    with pytest.raises(Conflict):
        act(w.approver_a, bad, "submit", {"result": "已整改"}, NOW)   # no follow-up yet
    act(w.approver_a, bad, "record_follow_up", {"note": "11月17日电话回访，已致歉"}, NOW)
    act(w.approver_a, bad, "submit", {"result": "窗口人员已批评教育"}, NOW + timedelta(days=1))
    bad.refresh_from_db()
    assert bad.state == "submitted" and clock.light(bad, today=date(2026, 12, 30)) == "paused"
    act(w.supervisor, bad, "accept", {}, NOW + timedelta(days=10))
    bad.refresh_from_db()
    assert bad.state == "closed" and bad.clock_stopped_on == date(2026, 11, 17)
    assert clock.light(bad, today=date(2026, 12, 30)) == "on_time"


def test_the_office_sends_a_result_back_and_the_unit_rectifies_again(w, bad):
    act(w.approver_a, bad, "record_follow_up", {"note": "已回访"}, NOW)
    act(w.approver_a, bad, "submit", {"result": "已整改"}, NOW)
    with pytest.raises(ValidationError) as err:
        act(w.supervisor, bad, "reject", {"note": ""}, NOW)
    assert err.value.field == "note"
    act(w.supervisor, bad, "reject", {"note": "未说明具体措施"}, NOW)
    bad.refresh_from_db()
    assert (bad.state, bad.rejections) == ("open", 1)
    assert [o.name for o in registry.offers(w.approver_a, bad)] == ["record_follow_up", "submit", "appeal"]


def test_only_the_unit_rectifies_and_only_the_office_reviews(w, bad):
    with pytest.raises(PermissionDenied):
        act(w.approver_b, bad, "record_follow_up", {"note": "x"}, NOW)
    with pytest.raises(PermissionDenied):
        services.record_follow_up(actor=w.supervisor, rectification=bad, note="x", now=NOW)
    act(w.approver_a, bad, "record_follow_up", {"note": "已回访"}, NOW)
    act(w.approver_a, bad, "submit", {"result": "已整改"}, NOW)
    with pytest.raises(PermissionDenied):
        act(w.approver_a, bad, "accept", {}, NOW)
    assert registry.available(w.approver_a, bad) == []


def test_an_upheld_appeal_takes_the_rating_out_of_the_statistics_but_keeps_it(w, bad):
    day = NOW.date()
    assert selectors.appraisal_figures(start=day, end=day)[w.dept_a.pk]["dissatisfied"] == 1
    act(w.approver_a, bad, "appeal", {"ground": "malicious", "reason": "评价人并非本件申请人"}, NOW)
    bad.refresh_from_db()
    assert bad.state == "appealed" and clock.light(bad, today=date(2026, 12, 30)) == "paused"
    act(w.supervisor, bad, "uphold_appeal", {"decision": "经核实为恶意差评"}, NOW)
    bad.refresh_from_db()
    assert bad.state == "appeal_upheld"
    rating = Rating.objects.get()
    assert rating.counted is False and rating.level == 1
    assert selectors.appraisal_figures(start=day, end=day) == {}


def test_a_dismissed_appeal_sends_the_unit_back_to_work_and_cannot_be_repeated(w, bad):
    act(w.approver_a, bad, "appeal", {"ground": "mistaken", "reason": "评错了对象"}, NOW)
    act(w.supervisor, bad, "dismiss_appeal", {"decision": "评价属实"}, NOW + timedelta(days=2))
    bad.refresh_from_db()
    assert bad.state == "open" and bad.clock_paused_days == 2   # Mon→Wed: two working days stood still
    assert bad.clock_due_on == date(2026, 11, 25)
    with pytest.raises(Conflict):
        act(w.approver_a, bad, "appeal", {"ground": "mistaken", "reason": "再次申诉"}, NOW)
    assert Rating.objects.get().counted is True


def test_a_bad_appeal_ground_names_the_field(w, bad):
    with pytest.raises(ValidationError) as err:
        act(w.approver_a, bad, "appeal", {"ground": "other", "reason": "x"}, NOW)
    assert err.value.field == "ground"
    bad.refresh_from_db()
    assert bad.state == "open"
