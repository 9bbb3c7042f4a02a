"""The efficiency office in a real browser: the supervisor opens the board from the navigation,
follows a red count to the cases behind it and urges the oldest one; the unit's approver answers the
urging from their own navigation. Screenshot: supervision-board.png (a small world; the README's is
the demo's)."""

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser]


@pytest.fixture
def late_world(browser, transactional_db, live_server, settings):
    from onewindow.calendar.services import seed_official_calendar
    from tests.cases.factories import accepted_case, at, build_world

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_official_calendar()
    world = build_world()
    world.late = accepted_case(world, now=at(2026, 9, 1, 10))
    return world, live_server.url


def _signed_in(browser, url: str, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(url + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    return context, page


def test_a_supervisor_urges_a_red_case_from_the_board_and_its_unit_answers(late_world, browser, tmp_path):
    world, url = late_world
    context, page = _signed_in(browser, url, "supervisor")
    try:
        page.get_by_role("link", name="效能监察").first.click()
        page.wait_for_load_state()
        assert page.locator('[data-light="red"]').inner_text() == "1"
        assert page.locator("svg.chart").count() == 1
        page.screenshot(path=str(tmp_path / "supervision-board.png"), full_page=True)
        page.locator('#case-lights a[href$="light=red"]').click()
        page.wait_for_load_state()
        assert world.late.number in page.content()
        page.get_by_role("link", name="督办").last.click()
        page.wait_for_load_state()
        page.fill("#id_requirement", "请于两个工作日内办结")
        page.get_by_role("button", name="发出督办").click()
        page.wait_for_load_state()
        assert "待答复" in page.locator("#urging-state").inner_text()
    finally:
        context.close()
    context, page = _signed_in(browser, url, "approver.scj")
    try:
        page.get_by_role("link", name="督办").first.click()
        page.wait_for_load_state()
        page.get_by_role("link", name=world.late.number).click()
        page.wait_for_load_state()
        page.fill("#id_answer-answer", "已审结，明日送达")
        page.get_by_role("button", name="答复督办").last.click()
        page.wait_for_load_state()
        assert "已答复" in page.locator("#urging-state").inner_text()
    finally:
        context.close()
