"""The appraisal's staff pages: the board, a subject's explained score, the cases behind an
indicator, the XLSX export, weights and closing — for the efficiency office only."""

from __future__ import annotations

import io
from datetime import date
from unittest import mock

import pytest
from django.urls import reverse

from onewindow.appraisal.models import Period, Score

from .fixture import make_fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def fx(client):
    fx = make_fixture()
    client.force_login(fx.supervisor)
    return fx


def test_board_ranks_departments_and_links_their_explained_score(client, fx):
    response = client.get(reverse("workbench:appraisal"), {"period": "2026-03", "by": "department"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "甲局" in body and "乙局" in body
    assert reverse("workbench:appraisal_subject", args=["2026-03", "department", fx.dept_a.pk]) in body
    assert "66.7%" in body  # A's on-time rate


def test_explained_score_shows_numerator_denominator_and_the_cases_behind(client, fx):
    url = reverse("workbench:appraisal_subject", args=["2026-03", "department", fx.dept_a.pk])
    body = client.get(url).content.decode()
    assert "按时办结率" in body and "法定时限使用率" in body
    cases_url = reverse("workbench:appraisal_cases", args=["2026-03", "department", fx.dept_a.pk, "on_time"])
    assert cases_url in body
    listing = client.get(cases_url).content.decode()
    for key in ("c1", "c2", "c3"):
        assert fx.cases[key].number in listing
    assert fx.cases["c4"].number not in listing
    timed = client.get(reverse("workbench:appraisal_cases",
                               args=["2026-03", "department", fx.dept_a.pk, "legal_time_used"])).content.decode()
    assert "<td data-label=\"实际用时\">7</td>" in timed  # c2: 9 working days less 2 paused


def test_export_is_an_xlsx_with_the_board(client, fx):
    from openpyxl import load_workbook

    response = client.get(reverse("workbench:appraisal_export"), {"period": "2026-03", "by": "department"})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    names = {row[1] for row in rows[2:]}
    assert names == {"甲局", "乙局"}
    assert book.worksheets[1]["A1"].value == "计分方法"


def test_closing_from_the_page_freezes_the_board(client, fx):
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 4, 15)):
        response = client.post(reverse("workbench:appraisal_close"), {"period": "2026-03", "by": "department"})
    assert response.status_code == 302
    assert Period.objects.get(start=date(2026, 3, 1)).is_closed
    assert Score.objects.filter(subject_kind="department", indicator="").count() == 2
    body = client.get(reverse("workbench:appraisal"), {"period": "2026-03"}).content.decode()
    assert "已于" in body


def test_weights_are_saved_and_bad_ones_refused_with_the_field(client, fx):
    url = reverse("workbench:appraisal_weights") + "?period=2026-03"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"period": "2026-03", "on_time-weight": "-3", "on_time-target": "1",
                            "on_time-floor": "0.9"})
    assert bad.status_code == 400 and "on_time-weight" in bad.content.decode()
    assert not Period.objects.exists()
    form = {f"{code}-{part}": value for code, (w, t, f) in {
        "on_time": ("40", "1", "0.8")}.items() for part, value in (("weight", w), ("target", t), ("floor", f))}
    from onewindow.appraisal.indicators import INDICATORS
    for code, i in INDICATORS.items():
        form.setdefault(f"{code}-weight", str(i.weight))
        form.setdefault(f"{code}-target", str(i.target))
        form.setdefault(f"{code}-floor", str(i.floor))
    assert client.post(url, {"period": "2026-03", **form}).status_code == 302
    assert Period.objects.get().weights.get(indicator="on_time").weight == 40


def test_bad_period_is_a_400_naming_it(client, fx):
    response = client.get(reverse("workbench:appraisal"), {"period": "2026-14"})
    assert response.status_code == 400
    assert "2026-Q3" in response.content.decode()


def test_a_clerk_does_not_see_the_appraisal(client, fx):
    client.force_login(fx.clerk)
    assert client.get(reverse("workbench:appraisal")).status_code == 404
    assert client.get(reverse("workbench:appraisal_subject", args=["2026-03", "department", fx.dept_a.pk])).status_code == 404


def test_api_answers_the_board_to_the_office_only(client, fx):
    from onewindow.api.auth import create_token

    token = create_token(user=fx.supervisor).raw
    response = client.get("/api/v1/appraisal/2026-03?by=department", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.json()["rows"]}
    assert rows["甲局"]["indicators"]["on_time"]["numerator"] == 2
    assert rows["甲局"]["indicators"]["on_time"]["denominator"] == 3
    bad = client.get("/api/v1/appraisal/2026-13", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 400 and bad.json()["field"] == "period"
    clerk = create_token(user=fx.clerk).raw
    assert client.get("/api/v1/appraisal/2026-03", HTTP_AUTHORIZATION=f"Bearer {clerk}").status_code == 403
