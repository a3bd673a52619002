import pytest
from django.core.exceptions import ValidationError

from sunlight.core.errors import ValidationFailed
from sunlight.core.text import (
    clean_line,
    clean_text,
    has_visible,
    phone_normalise,
    phone_problem,
    require_text,
    validate_phone,
)


@pytest.mark.parametrize(
    "text", ["", "   ", "\ufeff", "\u200b", "\u200b\u200c\u200d\u2060", "\u3000\u00a0", "\u202e",
             "\u3164", "\t\n", "\u2800", None],
)  # fmt: skip
def test_invisible_only_text_has_nothing_visible(text):
    assert not has_visible(text)


@pytest.mark.parametrize("text", ["理由", "a", "\ufeff不符合条件", "1", "。", "×"])
def test_text_with_a_visible_character_counts(text):
    assert has_visible(text)


def test_names_lose_bidirectional_controls_and_invisibles():
    assert clean_line("\u202e张三\u202c") == "张三"
    assert clean_line("\u2066李\u200b四\u2069  \ufeff") == "李四"
    assert clean_line(" 王   五 ") == "王 五"


def test_input_is_normalised_to_nfc():
    decomposed = "Cafe\u0301"
    assert clean_line(decomposed) == "Caf\u00e9"
    assert clean_text(decomposed) == "Caf\u00e9"


def test_free_text_keeps_its_lines_but_not_invisible_controls():
    assert clean_text(" 第一行\r\n第二行\u202e\u200b ") == "第一行\n第二行"


def test_required_text_refuses_invisible_only_and_returns_the_cleaned_text():
    with pytest.raises(ValidationFailed, match="理由"):
        require_text("\ufeff", "理由")
    assert require_text(" 不符合\u200b条件 ", "理由") == "不符合条件"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13912345678", "13912345678"),
        ("+86 139 1234 5678", "13912345678"),
        ("139-1234-5678", "13912345678"),
        ("0591-87654321", "0591-87654321"),
        ("(0591)87654321", "0591-87654321"),
        ("（0591）8765 4321", "0591-87654321"),
        ("01012345678", "010-12345678"),
        ("021-6123456", "021-6123456"),
        ("0581-87654321转123", "0581-87654321转123"),
        ("１３９１２３４５６７８", "13912345678"),
    ],
)
def test_phone_numbers_in_common_shapes_are_accepted(typed, kept):
    assert phone_normalise(typed) == kept


@pytest.mark.parametrize(
    "typed",
    ["x", "{{7*7}}", "12345678901", "1391234567", "139123456789", "10086", "0591-123",
     "0591-07654321", "<script>", "13912345678; DROP", "\u202e13912345678x"],
)  # fmt: skip
def test_things_that_are_not_phone_numbers_are_refused(typed):
    assert phone_normalise(typed) == ""
    assert phone_problem(typed) is not None
    with pytest.raises(ValidationError):
        validate_phone(typed)


def test_an_optional_phone_may_be_left_empty_but_a_required_one_may_not():
    assert phone_problem("") is None
    assert phone_problem("\ufeff", required=True) is not None


def test_submitted_text_reaches_views_in_nfc(rf):
    from sunlight.core.middleware import NormaliseInputMiddleware

    seen = {}

    def view(request):
        seen["post"] = request.POST["name"]
        seen["password"] = request.POST["password"]
        seen["get"] = request.GET["q"]
        from django.http import HttpResponse

        return HttpResponse()

    request = rf.post("/x/?q=Cafe\u0301", {"name": "Cafe\u0301", "password": "Cafe\u0301"})
    NormaliseInputMiddleware(view)(request)
    assert seen == {"post": "Caf\u00e9", "password": "Cafe\u0301", "get": "Caf\u00e9"}
