"""Phone numbers a person can call, the shape they are kept in, and the words that refuse the
ones no one can call ("123", "abc", "x", "{{7*7}}")."""

import pytest

from sunlight.core.phones import mobile_number, phone_is_valid, phone_normalise, phone_problem


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("0086 13912345678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("１３９１２３４５６７８", "13912345678"),
        ("0591-87654321", "0591-87654321"),
        ("057187654321", "0571-87654321"),
        ("(0591)87654321", "0591-87654321"),
        ("（0591）8765 4321", "0591-87654321"),
        ("01062345678", "010-62345678"),
        ("021-6123456", "021-6123456"),
        ("0581-8765432", "0581-8765432"),
        ("0581-87654321转123", "0581-87654321转123"),
        ("0581-87654321-123", "0581-87654321转123"),
        ("0581-87654321 分机 123", "0581-87654321转123"),
    ],
)
def test_mobiles_and_landlines_with_area_code_are_kept_in_one_shape(typed, kept):
    assert phone_normalise(typed) == kept
    assert phone_problem(typed, required=True) is None


@pytest.mark.parametrize(
    "typed",
    ["x", "{{7*7}}", "123", "abc", "12345678901", "12800138000", "1391234567", "139123456789",
     "87654321", "0591-123", "0591-07654321", "01012345678", "<script>", "13912345678; DROP",
     "\u202e13912345678x", "12345", "400-810-8888"],
)  # fmt: skip
def test_what_no_one_can_call_is_refused_for_a_person(typed):
    assert phone_normalise(typed) == ""
    assert not phone_is_valid(typed)
    assert phone_problem(typed) is not None


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("12345", "12345"), ("95598", "95598"), ("400-810-8888", "400-810-8888"),
     ("8008101234", "800-810-1234"), ("0571-87654321", "0571-87654321")],
)  # fmt: skip
def test_an_organisation_may_publish_hotlines_and_freephone_numbers(typed, kept):
    assert phone_normalise(typed, service=True) == kept
    assert phone_problem(typed, service=True) is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [("1380000000", "应为11位、以13–19开头（现为10位）"), ("12800000000", "应为11位"),
     ("87654321", "须带区号"), ("abc", "“abc”不是有效的电话号码"),
     ("{{7*7}}", "不是有效的电话号码")],
)  # fmt: skip
def test_the_refusal_says_what_is_wrong_in_chinese(typed, says):
    assert says in phone_problem(typed)


def test_a_list_of_numbers_is_checked_number_by_number():
    assert phone_problem("0581-87654321、12345", several=True, service=True) is None
    assert "“abc”" in phone_problem("0581-87654321、abc", several=True, service=True)
    assert "“x、y”" in phone_problem("x，y", several=True, service=True)


def test_an_optional_phone_may_be_left_empty_but_a_required_one_may_not():
    assert phone_problem("") is None
    assert phone_problem("\ufeff") is None
    assert "请填写联系电话" in phone_problem("\ufeff", required=True)


def test_only_a_mobile_can_receive_an_sms():
    assert mobile_number("+86 139-1234-5678") == "13912345678"
    assert mobile_number("0591-87654321") == ""
    assert mobile_number("x") == ""
