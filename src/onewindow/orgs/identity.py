"""Identity numbers: validation, masking and generators for sample data.

- Mainland resident ID number (公民身份号码), GB 11643-1999: 6-digit region code, 8-digit birth date,
  3-digit sequence (odd for men, even for women), check character by ISO 7064 MOD 11-2 ("X" for 10).
- Unified social credit code (统一社会信用代码), GB 32100-2015: registration authority (1 character),
  organisation type (1), registration region (6 digits), subject code (9, the GB 11714 organisation
  code), check character by MOD 31 over the charset 0-9 A-H J-N P-R T-U W-Y (no I, O, Z, S, V).

Validation returns the normalised number (stripped, upper case) or raises
`onewindow.core.errors.ValidationError` naming the field and the reason.

Masking (shown everywhere but to the roles listed in `orgs.selectors.can_see_full_identity`):
- resident ID: first 4 (province and prefecture) and last 4 kept: `1101**********7578`; the birth
  date, which is personal information under the Personal Information Protection Law, is hidden;
- unified social credit code: first 6 (authority, type, province and prefecture) and last 4 kept:
  `914506********52X8`. The code is public on the business licence, but one rule for both kinds of
  number keeps lists predictable;
- mobile phone: first 3 and last 4 kept: `138****5678`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from onewindow.core.errors import ValidationError

# --- resident ID (GB 11643-1999) -------------------------------------------------------------------

RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_ID_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)
# First two digits: provinces per GB/T 2260, plus 81/82/83 (residence permits of Hong Kong, Macao and
# Taiwan residents) and 91 (foreigners' permanent residence ID cards, 2023 edition).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83", "91",
})
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def normalize(value: str | None) -> str:
    """Strip spaces and use upper case (a lower-case "x" check digit is a common way of typing it)."""
    return "".join((value or "").split()).upper()


def resident_id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(value: str | None, *, field: str = "id_number", today: date | None = None) -> str:
    """Return the normalised resident ID number or raise ValidationError with the reason
    (GB 11643-1999: length 18, 17 digits + digit or X, known province, real birth date, MOD 11-2)."""
    number = normalize(value)
    if not number:
        raise ValidationError(_("请填写居民身份证号码"), field=field)
    if len(number) != 18:
        raise ValidationError(
            _("居民身份证号码应为 18 位，当前为 %(count)d 位") % {"count": len(number)}, field=field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("居民身份证号码含有非法字符：前 17 位须为数字，末位为数字或 X"), field=field)
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(_("居民身份证号码的地址码无效（省级代码 %(code)s 不存在）") % {"code": number[:2]},
                              field=field)
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("居民身份证号码中的出生日期 %(date)s 不存在") % {"date": f"{number[6:10]}-{number[10:12]}-{number[12:14]}"},
            field=field) from None
    today = today or timezone.localdate()
    if born < EARLIEST_BIRTH_DATE or born > today:
        raise ValidationError(
            _("居民身份证号码中的出生日期 %(date)s 不可能") % {"date": born.isoformat()}, field=field)
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("居民身份证号码校验位错误，请核对号码"), field=field)
    return number


def resident_id_birth_date(number: str) -> date:
    number = normalize(number)
    return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def resident_id_is_male(number: str) -> bool:
    """GB 11643-1999: the 17th digit (last of the sequence code) is odd for men, even for women."""
    return int(normalize(number)[16]) % 2 == 1


def generate_resident_id(*, region: str = "450681", birth_date: date | None = None, sequence: int | None = None,
                         male: bool | None = None, rng: random.Random | None = None) -> str:
    """A valid resident ID number for sample data and tests (never a real person's on purpose)."""
    rng = rng or random.Random()
    if len(region) != 6 or not region.isdigit():
        raise ValueError(f"region must be 6 digits, got {region!r}")
    if birth_date is None:
        birth_date = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    if sequence is None:
        sequence = rng.randrange(1000)
    if male is not None and sequence % 2 != int(male):
        sequence = (sequence + 1) % 1000
    first17 = f"{region}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + resident_id_check_char(first17)


# --- unified social credit code (GB 32100-2015) ---------------------------------------------------

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_VALUES = {char: index for index, char in enumerate(USCC_CHARSET)}
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # 3**i mod 31
# Registration authority → organisation type codes (GB 32100-2015 Appendix A and the codes assigned
# since by the State Council's coding office: A military, N agriculture and rural affairs).
USCC_AUTHORITY_TYPES = {
    "1": "1239",  # 机构编制: 机关, 事业单位, 中央编办直接管理机构编制的群众团体, 其他
    "2": "19",  # 外交: 外国常驻新闻机构, 其他
    "3": "1234569",  # 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, …, 其他
    "4": "19",  # 文化: 外国在华文化中心, 其他
    "5": "1239",  # 民政: 社会团体, 民办非企业单位, 基金会, 其他
    "6": "129",  # 旅游: 外国旅游部门常驻代表机构, 港澳台地区旅游部门常驻内地（大陆）代表机构, 其他
    "7": "129",  # 宗教: 宗教活动场所, 宗教院校, 其他
    "8": "19",  # 工会: 基层工会, 其他
    "9": "123",  # 工商（市场监管）: 企业, 个体工商户, 农民专业合作社
    "A": "19",  # 中央军委改革和编制办公室: 军队事业单位, 其他
    "N": "1239",  # 农业农村: 组级、村级、乡镇级集体经济组织, 其他
    "Y": "1",  # 其他
}
FORBIDDEN_USCC_LETTERS = "IOZSV"
ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714-1997, check digit of the subject code


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_VALUES[char] * weight for char, weight in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str | None, *, field: str = "id_number") -> str:
    """Return the normalised unified social credit code or raise ValidationError with the reason
    (GB 32100-2015: length 18, charset without I/O/Z/S/V, known authority and type, 6-digit region,
    MOD 31 check character)."""
    code = normalize(value)
    if not code:
        raise ValidationError(_("请填写统一社会信用代码"), field=field)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位，当前为 %(count)d 位") % {"count": len(code)}, field=field)
    bad = sorted({char for char in code if char not in USCC_VALUES})
    if bad:
        forbidden = [char for char in bad if char in FORBIDDEN_USCC_LETTERS]
        if forbidden:
            message = _("统一社会信用代码不使用字母 I、O、Z、S、V，号码中含有：%(chars)s")
        else:
            message = _("统一社会信用代码含有非法字符：%(chars)s")
        raise ValidationError(message % {"chars": "、".join(bad)}, field=field)
    types = USCC_AUTHORITY_TYPES.get(code[0])
    if types is None:
        raise ValidationError(_("统一社会信用代码第 1 位登记管理部门代码 %(code)s 无效") % {"code": code[0]},
                              field=field)
    if code[1] not in types:
        raise ValidationError(
            _("统一社会信用代码第 2 位机构类别代码 %(type)s 与登记管理部门代码 %(code)s 不匹配")
            % {"type": code[1], "code": code[0]}, field=field)
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第 3—8 位应为行政区划代码（6 位数字）"), field=field)
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位错误，请核对号码"), field=field)
    return code


