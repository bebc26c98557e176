"""A ruleset in SQL: applicability, each criterion's status and points, the
score, the level and the verdict — the orchestration of `ruleset.Ruleset.judge`,
over the symbolic values of `compile`, one row per subject.

Statuses are small integers inside the query (PASS 0, FAIL 1, UNKNOWN 2,
NA 3) and words in its result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from sqlglot import exp

from .. import ir
from ..errors import AntqError, Diagnostic
from . import build as b
from . import symbolic as s
from .compile import Compiler, Scope
from .layout import LABEL_FIELDS, TableInfo

PASS, FAIL, UNKNOWN, NA = 0, 1, 2, 3
WORDS = {PASS: "PASS", FAIL: "FAIL", UNKNOWN: "UNKNOWN", NA: "NA"}


@attrs.frozen
class CriterionSql:
    id: str
    status: Any  # int expression
    value: s.Bool | None
    points: s.Num | None
    applies: s.Bool


@attrs.frozen
class RulesetSql:
    """What a ruleset's compilation gives, in the level-0 scope."""

    scope: Scope
    applicable: s.Bool
    criteria: dict[str, CriterionSql]
    score: s.Num | None
    max_score: s.Num | None
    levels: list[tuple[Any, Any]]  # per level: (decided here, candidate)
    verdict: Any  # int expression
    met: Any
    counted: Any


def status_of(value: s.Bool) -> Any:
    return b.cases([(s.exactly_true(value), PASS), (s.exactly_false(value), FAIL)], UNKNOWN)


def passes_of(status: Any) -> s.Bool:
    """`_passes`: PASS true, FAIL and NA false, UNKNOWN not known."""
    return s.Bool(
        b.or_(b.cmp("==", status, PASS), b.cmp("==", status, UNKNOWN)),
        b.cmp("!=", status, PASS),
        False,
    )


def _scaled(points: Any, scale: int) -> int:
    value = Fraction(points) * scale
    assert value.denominator == 1
    return value.numerator


def _evaluators(c: Compiler, sc: Scope) -> tuple[Callable[[ir.Node], Any], Callable[[Any], Any]]:
    """(a node's value in the subject's scope, a value named in its relation)."""
    return (lambda node: c.ev(node, sc)), (lambda value: c.materialize(value, sc.rel))


def compile_ruleset(c: Compiler, ruleset: Any, sc: Scope, verdict_only: bool = False) -> RulesetSql:
    let = sc.rel.let
    ev, mat = _evaluators(c, sc)
    applicable = mat(ev(ruleset.applies)) if ruleset.applies is not None else s.TRUE
    not_applicable = s.exactly_false(applicable)
    needed = ruleset._verdict_needs if verdict_only else None
    scored = [cr for cr in ruleset.criteria if cr.scored]
    scale = math.lcm(
        1,
        *[Fraction(p).denominator for cr in scored for p in _all_points(cr)],
    )
    criteria: dict[str, CriterionSql] = {}
    for cid in ruleset.order:
        if needed is not None and cid not in needed:
            continue
        cr = ruleset.criterion(cid)
        try:
            criteria[cid] = _criterion(c, cr, sc, scale, not_applicable)
        except AntqError:
            raise
        except Exception as error:  # (a last guard: a clear refusal, not a crash)
            raise _refused(cr, error) from error
        c.outcomes.criteria[cid] = (passes_of(criteria[cid].status), criteria[cid].applies)
    score = max_score = None
    if scored and (needed is None or ruleset._verdict_uses_outcome):
        los: list[Any] = []
        his: list[Any] = []
        tops: list[Any] = []
        for cr in scored:
            if cr.id not in criteria:
                continue
            out = criteria[cr.id]
            counted = b.cmp("!=", out.status, NA)
            plo = 0 if out.points is None else out.points.lo.num
            phi = 0 if out.points is None else out.points.hi.num
            los.append(b.when(counted, plo, 0))
            his.append(b.when(counted, phi, 0))
            tops.append(b.when(counted, _scaled(cr.max_points, scale), 0))
        lo, hi, top = let(b.total(los)), let(b.total(his)), let(b.total(tops))
        score = s.Num(True, s.Rat(lo, scale), s.Rat(hi, scale), False)
        max_score = s.Num(True, s.Rat(top, scale), s.Rat(top, scale), False, True)
        c.outcomes_set(score=score, max_score=max_score)
    elif not scored:
        # (no criterion has points: the Python judge reads score as unknown)
        anything = s.Num(True, None, None, False)
        c.outcomes_set(score=anything, max_score=anything)
    levels: list[tuple[Any, Any]] = []
    if ruleset.levels and (needed is None or ruleset._verdict_uses_outcome):
        judged = b.not_(not_applicable)
        no_candidate_yet: Any = True
        no_exact_yet: Any = True
        decided_any: list[Any] = []
        names = []
        for level in ruleset.levels:
            holds = s.TRUE if level.condition is None else mat(ev(level.condition))
            exact = s.exactly_true(holds)
            possible = b.or_(holds.t, holds.u)
            decided = let(b.and_(judged, exact, no_candidate_yet))
            candidate = let(b.and_(judged, possible, no_exact_yet))
            levels.append((decided, candidate))
            decided_any.append(decided)
            names.append(level.name)
            no_candidate_yet = b.and_(no_candidate_yet, b.not_(possible))
            no_exact_yet = b.and_(no_exact_yet, b.not_(exact))
        some_decided = b.or_(*decided_any)
        some_candidate = b.or_(*[cand for _, cand in levels])
        text = b.cases(
            [(d, c.q.bind(name)) for (d, _), name in zip(levels, names, strict=True)], None
        )
        c.outcomes_set(
            level=s.Text(
                b.or_(some_decided, some_candidate),
                let(text) if text is not None else None,
                b.not_(b.or_(some_decided, some_candidate)),
            )
        )
    elif ruleset.levels is not None:
        c.outcomes_set(level=s.Text(False, None, True))
    if ruleset.verdict_node is not None:
        verdict = status_of(mat(ev(ruleset.verdict_node)))
    else:
        mandatory = [
            criteria[cr.id].status for cr in ruleset.criteria if cr.mandatory and cr.id in criteria
        ]
        any_fail = b.or_(*[b.cmp("==", st, FAIL) for st in mandatory])
        all_pass = b.and_(*[b.or_(b.cmp("==", st, PASS), b.cmp("==", st, NA)) for st in mandatory])
        verdict = b.cases([(any_fail, FAIL), (all_pass, PASS)], UNKNOWN)
    verdict = let(
        b.cases([(not_applicable, NA), (b.not_(s.exactly_true(applicable)), UNKNOWN)], verdict)
    )
    met = b.total([b.when(b.cmp("==", out.status, PASS), 1, 0) for out in criteria.values()])
    counted_ = b.total([b.when(b.cmp("!=", out.status, NA), 1, 0) for out in criteria.values()])
    return RulesetSql(sc, applicable, criteria, score, max_score, levels, verdict, met, counted_)


