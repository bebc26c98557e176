"""The reference interpreter: the oracle the compiled evaluator is tested against.

A plain recursive walk over the typed tree, written to be obviously right
rather than fast. Every value goes through the generic operations of
`values`; entities carry their data path, so a wrong type is reported as
`villages[3].safe: expected bool, got "yes"`.

Evaluation order is part of the semantics, because it decides which fields
are read (and so which wrong types are reported): left to right; the right
side of `and` is skipped when the left is false, of `or` when it is true, of
`??` when the left cannot be undefined; an aggregate's per-item expression is
skipped for items its `where` surely excludes.
"""

from __future__ import annotations

from typing import Any

import attrs

from . import ir
from . import types as t
from . import values as v
from .data import BadValue, check_list, check_object, describe_value, get_raw, scalar_reader
from .errors import AntqError, DataError, Diagnostic
from .statements import text_of


@attrs.frozen
class Obj:
    """An entity in the data (raw is None when it is missing) and its path."""

    raw: Any
    path: str
    # Whether the entity may not exist at all: `single(...)` of a list whose
    # membership may be undefined. Then raw is None and so is all it holds.
    undefined: bool = False
    # Whether it is the item of a `single(...)` that the data does not pick
    # out yet: raw is None, yet its fields are not what is missing (the
    # fields that would pick it out are, and are said where they are read).
    unpicked: bool = False


@attrs.frozen
class Seq:
    """A list: its items; whether each surely belongs (True) or perhaps does
    (an unknown bool, after a `where` whose condition is unknown); whether
    more unknown items may exist (`open`), and whether such an item could be
    undefined for a `where` it went through."""

    items: list[Any]
    members: list[Any]
    open: bool = False
    open_undefined: bool = False
    # The entity each item is, or came from (for explanations); None if none.
    origins: list[Any] | None = None

    @staticmethod
    def sure(items: list[Any], origins: list[Any] | None = None) -> Seq:
        return Seq(items, [True] * len(items), origins=origins)


class Context:
    """What an evaluation may read besides the data: the period, the parameters,
    and in a ruleset the outcomes so far (criteria, score, level)."""

    def __init__(
        self, period: Any = None, params: dict[str, Any] | None = None, year: int | None = None
    ) -> None:
        self.period = period
        self.params = params or {}
        self.year = year
        self.outcomes: dict[str, Any] = {}  # criterion id -> (passes, applies)
        self.score: Any = None
        self.max_score: Any = None
        self.level: Any = None
        self.tracer: Any = None
        self.missing: list[str] | None = None  # when explaining: paths of missing data read
        # Values of the subject's level met again inside items (a define's
        # `count(units where …)` in `any(areas, …)`):
        # id(node) -> (subject, value, the missing data it read)
        self.memo: dict[int, tuple[Any, Any, tuple[str, ...]]] = {}


