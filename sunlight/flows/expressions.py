"""Conditions on case fields, e.g. `hearing_requested == True and fine_amount >= 10000`.

Parsed with Python's `ast` only to get a syntax tree, then checked against a small whitelist and
evaluated by walking that tree ourselves: nothing is ever compiled or executed as code. Allowed:
field names, string/number/bool constants, comparisons (== != < <= > >= in, not in), and/or/not,
parentheses, tuples/lists of constants for `in`.
"""

import ast
import operator
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_LENGTH = 500
_COMPARE = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}


class ExpressionError(ValueError):
    """The text is not a valid condition; the message is Chinese."""


@dataclass(frozen=True)
class Condition:
    text: str
    tree: ast.expr
    fields: frozenset[str]

    def evaluate(self, values: Mapping[str, Any]) -> bool:
        return bool(_evaluate(self.tree, values))


def parse_condition(text: str) -> Condition:
    text = (text or "").strip()
    if not text:
        raise ExpressionError("条件为空")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"条件过长（超过{MAX_LENGTH}字符）")
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(f"条件“{text}”不是合法的表达式（第{exc.offset}个字符附近）") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError(f"条件“{text[:50]}”嵌套过深或含非法字符") from None
    fields: set[str] = set()
    _check(tree, fields, text)
    return Condition(text=text, tree=tree, fields=frozenset(fields))


def _check(node: ast.AST, fields: set[str], text: str) -> None:
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, fields, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, fields, text)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        if not (isinstance(node.operand, ast.Constant) and _is_number(node.operand.value)):
            raise ExpressionError(f"条件“{text}”中负号只能用于数字")
    elif isinstance(node, ast.Compare):
        if not all(type(op) in _COMPARE for op in node.ops):
            raise ExpressionError(f"条件“{text}”使用了不支持的比较运算")
        for operand in (node.left, *node.comparators):
            _check(operand, fields, text)
    elif isinstance(node, ast.Name):
        fields.add(node.id)
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool) and node.value is not None:
            raise ExpressionError(f"条件“{text}”含不支持的常量")
    elif isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            if not isinstance(element, ast.Constant):
                raise ExpressionError(f"条件“{text}”的列表只能包含常量")
    else:
        # Calls, attributes, subscripts, lambdas, arithmetic…: anything that could run code or
        # reach into objects is refused.
        raise ExpressionError(f"条件“{text}”含不允许的写法（{type(node).__name__}）")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _evaluate(node: ast.AST, values: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(_evaluate(v, values) for v in node.values)
        return any(_evaluate(v, values) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        operand = _evaluate(node.operand, values)
        return (not operand) if isinstance(node.op, ast.Not) else -operand
    if isinstance(node, ast.Compare):
        left = _evaluate(node.left, values)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _evaluate(comparator, values)
            try:
                if not _COMPARE[type(op)](left, right):
                    return False
            except TypeError:
                return False  # comparing a missing (None) field with a number is simply false
            left = right
        return True
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(_evaluate(e, values) for e in node.elts)
    raise ExpressionError(f"无法计算的表达式节点 {type(node).__name__}")
