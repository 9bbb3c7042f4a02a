"""Applicants open their own online account (申请人注册), confirmed by a code sent to their phone.

1. `start_registration` checks what the applicant typed — the identity number by its own rules
   (orgs.identity: GB 11643-1999 for a resident ID, GB 32100-2015 for a unified social credit code),
   the name, a mainland mobile number, the user name, the password by Django's validators — and stores
   a PhoneConfirmation holding a 6-digit code, then sends the code by text message. No account exists yet.
2. `confirm_registration` takes the code; the right one opens the account (active at once) with its
   Applicant, or links the window's record of that number (an Applicant a clerk entered, with no
   account). `resend_code` sends a new code.

Real-identity accounts (Cybersecurity Law Art. 24) must not be opened in someone else's name:
- a number already linked to an account is refused, without saying whose;
- a number the window registered is linked only by whoever receives the code on the phone on that
  record (not the phone typed); a record without a mobile number cannot be confirmed online, and the
  applicant is told to confirm at a window;
- the code is kept only as a keyed hash (HMAC with the site's secret key), is valid CODE_MINUTES,
  allows CODE_ATTEMPTS wrong entries, can be re-sent after RESEND_SECONDS at most MAX_SENDS times, and
  one phone receives at most PHONE_SENDS_PER_HOUR codes an hour, whoever asks (text-message bombing).

Sending is done by the caller's `send_code(phone=, code=, minutes=)` (notify.services.send_confirmation_code
from the pages): orgs is below notify and does not import it. It runs after the row is committed, so
a slow SMS gateway never holds a database transaction open."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from onewindow.audit import services as audit
from onewindow.core.errors import Conflict, DomainError, NotFound, ValidationError

from . import identity
from .models import Applicant, ApplicantKind, PhoneConfirmation, User
from .services import _check_password, _check_username, register_applicant

CODE_DIGITS = 6
CODE_MINUTES = 5
CODE_ATTEMPTS = 5
RESEND_SECONDS = 60
MAX_SENDS = 5
PHONE_SENDS_PER_HOUR = 5
PURGE_AFTER = timedelta(days=1)
_HMAC_SALT = "onewindow.orgs.registration.code"

SendCode = Callable[..., None]


def already_registered_message() -> str:
    return _("该证件号码已注册网上账号，请直接登录。如不是您本人注册的，请携带证件到政务服务大厅窗口处理。")


def no_phone_on_record_message(kind: str) -> str:
    documents = _("营业执照和法定代表人身份证件") if kind == ApplicantKind.ENTERPRISE else _("居民身份证")
    return _("该证件号码已在政务服务大厅窗口登记，但登记信息中没有手机号码，无法在网上确认是您本人。"
             "请携带%(documents)s到任一综合受理窗口登记手机号码后再注册。") % {"documents": documents}


def _hash_code(code: str, salt: str) -> str:
    return f"{salt}${salted_hmac(_HMAC_SALT, f'{salt}:{code}', algorithm='sha256').hexdigest()}"


def _code_matches(confirmation: PhoneConfirmation, code: str) -> bool:
    salt, _sep, _digest = confirmation.code_hash.partition("$")
    return constant_time_compare(_hash_code(code, salt), confirmation.code_hash)


def _new_code() -> tuple[str, str]:
    """(the code to send, its hash to store)."""
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    return code, _hash_code(code, secrets.token_hex(8))


def _check_phone_budget(phone: str, now: datetime) -> None:
    sent = (PhoneConfirmation.objects.filter(phone=phone, code_sent_at__gt=now - timedelta(hours=1))
            .aggregate(total=Sum("sends"))["total"] or 0)
    if sent >= PHONE_SENDS_PER_HOUR:
        raise Conflict(_("该手机号码在一小时内已收到 %(count)d 条验证码，请一小时后再试。") % {"count": sent},
                       field="phone")


def _check_name(name: str, *, field: str = "name", limit: int = 200) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("请填写姓名或名称"), field=field)
    if len(name) > limit:
        raise ValidationError(_("不能超过 %(n)s 个字") % {"n": limit}, field=field)
    return name


def _looks_like_identity_number(value: str) -> bool:
    for check in (identity.validate_resident_id, identity.validate_uscc):
        try:
            check(value)
        except ValidationError:
            continue
        return True
    return False


def _mobile_or_blank(phone: str) -> str:
    try:
        return identity.validate_mobile_phone(phone)
    except ValidationError:
        return ""


def _send(send_code: SendCode, confirmation: PhoneConfirmation, code: str) -> None:
    try:
        send_code(phone=confirmation.phone, code=code, minutes=CODE_MINUTES)
    except DomainError:
        raise
    except Exception as exc:  # any gateway failure: the applicant is told, the detail is logged by notify
        raise Conflict(_("验证码短信发送失败，请稍后再试。"), field="phone") from exc


def start_registration(*, kind: str, name: str, id_number: str, phone: str, username: str, password: str,
                       send_code: SendCode, legal_representative: str = "",
                       now: datetime | None = None) -> PhoneConfirmation:
    """Check a registration, store it pending and send its code (see the module's rules). Every check
    runs before anything is written; a refused registration leaves the database as it was."""
    now = now or timezone.now()
    if kind not in ApplicantKind.values:
        raise ValidationError(_("申请人类型须为 person（自然人）或 enterprise（法人及其他组织）"), field="kind")
    number = identity.validate_id_number(kind, id_number, today=timezone.localdate(now))
    name = _check_name(name, limit=100 if kind == ApplicantKind.PERSON else 200)
    representative = ""
    if kind == ApplicantKind.ENTERPRISE:
        representative = _check_name(legal_representative, field="legal_representative", limit=100)
    typed_phone = identity.validate_mobile_phone(phone)
    username = _check_username(username)
    if _looks_like_identity_number(username):
        raise ValidationError(_("用户名不能是证件号码（登录时可以直接用证件号码）"), field="username")
    user = User(username=username, display_name=name[:100], phone=typed_phone)
    _check_password(password, user)
    record = Applicant.objects.filter(id_number=number).first()
    send_to = typed_phone
    if record is not None:
        if record.user_id is not None:
            raise Conflict(already_registered_message(), field="id_number")
        send_to = _mobile_or_blank(record.phone)
        if not send_to:
            raise Conflict(no_phone_on_record_message(record.kind), field="id_number")
    code, code_hash = _new_code()
    with transaction.atomic():
        PhoneConfirmation.objects.filter(expires_at__lt=now - PURGE_AFTER).delete()
        _check_phone_budget(send_to, now)
        confirmation = PhoneConfirmation.objects.create(
            kind=kind, name=name, id_number=number, legal_representative=representative, username=username,
            password_hash=make_password(password), phone=send_to, applicant=record,
            code_hash=code_hash, code_sent_at=now, expires_at=now + timedelta(minutes=CODE_MINUTES), created_at=now)
    try:
        _send(send_code, confirmation, code)
    except DomainError:
        confirmation.delete()  # nothing was sent: the applicant submits the form again
        raise
    return confirmation


def resend_code(*, confirmation_id, send_code: SendCode, now: datetime | None = None) -> PhoneConfirmation:
    """A new code for a pending registration (the old one stops working), at most MAX_SENDS times and
    not within RESEND_SECONDS of the last one."""
    now = now or timezone.now()
    code, code_hash = _new_code()
    with transaction.atomic():
        confirmation = PhoneConfirmation.objects.select_for_update().filter(pk=confirmation_id).first()
        if confirmation is None:
            raise NotFound(_("注册信息已失效，请重新填写注册信息。"), field="code")
        wait = RESEND_SECONDS - int((now - confirmation.code_sent_at).total_seconds())
        if wait > 0:
            raise Conflict(ngettext("请 %(seconds)d 秒后再重新获取验证码。", "请 %(seconds)d 秒后再重新获取验证码。",
                                    wait) % {"seconds": wait}, field="code")
        if confirmation.sends >= MAX_SENDS:
            raise Conflict(_("验证码已发送 %(count)d 次，不能再发送。请稍后重新注册。") % {"count": confirmation.sends},
                           field="code")
        _check_phone_budget(confirmation.phone, now)
        previous_sent_at = confirmation.code_sent_at
        confirmation.code_hash, confirmation.code_sent_at = code_hash, now
        confirmation.expires_at = now + timedelta(minutes=CODE_MINUTES)
        confirmation.sends += 1
        confirmation.attempts = 0
        confirmation.save(update_fields=["code_hash", "code_sent_at", "expires_at", "sends", "attempts"])
    try:
        _send(send_code, confirmation, code)
    except DomainError:
        # Nothing reached the phone: the applicant may ask again at once.
        PhoneConfirmation.objects.filter(pk=confirmation.pk).update(code_sent_at=previous_sent_at)
        raise
    return confirmation


def confirm_registration(*, confirmation_id, code: str, now: datetime | None = None) -> User:
    """Open the account of a pending registration whose code is right (see the module's rules). A wrong
    code is counted (that is the only change it makes); an expired one, or one tried CODE_ATTEMPTS times,
    needs a new code."""
    now = now or timezone.now()
    code = "".join((code or "").split())
    if len(code) != CODE_DIGITS or not code.isdigit():
        raise ValidationError(_("请输入短信中的 %(digits)d 位数字验证码") % {"digits": CODE_DIGITS}, field="code")
    error: DomainError | None = None
    with transaction.atomic():
        confirmation = PhoneConfirmation.objects.select_for_update().filter(pk=confirmation_id).first()
        if confirmation is None:
            raise NotFound(_("注册信息已失效，请重新填写注册信息。"), field="code")
        if confirmation.attempts >= CODE_ATTEMPTS:
            raise Conflict(_("验证码错误次数过多，已失效，请重新获取验证码。"), field="code")
        if now >= confirmation.expires_at:
            raise ValidationError(_("验证码已过期（有效期 %(minutes)d 分钟），请重新获取验证码。")
                                  % {"minutes": CODE_MINUTES}, field="code")
        if _code_matches(confirmation, code):
            user = _open_account(confirmation, now=now)
            confirmation.delete()
        else:
            confirmation.attempts += 1
            confirmation.save(update_fields=["attempts"])
            left = CODE_ATTEMPTS - confirmation.attempts
            if left:
                error = ValidationError(ngettext("验证码不正确，还可以再试 %(left)d 次。", "验证码不正确，还可以再试 %(left)d 次。",
                                                 left) % {"left": left}, field="code")
            else:
                error = Conflict(_("验证码错误次数过多，已失效，请重新获取验证码。"), field="code")
    if error is not None:  # raised after the block, so the counted attempt is kept
        raise error
    return user


def _open_account(confirmation: PhoneConfirmation, *, now: datetime) -> User:
    # Checked again: another registration may have taken the user name or the number since.
    username = _check_username(confirmation.username)
    user = User(username=username, display_name=confirmation.name[:100], phone=confirmation.phone,
                password=confirmation.password_hash)
    data = {"kind": confirmation.kind, "id_number": identity.mask_id_number(confirmation.id_number),
            "phone": identity.mask_phone(confirmation.phone)}
    if confirmation.applicant_id is not None:
        record = Applicant.objects.select_for_update().get(pk=confirmation.applicant_id)
        if record.user_id is not None:
            raise Conflict(already_registered_message(), field="id_number")
        if _mobile_or_blank(record.phone) != confirmation.phone:
            raise Conflict(_("窗口登记的手机号码已变更，请重新注册。"), field="code")
        user.display_name = record.name[:100]
        user.save()
        record.user = user
        record.save(update_fields=["user"])
        audit.record(chain_key=f"applicant:{record.pk}", action="onewindow.applicant.account_linked", actor=user,
                     data={**data, "applicant": record.pk}, now=now)
        return user
    meanwhile = Applicant.objects.filter(id_number=confirmation.id_number).first()
    if meanwhile is not None and meanwhile.user_id is not None:  # another registration was confirmed first
        raise Conflict(already_registered_message(), field="id_number")
    if meanwhile is not None:
        # A clerk entered this number while the code was on its way: its phone was not the one confirmed.
        raise Conflict(_("该证件号码刚刚在窗口登记，请重新注册以确认登记的手机号码。"), field="id_number")
    user.save()
    applicant = register_applicant(kind=confirmation.kind, name=confirmation.name, id_number=confirmation.id_number,
                                   phone=confirmation.phone, user=user,
                                   legal_representative=confirmation.legal_representative)
    audit.record(chain_key=f"applicant:{applicant.pk}", action="onewindow.applicant.registered", actor=user,
                 data={**data, "applicant": applicant.pk}, now=now)
    return user
