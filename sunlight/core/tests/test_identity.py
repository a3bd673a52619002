"""Identity numbers at the window: a valid number passes; each kind of mistake is named (长度,
格式, 地区码, 出生日期, 校验码); masking hides what the public must never see. Valid numbers are
made here with the standards' own algorithms, not copied from real people."""

import datetime as dt

import pytest

from sunlight.core import clock
from sunlight.core.identity import (
    credit_code_problems,
    mask_address,
    mask_credit_code,
    mask_name,
    mask_phone,
    mask_resident_id,
    resident_id_birth_date,
    resident_id_problems,
)

# ---------------------------------------------------------------- building valid numbers

_CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id(body: str) -> str:
    """GB 11643: ISO 7064 MOD 11-2 over the 17 digits, weights 2^(17-i) mod 11, 10 → X."""
    assert len(body) == 17
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body))
    check = (12 - total % 11) % 11
    return body + ("X" if check == 10 else str(check))


def credit_code(body: str) -> str:
    """GB 32100: weights 3^i mod 31, check = (31 - sum mod 31) mod 31 mapped back."""
    assert len(body) == 17
    total = sum(_CREDIT_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(body))
    return body + _CREDIT_ALPHABET[(31 - total % 31) % 31]


def with_wrong_check(number: str) -> str:
    wrong = "0" if number[-1] != "0" else "1"
    return number[:-1] + wrong


VALID_ID = resident_id("33850219900307241")  # 清源市 (demo city), born 1990-03-07
TODAY = dt.datetime(2026, 11, 24, 10, 0, tzinfo=clock.SHANGHAI)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(TODAY):
        yield


# ---------------------------------------------------------------- 身份证


def test_valid_resident_id_has_no_problems():
    assert resident_id_problems(VALID_ID) == []


def test_resident_id_with_check_character_x_is_valid():
    number = next(
        n for n in (resident_id(f"11010519850612{seq:03d}") for seq in range(1000)) if n[-1] == "X"
    )
    assert resident_id_problems(number) == []


def test_lower_case_x_and_spaces_are_accepted():
    number = next(
        n for n in (resident_id(f"44030420040229{seq:03d}") for seq in range(1000)) if n[-1] == "X"
    )
    assert resident_id_problems(f" {number[:6]} {number[6:-1]}x ") == []


def test_wrong_check_digit_is_named():
    assert resident_id_problems(with_wrong_check(VALID_ID)) == [
        "校验码错误：第18位与前17位不符，请逐位核对号码"
    ]


def test_wrong_length_is_named():
    (problem,) = resident_id_problems(VALID_ID[:-1])
    assert problem.startswith("长度应为18位，实际为17位")


def test_fifteen_digit_first_generation_number_is_explained():
    (problem,) = resident_id_problems("338502900307241")
    assert "长度" in problem and "第一代" in problem


def test_letters_in_the_digits_are_a_format_problem():
    (problem,) = resident_id_problems("3385021990A307241X")
    assert problem.startswith("格式错误")


def test_unknown_province_is_a_region_problem():
    (problem,) = resident_id_problems(resident_id("99850219900307241"))
    assert problem.startswith("地区码") and "99" in problem


def test_impossible_birth_date_is_named():
    (problem,) = resident_id_problems(resident_id("33850219900230241"))
    assert problem == "出生日期“19900230”不是真实存在的日期"


def test_february_29_of_a_leap_year_is_a_real_date():
    assert resident_id_problems(resident_id("33850220000229241")) == []


def test_birth_date_after_today_is_refused():
    (problem,) = resident_id_problems(resident_id("33850220261125241"))
    assert problem == "出生日期“20261125”晚于今天"


def test_birth_date_today_is_accepted():
    assert resident_id_problems(resident_id("33850220261124241")) == []


def test_birth_date_before_1900_is_refused():
    (problem,) = resident_id_problems(resident_id("33850218991231241"))
    assert "早于1900年" in problem


def test_several_problems_are_all_listed():
    problems = resident_id_problems(with_wrong_check(resident_id("99850219901301241")))
    assert [p[:3] for p in problems] == ["地区码", "出生日", "校验码"]


def test_birth_date_of_a_valid_number():
    assert resident_id_birth_date(VALID_ID) == dt.date(1990, 3, 7)
    assert resident_id_birth_date(with_wrong_check(VALID_ID)) is None


# ---------------------------------------------------------------- 统一社会信用代码

VALID_CODE = credit_code("91338502MA2B3C4D5")


def test_valid_credit_code_has_no_problems():
    assert credit_code_problems(VALID_CODE) == []


def test_central_body_credit_code_with_region_100000_is_valid():
    assert credit_code_problems(credit_code("11100000000013127")) == []


def test_lower_case_credit_code_is_accepted():
    assert credit_code_problems(VALID_CODE.lower()) == []


def test_credit_code_wrong_check_character_is_named():
    assert credit_code_problems(with_wrong_check(VALID_CODE)) == [
        "校验码错误：第18位与前17位不符，请逐位核对代码"
    ]


def test_credit_code_wrong_length_is_named():
    assert credit_code_problems(VALID_CODE[:-2]) == ["长度应为18位，实际为16位"]


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_credit_code_letters_not_used_by_the_standard_are_named(letter):
    code = VALID_CODE[:10] + letter + VALID_CODE[11:]
    (problem,) = credit_code_problems(code)
    assert f"不使用的字母“{letter}”" in problem


def test_credit_code_punctuation_is_an_invalid_character():
    (problem,) = credit_code_problems(VALID_CODE[:10] + "#" + VALID_CODE[11:])
    assert "无效字符“#”" in problem


def test_credit_code_unknown_province_is_a_region_problem():
    (problem,) = credit_code_problems(credit_code("91998502MA2B3C4D5"))
    assert "行政区划码“998502”" in problem


def test_credit_code_letters_in_the_region_are_named():
    problems = credit_code_problems(credit_code("9133850AMA2B3C4D5"))
    assert problems == ["第3–8位登记管理机关行政区划码“33850A”应为6位数字"]


# ---------------------------------------------------------------- masking


def test_mask_resident_id_keeps_region_and_last_four():
    assert mask_resident_id("330102199001011234") == "330102********1234"


def test_mask_resident_id_of_a_short_value_hides_everything():
    assert mask_resident_id("1234") == "****"


def test_mask_credit_code_returns_the_public_code():
    assert mask_credit_code(VALID_CODE) == VALID_CODE


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("李四", "李*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", "")],
)
def test_mask_name_keeps_the_first_character(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138 1234 5678", "+86138****5678"),
        ("0571-87654321", "0571-****4321"),
        ("87654321", "****4321"),
    ],
)
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("浙江省杭州市西湖区文三路90号5幢601室", "浙江省杭州市西湖区****"),
        ("北京市朝阳区建外街道建国路88号", "北京市朝阳区建外街道****"),
        ("广西壮族自治区南宁市青秀区民族大道100号", "广西壮族自治区南宁市青秀区****"),
        ("浙江省温州市瑞安市安阳街道万松路8号", "浙江省温州市瑞安市安阳街道****"),
        ("山东省济南市市中区经四路", "山东省济南市市中区****"),
        ("文三路90号", "****"),
        ("浙江省杭州市西湖区", "浙江省杭州市西湖区"),
    ],
)
def test_mask_address_keeps_the_district_and_street(address, masked):
    assert mask_address(address) == masked