def _at(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def read_field(obj: Obj, name: str, type_: t.Type, missing: list[str] | None = None) -> Any:
    if obj.undefined:
        return _unknown_or_undefined(type_, _at(obj.path, name))
    raw = None if obj.raw is None else get_raw(obj.raw, name)
    path = _at(obj.path, name)
    if raw is None and missing is not None and not obj.unpicked:
        missing.append(path)
    try:
        if isinstance(type_, t.List):
            items = check_list(raw, str(type_.item))
            if items is None:
                return Seq([], [], open=True, origins=[])
            read = [read_item(item, type_.item, f"{path}[{i}]") for i, item in enumerate(items)]
            if isinstance(type_.item, t.Entity):
                return Seq.sure(read, origins=read)
            return Seq.sure(read, origins=[obj] * len(read))
        if isinstance(type_, t.Entity):
            return Obj(check_object(raw, type_.name), path, unpicked=obj.unpicked)
        return scalar_reader(type_)(raw)
    except BadValue as bad:
        raise bad.at(path) from None


def _unknown_or_undefined(type_: t.Type, path: str) -> Any:
    """A field of an entity that may not exist: any value, or none."""
    if isinstance(type_, t.List):
        return Seq([], [], open=True, open_undefined=True, origins=[])
    if isinstance(type_, t.Entity):
        return Obj(None, path, undefined=True)
    return v.hull(_not_known(type_), v.UNDEFINED)


def _not_known(type_: t.Type) -> Any:
    return v.UNKNOWN_BOOL if type_ == t.BOOL else v.UNKNOWN


def read_item(raw: Any, type_: t.Type, path: str) -> Any:
    try:
        if isinstance(type_, t.Entity):
            return Obj(check_object(raw, type_.name), path)
        return scalar_reader(type_)(raw)
    except BadValue as bad:
        raise bad.at(path) from None


def evaluate(node: ir.Node, subject: Any, context: Context) -> Any:
    """The value of `node` for the subject's data (a set of values when unsure)."""
    return _eval(node, (Obj(subject, ""),), context)


_ONCE = frozenset({ir.Single, ir.Filter, ir.Aggregate})
_SUBJECT = frozenset({0})


def _eval(node: ir.Node, env: tuple[Any, ...], ctx: Context) -> Any:
    tracer = ctx.tracer
    if len(env) > 1 and node.__class__ in _ONCE and ir.free_levels(node) <= _SUBJECT:
        # What reads only the subject is the same for every item (a define's
        # `count(units where …)` inside `any(areas, …)`): computed once.
        hit = ctx.memo.get(id(node))
        missing = ctx.missing
        if hit is not None and hit[0] is env[0]:
            if missing is not None:  # (what it read that is missing, said again)
                missing.extend(hit[2])
            return hit[1]
        start = 0 if missing is None else len(missing)
        value = _eval_node(node, env, ctx)
        ctx.memo[id(node)] = (env[0], value, () if missing is None else tuple(missing[start:]))
        return value
    if tracer is None or len(env) != 1:
        return _eval_node(node, env, ctx)
    # Explaining: note every value at the subject's level, in evaluation order.
    slot = tracer.enter(node)
    value = _eval_node(node, env, ctx)
    tracer.leave(slot, value)
    return value


def _eval_node(node: ir.Node, env: tuple[Any, ...], ctx: Context) -> Any:
    if isinstance(node, ir.Const):
        if isinstance(node.type, t.List):
            return Seq.sure(list(node.value))
        return node.value
    if isinstance(node, ir.Var):
        return env[node.level]
    if isinstance(node, ir.Get):
        base = _eval(node.base, env, ctx)
        if isinstance(base, Obj):
            return read_field(base, node.field, node.field_type, ctx.missing)
        items: list[Any] = []
        members: list[Any] = []
        origins: list[Any] = []
        open_, open_undefined = base.open, base.open_undefined
        for item, member in zip(base.items, base.members, strict=True):
            value = read_field(item, node.field, node.field_type, ctx.missing)
            if isinstance(value, Seq):
                items.extend(value.items)
                members.extend(v.logic_and(member, m) for m in value.members)
                origins.extend(value.origins or [item] * len(value.items))
                open_ = open_ or value.open
                # Unknown items of a missing inner list belong as their parent does.
                open_undefined = open_undefined or (value.open and v.flags(member)[2])
            else:
                items.append(value)
                members.append(member)
                origins.append(item)
        return Seq(items, members, open_, open_undefined, origins)
    if isinstance(node, ir.Part):
        base = _eval(node.base, env, ctx)
        if node.base.type == t.PERIOD:
            return v.period_part(base, node.part)
        return v.date_part(base, node.part)
    if isinstance(node, ir.PeriodRef):
        if ctx.period is None:
            raise AntqError(Diagnostic("no-period", {}, node.span))
        return ctx.period
    if isinstance(node, ir.Param):
        if isinstance(node.type, t.List):  # a list parameter, like a list literal
            return Seq.sure(list(ctx.params[node.name]))
        return ctx.params[node.name]
    if isinstance(node, ir.Not):
        return v.logic_not(_eval(node.operand, env, ctx))
    if isinstance(node, ir.Neg):
        return v.negate(_eval(node.operand, env, ctx))
    if isinstance(node, ir.And):
        left = _eval(node.left, env, ctx)
        if left is False:
            return False
        return v.logic_and(left, _eval(node.right, env, ctx))
    if isinstance(node, ir.Or):
        left = _eval(node.left, env, ctx)
        if left is True:
            return True
        return v.logic_or(left, _eval(node.right, env, ctx))
    if isinstance(node, ir.Compare):
        return v.compare(node.op, _eval(node.left, env, ctx), _eval(node.right, env, ctx))
    if isinstance(node, ir.Member):
        element = _eval(node.element, env, ctx)
        container = _eval(node.container, env, ctx)
        if node.container.type == t.PERIOD:
            result = v.in_period(element, container)
        else:
            result = v.member(element, container.items, container.open, container.members)
        return v.logic_not(result) if node.negate else result
    if isinstance(node, ir.Arith):
        return v.arith(node.op, _eval(node.left, env, ctx), _eval(node.right, env, ctx))
    if isinstance(node, ir.Fallback):
        left = _eval(node.left, env, ctx)
        if not v.may_be_undefined(left):
            return left
        return v.fallback(left, _eval(node.right, env, ctx))
    if isinstance(node, ir.MakePeriod):
        return v.make_period(_eval(node.start, env, ctx), _eval(node.end, env, ctx))
    if isinstance(node, ir.ListOf):
        return Seq.sure([_eval(item, env, ctx) for item in node.items])
    if isinstance(node, ir.Concat):
        left = _eval(node.left, env, ctx)
        right = _eval(node.right, env, ctx)
        return Seq(
            left.items + right.items,
            left.members + right.members,
            left.open or right.open,
            left.open_undefined or right.open_undefined,
            _origins(left) + _origins(right),
        )
    if isinstance(node, ir.Single):
        return _single(node, env, ctx)
    if isinstance(node, ir.Filter):
        source = _eval(node.source, env, ctx)
        kept: list[Any] = []
        members = []
        origins = []
        # (the item at its own level: a define's `where`, checked at the top,
        # may be used inside an aggregate whose item holds that level)
        outer = env[: node.level]
        for index, (item, member) in enumerate(zip(source.items, source.members, strict=True)):
            belongs = v.logic_and(member, _eval(node.condition, (*outer, item), ctx))
            if belongs is not False:
                kept.append(item)
                members.append(belongs)
                origins.append(source.origins[index] if source.origins else None)
        open_undefined = source.open_undefined or (source.open and node.unknown_item_undefined)
        return Seq(kept, members, source.open, open_undefined, origins)
    if isinstance(node, ir.Aggregate):
        return _aggregate(node, env, ctx)
    if isinstance(node, ir.CriterionRef):
        passes, applies = ctx.outcomes[node.id]
        return passes if node.kind == "passes" else applies
    if isinstance(node, ir.OutcomeRef):
        return {"score": ctx.score, "max_score": ctx.max_score, "level": ctx.level}[node.name]
    if isinstance(node, ir.RulesetRef):
        target = env[node.level]
        judged = node.ruleset.verdict_for(
            target.raw, ctx.year, "reference", target.path, missing=ctx.missing
        )
        return verdict_as_bool(judged, node.kind)
    raise AssertionError(f"unhandled node {type(node).__name__}")


def _aggregate(node: ir.Aggregate, env: tuple[Any, ...], ctx: Context) -> Any:
    source = _eval(node.source, env, ctx)
    # For each item: where it takes part (the filter) and its test or value.
    rows: list[tuple[Any, Any]] = []
    outer = env[: node.level]  # (see the `Filter` above)
    for item, member in zip(source.items, source.members, strict=True):
        inner = (*outer, item)
        keep = True if node.filter is None else _eval(node.filter, inner, ctx)
        keep = v.logic_and(member, keep)
        if v.flags(keep)[0]:
            body = True if node.body is None else _eval(node.body, inner, ctx)
        else:
            body = None  # not read: the item surely does not take part
        rows.append((keep, body))
    if ctx.tracer is not None and len(env) == 1:
        ctx.tracer.rows[id(node)] = (source, rows)
    func = node.func
    # An unknown item of a missing list: its test could be anything.
    phantom_undefined = source.open and (node.unknown_item_undefined or source.open_undefined)
    phantom = v.Range(False, True, phantom_undefined)
    if func in ("count", "any", "none"):
        hits = [keep if body is None else v.logic_and(keep, body) for keep, body in rows]
        if func == "count":
            if any(h is v.UNDEFINED for h in hits):
                return v.UNDEFINED
            sure = sum(1 for h in hits if v.flags(h)[0] and not v.flags(h)[1])
            possible = sum(1 for h in hits if v.flags(h)[0])
            undefined = any(v.flags(h)[2] for h in hits) or phantom_undefined
            return v.count_result(sure, possible, undefined, source.open)
        result: Any = False
        for h in hits:
            result = v.logic_or(result, h)
        if source.open:
            result = v.logic_or(result, phantom)
        return v.logic_not(result) if func == "none" else result
    if func == "all":
        result = True
        for keep, body in rows:
            ok = v.logic_not(keep) if body is None else v.logic_or(v.logic_not(keep), body)
            result = v.logic_and(result, ok)
        if source.open:
            result = v.logic_and(result, phantom)
        return result
    if func == "ratio":
        counts = dict.fromkeys(("t", "f", "u", "mt", "mf"), 0)
        undefined = phantom_undefined
        for keep, body in rows:
            kt, kf, ku = v.flags(keep)
            bt, bf, bu = v.flags(body) if body is not None else (False, False, False)
            can_in = kt and (bt or bf)
            if not can_in and not kf:
                return v.UNDEFINED
            undefined = undefined or ku or (kt and bu)
            if can_in and not kf:
                counts["u" if bt and bf else "t" if bt else "f"] += 1
            elif can_in:
                counts["mt"] += bt
                counts["mf"] += bf
        return v.ratio_result(
            counts["t"],
            counts["f"],
            counts["u"],
            counts["mt"],
            counts["mf"],
            undefined,
            source.open,
        )
    # sum, avg, min, max
    return v.value_aggregate(func, [], rows, source.open, phantom_undefined)


def _origins(seq: Seq) -> list[Any]:
    return seq.origins if seq.origins is not None else [None] * len(seq.items)


def _single(node: ir.Single, env: tuple[Any, ...], ctx: Context) -> Any:
    """The one item of a list; see `ir.Single`."""
    source = _eval(node.source, env, ctx)
    sure: list[int] = []
    maybe: list[int] = []
    undefined = source.open and source.open_undefined
    for index, member in enumerate(source.members):
        if member is True:
            sure.append(index)
            continue
        can_true, _, can_undefined = v.flags(member)
        undefined = undefined or can_undefined
        if can_true:
            maybe.append(index)
    if len(sure) > 1:
        raise _many(node, source, sure)
    entity = isinstance(node.type, t.Entity)
    if len(sure) == 1 and not maybe and not source.open and not undefined:
        return source.items[sure[0]]
    path = _row_path(node, env, ctx)
    if not sure and not maybe and not source.open and not undefined:
        # No item: a row the data should have. Not known, and said so.
        if ctx.missing is not None:
            ctx.missing.append(path)
        return Obj(None, path) if entity else _not_known(node.type)
    # The data does not decide which item it is, or whether there is one
    # (or more: an error the data may yet show). Not known.
    if entity:
        return Obj(None, path, undefined=undefined, unpicked=True)
    value = _not_known(node.type)
    return v.hull(value, v.UNDEFINED) if undefined else value


def _row_path(node: ir.Single, env: tuple[Any, ...], ctx: Context) -> str:
    """How a report names the item `single` looks for, as a data path with
    its condition: `yearly[year == 2023]` (values the item's fields are
    compared with are worked out where the data decides them)."""
    source = node.source
    if not isinstance(source, ir.Filter):
        return f"{text_of(source)}[0]"
    conditions = []
    stack = [source.condition]
    while stack:
        part = stack.pop()
        if isinstance(part, ir.And):
            stack += [part.right, part.left]
            continue
        conditions.append(_condition_text(part, source.level, env, ctx))
    return f"{text_of(source.source)}[{' and '.join(conditions)}]"


def _condition_text(part: ir.Node, level: int, env: tuple[Any, ...], ctx: Context) -> str:
    """`year == 2023` for `year == period.year - 1`: an equality between a
    field of the item and a value that does not depend on the item."""
    if isinstance(part, ir.Compare) and part.op == "==":
        for field, other in ((part.left, part.right), (part.right, part.left)):
            if _reads_item(other, level) or not _reads_item(field, level):
                continue
            tracer, missing = ctx.tracer, ctx.missing
            ctx.tracer = ctx.missing = None  # (a look aside: not part of the trace)
            try:
                value = _eval(other, env, ctx)
            finally:
                ctx.tracer, ctx.missing = tracer, missing
            if v.is_known(value):
                return f"{text_of(field)} == {describe_value(value)}"
    return text_of(part)


def _reads_item(node: ir.Node, level: int) -> bool:
    return any(isinstance(n, ir.Var) and n.level >= level for n in ir.walk(node))


def _many(node: ir.Single, source: Seq, sure: list[int]) -> DataError:
    rows = []
    for index in sure[:5]:
        item = source.items[index]
        origin = source.origins[index] if source.origins else None
        if isinstance(item, Obj):
            rows.append(item.path)
        elif isinstance(origin, Obj) and origin.path:
            rows.append(f"{describe_value(item)} ({origin.path})")
        else:
            rows.append(describe_value(item))
    shown = ", ".join(rows) + (", …" if len(sure) > 5 else "")
    path = rows[0] if isinstance(source.items[sure[0]], Obj) else None
    params = {"expr": text_of(node.source), "count": len(sure), "rows": shown}
    return DataError(Diagnostic("single-many", params, node.span, path=path))


def verdict_as_bool(judged: tuple[Any, Any], kind: str) -> Any:
    """A ruleset's (verdict, applicability) as `passes(…)` or `applies(…)` sees it:
    passes is true for PASS only (N/A is not a pass)."""
    verdict, applicable = judged
    if kind == "applies":
        return applicable
    return {"PASS": True, "FAIL": False, "NA": False}.get(verdict.name, v.UNKNOWN_BOOL)