def organisation_code_check_char(first8: str) -> str:
    """GB 11714-1997: check character of the 9-character organisation code (the USCC subject code)."""
    charset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    total = sum(charset.index(char) * weight for char, weight in zip(first8, ORGANISATION_CODE_WEIGHTS,
                                                                          strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def generate_uscc(*, authority: str = "9", type_code: str = "1", region: str = "450681",
                  body: str | None = None, rng: random.Random | None = None) -> str:
    """A valid unified social credit code for sample data and tests. `body` is the first 8 characters
    of the subject code (digits); its GB 11714 check character is computed, as on real codes."""
    rng = rng or random.Random()
    if body is None:
        body = f"{rng.randrange(10**8):08d}"
    if len(body) != 8 or not body.isdigit():
        raise ValueError(f"body must be 8 digits, got {body!r}")
    subject = body + organisation_code_check_char(body)
    first17 = f"{authority}{type_code}{region}{subject}"
    return first17 + uscc_check_char(first17)


def validate_id_number(kind: str, value: str | None, *, field: str = "id_number", today: date | None = None) -> str:
    """Persons are identified by resident ID number, enterprises by unified social credit code."""
    if kind == "person":
        return validate_resident_id(value, field=field, today=today)
    if kind == "enterprise":
        return validate_uscc(value, field=field)
    raise ValidationError(_("申请人类型须为 person（自然人）或 enterprise（法人及其他组织）"), field="kind")


# --- mobile phone numbers -------------------------------------------------------------------------

def validate_mobile_phone(value: str | None, *, field: str = "phone") -> str:
    """Return the normalised mainland mobile number (11 digits, 1 then 3-9, as the MIIT numbering plan
    assigns them; a leading +86 or 86 and spaces or dashes are dropped) or raise ValidationError. Only
    such a number can receive a confirmation code by text message."""
    phone = "".join(char for char in (value or "") if not char.isspace() and char != "-")
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not phone:
        raise ValidationError(_("请填写手机号码"), field=field)
    if not phone.isdigit():
        raise ValidationError(_("手机号码只能包含数字"), field=field)
    if len(phone) != 11:
        raise ValidationError(_("手机号码应为 11 位，当前为 %(count)d 位") % {"count": len(phone)}, field=field)
    if phone[0] != "1" or phone[1] not in "3456789":
        raise ValidationError(_("%(phone)s 不是有效的手机号码（应以 13—19 开头）") % {"phone": phone}, field=field)
    return phone


# --- masking ---------------------------------------------------------------------------------------

def _looks_like_resident_id(number: str) -> bool:
    return len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X") \
        and resident_id_check_char(number[:17]) == number[17]


def mask_id_number(value: str | None) -> str:
    """Resident ID: first 4 and last 4 kept; unified social credit code: first 6 and last 4; any other
    number: first 2 and last 2 (1 and 1 when shorter than 8)."""
    number = "".join((value or "").split())
    length = len(number)
    if not length:
        return ""
    if length == 18:
        head = 4 if _looks_like_resident_id(number.upper()) else 6
        tail = 4
    elif length >= 8:
        head, tail = 2, 2
    elif length >= 3:
        head, tail = 1, 1
    else:
        return "*" * length
    return number[:head] + "*" * (length - head - tail) + number[-tail:]


def mask_phone(value: str | None) -> str:
    """Mobile numbers keep the first 3 and last 4 digits (`138****5678`); other numbers keep their last
    4 characters and mask every digit before them except an area-code prefix up to the first dash."""
    phone = "".join((value or "").split())
    if not phone:
        return ""
    digits = phone.lstrip("+")
    if len(digits) == 11 and digits.isdigit() and digits.startswith("1"):
        return phone[: len(phone) - 8] + "****" + phone[-4:]
    if len(phone) <= 4:
        return "*" * len(phone)
    prefix, dash, rest = phone.rpartition("-")
    if dash and prefix and len(rest) > 4:
        return f"{prefix}-" + "*" * (len(rest) - 4) + rest[-4:]
    return "".join("*" if char.isdigit() else char for char in phone[:-4]) + phone[-4:]
