"""Explanations of a result the fast path judged, in as few steps as can be.

A report reads every criterion's explanation of every result of a batch, so
the steps between "explanation asked for" and the generated tracing function
are paid thousands of times. What does not depend on the record — whether a
criterion has one plain test, whether its explanation is empty when it holds,
whether another ruleset judges its items, how a count or ratio that held
states its fact from the judgement's tallies — is decided once per ruleset
(`ExplainPlan`); the tracing itself is `explain.explain_traced`, as the
general path's; the `Judgement` the general path needs is built only if
some criterion falls back to it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ir
from . import values as v
from .explain import (
    GAVE_UP,
    explain_criterion,
    explain_traced,
    judged_by_other_rulesets,
    outcomes_of,
    says_nothing_when_true,
    traced_steps,
    with_drilldown,
)
from .fast import ratio_of
from .fast_trace import trace_spec
from .model import Status
from .result import Explanation, Fact
from .statements import fact_labels, fact_sides, is_fixed, text_of

_PASS, _NA, _UNKNOWN = Status.PASS, Status.NA, Status.UNKNOWN
_NO_FALLBACK = object()


class ExplainPlan:
    """What explaining one criterion needs that every record shares."""

    __slots__ = ("criterion", "drills", "quiet_when_true", "simple", "slot", "tally")

    def __init__(
        self,
        criterion: Any,
        slot: int,
        simple: bool,
        quiet_when_true: bool,
        drills: bool,
        tally: TallyFact | None = None,
    ) -> None:
        self.criterion = criterion  # a ruleset.Criterion
        self.slot = slot  # its status in a fast judgement's flat tuple (value, points after)
        self.simple = simple  # one test; no `applies when`, items or tiers
        self.quiet_when_true = quiet_when_true  # nothing to say when it holds on complete data
        self.drills = drills  # some aggregate's items are judged by another ruleset
        self.tally = tally  # its fact, from the judgement's tallies when it holds


class TallyFact:
    """How a test `count(…) op K` or `ratio(…) [?? F] op K` that held states
    its fact from the judgement's tallies (`fast._RulesetWriter.tallies`),
    without evaluating the test again: the fact's words, made once, and the
    tally's place. Where the explanation shows items (those counted by a
    count with a test, those failing a ratio's test), they are gathered by
    the aggregate's own tracing function (`witnesses`), a pass over its list
    alone; without one, the criterion is traced."""

    __slots__ = ("at", "fallback", "func", "role", "witnesses", "words")

    def __init__(
        self,
        at: int,
        func: str,
        role: str | None,
        fallback: Any,
        words: tuple[str, str, str, Any, bool, Any],
        witnesses: Callable[..., Any] | None = None,
    ) -> None:
        self.at = at  # (items counted, items taking part) in the tallies
        self.func = func
        self.role = role  # the witnesses' role, as the tracer names them (None: none)
        self.fallback = fallback  # `?? F`'s value (_NO_FALLBACK: none)
        # (left text, operator, right text, the threshold, percent, labels)
        self.words = words
        # The aggregate's tracing function (`fast_trace.trace_spec`), whose
        # witnesses are the explanation's; None: items shown are traced.
        self.witnesses = witnesses

    def stated(self, tallies: tuple) -> tuple[Fact, bool] | None:
        """(the fact, whether the explanation shows items), or None where the
        tallies do not give the fact."""
        hits, total = tallies[self.at], tallies[self.at + 1]
        if hits is None:
            return None
        shows = False
        if self.func == "count":
            shows = self.role is not None and hits > 0  # (the counted items)
            value: Any = hits
        elif total:
            shows = self.role is not None and total > hits  # (the failing items)
            value = ratio_of(hits, total)
        elif self.fallback is not _NO_FALLBACK:
            value = self.fallback
        else:
            return None  # (an undefined ratio: the tracer says what follows)
        left, op, right, threshold, percent, labels = self.words
        return Fact(left, value, op, right, threshold, True, percent, labels), shows

    def written(self, name: str) -> list[str]:
        """`stated` written out for `quick_explainer`: lines setting `y` to the
        fact's value where the tallies give it and the explanation shows no
        items, else to `_UNSTATED` (`name`: this fact's words, a constant).
        The same conditions as `stated`; the tests compare both with the
        reference."""
        h, t = f"tallies[{self.at}]", f"tallies[{self.at + 1}]"
        lines = [f"h = {h}"]
        if self.func == "count":
            shows_none = "" if self.role is None else " and not h"
            lines.append(f"if h is not None{shows_none}: y = h")
        else:
            shows_none = "" if self.role is None else " and h == t"
            lines += [f"t = {t}", f"if h is not None and t{shows_none}: y = _ratio(h, t)"]
            if self.fallback is not _NO_FALLBACK:
                lines.append(f"elif h is not None and not t: y = {name}_fallback")
        return [*lines, "else: y = _UNSTATED"]

    def explanation(
        self, tallies: tuple, data: Any, period: Any, year: Any, trace: Any, source: Any
    ) -> Explanation | None:
        """The explanation of the test that held, or None where it is traced
        (`trace` and `source`: how its trace is made, see `Explanation`)."""
        stated = self.stated(tallies)
        if stated is None:
            return None
        fact, shows = stated
        if not shows:
            return Explanation((fact,), (), (), None, trace, (), (), source)
        if self.witnesses is None:
            return None
        try:
            _, counts, _, found = self.witnesses(data, period, year, None)
        except Exception:  # anything unusual: traced, as the whole test
            return None
        hits, misses = counts[0]  # (the aggregate's own, counted again)
        if hits != tallies[self.at] or (
            self.func == "ratio" and hits + misses != tallies[self.at + 1]
        ):
            return None  # the record changed since it was judged: the tracer says so
        return Explanation((fact,), tuple(found), (), None, trace, (), (), source)


def tally_fact(
    test: Any, tallies: dict[int, int], params: Any, percent_params: Any, drills: bool = False
) -> Any:
    """The `TallyFact` of a criterion's test, or None for a test of another
    shape. `drills`: its items are judged by another ruleset (then the items
    shown are traced, with their drill-down)."""
    if not isinstance(test, ir.Compare):
        return None
    measured = test.left if not is_fixed(test.left) else test.right
    threshold = test.right if measured is test.left else test.left
    if not is_fixed(threshold) or is_fixed(measured):
        return None
    fallback: Any = _NO_FALLBACK
    aggregate = measured
    if isinstance(measured, ir.Fallback) and is_fixed(measured.right):
        aggregate, fallback = measured.left, _fixed_value(measured.right, params)
    if not isinstance(aggregate, ir.Aggregate) or aggregate.func not in ("count", "ratio"):
        return None
    at = tallies.get(id(aggregate))
    if at is None:
        return None
    if fallback is not _NO_FALLBACK and aggregate.func != "ratio":
        return None
    role = None
    if aggregate.filter is not None or aggregate.body is not None:
        role = "counted" if aggregate.func == "count" else "failing"
    left, right, op, percent = fact_sides(test, percent_params)
    if left is not measured:  # (`fact_sides` puts the measured side first)
        return None
    words = (
        text_of(left),
        op,
        text_of(right),
        _fixed_value(threshold, params),
        percent,
        fact_labels(left, right),
    )
    witnesses = None
    if role is not None and not drills:
        spec = trace_spec(params, aggregate, percent_params)
        if spec is not None and not spec.uses_outcomes:
            witnesses = spec.function
    return TallyFact(at, aggregate.func, role, fallback, words, witnesses)


def _fixed_value(node: Any, params: Any) -> Any:
    """A literal's or a parameter's value, as generated code holds it."""
    value = node.value if isinstance(node, ir.Const) else params[node.name]
    return tuple(value) if isinstance(value, list) else value


def explain_plans(ruleset: Any) -> tuple[ExplainPlan, ...]:
    """The plans of a ruleset's criteria, in file order."""
    slots = {cid: 3 * index for index, cid in enumerate(ruleset.order)}
    tallies = getattr(ruleset._fast, "tallies", None) or {}
    plans = []
    for criterion in ruleset.criteria:
        drills = bool(judged_by_other_rulesets(criterion))
        test = criterion.test
        simple = (
            criterion.applies is None
            and test is not None
            and not criterion.items
            and not criterion.tiers
        )
        plans.append(
            ExplainPlan(
                criterion,
                slots[criterion.id],
                simple,
                simple and says_nothing_when_true(test),
                drills,
                tally_fact(test, tallies, ruleset.params, ruleset.percent_params, drills)
                if simple and tallies
                else None,
            )
        )
    return tuple(plans)


class FastExplainer:
    """The explanations of one fast-judged result's criteria (the `lazy` of
    its `CriterionResult`s): on the first read, those that need no tracing,
    at once (`quick_explainer`); each other when first read (`explain`)."""

    __slots__ = (
        "complete",
        "data",
        "explained",
        "flat",
        "judged",
        "judgement",
        "period",
        "ruleset",
        "shared",
        "tallies",
        "year",
    )

    def __init__(
        self,
        ruleset: Any,
        data: Any,
        judged: tuple,
        period: Any,
        year: int | None,
    ) -> None:
        self.ruleset = ruleset
        self.data = data
        self.flat = judged[0]
        # The judgement's counts and ratios' totals (see `TallyFact`); none
        # from a function that gives none.
        self.tallies = judged[8] if len(judged) > 8 else ()
        self.period = period
        self.year = year
        # Whether every value the fast path read was known (`unk` in fast.py),
        # and what the general path shares between criteria.
        self.complete = not judged[7]
        self.shared: dict[str, Any] = {"complete": self.complete}
        self.judged = judged
        self.judgement: Any = None  # (the general path's, made if needed)
        # The explanations made so far: on first use, at once, those that
        # need no tracing (`quick_explainer`); the others when read.
        self.explained: dict[str, Explanation] | None = None

    def explanation_of(self, criterion_id: str) -> Explanation:
        """The criterion's explanation (`CriterionResult.explanation`), made once."""
        explained = self.explained
        if explained is None:
            explained = self.explained = self.ruleset._quick_explanations(self)
        found = explained.get(criterion_id)
        if found is None:
            found = explained[criterion_id] = self.explain(self.ruleset._plan_of[criterion_id])
        return found

    def explain(self, plan: ExplainPlan) -> Explanation:
        """An explanation that needs tracing (see `quick_explainer` for the others)."""
        status = self.flat[plan.slot]
        if plan.simple and status is not _NA:
            explanation = self._traced(plan, status)
            if isinstance(explanation, Explanation):
                return explanation
            if explanation is GAVE_UP:  # (the reference interpreter traces it)
                return self._general(plan, {**self.shared, "reference": True})
        return self._general(plan, self.shared)

    def _general(self, plan: ExplainPlan, shared: dict[str, Any]) -> Explanation:
        return explain_criterion(
            self.ruleset, plan.criterion, self.data, self._judgement(), self.year, shared
        )

    def _traced(self, plan: ExplainPlan, status: Status) -> Explanation | object | None:
        """By the criterion's generated tracing function; None when it has
        none, `GAVE_UP` when the record made it give up."""
        judged = self.flat[plan.slot + 1]
        if judged is None and status is _UNKNOWN:
            judged = v.UNKNOWN_BOOL  # (generated judges say None for "not known")
        explanation = explain_traced(
            self.ruleset,
            plan.criterion,
            status,
            judged,
            self.data,
            self.period,
            self.year,
            self._outcomes,
        )
        if isinstance(explanation, Explanation) and explanation.witnesses and plan.drills:
            return with_drilldown(explanation, plan.criterion, self.data, self.year)
        return explanation

    def _outcomes(self) -> dict[str, tuple[Any, Any]]:
        return outcomes_of(self._judgement(), self.shared)

    def steps_of(self, plan: ExplainPlan) -> Any:
        """The trace of a criterion's explanation (see `Explanation.trace`)."""
        return traced_steps(
            self.ruleset,
            plan.criterion,
            self.data,
            self._judgement(),
            self.year,
            self.shared,
        )

    def _judgement(self) -> Any:
        if self.judgement is None:
            self.judgement = self.ruleset._judgement_of(self.judged, self.period)
        return self.judgement


def quick_explainer(ruleset: Any) -> Callable[[FastExplainer], dict[str, Explanation]]:
    """A function making, for a fast judgement, the explanations that need
    no tracing, all at once: `quick(explainer) -> {id: explanation}`. On
    complete data, a criterion that held and whose explanation says nothing
    then (`all`, `none`), or whose fact the judgement's tallies give
    (`TallyFact`). Generated, one statement per such criterion, as
    `results_builder`: the calls between "explanation asked for" and these
    few objects would cost more than the objects."""
    namespace: dict[str, Any] = {
        "_E": Explanation,
        "_F": Fact,
        "_PASS": _PASS,
        "_ratio": ratio_of,
        "_UNSTATED": _NO_FALLBACK,
    }
    lines = [
        "def quick(ex):",
        "    done = {}",
        "    if not ex.complete: return done",
        "    flat = ex.flat",
        "    tallies = ex.tallies",
    ]
    for index, plan in enumerate(ruleset._plans):
        if not plan.simple or not (plan.quiet_when_true or plan.tally is not None):
            continue
        namespace[f"_id{index}"] = plan.criterion.id
        namespace[f"_p{index}"] = plan
        lines.append(f"    if flat[{plan.slot}] is _PASS:")
        if plan.quiet_when_true:
            # Nothing stated, failing or missing: only the trace, if read.
            # (its trace made when read: `ex.steps_of(plan)`)
            made = f"_E((), (), (), None, _p{index}, (), (), ex)"
            lines.append(f"        done[_id{index}] = {made}")
            continue
        # Its fact from the tallies, at once where it shows no items; else
        # by `TallyFact.explanation` (its items from one pass).
        tally, words = plan.tally, f"_w{index}"
        namespace[f"_t{index}"] = tally.explanation
        namespace[words] = tally.words
        namespace[f"{words}_fallback"] = tally.fallback
        lines += ["        " + line for line in tally.written(words)]
        fact = f"_F({words}[0], y, {words}[1], {words}[2], {words}[3], True, *{words}[4:])"
        lines += [
            "        if y is not _UNSTATED:",
            f"            done[_id{index}] = _E(({fact},), (), (), None, _p{index}, (), (), ex)",
            "        else:",
            f"            x = _t{index}(tallies, ex.data, ex.period, ex.year, _p{index}, ex)",
            f"            if x is not None: done[_id{index}] = x",
        ]
    lines.append("    return done")
    quick: Callable[[FastExplainer], dict[str, Explanation]] = _generated(
        "quick", "quick explanations", lines, namespace
    )
    return quick


def results_builder(ruleset: Any) -> Callable[[tuple, Any], dict[str, Any]]:
    """A function building every criterion's `CriterionResult` of a fast
    judgement at once: `build(flat, explainer) -> {id: result}`, in file
    order. Generated, one line per criterion (a loop over the criteria costs
    as much again as the results it builds). Ids and infos are passed in as
    constants, never written into the source."""
    from .result import CriterionResult

    namespace: dict[str, Any] = {
        "_CR": CriterionResult,
        "_NA": _NA,
        "_UNKNOWN": _UNKNOWN,
        "_UB": v.UNKNOWN_BOOL,
    }
    lines = ["def build(flat, ex):"]
    entries = []
    for index, plan in enumerate(ruleset._plans):
        info = ruleset._infos[plan.criterion.id]
        namespace[f"_i{index}"] = info
        namespace[f"_id{index}"] = info.id
        namespace[f"_m{index}"] = info.max_points
        s, x = f"s{index}", f"x{index}"
        slot = plan.slot
        lines.append(f"    {s} = flat[{slot}]")
        lines.append(f"    {x} = flat[{slot + 1}]")
        # (generated judges say None for "not known")
        lines.append(f"    if {x} is None and {s} is _UNKNOWN: {x} = _UB")
        if info.scored:
            built = (
                f"_CR(_i{index}, {s}, {x}, flat[{slot + 2}], _m{index}, ex) if {s} is not _NA "
                f"else _CR(_i{index}, {s}, {x}, None, None, ex)"
            )
        else:
            built = f"_CR(_i{index}, {s}, {x}, None, None, ex)"
        entries.append(f"_id{index}: {built}")
    lines.append("    return {" + ", ".join(entries) + "}")
    build: Callable[[tuple, Any], dict[str, Any]] = _generated("build", "results", lines, namespace)
    return build


def _generated(name: str, label: str, lines: list[str], namespace: dict[str, Any]) -> Any:
    """The function `name` that `lines` define, compiled in `namespace`.
    Generated from the checked ruleset: ids, words and values are passed in
    the namespace as constants, never written into the source."""
    code = compile("\n".join(lines) + "\n", f"<antq fast path: {label}>", "exec")
    exec(code, namespace)
    return namespace[name]
