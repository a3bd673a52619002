"""Branch conditions as a clerk builds and reads them: a case field, an operator and a value
picked from lists (the builder), and any condition said in words ("是否需要现场核查为“是”").

The stored form stays our condition language (flows.expressions); this module only translates
between it and what a person picks and reads.
"""

import ast
from dataclasses import dataclass

from sunlight.flows.expressions import ExpressionError, parse_condition
from sunlight.flows.fields import CASE_FIELDS, CaseField

OPERATORS = [
    ("eq", "等于"),
    ("ne", "不等于"),
    ("gt", "大于"),
    ("ge", "大于或等于"),
    ("lt", "小于"),
    ("le", "小于或等于"),
]
_SYMBOLS = {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_CODES = {ast.Eq: "eq", ast.NotEq: "ne", ast.Gt: "gt", ast.GtE: "ge", ast.Lt: "lt", ast.LtE: "le"}
_WORDS = dict(OPERATORS) | {"in": "属于", "not_in": "不属于"}
YES, NO = "是", "否"


@dataclass(frozen=True)
class PickedCondition:
    field: str
    operator: str  # a code of OPERATORS
    value: str  # as typed or picked: 是/否, a number, a choice


def field_choices() -> list[tuple[str, str]]:
    return [("", "—")] + [(f.name, f.label) for f in CASE_FIELDS.values()]


def build_condition(picked: PickedCondition) -> str:
    """The condition text for what was picked; raises ExpressionError (Chinese) when the value
    doesn't suit the field."""
    field = CASE_FIELDS.get(picked.field)
    if field is None:
        raise ExpressionError(f"“{picked.field}”不是可用的办件字段")
    if picked.operator not in _SYMBOLS:
        raise ExpressionError("请选择比较方式")
    value = picked.value.strip()
    if field.kind == "bool":
        if value not in (YES, NO):
            raise ExpressionError(f"“{field.label}”的值只能是“是”或“否”")
        if picked.operator not in ("eq", "ne"):
            raise ExpressionError(f"“{field.label}”只能比较“等于”或“不等于”")
        literal = "True" if value == YES else "False"
    elif field.kind == "number":
        try:
            number = float(value.replace(",", "").replace("，", ""))
        except ValueError:
            raise ExpressionError(f"“{field.label}”的值应为数字，而不是“{value}”") from None
        literal = f"{number:g}"
    else:
        if not value:
            raise ExpressionError(f"请填写“{field.label}”要比较的值")
        if field.choices and value not in field.choices:
            raise ExpressionError(f"“{field.label}”的值应为：{'、'.join(field.choices)}")
        if picked.operator not in ("eq", "ne"):
            raise ExpressionError(f"“{field.label}”是文字，只能比较“等于”或“不等于”")
        literal = repr(value)
    text = f"{field.name} {_SYMBOLS[picked.operator]} {literal}"
    parse_condition(text)
    return text


def picked_from(condition: str) -> PickedCondition | None:
    """What the builder shows for a stored condition, or None when it is more than one field
    compared with one value (and/or, lists): those stay as text."""
    try:
        tree = parse_condition(condition).tree
    except ExpressionError:
        return None
    if not (
        isinstance(tree, ast.Compare)
        and len(tree.ops) == 1
        and isinstance(tree.left, ast.Name)
        and isinstance(tree.comparators[0], ast.Constant)
        and type(tree.ops[0]) in _CODES
        and tree.left.id in CASE_FIELDS
    ):
        return None
    value = tree.comparators[0].value
    if isinstance(value, bool):
        shown = YES if value else NO
    elif isinstance(value, int | float):
        shown = f"{value:g}"
    else:
        shown = str(value)
    return PickedCondition(tree.left.id, _CODES[type(tree.ops[0])], shown)


def describe_condition(condition: str) -> str:
    """The condition in words, for pages and drawings; the text itself when it can't be read."""
    try:
        return _describe(parse_condition(condition).tree)
    except ExpressionError:
        return condition


def _label(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        field: CaseField | None = CASE_FIELDS.get(node.id)
        return field.label if field else node.id
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool):
            return YES if node.value else NO
        if isinstance(node.value, int | float):
            return f"{node.value:g}"
        return f"“{node.value}”"
    if isinstance(node, ast.Tuple | ast.List):
        return "、".join(_label(e) for e in node.elts)
    return ast.unparse(node)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.BoolOp):
        joiner = "，并且" if isinstance(node.op, ast.And) else "，或者"
        return joiner.join(_describe(v) for v in node.values)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return f"并非（{_describe(node.operand)}）"
    if isinstance(node, ast.Compare):
        parts = [_label(node.left)]
        for op, right in zip(node.ops, node.comparators, strict=True):
            code = _CODES.get(type(op)) or ("in" if isinstance(op, ast.In) else "not_in")
            is_flag = isinstance(right, ast.Constant) and isinstance(right.value, bool)
            if is_flag and code in ("eq", "ne"):
                parts.append("为" if code == "eq" else "不为")
                parts.append(f"“{_label(right)}”")
            else:
                parts += [_WORDS[code], _label(right)]
        return "".join(parts)
    if isinstance(node, ast.Name):
        return f"{_label(node)}为“是”"
    return ast.unparse(node)
