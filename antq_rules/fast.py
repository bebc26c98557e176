"""Generated code: the production evaluator, beside the reference interpreter.

From the checked tree of a ruleset this module writes the source of one
Python function that judges a record the way a programmer would by hand:

* reads the data with plain dict lookups and checks each value's type inline;
* computes every aggregate in loops, and fuses the aggregates of all
  criteria that scan the same list into one pass over it (the list is read,
  and its items checked, once);
* compares ratios by integer cross-multiplication;
* decides each criterion, the points, score, level and verdict.

Values the data does not decide go through the same code. A value read as
None (or a key missing, a list or an object not given) is "not known"; each
place that uses one checks for it — on the path a known value does not take
— and hands it to the operations of `values`, which define Kleene logic and
ranges once for every evaluator. An aggregate keeps the items it cannot
decide, (keep, test) pairs, beside its tallies, and `values.finish_*` turn
both into the range of the result: 12 safe hamlets of 13 with one not known
still passes `>= 90%`. `unk` notes whether anything was not known (for the
explanations' shortcuts).

What the code does not decide — a value of the wrong type, an undefined
value that no `??` catches, a points or level condition not known — makes it
give up (`Deopt`, or any other exception). `Ruleset.judge` then judges the
record criterion by criterion (`node_function`: each expression's own
generated code, in the context of the outcomes so far), and an expression
whose code gives up too is evaluated by the reference interpreter, which
also reports where data is wrong. Each function is made twice: for plain
dicts with `d[k]`, and for any subject (keys missing or in another normal
form, Mappings, attrs instances, dataclasses), which the first hands a
record to when it meets one.

Nothing from a ruleset or from data is ever placed in the generated source:
names and values from the ruleset are passed in as constants (`_k0`, `_k1`…),
variables are numbered, and data is only ever read by the generated code.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from fractions import Fraction
from typing import Any

from . import ir
from . import types as t
from . import values as v
from .data import get_raw, is_object, to_date, to_decimal, to_int
from .model import Status
from .source import normalize_text


class Unsupported(Exception):
    """Internal: a construct the fast path does not generate (the ruleset keeps
    using the general path only)."""


class Deopt(Exception):
    """Internal: the record needs the general path."""


class Undef(Exception):
    """Internal: an undefined value, caught by the nearest `??`."""


# ------------------------------------------------------------ run-time helpers
# Called by generated code; each returns a plain, valid value or raises.

_DATES: dict[str, datetime.date] = {}


def _read_date(raw: Any) -> datetime.date | None:
    if type(raw) is str:
        day = _DATES.get(raw)
        if day is None:
            day = to_date(raw)
            if type(day) is not datetime.date:
                raise Deopt
            if len(_DATES) > 100_000:  # a bound, for long-running processes
                _DATES.clear()
            _DATES[raw] = day
        return day
    if raw is None:
        return None  # not known
    day = to_date(raw)
    if type(day) is not datetime.date:
        raise Deopt
    return day


def _read_int(raw: Any) -> int:
    value = to_int(raw)
    if type(value) is not int:
        raise Deopt
    return value


def _read_decimal(raw: Any) -> Any:
    value = to_decimal(raw)
    if type(value) is not int and type(value) is not Fraction:
        raise Deopt
    return value


def _read_text(raw: Any) -> str | None:
    if raw is None:
        return None  # not known
    if type(raw) is not str:
        raise Deopt
    return normalize_text(raw)


def _ratio(true: int, total: int) -> Fraction:
    if total == 0:
        raise Undef
    return ratio_of(true, total)


# Ratios of small counts recur from record to record: each is made once.
_RATIOS: dict[tuple[int, int], Fraction] = {}


def ratio_of(hits: int, total: int) -> Fraction:
    """`Fraction(hits, total)`, shared between explanations (it is immutable)."""
    key = (hits, total)
    found = _RATIOS.get(key)
    if found is None:
        if len(_RATIOS) >= 65536:
            _RATIOS.clear()
        found = _RATIOS[key] = Fraction(hits, total)
    return found


def _divide(a: Any, b: Any) -> Any:
    if b == 0:
        raise Undef
    return Fraction(a) / b


def _defined(value: Any) -> Any:
    if value is _NOTHING:
        raise Undef
    return value


def _mean(total: Any, count: int) -> Any:
    if count == 0:
        raise Undef
    return v.arith_known("/", total, count)


class _Nothing:
    __slots__ = ()


_NOTHING = _Nothing()

# ---- values the data does not decide
# In generated code a value read from the data is a plain value or None (not
# known); operations on the latter, and the ranges they give, go through the
# functions of `values`, which define them once for every evaluator.

_UB, _U = v.UNKNOWN_BOOL, v.UNKNOWN


def _gb(x: Any) -> Any:
    return _UB if x is None else x


def _gv(x: Any) -> Any:
    return _U if x is None else x


def _defined_or_undef(value: Any) -> Any:
    if value is v.UNDEFINED:
        raise Undef
    return value


# (Each has a shortcut for the usual case — a value read as None, every other
# operand plain — where `values` would give the unknown bool anyway: a list
# of thousands of items not known is then judged in linear time, quickly.)


def _unknown(x: Any) -> bool:
    return x is None or x is _UB


def _not_g(x: Any) -> Any:
    if x is True or x is False:
        return not x
    if _unknown(x):
        return _UB
    return v.logic_not(_gb(x))


def _and_g(a: Any, b: Any) -> Any:
    if a is False or b is False:
        return False
    if (_unknown(a) or a is True) and (_unknown(b) or b is True):
        return True if a is True and b is True else _UB
    return v.logic_and(_gb(a), _gb(b))


def _or_g(a: Any, b: Any) -> Any:
    if a is True or b is True:
        return True
    if (_unknown(a) or a is False) and (_unknown(b) or b is False):
        return False if a is False and b is False else _UB
    return v.logic_or(_gb(a), _gb(b))


def _cmp_g(op: str, a: Any, b: Any) -> Any:
    """A comparison of values the data may not decide (bools already as sets)."""
    if (a is None and b is not None and b.__class__ is not v.Range) or (
        b is None and a is not None and a.__class__ is not v.Range
    ):
        # (a value not known against a known one: either answer is possible)
        return _UB
    return _defined_or_undef(v.compare(op, _gv(a), _gv(b)))


def _member_g(x: Any, items: list[Any]) -> Any:
    if x is None:
        return _UB if items else False
    return v.member(_gv(x), items, False)


def _in_period_g(x: Any, period: Any) -> Any:
    if x is None and period.start <= period.end:
        return _UB
    return v.in_period(_gv(x), period)


def _part_g(x: Any, part: str) -> Any:
    return v.date_part(_gv(x), part)


def _arith_g(op: str, a: Any, b: Any) -> Any:
    return _defined_or_undef(v.arith(op, _gv(a), _gv(b)))


def _neg_g(x: Any) -> Any:
    return v.negate(_gv(x))


def _fallback_g(value: Any, other: Any) -> Any:
    return v.fallback(value, _gv(other))


def _aggregate_g(
    func: str, tally: Any, total: Any, slow: Any, opened: bool = False, phantom: bool = False
) -> Any:
    """A `count`, `ratio`, `all`, `any` or `none` some of whose items the data
    does not decide: the generated tallies of the decided ones, the (keep,
    test) of each other item, and whether a list on the way was not given
    (`opened`; `phantom`: the items it may hold could make it undefined)."""
    slow = slow or ()
    if opened:
        rows = [(_gb(keep), _gb(test)) for keep, test in slow]
        if func == "ratio":
            value = v.finish_ratio(tally, total - tally, rows, True, phantom)
        elif func == "all":
            value = v.finish_all(0, 0 if tally else 1, rows, True, phantom)
        elif func == "count":
            value = v.finish_count(tally, 0, rows, True, phantom)
        else:
            value = v.BOOL_FINISH[func](1 if tally else 0, 0, rows, True, phantom)
        return _defined_or_undef(value)
    if all(k is True and _unknown(x) for k, x in slow):
        # The usual case: items surely taking part whose test is not known.
        if func == "count":
            return v.count_result(tally, tally + len(slow), False, False)
        if func == "ratio":
            return _defined_or_undef(
                v.ratio_result(tally, total - tally, len(slow), 0, 0, False, False)
            )
        # (`all` with none failing, `any` and `none` with none holding: the
        # finishing code decided the others)
        return _UB
    rows = [(_gb(keep), _gb(test)) for keep, test in slow]
    if func == "count":
        value = v.finish_count(tally, 0, rows, False, False)
    elif func == "ratio":
        value = v.finish_ratio(tally, total - tally, rows, False, False)
    elif func == "all":
        value = v.finish_all(0, 0 if tally else 1, rows, False, False)
    else:  # any, none (whose tally is "some item holds")
        value = v.BOOL_FINISH[func](1 if tally else 0, 0, rows, False, False)
    return _defined_or_undef(value)


def _value_g(func: str, tally: Any, total: Any, slow: Any, opened: bool, phantom: bool) -> Any:
    """A `sum`, `avg`, `min` or `max` some of whose items the data does not
    decide: the running value of the decided ones (a sum, an extreme; for
    `avg`, the sum and the count), the (keep, value) of each other item, and
    whether a list on the way was not given."""
    rows = [(_gb(keep), _gv(value)) for keep, value in slow or ()]
    if func == "avg":
        if rows:
            raise Deopt  # (the general path keeps every value; the code only their sum)
        known = [Fraction(tally, total)] if total else []
    elif func == "sum":
        known = [tally]
    else:
        known = [] if tally is _NOTHING else [tally]
    return _defined_or_undef(v.value_aggregate(func, known, rows, opened, phantom))


def _ratio_cmp_g(op: str, tally: int, total: int, slow: Any, opened: bool, p: int, q: int) -> Any:
    """`ratio(…) op p/q` where some items' tests are not known: decided by the
    least and the greatest ratio they allow, in integer arithmetic — or by
    `values` for anything less usual (None: ask the caller to)."""
    if opened or not all(k is True and _unknown(x) for k, x in slow):
        return None
    unknown = len(slow)
    n = total + unknown
    if op in ("==", "!="):
        # As the ratio's range says (`values.compare`): unknown where the
        # constant lies between its ends, else decided. (The two ends alone
        # do not tell: both may differ from a constant that lies between.)
        if not tally * q <= p * n <= (tally + unknown) * q:
            return op == "!="
        return _UB  # (the ends differ: at least one item is not known)
    low = _OPS[op](tally * q, p * n)
    high = _OPS[op]((tally + unknown) * q, p * n)
    return low if low is high else _UB


_OPS = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _status_g(x: Any) -> Status:
    return Status.PASS if x is True else Status.FAIL if x is False else Status.UNKNOWN


def _passes_g(status: Status) -> Any:
    """`passes(X)` of a criterion whose status may be UNKNOWN (None: not known)."""
    return True if status is Status.PASS else None if status is Status.UNKNOWN else False


_RUNTIME: dict[str, Any] = {
    "Deopt": Deopt,
    "Undef": Undef,
    "_date": datetime.date,
    "_Fraction": Fraction,
    "_read_date": _read_date,
    "_known_date": _DATES.get,
    "_read_int": _read_int,
    "_read_decimal": _read_decimal,
    "_read_text": _read_text,
    "_ratio": _ratio,
    "_divide": _divide,
    "_defined": _defined,
    "_mean": _mean,
    "_NOTHING": _NOTHING,
    "_UNDEFINED": v.UNDEFINED,
    "_Period": v.Period,
    "_PASS": Status.PASS,
    "_FAIL": Status.FAIL,
    "_NA": Status.NA,
    "_UNKNOWN": Status.UNKNOWN,
    "_Range": v.Range,
    "_UB": _UB,
    "_U": _U,
    "_gb": _gb,
    "_gv": _gv,
    "_not_g": _not_g,
    "_and_g": _and_g,
    "_or_g": _or_g,
    "_cmp_g": _cmp_g,
    "_member_g": _member_g,
    "_in_period_g": _in_period_g,
    "_part_g": _part_g,
    "_arith_g": _arith_g,
    "_neg_g": _neg_g,
    "_fallback_g": _fallback_g,
    "_aggregate_g": _aggregate_g,
    "_ratio_cmp_g": _ratio_cmp_g,
    "_value_g": _value_g,
    "_get_raw": get_raw,
    "_is_object": is_object,
    "_status_g": _status_g,
    "_passes_g": _passes_g,
}

# What a generated expression may hold: a plain valid value; that or None (a
# value read from the data and not known); or anything `values` has (a
# range, an unknown bool…) or None. Consumers check only what may occur.
PLAIN, MAYBE, GENERAL = 0, 1, 2


# --------------------------------------------------------------- the emitter


class _Emitter:
    """Python source, line by line, with numbered variables and constants."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.depth = 1
        self.counter = 0
        self.constants: dict[str, Any] = {}
        self._constant_names: dict[tuple[type, Any], str] = {}
        # Field reads already made in the enclosing blocks: (object var, field) -> var.
        self.reads: list[dict[tuple[str, str], str]] = [{}]
        # Bools read but not yet checked to be bools, per block: a test that
        # consumes one checks it on the way (`x is True`, else `x is False`…).
        self.unchecked: list[set[str]] = [set()]
        # What each expression or variable may hold (PLAIN, MAYBE, GENERAL).
        self.kinds: dict[str, int] = {}

    def kind(self, code: str) -> int:
        return self.kinds.get(code, PLAIN)

    def mark(self, code: str, kind: int) -> str:
        """Note that `code` may hold what `kind` says (or what it held)."""
        if kind > self.kinds.get(code, PLAIN):
            self.kinds[code] = kind
        return code

    def line(self, text: str) -> None:
        self.lines.append("    " * self.depth + text)

    def var(self, prefix: str = "t") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def const(self, value: Any) -> str:
        try:
            key: Any = (type(value), value)
            hash(key)
        except TypeError:
            key = (type(value), id(value))
        name = self._constant_names.get(key)
        if name is None:
            name = f"_k{len(self.constants)}"
            self.constants[name] = value
            self._constant_names[key] = name
        return name

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.line(header)
        self.depth += 1
        self.reads.append(dict(self.reads[-1]))
        self.unchecked.append(set(self.unchecked[-1]))
        try:
            yield
        finally:
            self.reads.pop()
            self.unchecked.pop()
            self.depth -= 1

    def known_read(self, obj: str, field: str) -> str | None:
        return self.reads[-1].get((obj, field))

    def remember_read(self, obj: str, field: str, var: str) -> None:
        self.reads[-1][(obj, field)] = var


