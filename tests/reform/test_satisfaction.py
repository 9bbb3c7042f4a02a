"""The dashboard's rating satisfaction, measured (seen from 2026-04-15: the twelve months hold every
rating of tests/appraisal/test_joined_sources.py's fixture except the one not counted): department A
5, 4, 3, 2, 1 and 5 in April → 4 of 6 not bad; department B one 5 → 1 of 1. Whole installation 5/7
= 71.4 %; A's region 4/6 = 66.7 %. Complaints are still announced for later."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from onewindow.reform import selectors
from tests.appraisal.fixture import make_fixture
from tests.appraisal.test_joined_sources import rate

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 15)


@pytest.fixture
def fx():
    fx = make_fixture()
    for level in (5, 4, 3, 2, 1):
        rate(fx.dept_a, level, "2026-03-12")
    rate(fx.dept_a, 5, "2026-03-13", counted=False)
    rate(fx.dept_a, 5, "2026-04-02")
    rate(fx.dept_b, 5, "2026-03-20")
    rate(fx.dept_b, 1, "2025-03-20")  # before the twelve months
    return fx


def test_satisfaction_counts_the_counted_ratings_of_the_twelve_months(fx):
    d = selectors.compute(None, today=TODAY)
    assert (d.satisfaction.ratings, d.satisfaction.satisfied, d.satisfaction.pct) == (7, 5, 71.4)
    assert fx.dept_a.region != fx.dept_b.region
    regional = selectors.compute(fx.dept_a.region, today=TODAY).satisfaction
    assert (regional.ratings, regional.satisfied, regional.pct) == (6, 4, 66.7)


def test_no_ratings_shows_a_dash_not_a_number():
    make_fixture()
    assert selectors.compute(None, today=TODAY).satisfaction.pct is None


def test_the_page_shows_satisfaction_and_says_complaints_come_later(client, fx, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: TODAY)
    body = client.get(reverse("portal:reform")).content.decode()
    assert 'id="reform-satisfaction"' in body and "好差评满意率（实测）" in body
    assert "71.4%" in body and "投诉办理情况将在效能投诉模块上线后显示" in body
    assert "满意度与投诉办理情况将在" not in body
