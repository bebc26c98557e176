"""Explanations: why a criterion came out as it did.

Explaining re-evaluates one criterion noting the value of every node at the
subject's level (the trace), the items each top-level aggregate saw, and
every field it found missing: by the expression's generated tracing function
(`fast_trace`) when the record allows, else by the reference interpreter
with a `Tracer`. Both answer the same questions, from which we draw:

* facts: each comparison with its two sides (`ratio(hamlets.safe) = 12/13,
  needs > 95%`);
* witnesses: the items that failed a test, were counted, or are unknown;
* the gap: the least number of items that must change for a failing or
  unknown threshold to pass, or that no change of these items can.

This runs only when an explanation is asked for, so judging a batch stays
fast; the outcome it explains was computed beforehand and is not changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

import attrs

from . import ir
from . import types as t
from . import values as v
from .data import get_raw, is_object, label_of
from .errors import AntqError
from .fast_trace import ENTITY, LIST, SKIP, UNPLANNED, TraceSpec, path_of
from .interpret import Context, Obj, Seq
from .interpret import _eval as interpret_at
from .model import Status, status_of
from .result import (
    Drilldown,
    Explanation,
    Fact,
    Gap,
    ItemRef,
    Lazy,
    ListSummary,
    TraceStep,
    Witnesses,
)
from .statements import FLIP, fact_labels, fact_sides, is_fact, is_fixed, text_of


class Tracer:
    """What the reference interpreter noted while evaluating one expression."""

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

    # What explanations read (`FastTrace` answers the same questions).

    def value_of(self, node: ir.Node) -> Any:
        """The node's value (its first, if evaluated more than once), or SKIP."""
        return self.values.get(id(node), SKIP)

    def shown_steps(self) -> list[tuple[int, ir.Node, Any]]:
        return [(depth, node, _shown(value)) for depth, node, value in self.steps]

    def facts(self, percent_params: frozenset[str]) -> list[Fact]:
        return [
            _fact(node, self.value_of, value, percent_params)
            for _, node, value in self.steps
            if is_fact(node)
        ]

    def witnesses(self) -> list[Witnesses]:
        found: list[Witnesses] = []
        for _, node, _ in self.steps:
            if isinstance(node, ir.Aggregate) and id(node) in self.rows:
                found.extend(_witnesses(node, self))
        return found

    def tally(self, aggregate: ir.Aggregate) -> tuple[int, int, int] | None:
        return _tally(aggregate, self)


class FastTrace:
    """What a generated tracing function noted (see `fast_trace`), read as a
    `Tracer` is: for records whose every value read is known."""

    __slots__ = ("aggregates", "built_facts", "built_witnesses", "spec", "values")
    missing: tuple[str, ...] = ()

    def __init__(
        self,
        spec: TraceSpec,
        values: list[Any],
        aggregates: dict[int, Any],
        facts: list[Any],
        witnesses: list[Witnesses],
    ) -> None:
        self.spec = spec
        self.values = values
        self.aggregates = aggregates
        self.built_facts = facts  # (a None for each fact node not evaluated)
        self.built_witnesses = witnesses

    def value_of(self, node: ir.Node) -> Any:
        slot = self.spec.index_of.get(id(node))
        return SKIP if slot is None else self.values[slot]

    def shown_steps(self) -> list[tuple[int, ir.Node, Any]]:
        steps = []
        for (depth, node, kind, path), value in zip(self.spec.nodes, self.values, strict=True):
            if value is SKIP:
                continue
            if kind == LIST:
                value = ListSummary(value)
            elif kind == ENTITY:
                value = ItemRef(path_of(path), label_of(value))
            steps.append((depth, node, value))
        return steps

    def facts(self, percent_params: frozenset[str]) -> list[Fact]:
        # (built by the generated code, with the ruleset's percent parameters)
        return list(filter(None, self.built_facts))

    def witnesses(self) -> list[Witnesses]:
        return list(self.built_witnesses)

    def tally(self, aggregate: ir.Aggregate) -> tuple[int, int, int] | None:
        slot = self.spec.index_of.get(id(aggregate))
        noted = None if slot is None else self.aggregates.get(slot)
        if noted is None or (aggregate.func == "count" and aggregate.body is None):
            return None
        return noted[0], noted[1], 0


