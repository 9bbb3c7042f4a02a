"""The complaint centre in a browser, with the 东兴市 sample: the operator types a hotline complaint, the
three likely units appear as it is typed (htmx), the order is registered and dispatched to the first;
the unit signs and replies from its queue; the complainant looks it up on a phone and rates the reply,
an unsatisfied rating reopening the order once. Screenshots go to the screenshot directory."""

from __future__ import annotations

import pytest

from onewindow.complaints.models import WorkOrder

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-pass-2026"


@pytest.fixture
def centre_site(browser, transactional_db, live_server, settings, tmp_path):
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.complaints import dispatch, sample
    from onewindow.orgs.sample import ensure_demo_accounts, load_sample_orgs

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFY_LOG_FILE = tmp_path / "sms-outbox.log"
    seed_official_calendar()
    load_sample_orgs()
    ensure_demo_accounts(password=PASSWORD)
    dispatch._loaded = None
    dispatch.learn(list(sample.orders(1500)))
    return live_server.url


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/staff/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_register_dispatch_sign_reply_and_rate(centre_site, browser, phone, screenshot_dir):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    _sign_in(page, centre_site, "supervisor")
    page.goto(centre_site + "/staff/complaints/new/")
    page.fill("#id_text", "来电人反映，在市场监管局窗口办理食品经营许可，超市卖过期食品的投诉也没人管，窗口工作人员态度生硬")
    page.select_option("#id_subkind", "rudeness")
    page.fill("#id_complainant_name", "陈先生")
    page.fill("#id_complainant_phone", "13877009999")
    page.wait_for_selector("#dispatch-suggestions input[name=department_id]:checked")
    assert page.locator("#dispatch-suggestions label.suggestion").count() == 3
    page.screenshot(path=str(screenshot_dir / "complaints-register.png"), full_page=True)
    page.get_by_role("button", name="登记并派单").click()
    page.wait_for_load_state()
    order = WorkOrder.objects.get()
    assert order.state == "dispatched" and order.department is not None

    unit = order.department.code.removeprefix("dx-")
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    _sign_in(staff, centre_site, "approver.scj" if unit == "scjg" else f"approver.{unit}")
    staff.goto(centre_site + "/staff/complaints/queue/")
    assert "陈先生" in staff.content()
    staff.goto(centre_site + f"/staff/complaints/{order.number}/")
    staff.locator("#action-sign button[type=submit]").click()
    staff.wait_for_load_state()
    staff.fill("#id_reply-reply", "经调阅监控，窗口人员态度生硬属实，已批评教育并当面致歉")
    staff.select_option("#id_reply-substantiated", "yes")
    staff.locator("#action-reply button[type=submit]").click()
    staff.wait_for_load_state()
    order.refresh_from_db()
    assert order.state == "replied" and order.substantiated is True

    phone.goto(centre_site + f"/complaints/track/?number={order.number}&code={order.query_code}")
    assert "已批评教育" in phone.content()
    phone.get_by_label("不满意").check()
    phone.get_by_role("button", name="提交评价").click()
    phone.wait_for_load_state()
    assert "重新办理" in phone.content()
    phone.screenshot(path=str(screenshot_dir / "complaints-track-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    order.refresh_from_db()
    assert order.state == "handling" and order.reopened_at is not None
    context.close()
