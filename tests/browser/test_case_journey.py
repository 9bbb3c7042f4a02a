"""One case end to end in a real browser: an applicant applies on the public site, a window clerk
accepts it, two departments approve in parallel, the certificate is issued and verifiable, and the
applicant's progress page shows the case concluded. Screenshots of the intake screen and the progress
page go to docs/screenshots/ (shown in the README)."""

import re

import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def journey_world(browser, transactional_db, live_server, settings):
    """The world of tests.workbench.world on a live server (a sample item reviewed by two departments)."""
    from onewindow.calendar.services import seed_official_calendar
    from tests.workbench.world import make_world

    seed_official_calendar()  # as `onewindow init` does: 2026 is an official year, not provisional
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = live_server.url
    return make_world()


class Person:
    """One signed-in person in their own browser context."""

    def __init__(self, browser, base: str, username: str | None, *, applicant: bool = False):
        self.context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        self.context.set_default_timeout(15_000)
        self.page = self.context.new_page()
        self.base = base
        if username:  # applicants sign in on the public site, staff at the staff entrance
            self.page.goto(base + ("/account/login/" if applicant else "/staff/login/"))
            self.page.fill("#id_username", username)
            self.page.fill("#id_password", TEST_PASSWORD)
            self.page.get_by_role("button", name="登录").click()
            self.page.wait_for_load_state()

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def close(self):
        self.context.close()


def _open(page, action: str):
    """Unfold an action's form (the first one is unfolded already)."""
    page.eval_on_selector(f"#action-{action}", "details => { details.open = true; }")


def _approve(person: Person, number: str, screenshot=None):
    page = person.go("/staff/inbox/")
    page.get_by_role("link", name=number).click()
    page.wait_for_url(re.compile(rf".*/staff/cases/{re.escape(number)}/$"))
    # the forms are the registry's offer to this approver: their one task is named by a hidden input
    offered = page.eval_on_selector_all("details[id^=action-]", "els => els.map(e => e.id)")
    assert offered[:3] == ["action-approve", "action-deny", "action-request_supplement"], offered
    assert page.locator("#action-approve input[type=hidden][name=approve-task_id]").count() == 1
    for name in offered:
        _open(page, name.removeprefix("action-"))
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=True)
    page.fill("#id_approve-opinion", "符合条件，同意")
    page.locator("#action-approve").get_by_role("button", name="审批通过").click()
    page.wait_for_load_state()
    assert "已审批通过" in page.locator(".messages").inner_text()


def test_one_case_from_the_public_site_through_two_departments_to_the_certificate(
    journey_world, live_server, browser, screenshot_dir, tmp_path
):
    w = journey_world
    base = live_server.url
    people = []
    try:
        # 1. The applicant signs in (lands on "my cases") and applies online.
        applicant = Person(browser, base, "zhangsan", applicant=True)
        people.append(applicant)
        assert applicant.page.url.endswith("/my/cases/")
        page = applicant.go(f"/apply/{w.item.code}/")
        for key in ("form", "id_card", "lease"):
            page.check(f"#id_provided_{w.materials[key].pk}")
        page.get_by_role("button", name="提交申请").click()
        page.wait_for_url(re.compile(r".*/my/cases/DX01-\d{8}-\d{4}/$"))
        number = page.url.rstrip("/").rsplit("/", 1)[-1]
        code = page.locator(".query-code").inner_text().strip()
        assert "等待窗口工作人员审核受理" in page.content()

        # 2. The window clerk: the intake screen (screenshot with an item chosen), then accepts the case.
        clerk = Person(browser, base, "clerk")
        people.append(clerk)
        page = clerk.go("/staff/intake/")
        page.locator("#item-q").press_sequentially("spjy", delay=30)
        page.locator("#picker-results a").first.click()
        page.locator("#checklist table.checklist").wait_for()
        page.fill("#id_applicant_id_number", w.applicant.id_number)
        page.locator("#applicant-found .badge").wait_for()
        assert "营业执照" in page.locator("#checklist").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=str(screenshot_dir / "intake.png"), full_page=True)

        page = clerk.go(f"/staff/cases/{number}/")
        _open(page, "accept")
        page.locator("#action-accept").get_by_role("button", name="受理").click()
        page.wait_for_load_state()
        assert "已受理" in page.locator(".messages").inner_text()
        assert "审批中" in page.content()

        # 3. Two departments approve in parallel, each from its own inbox.
        for username in ("approver.scj", "approver.xfj"):
            approver = Person(browser, base, username)
            people.append(approver)
            _approve(approver, number, screenshot_dir / "case-actions.png" if username == "approver.scj" else None)

        # 4. Approved: the clerk hands over the certificate at the window.
        page = clerk.go(f"/staff/cases/{number}/")
        certificate = page.locator("a[href*='/certificates/']").first.inner_text().strip()
        _open(page, "conclude")
        page.select_option("#id_conclude-delivery_method", "pickup")
        page.locator("#action-conclude").get_by_role("button", name="办结送达").click()
        page.wait_for_load_state()
        assert "已办结" in page.locator(".messages").inner_text()

        # 5. Anyone verifies the certificate.
        public = Person(browser, base, None)
        people.append(public)
        page = public.go("/certificates/verify/")
        page.fill("#cert-number", certificate)
        page.get_by_role("button", name="核验").click()
        page.wait_for_url(re.compile(r".*/certificates/.+/$"))
        assert "真实有效" in page.content()

        # 6. The progress page, with the number and query code only: concluded, both departments done.
        page = public.go(f"/track/?number={number}&code={code}")
        text = page.locator("main").inner_text()
        assert "已办结" in text and certificate in text
        assert "东兴市市场监督管理局" in text and "东兴市消防救援大队" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        page.screenshot(path=str(screenshot_dir / "progress.png"), full_page=True)

        # 7. On a phone (390 px) the progress page and the clerk's case page fit without sideways scrolling.
        for person, path in (
            (public, f"/track/?number={number}&code={code}"),
            (clerk, f"/staff/cases/{number}/"),
        ):
            person.page.set_viewport_size(PHONE)
            page = person.go(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
            page.screenshot(path=str(tmp_path / f"phone-{len(path)}.png"), full_page=True)
    finally:
        for person in people:
            person.close()
