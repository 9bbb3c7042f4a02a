import random
from datetime import date

import pytest
from django.template import Context, Template

from onewindow.core.errors import ValidationError
from onewindow.orgs import identity

# The worked example printed in GB 11643-1999.
STANDARD_EXAMPLE_ID = "11010519491231002X"
# A code shown on a real business licence (Fujian), public by law.
REAL_USCC = "91350100M000100Y43"


def _with_check(first17: str) -> str:
    return first17 + identity.resident_id_check_char(first17)


# --- resident ID numbers ---------------------------------------------------------------------------

def test_standard_example_resident_id_is_valid():
    assert identity.validate_resident_id(STANDARD_EXAMPLE_ID) == STANDARD_EXAMPLE_ID


def test_lowercase_x_check_digit_is_accepted_and_normalised():
    assert identity.validate_resident_id(" 11010519491231002x ") == STANDARD_EXAMPLE_ID


def test_resident_id_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id("110105194912310021")
    assert err.value.field == "id_number"
    assert "校验位" in err.value.message


@pytest.mark.parametrize("number, reason", [
    ("11010519491231002", "18 位"),
    ("11010519491231002X1", "18 位"),
    ("", "请填写"),
])
def test_resident_id_of_wrong_length_is_refused(number, reason):
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id(number)
    assert reason in err.value.message
    assert err.value.field == "id_number"


def test_resident_id_with_letters_is_refused():
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id("1101051949123A002X")
    assert "非法字符" in err.value.message


def test_impossible_birth_date_is_refused_even_with_a_correct_check_digit():
    number = _with_check("45068120260230123")  # 30 February 2026
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id(number)
    assert "2026-02-30" in err.value.message
    assert "不存在" in err.value.message


def test_birth_date_in_the_future_is_refused():
    number = _with_check("45068120270101123")
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id(number, today=date(2026, 11, 25))
    assert "不可能" in err.value.message
    assert identity.validate_resident_id(number, today=date(2027, 1, 1)) == number


def test_unknown_province_code_is_refused():
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id(_with_check("99010519491231002"))
    assert "地址码" in err.value.message


def test_field_name_is_passed_through():
    with pytest.raises(ValidationError) as err:
        identity.validate_resident_id("123", field="holder_id")
    assert err.value.field == "holder_id"


def test_generated_resident_ids_are_valid_and_carry_region_birth_date_and_sex():
    rng = random.Random(7)
    for _ in range(200):
        number = identity.generate_resident_id(rng=rng)
        assert identity.validate_resident_id(number) == number
    number = identity.generate_resident_id(region="450681", birth_date=date(1990, 5, 20), sequence=122, male=True)
    assert number.startswith("450681")
    assert identity.resident_id_birth_date(number) == date(1990, 5, 20)
    assert identity.resident_id_is_male(number)
    assert not identity.resident_id_is_male(
        identity.generate_resident_id(birth_date=date(1990, 5, 20), sequence=122, male=False))


# --- unified social credit codes -------------------------------------------------------------------

def test_real_uscc_is_valid():
    assert identity.validate_uscc(REAL_USCC) == REAL_USCC
    assert identity.validate_uscc(REAL_USCC.lower()) == REAL_USCC


def test_uscc_with_wrong_check_character_is_refused():
    wrong = REAL_USCC[:17] + ("4" if REAL_USCC[17] != "4" else "5")
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(wrong)
    assert "校验位" in err.value.message
    assert err.value.field == "id_number"


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_uscc_with_forbidden_letter_is_refused(letter):
    code = "91350100M000100Y4" + letter
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(code)
    assert "不使用字母" in err.value.message
    assert letter in err.value.message


def test_uscc_of_wrong_length_is_refused():
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(REAL_USCC[:15])
    assert "18 位" in err.value.message


def test_uscc_with_unknown_authority_or_mismatched_type_is_refused():
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(identity.generate_uscc(authority="B", type_code="1", body="12345678"))
    assert "登记管理部门代码" in err.value.message
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(identity.generate_uscc(authority="9", type_code="9", body="12345678"))
    assert "机构类别代码" in err.value.message


def test_uscc_region_must_be_digits():
    first17 = "91A50681123456788"
    with pytest.raises(ValidationError) as err:
        identity.validate_uscc(first17 + identity.uscc_check_char(first17))
    assert "行政区划" in err.value.message


def test_generated_usccs_are_valid_with_a_valid_organisation_code():
    rng = random.Random(11)
    for _ in range(200):
        code = identity.generate_uscc(rng=rng)
        assert identity.validate_uscc(code) == code
        assert identity.organisation_code_check_char(code[8:16]) == code[16]
    for authority, type_code in [("5", "1"), ("1", "2"), ("9", "2"), ("9", "3"), ("N", "2")]:
        code = identity.generate_uscc(authority=authority, type_code=type_code, body="10000001")
        assert identity.validate_uscc(code) == code


def test_validate_id_number_dispatches_by_kind():
    assert identity.validate_id_number("person", STANDARD_EXAMPLE_ID) == STANDARD_EXAMPLE_ID
    assert identity.validate_id_number("enterprise", REAL_USCC) == REAL_USCC
    with pytest.raises(ValidationError):
        identity.validate_id_number("person", REAL_USCC)
    with pytest.raises(ValidationError):
        identity.validate_id_number("enterprise", STANDARD_EXAMPLE_ID)
    with pytest.raises(ValidationError) as err:
        identity.validate_id_number("robot", STANDARD_EXAMPLE_ID)
    assert err.value.field == "kind"


# --- masking ---------------------------------------------------------------------------------------

def test_resident_id_keeps_first_four_and_last_four():
    assert identity.mask_id_number(STANDARD_EXAMPLE_ID) == "1101**********002X"


def test_uscc_keeps_first_six_and_last_four():
    assert identity.mask_id_number(REAL_USCC) == "913501********0Y43"


def test_other_numbers_are_masked_too():
    assert identity.mask_id_number("") == ""
    assert identity.mask_id_number(None) == ""
    assert identity.mask_id_number("AB") == "**"
    assert identity.mask_id_number("E1234567") == "E1****67"


def test_mobile_phone_keeps_first_three_and_last_four():
    assert identity.mask_phone("13812345678") == "138****5678"
    assert identity.mask_phone("+8613812345678").endswith("5678")
    assert "1234" not in identity.mask_phone("+8613812345678")[:-4]


def test_landline_keeps_area_code_and_last_four():
    assert identity.mask_phone("0770-7654321") == "0770-***4321"
    assert identity.mask_phone("") == ""
    assert identity.mask_phone("110") == "***"


def test_template_filters_mask_values():
    rendered = Template("{% load privacy %}{{ n|mask_id }} {{ p|mask_phone }} [{{ missing|mask_id }}]").render(
        Context({"n": STANDARD_EXAMPLE_ID, "p": "13812345678"}))
    assert rendered == "1101**********002X 138****5678 []"
