"""The applicant's account on the public site: its own sign-in (lockout and per-address cap as at the
staff door, `next` only within the site, staff sent to the workbench), registration with the phone code
(read where the `log` backend writes it), sign-out on every page, idle sessions ended, and withdrawing
one's own application."""

from __future__ import annotations

import re
import stat
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from onewindow.cases.models import Case
from onewindow.cases.states import CaseState
from onewindow.orgs import identity
from onewindow.orgs.models import Applicant, PhoneConfirmation, User
from onewindow.portal import account_session
from tests.cases.factories import build_world, submit_online
from tests.factories import TEST_PASSWORD, ApplicantFactory, make_applicant_user, make_staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("portal_account:login")
REGISTER = reverse("portal_account:register")
CONFIRM = reverse("portal_account:confirm")
RESEND = reverse("portal_account:resend")
MY_CASES = reverse("portal_cases:my_cases")
PERSON_ID = identity.generate_resident_id(region="450681", birth_date=date(1992, 7, 8), sequence=235)
PASSWORD = "Bian-mao-2026"


@pytest.fixture(autouse=True)
def _clean_cache(settings, tmp_path):
    # Lockout counters and throttles live in the cache; text messages go to this test's own file.
    cache.clear()
    settings.NOTIFY_LOG_FILE = tmp_path / "sms-outbox.log"
    yield
    cache.clear()


def sms_codes(settings) -> list[tuple[str, str]]:
    """(masked phone, code) of every text message the `log` backend wrote."""
    text = settings.NOTIFY_LOG_FILE.read_text() if settings.NOTIFY_LOG_FILE.exists() else ""
    return re.findall(r" (\d{3}\*{4}\d{4}) .*?验证码 (\d{6})", text)