Env = Mapping[int, str]


class _Aggregate:
    """The variables of one aggregate's running totals, and how to finish it."""

    def __init__(self, node: ir.Aggregate, emitter: _Emitter) -> None:
        self.node = node
        func = node.func
        self.a = emitter.var("a")
        self.b = emitter.var("b") if func in ("ratio", "avg") else None
        # Items the data does not decide, as (keep, test or value), and whether
        # a list on the way was not given (more items may exist).
        self.slow = emitter.var("sl")
        self.opened = emitter.var("op")
        # Whether the items a list not given may hold could make it undefined;
        # and whether a filter on the way could (the general path decides).
        self.phantom = node.unknown_item_undefined
        self.open_needs_general = False
        # A ratio over every item of its lists counts them by `len`, not one by one.
        self.by_length = False
        self.endings = 1  # the loops it takes items from (more with `+`)

    def init(self, out: _Emitter) -> None:
        func = self.node.func
        start = {
            "count": "0",
            "ratio": "0",
            "all": "True",
            "any": "False",
            "none": "False",
            "sum": "0",
            "avg": "0",
            "min": "_NOTHING",
            "max": "_NOTHING",
        }[func]
        out.line(f"{self.a} = {start}")
        if self.b is not None:
            out.line(f"{self.b} = 0")
        out.line(f"{self.slow} = None")  # (a list, made at the first such item)
        out.line(f"{self.opened} = False")

    def openness(self) -> str:
        """`_aggregate_g`'s open (and phantom) arguments."""
        return f"{self.opened}, {self.phantom!r}"

    def plain(self) -> str:
        """The value when every item was decided."""
        func, a, b = self.node.func, self.a, self.b
        if func == "ratio":
            return f"_ratio({a}, {b})"
        if func == "none":
            return f"(not {a})"
        if func == "avg":
            return f"_mean({a}, {b})"
        if func in ("min", "max"):
            return f"_defined({a})"
        return a

    def finish(self, out: _Emitter, tolerant: bool = True) -> str:
        """A variable with the aggregate's value, emitted where it is needed
        (where no value may be not known, the plain expression)."""
        if not tolerant:
            return self.plain()
        value = out.var("f")
        if self.node.func not in ir.BOOL_AGGREGATES:
            name = out.const(self.node.func)
            total = self.b or "0"
            general = f"_value_g({name}, {self.a}, {total}, {self.slow}, {self.openness()})"
            out.line(f"{value} = {general} if {self.slow} or {self.opened} else {self.plain()}")
            return out.mark(value, GENERAL)
        total = self.b or "0"
        func = self.node.func
        # (`all` with an item surely failing is false whatever the others;
        # `any` and `none` with one surely holding are decided too)
        undecided = {"all": f" and {self.a}", "any": f" and not {self.a}"}.get(func, "")
        if func == "none":
            undecided = f" and not {self.a}"
        general = (
            f"_aggregate_g({out.const(func)}, {self.a}, {total}, {self.slow}, {self.openness()})"
        )
        test = f"({self.slow} or {self.opened}){undecided}"
        out.line(f"{value} = {general} if {test} else {self.plain()}")
        out.mark(value, GENERAL)
        return value


