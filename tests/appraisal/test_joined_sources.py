"""The ratings, public-appraisal and supervision sources of the appraisal against a hand-computed
fixture added to tests/appraisal/fixture.py's March 2026:

Ratings (counted, rated in March): department A levels 5, 4, 3, 2, 1 → satisfied (not bad: level ≥ 3)
3/5; plus one level 5 whose appeal was upheld (not counted) and one level 5 in April — both left out.
Department B: one level 5 → 1/1. The clerk served A's 5, 4, 2, 1 → 2/4. The centre: every March rating
→ 4/6.

Public appraisal 2026 (one question): response 1 gives A 5 (100) and B 3 (50), response 2 gives A 4
(75) and B 1 (0), a suspect response gives A 1 — left out. A 87.5, B 25.

Supervision: A urged twice in March (once in February, left out), one inspection finding in March, no
accountability record; B nothing → 0 for each (it has cases, so it is measured)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from onewindow.appraisal import indicators, selectors, services
from onewindow.appraisal.periods import parse
from onewindow.ratings.models import Rating, Survey, SurveyAnswer, SurveyQuestion, SurveyResponse
from onewindow.supervision.models import Inspection, Rectification, Urging

from .fixture import at, make_fixture

pytestmark = pytest.mark.django_db

_n = iter(range(1, 10**6))


def rate(department, level: int, day: str, *, clerk=None, centre=None, counted: bool = True) -> Rating:
    n = next(_n)
    return Rating.objects.create(subject_kind="case", subject_id=n, subject_label=f"R{n}", mode="online",
                                 source="portal", level=level, department=department, centre=centre,
                                 clerk=clerk, rated_at=at(day), rated_on=date.fromisoformat(day), counted=counted)


def survey(fx) -> None:
    s = Survey.objects.create(year=2026, title="2026 年度社会评议", code="S2026", starts_on=date(2026, 1, 1),
                              ends_on=date(2026, 12, 31), created_at=at("2026-01-05"))
    s.departments.set([fx.dept_a, fx.dept_b])
    q = SurveyQuestion.objects.create(survey=s, order=1, text="总体满意度")
    for key, (a, b), suspect in [("r1", (5, 3), False), ("r2", (4, 1), False), ("r3", (1, None), True)]:
        r = SurveyResponse.objects.create(survey=s, respondent_key=key, answers_digest=key, suspect=suspect,
                                          submitted_at=at("2026-03-10"))
        SurveyAnswer.objects.create(response=r, department=fx.dept_a, question=q, level=a)
        if b is not None:
            SurveyAnswer.objects.create(response=r, department=fx.dept_b, question=q, level=b)


def supervision(fx) -> None:
    for day in ("2026-02-20", "2026-03-03", "2026-03-17"):
        Urging.objects.create(target_kind="case", target_id=1, target_label="APR", department=fx.dept_a,
                              requirement="加快办理", urged_at=at(day))
    inspection = Inspection.objects.create(kind="unannounced", visited_at=at("2026-03-05"), department=fx.dept_a,
                                           inspectors="效能办", findings="窗口空岗", recorded_at=at("2026-03-05"))
    Rectification.objects.create(inspection=inspection, department=fx.dept_a, finding="窗口空岗",
                                 requirement="落实 AB 岗", created_at=at("2026-03-05"))


@pytest.fixture
def fx():
    fx = make_fixture()
    a, b = fx.dept_a, fx.dept_b
    for level, clerk in [(5, True), (4, True), (3, False), (2, True), (1, True)]:
        rate(a, level, "2026-03-12", clerk=fx.clerk if clerk else None, centre=fx.centre)
    rate(a, 5, "2026-03-13", clerk=fx.clerk, centre=fx.centre, counted=False)
    rate(a, 5, "2026-04-02", clerk=fx.clerk, centre=fx.centre)
    rate(b, 5, "2026-03-20", centre=fx.centre)
    survey(fx)
    supervision(fx)
    return fx


def figures(by: str, key: str = "2026-03"):
    return {k: {code: (f.numerator, f.denominator) for code, f in v.items()}
            for k, v in selectors.live_figures(parse(key), by).items()}


def test_satisfaction_per_department_clerk_and_centre_counts_the_counted_ratings_of_the_period(fx):
    assert figures("department")[fx.dept_a.pk]["satisfaction"] == (3, 5)
    assert figures("department")[fx.dept_b.pk]["satisfaction"] == (1, 1)
    assert figures("clerk")[fx.clerk.pk]["satisfaction"] == (2, 4)
    assert figures("centre")[fx.centre.pk]["satisfaction"] == (4, 6)


def test_public_appraisal_score_is_the_year_s_survey_without_suspect_responses(fx):
    result = figures("department")
    assert result[fx.dept_a.pk]["public_appraisal"] == (87.5, 1)
    assert result[fx.dept_b.pk]["public_appraisal"] == (25.0, 1)
    assert "public_appraisal" not in figures("centre").get(fx.centre.pk, {})


def test_supervision_counts_against_a_department_and_none_is_zero(fx):
    result = figures("department")
    a = {code: result[fx.dept_a.pk][code] for code in indicators.SUPERVISION_CODES}
    b = {code: result[fx.dept_b.pk][code] for code in indicators.SUPERVISION_CODES}
    assert a == {"urgings": (2, 1), "inspection_findings": (1, 1), "accountability_records": (0, 1)}
    assert b == {"urgings": (0, 1), "inspection_findings": (0, 1), "accountability_records": (0, 1)}
    assert indicators.INDICATORS["urgings"].lower_is_better


def test_joined_indicators_score_and_weigh_into_the_total(fx):
    zero = {"weight": "0", "target": "1", "floor": "0"}
    weights = {code: zero for code in indicators.INDICATORS}
    weights["satisfaction"] = {"weight": "1", "target": "0.98", "floor": "0.8"}  # A 0.6 → 0, B 1 → 100
    weights["public_appraisal"] = {"weight": "1", "target": "90", "floor": "60"}  # A 87.5 → 91.67, B 25 → 0
    weights["urgings"] = {"weight": "1", "target": "0", "floor": "5"}  # A 2 → 60, B 0 → 100
    services.set_weights(actor=fx.supervisor, key="2026-03", weights=weights)
    board = selectors.board("2026-03", "department")
    a = next(r for r in board.rows if r.subject_id == fx.dept_a.pk)
    b = next(r for r in board.rows if r.subject_id == fx.dept_b.pk)
    assert (a.indicators["satisfaction"].score, b.indicators["satisfaction"].score) == (0, 100)
    assert a.indicators["public_appraisal"].score == pytest.approx(91.67)
    assert (a.indicators["urgings"].score, b.indicators["urgings"].score) == (60, 100)
    assert a.total == pytest.approx((0 + 91.67 + 60) / 3, abs=0.01)
    assert b.total == pytest.approx((100 + 0 + 100) / 3, abs=0.01)
    explained = selectors.subject_score("2026-03", "department", fx.dept_a.pk)
    assert explained.total == a.total


def test_only_complaints_stay_pending():
    assert list(indicators.PENDING_SOURCES) == ["complaints"]


def test_the_explained_page_shows_the_joined_indicators(client, fx):
    client.force_login(fx.supervisor)
    url = reverse("workbench:appraisal_subject", args=["2026-03", "department", fx.dept_a.pk])
    body = client.get(url).content.decode()
    for text in ("好差评满意率", "60.0%", "社会评议得分", "87.5 分", "被督办次数", "检查发现问题数", "问责记录数"):
        assert text in body
    board = client.get(reverse("workbench:appraisal"), {"period": "2026-03", "by": "department"}).content.decode()
    assert "效能投诉" in board and "好差评满意度、社会评议得分" not in board
