"""What an explanation says of an expression, whatever traced it: the text
its author wrote, which nodes it states as facts, and how a comparison reads
as a fact (the measured side left, the threshold right)."""

from __future__ import annotations

import functools

from . import ir, labels
from . import types as t

# `95% < x` reads `x > 95%`: the operator seen from the other side.
FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


@functools.lru_cache(maxsize=4096)  # nodes hash by identity; explanations ask again and again
def text_of(node: ir.Node) -> str:
    """An expression as its author wrote it (on one line)."""
    if isinstance(node, ir.Param):
        return node.name
    if node.span is not None:
        return " ".join(node.span.text().split())
    if isinstance(node, ir.Const):
        return str(node.value)
    return type(node).__name__.lower()


def is_fixed(node: ir.Node) -> bool:
    """A literal or a parameter: a threshold, not a measurement."""
    return isinstance(node, (ir.Const, ir.Param))


def is_fact(node: ir.Node) -> bool:
    """Nodes an explanation states as facts: comparisons and true/false values."""
    return isinstance(node, (ir.Compare, ir.CriterionRef, ir.RulesetRef)) or (
        isinstance(node, ir.Get) and node.type == t.BOOL
    )


def fact_sides(
    node: ir.Compare, percent_params: frozenset[str]
) -> tuple[ir.Node, ir.Node, str, bool]:
    """(measured side, threshold side, operator, shown as a percentage) of a
    comparison stated as a fact."""
    left, right, op = node.left, node.right, node.op
    if is_fixed(left) and not is_fixed(right):
        left, right, op = right, left, FLIP[op]
    percent = (
        (isinstance(left, ir.Aggregate) and left.func == "ratio")
        or (isinstance(right, ir.Param) and right.name in percent_params)
        or text_of(right).endswith("%")
    )
    return left, right, op, percent


def fact_labels(left: ir.Node, right: ir.Node) -> tuple[tuple[str, str], ...]:
    """(code, label) of the enum whose values a comparison states: reports
    show the labels, the fact keeps the codes."""
    return labels.pairs(left.type) or labels.pairs(right.type)