class _Generator:
    # Whether a value read may be None (not known) and go on through the code;
    # else the code gives up on it (the generated tracer: see fast_trace).
    tolerant = True

    def __init__(self, params: Mapping[str, Any], any_object: bool = False) -> None:
        self.params = params
        # Whether objects may be anything a subject may be (a dict with keys
        # missing or in another normal form, a Mapping, an attrs instance, a
        # dataclass), read by `_field`, slower; else plain dicts read with
        # `d[k]`. The functions are made both ways, the second for records
        # the first stops at (see `_build`).
        self.any_object = any_object
        # Whether the code is one expression of a ruleset, judged in a context
        # (`ctx`: outcomes of criteria so far, score, level, year) — the
        # general path of `Ruleset.judge` — rather than the whole ruleset.
        self.in_context = False
        self.out = _Emitter()
        self.hoisted: dict[int, _Aggregate] = {}
        self.criterion_vars: dict[str, tuple[str, str]] = {}  # id -> (passes var, applies var)
        self.nested = False  # whether `nu` notes items judged by other rulesets
        self.outcome_vars: dict[str, str] = {}  # score, max_score, level

    def prologue(self, roots: list[ir.Node | None]) -> None:
        """What every generated function checks first: a period when the roots
        use one (its bounds kept at hand), and a plain dict as the subject.
        `unk` notes whether a value read was not known."""
        self.out.line("unk = False")
        if self.tolerant and any(
            isinstance(n, ir.RulesetRef) for r in roots if r is not None for n in ir.walk(r)
        ):
            self.out.line("nu = [False]")  # (an item judged by another ruleset was not complete)
            self.nested = True
        if any(ir.uses_period(r) for r in roots if r is not None):
            self.out.line("if period is None: raise Deopt")
            self.out.line("pstart, pend = period.start, period.end")
        if self.any_object:
            self.out.line("if not _is_object(d): raise Deopt")
        else:
            self.out.line("if type(d) is not dict: raise Deopt")

    # ------------------------------------------------------------- values

    def expr(self, node: ir.Node, env: Env) -> str:
        """A Python expression for the node's value (statements it needs are
        emitted first)."""
        return self.checked(self.raw_expr(node, env))

    def checked(self, x: str) -> str:
        """`x`, checked now if it holds a bool field read but not checked yet."""
        if x in self.out.unchecked[-1]:
            self.out.line(f"if type({x}) is not bool{self.or_none(x)}: raise Deopt")
            self.out.unchecked[-1].discard(x)
        return x

    def or_none(self, x: str) -> str:
        """` and x is not None`, where a value may be not known (None)."""
        return f" and {x} is not None" if self.tolerant else ""

    def raw_expr(self, node: ir.Node, env: Env) -> str:
        """`expr`, except that a bool field just read may not be checked yet
        (its variable is then in `out.unchecked[-1]`)."""
        handler = getattr(self, "_" + type(node).__name__.lower(), None)
        if handler is None:
            raise Unsupported(type(node).__name__)
        return handler(node, env)

    def _const(self, node: ir.Const, env: Env) -> str:
        value = node.value
        if value is True or value is False:
            return repr(value)
        if isinstance(node.type, t.List):
            return self.out.const(tuple(value))
        return self.out.const(value)

    def _param(self, node: ir.Param, env: Env) -> str:
        value = self.params[node.name]
        if isinstance(value, (list, tuple)):
            return self.out.const(tuple(value))
        return self.out.const(value)

    def _var(self, node: ir.Var, env: Env) -> str:
        if node.level not in env:
            raise Unsupported("an item outside its aggregate")
        return env[node.level]

    def _periodref(self, node: ir.PeriodRef, env: Env) -> str:
        return "period"  # checked not to be None at the start

    def _get(self, node: ir.Get, env: Env) -> str:
        if isinstance(node.type, t.List):
            # Items are checked as they are iterated; as a value, a checked copy.
            return self.materialize(node, env)
        obj = self.expr(node.base, env)
        return self.read(obj, node.field, node.field_type)

    def read(self, obj: str, field: str, ftype: t.Type, open_list: bool = False) -> str:
        """Read a field of a dict and check its value (giving up when it is of
        another type). A scalar or an object not known is None; so is a list
        with `open_list` (the caller handles it), else the code gives up."""
        out = self.out
        known = out.known_read(obj, field)
        if known is not None:
            return known
        x = out.var("x")
        key = out.const(field)
        if not self.any_object:
            lookup = f"{obj}[{key}]"
        elif field.isascii():  # (a key missing, an attribute…; a dict read at once)
            lookup = f"({obj}.get({key}) if {obj}.__class__ is dict else _get_raw({obj}, {key}))"
        else:  # (a key in another normal form too)
            lookup = f"_get_raw({obj}, {key})"
        if out.kind(obj) != PLAIN:  # (an object not known: its fields are not either)
            lookup = f"None if {obj} is None else {lookup}"
        out.line(f"{x} = {lookup}")
        if ftype == t.BOOL:
            out.unchecked[-1].add(x)
        else:
            self.check(x, ftype, open_list)
        if self.tolerant and (
            t.is_scalar(ftype) or isinstance(ftype, t.Entity) or (open_list and ftype.item)
        ):
            out.mark(x, MAYBE)  # (None: not known)
        out.remember_read(obj, field, x)
        return x

    def check(self, x: str, ftype: t.Type, open_list: bool = False) -> None:
        """Statements that make `x` a plain valid value of `ftype`, or give up."""
        out = self.out
        if isinstance(ftype, t.List):
            none = self.or_none(x) if open_list else ""
            if self.any_object:  # (a tuple is a list too)
                out.line(f"if type({x}) is tuple: {x} = list({x})")
            out.line(f"if type({x}) is not list{none}: raise Deopt")
        elif isinstance(ftype, t.Entity):
            if self.any_object:
                out.line(f"if {x} is not None and not _is_object({x}): raise Deopt")
            else:
                out.line(f"if type({x}) is not dict{self.or_none(x)}: raise Deopt")
        elif isinstance(ftype, t.Enum):
            # Only text (or a str enum member) equal to a value is in the set.
            allowed = out.const(frozenset(ftype.values))
            out.line(f"if {x} not in {allowed}{self.or_none(x)}: raise Deopt")
        elif ftype == t.BOOL:
            out.line(f"if type({x}) is not bool{self.or_none(x)}: raise Deopt")
        elif ftype == t.INT:
            out.line(f"if type({x}) is not int{self.or_none(x)}: {x} = _read_int({x})")
        elif ftype == t.DECIMAL:
            out.line(f"if type({x}) is not int{self.or_none(x)}: {x} = _read_decimal({x})")
        elif ftype == t.TEXT:
            out.line(f"if type({x}) is not str or not {x}.isascii(): {x} = _read_text({x})")
            if not self.tolerant:
                out.line(f"if {x} is None: raise Deopt")
        elif ftype == t.DATE:
            out.line(f"{x} = _known_date({x}) or _read_date({x})")
            if not self.tolerant:
                out.line(f"if {x} is None: raise Deopt")
        else:
            raise Unsupported(str(ftype))

    def _part(self, node: ir.Part, env: Env) -> str:
        base = self.expr(node.base, env)
        if node.part not in ("year", "month", "day", "quarter", "start", "end"):
            raise Unsupported(node.part)
        out = self.out
        plain = (
            f"(({base}.month - 1) // 3 + 1)" if node.part == "quarter" else f"{base}.{node.part}"
        )
        if out.kind(base) == PLAIN:
            return plain
        if node.base.type == t.PERIOD:
            raise Unsupported("a period the data may not decide")
        general = f"_part_g({base}, {out.const(node.part)})"
        return self.choose(out.var("r"), self.unusual(base), general, plain)

    def choose(self, var: str, odd: str, general: str, plain: str) -> str:
        """`var = plain`, or `general` where `odd` (something not known) holds;
        the latter notes that the record was not complete (`unk`)."""
        out = self.out
        with out.block(f"if {odd}:"):
            out.line(f"{var} = {general}")
            out.line("unk = True")
        with out.block("else:"):
            out.line(f"{var} = {plain}")
        return out.mark(var, GENERAL)

    def unusual(self, code: str) -> str:
        """A test that `code` holds something else than a plain value."""
        kind = self.out.kind(code)
        if kind == GENERAL:
            return f"({code} is None or {code}.__class__ is _Range)"
        return f"{code} is None"

    def _not(self, node: ir.Not, env: Env) -> str:
        return self.negation(self.expr(node.operand, env))

    def negation(self, x: str) -> str:
        if self.out.kind(x) == PLAIN:
            return f"(not {x})"
        return self.choose(self.out.var("r"), self.unusual(x), f"_not_g({x})", f"not {x}")

    def _neg(self, node: ir.Neg, env: Env) -> str:
        x = self.expr(node.operand, env)
        if self.out.kind(x) == PLAIN:
            return f"(-{x})"
        return self.choose(self.out.var("r"), self.unusual(x), f"_neg_g({x})", f"-{x}")

    def _and(self, node: ir.And, env: Env) -> str:
        return self.short_circuit(node, env, "if {r}:")

    def _or(self, node: ir.Or, env: Env) -> str:
        return self.short_circuit(node, env, "if not {r}:")

    def short_circuit(self, node: ir.And | ir.Or, env: Env, test: str) -> str:
        """`and`/`or`: the right side only when the left does not decide, and
        Kleene logic when either side is not known."""
        out = self.out
        r = out.var("r")
        self.assign(r, node.left, env)
        if out.kind(r) == PLAIN:
            with out.block(test.format(r=r)):
                self.assign(r, node.right, env)
            return r
        is_and = isinstance(node, ir.And)
        decided = "False" if is_and else "True"
        with out.block(f"if {r} is not {decided}:"):
            right = out.var("r")
            self.assign(right, node.right, env)
            other = "True" if is_and else "False"
            helper = "_and_g" if is_and else "_or_g"
            self.choose(r, f"{r} is not {other}", f"{helper}({r}, {right})", right)
        return out.mark(r, GENERAL)

    def assign(self, var: str, node: ir.Node, env: Env) -> None:
        """`var = node`, where an undefined value is not simply passed up: `and`,
        `or`, `where` and aggregates may absorb it, which the general path
        decides."""
        out = self.out
        if not ir.may_be_undefined(node):
            value = self.expr(node, env)
            out.line(f"{var} = {value}")
            out.mark(var, out.kind(value))
            return
        with out.block("try:"):
            value = self.expr(node, env)
            out.line(f"{var} = {value}")
            out.mark(var, out.kind(value))
        with out.block("except Undef:"):
            out.line("raise Deopt")

    def condition(self, node: ir.Node, env: Env) -> str:
        """A test whose undefined value must not escape (see `assign`)."""
        if not ir.may_be_undefined(node):
            return self.expr(node, env)
        c = self.out.var("c")
        self.assign(c, node, env)
        return c

    def plain_bool(self, code: str) -> str:
        """`code` as a plain bool: where the data does not decide it, the
        general path decides (for points, levels, applicability)."""
        if self.out.kind(code) != PLAIN:
            self.out.line(f"if {code} is not True and {code} is not False: raise Deopt")
        return code

    def _compare(self, node: ir.Compare, env: Env) -> str:
        exact = self.ratio_comparison(node, env)
        if exact is not None:
            return exact
        out = self.out
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        plain = f"({left} {node.op} {right})"
        odd = [self.unusual(x) for x in (left, right) if out.kind(x) != PLAIN]
        if not odd:
            return plain
        sides = [self.as_set(x, n) for x, n in ((left, node.left), (right, node.right))]
        general = f"_cmp_g({out.const(node.op)}, {sides[0]}, {sides[1]})"
        return self.choose(out.var("c"), " or ".join(odd), general, plain)

    def as_set(self, code: str, node: ir.Node) -> str:
        """A value as `values` takes it (a bool not known as the unknown bool)."""
        if self.out.kind(code) != PLAIN and node.type == t.BOOL:
            return f"_gb({code})"
        return code

    def ratio_comparison(self, node: ir.Compare, env: Env) -> str | None:
        """`ratio(…) op constant` (or `ratio(…) ?? c op constant`) by integer
        cross-multiplication: t·q op p·n for the constant p/q."""
        left, fallback = node.left, None
        if isinstance(left, ir.Fallback) and self.constant(left.right) is not None:
            left, fallback = left.left, self.constant(left.right)
        right = self.constant(node.right)
        if not (isinstance(left, ir.Aggregate) and left.func == "ratio") or right is None:
            return None
        bound = Fraction(right)
        agg = self.totals(left, env)
        true, total = agg.a, agg.b
        out = self.out
        r = out.var("r")
        q, p = out.const(bound.denominator), out.const(bound.numerator)
        decided = f"{true} * {q} {node.op} {p} * {total}"
        # Where some item was not decided: the range of the ratio, compared —
        # in integers for the usual case, else by `values`.
        with out.block(f"if {agg.slow} or {agg.opened}:"):
            general: Any = nullcontext()
            if fallback is None:
                quick = f"_ratio_cmp_g({out.const(node.op)}, {true}, {total}, {agg.slow}"
                out.line(f"{r} = {quick}, {agg.opened}, {p}, {q})")
                general = out.block(f"if {r} is None:")
            with general:
                self.ratio_range(agg, node.op, bound, fallback, r)
        with out.block("else:"):
            if fallback is None:
                out.line(f"if {total} == 0: raise Undef")
                out.line(f"{r} = {decided}")
            else:
                when_empty = v.compare_known(node.op, fallback, right)
                out.line(f"{r} = ({decided}) if {total} else {when_empty!r}")
        return out.mark(r, GENERAL)

    def ratio_range(self, agg: _Aggregate, op: str, bound: Fraction, fallback: Any, r: str) -> None:
        """`r` = the ratio's range (after `?? fallback`) compared with `bound`."""
        out = self.out
        value = out.var("f")
        aggregate = f"_aggregate_g('ratio', {agg.a}, {agg.b}, {agg.slow}, {agg.openness()})"
        out.line(f"{value} = {aggregate}")
        if fallback is not None:
            other = out.const(fallback)
            out.line(f"if {value}.__class__ is _Range and {value}.undefined:")
            out.line(f"    {value} = _fallback_g({value}, {other})")
        out.line(f"{r} = _cmp_g({out.const(op)}, {value}, {out.const(bound)})")

    def constant(self, node: ir.Node) -> Any:
        """The numeric value of a literal or parameter, else None."""
        if isinstance(node, ir.Const):
            value = node.value
        elif isinstance(node, ir.Param):
            value = self.params[node.name]
        else:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            return None
        return value

    def _member(self, node: ir.Member, env: Env) -> str:
        out = self.out
        element = self.expr(node.element, env)
        container = node.container
        general = None  # the test where the element is not known
        if container.type == t.PERIOD:
            if isinstance(container, ir.MakePeriod):
                start = self.plain_value(self.expr(container.start, env))
                end = self.plain_value(self.expr(container.end, env))
                test = f"({start} <= {element} <= {end})"
                general = f"_in_period_g({element}, _Period({start}, {end}))"
            elif isinstance(container, ir.PeriodRef):
                test = f"(pstart <= {element} <= pend)"  # set at the start
                general = f"_in_period_g({element}, period)"
            else:
                period = self.plain_value(self.expr(container, env))
                test = f"({period}.start <= {element} <= {period}.end)"
                general = f"_in_period_g({element}, {period})"
        else:
            constants = self.constant_list(container)
            if constants is not None:
                test = f"({element} in {out.const(frozenset(constants))})"
                general = f"_member_g({element}, {out.const(list(constants))})"
            else:
                test = f"({element} in {self.materialize(container, env)})"
        if out.kind(element) != PLAIN:
            if general is None:
                self.plain_value(element)
            else:
                test = self.choose(out.var("m"), self.unusual(element), general, test)
        return self.negation(test) if node.negate else test

    def plain_value(self, code: str) -> str:
        """`code` as a plain value: where the data does not decide it, the
        general path decides (an unknown period bound, an unknown item of a
        list literal…)."""
        if self.out.kind(code) != PLAIN:
            self.out.line(f"if {self.unusual(code)}: raise Deopt")
        return code

    def constant_list(self, node: ir.Node) -> list[Any] | None:
        if isinstance(node, ir.ListOf) and all(isinstance(i, ir.Const) for i in node.items):
            values = [i.value for i in node.items]
        elif isinstance(node, ir.Const) and isinstance(node.type, t.List):
            values = list(node.value)
        elif isinstance(node, ir.Param) and isinstance(node.type, t.List):
            values = list(self.params[node.name])
        else:
            return None
        try:
            frozenset(values)
        except TypeError:
            return None
        return values

    def _arith(self, node: ir.Arith, env: Env) -> str:
        out = self.out
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        plain = f"_divide({left}, {right})" if node.op == "/" else f"({left} {node.op} {right})"
        odd = [self.unusual(x) for x in (left, right) if out.kind(x) != PLAIN]
        if not odd:
            return plain
        general = f"_arith_g({out.const(node.op)}, {left}, {right})"
        return self.choose(out.var("r"), " or ".join(odd), general, plain)

    def _fallback(self, node: ir.Fallback, env: Env) -> str:
        out = self.out
        r = out.var("r")
        with out.block("try:"):
            left = self.expr(node.left, env)
            out.line(f"{r} = {left}")
            out.mark(r, out.kind(left))
        # (an undefined value ends the left side here, where the reference
        # reads it to its end: a `single` after it may be a data error there)
        cut = any(isinstance(n, (ir.Single, ir.RulesetRef)) for n in ir.walk(node.left))
        with out.block("except Undef:"):
            if cut:
                out.line("raise Deopt")
            else:
                right = self.expr(node.right, env)
                out.line(f"{r} = {right}")
                out.mark(r, out.kind(right))
        if out.kind(left) == GENERAL:
            # A value that may be undefined, among others: `values` says what `??`
            # gives — with the right side's own value, undefined too if it is
            # (`max(…) ?? 1 / 0`: its defined part, or undefined).
            with out.block(f"if {r}.__class__ is _Range and {r}.undefined:"):
                other = out.var("r")
                with out.block("try:"):
                    right = self.expr(node.right, env)
                    out.line(f"{other} = {right}")
                with out.block("except Undef:"):
                    out.line(f"{other} = _UNDEFINED")
                out.line(f"{r} = _fallback_g({r}, {other})")
                out.line("unk = True")
        return r

    def _makeperiod(self, node: ir.MakePeriod, env: Env) -> str:
        start = self.plain_value(self.expr(node.start, env))
        end = self.plain_value(self.expr(node.end, env))
        return f"_Period({start}, {end})"

    def _listof(self, node: ir.ListOf, env: Env) -> str:
        items = [self.plain_value(self.condition(item, env)) for item in node.items]
        return "(" + "".join(f"{item}, " for item in items) + ")"

    def _filter(self, node: ir.Filter, env: Env) -> str:
        return self.materialize(node, env)

    def _concat(self, node: ir.Concat, env: Env) -> str:
        return self.materialize(node, env)

    def _single(self, node: ir.Single, env: Env) -> str:
        out = self.out
        items = self.materialize(node.source, env)
        r = out.var("s")
        out.line(f"if len({items}) > 1: raise Deopt")  # (the reference names the rows)
        if not self.tolerant:
            out.line(f"if not {items}: raise Deopt")
            out.line(f"{r} = {items}[0]")
            return r
        # No item: not known (a row missing from the data).
        with out.block(f"if {items}:"):
            out.line(f"{r} = {items}[0]")
        with out.block("else:"):
            out.line(f"{r} = None")
            out.line("unk = True")
        return out.mark(r, MAYBE)

    def materialize(self, node: ir.Node, env: Env) -> str:
        out = self.out
        items = out.var("l")
        out.line(f"{items} = []")
        # (an item not known: the general path, which knows lists of such items)
        def append(item: str) -> None:
            out.line(f"{items}.append({self.plain_value(self.checked(item))})")

        self.iterate(node, env, append)
        return items

    def _criterionref(self, node: ir.CriterionRef, env: Env) -> str:
        if self.in_context:  # (True, False or a set of them)
            index = 0 if node.kind == "passes" else 1
            return self.out.mark(f"ctx.outcomes[{self.out.const(node.id)}][{index}]", GENERAL)
        if node.id not in self.criterion_vars:
            raise Unsupported("a criterion not judged yet")
        passes, applies = self.criterion_vars[node.id]
        return passes if node.kind == "passes" else applies

    def _outcomeref(self, node: ir.OutcomeRef, env: Env) -> str:
        if self.in_context:
            if node.name not in ("score", "max_score", "level"):
                raise Unsupported(node.name)
            return self.out.mark(f"_defined_or_undef(ctx.{node.name})", GENERAL)
        if node.name not in self.outcome_vars:
            raise Unsupported(node.name)
        var = self.outcome_vars[node.name]
        return f"_defined({var})" if node.name == "level" else var

    def _rulesetref(self, node: ir.RulesetRef, env: Env) -> str:
        if node.level not in env:
            raise Unsupported("an item outside its aggregate")
        target = env[node.level]
        if self.in_context:
            call = self.out.const(_judged_call(node.ruleset, node.kind))
            return self.out.mark(f"{call}({target}, year)", GENERAL)
        judge = node.ruleset.fast_verdict
        if judge is None:
            raise Unsupported("a ruleset without a fast path")
        call = self.out.const(_ruleset_call(judge, node.kind, self.tolerant))
        if not self.tolerant:
            return f"{call}({target}, year, None)"
        # (`nu[0]` notes that a value read for the item was not known)
        return self.out.mark(f"{call}({target}, year, nu)", MAYBE)

    # --------------------------------------------------------- aggregates

    def _aggregate(self, node: ir.Aggregate, env: Env) -> str:
        return self.totals(node, env).finish(self.out, self.tolerant)

    def totals(self, node: ir.Aggregate, env: Env) -> _Aggregate:
        """The running totals of an aggregate: computed when hoisted, else here."""
        totals = self.hoisted.get(id(node))
        if totals is None:
            totals = _Aggregate(node, self.out)
            totals.init(self.out)
            self.iterate(node.source, env, lambda item: self.accumulate(totals, item, env))
        return totals

    def accumulate(self, agg: _Aggregate, item: str, env: Env, keep: str | None = None) -> None:
        """Statements adding one item of the source to the running totals;
        `keep`, whether a filter on the way kept it, when not surely."""
        node, out = agg.node, self.out
        inner = {**env, node.level: item}
        if node.filter is not None:
            test = self.condition(node.filter, inner)
            if keep is None:
                keep = test
            else:
                keep = self.choose(
                    out.var("k"), f"{keep} is not True", f"_and_g({keep}, {test})", test
                )
        if keep is None:
            self.add(agg, inner)
        elif out.kind(keep) == PLAIN:
            with out.block(f"if {keep}:"):
                self.add(agg, inner)
        else:
            with out.block(f"if {keep} is True:"):
                self.add(agg, inner)
            with out.block(f"elif {keep} is not False:"):
                self.doubtful(agg, inner, keep)

    def doubtful(self, agg: _Aggregate, env: Env, keep: str) -> None:
        """An item that may or may not take part: noted, with its test, for
        `values` to finish the aggregate with."""
        node, out = agg.node, self.out
        test = "True" if node.body is None else self.condition(node.body, env)
        out.line(f"if {agg.slow} is None: {agg.slow} = []")
        out.line(f"{agg.slow}.append(({keep}, {test}))")
        out.line("unk = True")

    def undecided(self, agg: _Aggregate, test: str) -> None:
        """An item that surely takes part but whose test is not known."""
        out = self.out
        if agg.node.func == "ratio":
            out.line(f"{agg.b} -= 1")  # (counted as taking part and decided)
        out.line(f"if {agg.slow} is None: {agg.slow} = []")
        out.line(f"{agg.slow}.append((True, {test}))")
        out.line("unk = True")

    def add(self, agg: _Aggregate, env: Env) -> None:
        node, out, a = agg.node, self.out, agg.a
        func = node.func
        if node.body is None:
            out.line(f"{a} += 1")
            return
        if not ir.may_be_undefined(node.body) and func in ("count", "ratio", "all", "any", "none"):
            value = self.raw_expr(node.body, env)
            if value in out.unchecked[-1]:
                self.add_unchecked(agg, value)
                out.unchecked[-1].discard(value)
                return
        else:
            value = self.condition(node.body, env)
        if out.kind(value) != PLAIN:
            if func in ir.BOOL_AGGREGATES:
                self.add_general(agg, value)
                return
            # (a value not known: noted for `values`; a known one as usual)
            with out.block(f"if {self.unusual(value)}:"):
                self.undecided(agg, value)
            block: Any = out.block("else:")
        else:
            block = nullcontext()
        with block:
            self.add_known(agg, value)

    def add_known(self, agg: _Aggregate, value: str) -> None:
        """`add` for a value (or test) known to be plain."""
        out, a, b, func = self.out, agg.a, agg.b, agg.node.func
        if func == "count":
            out.line(f"if {value}: {a} += 1")
        elif func == "ratio":
            if not agg.by_length:
                out.line(f"{b} += 1")
            out.line(f"if {value}: {a} += 1")
        elif func == "all":
            out.line(f"if not {value}: {a} = False")
        elif func in ("any", "none"):
            out.line(f"if {value}: {a} = True")
        elif func == "sum":
            out.line(f"{a} += {value}")
        elif func == "avg":
            out.line(f"{a} += {value}")
            out.line(f"{b} += 1")
        else:
            op = "<" if func == "min" else ">"
            x = out.var("x")
            out.line(f"{x} = {value}")
            out.line(f"if {a} is _NOTHING or {x} {op} {a}: {a} = {x}")

    def add_unchecked(self, agg: _Aggregate, x: str) -> None:
        """`add` for a test that is a bool just read: checked by the tests
        themselves, in the order that costs least when it is true."""
        out, a, b, func = self.out, agg.a, agg.b, agg.node.func
        if func == "ratio" and not agg.by_length:
            out.line(f"{b} += 1")
        if func == "all":
            with out.block(f"if {x} is not True:"):
                out.line(f"if {x} is False: {a} = False")
                if self.tolerant:
                    with out.block(f"elif {x} is None:"):
                        self.undecided(agg, "None")
                out.line("else: raise Deopt")
            return
        change = f"{a} += 1" if func in ("count", "ratio") else f"{a} = True"
        with out.block(f"if {x} is True:"):
            out.line(change)
        with out.block(f"elif {x} is not False:"):
            out.line(f"if {x} is not None: raise Deopt" if self.tolerant else "raise Deopt")
            if self.tolerant:
                self.undecided(agg, "None")

    def add_general(self, agg: _Aggregate, x: str) -> None:
        """`add` for a test the data may not decide."""
        out, a, b, func = self.out, agg.a, agg.b, agg.node.func
        if func == "ratio" and not agg.by_length:
            out.line(f"{b} += 1")
        if func == "all":
            with out.block(f"if {x} is not True:"):
                out.line(f"if {x} is False: {a} = False")
                with out.block("else:"):
                    self.undecided(agg, x)
            return
        change = f"{a} += 1" if func in ("count", "ratio") else f"{a} = True"
        with out.block(f"if {x} is True:"):
            out.line(change)
        with out.block(f"elif {x} is not False:"):
            self.undecided(agg, x)

    def iterate(self, source: ir.Node, env: Env, on_item: Callable[[str], None]) -> None:
        """Loops over the items of a list expression, calling `on_item` with the
        variable of each (checked) item inside the innermost loop."""
        out = self.out
        if isinstance(source, ir.Get):
            ftype = source.field_type

            def project(obj: str) -> None:
                value = self.read(obj, source.field, ftype)
                if isinstance(ftype, t.List):
                    self.loop(value, ftype.item, on_item)
                else:
                    on_item(value)

            if isinstance(source.base.type, t.List):
                self.iterate(source.base, env, project)
            else:
                project(self.expr(source.base, env))
        elif isinstance(source, ir.Concat):
            self.iterate(source.left, env, on_item)
            self.iterate(source.right, env, on_item)
        elif isinstance(source, ir.Filter):

            def keep(item: str) -> None:
                test = self.plain_bool(
                    self.condition(source.condition, {**env, source.level: item})
                )
                with out.block(f"if {test}:"):
                    on_item(item)

            self.iterate(source.source, env, keep)
        elif isinstance(source.type, t.List):
            self.loop(self.expr(source, env), source.type.item, on_item)
        else:
            raise Unsupported("a source that is not a list")

    def loop(self, items: str, item_type: t.Type, on_item: Callable[[str], None]) -> None:
        out = self.out
        x = out.var("i")
        with out.block(f"for {x} in {items}:"):
            if item_type == t.BOOL:
                out.line(f"if type({x}) is not bool{self.or_none(x)}: raise Deopt")
            elif isinstance(item_type, t.Entity):
                # (an item not known: the general path)
                test = f"not _is_object({x})" if self.any_object else f"type({x}) is not dict"
                out.line(f"if {test}: raise Deopt")
            else:
                self.check(x, item_type)
            if t.is_scalar(item_type) and self.tolerant:
                out.mark(x, MAYBE)
            on_item(x)

    # ---------------------------------------------------------- hoisting

    def hoist(self, roots: list[ir.Node], env: Env) -> None:
        """Compute the aggregates at the top of these roots before anything
        else, with one pass over each list for all the aggregates that scan it."""
        tree = _LoopTree()
        for root in roots:
            for node in _top_aggregates(root):
                if id(node) in self.hoisted or not _hoistable(node):
                    continue
                paths = _paths(node.source)
                if paths is None:
                    continue
                if len({path[0][:3] for path in paths if path}) < len(paths):
                    continue  # (lists joined by `+` from one list: computed where used)
                agg = _Aggregate(node, self.out)
                agg.open_needs_general = any(
                    step[0] == "filter" and step[1].unknown_item_undefined
                    for steps in paths
                    for step in steps
                )
                agg.endings = len(paths)
                self.hoisted[id(node)] = agg
                for steps in paths:
                    tree.add(steps, agg)
        for agg in tree.aggregates():
            agg.init(self.out)
        self.emit_tree(tree, "d", env)

    def emit_tree(self, tree: _LoopTree, obj: str, env: Env) -> None:
        out = self.out
        for (kind, field, ftype), child in tree.children.items():
            value = self.read(obj, field, ftype, open_list=True)
            if self.tolerant:
                # A list (or the object holding lists) not given: items of any
                # kind may exist, and the aggregates over them are open.
                # (only for aggregates whose filters on the way keep this object)
                with out.block(f"if {value} is None:"):
                    for agg in child.aggregates():
                        guards = [g for g in child.outer_guards(agg) if g]
                        action = "raise Deopt" if agg.open_needs_general else f"{agg.opened} = True"
                        out.line(f"if {' and '.join(guards)}: {action}" if guards else action)
                    out.line("unk = True")
                block: Any = out.block("else:")
            else:
                block = nullcontext()
            with block:
                self.emit_child(kind, ftype, child, value, env)

    def emit_child(self, kind: str, ftype: t.Type, child: _LoopTree, value: str, env: Env) -> None:
        out = self.out
        if kind == "enter":
            known = out.var("o")  # (an object here, whatever `value` may hold elsewhere)
            out.line(f"{known} = {value}")
            self.emit_node(child, known, env)
            return
        assert isinstance(ftype, t.List)
        counted = [
            agg
            for agg, ops in child.ending
            if agg.node.func == "ratio"
            and all(op[0] == "project" for op in ops)
            and agg.node.filter is None
            and agg.endings == 1
            and not any(child.outer_guards(agg))
        ]
        for agg in counted:
            agg.by_length = True
        self.loop(value, ftype.item, lambda item, c=child: self.emit_node(c, item, env))
        for agg in counted:
            out.line(f"{agg.b} += len({value})")

    def emit_node(self, node: _LoopTree, item: str, env: Env) -> None:
        out = self.out
        # Aggregates passing through: their filters at this level, as guards.
        for agg, ops in node.passing:
            guard = self.apply_ops(ops, item, env)
            node.guard_vars[id(agg)] = guard
        for agg, ops in node.ending:
            outer = [g for g in node.outer_guards(agg) if g]

            def finish(value: str, keep: str | None, agg: _Aggregate = agg) -> None:
                self.accumulate(agg, value, env, keep)

            if outer:
                with out.block(f"if {' and '.join(outer)}:"):
                    self.with_ops(ops, item, env, finish, doubt=True)
            else:
                self.with_ops(ops, item, env, finish, doubt=True)
        self.emit_tree(node, item, env)

    def apply_ops(self, ops: list[tuple[Any, ...]], item: str, env: Env) -> str | None:
        """A guard variable for filters on an item an aggregate goes through."""
        if not ops:
            return None
        out = self.out
        g = out.var("g")
        out.line(f"{g} = False")
        self.with_ops(ops, item, env, lambda _value, _keep: out.line(f"{g} = True"))
        return g

    def with_ops(
        self,
        ops: list[tuple[Any, ...]],
        item: str,
        env: Env,
        then: Callable[[str, str | None], None],
        keep: str | None = None,
        doubt: bool = False,
    ) -> None:
        """Apply filters and projections to an item, then `then(value, keep)`.
        With `doubt`, a filter the data does not decide keeps the item as
        perhaps taking part (`keep`); else the general path decides."""
        out = self.out
        if not ops:
            then(item, keep)
            return
        op, rest = ops[0], ops[1:]
        if op[0] == "filter":
            node: ir.Filter = op[1]
            test = self.condition(node.condition, {**env, node.level: item})
            if out.kind(test) == PLAIN or not doubt:
                with out.block(f"if {self.plain_bool(test)}:"):
                    self.with_ops(rest, item, env, then, keep, doubt)
                return
            with out.block(f"if {test} is not False:"):
                if keep is not None:
                    general = f"_and_g({keep}, {test})"
                    test = self.choose(out.var("k"), f"{keep} is not True", general, test)
                self.with_ops(rest, item, env, then, test, doubt)
        else:  # project
            _, field, ftype = op
            value = self.read(item, field, ftype)
            self.with_ops(rest, value, env, then, keep, doubt)


