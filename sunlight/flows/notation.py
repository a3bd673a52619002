"""Conditions written in other engines' notations, translated into ours (flows.expressions) when
they mean the same thing, refused with a reason when they don't.

Understood: JUEL/UEL as Camunda, Activiti and Flowable write it (`${approved}`, `${amount > 1000}`,
`#{…}`, `&&`, `||`, `!`, `eq ne lt gt le ge and or not`, `true`/`false`/`null`), and FEEL-like
plain comparisons (`amount > 1000`, `decision = "准予"`, `not(approved)`). Anything that calls a
method, reads a property or runs a script is refused: that is code, not a condition on case data.
"""

import re
from dataclasses import dataclass

from sunlight.flows.expressions import ExpressionError, parse_condition

_WRAPPED = re.compile(r"^\s*[$#]\{(?P<body>.*)\}\s*$", re.DOTALL)
_CODE_LANGUAGES = ("javascript", "groovy", "python", "ruby", "js", "ecmascript", "juel-script")
# Tokens: strings, numbers, words, operators; anything else is refused.
_TOKEN = re.compile(
    r"\s*(?:(?P<string>\"[^\"]*\"|'[^']*')|(?P<number>\d+(?:\.\d+)?)|(?P<word>[A-Za-z_]\w*)"
    r"|(?P<op>&&|\|\||==|!=|<=|>=|<|>|=|!|\(|\)|,|\[|\]|\.))"
)
_WORD_OPERATORS = {
    "and": "and",
    "or": "or",
    "not": "not",
    "eq": "==",
    "ne": "!=",
    "lt": "<",
    "gt": ">",
    "le": "<=",
    "ge": ">=",
    "true": "True",
    "false": "False",
    "null": "None",
}
_SYMBOL_OPERATORS = {"&&": "and", "||": "or", "!": "not", "=": "=="}


@dataclass(frozen=True)
class Translation:
    original: str
    text: str  # in our condition language

    @property
    def changed(self) -> bool:
        return self.original.strip() != self.text


def translate_condition(condition: str, language: str = "") -> Translation:
    """Our condition for another engine's; raises ExpressionError (Chinese) when it can't."""
    original = condition.strip()
    if language and any(word in language.lower() for word in _CODE_LANGUAGES):
        raise ExpressionError(
            f"条件“{original}”是脚本（{language}），不是对办件数据的判断，不能转换"
        )
    match = _WRAPPED.match(original)
    body = match.group("body") if match else original
    tokens = _tokens(body, original)
    words: list[str] = []
    for index, (kind, value) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "op" and value in (".", "[", "]"):
            raise ExpressionError(f"条件“{original}”读取了对象的属性或方法，这是代码，不能转换")
        if kind == "word" and following == "(" and value.lower() != "not":
            raise ExpressionError(f"条件“{original}”调用了函数“{value}”，这是代码，不能转换")
        if kind == "word" and value.lower() in _WORD_OPERATORS:
            words.append(_WORD_OPERATORS[value.lower()])
        elif kind == "op" and value in _SYMBOL_OPERATORS:
            words.append(_SYMBOL_OPERATORS[value])
        elif kind == "string":
            words.append(repr(value[1:-1]))
        else:
            words.append(value)
    text = _join(words)
    text = _bare_flags(text)
    try:
        parse_condition(text)
    except ExpressionError as error:
        raise ExpressionError(f"条件“{original}”无法转换：{error}") from None
    return Translation(original, text)


def _tokens(body: str, original: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    body = body.strip()
    while position < len(body):
        match = _TOKEN.match(body, position)
        if match is None or match.end() == position:
            bad = body[position:].strip()[:10]
            raise ExpressionError(f"条件“{original}”含无法识别的写法“{bad}”")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    if not tokens:
        raise ExpressionError(f"条件“{original}”为空")
    return tokens


def _join(words: list[str]) -> str:
    text = ""
    for word in words:
        if not text or text.endswith("(") or word in (")", ","):
            text += word
        else:
            text += " " + word
    return text


_KEYWORDS = frozenset({"and", "or", "not", "in", "True", "False", "None"})


def _bare_flags(text: str) -> str:
    """`approved and not rejected` → `approved == True and not rejected == True`: a bare field
    name is a yes/no flag, which our language compares explicitly."""
    parts = re.split(r"(\band\b|\bor\b|\(|\))", text)
    result = []
    for part in parts:
        stripped = part.strip()
        negated = stripped.startswith("not ")
        name = stripped[4:].strip() if negated else stripped
        if re.fullmatch(r"[A-Za-z_]\w*", name) and name not in _KEYWORDS:
            result.append(f" {name} == False " if negated else f" {name} == True ")
        else:
            result.append(part)
    joined = re.sub(r"\s+", " ", "".join(result))
    return joined.replace("( ", "(").replace(" )", ")").strip()
