"""Phone numbers a person can call, and the ones staff forms refuse ("123", "abc")."""

import pytest

from sunlight.core.phones import phone_is_valid, phone_problem


@pytest.mark.parametrize(
    "number",
    ["13800138000", "+86 13800138000", "0571-87654321", "057187654321", "(0571)87654321",
     "0581-8765432", "0571-87654321转8001", "12345", "400-810-8888"],
)  # fmt: skip
def test_mobiles_landlines_with_area_code_and_hotlines_are_accepted(number):
    assert phone_is_valid(number)


@pytest.mark.parametrize("number", ["123", "abc", "12800138000", "87654321", "0571-123"])
def test_short_letters_and_landlines_without_area_code_are_refused(number):
    assert not phone_is_valid(number)
    assert "不是有效的电话号码" in phone_problem(number)


def test_a_list_of_numbers_is_checked_number_by_number():
    assert phone_problem("0581-87654321、12345", several=True) is None
    assert "“abc”" in phone_problem("0581-87654321、abc", several=True)


def test_an_empty_number_is_left_to_the_required_check():
    assert phone_problem("") is None