def _ruleset_call(
    judge: Callable[..., Any], kind: str, tolerant: bool
) -> Callable[[Any, Any], bool | None]:
    def call(item: Any, year: Any, unknown: list[bool] | None) -> bool | None:
        if not is_object(item):
            raise Deopt
        verdict, applicable, unknowns = judge(item, year)
        if unknowns:
            if not tolerant:
                raise Deopt  # (the reference tracer notes what is missing)
            unknown[0] = True  # type: ignore[index]
        if kind == "applies":
            return applicable
        if verdict is Status.UNKNOWN:
            return None  # (the item's verdict is not known)
        return verdict is Status.PASS

    return call


def _judged_call(ruleset: Any, kind: str) -> Callable[[Any, Any], Any]:
    """`passes(R)` / `applies(R)` of an item on the general path: R's fast
    path, else R's general path (whose verdict may be UNKNOWN)."""

    def call(item: Any, year: Any) -> Any:
        fast = ruleset.fast_verdict
        judged = None
        if fast is not None:
            try:
                verdict, applicable, _ = fast(item, year)
                judged = verdict, applicable
            except Exception:  # (anything unusual: R's general path)
                judged = None
        if judged is None:
            judged = ruleset.verdict_for(item, year, "compiled")
        verdict, applicable = judged
        if kind == "applies":
            return applicable
        return {"PASS": True, "FAIL": False, "NA": False}.get(verdict.name, _UB)

    return call


