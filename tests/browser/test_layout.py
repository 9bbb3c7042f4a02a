"""Layout at the two widths people use: at 1280 px a staff table keeps every case number and date on one
line (measured: the cell's text is one line box, no taller than its line height); at 390 px the public
top navigation shows every entry, 办件查询 included, inside the screen and clickable, without a script.
A staff page that does not exist answers in the workbench frame. Screenshots go to the screenshot
directory to be looked at."""

import re

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser]

# 工作人员入口 sits in the account area beside 登录/注册 (hidden on a phone: staff work at a desk).
NAV_ENTRIES = ["首页", "办事指南", "一件事", "部门", "公告", "改革成效", "办件查询"]

# The number of line boxes of an element's own leading text (a cell may have a second line of its own,
# e.g. the channel under the submission time) and its height against its line height.
LINES = """el => {
  const range = document.createRange();
  const text = el.firstChild && el.firstChild.nodeType === Node.TEXT_NODE ? el.firstChild : el;
  range.selectNodeContents(text);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  const style = getComputedStyle(el);
  const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.6;
  return {lines: tops.size, height: range.getBoundingClientRect().height, line: line};
}"""


@pytest.fixture
def busy_world(browser, transactional_db, live_server, settings):
    """The workbench world with a handful of accepted cases of a long-named item."""
    from onewindow.calendar.services import seed_official_calendar
    from tests.workbench.cases import accepted_case
    from tests.workbench.world import make_world

    seed_official_calendar()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = make_world()
    w.item.name = "食品经营许可（新办，含网络经营、中央厨房、集体用餐配送单位及学校食堂）"
    w.item.save(update_fields=["name"])
    cases = [accepted_case(w) for _ in range(4)]
    return w, cases


def _sign_in(page, base: str, username: str):
    page.goto(base + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _assert_one_line(page, selector: str, what: str) -> int:
    cells = page.locator(selector)
    count = cells.count()
    assert count, f"no {what} on the page"
    for i in range(count):
        measured = cells.nth(i).evaluate(LINES)
        assert measured["lines"] == 1, f"{what} #{i} wraps onto {measured['lines']} lines"
        assert measured["height"] <= measured["line"] * 1.2, f"{what} #{i} is {measured} tall"
    return count


def test_case_numbers_and_dates_stay_on_one_line_in_staff_tables_at_1280(busy_world, live_server, desktop,
                                                                        screenshot_dir):
    w, cases = busy_world
    _sign_in(desktop, live_server.url, w.clerk.username)
    desktop.goto(live_server.url + "/staff/cases/")
    assert _assert_one_line(desktop, "table.stack-table tbody td:nth-child(1) a", "case number") == len(cases)
    _assert_one_line(desktop, "table.stack-table tbody td:nth-child(4)", "submission time")
    _assert_one_line(desktop, "table.stack-table tbody td:nth-child(6)", "due date")
    desktop.screenshot(path=str(screenshot_dir / "case-list.png"), full_page=True)

    desktop.context.clear_cookies()
    _sign_in(desktop, live_server.url, w.approver_a.username)
    desktop.goto(live_server.url + "/staff/inbox/")
    _assert_one_line(desktop, "table.stack-table tbody td:nth-child(1) a", "case number in the inbox")
    _assert_one_line(desktop, "table.stack-table tbody td:nth-child(4)", "step due date")


def test_a_too_wide_staff_table_scrolls_sideways_instead_of_breaking_numbers(busy_world, live_server, browser):
    w, _cases = busy_world
    context = browser.new_context(viewport={"width": 700, "height": 900}, locale="zh-CN")
    page = context.new_page()
    try:
        _sign_in(page, live_server.url, w.clerk.username)
        page.goto(live_server.url + "/staff/cases/")
        _assert_one_line(page, "table.stack-table tbody td:nth-child(1) a", "case number at 700 px")
        wrap = page.locator(".table-wrap").first
        assert wrap.evaluate("el => getComputedStyle(el).overflowX") == "auto"
        assert wrap.evaluate("el => el.scrollWidth >= el.clientWidth")
    finally:
        context.close()


def test_every_top_navigation_entry_is_on_a_390_px_phone_screen_and_track_is_clickable(
    sample_site, phone, screenshot_dir
):
    phone.goto(sample_site + "/")
    nav = phone.locator("nav.main-nav")
    width = phone.viewport_size["width"]
    for name in NAV_ENTRIES:
        link = nav.get_by_role("link", name=name, exact=True)
        assert link.is_visible(), name
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{name} is outside the screen: {box}"
    assert nav.evaluate("el => el.scrollWidth <= el.clientWidth"), "the navigation scrolls sideways"
    phone.screenshot(path=str(screenshot_dir / "home-phone.png"), full_page=False)
    nav.get_by_role("link", name="办件查询", exact=True).click()
    phone.wait_for_url(re.compile(r".*/track/$"))
    assert phone.get_by_role("heading", name="办件查询").is_visible()


def test_a_missing_staff_page_answers_in_the_workbench_frame(busy_world, live_server, desktop, screenshot_dir):
    w, _cases = busy_world
    _sign_in(desktop, live_server.url, w.clerk.username)
    response = desktop.goto(live_server.url + "/staff/cases/DX01-20990101-9999/")
    assert response.status == 404
    assert desktop.get_by_role("heading", name="该页面不存在或您无权访问").is_visible()
    desktop.screenshot(path=str(screenshot_dir / "staff-404.png"), full_page=True)
    desktop.get_by_role("link", name="返回工作台首页").click()
    desktop.wait_for_url(re.compile(r".*/staff/$"))
