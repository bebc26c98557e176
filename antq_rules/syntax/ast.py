"""The abstract syntax tree: frozen attrs nodes, one class per construct.

Every node keeps the span it came from, out of equality and out of repr, so
that trees compare by meaning alone. Nothing here knows about types or
evaluation; the checker reads these nodes and builds a typed tree of its own.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from fractions import Fraction

import attrs

from ..source import Span

_span = attrs.field(default=None, eq=False, repr=False, kw_only=True)


# --------------------------------------------------------------- expressions


@attrs.frozen
class Literal:
    """A constant. `kind` keeps how it was written: 95% and 0.95 are equal in value
    but not in form, and the formatter writes each back as it was."""

    value: bool | int | Fraction | str | datetime.date
    kind: str  # "bool" | "int" | "decimal" | "percent" | "text" | "date"
    span: Span | None = _span


@attrs.frozen
class ListLiteral:
    items: tuple[Expr, ...]
    span: Span | None = _span


@attrs.frozen
class Name:
    name: str
    span: Span | None = _span


@attrs.frozen
class Attribute:
    """`obj.name`; on a list it reads the field of every item (and flattens)."""

    obj: Expr
    name: str
    span: Span | None = _span
    name_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Unary:
    op: str  # "not" | "neg"
    operand: Expr
    span: Span | None = _span


@attrs.frozen
class Binary:
    """Every two-operand form: `where or and + - * / == != < <= > >= in not_in ?? ..`"""

    op: str
    left: Expr
    right: Expr
    span: Span | None = _span
    op_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


@attrs.frozen
class Call:
    """`name(args…)`: an aggregate such as `count`, or a function such as `passes`."""

    func: str
    args: tuple[Expr, ...]
    span: Span | None = _span
    name_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)


Expr = Literal | ListLiteral | Name | Attribute | Unary | Binary | Call

BINARY_OPS = frozenset(
    {
        "where",
        "or",
        "and",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "in",
        "not_in",
        "..",
        "??",
        "+",
        "-",
        "*",
        "/",
    }
)


def children(node: Expr) -> Iterator[Expr]:
    """The direct sub-expressions of a node, left to right."""
    if isinstance(node, Binary):
        yield node.left
        yield node.right
    elif isinstance(node, Unary):
        yield node.operand
    elif isinstance(node, Attribute):
        yield node.obj
    elif isinstance(node, Call):
        yield from node.args
    elif isinstance(node, ListLiteral):
        yield from node.items


def depth(node: Expr) -> int:
    """Nesting depth, computed without recursion (the input may be hostile)."""
    best = 0
    stack: list[tuple[Expr, int]] = [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        stack.extend((child, level + 1) for child in children(current))
    return best


# -------------------------------------------------------------------- types


@attrs.frozen
class TypeName:
    """`bool`, `village`, `list[village]` (args holds the type in brackets)."""

    name: str
    args: tuple[TypeExpr, ...] = ()
    span: Span | None = _span


@attrs.frozen
class EnumTypeExpr:
    """`enum["a" "Nhãn A", "b"]`. `labels` is empty when no value has a label,
    else one entry a value (None where a value has none): one form per meaning,
    so that trees compare equal however they were built."""

    values: tuple[str, ...]
    labels: tuple[str | None, ...] = ()
    span: Span | None = _span


TypeExpr = TypeName | EnumTypeExpr


# ------------------------------------------------------------------ schemas


@attrs.frozen
class FieldDecl:
    name: str
    type: TypeExpr
    label: str | None = None
    span: Span | None = _span


@attrs.frozen
class EntityDecl:
    name: str
    label: str | None
    fields: tuple[FieldDecl, ...]
    span: Span | None = _span


@attrs.frozen
class EnumDecl:
    name: str
    label: str | None
    values: tuple[str, ...]
    labels: tuple[str | None, ...] = ()  # as in EnumTypeExpr
    span: Span | None = _span
    value_spans: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False, kw_only=True)


@attrs.frozen
class SchemaDecl:
    items: tuple[EntityDecl | EnumDecl, ...]
    span: Span | None = _span


# ----------------------------------------------------------------- rulesets


@attrs.frozen
class PeriodSpec:
    """The evaluation period: fixed dates, or an annual rule such as 16/11 of
    the previous year to 15/11 (`start`/`end` as (day, month) when annual)."""

    start: datetime.date | tuple[int, int]
    end: datetime.date | tuple[int, int]
    span: Span | None = _span

    @property
    def annual(self) -> bool:
        return isinstance(self.start, tuple)


@attrs.frozen
class RulesetHeader:
    id: str
    extends: str | None = None
    title: str | None = None
    title_en: str | None = None
    version: str | None = None
    effective: datetime.date | None = None
    basis: tuple[str, ...] = ()
    subject: str | None = None
    period: PeriodSpec | None = None
    applies: Expr | None = None
    span: Span | None = _span
    extends_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    subject_span: Span | None = attrs.field(default=None, eq=False, repr=False, kw_only=True)
    # Where each option was written, for the formatter to keep comments beside them.
    option_spans: tuple[tuple[str, Span], ...] = attrs.field(
        default=(), eq=False, repr=False, kw_only=True
    )


@attrs.frozen
class UseDecl:
    path: str
    alias: str | None = None
    span: Span | None = _span


@attrs.frozen
class ParamDecl:
    name: str
    default: Expr
    label: str | None = None
    override: bool = False
    span: Span | None = _span


@attrs.frozen
class DefineDecl:
    name: str
    expr: Expr
    override: bool = False
    span: Span | None = _span


@attrs.frozen
class GroupDecl:
    name: str
    title: str | None = None
    title_en: str | None = None
    span: Span | None = _span


@attrs.frozen
class ScoreItemDecl:
    """`item "title" points 2 when condition`: part of a criterion's points."""

    title: str
    points: int | Fraction
    condition: Expr
    span: Span | None = _span


@attrs.frozen
class TierDecl:
    """`points 3 when condition`: the first tier whose condition holds gives the points."""

    points: int | Fraction
    condition: Expr
    span: Span | None = _span


@attrs.frozen
class CriterionDecl:
    id: str
    title: str
    test: Expr | None = None
    title_en: str | None = None
    source: str | None = None
    points: int | Fraction | None = None
    mandatory: bool = False
    provisional: bool = False
    applies: Expr | None = None
    items: tuple[ScoreItemDecl, ...] = ()
    tiers: tuple[TierDecl, ...] = ()
    replace: bool = False
    group: str | None = None  # set from the enclosing `group` declaration
    span: Span | None = _span
    option_spans: tuple[tuple[str, Span], ...] = attrs.field(
        default=(), eq=False, repr=False, kw_only=True
    )


@attrs.frozen
class DropDecl:
    id: str
    span: Span | None = _span


@attrs.frozen
class VerdictDecl:
    expr: Expr
    span: Span | None = _span


@attrs.frozen
class LevelDecl:
    name: str
    condition: Expr | None = None
    span: Span | None = _span


RulesetItem = (
    RulesetHeader
    | EntityDecl
    | EnumDecl
    | UseDecl
    | ParamDecl
    | DefineDecl
    | GroupDecl
    | CriterionDecl
    | DropDecl
    | VerdictDecl
    | LevelDecl
)


@attrs.frozen
class RulesetFile:
    items: tuple[RulesetItem, ...]
    span: Span | None = _span
    comments: tuple[Span, ...] = attrs.field(default=(), eq=False, repr=False, kw_only=True)
