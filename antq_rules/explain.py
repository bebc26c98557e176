"""Explanations: why a criterion came out as it did.

Explaining re-runs the reference interpreter on one criterion with a
`Tracer`, which notes the value of every node at the subject's level (the
trace), the items each top-level aggregate saw, and every field it found
missing. From that we draw:

* facts: each comparison with its two sides (`ratio(hamlets.safe) = 12/13,
  needs > 95%`);
* witnesses: the items that failed a test, were counted, or are unknown;
* the gap: the least number of items that must change for a failing or
  unknown threshold to pass, or that no change of these items can.

This runs only when an explanation is asked for, so judging a batch stays
fast; the outcome it explains was computed beforehand and is not changed.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from . import ir
from . import types as t
from . import values as v
from .interpret import Context, Obj, Seq
from .interpret import _eval as interpret_at
from .model import Status
from .result import Explanation, Fact, Gap, ItemRef, ListSummary, TraceStep, Witnesses


class Tracer:
    def __init__(self) -> None:
        self.steps: list[list[Any]] = []  # [depth, node, value]
        self.depth = 0
        self.values: dict[int, Any] = {}
        self.rows: dict[int, tuple[Seq, list[tuple[Any, Any]]]] = {}
        self.missing: list[str] = []

    def enter(self, node: ir.Node) -> int:
        self.steps.append([self.depth, node, None])
        self.depth += 1
        return len(self.steps) - 1

    def leave(self, slot: int, value: Any) -> None:
        self.depth -= 1
        self.steps[slot][2] = value
        self.values.setdefault(id(self.steps[slot][1]), value)


def text_of(node: ir.Node) -> str:
    if isinstance(node, ir.Param):
        return node.name
    if node.span is not None:
        return " ".join(node.span.text().split())
    if isinstance(node, ir.Const):
        return str(node.value)
    return type(node).__name__.lower()


def trace(ruleset: Any, node: ir.Node, data: Any, judgement: Any, year: int | None) -> Tracer:
    """Evaluate one expression of a ruleset with a tracer attached."""
    context = Context(judgement.period, ruleset.params, year)
    for criterion_id, (status, _, _, applies) in judgement.outcomes.items():
        context.outcomes[criterion_id] = (
            {Status.PASS: True, Status.FAIL: False, Status.NA: False}.get(status, v.UNKNOWN_BOOL),
            applies,
        )
    context.score, context.max_score = judgement.score, judgement.max_score
    context.level = judgement.level
    tracer = Tracer()
    context.tracer = tracer
    context.missing = tracer.missing
    interpret_at(node, (Obj(data, ""),), context)
    return tracer


def explain_criterion(
    ruleset: Any, criterion: Any, data: Any, judgement: Any, year: int | None, shared: dict
) -> Explanation:
    status = judgement.outcomes[criterion.id][0]
    applies_missing: tuple[str, ...] = ()
    if criterion.applies is not None:
        applies_missing = tuple(
            dict.fromkeys(trace(ruleset, criterion.applies, data, judgement, year).missing)
        )
    if status is Status.NA or (
        criterion.test is None and not criterion.items and not criterion.tiers
    ):
        return Explanation(applies_missing=applies_missing)
    roots = [criterion.test] if criterion.test is not None else []
    roots += [item.condition for item in criterion.items] + [
        tier.condition for tier in criterion.tiers
    ]
    facts: list[Fact] = []
    witnesses: list[Witnesses] = []
    missing: list[str] = []
    steps: list[TraceStep] = []
    gap = None
    for root in roots:
        tracer = trace(ruleset, root, data, judgement, year)
        missing.extend(tracer.missing)
        steps.extend(
            TraceStep(depth, text_of(node), _shown(value))
            for depth, node, value in tracer.steps
            if not isinstance(node, ir.Var)  # the subject itself says nothing
        )
        for _, node, value in tracer.steps:
            if isinstance(node, ir.Compare):
                facts.append(_fact(node, tracer, value, ruleset.percent_params))
            elif isinstance(node, (ir.CriterionRef, ir.RulesetRef)) or (
                isinstance(node, ir.Get) and node.type == t.BOOL
            ):
                facts.append(Fact(text_of(node), value, None, None, None, value))
            if isinstance(node, ir.Aggregate) and id(node) in tracer.rows:
                witnesses.extend(_witnesses(node, tracer))
        if root is criterion.test and status is not Status.PASS:
            gap = gap_of(root, tracer, ruleset.schema)
    return Explanation(
        facts=tuple(facts),
        witnesses=tuple(witnesses),
        missing=tuple(dict.fromkeys(missing)),
        gap=gap,
        trace=tuple(steps),
        applies_missing=applies_missing,
    )


def _shown(value: Any) -> Any:
    """Values as a trace shows them: an entity by its path, a list by its size."""
    if isinstance(value, Seq):
        return ListSummary(len(value.items), value.open)
    if isinstance(value, Obj):
        return item_ref(value, None)
    return value


def _outermost(paths: list[str]) -> tuple[str, ...]:
    """Missing paths, without those inside a missing object (`police` covers
    `police.disciplined`)."""
    unique = list(dict.fromkeys(paths))
    found = set(unique)

    def covered(path: str) -> bool:
        return any(path[cut] in ".[" and path[:cut] in found for cut in range(1, len(path)))

    return tuple(p for p in unique if not covered(p))


def _fact(node: ir.Compare, tracer: Tracer, holds: Any, percent_params: frozenset[str]) -> Fact:
    left, right, op = node.left, node.right, node.op
    if _is_fixed(left) and not _is_fixed(right):
        left, right, op = right, left, _FLIP[op]
    percent = (
        (isinstance(left, ir.Aggregate) and left.func == "ratio")
        or (isinstance(right, ir.Param) and right.name in percent_params)
        or text_of(right).endswith("%")
    )
    return Fact(
        text_of(left),
        tracer.values.get(id(left)),
        op,
        text_of(right),
        tracer.values.get(id(right)),
        holds,
        percent,
    )


_FLIP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _is_fixed(node: ir.Node) -> bool:
    return isinstance(node, (ir.Const, ir.Param))


def item_ref(item: Any, origin: Any) -> ItemRef:
    from .ruleset import subject_label

    owner = item if isinstance(item, Obj) else origin
    if isinstance(owner, Obj):
        return ItemRef(owner.path or "(subject)", subject_label(owner.raw))
    return ItemRef(str(item))


def _witnesses(node: ir.Aggregate, tracer: Tracer) -> list[Witnesses]:
    source, rows = tracer.rows[id(node)]
    if node.func not in ir.BOOL_AGGREGATES or (node.filter is None and node.body is None):
        return []  # counting every item: listing them all explains nothing
    failing: list[ItemRef] = []
    counted: list[ItemRef] = []
    unknown: list[ItemRef] = []
    for index, (keep, body) in enumerate(rows):
        origin = source.origins[index] if source.origins else None
        member = source.members[index]
        keep = v.logic_and(member, keep)
        kt, kf, ku = v.flags(keep)
        if not kt:
            continue
        bt, bf, bu = v.flags(body) if body is not None else (True, False, False)
        ref = item_ref(source.items[index], origin)
        if kf or ku or bu or (bt and bf):
            unknown.append(ref)
        elif bt:
            counted.append(ref)
        else:
            failing.append(ref)
    text = text_of(node)
    out = []
    if node.func in ("count", "any", "none") and counted:
        out.append(Witnesses(text, "counted", tuple(counted)))
    if node.func in ("ratio", "all") and failing:
        out.append(Witnesses(text, "failing", tuple(failing)))
    if unknown:
        out.append(Witnesses(text, "unknown", tuple(unknown)))
    return out


# ------------------------------------------------------------------- gaps


def _deciding(node: ir.Node, tracer: Tracer) -> ir.Node:
    """Through `and`, the part that fails (or, failing none, the first that is unsure)."""
    parts: list[ir.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ir.And):
            stack += [current.right, current.left]
        else:
            parts.append(current)
    values = [tracer.values.get(id(part)) for part in parts]
    for part, value in zip(parts, values, strict=True):
        if value is False:
            return part
    for part, value in zip(parts, values, strict=True):
        if value is not True and id(part) in tracer.values:
            return part
    return node


def gap_of(test: ir.Node, tracer: Tracer, schema: Any) -> Gap | None:
    """The least number of items of one aggregate whose test must change for the
    criterion to pass, from the items as the trace saw them (None: no hint)."""
    node = _deciding(test, tracer)
    if isinstance(node, ir.Compare):
        left, right, op = node.left, node.right, node.op
        if _is_fixed(left):
            left, right, op = right, left, _FLIP[op]
        if not (isinstance(left, ir.Aggregate) and _is_fixed(right)):
            return None
        threshold = tracer.values.get(id(right))
        if left.func not in ("ratio", "count") or threshold is None or op == "!=":
            return None
        aggregate = left
    elif isinstance(node, ir.Aggregate) and node.func in ("all", "any", "none"):
        aggregate, op, threshold = node, None, None
    else:
        return None
    counts = _tally(aggregate, tracer)
    if counts is None:
        return None
    hits, misses, unknown = counts
    change = _least_change(aggregate.func, op, threshold, hits, misses, unknown)
    if change is None:
        return None
    amount, direction = change
    return Gap(
        amount,
        direction,
        text_of(aggregate.source),
        _test_text(aggregate),
        _entity_label(aggregate, schema),
    )


def _tally(aggregate: ir.Aggregate, tracer: Tracer) -> tuple[int, int, int] | None:
    """Items surely taking part, by test: (surely true, surely false, unknown);
    None when some item may or may not take part (no simple hint then)."""
    if id(aggregate) not in tracer.rows:
        return None
    source, rows = tracer.rows[id(aggregate)]
    if source.open or (aggregate.func == "count" and aggregate.body is None):
        return None
    hits = misses = unknown = 0
    for index, (keep, body) in enumerate(rows):
        keep = v.logic_and(source.members[index], keep)
        if keep is False:
            continue
        if keep is not True:
            return None
        bt, bf, bu = v.flags(body) if body is not None else (True, False, False)
        if bt and not bf and not bu:
            hits += 1
        elif bf and not bt and not bu:
            misses += 1
        else:
            unknown += 1
    return hits, misses, unknown


def _holds(op: str, value: Any, threshold: Any) -> bool:
    return v.compare_known(op, value, threshold)


def _least_change(
    func: str, op: str | None, threshold: Any, hits: int, misses: int, unknown: int
) -> tuple[int | None, str] | None:
    """(items to change, "more" or "fewer"); (None, …) when no change can pass.
    Unknown items count against passing until they are known."""
    total = hits + misses + unknown
    if func == "all":
        return misses + unknown, "more"
    if func == "none":
        return hits + unknown, "fewer"
    if func == "any":
        return (1, "more") if misses + unknown else (None, "more")

    def measure(count: int) -> Any:
        if func == "ratio":
            return Fraction(count, total)
        return count

    if func == "ratio" and total == 0:
        return None
    if op in (">", ">=", "=="):
        for k in range(misses + unknown + 1):
            if _holds(op, measure(hits + k), threshold):
                return k, "more"
        if op != "==":
            return None, "more"
    if op in ("<", "<=", "=="):
        for k in range(hits + unknown + 1):
            if _holds(op, measure(hits + unknown - k), threshold):
                return k, "fewer"
        return None, "fewer"
    return None


def _test_text(aggregate: ir.Aggregate) -> str:
    if aggregate.body is not None and not isinstance(aggregate.body, ir.Var):
        return text_of(aggregate.body)
    if aggregate.filter is not None:
        return text_of(aggregate.filter)
    return text_of(aggregate.source)


def _entity_label(aggregate: ir.Aggregate, schema: Any) -> str:
    source_type = aggregate.source.type
    item = source_type.item if isinstance(source_type, t.List) else None
    if isinstance(item, t.Entity):
        entity = schema.entities.get(item.name)
        return entity.label if entity and entity.label else item.name
    # A list of flags read from entities: name the entities.
    node = aggregate.source
    while isinstance(node, (ir.Get, ir.Filter)):
        base = node.base if isinstance(node, ir.Get) else node.source
        base_type = base.type.item if isinstance(base.type, t.List) else base.type
        if isinstance(base_type, t.Entity):
            entity = schema.entities.get(base_type.name)
            return entity.label if entity and entity.label else base_type.name
        node = base
    return "item"
