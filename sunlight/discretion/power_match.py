"""Which penalty power (行政处罚 item of the catalog) a violation of a bureau's table belongs
to, by legal basis and name — pure functions over plain values.

Legal bases are compared as (law, article number) pairs: 《》, 中华人民共和国 and notes such as
（2021年修正） are dropped, and 第一百二十三条 and 第123条 are the same article. Names are compared
with what a power's name adds around the violation stripped (对…的处罚, 行为, 核发 …). A match
needs the same article, or the same name, and must be better than every other power's: ties
and weak likenesses go to the officer instead (a wrong guess would publish a benchmark under
the wrong power).
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from sunlight.discretion.amounts import chinese_number

_LAW = re.compile(r"《([^》]{1,80})》")
_ARTICLE = re.compile(r"第([零〇一二两三四五六七八九十百千\d]+)条")
_NOTE = re.compile(r"[（(][^）)]*[）)]")
_PUNCT = re.compile(r"[\W_]+")
_NAME_LEAD = re.compile(r"^(?:对|关于)")
_NAME_TAIL = re.compile(r"(?:的)?(?:行政)?(?:处罚|处理)$|(?:的)?(?:违法)?行为$|的$")
MIN_SCORE = 3


def law_key(name: str) -> str:
    """《中华人民共和国食品安全法（2021年修正）》 → 食品安全法."""
    text = unicodedata.normalize("NFKC", name or "")
    text = _NOTE.sub("", text).strip("《》 ")
    text = text.removeprefix("中华人民共和国")
    return _PUNCT.sub("", text)


def article_number(text: str) -> str:
    """第一百二十三条第一款 → "123"; "" when no article is named."""
    match = _ARTICLE.search(unicodedata.normalize("NFKC", text or ""))
    if not match:
        return ""
    value = chinese_number(match.group(1))
    return "" if value is None else str(int(value))


def basis_pairs(text: str) -> set[tuple[str, str]]:
    """Every (law, article) a basis text cites, each article under the law named before it:
    "《食品安全法》第一百二十三条、第一百二十四条" → {(食品安全法, 123), (食品安全法, 124)}."""
    text = unicodedata.normalize("NFKC", text or "")
    pairs: set[tuple[str, str]] = set()
    laws = list(_LAW.finditer(text))
    for index, law in enumerate(laws):
        end = laws[index + 1].start() if index + 1 < len(laws) else len(text)
        key = law_key(law.group(1))
        articles = _ARTICLE.findall(text[law.end() : end])
        if not articles:
            pairs.add((key, ""))
        for article in articles:
            value = chinese_number(article)
            pairs.add((key, "" if value is None else str(int(value))))
    return pairs


def name_key(text: str) -> str:
    """对生产经营用非食品原料生产的食品的行为的处罚 → 生产经营用非食品原料生产的食品."""
    key = _PUNCT.sub("", unicodedata.normalize("NFKC", text or ""))
    key = _LAW.sub("", key)
    key = key.replace("核发", "")
    key = _NAME_LEAD.sub("", key)
    previous = None
    while previous != key:
        previous = key
        key = _NAME_TAIL.sub("", key)
    return key


@dataclass(frozen=True)
class PowerCandidate:
    """What matching needs of a penalty power."""

    pk: int
    code: str
    name: str
    bases: frozenset[tuple[str, str]]  # (law, article) pairs of its legal bases


@dataclass(frozen=True)
class Match:
    power: PowerCandidate | None
    score: int
    candidates: tuple[PowerCandidate, ...] = ()  # the closest powers, when none was chosen


def candidate(pk: int, code: str, name: str, bases: Iterable[tuple[str, str]]) -> PowerCandidate:
    """A power from its legal bases as (law name, article) rows of the catalog."""
    pairs = set()
    for law, article in bases:
        pairs.add((law_key(law), article_number(article)))
        pairs |= basis_pairs(article)  # an article field that cites 《…》 itself
    return PowerCandidate(pk, code, name, frozenset(pairs))


def score(power: PowerCandidate, *, name: str, basis: str, hint: str = "") -> int:
    """How well a violation (name, legal and penalty basis text, the table's 处罚事项 if any)
    fits a power: 10 for the power named by the table, else 3 per shared article, 1 for a
    shared law only, plus 3 for the same name or 2 when one contains the other."""
    return _score(power, name_key(name), basis_pairs(basis), hint)


def _score(power: PowerCandidate, mine: str, cited: set[tuple[str, str]], hint: str) -> int:
    theirs = name_key(power.name)
    if hint and (hint.strip() == power.code or name_key(hint) == theirs):
        return 10
    articles = {pair for pair in cited if pair[1]} & {pair for pair in power.bases if pair[1]}
    total = 3 if articles else 0
    if not articles and {law for law, _ in cited} & {law for law, _ in power.bases}:
        total = 1
    if mine and mine == theirs:
        total += 3
    elif min(len(mine), len(theirs)) >= 4 and (mine in theirs or theirs in mine):
        total += 2
    return total


def best_match(powers: list[PowerCandidate], *, name: str, basis: str, hint: str = "") -> Match:
    """The power a violation belongs to, or none (with the closest few) when no power scores
    at least MIN_SCORE or two share the best score."""
    mine, cited = name_key(name), basis_pairs(basis)
    scored = sorted(
        ((_score(p, mine, cited, hint), p) for p in powers),
        key=lambda pair: (-pair[0], pair[1].code),
    )
    if not scored:
        return Match(None, 0)
    top, power = scored[0]
    tied = len(scored) > 1 and scored[1][0] == top
    if top >= MIN_SCORE and not tied:
        return Match(power, top)
    close = tuple(p for s, p in scored[:3] if s > 0)
    return Match(None, top, close)
