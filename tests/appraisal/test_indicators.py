"""Indicator arithmetic against hand-computed expectations (tests/appraisal/fixture.py)."""

from __future__ import annotations

from datetime import date

import pytest

from onewindow.appraisal import indicators, selectors, services
from onewindow.appraisal.indicators import normalised
from onewindow.appraisal.periods import parse
from onewindow.calendar import selectors as calendar
from onewindow.core.errors import ValidationError

from .fixture import make_fixture

pytestmark = pytest.mark.django_db


def figures(by: str, key: str = "2026-03"):
    return {k: {code: (f.numerator, f.denominator) for code, f in v.items()}
            for k, v in indicators.case_figures(parse(key), by).items()}


def test_department_figures_match_the_hand_computed_ones():
    fx = make_fixture()
    result = figures("department")
    assert result[fx.dept_a.pk] == {
        "on_time": (2, 3), "legal_time_used": (12, 60), "at_most_one_visit": (2, 3), "zero_visit": (1, 3),
        "online_share": (3, 5), "supplement_rate": (1, 5), "refusal_rate": (1, 5)}
    assert result[fx.dept_b.pk] == {
        "on_time": (1, 1), "legal_time_used": (10, 30), "at_most_one_visit": (1, 1), "zero_visit": (0, 1),
        "online_share": (0, 1), "supplement_rate": (0, 1), "refusal_rate": (0, 1)}


def test_centre_adds_up_its_departments_and_clerk_counts_the_cases_accepted():
    fx = make_fixture()
    centre = figures("centre")[fx.centre.pk]
    assert centre["on_time"] == (3, 4)
    assert centre["legal_time_used"] == (22, 90)
    assert centre["online_share"] == (3, 6)
    clerk = figures("clerk")[fx.clerk.pk]
    # the online case c6 was never accepted by anyone: not the clerk's
    assert clerk["online_share"] == (2, 5)
    assert clerk["on_time"] == (3, 4)


def test_the_quarter_and_the_year_include_the_month_and_april():
    fx = make_fixture()
    q1 = figures("department", "2026-Q1")[fx.dept_a.pk]
    assert q1["on_time"] == (2, 3)
    assert q1["online_share"] == (4, 6)  # c5 was submitted in February
    year = figures("department", "2026")[fx.dept_a.pk]
    assert year["on_time"] == (2, 4)  # c5, concluded in April, was late
    # c5: accepted Tue 2-24, decided Wed 4-01: Feb 25–27 (3) + March (22) + April 1 (1) working days
    assert calendar.working_days_between(date(2026, 2, 24), date(2026, 4, 1)).working_days == 26
    assert year["legal_time_used"] == (12 + 26, 80)


def test_normalised_is_linear_between_floor_and_target_and_clamped():
    from decimal import Decimal as D
    assert normalised(0.95, target=D("1"), floor=D("0.9")) == 50.0
    assert normalised(0.5, target=D("1"), floor=D("0.9")) == 0.0
    assert normalised(1.0, target=D("1"), floor=D("0.9")) == 100.0
    # lower is better: target below floor
    assert normalised(0.2, target=D("0.3"), floor=D("1")) == 100.0
    assert normalised(0.65, target=D("0.3"), floor=D("1")) == 50.0
    assert normalised(None, target=D("1"), floor=D("0")) is None


def test_total_is_the_weighted_mean_of_the_scores_with_data():
    fx = make_fixture()
    zero = {"weight": "0", "target": "1", "floor": "0"}
    weights = {code: zero for code in indicators.INDICATORS}
    weights["on_time"] = {"weight": "3", "target": "1", "floor": "0"}          # A: 2/3 → 66.67
    weights["legal_time_used"] = {"weight": "1", "target": "0", "floor": "0.4"}  # A: 0.2 → 50
    services.set_weights(actor=fx.supervisor, key="2026-03", weights=weights)
    board = selectors.board("2026-03", "department")
    a = next(r for r in board.rows if r.subject_id == fx.dept_a.pk)
    b = next(r for r in board.rows if r.subject_id == fx.dept_b.pk)
    assert a.indicators["on_time"].score == pytest.approx(66.67)
    assert a.indicators["legal_time_used"].score == pytest.approx(50.0)
    assert a.total == pytest.approx((3 * 66.67 + 50) / 4, abs=0.01)
    # B: on time 100, time used 1/3 → (0.4 − 0.333)/0.4 = 16.67
    assert b.total == pytest.approx((3 * 100 + 16.67) / 4, abs=0.01)
    assert [r.subject_id for r in board.rows] == [fx.dept_b.pk, fx.dept_a.pk]
    assert (b.rank, a.rank) == (1, 2)


def test_hall_indicators_do_not_apply_to_departments():
    fx = make_fixture()
    a = selectors.subject_score("2026-03", "department", fx.dept_a.pk)
    assert "no_show_rate" not in a.indicators
    centre = selectors.subject_score("2026-03", "centre", fx.centre.pk)
    assert centre.indicators["no_show_rate"].value is None  # no appointments: excluded from the total


def test_cases_behind_list_the_denominator_and_flag_the_numerator():
    fx = make_fixture()
    rows = list(selectors.cases_behind("2026-03", "department", fx.dept_a.pk, "on_time"))
    assert [(r.number, r.counted) for r in rows] == [
        (fx.cases["c1"].number, True), (fx.cases["c2"].number, False), (fx.cases["c3"].number, True)]
    refused = list(selectors.cases_behind("2026-03", "department", fx.dept_a.pk, "refusal_rate"))
    assert sum(r.counted for r in refused) == 1 and len(refused) == 5


def test_a_bad_period_or_subject_kind_is_refused_naming_the_field():
    with pytest.raises(ValidationError) as bad:
        selectors.board("2026-13", "department")
    assert bad.value.field == "period"
    with pytest.raises(ValidationError) as bad:
        selectors.board("2026", "planet")
    assert bad.value.field == "by"