def _criterion(c: Compiler, cr: Any, sc: Scope, scale: int, not_applicable: Any) -> CriterionSql:
    """One criterion's status, value and points, in the subject's relation."""
    let = sc.rel.let
    cid = cr.id
    ev, mat = _evaluators(c, sc)
    applies = mat(ev(cr.applies)) if cr.applies is not None else s.TRUE
    value = mat(ev(cr.test)) if cr.test is not None else None
    points = None
    if cr.items:
        lo: Any = 0
        hi: Any = 0
        for item in cr.items:
            holds = mat(ev(item.condition))
            p = _scaled(item.points, scale)
            lo = b.add(lo, b.when(s.exactly_true(holds), p, 0))
            hi = b.add(hi, b.when(b.or_(holds.t, holds.u), p, 0))
        points = (lo, hi)
    elif cr.tiers:
        points = _tiers(c, cr, sc, scale)
    elif value is not None and cr.points is not None:
        p = _scaled(cr.points, scale)
        points = (b.when(s.exactly_true(value), p, 0), b.when(b.or_(value.t, value.u), p, 0))
    if value is not None:
        status = status_of(value)
    else:
        full = _scaled(cr.max_points, scale)
        status = b.cases(
            [(b.cmp("==", points[0], full), PASS), (b.cmp("<", points[1], full), FAIL)], UNKNOWN
        )
    sure = s.exactly_true(applies)
    if points is not None:
        # applies not known: points between 0 and what they were
        points = (
            b.when(sure, points[0], _min0(points[0])),
            b.when(sure, points[1], _max0(points[1])),
        )
    status = b.cases(
        [(not_applicable, NA), (s.exactly_false(applies), NA), (b.not_(sure), UNKNOWN)], status
    )
    status = let(status)
    num = None
    if points is not None:
        lo_n, hi_n = let(points[0]), let(points[1])
        num = s.Num(True, s.Rat(lo_n, scale), s.Rat(hi_n, scale), False)
    applies_value = s.Bool(
        b.and_(applies.t, b.not_(not_applicable)),
        b.or_(applies.f, not_applicable),
        b.and_(applies.u, b.not_(not_applicable)),
    )
    return CriterionSql(cid, status, value, num, applies_value)


def _refused(cr: Any, error: Exception) -> AntqError:
    """An unexpected failure compiling a criterion, as a refusal naming it."""
    what = f"criterion `{cr.id}` (the SQL compiler failed on it: {type(error).__name__})"
    return AntqError(Diagnostic("sql-unsupported", {"what": what}, cr.span))


def _all_points(cr: Any) -> list[Any]:
    out = [cr.points] if cr.points is not None else []
    out += [item.points for item in cr.items]
    out += [tier.points for tier in cr.tiers]
    return out


def _min0(term: Any) -> Any:
    if isinstance(term, int):
        return min(term, 0)
    return b.when(b.cmp("<", term, 0), term, 0)


def _max0(term: Any) -> Any:
    if isinstance(term, int):
        return max(term, 0)
    return b.when(b.cmp(">", term, 0), term, 0)


def _tiers(c: Compiler, cr: Any, sc: Scope, scale: int) -> tuple[Any, Any]:
    """`ruleset._tier_points`: the points of the first tier that holds, a
    range while an earlier tier is not known."""
    going: Any = True
    included: list[tuple[Any, int]] = []
    for tier in cr.tiers:
        holds = c.materialize(c.ev(tier.condition, sc), sc.rel)
        included.append((b.and_(going, b.or_(holds.t, holds.u)), _scaled(tier.points, scale)))
        going = sc.rel.let(b.and_(going, b.not_(s.exactly_true(holds))))
    included.append((going, 0))
    by_value = sorted(included, key=lambda pair: pair[1])
    lo = b.cases([(cond, p) for cond, p in by_value], 0)
    hi = b.cases([(cond, p) for cond, p in reversed(by_value)], 0)
    return lo, hi


def label_columns(table: TableInfo) -> list[str]:
    return [f for f in LABEL_FIELDS if f in table.fields and table.column(f) is not None]


def words(status: Any) -> exp.Expression:
    """A status as its word (my own constants, not data: written as literals)."""
    return exp.Case(
        ifs=[
            exp.If(this=b.sql(b.cmp("==", status, code)), true=exp.Literal.string(word))
            for code, word in WORDS.items()
        ],
        default=exp.null(),
    )
