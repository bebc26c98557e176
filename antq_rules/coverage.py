"""What a ruleset's test cases exercise: `antq test --coverage`.

For each criterion, the outcomes its cases produced (a criterion never seen
failing has an untested threshold); for each `and`/`or` at the subject's
level, the branches taken. `a and b` has three: `a` false (b never read), `a`
true with `b` false, both true; `a or b` likewise with true and false
swapped. Unknown values take no branch. Expressions inside aggregates are
judged per item and are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import attrs

from . import ir
from .explain import trace
from .messages import word
from .model import Status
from .statements import text_of

AND_BRANCHES = ("left false", "left true, right false", "both true")
OR_BRANCHES = ("left true", "left false, right true", "both false")


@attrs.define
class RulesetCoverage:
    ruleset: Any
    cases: int = 0
    statuses: dict[str, set[Status]] = attrs.field(factory=lambda: defaultdict(set))
    branches: dict[tuple, set[str]] = attrs.field(factory=lambda: defaultdict(set))
    nodes: dict[tuple, ir.Node] = attrs.field(factory=dict)


def _logic_nodes(root: ir.Node) -> list[ir.Node]:
    # Subject level only: not below an aggregate or a filter.
    out, stack = [], [root]
    while stack:
        node = stack.pop()
        if isinstance(node, (ir.And, ir.Or)):
            out.append(node)
        if not isinstance(node, (ir.Aggregate, ir.Filter)):
            stack.extend(ir.children(node))
    return out


def coverage_of(report: Any) -> list[RulesetCoverage]:
    by_ruleset: dict[str, RulesetCoverage] = {}
    for case in report.cases:
        if case.run is None or case.result is None:
            continue
        ruleset, data, _year, _period = case.run
        # Cases with other parameters load other Ruleset objects of the same file.
        cov = by_ruleset.setdefault(ruleset.path or ruleset.id, RulesetCoverage(ruleset))
        cov.cases += 1
        judgement = ruleset.judge(
            data, case.result.period, _judgement_year(case.result), "compiled"
        )
        for c in ruleset.criteria:
            cov.statuses[c.id].add(case.result.criteria[c.id].status)
            if c.test is None or judgement.outcomes[c.id][0] is Status.NA:
                continue
            tracer = trace(ruleset, c.test, data, judgement, _judgement_year(case.result))
            for node in _logic_nodes(c.test):
                # Keyed by place: cases with other parameters load other
                # Ruleset objects (other nodes) of the same file.
                key = (c.id, _place(node))
                cov.nodes.setdefault(key, node)
                taken = _branch(node, tracer.value_of(node.left), tracer.value_of(node.right))
                cov.branches[key].update([taken] if taken else [])
    return list(by_ruleset.values())


def _place(node: ir.Node) -> tuple[int, int, int]:
    """Where a node is: the start of its right operand tells nested chains apart."""
    span = node.span
    right = node.right.span if isinstance(node, (ir.And, ir.Or)) and node.right.span else None
    return (span.start if span else 0, span.end if span else 0, right.start if right else 0)


def _judgement_year(result: Any) -> int | None:
    return result.period.year if result.period is not None else None


def _branch(node: ir.Node, left: Any, right: Any) -> str | None:
    decided = (True, False)
    if isinstance(node, ir.And):
        if left is False:
            return AND_BRANCHES[0]
        if left is True and right in decided:
            return AND_BRANCHES[1] if right is False else AND_BRANCHES[2]
    else:
        if left is True:
            return OR_BRANCHES[0]
        if left is False and right in decided:
            return OR_BRANCHES[1] if right is True else OR_BRANCHES[2]
    return None


def render_coverage(coverages: list[RulesetCoverage], lang: str = "en") -> str:
    lines: list[str] = []
    for cov in coverages:
        rs = cov.ruleset
        lines.append(f"{rs.path or rs.id}: {cov.cases} " + ("cases" if lang == "en" else "ca"))
        for c in rs.criteria:
            seen = cov.statuses.get(c.id, set())
            missing = [s.name for s in (Status.PASS, Status.FAIL) if s not in seen]
            if missing:
                shown = ", ".join(word(m, lang) for m in missing)
                lines.append(
                    f"  {c.id}: " + (f"never {shown}" if lang == "en" else f"chưa có ca {shown}")
                )
        for key, node in cov.nodes.items():
            names = AND_BRANCHES if isinstance(node, ir.And) else OR_BRANCHES
            untaken = [b for b in names if b not in cov.branches.get(key, set())]
            if untaken:
                where = node.span.location() if node.span else "?"
                op = "and" if isinstance(node, ir.And) else "or"
                lines.append(f"  {where}: `{op}` in `{text_of(node)}` — " + "; ".join(untaken))
        if len(lines) and not lines[-1].startswith("  "):
            lines.append(
                "  "
                + (
                    "every criterion passes and fails in some case; every branch is taken"
                    if lang == "en"
                    else "mọi tiêu chí đều có ca đạt và không đạt; mọi nhánh đều được đi qua"
                )
            )
    return "\n".join(lines) + "\n"
