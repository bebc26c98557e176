"""The typed tree: what the checker hands to the evaluators.

Names are resolved (a bare `safe` inside `ratio(villages where …)` becomes
"field `safe` of the item at aggregate level 1"), every node carries its type,
and aggregates are normalised to one shape: a source list, an optional
`filter` (which items take part) and an optional `body` (the per-item test or
value). Evaluators never look at the AST or at names again.
"""

from __future__ import annotations

import weakref
from typing import Any

import attrs

from . import types as t
from .source import Span

_span = attrs.field(default=None, repr=False, kw_only=True)


@attrs.frozen(eq=False)
class Const:
    value: Any
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Var:
    """The subject (level 0) or the item bound by the aggregate at `level`."""

    level: int
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Get:
    """Read `field` of an entity; on a list of entities, of every item, flattened."""

    base: Node
    field: str
    field_type: t.Type  # as declared in the schema
    type: t.Type  # of the result: list[…] when the base is a list
    span: Span | None = _span


@attrs.frozen(eq=False)
class Part:
    """`year`, `month`, `day`, `quarter` of a date; `start`, `end`, `year` of a period."""

    base: Node
    part: str
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class PeriodRef:
    """The evaluation period (given when the expression is compiled or evaluated)."""

    type: t.Type = t.PERIOD
    span: Span | None = _span


@attrs.frozen(eq=False)
class Param:
    """A named parameter of a ruleset; its value is fixed when the ruleset is loaded."""

    name: str
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Not:
    operand: Node
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class Neg:
    operand: Node
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class And:
    left: Node
    right: Node
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class Or:
    left: Node
    right: Node
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class Compare:
    op: str  # == != < <= > >=
    left: Node
    right: Node
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class Member:
    """`element in container` (a list, or a period for dates); `negate` for `not in`."""

    element: Node
    container: Node
    negate: bool
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class Arith:
    op: str  # + - * /
    left: Node
    right: Node
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Fallback:
    """`left ?? right`: right wherever left is undefined."""

    left: Node
    right: Node
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class MakePeriod:
    start: Node
    end: Node
    type: t.Type = t.PERIOD
    span: Span | None = _span


@attrs.frozen(eq=False)
class ListOf:
    items: tuple[Node, ...]
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Filter:
    """`source where condition`: the items of a list meeting the condition. An
    item whose condition is unknown may or may not belong to the result."""

    source: Node
    condition: Node
    level: int
    type: t.Type
    span: Span | None = _span
    # Whether the condition could be undefined for an item nothing is known about.
    unknown_item_undefined: bool = attrs.field(default=False, kw_only=True)


@attrs.frozen(eq=False)
class Concat:
    """`left + right` on lists: the items of both, left's first. Each item
    keeps where it came from (its own data path)."""

    left: Node
    right: Node
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class Single:
    """`single(list)`: the one item of a list. No item: not known (a row is
    missing from the data); more than one: a data error naming them."""

    source: Node
    type: t.Type
    span: Span | None = _span


@attrs.frozen(eq=False)
class CriterionRef:
    """`passes(C)` or `applies(C)`: the outcome of another criterion of the ruleset."""

    id: str
    kind: str  # "passes" | "applies"
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class RulesetRef:
    """`passes(R)` / `applies(R)`: another ruleset judging the subject or the item
    bound at `level` (whose entity is that ruleset's subject)."""

    ruleset: Any  # antq_rules.ruleset.Ruleset
    kind: str
    level: int
    type: t.Type = t.BOOL
    span: Span | None = _span


@attrs.frozen(eq=False)
class OutcomeRef:
    """`score`, `max_score` or `level` inside a ruleset's verdict and levels."""

    name: str
    type: t.Type
    span: Span | None = _span


BOOL_AGGREGATES = ("count", "ratio", "all", "any", "none")
VALUE_AGGREGATES = ("sum", "avg", "min", "max")
AGGREGATES = BOOL_AGGREGATES + VALUE_AGGREGATES


@attrs.frozen(eq=False)
class Aggregate:
    """`func` over the items of `source`.

    `filter` (bool, item scope) chooses the items that take part; `body`
    (item scope) is the per-item test (count, ratio, all, any, none) or value
    (sum, avg, min, max). `count` without a body counts the items. The item
    is bound to `Var(level)` inside filter and body.
    """

    func: str
    source: Node
    filter: Node | None
    body: Node | None
    level: int
    type: t.Type
    span: Span | None = _span
    # Whether an item we know nothing about (one of a missing list) could make
    # the filter or body undefined: then so may the aggregate be.
    unknown_item_undefined: bool = attrs.field(default=False, kw_only=True)


Node = (
    Const
    | Var
    | Get
    | Part
    | PeriodRef
    | Param
    | Not
    | Neg
    | And
    | Or
    | Compare
    | Member
    | Arith
    | Fallback
    | MakePeriod
    | ListOf
    | Concat
    | Single
    | Filter
    | Aggregate
    | CriterionRef
    | RulesetRef
    | OutcomeRef
)


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-nodes, in evaluation order."""
    if isinstance(node, (Get, Part)):
        return (node.base,)
    if isinstance(node, Single):
        return (node.source,)
    if isinstance(node, (Not, Neg)):
        return (node.operand,)
    if isinstance(node, (And, Or, Compare, Arith, Fallback, Concat)):
        return (node.left, node.right)
    if isinstance(node, Member):
        return (node.element, node.container)
    if isinstance(node, MakePeriod):
        return (node.start, node.end)
    if isinstance(node, ListOf):
        return node.items
    if isinstance(node, Aggregate):
        return tuple(n for n in (node.source, node.filter, node.body) if n is not None)
    if isinstance(node, Filter):
        return (node.source, node.condition)
    return ()


def walk(node: Node) -> list[Node]:
    """Every node, parents before children (iteratively)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


_FREE: weakref.WeakKeyDictionary[Any, frozenset[int]] = weakref.WeakKeyDictionary()


def free_levels(node: Node) -> frozenset[int]:
    """The levels of the items a node reads that it does not bind itself
    (0: the subject; -1: the outcomes judged so far, `passes(K)`, `score`);
    remembered for each node."""
    found = _FREE.get(node)
    if found is not None:
        return found
    if isinstance(node, (Var, RulesetRef)):
        out = frozenset({node.level})
    elif isinstance(node, (CriterionRef, OutcomeRef)):
        out = frozenset({-1})
    elif isinstance(node, Aggregate):
        inner = frozenset().union(*(free_levels(c) for c in (node.filter, node.body) if c))
        out = free_levels(node.source) | (inner - {node.level})
    elif isinstance(node, Filter):
        out = free_levels(node.source) | (free_levels(node.condition) - {node.level})
    else:
        out = frozenset().union(*(free_levels(c) for c in children(node)))
    _FREE[node] = out
    return out


def uses_period(node: Node) -> bool:
    return any(isinstance(n, PeriodRef) for n in walk(node))


def may_be_undefined(node: Node | None) -> bool:
    """Whether some data could make this node undefined (statically, soundly)."""
    if node is None:
        return False
    if isinstance(node, OutcomeRef):
        return node.name == "level"
    if isinstance(node, Aggregate):
        if node.func in ("ratio", "avg", "min", "max"):
            return True
        return any(may_be_undefined(c) for c in children(node))
    if isinstance(node, Arith) and node.op == "/":
        return True
    if isinstance(node, Fallback):
        return may_be_undefined(node.right)
    return any(may_be_undefined(c) for c in children(node))