def sign_in(client: Client, login: str, password: str = TEST_PASSWORD, *, next_url: str = "", ip: str = "10.1.0.1"):
    return client.post(LOGIN, {"username": login, "password": password, "next": next_url}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def registration_data(**overrides) -> dict:
    data = {"kind": "person", "name": "韦小宝", "id_number": PERSON_ID, "phone": "13977001234",
            "username": "weixiaobao", "password": PASSWORD, "password_again": PASSWORD}
    data.update(overrides)
    return data


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Applicant.objects.count(), PhoneConfirmation.objects.count()


# --- sign-in ----------------------------------------------------------------------------------------


def test_the_applicant_sign_in_is_its_own_page_apart_from_the_staff_entrance(client):
    body = client.get(LOGIN).content.decode()
    assert "申请人登录" in body and "用户名或证件号码" in body
    assert f'href="{REGISTER}"' in body and f'href="{reverse("workbench:login")}"' in body
    # Every public page offers it in the header to anonymous visitors.
    header = client.get(reverse("portal_cases:track")).content.decode()
    assert f'href="{LOGIN}"' in header and f'href="{REGISTER}"' in header


def test_an_applicant_signs_in_with_the_user_name_or_the_identity_number(client):
    user = make_applicant_user(username="zhangsan")
    response = sign_in(client, "zhangsan")
    assert response.status_code == 302 and response["Location"] == MY_CASES
    client.post(reverse("portal_account:logout"))
    response = sign_in(client, user.applicant.id_number.lower())
    assert response.status_code == 302 and signed_in(client)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_wrong_password_is_refused_on_the_page(client):
    make_applicant_user(username="zhangsan")
    response = sign_in(client, "zhangsan", "wrong-password")
    assert response.status_code == 200 and not signed_in(client)
    assert "请输入一个正确的" in response.content.decode() or "正确的用户名和密码" in response.content.decode()


@pytest.mark.parametrize("target, lands", [
    ("/my/notifications/", "/my/notifications/"),
    ("https://evil.example/steal", MY_CASES),
    ("//evil.example/steal", MY_CASES),
    ("javascript:alert(1)", MY_CASES),
])
def test_next_is_followed_only_within_the_site(client, target, lands):
    make_applicant_user(username="zhangsan")
    response = sign_in(client, "zhangsan", next_url=target)
    assert response.status_code == 302 and response["Location"] == lands


@pytest.mark.parametrize("target, lands", [("", "/staff/"), ("/my/cases/", "/staff/"), ("/staff/inbox/", "/staff/inbox/")])
def test_a_staff_account_signing_in_there_goes_to_the_workbench(client, target, lands):
    make_staff("window_clerk", username="clerk")
    response = sign_in(client, "clerk", next_url=target)
    assert response.status_code == 302 and response["Location"] == lands


def test_an_applicant_at_the_staff_entrance_is_told_where_to_go(client):
    make_applicant_user(username="zhangsan")
    response = client.post(reverse("workbench:login"), {"username": "zhangsan", "password": TEST_PASSWORD})
    body = response.content.decode()
    assert response.status_code == 200 and not signed_in(client)
    assert "这是工作人员入口" in body and f'href="{LOGIN}"' in body


def test_repeated_failures_lock_the_account_at_the_applicant_sign_in_whichever_name_is_typed(client):
    user = make_applicant_user(username="zhangsan")
    for login in ("zhangsan", user.applicant.id_number, "zhangsan", user.applicant.id_number):
        assert sign_in(client, login, "wrong-password").status_code == 200
    fifth = sign_in(client, "zhangsan", "wrong-password")
    assert fifth.status_code == 429
    locked = sign_in(client, user.applicant.id_number, TEST_PASSWORD)
    body = locked.content.decode()
    assert locked.status_code == 429 and not signed_in(client)
    assert "申请人登录" in body and "正确的密码也无法登录" in body  # the applicant page, with the reason
    # Another address is not locked out by it.
    other = Client()
    assert sign_in(other, "zhangsan", ip="10.1.0.99").status_code == 302


def test_sign_in_attempts_are_capped_per_address(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "login": "3/10m"}
    for n in range(3):
        sign_in(client, f"nobody{n}", "wrong-password")
    response = sign_in(client, "nobody9", "wrong-password")
    assert response.status_code == 429 and "申请人登录" in response.content.decode()
    assert int(response["Retry-After"]) > 0


# --- sign-out and the session ------------------------------------------------------------------------


def test_every_page_shows_who_is_signed_in_and_a_sign_out_button(client):
    user = make_applicant_user(username="zhangsan")
    sign_in(client, "zhangsan")
    for url in ("/", reverse("portal:item_list"), reverse("portal_cases:track"), MY_CASES,
                reverse("portal_cases:my_notifications")):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert f'id="signed-in-as" title="{user.display_name}"' in body, url
        assert re.search(r'<form method="post" action="/account/logout/" class="account-form">'
                         r'<input type="hidden" name="csrfmiddlewaretoken"', body), url
        assert response["Cache-Control"] == "private, no-store", url


def test_sign_out_is_a_post_and_leaves_nothing_signed_in(client):
    make_applicant_user(username="zhangsan")
    sign_in(client, "zhangsan")
    assert client.get(reverse("portal_account:logout")).status_code == 405  # a link cannot sign anyone out
    assert signed_in(client)
    response = client.post(reverse("portal_account:logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN and not signed_in(client)
    assert "您已退出登录" in client.get(LOGIN).content.decode()
    again = client.get(MY_CASES)  # the back button reloads (no-store): the sign-in page, not the cases
    assert again.status_code == 302 and again["Location"].startswith(f"{LOGIN}?next=")


def test_sign_out_needs_the_pages_csrf_token():
    make_applicant_user(username="zhangsan")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(User.objects.get(username="zhangsan"))
    assert strict.post(reverse("portal_account:logout")).status_code == 403
    assert "_auth_user_id" in strict.session


def test_an_idle_applicant_is_signed_out_and_staff_keep_their_working_day(client, settings):
    settings.APPLICANT_IDLE_MINUTES = 30
    make_applicant_user(username="zhangsan")
    sign_in(client, "zhangsan")
    assert client.get(MY_CASES).status_code == 200
    session = client.session
    session[account_session.LAST_SEEN] -= 29 * 60  # 29 minutes ago: still signed in, and noted again
    session.save()
    assert client.get(MY_CASES).status_code == 200
    session = client.session
    session[account_session.LAST_SEEN] -= 31 * 60
    session.save()
    response = client.get(MY_CASES)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN) and not signed_in(client)
    assert "自动退出登录" in client.get(LOGIN).content.decode()

    staff = Client()
    make_staff("window_clerk", username="clerk")
    staff.post(reverse("workbench:login"), {"username": "clerk", "password": TEST_PASSWORD})
    assert account_session.LAST_SEEN not in staff.session  # staff sessions follow ONEWINDOW_SESSION_HOURS


# --- registration ------------------------------------------------------------------------------------


def test_a_person_registers_confirms_the_phone_and_signs_in(client, settings):
    body = client.get(REGISTER).content.decode()
    assert "居民身份证号码" in body and "法定代表人" not in body
    response = client.post(REGISTER, registration_data())
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert not User.objects.filter(username="weixiaobao").exists()
    page = client.get(CONFIRM).content.decode()
    assert "139****1234" in page and "13977001234" not in page
    [(masked, code)] = sms_codes(settings)
    assert masked == "139****1234" and code not in page  # never shown on the page
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 302 and response["Location"] == f"{LOGIN}?username=weixiaobao"
    assert 'value="weixiaobao"' in client.get(response["Location"]).content.decode()
    assert sign_in(client, "weixiaobao", PASSWORD).status_code == 302
    assert User.objects.get(username="weixiaobao").applicant.id_number == PERSON_ID


def test_the_enterprise_form_asks_for_the_credit_code_and_legal_representative(client):
    body = client.get(REGISTER, {"kind": "enterprise"}).content.decode()
    assert "统一社会信用代码" in body and "法定代表人姓名" in body and "企业（组织）名称" in body


@pytest.mark.parametrize("overrides, field, words, status", [
    ({"id_number": PERSON_ID[:17] + ("1" if PERSON_ID[17] != "1" else "2")}, "id_number", "校验位错误", 400),
    ({"id_number": "450681199213084571"}, "id_number", "出生日期 1992-13-08 不存在", 400),
    ({"password": "12345678", "password_again": "12345678"}, "password", "密码不符合要求", 400),
    ({"password_again": "something-else"}, "password_again", "两次输入的密码不一致", 400),
    ({"phone": "1234"}, "phone", "11 位", 400),
    ({"kind": "enterprise", "id_number": PERSON_ID, "legal_representative": "黄海"}, "id_number",
     "统一社会信用代码", 400),
])
def test_bad_registrations_show_the_reason_beside_the_field_and_store_nothing(client, settings, overrides, field,
                                                                              words, status):
    before = counts()
    response = client.post(REGISTER, registration_data(**overrides))
    assert response.status_code == status
    errors = re.search(rf'id="{field}-errors">(.*?)</ul>', response.content.decode(), re.S)
    assert errors and words in errors.group(1)
    assert counts() == before and sms_codes(settings) == []


def test_a_number_that_has_an_account_is_refused_without_saying_whose(client, settings):
    owner = make_applicant_user(username="the-owner")
    response = client.post(REGISTER, registration_data(id_number=owner.applicant.id_number))
    body = response.content.decode()
    assert response.status_code == 409 and "已注册网上账号" in body
    assert owner.applicant.name not in body and "the-owner" not in body
    assert sms_codes(settings) == []


def test_a_window_record_without_a_phone_tells_the_applicant_to_go_to_a_window(client, settings):
    ApplicantFactory(id_number=PERSON_ID, phone="")
    before = counts()
    response = client.post(REGISTER, registration_data())
    assert response.status_code == 409 and "到任一综合受理窗口登记手机号码" in response.content.decode()
    assert counts() == before


def test_a_window_record_gets_its_code_on_the_phone_on_record(client, settings):
    record = ApplicantFactory(id_number=PERSON_ID, phone="13600001111", name="韦小宝")
    client.post(REGISTER, registration_data())
    page = client.get(CONFIRM).content.decode()
    assert "窗口登记的手机号码 136****1111" in page
    [(masked, code)] = sms_codes(settings)
    assert masked == "136****1111"
    client.post(CONFIRM, {"code": code})
    record.refresh_from_db()
    assert record.user.username == "weixiaobao"


def test_wrong_expired_and_exhausted_codes_are_refused_and_open_no_account(client, settings):
    client.post(REGISTER, registration_data())
    [(_masked, code)] = sms_codes(settings)
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(CONFIRM, {"code": wrong})
    assert response.status_code == 400 and "验证码不正确，还可以再试 4 次" in response.content.decode()
    PhoneConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 400 and "验证码已过期" in response.content.decode()
    PhoneConfirmation.objects.update(expires_at=timezone.now() + timedelta(minutes=5), attempts=5)
    response = client.post(CONFIRM, {"code": code})
    assert response.status_code == 409 and "错误次数过多" in response.content.decode()
    assert not User.objects.filter(username="weixiaobao").exists()


def test_a_new_code_is_sent_after_a_minute_and_the_old_one_stops_working(client, settings):
    client.post(REGISTER, registration_data())
    response = client.post(RESEND, follow=True)
    assert "秒后再重新获取验证码" in response.content.decode() and len(sms_codes(settings)) == 1
    PhoneConfirmation.objects.update(code_sent_at=timezone.now() - timedelta(seconds=61))
    response = client.post(RESEND, follow=True)
    assert "新的验证码已发送至 139****1234" in response.content.decode()
    (_m, old), (_m2, new) = sms_codes(settings)
    if old != new:
        assert client.post(CONFIRM, {"code": old}).status_code == 400
    assert client.post(CONFIRM, {"code": new}).status_code == 302


def test_the_confirmation_page_without_a_pending_registration_goes_back_to_the_form(client):
    response = client.get(CONFIRM)
    assert response.status_code == 302 and response["Location"] == REGISTER
    assert client.post(RESEND).status_code == 302
    assert client.post(CONFIRM, {"code": "123456"})["Location"] == REGISTER


def test_registrations_are_capped_per_address(client, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "register": "2/h"}
    for _ in range(2):
        client.post(REGISTER, registration_data(phone="12"))  # refused, but counted
    response = client.post(REGISTER, registration_data())
    assert response.status_code == 429 and PhoneConfirmation.objects.count() == 0


def test_the_log_backend_writes_codes_with_the_phone_masked_for_its_owner_only(client, settings):
    client.post(REGISTER, registration_data())
    text = settings.NOTIFY_LOG_FILE.read_text()
    assert "139****1234" in text and "13977001234" not in text and "验证码" in text
    assert stat.S_IMODE(settings.NOTIFY_LOG_FILE.stat().st_mode) == 0o600
    assert code_hash_is_not_the_code(sms_codes(settings)[0][1])


def code_hash_is_not_the_code(code: str) -> bool:
    return code not in PhoneConfirmation.objects.get().code_hash


# --- withdrawing one's own application -----------------------------------------------------------------


@pytest.fixture
def world(db):
    from onewindow.calendar.services import seed_official_calendar

    seed_official_calendar()
    return build_world()


def test_an_applicant_withdraws_their_application_after_confirming_with_a_reason(client, world):
    case = submit_online(world)
    client.force_login(world.applicant_user)
    my_case = client.get(reverse("portal_cases:my_case", args=[case.number])).content.decode()
    url = reverse("portal_cases:withdraw", args=[case.number])
    assert f'href="{url}"' in my_case
    assert "撤回理由" in client.get(url).content.decode()
    response = client.post(url, {"reason": " "})
    assert response.status_code == 400 and "撤回申请须写明理由" in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
    response = client.post(url, {"reason": "已在其他地方办理"})
    assert response.status_code == 302 and response["Location"] == reverse("portal_cases:my_case", args=[case.number])
    case.refresh_from_db()
    assert case.state == CaseState.WITHDRAWN and case.decision_reason == "已在其他地方办理"
    page = client.get(reverse("portal_cases:my_case", args=[case.number])).content.decode()
    assert "已撤回" in page and f'href="{url}"' not in page  # no second withdrawal offered
    again = client.post(url, {"reason": "再撤一次"})
    assert again.status_code == 409 and "不能撤回" in again.content.decode()


def test_someone_elses_case_cannot_be_withdrawn_nor_seen(client, world):
    case = submit_online(world)
    client.force_login(world.stranger_user)
    url = reverse("portal_cases:withdraw", args=[case.number])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "恶作剧"}).status_code == 404
    assert client.post(reverse("portal_cases:withdraw", args=["DX01-20990101-9999"]), {"reason": "x"}).status_code == 404
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED


def test_withdrawal_is_for_signed_in_applicants(client, world):
    case = submit_online(world)
    url = reverse("portal_cases:withdraw", args=[case.number])
    response = client.post(url, {"reason": "x"})
    assert response.status_code == 302 and response["Location"].startswith(f"{LOGIN}?next=")
    client.force_login(world.clerk)
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert Case.objects.get(pk=case.pk).state == CaseState.SUBMITTED
