"""Testing rule semantics with Hypothesis: strategies and properties for users.

    from hypothesis import given
    import antq_rules
    from antq_rules.testing import data_for, assert_monotone, set_field

    rs = antq_rules.load(antq_rules.shipped("tt124/xa.antq"))

    @given(data_for(rs, sizes={"areas": (1, 8)}))
    def test_a_safe_area_never_hurts(commune):
        assert_monotone(rs, commune, set_field("areas[0].policy_implemented", True), year=2021)

* `data_for(ruleset_or_schema, …)` — valid documents for a schema, with
  control over list sizes, the share of missing fields and fixed values;
  values are drawn from the constants the ruleset compares against (so
  thresholds and enum values are hit), and shrink to few, simple items.
* `boundary_data(ruleset, criterion)` — documents on and just beside a
  criterion's `ratio`/`count` threshold (for `>= 70%` over 25 items: 17 and
  18 true), each saying whether the threshold holds.
* `assert_monotone`, `assert_not_looser`, `assert_not_stricter`,
  `assert_agree` — properties that raise `PropertyFailure` (an
  `AssertionError`) with both reports when they do not hold.

Hypothesis is needed for the strategies (`pip install 'antq-rules[testing]'`);
the property checks work without it.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from . import ir
from . import types as t
from .data import LABEL_FIELDS
from .errors import AntqError, Diagnostic
from .model import Status
from .reads import fields_read
from .result import Result
from .ruleset import Ruleset
from .schema import EntityDef, Schema
from .statements import FLIP, is_fixed, text_of

RANK = {Status.FAIL: 0, Status.UNKNOWN: 1, Status.PASS: 2}
NAMES = ["A", "B", "Thôn 1", "Xóm 2", "Tổ 3"]


class PropertyFailure(AssertionError):
    """A property of rulesets that does not hold, with the reports that show it."""


def _hypothesis() -> Any:
    try:
        import hypothesis.strategies as st
    except ImportError:
        raise AntqError(Diagnostic("needs-hypothesis", {})) from None
    return st


# -------------------------------------------------------------- data_for


def _constants(ruleset: Ruleset | None) -> dict[str, list[Any]]:
    """Values a ruleset compares with, by kind, so that generated data hits them."""
    found: dict[str, list[Any]] = {"text": [], "int": [], "decimal": [], "date": []}
    if ruleset is None:
        return found
    nodes: list[ir.Node] = []
    for root in ruleset._roots():
        nodes += ir.walk(root)
    values = [n.value for n in nodes if isinstance(n, ir.Const)]
    values += list(ruleset.params.values())
    for value in values:
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, bool):
                continue
            if isinstance(item, str):
                found["text"].append(item)
            elif isinstance(item, int):
                found["int"] += [item - 1, item, item + 1]
            elif isinstance(item, Fraction):
                found["decimal"] += [item - Fraction(1, 100), item, item + Fraction(1, 100)]
            elif isinstance(item, datetime.date):
                found["date"] += [
                    item - datetime.timedelta(days=1),
                    item,
                    item + datetime.timedelta(days=1),
                ]
    for period in [ruleset.period_for(2021)] if ruleset.period_rule else []:
        if period is not None:
            for day in (period.start, period.end):
                found["date"] += [
                    day - datetime.timedelta(days=1),
                    day,
                    day + datetime.timedelta(days=1),
                ]
    return {k: sorted(set(v), key=repr) for k, v in found.items()}


_LABELS = frozenset(LABEL_FIELDS)


def _list_sizes(ruleset: Ruleset, max_size: int) -> dict[str, tuple[int, int]]:
    """Sizes that let a `count(list…) op k` threshold be reached and missed:
    up to k + 1 items of that list (at most 30), where `max_size` is less."""
    found: dict[str, tuple[int, int]] = {}
    for root in ruleset._roots():
        for node in ir.walk(root):
            if not isinstance(node, ir.Compare):
                continue
            for side, other in ((node.left, node.right), (node.right, node.left)):
                if not (isinstance(side, ir.Aggregate) and side.func == "count"):
                    continue
                bound = (
                    other.value
                    if isinstance(other, ir.Const)
                    else (ruleset.params.get(other.name) if isinstance(other, ir.Param) else None)
                )
                path = _subject_path(side.source)
                if path and isinstance(bound, int) and not isinstance(bound, bool):
                    high = min(30, max(max_size, bound + 1))
                    if high > found.get(path, (0, max_size))[1]:
                        found[path] = (0, high)
    return found


def _subject_path(node: ir.Node) -> str | None:
    """`areas.incidents` for a list read from the subject (filters aside)."""
    while isinstance(node, ir.Filter):
        node = node.source
    if isinstance(node, ir.Var) and node.level == 0:
        return ""
    if isinstance(node, ir.Get) and isinstance(node.field_type, t.List):
        base = _subject_path(node.base)
        if base is None:
            return None
        return f"{base}.{node.field}" if base else node.field
    return None


def data_for(
    target: Ruleset | Schema,
    subject: str | None = None,
    *,
    sizes: Mapping[str, tuple[int, int]] | None = None,
    missing: float = 0.1,
    fixed: Mapping[str, Any] | None = None,
    max_size: int = 4,
    depth: int = 2,
    every_field: bool = False,
) -> Any:
    """A Hypothesis strategy of documents for the subject of a ruleset (or schema).

    `sizes` bounds each list by its path from the subject (`{"areas": (10, 25),
    "areas.incidents": (0, 2)}`; others: 0 to `max_size`, or up to one more
    than a `count(…)` threshold of the ruleset on that list); `missing` is
    the share of fields left out (unknown); `fixed` gives values by path
    (`{"kind": "xã", "areas.policy_implemented": True}` — a path through a
    list fixes the field of every item). Lists deeper than `depth` are left
    empty. For a ruleset only the fields it reads (with the rulesets it
    uses) are generated, which keeps examples small and shrinking quick;
    `every_field=True` generates them all. Generated documents shrink to few
    items and simple values."""
    st = _hypothesis()
    ruleset = target if isinstance(target, Ruleset) else None
    schema = target.schema if isinstance(target, Ruleset) else target
    if subject is None:
        if ruleset is None:
            raise AntqError(Diagnostic("needs-subject", {}))
        subject = ruleset.subject
    sizes = {**(_list_sizes(ruleset, max_size) if ruleset else {}), **(sizes or {})}
    fixed = dict(fixed or {})
    read = None if ruleset is None or every_field else fields_read(ruleset)
    constants = _constants(ruleset)
    chance = max(0, min(100, round(missing * 100)))

    def scalar(type_: t.Type) -> Any:
        if type_ == t.BOOL:
            return st.booleans()
        if type_ == t.INT:
            pool = [c for c in constants["int"] if c >= 0]
            base = st.integers(0, 120)
            return st.one_of(base, st.sampled_from(pool)) if pool else base
        if type_ == t.DECIMAL:
            pool = [c for c in constants["decimal"] if c >= 0]
            base = st.fractions(0, 1, max_denominator=20)
            return st.one_of(base, st.sampled_from(pool)) if pool else base
        if type_ == t.DATE:
            base = st.dates(datetime.date(2019, 1, 1), datetime.date(2023, 12, 31))
            pool = constants["date"]
            return st.one_of(st.sampled_from(pool), base) if pool else base
        if isinstance(type_, t.Enum):
            return st.sampled_from(list(type_.values))
        pool = constants["text"] + NAMES
        return st.sampled_from(pool)

    def value(type_: t.Type, path: str, level: int, trail: tuple[str, ...]) -> Any:
        if path in fixed:
            return st.just(fixed[path])
        if isinstance(type_, t.List):
            if isinstance(type_.item, t.Entity):
                if level >= depth or type_.item.name in trail:
                    return st.just([])
                low, high = sizes.get(path, (0, max_size))
                item = entity(
                    schema.entities[type_.item.name], path, level + 1, (*trail, type_.item.name)
                )
                return st.lists(item, min_size=low, max_size=high)
            low, high = sizes.get(path, (0, max_size))
            return st.lists(scalar(type_.item), min_size=low, max_size=high)
        if isinstance(type_, t.Entity):
            if type_.name in trail:
                return st.none()
            return entity(schema.entities[type_.name], path, level, (*trail, type_.name))
        if isinstance(type_, t.Nothing):
            return st.none()
        return scalar(type_)

    def entity(definition: EntityDef, prefix: str, level: int, trail: tuple[str, ...]) -> Any:
        fields = {}
        # (and the fields that name an item, for reports of a failure)
        wanted = None if read is None else read.get(definition.name, set()) | _LABELS
        for field in definition.fields.values():
            path = f"{prefix}.{field.name}" if prefix else field.name
            if wanted is not None and field.name not in wanted and path not in fixed:
                continue  # (the ruleset never reads it)
            strategy = value(field.type, path, level, trail)
            if path in fixed:
                fields[field.name] = strategy
                continue
            # Present unless a draw below `chance` (of 100) leaves it out.
            fields[field.name] = st.tuples(st.integers(0, 99), strategy).map(
                lambda pair, c=chance: _MISSING if pair[0] < c else pair[1]
            )
        return st.fixed_dictionaries(fields).map(
            lambda d: {k: v for k, v in d.items() if v is not _MISSING}
        )

    if subject not in schema.entities:
        raise AntqError(Diagnostic("unknown-subject", {"name": subject}))
    return entity(schema.entities[subject], "", 0, (subject,))


_MISSING = object()


def variants_of(
    target: Ruleset | Schema, document: Any, subject: str | None = None, *, max_changes: int = 3
) -> Any:
    """A Hypothesis strategy of documents that differ from `document` in a few
    places: a field set to another value (or left out), a list item removed
    or repeated. Near a document that passes, this finds the subjects on the
    edge of a criterion far sooner than data drawn from nothing; shrinking
    leads back to the fewest changes."""
    st = _hypothesis()
    ruleset = target if isinstance(target, Ruleset) else None
    schema = target.schema if isinstance(target, Ruleset) else target
    subject = subject or (ruleset.subject if ruleset else None)
    if subject is None:
        raise AntqError(Diagnostic("needs-subject", {}))
    constants = _constants(ruleset)
    places: list[tuple[tuple[Any, ...], t.Type]] = []  # (path, type) of every field and list
    lists: list[tuple[Any, ...]] = []

    def walk(node: Any, entity: str, path: tuple[Any, ...], trail: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        for field in schema.entities[entity].fields.values():
            here = (*path, field.name)
            ftype = field.type
            value = node.get(field.name)
            if isinstance(ftype, t.List) and isinstance(ftype.item, t.Entity):
                if isinstance(value, list):
                    lists.append(here)
                    for index, item in enumerate(value):
                        if ftype.item.name not in trail or len(trail) < 3:
                            walk(item, ftype.item.name, (*here, index), (*trail, ftype.item.name))
            elif isinstance(ftype, t.Entity):
                if isinstance(value, dict):
                    walk(value, ftype.name, here, (*trail, ftype.name))
            elif not isinstance(ftype, (t.List, t.Nothing)):
                places.append((here, ftype))

    walk(document, subject, (), (subject,))

    def scalar(type_: t.Type) -> Any:
        if type_ == t.BOOL:
            return st.booleans()
        pool = {
            t.INT: [c for c in constants["int"] if c >= 0] or [0, 1],
            t.DECIMAL: constants["decimal"] or [Fraction(1, 2)],
            t.DATE: constants["date"] or [datetime.date(2021, 1, 1)],
        }.get(type_)
        if pool is not None:
            base = {
                t.INT: st.integers(0, 120),
                t.DECIMAL: st.fractions(0, 1, max_denominator=20),
                t.DATE: st.dates(datetime.date(2019, 1, 1), datetime.date(2023, 12, 31)),
            }[type_]
            return st.one_of(st.sampled_from(pool), base)
        if isinstance(type_, t.Enum):
            return st.sampled_from(list(type_.values))
        return st.sampled_from(constants["text"] + NAMES)

    edits = []

    def setting(pool: list[tuple[tuple[Any, ...], t.Type]]) -> Any:
        return st.sampled_from(pool).flatmap(
            lambda place: st.one_of(st.none(), scalar(place[1])).map(
                lambda v, p=place[0]: ("set", p, v)
            )
        )

    # The subject's own fields often decide a whole criterion; items are many.
    # Drawing from each group in turn keeps the former from being drowned out.
    top = [p for p in places if not any(isinstance(step, int) for step in p[0])]
    nested = [p for p in places if p not in top]
    edits += [setting(group) for group in (top, nested) if group]
    if lists:
        edits.append(
            st.tuples(
                st.sampled_from(["remove", "repeat"]), st.sampled_from(lists), st.integers(0, 50)
            )
        )
    if not edits:
        return st.just(copy.deepcopy(document))

    def apply(changes: list[tuple[Any, ...]]) -> Any:
        result = copy.deepcopy(document)
        for change in changes:
            *parent, last = change[1]
            target_ = result
            try:
                for step in parent:
                    target_ = target_[step]
            except (IndexError, KeyError, TypeError):
                continue  # an earlier edit removed the item this one would change
            if not isinstance(target_, dict):
                continue
            if change[0] == "set":
                if change[2] is None:
                    target_.pop(last, None)
                else:
                    target_[last] = change[2]
            else:
                items = target_.get(last)
                if isinstance(items, list) and items:
                    index = change[2] % len(items)
                    if change[0] == "remove":
                        del items[index]
                    else:
                        items.append(copy.deepcopy(items[index]))
        return result

    return st.lists(st.one_of(*edits), min_size=1, max_size=max_changes).map(apply)


# ---------------------------------------------------------------- changes


_STEP = re.compile(r"([^.\[\]]+)(?:\[(\d+|\*)\])?")


def set_field(path: str, value: Any) -> Callable[[Any], Any]:
    """A change: set the field at `path` (`areas[2].policy_implemented`; `[*]` for
    every item) in a copy of the document."""

    def change(document: Any) -> Any:
        result = copy.deepcopy(document)
        steps = _STEP.findall(path)
        targets = [result]
        for index, (name, position) in enumerate(steps):
            last = index == len(steps) - 1
            next_targets = []
            for target in targets:
                if not isinstance(target, dict):
                    continue
                if last and not position:
                    target[name] = value
                    continue
                child = target.get(name)
                if position:
                    if not isinstance(child, list):
                        continue
                    chosen = child if position == "*" else child[int(position) : int(position) + 1]
                    if last:
                        for i in range(len(child)) if position == "*" else [int(position)]:
                            if i < len(child):
                                child[i] = value
                        continue
                    next_targets += [c for c in chosen if isinstance(c, dict)]
                elif isinstance(child, dict):
                    next_targets.append(child)
            targets = next_targets
        return result

    change.__name__ = f"set {path} = {value!r}"
    return change


def remove_item(path: str, index: int = 0) -> Callable[[Any], Any]:
    """A change: remove one item of a list (`incidents`, index 0 by default)."""

    def change(document: Any) -> Any:
        result = copy.deepcopy(document)
        *parents, last = path.split(".")
        target = result
        for name in parents:
            target = target.get(name) if isinstance(target, dict) else None
        items = target.get(last) if isinstance(target, dict) else None
        if isinstance(items, list) and index < len(items):
            del items[index]
        return result

    change.__name__ = f"remove {path}[{index}]"
    return change


# ------------------------------------------------------------- properties


def _judge(ruleset: Ruleset, data: Any, year: int | None, period: Any) -> Result:
    return ruleset.evaluate(data, year=year, period=period)


def _status(result: Result, criterion: str | None) -> Status:
    if criterion is None:
        return result.verdict
    if criterion not in result.criteria:
        raise AntqError(Diagnostic("unknown-criterion", {"name": criterion}))
    return result.criteria[criterion].status


def _show(result: Result, criteria: Iterable[str] | None = None) -> str:
    if criteria is not None:
        wanted = set(criteria)
        result = attrs.evolve(
            result, criteria={k: v for k, v in result.criteria.items() if k in wanted}
        )
    return result.render("text", "en")


def assert_monotone(
    ruleset: Ruleset,
    data: Any,
    change: Callable[[Any], Any],
    *,
    criterion: str | None = None,
    year: int | None = None,
    period: Any = None,
) -> None:
    """A change for the better (a hamlet becomes safe, an incident is removed)
    must not make the verdict (or a criterion) worse: PASS stays PASS, and
    nothing moves down from PASS to UNKNOWN to FAIL."""
    before = _judge(ruleset, data, year, period)
    after = _judge(ruleset, change(data), year, period)
    old, new = _status(before, criterion), _status(after, criterion)
    if Status.NA in (old, new):
        return
    if RANK[new] < RANK[old]:
        what = f"criterion {criterion}" if criterion else "the verdict"
        name = getattr(change, "__name__", "the change")
        raise PropertyFailure(
            f"{name} made {what} go from {old.name} to {new.name}\n\n"
            f"before:\n{_show(before, [criterion] if criterion else None)}\n"
            f"after:\n{_show(after, [criterion] if criterion else None)}"
        )


def assert_not_looser(
    strict: Ruleset, base: Ruleset, data: Any, *, year: int | None = None, period: Any = None
) -> None:
    """A ruleset meant to be stricter (a province's) never passes a subject that
    the base (the national floor) fails."""
    a, b = _judge(strict, data, year, period), _judge(base, data, year, period)
    if a.verdict is Status.PASS and b.verdict is Status.FAIL:
        raise PropertyFailure(
            f"{strict.id} passes a subject that {base.id} fails: it is looser here\n\n"
            f"{base.id} (the criteria that fail):\n{_show(b, _failing(b))}\n"
            f"{strict.id}:\n{_show(a, [])}"
        )


def _failing(result: Result) -> list[str]:
    return [cid for cid, c in result.criteria.items() if c.status is Status.FAIL]


def assert_not_stricter(
    loose: Ruleset, base: Ruleset, data: Any, *, year: int | None = None, period: Any = None
) -> None:
    """The converse: `loose` never fails a subject that `base` passes."""
    a, b = _judge(loose, data, year, period), _judge(base, data, year, period)
    if a.verdict is Status.FAIL and b.verdict is Status.PASS:
        raise PropertyFailure(
            f"{loose.id} fails a subject that {base.id} passes: it is stricter here\n\n"
            f"{loose.id} (the criteria that fail):\n{_show(a, _failing(a))}\n"
            f"{base.id}:\n{_show(b, [])}"
        )


def assert_agree(
    first: Ruleset,
    second: Ruleset,
    data: Any,
    criteria: Iterable[str] | None = None,
    *,
    year: int | None = None,
    period: Any = None,
) -> None:
    """Two rulesets (say an old and a new version) give the same outcome for the
    given criteria (or the same verdict when none are given)."""
    a, b = _judge(first, data, year, period), _judge(second, data, year, period)
    names = list(criteria) if criteria is not None else None
    if names is None:
        if a.verdict != b.verdict:
            raise PropertyFailure(
                f"verdicts differ: {first.id} {a.verdict.name}, {second.id} {b.verdict.name}\n\n"
                f"{_show(a)}\n{_show(b)}"
            )
        return
    differing = [c for c in names if _status(a, c) != _status(b, c)]
    if differing:
        detail = ", ".join(f"{c}: {_status(a, c).name} vs {_status(b, c).name}" for c in differing)
        raise PropertyFailure(
            f"{first.id} and {second.id} disagree on {detail}\n\n"
            f"{first.id}:\n{_show(a, differing)}\n{second.id}:\n{_show(b, differing)}"
        )


# ---------------------------------------------------------- boundary_data


@attrs.frozen
class Boundary:
    """A document on or beside a threshold: `count` of `total` items meet the test."""

    description: str
    data: Any
    count: int
    total: int
    holds: bool  # whether the threshold comparison holds (worked out exactly, not by the engine)
    # The year and period the documents are meant to be judged with (those of
    # the case the base came from, or the ones given).
    year: int | None = None
    period: Any = None


def boundary_data(
    ruleset: Ruleset,
    criterion: str,
    *,
    base: Any = None,
    total: int | None = None,
    year: int | None = None,
    period: Any = None,
    seed: int = 0,
) -> list[Boundary]:
    """Documents that put a criterion's `ratio(…)` or `count(…)` threshold exactly
    on and just beside its edge. `base` is a document whose other parts the
    documents keep (by default, data of a case of the ruleset's test cases in
    which the criterion passes); `total` is the number of items (for a ratio,
    25 unless the base has some)."""
    c = ruleset.criterion(criterion)
    if c.test is None:
        raise AntqError(Diagnostic("no-threshold", {"id": criterion}))
    found = _threshold(c.test, ruleset)
    if found is None:
        raise AntqError(Diagnostic("no-threshold", {"id": criterion}))
    aggregate, op, threshold = found
    field = _list_field(aggregate)
    if field is None:
        raise AntqError(Diagnostic("no-threshold", {"id": criterion}))
    if base is None:
        base, case_year, case_period = _passing_case(ruleset, criterion) or ({}, None, None)
        if year is None and period is None:  # (judged as that case is judged)
            year, period = case_year, case_period
    year = year if year is not None else (ruleset.year or 2021)
    good, bad = _exemplars(ruleset, aggregate, field, base, year, period, seed)
    existing = base.get(field) if isinstance(base, dict) else None
    if aggregate.func == "ratio":
        n = total or (len(existing) if isinstance(existing, list) and existing else 25)
        counts = [k for k in range(n + 1)]
        holds = {k: _compare(op, Fraction(k, n), threshold) for k in counts}
    else:
        n = total or max(int(threshold) + 2, 3)
        counts = list(range(n + 1))
        holds = {k: _compare(op, k, threshold) for k in counts}
    edges = sorted(
        {k for k in counts[1:] if holds[k] != holds[k - 1]}
        | {k - 1 for k in counts[1:] if holds[k] != holds[k - 1]}
    )
    out = []
    for k in edges:
        items = [copy.deepcopy(good) for _ in range(k)] + [copy.deepcopy(bad) for _ in range(n - k)]
        for index, item in enumerate(items):
            if isinstance(item, dict) and "name" in item:
                item["name"] = f"{item['name']} #{index + 1}"
        document = copy.deepcopy(base)
        document[field] = items
        shown = f"{k} of {n}" + (
            f" ({float(Fraction(k, n)) * 100:.1f}%)" if aggregate.func == "ratio" else ""
        )
        out.append(
            Boundary(
                f"{shown}: `{text_of(aggregate)} {op} {_value_text(threshold)}` "
                f"{'holds' if holds[k] else 'does not hold'}",
                document,
                k,
                n,
                holds[k],
                year,
                period,
            )
        )
    return out


def _value_text(value: Any) -> str:
    return str(value) if not isinstance(value, Fraction) else f"{float(value):g}"


def _compare(op: str, left: Any, right: Any) -> bool:
    from .values import compare_known

    return compare_known(op, left, right)


def _threshold(test: ir.Node, ruleset: Ruleset) -> tuple[ir.Aggregate, str, Any] | None:
    """The first `ratio|count(…) op constant` in the test (through `and`)."""
    for node in ir.walk(test):
        if not isinstance(node, ir.Compare):
            continue
        left, right, op = node.left, node.right, node.op
        if is_fixed(left):
            left, right, op = right, left, FLIP[op]
        if (
            isinstance(left, ir.Aggregate)
            and left.func in ("ratio", "count")
            and isinstance(right, (ir.Const, ir.Param))
        ):
            value = right.value if isinstance(right, ir.Const) else ruleset.params[right.name]
            return left, op, value
    return None


def _list_field(aggregate: ir.Aggregate) -> str | None:
    """The subject's list field an aggregate runs over (`areas` for `areas.safe`)."""
    node = aggregate.source
    if (
        isinstance(node, ir.Get)
        and not isinstance(node.field_type, t.List)
        and isinstance(node.base, ir.Get)
    ):
        node = node.base  # `areas.safe`: the list is `areas`
    if isinstance(node, ir.Get) and isinstance(node.base, ir.Var) and node.base.level == 0:
        return node.field
    return None


def _passing_case(ruleset: Ruleset, criterion: str) -> tuple[Any, Any, Any] | None:
    """(data, year, period) of a case of the ruleset's own cases file that
    passes `criterion`."""
    from pathlib import Path

    from .casefiles import data_of, find_case_files, read_cases, settings_of

    if not ruleset.path:
        return None
    try:
        files = find_case_files(Path(ruleset.path))
    except AntqError:
        return None
    for file in files:
        try:
            document = read_cases(file)
        except AntqError:
            continue
        for index, case in enumerate(document.get("cases", [])):
            if not isinstance(case, Mapping) or case.get("params", document.get("params")):
                continue  # (judged with other parameters than this ruleset's)
            try:
                data = data_of(case, file.parent, file, f"cases[{index}]")
                settings = settings_of(document, case)
                result = ruleset.evaluate(data, year=settings["year"], period=settings["period"])
            except AntqError:
                continue
            if criterion in result.criteria and result.criteria[criterion].status is Status.PASS:
                return copy.deepcopy(data), settings["year"], settings["period"]
    return None


def _exemplars(
    ruleset: Ruleset,
    aggregate: ir.Aggregate,
    field: str,
    base: Any,
    year: int,
    period: Any,
    seed: int,
) -> tuple[Any, Any]:
    """An item that meets the aggregate's test and one that does not: from the
    base's own items, else among generated ones (deterministically, by seed)."""
    import random

    from .interpret import Context, Obj, read_field
    from .interpret import _eval as interpret_at

    context = Context(ruleset.period_for(year, period), ruleset.params, year)
    subject = Obj(base if isinstance(base, dict) else {}, "")
    entity = ruleset.schema.entities[ruleset.subject].fields[field].type.item.name  # type: ignore[union-attr]
    source = aggregate.source
    projected = (
        source.field if isinstance(source, ir.Get) and isinstance(source.base, ir.Get) else None
    )

    def meets(item: Any) -> Any:
        """The item's test, as the aggregate sees it (None: undecided)."""
        element: Any = Obj(item, "item")
        try:
            if projected is not None:  # `areas.safe`: the items are the flags
                element = read_field(element, projected, source.field_type)
            env = (subject, element)
            keep = (
                True if aggregate.filter is None else interpret_at(aggregate.filter, env, context)
            )
            if keep is not True:
                return None  # outside the aggregate's filter: neither kind of exemplar
            return True if aggregate.body is None else interpret_at(aggregate.body, env, context)
        except AntqError:
            return None

    good = bad = None
    for item in (base.get(field) or []) if isinstance(base, dict) else []:
        verdict = meets(item)
        if verdict is True and good is None:
            good = item
        elif verdict is False and bad is None:
            bad = item
    rng = random.Random(seed)
    constants = _constants(ruleset)
    for _ in range(2000):
        if good is not None and bad is not None:
            break
        item = _random_entity(ruleset.schema, entity, rng, constants)
        verdict = meets(item)
        if verdict is True and good is None:
            good = item
        elif verdict is False and bad is None:
            bad = item
    if good is None or bad is None:
        raise AntqError(Diagnostic("no-exemplars", {"list": field, "entity": entity}))
    return good, bad


def _random_entity(
    schema: Schema, name: str, rng: Any, constants: dict[str, list[Any]], depth: int = 0
) -> dict[str, Any]:
    """A plain random item of an entity, every field present (for exemplars)."""
    out: dict[str, Any] = {}
    for field in schema.entities[name].fields.values():
        type_ = field.type
        if isinstance(type_, t.List):
            if isinstance(type_.item, t.Entity):
                out[field.name] = (
                    []
                    if depth >= 1
                    else [
                        _random_entity(schema, type_.item.name, rng, constants, depth + 1)
                        for _ in range(rng.randint(0, 1))
                    ]
                )
            continue
        if isinstance(type_, t.Entity):
            out[field.name] = (
                None
                if depth >= 2
                else _random_entity(schema, type_.name, rng, constants, depth + 1)
            )
            continue
        out[field.name] = _random_scalar(type_, rng, constants)
    return out


def _random_scalar(type_: t.Type, rng: Any, constants: dict[str, list[Any]]) -> Any:
    if type_ == t.BOOL:
        return rng.random() < 0.5
    if type_ == t.INT:
        pool = [c for c in constants["int"] if c >= 0] or [0, 1, 5]
        return rng.choice(pool) if rng.random() < 0.5 else rng.randint(0, 120)
    if type_ == t.DECIMAL:
        pool = [c for c in constants["decimal"] if c >= 0] or [Fraction(1, 2)]
        return rng.choice(pool)
    if type_ == t.DATE:
        pool = constants["date"] or [datetime.date(2021, 1, 1)]
        if rng.random() < 0.5:
            return rng.choice(pool)
        return datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randint(-400, 400))
    if isinstance(type_, t.Enum):
        return rng.choice(list(type_.values))
    return rng.choice(constants["text"] + NAMES)