# ----------------------------------------------------- fusion of the loops


class _LoopTree:
    """Lists reached from the subject by field names; each node is one loop
    (or one nested object), with the aggregates that end there and those that
    go through it to a deeper list."""

    def __init__(self, parent: _LoopTree | None = None) -> None:
        self.parent = parent
        self.children: dict[tuple[str, str, t.Type], _LoopTree] = {}
        self.ending: list[tuple[_Aggregate, list[tuple[Any, ...]]]] = []
        self.passing: list[tuple[_Aggregate, list[tuple[Any, ...]]]] = []
        self.guard_vars: dict[int, str | None] = {}

    def add(self, steps: list[tuple[Any, ...]], agg: _Aggregate) -> None:
        node = self
        ops: list[tuple[Any, ...]] = []
        started = False
        for step in steps:
            if step[0] in ("loop", "enter") and not any(o[0] == "project" for o in ops):
                if started:
                    node.passing.append((agg, ops))
                key = (step[0], step[1], step[2])
                node = node.children.setdefault(key, _LoopTree(node))
                ops = []
                started = True
            else:
                ops.append(step)
        if not started:
            raise Unsupported("an aggregate over no list")
        node.ending.append((agg, ops))

    def outer_guards(self, agg: _Aggregate) -> list[str | None]:
        guards = []
        node = self.parent
        while node is not None:
            guards.append(node.guard_vars.get(id(agg)))
            node = node.parent
        return guards[::-1]

    def aggregates(self) -> Iterator[_Aggregate]:
        for agg, _ in self.ending:
            yield agg
        for child in self.children.values():
            yield from child.aggregates()


