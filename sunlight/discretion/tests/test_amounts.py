"""Penalty standards as real tables write them, read into kinds and amounts (pure functions)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sunlight.discretion.amounts import chinese_number, parse_standard
from sunlight.discretion.choices import AmountMode, PenaltyKind

D = Decimal


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", D(0)),
        ("2000", D(2000)),
        ("2000.5", D("2000.5")),
        ("１２３", D(123)),
        ("一", D(1)),
        ("十", D(10)),
        ("十五", D(15)),
        ("二十", D(20)),
        ("一百零五", D(105)),
        ("一千零一十", D(1010)),
        ("两千五百", D(2500)),
        ("五万", D(50000)),
        ("十万", D(100000)),
        ("一百万", D(1000000)),
        ("一千五百万", D(15000000)),
        ("三亿五千万", D(350000000)),
        ("1万", D(10000)),
        ("1.5万", D(15000)),
        ("5千", D(5000)),
        ("二〇二四", D(2024)),
        ("〇", D(0)),
        ("零", D(0)),
        ("壹拾贰", D(12)),
        ("贰仟", D(2000)),
        ("伍万", D(50000)),
        ("两", D(2)),
    ],
)
def test_numbers_in_chinese_and_arabic(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize("text", ["", "万", "元", "一般", "abc", "二3"])
def test_what_is_not_a_number(text):
    assert chinese_number(text) is None


_CN = "零一二三四五六七八九"


def _written(n: int) -> str:
    """n (< 100,000,000) the way Chinese is written, as an independent oracle."""
    if n == 0:
        return "零"

    def below_10000(value: int) -> str:
        out, zero = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = value // unit % 10
            if digit:
                out += ("零" if zero and out else "") + _CN[digit] + name
                zero = False
            else:
                zero = True
        return out

    high, low = divmod(n, 10000)
    text = below_10000(high) + "万" if high else ""
    if low:
        text += ("零" if high and low < 1000 else "") + below_10000(low)
    return text


@given(st.integers(min_value=0, max_value=99_999_999))
def test_any_written_number_reads_back(n):
    assert chinese_number(_written(n)) == n
    assert chinese_number(str(n)) == n


def _one(text):
    penalties = parse_standard(text)
    assert len(penalties) == 1, penalties
    return penalties[0]


@pytest.mark.parametrize(
    ("text", "mode", "base", "lower", "upper"),
    [
        ("处五万元以上十万元以下罚款", AmountMode.FIXED, "", D(50000), D(100000)),
        ("处2000元以上1万元以下的罚款", AmountMode.FIXED, "", D(2000), D(10000)),
        ("处2,000元以上20,000元以下罚款", AmountMode.FIXED, "", D(2000), D(20000)),
        ("处贰仟元以上伍万元以下罚款", AmountMode.FIXED, "", D(2000), D(50000)),
        ("罚款5000至10000元", AmountMode.FIXED, "", D(5000), D(10000)),
        ("5000-10000", AmountMode.FIXED, "", D(5000), D(10000)),
        ("处一万元以下罚款", AmountMode.FIXED, "", D(0), D(10000)),
        ("处不超过两万元的罚款", AmountMode.FIXED, "", D(0), D(20000)),
        ("处五千元以上罚款", AmountMode.FIXED, "", D(5000), None),
        ("处500元罚款", AmountMode.FIXED, "", D(500), D(500)),
        ("货值金额一倍以上三倍以下", AmountMode.MULTIPLE, "货值金额", D(1), D(3)),
        ("处违法所得二倍以上五倍以下罚款", AmountMode.MULTIPLE, "违法所得", D(2), D(5)),
        ("并处货值金额十倍以上二十倍以下罚款", AmountMode.MULTIPLE, "货值金额", D(10), D(20)),
        ("处不超过违法所得三倍的罚款", AmountMode.MULTIPLE, "违法所得", D(0), D(3)),
        ("处违法所得五倍以下罚款", AmountMode.MULTIPLE, "违法所得", D(0), D(5)),
        ("处违法所得一倍以上罚款", AmountMode.MULTIPLE, "违法所得", D(1), None),
        ("处应缴税款0.5倍至3倍罚款", AmountMode.MULTIPLE, "应缴税款", D("0.5"), D(3)),
        ("总投资额百分之一以上百分之五以下", AmountMode.SHARE, "总投资额", D(1), D(5)),
        ("处货值金额5%以上10%以下罚款", AmountMode.SHARE, "货值金额", D(5), D(10)),
        (
            "处合同价款千分之五以上千分之十以下的罚款",
            AmountMode.SHARE,
            "合同价款",
            D("0.5"),
            D(1),
        ),
        ("千分之五", AmountMode.SHARE, "", D("0.5"), D("0.5")),
        ("处工程合同价款百分之二以下罚款", AmountMode.SHARE, "工程合同价款", D(0), D(2)),
    ],
)
def test_fines_written_as_text(text, mode, base, lower, upper):
    penalty = _one(text)
    assert penalty.kind == PenaltyKind.FINE
    assert (penalty.mode, penalty.base_name, penalty.lower, penalty.upper) == (
        mode,
        base,
        lower,
        upper,
    )
    assert penalty.text == text


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("警告", [PenaltyKind.WARNING]),
        ("给予警告、通报批评", [PenaltyKind.WARNING, PenaltyKind.CRITICISM]),
        ("没收违法所得", [PenaltyKind.CONFISCATE_GAINS]),
        ("没收非法财物", [PenaltyKind.CONFISCATE_PROPERTY]),
        ("没收违法生产的工具、设备", [PenaltyKind.CONFISCATE_PROPERTY]),
        ("责令停产停业", [PenaltyKind.SUSPEND_BUSINESS]),
        ("责令停业整顿六个月", [PenaltyKind.SUSPEND_BUSINESS]),
        ("暂扣许可证件", [PenaltyKind.SUSPEND_LICENCE]),
        ("暂扣营业执照", [PenaltyKind.SUSPEND_LICENCE]),
        ("吊销食品生产许可证", [PenaltyKind.REVOKE_LICENCE]),
        ("降低资质等级", [PenaltyKind.DOWNGRADE]),
        ("限制开展生产经营活动", [PenaltyKind.RESTRICT_BUSINESS]),
        ("责令关闭", [PenaltyKind.CLOSE]),
        ("处五日以上十日以下行政拘留", [PenaltyKind.DETENTION]),
        (
            "处警告，并处五万元以上十万元以下罚款；没收违法所得",
            [PenaltyKind.WARNING, PenaltyKind.FINE, PenaltyKind.CONFISCATE_GAINS],
        ),
        (
            "没收违法所得、非法财物，并处违法所得一倍以上三倍以下罚款",
            [PenaltyKind.CONFISCATE_GAINS, PenaltyKind.CONFISCATE_PROPERTY, PenaltyKind.FINE],
        ),
        ("处罚款，情节严重的，吊销许可证", [PenaltyKind.FINE, PenaltyKind.REVOKE_LICENCE]),
    ],
)
def test_measures_other_than_fines_are_penalty_kinds(text, kinds):
    assert [p.kind for p in parse_standard(text)] == kinds


def test_a_multiple_of_illegal_gains_is_not_a_confiscation():
    (fine,) = parse_standard("处违法所得二倍以上五倍以下罚款")
    assert fine.kind == PenaltyKind.FINE


@pytest.mark.parametrize("text", ["不予处罚", "不予行政处罚", "依法不予处罚", "免予处罚", ""])
def test_no_penalty(text):
    assert parse_standard(text) == []


def test_a_condition_stays_with_the_penalty_it_governs():
    penalties = parse_standard(
        "货值金额不足一万元的，处五万元以上十万元以下罚款；"
        "货值金额一万元以上的，处货值金额十倍以上二十倍以下罚款"
    )
    assert [(p.mode, p.lower, p.upper) for p in penalties] == [
        (AmountMode.FIXED, D(50000), D(100000)),
        (AmountMode.MULTIPLE, D(10), D(20)),
    ]
    assert penalties[0].text.startswith("货值金额不足一万元的")
    assert penalties[1].text.startswith("货值金额一万元以上的")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("处以罚款", PenaltyKind.FINE),  # a fine without an amount
        ("责令限期改正", PenaltyKind.OTHER),  # not a penalty we know
        ("按有关规定处理", PenaltyKind.OTHER),
    ],
)
def test_what_cannot_be_read_is_kept_as_text(text, kind):
    penalty = _one(text)
    assert (penalty.kind, penalty.mode, penalty.text) == (kind, AmountMode.TEXT, text)
    assert not penalty.understood


@given(st.text(max_size=60))
def test_any_text_is_either_read_or_kept(text):
    """Nothing is lost: every penalty carries the clause it came from, and the parser never
    raises whatever the text."""
    for penalty in parse_standard(text):
        assert penalty.text
        if penalty.mode == AmountMode.TEXT:
            assert penalty.lower is None and penalty.upper is None


@given(st.integers(1, 9999), st.integers(1, 9999))
def test_any_yuan_range_reads_back(a, b):
    lower, upper = min(a, b), max(a, b)
    (fine,) = parse_standard(f"处{_written(lower)}元以上{_written(upper)}元以下罚款")
    assert (fine.lower, fine.upper) == (lower, upper)
