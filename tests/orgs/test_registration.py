"""Applicants open their own account, confirmed by a code sent to their phone (orgs.registration): every
bad input is refused with the field and the reason and leaves no account behind; a number the window
registered is linked only through the phone on that record; codes expire, allow five wrong tries, are
re-sent at most once a minute and five times, and are stored only as a keyed hash."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import authenticate

from onewindow.audit.models import AuditEvent
from onewindow.core.errors import Conflict, NotFound, ValidationError
from onewindow.orgs import identity, registration, selectors
from onewindow.orgs.models import Applicant, PhoneConfirmation, User
from tests.factories import ApplicantFactory, make_applicant_user

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
PERSON_ID = identity.generate_resident_id(region="450681", birth_date=date(1990, 2, 14), sequence=457)
COMPANY_ID = identity.generate_uscc(region="450681", body="55667788")
PASSWORD = "Qiao-lou-2026"


class Phone:
    """The text messages sent, as the injected `send_code` receives them."""

    def __init__(self, fail: bool = False):
        self.sent: list[tuple[str, str, int]] = []
        self.fail = fail

    def __call__(self, *, phone: str, code: str, minutes: int) -> None:
        if self.fail:
            raise ConnectionError("gateway down")
        self.sent.append((phone, code, minutes))

    @property
    def code(self) -> str:
        return self.sent[-1][1]


def person(phone_box: Phone, **overrides) -> PhoneConfirmation:
    values = {"kind": "person", "name": "韦小宝", "id_number": PERSON_ID, "phone": "13977001234",
              "username": "weixiaobao", "password": PASSWORD, "now": NOW}
    values.update(overrides)
    return registration.start_registration(send_code=phone_box, **values)


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Applicant.objects.count(), PhoneConfirmation.objects.count()


def test_a_person_registers_and_only_the_confirmed_phone_opens_the_account():
    box = Phone()
    pending = person(box, id_number=PERSON_ID.lower(), phone="+86 139-7700-1234")
    assert box.sent == [("13977001234", box.code, 5)] and len(box.code) == 6 and box.code.isdigit()
    assert not User.objects.filter(username="weixiaobao").exists()  # no account before the code
    assert pending.expires_at == NOW + timedelta(minutes=5) and pending.id_number == PERSON_ID

    user = registration.confirm_registration(confirmation_id=pending.pk, code=f" {box.code} ", now=NOW)

    assert user.is_active and user.username == "weixiaobao" and user.phone == "13977001234"
    applicant = Applicant.objects.get(user=user)
    assert (applicant.kind, applicant.name, applicant.id_number, applicant.phone) == (
        "person", "韦小宝", PERSON_ID, "13977001234")
    assert authenticate(username="weixiaobao", password=PASSWORD) == user
    assert not PhoneConfirmation.objects.exists()  # nothing pending is kept once the account exists
    event = AuditEvent.objects.get(action="onewindow.applicant.registered")
    assert event.chain.key == f"applicant:{applicant.pk}" and event.actor == user
    assert PERSON_ID not in str(event.data) and event.data["id_number"] == identity.mask_id_number(PERSON_ID)


def test_an_enterprise_registers_with_its_credit_code_and_legal_representative():
    box = Phone()
    pending = registration.start_registration(
        kind="enterprise", name="东兴市海之韵贸易有限公司", id_number=COMPANY_ID, legal_representative="黄海",
        phone="13977005678", username="haizhiyun", password=PASSWORD, send_code=box, now=NOW)
    user = registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=NOW)
    applicant = user.applicant
    assert (applicant.kind, applicant.id_number, applicant.legal_representative) == ("enterprise", COMPANY_ID, "黄海")


@pytest.mark.parametrize("overrides, field, words", [
    ({"id_number": PERSON_ID[:17] + ("1" if PERSON_ID[17] != "1" else "2")}, "id_number", "校验位"),
    ({"id_number": "450681199002304571"}, "id_number", "出生日期 1990-02-30 不存在"),
    ({"id_number": "990681199002144571"}, "id_number", "省级代码 99"),
    ({"id_number": PERSON_ID[:16]}, "id_number", "18 位"),
    ({"id_number": ""}, "id_number", "请填写居民身份证号码"),
    ({"id_number": COMPANY_ID}, "id_number", "居民身份证号码"),
    ({"kind": "enterprise", "legal_representative": "黄海", "id_number": COMPANY_ID[:17] + (
        "0" if COMPANY_ID[17] != "0" else "1")}, "id_number", "统一社会信用代码校验位错误"),
    ({"kind": "enterprise", "legal_representative": "黄海", "id_number": "91450681IO1234567X"}, "id_number",
     "不使用字母 I、O、Z、S、V"),
    ({"kind": "enterprise", "id_number": COMPANY_ID, "legal_representative": " "}, "legal_representative", "请填写"),
    ({"name": "  "}, "name", "请填写姓名或名称"),
    ({"phone": "0770-7654321"}, "phone", "07707654321 不是有效的手机号码"),
    ({"phone": "139abcd1234"}, "phone", "手机号码只能包含数字"),
    ({"phone": "1397700123"}, "phone", "11 位"),
    ({"phone": "12977001234"}, "phone", "不是有效的手机号码"),
    ({"phone": ""}, "phone", "请填写手机号码"),
    ({"username": "wei xiaobao"}, "username", "用户名只能包含"),
    ({"username": PERSON_ID}, "username", "不能是证件号码"),
    ({"password": "short1"}, "password", "密码不符合要求"),
    ({"password": "2026112519"}, "password", "密码不符合要求"),
    ({"password": "password123"}, "password", "密码不符合要求"),
    ({"password": ""}, "password", "请设置密码"),
    ({"kind": "alien"}, "kind", "person"),
])
def test_bad_input_is_refused_with_the_field_and_the_reason_and_nothing_is_stored_or_sent(overrides, field, words):
    box = Phone()
    before = counts()
    with pytest.raises(ValidationError) as refused:
        person(box, **overrides)
    assert refused.value.field == field and words in refused.value.message
    assert counts() == before and box.sent == []


def test_a_taken_user_name_is_refused():
    make_applicant_user(username="weixiaobao")
    before = counts()
    with pytest.raises(Conflict) as refused:
        person(Phone(), username="WeiXiaobao")
    assert refused.value.field == "username" and counts() == before


def test_a_number_that_already_has_an_account_is_refused_without_saying_whose():
    owner = make_applicant_user(username="the-owner")
    number = owner.applicant.id_number
    before, box = counts(), Phone()
    with pytest.raises(Conflict) as refused:
        person(box, id_number=number)
    assert refused.value.field == "id_number" and "已注册网上账号" in refused.value.message
    assert owner.applicant.name not in refused.value.message and "the-owner" not in refused.value.message
    assert identity.mask_phone(owner.applicant.phone) not in refused.value.message
    assert counts() == before and box.sent == []


def test_a_window_record_is_linked_only_through_the_phone_on_that_record():
    record = ApplicantFactory(name="韦小宝", id_number=PERSON_ID, phone="13600001111")
    box = Phone()
    pending = person(box, name="冒名", phone="13977001234")
    assert box.sent[0][0] == "13600001111"  # the record's phone, not the one typed
    assert pending.applicant == record and pending.phone == "13600001111"

    user = registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=NOW)

    record.refresh_from_db()
    assert record.user == user and Applicant.objects.count() == 1  # linked, no second applicant
    assert user.display_name == "韦小宝" and user.phone == "13600001111"  # the window's record stands
    assert AuditEvent.objects.filter(action="onewindow.applicant.account_linked",
                                     chain__key=f"applicant:{record.pk}").count() == 1


@pytest.mark.parametrize("phone_on_record", ["", "0770-7654321"])
def test_a_window_record_without_a_mobile_number_must_be_confirmed_at_a_window(phone_on_record):
    ApplicantFactory(id_number=PERSON_ID, phone=phone_on_record)
    before, box = counts(), Phone()
    with pytest.raises(Conflict) as refused:
        person(box)
    assert refused.value.field == "id_number"
    assert "没有手机号码" in refused.value.message and "居民身份证到任一综合受理窗口" in refused.value.message
    assert counts() == before and box.sent == []


def test_a_wrong_code_is_counted_and_five_end_it():
    box = Phone()
    pending = person(box)
    wrong = "000000" if box.code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ValidationError) as refused:
            registration.confirm_registration(confirmation_id=pending.pk, code=wrong, now=NOW)
        assert refused.value.field == "code" and f"还可以再试 {left} 次" in refused.value.message
    with pytest.raises(Conflict, match="错误次数过多"):
        registration.confirm_registration(confirmation_id=pending.pk, code=wrong, now=NOW)
    with pytest.raises(Conflict, match="错误次数过多"):  # even the right code, now
        registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=NOW)
    assert not User.objects.exists() and PhoneConfirmation.objects.get().attempts == 5


@pytest.mark.parametrize("code", ["12345", "1234567", "abcdef", ""])
def test_a_malformed_code_is_refused_without_counting(code):
    pending = person(Phone())
    with pytest.raises(ValidationError, match="6 位数字验证码"):
        registration.confirm_registration(confirmation_id=pending.pk, code=code, now=NOW)
    assert PhoneConfirmation.objects.get().attempts == 0


def test_an_expired_code_is_refused():
    box = Phone()
    pending = person(box)
    with pytest.raises(ValidationError, match="验证码已过期"):
        registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=NOW + timedelta(minutes=5))
    assert not User.objects.exists()
    user = registration.confirm_registration(confirmation_id=pending.pk, code=box.code,
                                             now=NOW + timedelta(minutes=4, seconds=59))
    assert user.username == "weixiaobao"


def test_a_new_code_waits_a_minute_replaces_the_old_one_and_stops_after_five():
    box = Phone()
    pending = person(box)
    first = box.code
    with pytest.raises(Conflict, match="秒后再重新获取"):
        registration.resend_code(confirmation_id=pending.pk, send_code=box, now=NOW + timedelta(seconds=30))
    moment = NOW
    for _ in range(4):
        moment += timedelta(seconds=61)
        registration.resend_code(confirmation_id=pending.pk, send_code=box, now=moment)
    assert len(box.sent) == 5
    with pytest.raises(Conflict, match="不能再发送"):
        registration.resend_code(confirmation_id=pending.pk, send_code=box, now=moment + timedelta(seconds=61))
    assert len(box.sent) == 5
    if first != box.code:
        with pytest.raises(ValidationError, match="验证码不正确"):
            registration.confirm_registration(confirmation_id=pending.pk, code=first, now=moment)
    assert registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=moment).is_active


def test_one_phone_receives_at_most_five_codes_an_hour_whoever_asks():
    box = Phone()
    for n in range(5):
        number = identity.generate_resident_id(region="450681", birth_date=date(1980, 1, 1 + n), sequence=11)
        person(box, id_number=number, username=f"u{n}", now=NOW + timedelta(minutes=n))
    before = counts()
    with pytest.raises(Conflict) as refused:
        person(box, now=NOW + timedelta(minutes=10))
    assert refused.value.field == "phone" and "一小时内已收到 5 条验证码" in refused.value.message
    assert counts() == before and len(box.sent) == 5
    person(box, now=NOW + timedelta(minutes=61))  # an hour after the first: allowed again


def test_the_code_is_kept_only_as_a_keyed_hash():
    box = Phone()
    pending = person(box)
    assert box.code not in pending.code_hash and len(pending.code_hash) > 60
    assert PASSWORD not in pending.password_hash and pending.password_hash.startswith("md5$")


def test_a_text_message_that_could_not_be_sent_leaves_nothing_pending():
    before = counts()
    with pytest.raises(Conflict, match="短信发送失败"):
        person(Phone(fail=True))
    assert counts() == before


def test_of_two_registrations_of_one_number_only_the_first_confirmed_opens_an_account():
    first_box, second_box = Phone(), Phone()
    first = person(first_box, phone="13977001111", username="first")
    second = person(second_box, phone="13977002222", username="second")
    registration.confirm_registration(confirmation_id=first.pk, code=first_box.code, now=NOW)
    before = counts()
    with pytest.raises(Conflict, match="已注册网上账号"):
        registration.confirm_registration(confirmation_id=second.pk, code=second_box.code, now=NOW)
    assert counts() == before


def test_a_number_a_clerk_enters_while_the_code_is_on_its_way_is_not_taken_over():
    box = Phone()
    pending = person(box)
    ApplicantFactory(id_number=PERSON_ID, phone="13600001111")  # at the window, meanwhile
    before = counts()
    with pytest.raises(Conflict, match="刚刚在窗口登记"):
        registration.confirm_registration(confirmation_id=pending.pk, code=box.code, now=NOW)
    assert counts() == before and Applicant.objects.get().user is None


def test_an_unknown_registration_is_not_found():
    with pytest.raises(NotFound):
        registration.confirm_registration(confirmation_id=999999, code="123456", now=NOW)
    with pytest.raises(NotFound):
        registration.resend_code(confirmation_id=None, send_code=Phone(), now=NOW)


def test_pending_registrations_a_day_past_their_expiry_are_purged():
    person(Phone(), username="old")
    later = NOW + timedelta(days=1, minutes=6)
    person(Phone(), username="new", phone="13977009999", now=later)
    assert list(PhoneConfirmation.objects.values_list("username", flat=True)) == ["new"]


def test_applicants_sign_in_with_their_user_name_or_their_identity_number():
    user = make_applicant_user(username="lisi")
    number = user.applicant.id_number
    assert selectors.username_for_sign_in("lisi") == "lisi"
    assert selectors.username_for_sign_in(f" {number.lower()} ") == "lisi"
    assert selectors.username_for_sign_in(PERSON_ID) == PERSON_ID  # no account: left as typed (and refused)
    ApplicantFactory(id_number=COMPANY_ID, enterprise=True)  # a window record without an account
    assert selectors.username_for_sign_in(COMPANY_ID) == COMPANY_ID
