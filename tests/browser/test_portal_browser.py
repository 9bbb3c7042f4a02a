"""The public site in a real browser: live search by pinyin initials from the home page, the item's
one-time notice, and how it looks on a desktop and on a phone (screenshots into docs/screenshots/)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


def test_search_yyzz_from_home_opens_the_one_time_notice(sample_site, desktop, phone, screenshot_dir):
    page = desktop
    page.goto(sample_site + "/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    # Live search (htmx): typing shows suggestions without leaving the page.
    page.locator("#home-q").press_sequentially("yyzz", delay=30)
    suggestion = page.locator("#home-suggest .suggest-list a").first
    suggestion.wait_for()
    assert "/items/" in suggestion.get_attribute("href")

    # Enter submits the ordinary GET form: the full list of results.
    page.press("#home-q", "Enter")
    page.wait_for_url("**/items/?q=yyzz")
    results = page.locator("#results .result-title")
    assert results.count() >= 1
    assert any("个体工商户" in name or "公司" in name for name in results.all_inner_texts())
    page.screenshot(path=str(screenshot_dir / "catalog.png"), full_page=True)

    first_name = results.first.inner_text()
    results.first.click()
    page.wait_for_url("**/items/*/")
    assert page.locator("h1").inner_text() == first_name
    materials = page.locator("#materials table.materials tbody tr")
    assert materials.count() >= 1
    assert page.locator("#materials").get_by_text("必要材料").first.is_visible()
    assert page.get_by_role("link", name="下载 PDF").is_visible()
    page.screenshot(path=str(screenshot_dir / "notice.png"), full_page=True)

    notice_url = page.url
    phone.goto(notice_url)
    assert phone.locator("h1").inner_text() == first_name
    # Nothing wider than the phone: no sideways scrolling.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(screenshot_dir / "notice-phone.png"), full_page=True)


def test_live_search_on_the_items_page_swaps_results_and_filters(sample_site, desktop):
    page = desktop
    page.goto(sample_site + "/items/")
    total = page.locator("#results .result-count").inner_text()
    page.locator("#q").press_sequentially("jmsfz", delay=30)  # 居民身份证
    # Not wait_for_function: its string predicate runs through eval, which our CSP forbids.
    expect(page.locator("#results .result-count")).to_contain_text("jmsfz")
    names = page.locator("#results .result-title").all_inner_texts()
    assert names and all("居民身份证" in name for name in names)
    assert "q=jmsfz" in page.url  # the address keeps the search (hx-push-url)
    assert page.locator("#results .result-count").inner_text() != total
