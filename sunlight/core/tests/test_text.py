import pytest

from sunlight.core.errors import ValidationFailed
from sunlight.core.text import (
    clean_line,
    clean_text,
    has_visible,
    require_text,
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
