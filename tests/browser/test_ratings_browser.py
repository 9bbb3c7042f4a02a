"""Ratings in a browser, with the 东兴市 sample: a window clerk serves a number and the person at the
counter rates the visit on the window's pad (a tablet); the public rating statistics show it."""

from __future__ import annotations

import pytest

from onewindow.ratings.models import Rating

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-pass-2026"


@pytest.fixture
def site(browser, transactional_db, live_server, settings):
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.hall.sample import load_sample_halls
    from onewindow.orgs.sample import ensure_demo_accounts, load_sample_orgs

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_official_calendar()
    load_sample_orgs()
    load_sample_catalog()
    ensure_demo_accounts(password=PASSWORD)
    load_sample_halls()
    return live_server.url


def test_the_person_served_rates_the_visit_on_the_pad(site, browser):
    from onewindow.catalog.models import Item
    from onewindow.hall import services as hall_services
    from onewindow.orgs.models import ServiceCentre, User

    centre = ServiceCentre.objects.get(code="DX01")
    clerk = User.objects.get(username="clerk")
    window = centre.windows.get(number="1")
    item = Item.objects.filter(department__code="dx-scjg", status="active").first()
    ticket = hall_services.take_ticket(centre=centre, item=item)
    hall_services.open_window(window=window, clerk=clerk)
    called = hall_services.call_next(window=window, clerk=clerk)
    assert called is not None

    context = browser.new_context(viewport={"width": 1024, "height": 768}, locale="zh-CN", has_touch=True)
    page = context.new_page()
    page.goto(site + "/staff/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(site + f"/staff/ratings/pad/?window={window.pk}")
    assert called.display in page.content()
    page.locator(".rating-overall label", has_text="非常满意").click()
    page.locator("fieldset", has_text="服务态度").locator("label", has_text="非常满意").click()
    page.get_by_role("button", name="提交评价").click()
    assert page.locator("#pad-thanks").is_visible()
    rating = Rating.objects.get(subject_kind="visit", subject_id=called.pk)
    assert (rating.level, rating.attitude, rating.source, rating.rated_by_id) == (5, 5, "pad", None)
    page.goto(site + "/ratings/?period=month")
    assert "好差评公示" in page.content() and "1号窗口" in page.content()
    context.close()
    assert ticket.pk
