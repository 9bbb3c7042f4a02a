"""The hall in a browser, with the 东兴市 sample: an applicant books a half-day at the township centre on
a phone and cancels it; a window clerk takes numbers at the kiosk and calls them while the hall's
screen follows (htmx polling); the public hall page on a phone with today's queue and the hour-of-day
chart. Screenshots of the hall page on a phone and of the calling page go to the screenshot directory
(shown in the README), with the booking slip and the hall screen."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from onewindow.hall.models import Appointment, AppointmentState, Ticket, TicketState

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-pass-2026"
ITEM = "114506810076010522-200060000000-00"  # 就业创业证申领: delegated to the townships


@pytest.fixture
def hall_site(browser, transactional_db, live_server, settings, tmp_path):
    from onewindow.calendar.services import seed_official_calendar
    from onewindow.catalog.sample import load_sample_catalog
    from onewindow.hall.sample import load_sample_halls
    from onewindow.orgs.sample import ensure_demo_accounts, load_sample_orgs

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.NOTIFY_LOG_FILE = tmp_path / "sms-outbox.log"
    seed_official_calendar()
    load_sample_orgs()
    load_sample_catalog()
    ensure_demo_accounts(password=PASSWORD)
    load_sample_halls()
    return live_server.url


def _fits(page, width: int = 390) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def _sign_in(page, base: str, username: str, *, staff: bool = False) -> None:
    page.goto(base + ("/staff/login/" if staff else "/account/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def _booked_now():
    return Appointment.objects.filter(applicant__user__username="zhangsan", day__gte=timezone.localdate())


def test_an_applicant_books_near_home_on_a_phone_and_cancels(hall_site, phone, screenshot_dir, settings):
    page, base = phone, hall_site
    _sign_in(page, base, "zhangsan")
    page.goto(base + f"/items/{ITEM}/")
    assert "江平镇便民服务中心" in page.locator("#where").inner_text()  # where it can be handled
    page.get_by_role("link", name="预约到大厅办理").click()
    page.wait_for_url(f"**/appointments/book/{ITEM}/")
    page.get_by_role("link", name=re.compile("江平镇便民服务中心")).click()
    page.wait_for_url("**?centre=JPZ01")
    page.get_by_role("button", name="确认预约").click()  # no half-day chosen: told so, nothing booked
    assert "请选择一个预约时段" in page.locator("#slot-errors").inner_text()
    assert not _booked_now().exists()
    page.locator("label.slot:not(.slot-off)").first.click()
    page.get_by_role("button", name="确认预约").click()
    page.wait_for_url(re.compile(r".*/my/appointments/[0-9A-Z]{8}/$"))
    appointment = _booked_now().get()
    assert appointment.centre.code == "JPZ01" and appointment.state == AppointmentState.BOOKED
    slip = page.locator("main").inner_text()
    assert appointment.code in slip and "江平镇便民服务中心" in slip and page.locator("svg.qr").is_visible()
    assert appointment.code in settings.NOTIFY_LOG_FILE.read_text()  # the text message with the code
    page.screenshot(path=str(screenshot_dir / "hall-booking-phone.png"), full_page=True)
    _fits(page)

    page.fill("#id_reason", "改天再来")
    page.get_by_role("button", name="取消预约").click()
    page.wait_for_url("**/my/appointments/")
    assert "已取消" in page.locator(".messages").inner_text()
    assert "没有待办理的预约" in page.locator("main").inner_text()
    assert Appointment.objects.get(pk=appointment.pk).state == AppointmentState.CANCELLED
    _fits(page)


def test_a_window_calls_numbers_taken_at_the_kiosk_and_the_screen_follows(hall_site, browser, screenshot_dir):
    base = hall_site
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        _sign_in(page, base, "clerk", staff=True)
        for _i in range(3):
            page.goto(base + "/staff/hall/kiosk/")
            page.get_by_role("button", name=re.compile("综合受理")).click()
            page.wait_for_url("**/staff/hall/kiosk/tickets/*/")
        assert "前面还有 2 人" in page.locator("main").inner_text()
        taken = list(Ticket.objects.filter(state=TicketState.WAITING).order_by("id").values_list("display",
                                                                                                    flat=True))
        screen = context.new_page()
        screen.set_viewport_size({"width": 1280, "height": 720})
        screen.goto(base + "/hall/DX01/screen/")

        page.goto(base + "/staff/hall/")
        page.get_by_role("link", name=re.compile("^1 号窗口")).click()
        page.get_by_role("button", name="叫号").click()  # swapped in place (htmx)
        page.wait_for_selector(f".current-number:text('{taken[0]}')")
        page.get_by_role("button", name="重呼").click()
        page.get_by_role("button", name="办结并叫下一位").click()
        page.wait_for_selector(f".current-number:text('{taken[1]}')")
        screen.wait_for_selector(f".screen-latest:has-text('{taken[1]}')", timeout=10_000)  # polled every 3 s
        assert "1 号窗口" in screen.locator(".screen-latest").inner_text()
        page.screenshot(path=str(screenshot_dir / "hall-calling.png"), full_page=True)
        screen.screenshot(path=str(screenshot_dir / "hall-screen.png"))
        states = dict(Ticket.objects.filter(display__in=taken[:2], day=timezone.localdate())
                      .values_list("display", "state"))
        assert states == {taken[0]: TicketState.DONE, taken[1]: TicketState.CALLED}
    finally:
        context.close()


def test_the_hall_page_on_a_phone_shows_the_queue_and_the_quiet_hours(hall_site, phone, screenshot_dir):
    from onewindow.hall import services
    from onewindow.orgs.models import ServiceCentre, User, Window

    centre = ServiceCentre.objects.get(code="DX01")
    clerk = User.objects.get(username="clerk")
    for _i in range(7):
        services.take_ticket(centre=centre, category=centre.hall.categories.get(letter="A"), issued_by=clerk)
    services.take_ticket(centre=centre, category=centre.hall.categories.get(letter="B"), issued_by=clerk)
    for number in ("1", "2"):
        services.call_next(window=Window.objects.get(centre=centre, number=number), clerk=clerk)
    page, base = phone, hall_site
    page.goto(base + "/")
    page.get_by_role("link", name=re.compile("先看各中心现在排队多少人")).click()
    page.get_by_role("link", name=re.compile("东兴市政务服务中心")).click()
    page.wait_for_url("**/hall/DX01/")
    live = page.locator("#hall-live").inner_text()
    assert "综合受理" in live and "5" in live and "分钟" in live and "2 个窗口在办" in live
    assert page.locator("svg.chart rect").count() > 8  # the hour-of-day bars
    page.screenshot(path=str(screenshot_dir / "hall-phone.png"), full_page=True)
    _fits(page)
