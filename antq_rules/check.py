"""The checker: names and types, before anything runs.

It walks the AST once with a scope (the subject entity, the items bound by
enclosing aggregates, and global names such as parameters), resolves every
name, types every node, and builds the typed tree of `ir`. Problems are
collected rather than raised one at a time, so an author sees every mistake
in one go; a node that failed gets the type `nothing`, which agrees with
everything, so one mistake does not cascade into many.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from . import ir
from . import types as t
from .errors import CheckError, Diagnostic, did_you_mean
from .schema import EntityDef, Schema
from .source import Span
from .suggest import fold
from .syntax import ast

DATE_PARTS = ("year", "month", "day", "quarter")
PERIOD_PARTS = ("start", "end", "year")
BUILTIN_NAMES = ("period", "it")

FunctionHandler = Callable[["Checker", ast.Call, "Scope"], ir.Node]


@attrs.frozen
class Scope:
    """Item types bound by enclosing aggregates; index 0 is the subject."""

    levels: tuple[t.Type, ...]

    @property
    def level(self) -> int:
        return len(self.levels) - 1

    def push(self, item_type: t.Type) -> Scope:
        return Scope((*self.levels, item_type))


def _enum_help(value: str, enum_type: t.Enum) -> tuple:
    """`did you mean` the value whose label was given (as the readers match
    labels: case and diacritics aside), else the closest value."""
    folded = fold(value)
    for code, label in zip(enum_type.values, enum_type.labels or (), strict=False):
        if label is not None and fold(label) == folded:
            return (("help-did-you-mean", {"name": code}),)
    return did_you_mean(value, enum_type.values)


class Checker:
    def __init__(
        self,
        schema: Schema,
        subject: EntityDef,
        names: Mapping[str, ir.Node] | None = None,
        functions: Mapping[str, FunctionHandler] | None = None,
    ) -> None:
        self.schema = schema
        self.subject = subject
        self.names = dict(names or {})
        self.functions = dict(functions or {})
        self.problems: list[Diagnostic] = []
        # Parameters written as percentages (shares, like a ratio), and every
        # parameter's value: a share compared with 70 is caught here.
        self.shares: frozenset[str] = frozenset()
        self.param_values: Mapping[str, Any] = {}
        # Where the text values of parameters are written (none: set by a caller).
        self.param_spans: Mapping[str, Mapping[Any, Span | None]] = {}

    # ----------------------------------------------------------------- API

    def check(self, node: ast.Expr, *, want_bool: bool = False) -> ir.Node:
        result = self.expr(node, self.root_scope())
        if want_bool and result.type not in (t.BOOL, t.NOTHING):
            self.problem("not-bool-expression", node.span, type=t.describe(result.type))
        self.raise_problems()
        return result

    def root_scope(self) -> Scope:
        return Scope((t.Entity(self.subject.name),))

    def raise_problems(self) -> None:
        if self.problems:
            problems, self.problems = self.problems, []
            raise CheckError(problems)

    def problem(self, code: str, span: Span | None, helps: tuple = (), **params: Any) -> None:
        self.problems.append(Diagnostic(code, params, span, helps=helps))

    def failed(self, span: Span | None) -> ir.Node:
        return ir.Const(None, t.NOTHING, span=span)

    # ---------------------------------------------------------- dispatch

    def expr(self, node: ast.Expr, scope: Scope) -> ir.Node:
        method = getattr(self, "_" + type(node).__name__.lower())
        return method(node, scope)

    def _literal(self, node: ast.Literal, scope: Scope) -> ir.Node:
        kinds = {
            "bool": t.BOOL,
            "int": t.INT,
            "decimal": t.DECIMAL,
            "percent": t.DECIMAL,
            "text": t.TEXT,
            "date": t.DATE,
        }
        return ir.Const(node.value, kinds[node.kind], span=node.span)

    def _listliteral(self, node: ast.ListLiteral, scope: Scope) -> ir.Node:
        items = [self.expr(i, scope) for i in node.items]
        item_type: t.Type = t.NOTHING
        for item, source in zip(items, node.items, strict=True):
            if not t.is_scalar(item.type) and item.type != t.NOTHING:
                self.problem(
                    "mixed-list", source.span, first="a scalar", other=t.describe(item.type)
                )
                return self.failed(node.span)
            joined = t.join(item_type, item.type)
            if joined is None:
                self.problem(
                    "mixed-list",
                    source.span,
                    first=t.describe(item_type),
                    other=t.describe(item.type),
                )
                return self.failed(node.span)
            item_type = joined
        return ir.ListOf(tuple(items), t.List(item_type), span=node.span)

    def _name(self, node: ast.Name, scope: Scope) -> ir.Node:
        name = node.name
        # Innermost item first, then the subject, then global names.
        for level in range(scope.level, -1, -1):
            item_type = scope.levels[level]
            if isinstance(item_type, t.Entity):
                entity = self.schema.entities[item_type.name]
                field = entity.field(name)
                if field is not None:
                    base = ir.Var(level, item_type, span=node.span)
                    return ir.Get(base, name, field.type, field.type, span=node.span)
        if name == "it":
            if scope.level == 0:
                self.problem("it-outside-aggregate", node.span)
                return self.failed(node.span)
            return ir.Var(scope.level, scope.levels[-1], span=node.span)
        if name in self.names:
            return self.names[name]
        if name == "period":
            return ir.PeriodRef(span=node.span)
        candidates = list(self.names) + list(BUILTIN_NAMES)
        for level_type in scope.levels:
            if isinstance(level_type, t.Entity):
                candidates.extend(self.schema.entities[level_type.name].fields)
        self.problem("unknown-name", node.span, did_you_mean(name, candidates), name=name)
        return self.failed(node.span)

    def _attribute(self, node: ast.Attribute, scope: Scope) -> ir.Node:
        base = self.expr(node.obj, scope)
        base_type = base.type
        span = node.name_span or node.span
        if base_type == t.NOTHING:
            return self.failed(node.span)
        entity_type = base_type.item if isinstance(base_type, t.List) else base_type
        if isinstance(entity_type, t.Entity):
            entity = self.schema.entities[entity_type.name]
            field = entity.field(node.name)
            if field is None:
                helps = did_you_mean(node.name, list(entity.fields))
                if not helps:
                    helps = (
                        ("help-fields", {"entity": entity.name, "names": ", ".join(entity.fields)}),
                    )
                self.problem("unknown-field", span, helps, entity=entity.name, name=node.name)
                return self.failed(node.span)
            result_type = field.type
            if isinstance(base_type, t.List) and not isinstance(result_type, t.List):
                result_type = t.List(result_type)
            return ir.Get(base, node.name, field.type, result_type, span=node.span)
        if base_type == t.DATE and node.name in DATE_PARTS:
            return ir.Part(base, node.name, t.INT, span=node.span)
        if base_type == t.PERIOD and node.name in PERIOD_PARTS:
            part_type = t.INT if node.name == "year" else t.DATE
            return ir.Part(base, node.name, part_type, span=node.span)
        parts = DATE_PARTS if base_type == t.DATE else PERIOD_PARTS if base_type == t.PERIOD else ()
        if parts:
            self.problem(
                "unknown-field",
                span,
                did_you_mean(node.name, parts),
                entity=str(base_type),
                name=node.name,
            )
        else:
            self.problem(
                "no-fields", node.obj.span, name=_text_of(node.obj), type=t.describe(base_type)
            )
        return self.failed(node.span)

    def _unary(self, node: ast.Unary, scope: Scope) -> ir.Node:
        operand = self.expr(node.operand, scope)
        if node.op == "not":
            self._need_bool(operand, node.operand, "`not`")
            return ir.Not(operand, span=node.span)
        if not self._need_number(operand, node.operand, "`-`"):
            return self.failed(node.span)
        return ir.Neg(operand, operand.type, span=node.span)

    def _binary(self, node: ast.Binary, scope: Scope) -> ir.Node:
        if node.op == "where":
            return self._filter(node, scope)
        left = self.expr(node.left, scope)
        right = self.expr(node.right, scope)
        op = node.op
        span = node.span
        if op in ("and", "or"):
            self._need_bool(left, node.left, f"`{op}`")
            self._need_bool(right, node.right, f"`{op}`")
            return (ir.And if op == "and" else ir.Or)(left, right, span=span)
        if op in ("==", "!="):
            if not t.comparable(left.type, right.type):
                self.problem(
                    "bad-comparison",
                    node.op_span or span,
                    _unquote_help(node.left, left) + _unquote_help(node.right, right),
                    left=t.describe(left.type),
                    right=t.describe(right.type),
                )
                return self.failed(span)
            self._enum_values(left.type, right)
            self._enum_values(right.type, left)
            self._share_threshold(left, right, node.right, node)
            self._share_threshold(right, left, node.left, node)
            return ir.Compare(op, left, right, span=span)
        if op in ("<", "<=", ">", ">="):
            ok = (t.is_number(left.type) and t.is_number(right.type)) or (
                left.type == right.type == t.DATE
            )
            if not ok and t.NOTHING not in (left.type, right.type):
                self.problem(
                    "bad-ordering",
                    node.op_span or span,
                    _unquote_help(node.left, left) + _unquote_help(node.right, right),
                    op=op,
                    left=t.describe(left.type),
                    right=t.describe(right.type),
                )
                return self.failed(span)
            self._share_threshold(left, right, node.right, node)
            self._share_threshold(right, left, node.left, node)
            return ir.Compare(op, left, right, span=span)
        if op in ("in", "not_in"):
            return self._membership(node, left, right)
        if op == "+" and (isinstance(left.type, t.List) or isinstance(right.type, t.List)):
            return self._concat(node, left, right)
        if op in ("+", "-", "*", "/"):
            ok_left = self._need_number(left, node.left, f"`{op}`")
            ok_right = self._need_number(right, node.right, f"`{op}`")
            if not (ok_left and ok_right):
                return self.failed(span)
            both_int = left.type == t.INT and right.type == t.INT
            result_type = t.INT if both_int and op != "/" else t.DECIMAL
            return ir.Arith(op, left, right, result_type, span=span)
        if op == "??":
            joined = t.join(left.type, right.type)
            if joined is None:
                self.problem(
                    "bad-fallback",
                    node.op_span or span,
                    left=t.describe(left.type),
                    right=t.describe(right.type),
                )
                return self.failed(span)
            return ir.Fallback(left, right, joined, span=span)
        if op == "..":
            if not (left.type in (t.DATE, t.NOTHING) and right.type in (t.DATE, t.NOTHING)):
                self.problem(
                    "bad-range",
                    node.op_span or span,
                    left=t.describe(left.type),
                    right=t.describe(right.type),
                )
                return self.failed(span)
            if (
                isinstance(left, ir.Const)
                and isinstance(right, ir.Const)
                and isinstance(left.value, datetime.date)
                and isinstance(right.value, datetime.date)
                and right.value < left.value
            ):  # (every `in` of such a period would be false: "no incident" would pass)
                start, end = left.value.isoformat(), right.value.isoformat()
                self.problem("period-reversed", node.op_span or span, start=start, end=end)
                return self.failed(span)
            return ir.MakePeriod(left, right, span=span)
        raise AssertionError(f"unhandled operator {op}")

    def _share_threshold(
        self, share: ir.Node, other: ir.Node, other_ast: ast.Expr, node: ast.Binary
    ) -> None:
        """A ratio (or a parameter written as a percentage) compared with a
        number outside 0..1 — `ratio(areas.safe) >= 70` — is never meant: it
        fails (or passes) for every subject. Say so, and suggest `70%`."""
        if not self._is_share(share):
            return
        literal = _literal_number(other_ast)
        share_text = " ".join(share.span.text().split()) if share.span else "ratio(…)"
        if literal is not None:
            value, kind = literal
            if 0 <= value <= 1:
                return
            written = " ".join(other_ast.span.text().split()) if other_ast.span else str(value)
            helps: tuple = ()
            if kind != "percent" and value > 1:
                helps = (("help-did-you-mean", {"name": f"{written}%"}),)
            self.problem("share-vs-number", other_ast.span, helps, share=share_text, value=written)
            return
        folded = self._constant_number(other)
        if folded is not None and not isinstance(other, ir.Param) and not 0 <= folded <= 1:
            written = " ".join(other_ast.span.text().split()) if other_ast.span else str(folded)
            self.problem("share-vs-number", other_ast.span, (), share=share_text, value=written)
            return
        if isinstance(other, ir.Param) and other.name in self.param_values:
            value = self.param_values[other.name]
            if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
                return
            if 0 <= value <= 1:
                return
            shown = str(value) if isinstance(value, int) else str(float(value))
            self.problem(
                "share-param",
                other_ast.span,
                (("help-param-percent", {"name": other.name, "value": shown}),),
                name=other.name,
                value=shown,
                share=share_text,
            )

    def _constant_number(self, node: ir.Node) -> Fraction | int | None:
        """The value of arithmetic on literals and parameters (`0.7 * 100`),
        or None when it reads the data or is not a number."""
        if isinstance(node, ir.Const):
            value = node.value
        elif isinstance(node, ir.Param):
            value = self.param_values.get(node.name)
        elif isinstance(node, ir.Neg):
            inner = self._constant_number(node.operand)
            return None if inner is None else -inner
        elif isinstance(node, ir.Arith):
            left, right = self._constant_number(node.left), self._constant_number(node.right)
            if left is None or right is None or (node.op == "/" and right == 0):
                return None
            ops = {"+": left + right, "-": left - right, "*": left * right}
            return ops[node.op] if node.op in ops else Fraction(left) / Fraction(right)
        else:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            return None
        return value

    def _is_share(self, node: ir.Node) -> bool:
        if isinstance(node, ir.Aggregate):
            return node.func == "ratio"
        if isinstance(node, ir.Fallback):
            return self._is_share(node.left)
        if isinstance(node, ir.Param):
            return node.name in self.shares
        return False

    def _filter(self, node: ast.Binary, scope: Scope) -> ir.Node:
        """`list where condition`: the items meeting the condition."""
        source = self.expr(node.left, scope)
        if source.type == t.NOTHING:
            return self.failed(node.span)
        if not isinstance(source.type, t.List):
            self.problem("needs-list", node.left.span, what="`where`", type=t.describe(source.type))
            return self.failed(node.span)
        inner = scope.push(source.type.item)
        condition = self.expr(node.right, inner)
        self._need_bool(condition, node.right, "`where`")
        return ir.Filter(
            source,
            condition,
            inner.level,
            source.type,
            span=node.span,
            unknown_item_undefined=ir.may_be_undefined(condition),
        )

    def _concat(self, node: ast.Binary, left: ir.Node, right: ir.Node) -> ir.Node:
        """`list + list`: the items of both, of one item type."""
        joined = t.join(left.type, right.type)
        if not isinstance(joined, t.List):
            self.problem(
                "bad-concat",
                node.op_span or node.span,
                left=t.describe(left.type),
                right=t.describe(right.type),
            )
            return self.failed(node.span)
        return ir.Concat(left, right, joined, span=node.span)

    def _single(self, node: ast.Call, scope: Scope) -> ir.Node:
        """`single(list)`: the one item of a list."""
        if len(node.args) != 1:
            self.problem(
                "bad-arity",
                node.span,
                name="single",
                expected="one list",
                given=f"{len(node.args)} arguments",
            )
            return self.failed(node.span)
        source = self.expr(node.args[0], scope)
        if source.type == t.NOTHING:
            return self.failed(node.span)
        if not isinstance(source.type, t.List):
            self.problem(
                "needs-list", node.args[0].span, what="`single`", type=t.describe(source.type)
            )
            return self.failed(node.span)
        return ir.Single(source, source.type.item, span=node.span)

    def _membership(self, node: ast.Binary, left: ir.Node, right: ir.Node) -> ir.Node:
        negate = node.op == "not_in"
        if t.NOTHING in (left.type, right.type):
            return ir.Member(left, right, negate, span=node.span)
        if right.type == t.PERIOD and left.type == t.DATE:
            return ir.Member(left, right, negate, span=node.span)
        if (
            isinstance(right.type, t.List)
            and t.is_scalar(left.type)
            and t.comparable(left.type, right.type.item)
        ):
            if isinstance(right, (ir.ListOf, ir.Param)):
                self._enum_values(left.type, right)
            if isinstance(right, ir.ListOf) and isinstance(node.right, ast.ListLiteral):
                # (`ratio(…) in [70%, 100]`)
                for item, written in zip(right.items, node.right.items, strict=False):
                    self._share_threshold(left, item, written, node)
            if isinstance(left, ir.Const):
                self._enum_values(right.type.item, left)
            return ir.Member(left, right, negate, span=node.span)
        self.problem(
            "bad-membership",
            node.op_span or node.span,
            left=t.describe(left.type),
            right=t.describe(right.type),
        )
        return self.failed(node.span)

    def _enum_values(self, enum_type: t.Type, other: ir.Node) -> None:
        """A text constant compared with an enum must be one of its values."""
        if not isinstance(enum_type, t.Enum):
            return
        if isinstance(other, ir.Const) and isinstance(other.value, str):
            if other.value not in enum_type.values:
                self.problem(
                    "not-enum-value",
                    other.span,
                    did_you_mean(other.value, enum_type.values),
                    value=other.value,
                    type=t.describe(enum_type),
                )
        elif isinstance(other, ir.ListOf):
            for item in other.items:
                self._enum_values(enum_type, item)
        elif isinstance(other, ir.Param) and other.name in self.param_values:
            # (a parameter set with `--param`/`params=` is checked the same way)
            given = self.param_values[other.name]
            for value in given if isinstance(given, (list, tuple)) else [given]:
                if isinstance(value, str) and value not in enum_type.values:
                    # (at the value where the ruleset writes it, for the editor's quick
                    # fix; a value a caller gave is written nowhere: no position)
                    where = self.param_spans.get(other.name, {}).get(value)
                    self.problem(
                        "param-not-enum-value",
                        where,
                        _enum_help(value, enum_type),
                        name=other.name,
                        value=value,
                        type=t.describe(enum_type),
                    )

    def _call(self, node: ast.Call, scope: Scope) -> ir.Node:
        if node.func in ir.AGGREGATES:
            return self._aggregate(node, scope)
        if node.func == "single":
            return self._single(node, scope)
        handler = self.functions.get(node.func)
        if handler is not None:
            return handler(self, node, scope)
        known = [*ir.AGGREGATES, "single", *self.functions]
        self.problem(
            "unknown-function",
            node.name_span or node.span,
            did_you_mean(node.func, known),
            name=node.func,
        )
        return self.failed(node.span)

    def _aggregate(self, node: ast.Call, scope: Scope) -> ir.Node:
        func = node.func
        if len(node.args) not in (1, 2):
            self.problem(
                "bad-arity",
                node.span,
                name=func,
                expected="a list and, optionally, a value for each item",
                given=f"{len(node.args)} arguments",
            )
            return self.failed(node.span)
        first = node.args[0]
        where = None
        if isinstance(first, ast.Binary) and first.op == "where":
            first, where = first.left, first.right
        source = self.expr(first, scope)
        if source.type == t.NOTHING:
            return self.failed(node.span)
        if not isinstance(source.type, t.List):
            self.problem("needs-list", first.span, what=f"`{func}`", type=t.describe(source.type))
            return self.failed(node.span)
        item_type = source.type.item
        inner = scope.push(item_type)
        condition = self.expr(where, inner) if where is not None else None
        if condition is not None:
            self._need_bool(condition, where, "`where`")
        given = self.expr(node.args[1], inner) if len(node.args) == 2 else None
        item_var = ir.Var(inner.level, item_type, span=first.span)

        if func in ir.BOOL_AGGREGATES:
            if given is not None:
                self._need_bool(given, node.args[1], f"`{func}`")
                filter_, body = condition, given
            elif item_type == t.BOOL:
                filter_, body = condition, item_var
            elif condition is not None:
                filter_, body = None, condition  # `ratio(S where C)`: the share of S meeting C
            elif func == "count" or item_type == t.NOTHING:
                filter_, body = None, None
            else:
                self.problem(
                    "needs-bool", node.args[0].span, what=f"`{func}`", type=t.describe(source.type)
                )
                return self.failed(node.span)
            result_type = {"count": t.INT, "ratio": t.DECIMAL}.get(func, t.BOOL)
            return ir.Aggregate(
                func,
                source,
                filter_,
                body,
                inner.level,
                result_type,
                span=node.span,
                unknown_item_undefined=ir.may_be_undefined(filter_) or ir.may_be_undefined(body),
            )

        # sum, avg, min, max
        body = given if given is not None else item_var
        body_source = node.args[1] if given is not None else node.args[0]
        if given is None and isinstance(item_type, t.Entity):
            self.problem(
                "needs-item-value", node.args[0].span, func=func, type=t.describe(source.type)
            )
            return self.failed(node.span)
        if body.type == t.NOTHING:
            return self.failed(node.span)
        allowed = t.is_ordered(body.type) if func in ("min", "max") else t.is_number(body.type)
        if not allowed:
            if func in ("min", "max"):
                self.problem(
                    "needs-ordered", body_source.span, func=func, type=t.describe(body.type)
                )
            else:
                self.problem(
                    "needs-number", body_source.span, what=f"`{func}`", type=t.describe(body.type)
                )
            return self.failed(node.span)
        if func == "avg":
            result_type = t.DECIMAL
        else:
            result_type = body.type
        return ir.Aggregate(
            func,
            source,
            condition,
            body,
            inner.level,
            result_type,
            span=node.span,
            unknown_item_undefined=ir.may_be_undefined(condition) or ir.may_be_undefined(body),
        )

    # ------------------------------------------------------------ helpers

    def _need_bool(self, value: ir.Node, source: ast.Expr | None, what: str) -> bool:
        if value.type in (t.BOOL, t.NOTHING):
            return True
        self.problem(
            "needs-bool", source.span if source else None, what=what, type=t.describe(value.type)
        )
        return False

    def _need_number(self, value: ir.Node, source: ast.Expr, what: str) -> bool:
        if t.is_number(value.type) or value.type == t.NOTHING:
            return value.type != t.NOTHING
        self.problem("needs-number", source.span, what=what, type=t.describe(value.type))
        return False


def _text_of(node: ast.Expr) -> str:
    return node.span.text() if node.span is not None else "?"


def _literal_number(node: ast.Expr) -> tuple[Any, str] | None:
    """(value, how it was written) of a number literal, `-` included."""
    if isinstance(node, ast.Literal) and node.kind in ("int", "decimal", "percent"):
        return node.value, node.kind
    if (
        isinstance(node, ast.Unary)
        and node.op == "neg"
        and isinstance(node.operand, ast.Literal)
        and node.operand.kind in ("int", "decimal", "percent")
    ):
        return -node.operand.value, node.operand.kind
    return None


def _unquote_help(node: ast.Expr, typed: ir.Node) -> tuple:
    """`households > "5"`: a number in quotes is text; suggest dropping them."""
    if not (isinstance(node, ast.Literal) and node.kind == "text"):
        return ()
    text = str(node.value).strip().replace(",", ".")
    try:
        Fraction(text.rstrip("%"))
    except (ValueError, ZeroDivisionError):
        return ()
    return (("help-unquote", {"text": str(node.value).strip()}),)