def _paths(source: ir.Node) -> list[list[tuple[Any, ...]]] | None:
    """A list expression as paths of steps from the subject (one per list
    joined by `+`): ("loop", field, type), ("enter", field, type), ("filter",
    node), ("project", field, type); None when it is not made of such paths."""
    if isinstance(source, ir.Var):
        return [[]] if source.level == 0 else None
    if isinstance(source, ir.Concat):
        left, right = _paths(source.left), _paths(source.right)
        return None if left is None or right is None else left + right
    if isinstance(source, ir.Get):
        bases = _paths(source.base)
        if bases is None:
            return None
        ftype = source.field_type
        if isinstance(ftype, t.List):
            if not isinstance(ftype.item, t.Entity) and not isinstance(
                source.base.type, (t.Entity, t.List)
            ):
                return None
            step: tuple[Any, ...] = ("loop", source.field, ftype)
        elif isinstance(ftype, t.Entity):
            step = ("enter", source.field, ftype)
        else:
            step = ("project", source.field, ftype)
        return [[*base, step] for base in bases]
    if isinstance(source, ir.Filter):
        bases = _paths(source.source)
        if bases is None:
            return None
        return [[*base, ("filter", source)] for base in bases]
    return None


def _top_aggregates(root: ir.Node) -> Iterator[ir.Aggregate]:
    """Aggregates of a root not inside another aggregate or filter."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, ir.Aggregate):
            yield node
            continue
        if isinstance(node, ir.Filter):
            continue
        stack.extend(reversed(ir.children(node)))


def _hoistable(node: ir.Aggregate) -> bool:
    """Whether an aggregate depends on the data alone (not on criteria judged
    before it, the score or the level), and not on another aggregate over
    the subject's lists: that one is computed in the same pass (a define,
    `count(incidents)`, used in `min(areas.incidents, share + dn)` is one
    node in both places), so its total would be read before it is known."""
    if any(isinstance(n, (ir.CriterionRef, ir.OutcomeRef)) for n in ir.walk(node)):
        return False
    for inner in ir.walk(node)[1:]:  # (its filter, body, and `where`s on the way)
        if isinstance(inner, ir.Aggregate) and not any(
            isinstance(n, ir.Var) and n.level > 0 for n in ir.walk(inner.source)
        ):
            return False
    return True


# ------------------------------------------------------------ entry points

FastJudge = Callable[[Any, Any, Any], Any]


class _Later:
    """A generated function made the first time it is called: the variant
    for any subject, which most batches of plain dicts never need (half of
    what loading a ruleset would generate)."""

    __slots__ = ("_function", "_make")

    def __init__(self, make: Callable[[], Callable[..., Any]]) -> None:
        self._make = make
        self._function: Callable[..., Any] | None = None

    def __call__(self, *args: Any) -> Any:
        function = self._function
        if function is None:
            try:
                function = self._function = self._make()
            except _NOT_GENERATED:
                raise Deopt from None  # (the general path, then)
        return function(*args)


def ruleset_function(ruleset: Any, verdict_only: bool = False) -> FastJudge | None:
    """`judge(data, period, year)` for a ruleset: None when the ruleset does
    not apply to the subject (the general path then says so), else
    (outcomes, statuses, (met, applicable), score, max_score, level, verdict)
    with outcomes as `Ruleset.judge` gives them (statuses and counts are None
    for `verdict_only`). None instead of a function when the ruleset
    uses something the fast path does not generate."""
    # The counts and ratios the function gives back as tallies (see
    # `_RulesetWriter.tallies`): chosen by the first function made, kept in
    # the same order by the second.
    layout: list[ir.Aggregate] = []
    try:
        with_gets = _Later(lambda: _RulesetWriter(ruleset, verdict_only, True, layout).function())
        judge = _RulesetWriter(ruleset, verdict_only, False, layout).function(with_gets)
    except _NOT_GENERATED:
        return None
    judge.tallies = {id(node): 2 * index for index, node in enumerate(layout)}  # type: ignore[attr-defined]
    return judge


def expression_function(node: ir.Node) -> Callable[[Any, Any], Any] | None:
    """`evaluate(data, period)` for one expression, or None."""
    try:
        with_gets = _Later(lambda: _expression_function(node, True))
        return _expression_function(node, False, with_gets)
    except _NOT_GENERATED:
        return None


def node_function(
    node: ir.Node, params: Mapping[str, Any]
) -> Callable[[Any, Any, Any], Any] | None:
    """`evaluate(data, period, context)` for one expression of a ruleset: the
    general path of `Ruleset.judge`, where criteria are judged one by one
    (after the whole-ruleset function gave up on a record). Values the data
    does not decide come back as `values` has them; anything else unusual
    raises, and the caller asks the reference interpreter. None when the
    expression cannot be generated."""
    try:
        with_gets = _Later(lambda: _expression_function(node, True, params=params, in_context=True))
        return _expression_function(node, False, with_gets, params, in_context=True)
    except _NOT_GENERATED:
        return None


def _expression_function(
    node: ir.Node,
    any_object: bool,
    fallback: Callable[..., Any] | None = None,
    params: Mapping[str, Any] | None = None,
    in_context: bool = False,
) -> Callable[..., Any]:
    gen = _Generator(params or {}, any_object)
    gen.in_context = in_context
    out = gen.out
    if in_context:
        out.line("year = ctx.year")
    gen.prologue([node])
    gen.hoist([node], {0: "d"})
    r = out.var("r")
    gen.assign(r, node, {0: "d"})
    if out.kind(r) != PLAIN:  # (as `values` has them: not known is a set of values)
        out.line(f"if {r} is None: {r} = {'_UB' if node.type == t.BOOL else '_U'}")
    out.line(f"return {r}")
    arguments = "d, period, ctx" if in_context else "d, period"
    return _build("evaluate", arguments, out, fallback)


# Whatever stops the generator — a construct it does not generate
# (`Unsupported`), Python's own limits (more than 20 nested loops or `try`
# blocks, very deep trees: SyntaxError, RecursionError), or a failure nobody
# foresaw — the general path still judges and explains correctly: generated
# code is a shortcut, never a requirement. (Tests check that every shipped
# ruleset and generated expression gets it.)
_NOT_GENERATED = Exception


def _build(
    name: str, arguments: str, out: _Emitter, fallback: Callable[..., Any] | None = None
) -> Callable[..., Any]:
    """The function of the emitted lines. With `fallback`, a key missing from
    the data (`KeyError`) hands the call to it: the same code reading with
    `.get`, where a missing key is a value not known."""
    lines = out.lines
    if fallback is not None:
        lines = ["    try:", *("    " + line for line in lines)]
        lines += ["    except (KeyError, Deopt):", f"        return _with_gets({arguments})"]
    source = f"def {name}({arguments}):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, Any] = {**_RUNTIME, **out.constants, "_with_gets": fallback}
    code = compile(source, f"<antq fast path: {name}>", "exec")
    exec(code, namespace)  # generated from the checked tree; see the module docstring
    function = namespace[name]
    function.source = source
    return function


class _RulesetWriter:
    def __init__(
        self,
        ruleset: Any,
        verdict_only: bool,
        any_object: bool = False,
        layout: list[ir.Aggregate] | None = None,
    ) -> None:
        self.rs = ruleset
        self.needed = ruleset._verdict_needs if verdict_only else None
        self.with_outcome = not verdict_only or ruleset._verdict_uses_outcome
        self.gen = _Generator(ruleset.params, any_object)
        self.out = self.gen.out
        self.layout = [] if layout is None else layout

    def tallies(self) -> str:
        """The running totals of the counts and ratios computed at the top, as
        a tuple (items counted, and for a ratio items taking part; each exact
        when no value read was unknown): explanations of criteria that hold
        read their facts from them instead of evaluating again. The first
        function made chooses them (`layout`); another follows its order, a
        total it did not compute given as None."""
        hoisted = self.gen.hoisted
        if not self.layout:
            self.layout.extend(
                agg.node for agg in hoisted.values() if agg.node.func in ("count", "ratio")
            )
        parts = []
        for node in self.layout:
            agg = hoisted.get(id(node))
            parts += [agg.a, agg.b or "None"] if agg is not None else ["None", "None"]
        return "(" + "".join(part + ", " for part in parts) + ")"

    def function(self, fallback: Callable[..., Any] | None = None) -> FastJudge:
        rs, gen, out = self.rs, self.gen, self.out
        env = {0: "d"}
        criteria = [rs.criterion(cid) for cid in rs.order if self.wanted(cid)]
        roots = [n for c in criteria for n in _criterion_roots(c)]
        roots += [lv.condition for lv in rs.levels if lv.condition is not None]
        roots += [rs.applies, rs.verdict_node]
        gen.prologue(roots)
        if rs.applies is not None:
            applies = out.var("ra")
            gen.assign(applies, rs.applies, env)
            gen.plain_bool(applies)
            out.line(f"if not {applies}: return None")
        hoist = []
        for c in criteria:
            hoist += [c.applies] if c.applies is not None else _criterion_roots(c)
        gen.hoist(hoist, env)
        statuses = {c.id: self.criterion(c, env) for c in criteria}
        score = max_score = level = "None"
        scored = [c for c in criteria if c.scored]
        if self.with_outcome and scored:
            score, max_score = out.var("score"), out.var("max")
            out.line(f"{score} = 0")
            out.line(f"{max_score} = 0")
            for c in scored:
                status, points = statuses[c.id][0], statuses[c.id][2]
                with out.block(f"if {status} is not _NA:"):
                    out.line(f"{score} += {points}")
                    out.line(f"{max_score} += {out.const(c.max_points)}")
            gen.outcome_vars.update(score=score, max_score=max_score)
        if self.with_outcome and rs.levels:
            level = self.levels(env)
        verdict = out.var("vd")
        if rs.verdict_node is not None:
            holds = out.var("r")
            gen.assign(holds, rs.verdict_node, env)
            out.line(f"{verdict} = _status_g({holds})")
            if out.kind(holds) != PLAIN:
                out.line(f"if {verdict} is _UNKNOWN: unk = True")
        else:
            mandatory = [statuses[c.id] for c in criteria if c.mandatory]
            failing = " or ".join(f"{s} is _FAIL" for s, _, _ in mandatory) or "False"
            # (an UNKNOWN status only where the data may leave it so)
            unknown = [f"{s} is _UNKNOWN" for s, v, _ in mandatory if out.kind(v) != PLAIN]
            if unknown:
                out.line(
                    f"{verdict} = _FAIL if {failing} else "
                    f"_UNKNOWN if {' or '.join(unknown)} else _PASS"
                )
            else:
                out.line(f"{verdict} = _FAIL if {failing} else _PASS")
        unknown = "unk or nu[0]" if gen.nested else "unk"
        # (status, test value, points) of each criterion, flat: the outcomes
        # are built from it only when a result's criteria are looked at.
        flat = "".join(f"{s}, {v}, {p}, " for s, v, p in statuses.values())
        outcomes = f"({flat})"
        if self.needed is None:
            # (statuses in file order, as results list them; judged in dependency order)
            shown = ", ".join(
                f"{out.const(c.id)}: {statuses[c.id][0]}" for c in rs.criteria if c.id in statuses
            )
            # (`0 +` first: with one criterion the sum would otherwise be a bool)
            met = " + ".join(["0", *(f"({statuses[cid][0]} is _PASS)" for cid in statuses)])
            # (a criterion without `applies when` always applies: counted as a constant)
            always = sum(1 for c in criteria if c.applies is None)
            applying = " + ".join(
                [str(always), *(f"({statuses[c.id][0]} is not _NA)" for c in criteria if c.applies)]
            )
            out.line(
                f"return {outcomes}, {{{shown}}}, ({met}, {applying}), "
                f"{score}, {max_score}, {level}, {verdict}, {unknown}, {self.tallies()}"
            )
        else:
            out.line(
                f"return {outcomes}, None, None, {score}, {max_score}, {level}, "
                f"{verdict}, {unknown}"
            )
        return _build("judge", "d, period, year", out, fallback)

    def wanted(self, criterion_id: str) -> bool:
        return self.needed is None or criterion_id in self.needed

    def criterion(self, c: Any, env: Env) -> tuple[str, str, str]:
        """Statements judging one criterion: (status var, test value, points var)."""
        gen, out = self.gen, self.out
        status, points = out.var("s"), out.var("p")
        applies = "True"
        judged: Any = nullcontext()  # without `applies when`: at the top level
        if c.applies is not None:
            applies = out.var("ap")
            gen.assign(applies, c.applies, env)
            gen.plain_bool(applies)  # (applicability not known: the general path)
            judged = out.block(f"if {applies}:")
        with judged:
            value = "None"
            if c.test is not None:
                value = out.var("v")
                gen.assign(value, c.test, env)
            if c.items:
                out.line(f"{points} = 0")
                for item in c.items:
                    holds = gen.plain_bool(gen.condition(item.condition, env))
                    out.line(f"if {holds}: {points} += {out.const(item.points)}")
            elif c.tiers:
                self.tiers(c.tiers, points, env)
            elif c.points is not None:
                gen.plain_bool(value)  # (points not known: the general path)
                out.line(f"{points} = {out.const(c.points)} if {value} else 0")
            if c.test is not None and out.kind(value) == PLAIN:
                out.line(f"{status} = _PASS if {value} else _FAIL")
            elif c.test is not None:
                out.line(f"if {value} is True: {status} = _PASS")
                out.line(f"elif {value} is False: {status} = _FAIL")
                with out.block("else:"):
                    out.line(f"{status} = _UNKNOWN")
                    out.line("unk = True")
            else:
                full = out.const(c.max_points)
                out.line(f"{status} = _PASS if {points} == {full} else _FAIL")
            if not c.scored:
                out.line(f"{points} = None")
        if c.applies is not None:
            with out.block("else:"):
                out.line(f"{status} = _NA")
                out.line(f"{points} = None")
                if value != "None":
                    out.line(f"{value} = None")
        if out.kind(value) == PLAIN:
            gen.criterion_vars[c.id] = (f"({status} is _PASS)", applies)
        else:
            gen.criterion_vars[c.id] = (out.mark(f"_passes_g({status})", MAYBE), applies)
        return status, value, points

    def tiers(self, tiers: Any, points: str, env: Env) -> None:
        """The points of the first tier that holds, else 0."""
        gen, out = self.gen, self.out
        if not tiers:
            out.line(f"{points} = 0")
            return
        holds = gen.plain_bool(gen.condition(tiers[0].condition, env))
        with out.block(f"if {holds}:"):
            out.line(f"{points} = {out.const(tiers[0].points)}")
        with out.block("else:"):
            self.tiers(tiers[1:], points, env)

    def levels(self, env: Env) -> str:
        gen, out = self.gen, self.out
        level = out.var("lv")
        out.line(f"{level} = None")
        self.level_chain(list(self.rs.levels), level, env)
        known = out.var("lk")
        out.line(f"{known} = _NOTHING if {level} is None else {level}")
        gen.outcome_vars["level"] = known
        return level

    def level_chain(self, levels: list[Any], var: str, env: Env) -> None:
        if not levels:
            return
        first, rest = levels[0], levels[1:]
        name = self.out.const(first.name)
        if first.condition is None:
            self.out.line(f"{var} = {name}")
            return
        holds = self.gen.plain_bool(self.gen.condition(first.condition, env))
        with self.out.block(f"if {holds}:"):
            self.out.line(f"{var} = {name}")
        if rest:
            with self.out.block("else:"):
                self.level_chain(rest, var, env)


def _criterion_roots(c: Any) -> list[ir.Node]:
    roots = [c.test] if c.test is not None else []
    roots += [item.condition for item in c.items]
    roots += [tier.condition for tier in c.tiers]
    return roots
