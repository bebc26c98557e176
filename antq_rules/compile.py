"""The compiled evaluator: the typed tree turned into Python closures.

Each node becomes one closure over its children's closures, chosen for the
node's type when compiling, so evaluation does no dispatch on node kinds.
The closures work on the raw data (dict lookups, no wrapping) and on plain
Python values; only when a value is not decided by the data (a `Range` or
`UNDEFINED`) do they fall back to the generic operations of `values`.

Exactness without Fractions on the hot path: `ratio(…) op constant` is
fused into integer cross-multiplication (t·q op p·n for a constant p/q).

A wrong type in the data stops the closures with a bare `BadValue`; the
caller then re-runs the reference interpreter, which knows the data path and
raises the `DataError` (errors are rare, paths are only needed then).
No text from a ruleset or from data is ever executed as Python.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from . import ir
from . import types as t
from . import values as v
from .data import check_list, check_object, get_raw, is_object, scalar_reader
from .errors import AntqError, Diagnostic
from .interpret import verdict_as_bool
from .values import BOOL_FINISH as _BOOL_FINISH
from .values import UNDEFINED, Range
from .values import finish_ratio as _finish_ratio

Env = list[Any]
Fn = Callable[[Env], Any]

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_SWAP = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


class _Seq:
    """A list that is not simply "these items": some items may belong only
    perhaps (`members`, parallel to `items`, or None when all surely do), or
    the list is partly missing (`open`: unknown further items may exist, which
    could be undefined for a `where` they went through if `open_undefined`).
    A plain Python list is the common case: every item surely belongs."""

    __slots__ = ("items", "members", "open", "open_undefined")

    def __init__(
        self, items: list[Any], members: list[Any] | None, open_: bool, open_undefined: bool = False
    ) -> None:
        self.items = items
        self.members = members
        self.open = open_
        self.open_undefined = open_undefined


def _unpack(value: Any) -> tuple[list[Any], list[Any] | None, bool, bool]:
    if type(value) is _Seq:
        return value.items, value.members, value.open, value.open_undefined
    return value, None, False, False


def _pack(items: list[Any], members: list[Any] | None, open_: bool, open_undefined: bool) -> Any:
    if members is not None and all(m is True for m in members):
        members = None
    if members is None and not open_:
        return items
    return _Seq(items, members, open_, open_undefined)


def _get_many_slow(src: _Seq, read: Callable[[Any], Any], flatten: bool, entity: str) -> Any:
    """A field of every item of a list with doubtful members or missing parts."""
    _check_items(src.items, entity)
    out: list[Any] = []
    members: list[Any] = []
    open_, open_undefined = src.open, src.open_undefined
    for index, item in enumerate(src.items):
        member = True if src.members is None else src.members[index]
        got = read(item)
        if not flatten:
            out.append(got)
            members.append(member)
            continue
        items, inner, inner_open, _ = _unpack(got)
        out.extend(items)
        if inner is None:
            members.extend([member] * len(items))
        else:
            members.extend(v.logic_and(member, m) for m in inner)
        open_ = open_ or inner_open
        open_undefined = open_undefined or (inner_open and v.flags(member)[2])
    return _pack(out, members, open_, open_undefined)


def _known(x: Any) -> bool:
    return x is not UNDEFINED and type(x) is not Range


def _check_items(items: list[Any], entity: str) -> None:
    for item in items:
        if type(item) is not dict and item is not None and not is_object(item):
            check_object(item, entity)


class Compiler:
    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params = params or {}
        self.max_level = 0

    def compile(self, node: ir.Node) -> Callable[..., Any]:
        """A function (subject data, period, context=None) -> value; the context
        carries a ruleset's outcomes so far (criteria, score, level)."""
        levels = [n.level for n in ir.walk(node) if isinstance(n, (ir.Aggregate, ir.Filter))]
        self.max_level = max(levels, default=0)
        self.period_slot = self.max_level + 1
        self.context_slot = self.max_level + 2
        body = self.node(node)
        size = self.max_level + 3

        def run(subject: Any, period: Any, context: Any = None) -> Any:
            env = [None] * size
            env[0] = subject
            env[size - 2] = period
            env[size - 1] = context
            return body(env)

        return run

    def node(self, node: ir.Node) -> Fn:
        return getattr(self, "_" + type(node).__name__.lower())(node)

    # ------------------------------------------------------------- leaves

    def _const(self, node: ir.Const) -> Fn:
        value = node.value
        if isinstance(node.type, t.List):
            value = list(value)
        return lambda env: value

    def _var(self, node: ir.Var) -> Fn:
        level = node.level
        return lambda env: env[level]

    def _periodref(self, node: ir.PeriodRef) -> Fn:
        slot = self.period_slot
        span = node.span

        def period(env: Env) -> Any:
            value = env[slot]
            if value is None:
                raise AntqError(Diagnostic("no-period", {}, span))
            return value

        return period

    def _param(self, node: ir.Param) -> Fn:
        value = self.params[node.name]
        return lambda env: value

    def _constant(self, node: ir.Node) -> tuple[bool, Any]:
        """Whether a node is fixed when compiling (a literal or a parameter), and its value."""
        if isinstance(node, ir.Const):
            return True, node.value
        if isinstance(node, ir.Param):
            return True, self.params[node.name]
        return False, None

    def _criterionref(self, node: ir.CriterionRef) -> Fn:
        slot, key = self.context_slot, node.id
        index = 0 if node.kind == "passes" else 1
        return lambda env: env[slot].outcomes[key][index]

    def _outcomeref(self, node: ir.OutcomeRef) -> Fn:
        slot, name = self.context_slot, node.name
        return lambda env: getattr(env[slot], name)

    def _rulesetref(self, node: ir.RulesetRef) -> Fn:
        slot, level, kind, ruleset = self.context_slot, node.level, node.kind, node.ruleset

        def ruleset_ref(env: Env) -> Any:
            year = env[slot].year if env[slot] is not None else None
            return verdict_as_bool(ruleset.verdict_for(env[level], year, "compiled"), kind)

        return ruleset_ref

    # -------------------------------------------------------------- fields

    def _get(self, node: ir.Get) -> Fn:
        name = node.field
        ftype = node.field_type
        base = self.node(node.base)
        if isinstance(node.base.type, t.List):
            return self._get_many(base, name, ftype, node.base.type.item.name)
        read = self._reader(name, ftype)
        if isinstance(node.base, ir.Var):
            level = node.base.level
            return lambda env: read(env[level])
        return lambda env: read(base(env))

    def _reader(self, name: str, ftype: t.Type) -> Callable[[Any], Any]:
        """raw object -> the field's value, checked and converted."""
        if isinstance(ftype, t.List):
            item_type = ftype.item
            convert = None if isinstance(item_type, t.Entity) else scalar_reader(item_type)
            entity = str(item_type)

            def read_list(obj: Any) -> Any:
                raw = None if obj is None else (obj.get(name) if type(obj) is dict else None)
                if raw is None and obj is not None:
                    raw = get_raw(obj, name)
                if type(raw) is not list:
                    if raw is None:
                        return _Seq([], None, True)
                    raw = check_list(raw, entity)
                if convert is not None:
                    return [convert(x) for x in raw]
                return raw

            return read_list
        if isinstance(ftype, t.Entity):
            entity = ftype.name

            def read_entity(obj: Any) -> Any:
                if obj is None:
                    return None
                raw = obj.get(name) if type(obj) is dict else get_raw(obj, name)
                if raw is None and type(obj) is dict:
                    raw = get_raw(obj, name)
                if raw is None or type(raw) is dict:
                    return raw
                return check_object(raw, entity)

            return read_entity
        convert = scalar_reader(ftype)
        if ftype == t.BOOL:
            unknown = v.UNKNOWN_BOOL

            def read_bool(obj: Any) -> Any:
                if type(obj) is dict:
                    raw = obj.get(name)
                    if raw is True or raw is False:
                        return raw
                elif obj is None:
                    return unknown
                return convert(get_raw(obj, name))

            return read_bool

        def read_scalar(obj: Any) -> Any:
            if obj is None:
                return convert(None)
            raw = obj.get(name) if type(obj) is dict else None
            if raw is None:
                raw = get_raw(obj, name)
            return convert(raw)

        return read_scalar

    def _get_many(self, base: Fn, name: str, ftype: t.Type, entity: str) -> Fn:
        read = self._reader(name, ftype)
        flatten = isinstance(ftype, t.List)

        def get_many(env: Env) -> Any:
            src = base(env)
            if type(src) is not list:
                return _get_many_slow(src, read, flatten, entity)
            _check_items(src, entity)
            if not flatten:
                return [read(item) for item in src]
            out: list[Any] = []
            open_ = False
            for item in src:
                got = read(item)
                if type(got) is list:
                    out.extend(got)
                else:
                    open_ = True
                    out.extend(got.items)
            return _Seq(out, None, True) if open_ else out

        return get_many

    def _part(self, node: ir.Part) -> Fn:
        base = self.node(node.base)
        part = node.part
        if node.base.type == t.PERIOD:
            return lambda env: v.period_part(base(env), part)
        return lambda env: v.date_part(base(env), part)

    # ---------------------------------------------------------------- logic

    def _not(self, node: ir.Not) -> Fn:
        operand = self.node(node.operand)

        def not_(env: Env) -> Any:
            x = operand(env)
            if x is True:
                return False
            if x is False:
                return True
            return v.logic_not(x)

        return not_

    def _and(self, node: ir.And) -> Fn:
        left, right = self.node(node.left), self.node(node.right)

        def and_(env: Env) -> Any:
            a = left(env)
            if a is False:
                return False
            b = right(env)
            if a is True and (b is True or b is False):
                return b
            return v.logic_and(a, b)

        return and_

    def _or(self, node: ir.Or) -> Fn:
        left, right = self.node(node.left), self.node(node.right)

        def or_(env: Env) -> Any:
            a = left(env)
            if a is True:
                return True
            b = right(env)
            if a is False and (b is True or b is False):
                return b
            return v.logic_or(a, b)

        return or_

    # ---------------------------------------------------------- comparisons

    def _compare(self, node: ir.Compare) -> Fn:
        op = node.op
        left_node, right_node = node.left, node.right
        if self._constant(left_node)[0] and not self._constant(right_node)[0]:
            op = _SWAP[op]
            left_node, right_node = right_node, left_node
        fixed, constant = self._constant(right_node)
        if fixed and isinstance(left_node, ir.Aggregate) and left_node.func == "ratio":
            return self._ratio_compare(left_node, op, Fraction(constant))
        test = _OPS[op]
        left = self.node(left_node)
        if fixed:

            def compare_const(env: Env) -> Any:
                a = left(env)
                if a is UNDEFINED or type(a) is Range:
                    return v.compare(op, a, constant)
                return test(a, constant)

            return compare_const
        right = self.node(right_node)

        def compare(env: Env) -> Any:
            a = left(env)
            b = right(env)
            if a is UNDEFINED or b is UNDEFINED or type(a) is Range or type(b) is Range:
                return v.compare(op, a, b)
            return test(a, b)

        return compare

    def _ratio_compare(self, node: ir.Aggregate, op: str, threshold: Fraction) -> Fn:
        rows = self._rows(node, value_aggregate=False)
        test = _OPS[op]
        p, q = threshold.numerator, threshold.denominator

        def ratio_compare(env: Env) -> Any:
            true, false, _, slow, open_, phantom = rows(env)
            if slow or open_:
                return v.compare(op, _finish_ratio(true, false, slow, open_, phantom), threshold)
            n = true + false
            if n == 0:
                return UNDEFINED
            return test(true * q, p * n)

        return ratio_compare

    def _member(self, node: ir.Member) -> Fn:
        element = self.node(node.element)
        negate = node.negate
        if node.container.type == t.PERIOD:
            container = self.node(node.container)

            def in_period(env: Env) -> Any:
                result = v.in_period(element(env), container(env))
                return v.logic_not(result) if negate else result

            return in_period
        if isinstance(node.container, ir.ListOf) and all(
            isinstance(i, ir.Const) for i in node.container.items
        ):
            constants = [i.value for i in node.container.items]
            lookup = frozenset(constants)

            def in_constants(env: Env) -> Any:
                x = element(env)
                if x is UNDEFINED or type(x) is Range:
                    result = v.member(x, constants, False)
                    return v.logic_not(result) if negate else result
                return (x in lookup) != negate

            return in_constants
        container = self.node(node.container)

        def member(env: Env) -> Any:
            x = element(env)
            box = container(env)
            if type(box) is list and _known(x):
                if x in box:
                    result: Any = True
                elif all(_known(i) for i in box):
                    result = False
                else:
                    result = v.member(x, box, False)
            else:
                items, members, open_, _ = _unpack(box)
                result = v.member(x, items, open_, members)
            return v.logic_not(result) if negate else result

        return member

    # ----------------------------------------------------------- arithmetic

    def _arith(self, node: ir.Arith) -> Fn:
        left, right = self.node(node.left), self.node(node.right)
        op = node.op

        def arith(env: Env) -> Any:
            return v.arith(op, left(env), right(env))

        return arith

    def _neg(self, node: ir.Neg) -> Fn:
        operand = self.node(node.operand)
        return lambda env: v.negate(operand(env))

    def _fallback(self, node: ir.Fallback) -> Fn:
        left, right = self.node(node.left), self.node(node.right)

        def fallback(env: Env) -> Any:
            a = left(env)
            if a is UNDEFINED:
                return right(env)
            if type(a) is Range and a.undefined:
                return v.fallback(a, right(env))
            return a

        return fallback

    def _makeperiod(self, node: ir.MakePeriod) -> Fn:
        start, end = self.node(node.start), self.node(node.end)
        return lambda env: v.make_period(start(env), end(env))

    def _listof(self, node: ir.ListOf) -> Fn:
        items = [self.node(i) for i in node.items]
        return lambda env: [f(env) for f in items]

    def _filter(self, node: ir.Filter) -> Fn:
        source = self.node(node.source)
        condition = self.node(node.condition)
        level = node.level
        item_type = node.type.item if isinstance(node.type, t.List) else None
        entity = item_type.name if isinstance(item_type, t.Entity) else None
        unknown_item_undefined = node.unknown_item_undefined

        def filter_(env: Env) -> Any:
            items, members, open_, open_undefined = _unpack(source(env))
            if entity is not None:
                _check_items(items, entity)
            kept: list[Any] = []
            kept_members: list[Any] = []
            for index, item in enumerate(items):
                env[level] = item
                belongs = condition(env)
                if members is not None and members[index] is not True:
                    belongs = v.logic_and(members[index], belongs)
                if belongs is False:
                    continue
                kept.append(item)
                kept_members.append(belongs)
            open_undefined = open_undefined or (open_ and unknown_item_undefined)
            return _pack(kept, kept_members, open_, open_undefined)

        return filter_

    # ----------------------------------------------------------- aggregates

    def _items_of(self, node: ir.Aggregate) -> Callable[[Env], tuple]:
        """The source list, item types checked: (items, members, open, and whether
        an unknown item of an open list could be undefined here)."""
        source = self.node(node.source)
        item_type = node.source.type.item if isinstance(node.source.type, t.List) else None
        entity = item_type.name if isinstance(item_type, t.Entity) else None
        unknown_item_undefined = node.unknown_item_undefined

        def items_of(env: Env) -> tuple:
            src = source(env)
            if type(src) is list:
                if entity is not None:
                    _check_items(src, entity)
                return src, None, False, False
            items, members, open_, open_undefined = _unpack(src)
            if entity is not None:
                _check_items(items, entity)
            return items, members, open_, open_ and (open_undefined or unknown_item_undefined)

        return items_of

    def _rows(self, node: ir.Aggregate, value_aggregate: bool) -> Callable[[Env], tuple]:
        """Walk the items once. Items that surely take part and whose test (or
        value) is decided are tallied; any other goes to `slow` as (keep, body).
        Gives (true, false, known values, slow, open, phantom undefined)."""
        items_of = self._items_of(node)
        level = node.level
        keep_fn = None if node.filter is None else self.node(node.filter)
        body_fn = None if node.body is None else self.node(node.body)

        def rows(env: Env) -> tuple:
            items, members, open_, phantom = items_of(env)
            true = false = 0
            known: list[Any] = []
            slow: list[tuple[Any, Any]] = []
            for index, item in enumerate(items):
                env[level] = item
                keep = True if keep_fn is None else keep_fn(env)
                if members is not None and members[index] is not True:
                    keep = v.logic_and(members[index], keep)
                if keep is False:
                    continue
                if keep is not True and not v.flags(keep)[0]:
                    slow.append((keep, None))
                    continue
                body = True if body_fn is None else body_fn(env)
                if keep is not True:
                    slow.append((keep, body))
                elif value_aggregate:
                    if body is UNDEFINED or type(body) is Range:
                        slow.append((keep, body))
                    else:
                        known.append(body)
                elif body is True:
                    true += 1
                elif body is False:
                    false += 1
                else:
                    slow.append((keep, body))
            return true, false, known, slow, open_, phantom

        return rows

    def _aggregate(self, node: ir.Aggregate) -> Fn:
        func = node.func
        if func not in ir.BOOL_AGGREGATES:
            return self._value_aggregate(node)
        rows = self._rows(node, value_aggregate=False)
        finish = _BOOL_FINISH[func]

        def bool_aggregate(env: Env) -> Any:
            true, false, _, slow, open_, phantom = rows(env)
            if slow or open_:
                return finish(true, false, slow, open_, phantom)
            if func == "count":
                return true
            if func == "ratio":
                n = true + false
                return UNDEFINED if n == 0 else Fraction(true, n)
            if func == "any":
                return true > 0
            if func == "none":
                return true == 0
            return false == 0

        return bool_aggregate

    def _value_aggregate(self, node: ir.Aggregate) -> Fn:
        rows = self._rows(node, value_aggregate=True)
        func = node.func

        def value_aggregate(env: Env) -> Any:
            _, _, known, slow, open_, phantom = rows(env)
            if slow or open_:
                return v.value_aggregate(func, known, slow, open_, phantom)
            if func == "sum":
                return sum(known)
            if not known:
                return UNDEFINED
            if func == "avg":
                return Fraction(sum(known), len(known))
            return min(known) if func == "min" else max(known)

        return value_aggregate


def compile_tree(node: ir.Node, params: dict[str, Any] | None = None) -> Callable[[Any, Any], Any]:
    return Compiler(params).compile(node)
