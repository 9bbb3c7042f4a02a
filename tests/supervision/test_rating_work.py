"""The board shows the ratings' own clocked work beside the cases: open rectifications of bad ratings
and open public-appraisal problems, by light, per unit, the most urgent first.

Seen from 2026-03-16: A has one red (late since 3-13), one yellow (warns from 3-16, late 3-18) and one
accepted (closed, not counted); B one green (warns 3-20). Public appraisal 2026: A one red problem, one
done (stopped: not counted)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse

from onewindow.ratings.models import Rectification, Survey, SurveyProblem
from onewindow.supervision import selectors
from tests.appraisal.fixture import at
from tests.appraisal.test_joined_sources import rate
from tests.factories import DepartmentFactory, make_staff

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 16)


def clocked(due: str, warn: str, late: str, stopped: str | None = None) -> dict:
    d = date.fromisoformat
    return {"clock_started_on": d(due) - timedelta(days=7), "clock_limit": 5, "clock_due_on": d(due),
            "clock_warn_on": d(warn), "clock_late_on": d(late), "clock_stopped_on": d(stopped) if stopped else None}


@pytest.fixture
def units():
    a, b = DepartmentFactory(name="甲局"), DepartmentFactory(name="乙局")
    for dept, clock, state in [(a, clocked("2026-03-12", "2026-03-11", "2026-03-13"), "open"),
                               (a, clocked("2026-03-17", "2026-03-16", "2026-03-18"), "open"),
                               (a, clocked("2026-03-10", "2026-03-09", "2026-03-11", "2026-03-09"), "accepted"),
                               (b, clocked("2026-03-23", "2026-03-20", "2026-03-24"), "open")]:
        rating = rate(dept, 1, "2026-03-05")
        Rectification.objects.create(rating=rating, department=dept, state=state, opened_at=at("2026-03-05"),
                                     **clock)
    survey = Survey.objects.create(year=2026, title="2026 年度社会评议", code="S2026", starts_on=date(2026, 1, 1),
                                   ends_on=date(2026, 2, 28), created_at=at("2026-01-05"))
    SurveyProblem.objects.create(survey=survey, department=a, description="办事指南不清楚", owner="张科长",
                                 created_at=at("2026-03-02"), **clocked("2026-03-09", "2026-03-06", "2026-03-10"))
    SurveyProblem.objects.create(survey=survey, department=a, description="窗口等候久", owner="张科长", state="done",
                                 created_at=at("2026-03-02"),
                                 **clocked("2026-03-09", "2026-03-06", "2026-03-10", "2026-03-05"))
    return a, b


def test_open_rating_rectifications_and_problems_by_light_and_unit(units):
    a, b = units
    work = selectors.rating_work(today=TODAY)
    r = work["rectifications"]
    assert r["totals"] == {"green": 1, "yellow": 1, "red": 1, "paused": 0, "open": 3}
    assert [(u["name"], u["red"], u["yellow"], u["green"], u["total"]) for u in r["units"]] == [
        ("甲局", 1, 1, 0, 2), ("乙局", 0, 0, 1, 1)]
    assert [light for _, light in r["urgent"]] == ["red", "yellow", "green"]
    p = work["problems"]
    assert p["totals"]["open"] == 1 and p["totals"]["red"] == 1
    assert [light for _, light in p["urgent"]] == ["red"]


def test_without_a_survey_the_problems_are_zero():
    work = selectors.rating_work(today=TODAY)
    assert work["problems"]["totals"]["open"] == 0 and work["problems"]["urgent"] == []


def test_the_board_shows_them_beside_the_cases(client, units, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
    client.force_login(make_staff("supervisor"))
    body = client.get(reverse("workbench:supervision_board")).content.decode()
    assert 'id="rating-rectifications"' in body and 'id="survey-problems"' in body
    assert "整改中 3 件：1 件逾期，1 件临近期限。" in body
    assert "整改中 1 项：1 项逾期，0 项临近期限。" in body and "办事指南不清楚" in body
