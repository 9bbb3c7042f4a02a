"""The reform dashboard against hand-computed figures (tests/appraisal/fixture.py, seen from
2026-04-15: the last twelve months hold c1, c2, c3, c5 and d1 concluded, all seven submitted)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from onewindow.cases.models import BundleApplication
from onewindow.catalog.models import Bundle, BundleItem
from onewindow.reform import selectors, whatif
from onewindow.reform.charts import dashboard_charts
from tests.appraisal.fixture import at, make_fixture

pytestmark = pytest.mark.django_db
TODAY = date(2026, 4, 15)


def test_measured_beside_planned():
    make_fixture()
    d = selectors.compute(None, today=TODAY)
    m = d.total.measured
    assert (m.concluded, m.on_time, m.at_most_one, m.zero) == (5, 3, 4, 2)
    assert (m.submitted, m.online) == (7, 4)
    assert (m.on_time_pct, m.at_most_one_pct, m.zero_pct) == (60.0, 80.0, 40.0)
    # time used 4 + 7 + 1 + 26 + 10 = 48 of legal 4 × 20 + 30 = 110
    assert (m.used_days, m.legal_days, m.days_saved) == (48, 110, 62)
    # both items are fully online, zero visits in the catalog: planned 100 %, measured 80 % / 40 %
    assert (d.total.planned.at_most_one_pct, d.total.planned.zero_pct) == (100.0, 100.0)
    march = next(r for r in d.months if r.label == "2026-03")
    assert (march.measured.concluded, march.measured.on_time) == (4, 3)
    assert len(d.months) == 12 and d.months[-1].label == "2026-04"


def test_company_startup_bundle_measured_against_its_limit():
    fx = make_fixture()
    c1 = fx.cases["c1"]
    bundle = Bundle.objects.create(code="company-startup", name="企业开办“一件事”")
    BundleItem.objects.create(bundle=bundle, item=c1.item)
    application = BundleApplication.objects.create(number="B-1", query_code="1", bundle=bundle,
                                                   applicant=c1.applicant, centre=fx.centre,
                                                   submitted_at=at("2026-03-02", 9))
    c1.bundle_application = application
    c1.save(update_fields=["bundle_application"])
    b = selectors.compute(None, today=TODAY).bundle
    # submitted Mon 3-02, its last case concluded Tue 3-10: 6 working days against 5 committed
    assert (b.applications, b.completed, b.avg_days, b.target_days, b.within_target) == (1, 1, 6.0, 5, 0)


def test_what_if_replays_the_history_under_shorter_limits():
    fx = make_fixture()
    items = whatif.chosen_items(department_code=fx.dept_a.code)
    rows = whatif.compress(items, whatif.parse_share("50"), start=date(2025, 5, 1), end=TODAY)
    [a] = rows
    # limit 5 → 2: c1 (4 days) becomes late, 2 days over; c2 (7) and c5 (26) were late already
    assert (a.cases, a.late_now, a.late_after, a.days_to_cut) == (4, 2, 3, 2)
    assert (a.avg_now, a.avg_after) == (5.0, 2.0)


@pytest.mark.parametrize("raw", ["0", "95", "abc", ""])
def test_what_if_share_out_of_range_is_refused(raw):
    from onewindow.core.errors import ValidationError
    with pytest.raises(ValidationError) as bad:
        whatif.parse_share(raw)
    assert bad.value.field == "share"


def test_charts_are_svg_made_on_the_server():
    make_fixture()
    charts = dashboard_charts(selectors.compute(None, today=TODAY))
    for svg in charts.values():
        assert svg.startswith("<svg") and 'width="100%"' in svg


def test_public_page_has_a_region_picker_and_departments_only_for_a_region(client):
    fx = make_fixture()
    body = client.get(reverse("portal:reform")).content.decode()
    assert "<svg" in body and 'name="region"' in body
    assert 'id="reform-departments"' not in body  # two regions: pick one first
    region = fx.dept_a.region
    body = client.get(reverse("portal:reform"), {"region": region.code}).content.decode()
    assert 'id="reform-departments"' in body and "甲局" in body


def test_leaders_page_runs_the_what_if_and_refuses_bad_input(client):
    fx = make_fixture()
    client.force_login(fx.supervisor)
    ok = client.get(reverse("workbench:reform"), {"department": fx.dept_a.code, "share": "50"})
    assert ok.status_code == 200 and 'id="whatif-rows"' in ok.content.decode()
    bad = client.get(reverse("workbench:reform"), {"department": "", "share": "20"})
    assert bad.status_code == 400 and "department" in bad.content.decode()
    client.force_login(fx.clerk)
    assert client.get(reverse("workbench:reform")).status_code == 404
