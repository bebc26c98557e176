"""`compile_expression`: one expression, checked against a schema, ready to run.

This is the facade's smallest unit: parse → check → compile, once, and
evaluate many times with either evaluator.
"""

from __future__ import annotations

from typing import Any

from . import ir
from . import types as t
from .check import Checker
from .data import check_call, to_plain_period
from .errors import AntqError, Diagnostic
from .fast import expression_function
from .interpret import Context
from .interpret import evaluate as interpret
from .model import Outcome, status_of
from .schema import Schema
from .syntax import ast
from .syntax.parser import parse_expression


class Expression:
    """A checked, compiled expression over one subject entity of a schema."""

    def __init__(
        self, text: str, tree: ast.Expr, typed: ir.Node, schema: Schema, subject: str, period: Any
    ) -> None:
        self.text = text
        self.ast = tree
        self.typed = typed
        self.schema = schema
        self.subject = subject
        self.period = period
        # Generated code (see `fast`) for values, not for lists of items.
        self._fast = None if isinstance(typed.type, t.List) else expression_function(typed)

    @property
    def type(self) -> str:
        return str(self.typed.type)

    def evaluate(self, data: Any, *, period: Any = None, evaluator: str = "compiled") -> Outcome:
        """Judge one subject. `data`: a dict, an attrs instance or a dataclass."""
        period = to_plain_period(period) if period is not None else self.period
        value = evaluate_tree(self.typed, self._fast, data, self.subject, period, evaluator)
        status = status_of(value) if self.typed.type == t.BOOL else None
        return Outcome(value, self.type, status)

    def __repr__(self) -> str:
        return f"Expression({self.text!r}, subject={self.subject!r}, type={self.type})"


def evaluate_tree(
    typed: ir.Node, code: Any, data: Any, subject: str, period: Any, evaluator: str
) -> Any:
    """The generated code's value; where it stops (a value of the wrong type,
    something it leaves to the general path) or for `evaluator="reference"`,
    the reference interpreter's, which also says where data is wrong."""
    check_call(data, subject, evaluator)
    if evaluator == "compiled" and code is not None:
        try:
            return code(data, period)
        except Exception:  # anything unusual: the reference decides
            pass
    return interpret(typed, data, Context(period))


def compile_expression(
    text: str,
    *,
    schema: Schema,
    subject: str | type,
    period: Any = None,
    name: str = "<expression>",
) -> Expression:
    """Parse, check and compile `text` against `schema` for `subject` items.

    `period` (a pair of dates, or `"2021-01-01 .. 2021-12-15"`) is the value of
    `period` in the expression; it can also be given to `evaluate`."""
    if not isinstance(schema, Schema):
        raise AntqError(
            Diagnostic(
                "bad-schema-mapping", {"detail": "`schema` must be a Schema (see Schema.from_text)"}
            )
        )
    subject_name = schema.subject_name(subject)
    entity = schema.entity(subject_name)
    tree = parse_expression(text, name)
    typed = Checker(schema, entity).check(tree)
    return Expression(text, tree, typed, schema, subject_name, to_plain_period(period))