def trace(
    ruleset: Any,
    node: ir.Node,
    data: Any,
    judgement: Any,
    year: int | None,
    shared: dict[str, Any] | None = None,
) -> Tracer | FastTrace:
    """Evaluate one expression of a ruleset, noting what explanations need:
    by its generated tracing function when it has one and the data allows,
    else by the reference interpreter with a tracer."""
    shared = {} if shared is None else shared
    if not shared.get("reference"):
        spec = ruleset.trace_spec(node)
        if spec is not None:
            outcomes = outcomes_of(judgement, shared) if spec.uses_outcomes else None
            try:
                noted = spec.function(data, judgement.period, year, outcomes)
            except Exception:  # anything unusual: the reference interpreter traces it
                pass
            else:
                return FastTrace(spec, *noted)
    context = Context(judgement.period, ruleset.params, year)
    context.outcomes.update(outcomes_of(judgement, shared))
    context.score, context.max_score = judgement.score, judgement.max_score
    context.level = judgement.level
    tracer = Tracer()
    context.tracer = tracer
    context.missing = tracer.missing
    interpret_at(node, (Obj(data, ""),), context)
    return tracer


def outcomes_of(judgement: Any, shared: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Criterion id -> (passes, applies), as `passes(…)` and `applies(…)` read
    them; once per result."""
    outcomes = shared.get("outcomes")
    if outcomes is None:
        outcomes = shared["outcomes"] = {
            criterion_id: (_PASSES.get(status, v.UNKNOWN_BOOL), applies)
            for criterion_id, (status, _, _, applies) in judgement.outcomes.items()
        }
    return outcomes


_PASSES = {Status.PASS: True, Status.FAIL: False, Status.NA: False}


def explain_criterion(
    ruleset: Any, criterion: Any, data: Any, judgement: Any, year: int | None, shared: dict
) -> Explanation:
    explanation = _explain_criterion(ruleset, criterion, data, judgement, year, shared)
    if not explanation.witnesses:  # (the usual case: nothing to open)
        return explanation
    return with_drilldown(explanation, criterion, data, year)


def with_drilldown(
    explanation: Explanation, criterion: Any, data: Any, year: int | None
) -> Explanation:
    """The explanation, able to open the items among its witnesses that
    another ruleset judged (made when read)."""
    targets = judged_by_other_rulesets(criterion)
    if targets and any(w.text in targets for w in explanation.witnesses):
        drill = Lazy(_drilldown, targets, data, year, explanation.witnesses)
        explanation = attrs.evolve(explanation, drilldown=drill)
    return explanation


MAX_DRILLDOWN = 10  # items a criterion's explanation judges again, at most


# Criterion (by id, kept alive beside) -> what `_targets` found: once each.
_TARGETS: dict[int, tuple[Any, dict[str, Any]]] = {}


def judged_by_other_rulesets(criterion: Any) -> dict[str, Any]:
    known = _TARGETS.get(id(criterion))
    if known is not None and known[0] is criterion:
        return known[1]
    roots = (criterion.test, *(i.condition for i in criterion.items))
    found = _targets(roots + tuple(tier.condition for tier in criterion.tiers))
    if len(_TARGETS) > 4096:  # (a bound, for processes that load many rulesets)
        _TARGETS.clear()
    _TARGETS[id(criterion)] = (criterion, found)
    return found


def _targets(roots: tuple[ir.Node | None, ...]) -> dict[str, Any]:
    """The aggregates of a criterion whose items another ruleset judges
    (`ratio(areas where passes(tt124.kdc))`), by their text, with that ruleset."""
    found: dict[str, Any] = {}
    for root in roots:
        for node in ir.walk(root) if root is not None else ():
            if not isinstance(node, ir.Aggregate):
                continue
            for part in (node.filter, node.body):
                for inner in ir.walk(part) if part is not None else ():
                    if isinstance(inner, ir.RulesetRef) and inner.level == node.level:
                        found.setdefault(text_of(node), inner.ruleset)
    return found


def _drilldown(
    targets: dict[str, Any], data: Any, year: int | None, witnesses: tuple[Witnesses, ...]
) -> tuple[Drilldown, ...]:
    found: list[Drilldown] = []
    seen: set[str] = set()
    for w in witnesses:
        target = targets.get(w.text)
        if target is None:
            continue
        for item in w.items:
            if len(found) >= MAX_DRILLDOWN or item.path in seen:
                continue
            seen.add(item.path)
            raw = _at_path(data, item.path)
            if raw is None:
                continue
            try:
                result = target.evaluate(raw, year=year)
            except AntqError as error:
                result = target.error_result(error, raw)
            if result.verdict is not Status.PASS or result.error is not None:
                found.append(Drilldown(item.path, item.label, target.id, result))
    return tuple(found)


def _at_path(data: Any, path: str) -> Any:
    """The raw object at a data path of our own making (`areas[6].units[0]`)."""
    current = data
    for part in path.split("."):
        name, _, rest = part.partition("[")
        current = get_raw(current, name) if current is not None and is_object(current) else None
        for index in rest.rstrip("]").split("][") if rest else ():
            if not isinstance(current, (list, tuple)) or not index.isdigit():
                return None
            position = int(index)
            current = current[position] if position < len(current) else None
    return current


def _explain_criterion(
    ruleset: Any, criterion: Any, data: Any, judgement: Any, year: int | None, shared: dict
) -> Explanation:
    status = judgement.outcomes[criterion.id][0]
    if (
        criterion.applies is None
        and criterion.test is not None
        and not criterion.items
        and not criterion.tiers
        and status is not Status.NA
        and not shared.get("reference")
    ):
        explained = _explain_fast(ruleset, criterion, status, data, judgement, year, shared)
        if isinstance(explained, Explanation):
            return explained
        if explained is GAVE_UP:  # (no second try below: the reference traces)
            shared = {**shared, "reference": True}
    applies_missing: tuple[str, ...] = ()
    if criterion.applies is not None:
        applies_missing = _outermost(
            trace(ruleset, criterion.applies, data, judgement, year, shared).missing
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
    tracers = []
    gap = None
    for root in roots:
        tracer = trace(ruleset, root, data, judgement, year, shared)
        if root is criterion.test:
            _same_as_judged(criterion, root, tracer, judgement)
        tracers.append(tracer)
        missing.extend(tracer.missing)
        facts.extend(tracer.facts(ruleset.percent_params))
        witnesses.extend(tracer.witnesses())
        if root is criterion.test and status is not Status.PASS:
            gap = gap_of(root, tracer, ruleset.schema)
    return Explanation(
        facts=tuple(facts),
        witnesses=tuple(witnesses),
        missing=_outermost(missing) if missing else (),
        gap=gap,
        trace=Lazy(trace_steps, tracers),
        applies_missing=applies_missing,
    )


GAVE_UP = object()  # (the record made a generated tracing function give up)


def _same_as_judged(criterion: Any, test: ir.Node, tracer: Any, judgement: Any) -> None:
    """Explanations are made when first read, from the record as it is then.
    A record changed since it was judged (a reused dict, an edited form)
    would be explained into a contradiction of its result: refuse instead."""
    refuse_if_changed(criterion.id, judgement.outcomes[criterion.id][1], tracer.value_of(test))


def refuse_if_changed(criterion_id: str, judged: Any, now: Any) -> None:
    """`_same_as_judged`, from the value judged and the value traced now."""
    if judged is None or now is SKIP or status_of(judged) is status_of(now):
        return
    from .errors import AntqError, Diagnostic

    raise AntqError(
        Diagnostic(
            "record-changed",
            {"id": criterion_id, "then": status_of(judged).name, "now": status_of(now).name},
        )
    )


def _explain_fast(
    ruleset: Any,
    criterion: Any,
    status: Status,
    data: Any,
    judgement: Any,
    year: int | None,
    shared: dict[str, Any],
) -> Explanation | object | None:
    """`explain_criterion` for the usual criterion (one test, no `applies
    when`) of a record the generated tracer can read; None when it has no
    tracing function, `GAVE_UP` when the record made it give up. The
    same steps, without the loop over roots (an explanation per criterion of
    every result of a batch may be asked for)."""
    test = criterion.test
    if status is Status.PASS and shared.get("complete") and says_nothing_when_true(test):
        # Nothing to state, nothing failing, nothing missing: only the trace,
        # made if it is read.
        steps = Lazy(traced_steps, ruleset, criterion, data, judgement, year, shared)
        return Explanation((), (), (), None, steps, ())
    return explain_traced(
        ruleset,
        criterion,
        status,
        judgement.outcomes[criterion.id][1],
        data,
        judgement.period,
        year,
        lambda: outcomes_of(judgement, shared),
    )


def explain_traced(
    ruleset: Any,
    criterion: Any,
    status: Status,
    judged: Any,
    data: Any,
    period: Any,
    year: int | None,
    outcomes: Callable[[], dict[str, tuple[Any, Any]]],
) -> Explanation | object | None:
    """The explanation of a criterion's one test by its generated tracing
    function; None when it has none, `GAVE_UP` when the record made it give
    up. `judged`: the value the test was judged to have (an explanation
    never contradicts it); `outcomes`: the criteria's outcomes, for a test
    that reads them."""
    test = criterion.test
    spec = ruleset.trace_spec(test)
    if spec is None:
        return None
    read = outcomes() if spec.uses_outcomes else None
    try:
        values, aggregates, facts, witnesses = spec.function(data, period, year, read)
    except Exception:  # anything unusual: the reference interpreter traces it
        return GAVE_UP
    now = values[spec.root_slot]
    if judged is not now:  # (the usual case, the same value, at once)
        refuse_if_changed(criterion.id, judged, now)
    gap = None
    if status is not Status.PASS:
        plan = spec.gap_plan
        if plan is UNPLANNED:
            plan = spec.gap_plan = gap_plan(test, spec, ruleset.schema)
        if plan is None:  # (an `and` of tests: which part decides depends on the values)
            traced = FastTrace(spec, values, aggregates, facts, witnesses)
            gap = gap_of(test, traced, ruleset.schema)
        else:
            gap = plan.gap(values, aggregates)
    return Explanation(
        tuple(filter(None, facts)) if facts else (),
        tuple(witnesses),
        (),
        gap,
        Lazy(_fast_steps, spec, values, aggregates, facts, witnesses),
        (),
    )


def _fast_steps(spec: TraceSpec, *noted: Any) -> tuple[TraceStep, ...]:
    return trace_steps((FastTrace(spec, *noted),))


@functools.lru_cache(maxsize=4096)
def says_nothing_when_true(node: ir.Node) -> bool:
    """Whether the explanation of a test that holds, on complete data, is
    empty: `all(…)` and `none(…)` that hold have no failing or counted items
    and state no fact (their lists and filters are not facts), and neither
    has an `and` of such tests."""
    if isinstance(node, ir.Aggregate):
        return node.func in ("all", "none")
    if isinstance(node, ir.And):
        return says_nothing_when_true(node.left) and says_nothing_when_true(node.right)
    return False


def traced_steps(
    ruleset: Any,
    criterion: Any,
    data: Any,
    judgement: Any,
    year: int | None,
    shared: dict[str, Any],
) -> tuple[TraceStep, ...]:
    """The trace of a criterion whose explanation was made without one: made
    when read, so from the record as it is then (refused if it changed)."""
    tracer = trace(ruleset, criterion.test, data, judgement, year, shared)
    _same_as_judged(criterion, criterion.test, tracer, judgement)
    return trace_steps((tracer,))


def trace_steps(tracers: Iterable[Tracer | FastTrace]) -> tuple[TraceStep, ...]:
    return tuple(
        TraceStep(depth, text_of(node), value)
        for tracer in tracers
        for depth, node, value in tracer.shown_steps()
        if not isinstance(node, ir.Var)  # the subject itself says nothing
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


def _fact(
    node: ir.Node,
    value_of: Callable[[ir.Node], Any],
    holds: Any,
    percent_params: frozenset[str],
) -> Fact:
    if not isinstance(node, ir.Compare):
        return Fact(text_of(node), holds, None, None, None, holds)
    left, right, op, percent = fact_sides(node, percent_params)
    left_value, right_value = value_of(left), value_of(right)
    return Fact(
        text_of(left),
        None if left_value is SKIP else left_value,
        op,
        text_of(right),
        None if right_value is SKIP else right_value,
        holds,
        percent,
        fact_labels(left, right),
    )


def item_ref(item: Any, origin: Any) -> ItemRef:
    owner = item if isinstance(item, Obj) else origin
    if isinstance(owner, Obj):
        return ItemRef(owner.path or "(subject)", label_of(owner.raw))
    return ItemRef(str(item))


def _witnesses(node: ir.Aggregate, tracer: Tracer) -> list[Witnesses]:
    source, rows = tracer.rows[id(node)]
    if node.func not in ir.BOOL_AGGREGATES or (node.filter is None and node.body is None):
        return []  # counting every item: listing them all explains nothing
    failing: list[ItemRef] = []
    counted: list[ItemRef] = []
    unknown: list[ItemRef] = []
    for index, (keep, body) in enumerate(rows):
        member = source.members[index]
        keep = v.logic_and(member, keep)
        kt, kf, ku = v.flags(keep)
        if not kt:
            continue
        bt, bf, bu = v.flags(body) if body is not None else (True, False, False)
        if kf or ku or bu or (bt and bf):
            role = unknown
        elif bt:
            role = counted if node.func in ("count", "any", "none") else None
        else:
            role = failing if node.func in ("ratio", "all") else None
        if role is not None:  # (labels cost: only for the items shown)
            origin = source.origins[index] if source.origins else None
            role.append(item_ref(source.items[index], origin))
    text = text_of(node)
    out = []
    if counted:
        out.append(Witnesses(text, "counted", tuple(counted)))
    if failing:
        out.append(Witnesses(text, "failing", tuple(failing)))
    if unknown:
        out.append(Witnesses(text, "unknown", tuple(unknown)))
    return out


# ------------------------------------------------------------------- gaps


def _deciding(node: ir.Node, tracer: Tracer | FastTrace) -> ir.Node:
    """Through `and`, the part that fails (or, failing none, the first that is unsure)."""
    parts = _and_parts(node)
    values = [tracer.value_of(part) for part in parts]
    for part, value in zip(parts, values, strict=True):
        if value is False:
            return part
    for part, value in zip(parts, values, strict=True):
        if value is not True and value is not SKIP:
            return part
    return node


@functools.lru_cache(maxsize=4096)  # (per node: the same for every record)
def _and_parts(node: ir.Node) -> tuple[ir.Node, ...]:
    """The operands of a chain of `and`, left to right."""
    parts: list[ir.Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, ir.And):
            stack += [current.right, current.left]
        else:
            parts.append(current)
    return tuple(parts)


@functools.lru_cache(maxsize=4096)
def _gap_shape(node: ir.Node) -> tuple[ir.Aggregate, str | None, ir.Node | None] | None:
    """(aggregate, operator, threshold node) of a part a gap can be drawn for:
    `ratio(…)` or `count(…)` against a fixed threshold, or `all`/`any`/`none`."""
    if isinstance(node, ir.Compare):
        left, right, op = node.left, node.right, node.op
        if is_fixed(left):
            left, right, op = right, left, FLIP[op]
        if not (isinstance(left, ir.Aggregate) and is_fixed(right)):
            return None
        if left.func not in ("ratio", "count") or op == "!=":
            return None
        return left, op, right
    if isinstance(node, ir.Aggregate) and node.func in ("all", "any", "none"):
        return node, None, None
    return None


def gap_of(test: ir.Node, tracer: Tracer | FastTrace, schema: Any) -> Gap | None:
    """The least number of items of one aggregate whose test must change for the
    criterion to pass, from the items as the trace saw them (None: no hint)."""
    shape = _gap_shape(_deciding(test, tracer))
    if shape is None:
        return None
    aggregate, op, right = shape
    threshold = None
    if right is not None:
        threshold = tracer.value_of(right)
        if threshold is None or threshold is SKIP:
            return None
    counts = tracer.tally(aggregate)
    if counts is None:
        return None
    return _gap(aggregate.func, op, threshold, counts, _gap_texts(aggregate, schema))


def _gap(
    func: str, op: str | None, threshold: Any, counts: tuple[int, int, int], texts: tuple
) -> Gap | None:
    """The gap of an aggregate's counts (surely true, surely false, unknown)
    against its threshold, in its words (list, test, what an item is)."""
    change = _least_change(func, op, threshold, *counts)
    return None if change is None else Gap(change[0], change[1], *texts)


class GapPlan:
    """`gap_of` for a generated tracer's test that is not an `and`, decided
    once: where its aggregate's counts and its threshold are noted, and the
    words (the same gap, in fewer steps: failing criteria are explained for
    every report)."""

    __slots__ = ("counted_at", "func", "op", "texts", "threshold_at")

    def __init__(
        self,
        func: str,
        op: str | None,
        counted_at: int | None,
        threshold_at: int | None,
        texts: tuple[str, str, str],
    ) -> None:
        self.func, self.op = func, op
        self.counted_at = counted_at  # the aggregate's slot (None: no counts noted)
        self.threshold_at = threshold_at  # the threshold's slot (None: none)
        self.texts = texts

    def gap(self, values: list[Any], aggregates: dict[int, Any]) -> Gap | None:
        threshold = None
        if self.threshold_at is not None:
            threshold = values[self.threshold_at]
            if threshold is None or threshold is SKIP:
                return None
        noted = None if self.counted_at is None else aggregates.get(self.counted_at)
        if noted is None:
            return None
        return _gap(self.func, self.op, threshold, (noted[0], noted[1], 0), self.texts)


_NO_GAP = GapPlan("", None, None, None, ("", "", ""))  # (a test no gap is drawn for)


def gap_plan(test: ir.Node, spec: TraceSpec, schema: Any) -> GapPlan | None:
    """The `GapPlan` of a traced test; None for an `and` (see `gap_of`)."""
    if isinstance(test, ir.And):
        return None
    shape = _gap_shape(test)
    if shape is None:
        return _NO_GAP
    aggregate, op, right = shape
    threshold_at = None
    if right is not None:
        threshold_at = spec.index_of.get(id(right))
        if threshold_at is None:  # (not noted: `value_of` says SKIP)
            return _NO_GAP
    counted_at = spec.index_of.get(id(aggregate))
    if aggregate.func == "count" and aggregate.body is None:  # (as `FastTrace.tally`)
        counted_at = None
    return GapPlan(aggregate.func, op, counted_at, threshold_at, _gap_texts(aggregate, schema))


_GAP_TEXTS: dict[tuple[int, int], tuple[ir.Aggregate, tuple[str, str, str]]] = {}


def _gap_texts(aggregate: ir.Aggregate, schema: Any) -> tuple[str, str, str]:
    """What a gap says of its aggregate: the list, the test, what an item is."""
    key = (id(aggregate), id(schema))
    cached = _GAP_TEXTS.get(key)
    if cached is not None and cached[0] is aggregate:  # (ids are reused only once freed)
        return cached[1]
    texts = (text_of(aggregate.source), _test_text(aggregate), _entity_label(aggregate, schema))
    if len(_GAP_TEXTS) > 4096:
        _GAP_TEXTS.clear()
    _GAP_TEXTS[key] = (aggregate, texts)
    return texts


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


def _least_change(
    func: str, op: str | None, threshold: Any, hits: int, misses: int, unknown: int
) -> tuple[int | None, str] | None:
    """(items to change, "more" or "fewer"); (None, …) when no change can pass.
    Unknown items count against passing until they are known.

    The least change is the count nearest to the present one that passes:
    `ratio op t` passes for a count c of items meeting the test when
    `c op t·total`, so the bound is found by rounding t·total (tests check
    this against trying every count)."""
    total = hits + misses + unknown
    if func == "all":
        return misses + unknown, "more"
    if func == "none":
        return hits + unknown, "fewer"
    if func == "any":
        return (1, "more") if misses + unknown else (None, "more")
    if (func == "ratio" and total == 0) or type(threshold) not in (int, Fraction):
        return None
    # The bound t·total (or t) as num/den, in integers: Fraction arithmetic
    # costs microseconds, and this runs for every failing criterion.
    num, den = threshold.numerator, threshold.denominator
    if func == "ratio":
        num *= total
    floor, rest = divmod(num, den)
    ceil = floor + (rest != 0)
    whole = rest == 0
    if op in (">", ">=", "=="):
        # The least count c ≥ hits with `c op bound`, if any change reaches it.
        if op == ">":
            least: int | None = max(hits, floor + 1)
        elif op == ">=":
            least = max(hits, ceil)
        else:
            least = floor if whole and floor >= hits else None
        if least is not None and least - hits <= misses + unknown:
            return least - hits, "more"
        if op != "==":
            return None, "more"
    if op in ("<", "<=", "=="):
        # The greatest count c ≤ hits + unknown with `c op bound`.
        most = hits + unknown
        if op == "<":
            greatest = min(most, ceil - 1)
        elif op == "<=":
            greatest = min(most, floor)
        else:
            greatest = floor if whole and floor <= most else -1
        return (most - greatest if greatest >= 0 else None), "fewer"
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
