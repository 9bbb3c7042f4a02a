"""An applicant's whole journey on a phone: register (the code is read where the `log` SMS backend
writes it), confirm the phone, sign in, apply online, see the case, withdraw it, sign out — and the
back button and a new visit show the sign-in page, not the case. Screenshots of the registration form
and the withdrawn case on the phone go to the screenshot directory (shown in the README)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from onewindow.cases.models import Case
from onewindow.cases.states import CaseState
from onewindow.orgs import identity

pytestmark = [pytest.mark.browser]

ID_NUMBER = identity.generate_resident_id(region="450681", birth_date=date(1991, 4, 23), sequence=88)
PASSWORD = "Dong-xing-2026"


@pytest.fixture
def world(browser, transactional_db, live_server, settings, tmp_path):
    from onewindow.calendar.services import seed_official_calendar
    from tests.workbench.world import make_world

    seed_official_calendar()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFY_LOG_FILE = tmp_path / "sms-outbox.log"
    return make_world()


def _code(settings) -> str:
    codes = re.findall(r"验证码 (\d{6})", settings.NOTIFY_LOG_FILE.read_text())
    assert codes, "no confirmation code was written by the log backend"
    return codes[-1]


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def test_register_apply_withdraw_and_sign_out_on_a_phone(world, live_server, phone, settings, screenshot_dir):
    page, base = phone, live_server.url
    page.goto(base + "/")
    header = page.locator("header").bounding_box()
    page.locator(".account").get_by_role("link", name="登录").click()  # the phone's header: sign-in only
    page.wait_for_url("**/account/login/")
    page.locator("main").get_by_role("link", name="注册").click()
    page.wait_for_url("**/account/register/")
    # brand, sign-in and language on one row, the navigation (every entry on screen) on the next two at most
    assert header["height"] < 150

    # A bad identity number first: the reason beside the field, the form kept.
    page.fill("#id_name", "黄小梅")
    page.fill("#id_id_number", ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2"))
    page.fill("#id_phone", "13977003456")
    page.fill("#id_username", "huangxm")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.get_by_role("button", name="获取验证码").click()
    assert "校验位错误" in page.locator("#id_number-errors").inner_text()
    page.screenshot(path=str(screenshot_dir / "account-register-phone.png"), full_page=True)
    _fits(page)

    page.fill("#id_id_number", ID_NUMBER)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/account/register/confirm/")
    assert "139****3456" in page.locator("main").inner_text()

    page.fill("#id_code", _code(settings))
    page.get_by_role("button", name="确认并开通账号").click()
    page.wait_for_url("**/account/login/?username=huangxm")
    assert "账号已开通" in page.locator(".messages").inner_text()
    assert page.input_value("#id_username") == "huangxm"
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/my/cases/")
    assert page.locator("#signed-in-as").inner_text() == "黄小梅"
    assert page.locator(".account").get_by_role("button", name="退出登录").is_visible()
    _fits(page)

    # Apply online, see the case, withdraw it with a reason.
    page.goto(base + f"/apply/{world.item.code}/")
    for key in ("form", "id_card", "lease"):
        page.check(f"#id_provided_{world.materials[key].pk}")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url(re.compile(r".*/my/cases/DX01-\d{8}-\d{4}/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.get_by_role("link", name="撤回申请").click()
    page.wait_for_url(f"**/my/cases/{number}/withdraw/")
    page.get_by_role("button", name="确认撤回").click()  # without a reason: refused, nothing changes
    assert "撤回申请须写明理由" in page.locator("#reason-errors").inner_text()
    assert Case.objects.get(number=number).state == CaseState.SUBMITTED
    page.fill("#id_reason", "材料准备不全，过几天重新申请")
    page.get_by_role("button", name="确认撤回").click()
    page.wait_for_url(f"**/my/cases/{number}/")
    assert "申请已撤回" in page.locator(".messages").inner_text()
    assert Case.objects.get(number=number).state == CaseState.WITHDRAWN
    assert page.get_by_role("link", name="撤回申请").count() == 0
    page.screenshot(path=str(screenshot_dir / "account-withdrawn-phone.png"), full_page=True)
    _fits(page)

    # Sign out: the back button and a new visit show the sign-in page, nothing of the case.
    page.locator(".account").get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/account/login/")
    assert "您已退出登录" in page.locator(".messages").inner_text()
    page.go_back()
    page.wait_for_load_state()
    shown = page.locator("main").inner_text()
    assert "/account/login/" in page.url and "申请人登录" in shown
    assert number not in shown and world.item.name not in shown and "黄小梅" not in page.content()
    page.goto(base + f"/my/cases/{number}/")
    shown = page.locator("main").inner_text()
    assert "/account/login/" in page.url and number not in shown and world.item.name not in shown
    assert page.locator(".account").get_by_role("link", name="登录").is_visible()


def test_the_header_shows_who_is_signed_in_on_a_hall_computer(world, live_server, desktop):
    from tests.factories import TEST_PASSWORD

    page, base = desktop, live_server.url
    page.goto(base + "/items/")
    assert page.locator(".account").get_by_role("link", name="工作人员入口").is_visible()
    assert page.locator("header").bounding_box()["height"] < 70  # one row at 1280 px
    page.goto(base + "/account/login/?next=/items/")
    page.fill("#id_username", world.applicant.id_number)  # the identity number works as the sign-in name
    page.fill("#id_password", TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/items/")
    assert page.locator("#signed-in-as").inner_text() == "张三"
    assert page.locator("header").bounding_box()["height"] < 70
