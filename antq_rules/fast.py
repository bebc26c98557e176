"""The fast path: a whole ruleset turned into one Python function, for data
that is complete and well-formed.

Most records in a batch have every field a ruleset reads, of the right type.
For them the general machinery (sets of possible values, data paths for
error messages, a closure call per node) is pure overhead. This module
generates, from the checked tree of a ruleset, the source of one Python
function that

* reads the data with plain dict lookups and checks each value's type inline;
* computes every aggregate in loops, and fuses the aggregates of all
  criteria that scan the same list into one pass over it (the list is read,
  and its items checked, once);
* compares ratios by integer cross-multiplication;
* decides each criterion, the points, score, level and verdict.

It handles only the case where every value it reads is known and valid.
Whenever anything else happens — a missing key or a `None`, a value of
another type or another normal form, an undefined value that no `??`
catches, an object that is not a dict — it gives up (`Deopt`, or any other
exception) and the caller judges the record again with the compiled
closures, which handle every case and report errors with their paths. So
the fast path never decides anything the general path would decide
differently: with every value read known, evaluation is ordinary two-valued
logic and exact arithmetic, whatever the order of the reads.

Nothing from a ruleset or from data is ever placed in the generated source:
names and values from the ruleset are passed in as constants (`_k0`, `_k1`…),
variables are numbered, and data is only ever read by the generated code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from fractions import Fraction
from typing import Any

from . import ir
from . import types as t
from . import values as v
from .data import to_date, to_decimal, to_int
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


def _read_date(raw: Any) -> datetime.date:
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
        raise Deopt
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


def _read_text(raw: Any) -> str:
    if type(raw) is not str:
        raise Deopt
    return normalize_text(raw)


def _ratio(true: int, total: int) -> Fraction:
    if total == 0:
        raise Undef
    return Fraction(true, total)


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
    "_Period": v.Period,
    "_PASS": Status.PASS,
    "_FAIL": Status.FAIL,
    "_NA": Status.NA,
}


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
        # A ratio over every item of its lists counts them by `len`, not one by one.
        self.by_length = False

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

    def finish(self) -> str:
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


class _Generator:
    def __init__(self, params: Mapping[str, Any]) -> None:
        self.params = params
        self.out = _Emitter()
        self.hoisted: dict[int, _Aggregate] = {}
        self.criterion_vars: dict[str, tuple[str, str]] = {}  # id -> (passes var, applies var)
        self.outcome_vars: dict[str, str] = {}  # score, max_score, level

    def prologue(self, roots: list[ir.Node | None]) -> None:
        """What every generated function checks first: a period when the roots
        use one (its bounds kept at hand), and a plain dict as the subject."""
        if any(ir.uses_period(r) for r in roots if r is not None):
            self.out.line("if period is None: raise Deopt")
            self.out.line("pstart, pend = period.start, period.end")
        self.out.line("if type(d) is not dict: raise Deopt")

    # ------------------------------------------------------------- values

    def expr(self, node: ir.Node, env: Env) -> str:
        """A Python expression for the node's value (statements it needs are
        emitted first)."""
        result = self.raw_expr(node, env)
        if result in self.out.unchecked[-1]:
            self.out.line(f"if type({result}) is not bool: raise Deopt")
            self.out.unchecked[-1].discard(result)
        return result

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

    def read(self, obj: str, field: str, ftype: t.Type) -> str:
        """Read a field of a dict and check its value (giving up when it is
        missing or of another type)."""
        out = self.out
        known = out.known_read(obj, field)
        if known is not None:
            return known
        x = out.var("x")
        out.line(f"{x} = {obj}[{out.const(field)}]")
        if ftype == t.BOOL:
            out.unchecked[-1].add(x)
        else:
            self.check(x, ftype)
        out.remember_read(obj, field, x)
        return x

    def check(self, x: str, ftype: t.Type) -> None:
        """Statements that make `x` a plain valid value of `ftype`, or give up."""
        out = self.out
        if isinstance(ftype, t.List):
            out.line(f"if type({x}) is not list: raise Deopt")
        elif isinstance(ftype, t.Entity):
            out.line(f"if type({x}) is not dict: raise Deopt")
        elif isinstance(ftype, t.Enum):
            # Only text (or a str enum member) equal to a value is in the set.
            allowed = out.const(frozenset(ftype.values))
            out.line(f"if {x} not in {allowed}: raise Deopt")
        elif ftype == t.BOOL:
            out.line(f"if type({x}) is not bool: raise Deopt")
        elif ftype == t.INT:
            out.line(f"if type({x}) is not int: {x} = _read_int({x})")
        elif ftype == t.DECIMAL:
            out.line(f"if type({x}) is not int: {x} = _read_decimal({x})")
        elif ftype == t.TEXT:
            out.line(f"if type({x}) is not str or not {x}.isascii(): {x} = _read_text({x})")
        elif ftype == t.DATE:
            out.line(f"{x} = _known_date({x}) or _read_date({x})")
        else:
            raise Unsupported(str(ftype))

    def _part(self, node: ir.Part, env: Env) -> str:
        base = self.expr(node.base, env)
        if node.part == "quarter":
            return f"(({base}.month - 1) // 3 + 1)"
        if node.part not in ("year", "month", "day", "start", "end"):
            raise Unsupported(node.part)
        return f"{base}.{node.part}"

    def _not(self, node: ir.Not, env: Env) -> str:
        return f"(not {self.expr(node.operand, env)})"

    def _neg(self, node: ir.Neg, env: Env) -> str:
        return f"(-{self.expr(node.operand, env)})"

    def _and(self, node: ir.And, env: Env) -> str:
        return self.short_circuit(node, env, "if {r}:")

    def _or(self, node: ir.Or, env: Env) -> str:
        return self.short_circuit(node, env, "if not {r}:")

    def short_circuit(self, node: ir.And | ir.Or, env: Env, test: str) -> str:
        out = self.out
        r = out.var("r")
        self.assign(r, node.left, env)
        with out.block(test.format(r=r)):
            self.assign(r, node.right, env)
        return r

    def assign(self, var: str, node: ir.Node, env: Env) -> None:
        """`var = node`, where an undefined value is not simply passed up: `and`,
        `or`, `where` and aggregates may absorb it, which the general path
        decides."""
        out = self.out
        if not ir.may_be_undefined(node):
            out.line(f"{var} = {self.expr(node, env)}")
            return
        with out.block("try:"):
            out.line(f"{var} = {self.expr(node, env)}")
        with out.block("except Undef:"):
            out.line("raise Deopt")

    def condition(self, node: ir.Node, env: Env) -> str:
        """A test whose undefined value must not escape (see `assign`)."""
        if not ir.may_be_undefined(node):
            return self.expr(node, env)
        c = self.out.var("c")
        self.assign(c, node, env)
        return c

    def _compare(self, node: ir.Compare, env: Env) -> str:
        exact = self.ratio_comparison(node, env)
        if exact is not None:
            return exact
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        return f"({left} {node.op} {right})"

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
        true, total = self.ratio_parts(left, env)
        r = self.out.var("r")
        q, p = self.out.const(bound.denominator), self.out.const(bound.numerator)
        decided = f"{true} * {q} {node.op} {p} * {total}"
        if fallback is None:
            self.out.line(f"if {total} == 0: raise Undef")
            self.out.line(f"{r} = {decided}")
        else:
            when_empty = v.compare_known(node.op, fallback, right)
            self.out.line(f"{r} = ({decided}) if {total} else {when_empty!r}")
        return r

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
        element = self.expr(node.element, env)
        container = node.container
        if container.type == t.PERIOD:
            if isinstance(container, ir.MakePeriod):
                start = self.expr(container.start, env)
                end = self.expr(container.end, env)
                test = f"({start} <= {element} <= {end})"
            elif isinstance(container, ir.PeriodRef):
                test = f"(pstart <= {element} <= pend)"  # set at the start
            else:
                period = self.expr(container, env)
                test = f"({period}.start <= {element} <= {period}.end)"
        else:
            constants = self.constant_list(container)
            if constants is not None:
                test = f"({element} in {self.out.const(frozenset(constants))})"
            else:
                test = f"({element} in {self.materialize(container, env)})"
        return f"(not {test})" if node.negate else test

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
        left = self.expr(node.left, env)
        right = self.expr(node.right, env)
        if node.op == "/":
            return f"_divide({left}, {right})"
        return f"({left} {node.op} {right})"

    def _fallback(self, node: ir.Fallback, env: Env) -> str:
        out = self.out
        r = out.var("r")
        with out.block("try:"):
            out.line(f"{r} = {self.expr(node.left, env)}")
        with out.block("except Undef:"):
            out.line(f"{r} = {self.expr(node.right, env)}")
        return r

    def _makeperiod(self, node: ir.MakePeriod, env: Env) -> str:
        start, end = self.expr(node.start, env), self.expr(node.end, env)
        return f"_Period({start}, {end})"

    def _listof(self, node: ir.ListOf, env: Env) -> str:
        items = [self.condition(item, env) for item in node.items]
        return "(" + "".join(f"{item}, " for item in items) + ")"

    def _filter(self, node: ir.Filter, env: Env) -> str:
        return self.materialize(node, env)

    def materialize(self, node: ir.Node, env: Env) -> str:
        out = self.out
        items = out.var("l")
        out.line(f"{items} = []")
        self.iterate(node, env, lambda item: out.line(f"{items}.append({item})"))
        return items

    def _criterionref(self, node: ir.CriterionRef, env: Env) -> str:
        if node.id not in self.criterion_vars:
            raise Unsupported("a criterion not judged yet")
        passes, applies = self.criterion_vars[node.id]
        return passes if node.kind == "passes" else applies

    def _outcomeref(self, node: ir.OutcomeRef, env: Env) -> str:
        if node.name not in self.outcome_vars:
            raise Unsupported(node.name)
        var = self.outcome_vars[node.name]
        return f"_defined({var})" if node.name == "level" else var

    def _rulesetref(self, node: ir.RulesetRef, env: Env) -> str:
        if node.level not in env:
            raise Unsupported("an item outside its aggregate")
        judge = node.ruleset.fast_verdict
        if judge is None:
            raise Unsupported("a ruleset without a fast path")
        target = env[node.level]
        call = self.out.const(_ruleset_call(judge, node.kind))
        return f"{call}({target}, year)"

    # --------------------------------------------------------- aggregates

    def _aggregate(self, node: ir.Aggregate, env: Env) -> str:
        return self.totals(node, env).finish()

    def ratio_parts(self, node: ir.Aggregate, env: Env) -> tuple[str, str]:
        """The variables holding (items passing, items taking part) of a ratio."""
        totals = self.totals(node, env)
        assert totals.b is not None
        return totals.a, totals.b

    def totals(self, node: ir.Aggregate, env: Env) -> _Aggregate:
        """The running totals of an aggregate: computed when hoisted, else here."""
        totals = self.hoisted.get(id(node))
        if totals is None:
            totals = _Aggregate(node, self.out)
            totals.init(self.out)
            self.iterate(node.source, env, lambda item: self.accumulate(totals, item, env))
        return totals

    def accumulate(self, agg: _Aggregate, item: str, env: Env) -> None:
        """Statements adding one item of the source to the running totals."""
        node, out = agg.node, self.out
        inner = {**env, node.level: item}
        if node.filter is not None:
            keep = self.condition(node.filter, inner)
            with out.block(f"if {keep}:"):
                self.add(agg, inner)
        else:
            self.add(agg, inner)

    def add(self, agg: _Aggregate, env: Env) -> None:
        node, out, a, b = agg.node, self.out, agg.a, agg.b
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
                out.line("else: raise Deopt")
            return
        change = f"{a} += 1" if func in ("count", "ratio") else f"{a} = True"
        with out.block(f"if {x} is True:"):
            out.line(change)
        out.line(f"elif {x} is not False: raise Deopt")

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
        elif isinstance(source, ir.Filter):

            def keep(item: str) -> None:
                test = self.condition(source.condition, {**env, source.level: item})
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
            self.check(x, item_type)
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
                steps = _steps(node.source)
                if steps is None:
                    continue
                agg = _Aggregate(node, self.out)
                self.hoisted[id(node)] = agg
                tree.add(steps, agg)
        for agg in tree.aggregates():
            agg.init(self.out)
        self.emit_tree(tree, "d", env)

    def emit_tree(self, tree: _LoopTree, obj: str, env: Env) -> None:
        for (kind, field, ftype), child in tree.children.items():
            value = self.read(obj, field, ftype)
            if kind == "enter":
                self.emit_node(child, value, env)
            else:
                assert isinstance(ftype, t.List)
                counted = [
                    agg
                    for agg, ops in child.ending
                    if agg.node.func == "ratio"
                    and all(op[0] == "project" for op in ops)
                    and agg.node.filter is None
                    and not any(child.outer_guards(agg))
                ]
                for agg in counted:
                    agg.by_length = True
                self.loop(value, ftype.item, lambda item, c=child: self.emit_node(c, item, env))
                for agg in counted:
                    self.out.line(f"{agg.b} += len({value})")

    def emit_node(self, node: _LoopTree, item: str, env: Env) -> None:
        out = self.out
        # Aggregates passing through: their filters at this level, as guards.
        for agg, ops in node.passing:
            guard = self.apply_ops(ops, item, env)
            node.guard_vars[id(agg)] = guard
        for agg, ops in node.ending:
            outer = [g for g in node.outer_guards(agg) if g]

            def finish(value: str, agg: _Aggregate = agg) -> None:
                self.accumulate(agg, value, env)

            if outer:
                with out.block(f"if {' and '.join(outer)}:"):
                    self.with_ops(ops, item, env, finish)
            else:
                self.with_ops(ops, item, env, finish)
        self.emit_tree(node, item, env)

    def apply_ops(self, ops: list[tuple[Any, ...]], item: str, env: Env) -> str | None:
        """A guard variable for filters on an item an aggregate goes through."""
        if not ops:
            return None
        out = self.out
        g = out.var("g")
        out.line(f"{g} = False")
        self.with_ops(ops, item, env, lambda _value: out.line(f"{g} = True"))
        return g

    def with_ops(
        self,
        ops: list[tuple[Any, ...]],
        item: str,
        env: Env,
        then: Callable[[str], None],
    ) -> None:
        """Apply filters and projections to an item, then `then(value)`."""
        if not ops:
            then(item)
            return
        op, rest = ops[0], ops[1:]
        if op[0] == "filter":
            node: ir.Filter = op[1]
            test = self.condition(node.condition, {**env, node.level: item})
            with self.out.block(f"if {test}:"):
                self.with_ops(rest, item, env, then)
        else:  # project
            _, field, ftype = op
            self.with_ops(rest, self.read(item, field, ftype), env, then)


def _ruleset_call(judge: Callable[..., Any], kind: str) -> Callable[[Any, Any], bool]:
    def call(item: Any, year: Any) -> bool:
        if type(item) is not dict:
            raise Deopt
        verdict, applicable = judge(item, year)
        if kind == "applies":
            return applicable
        return verdict is Status.PASS

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


def _steps(source: ir.Node) -> list[tuple[Any, ...]] | None:
    """A list expression as steps from the subject: ("loop", field, type),
    ("enter", field, type), ("filter", node), ("project", field, type); None
    when it is not such a path."""
    if isinstance(source, ir.Var):
        return [] if source.level == 0 else None
    if isinstance(source, ir.Get):
        base = _steps(source.base)
        if base is None:
            return None
        ftype = source.field_type
        if isinstance(ftype, t.List):
            if not isinstance(ftype.item, t.Entity) and not isinstance(
                source.base.type, (t.Entity, t.List)
            ):
                return None
            return [*base, ("loop", source.field, ftype)]
        if isinstance(ftype, t.Entity):
            return [*base, ("enter", source.field, ftype)]
        return [*base, ("project", source.field, ftype)]
    if isinstance(source, ir.Filter):
        base = _steps(source.source)
        if base is None:
            return None
        return [*base, ("filter", source)]
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
    before it, the score or the level)."""
    return not any(isinstance(n, (ir.CriterionRef, ir.OutcomeRef)) for n in ir.walk(node))


# ------------------------------------------------------------ entry points

FastJudge = Callable[[Any, Any, Any], Any]


def ruleset_function(ruleset: Any, verdict_only: bool = False) -> FastJudge | None:
    """`judge(data, period, year)` for a ruleset: None when the ruleset does
    not apply to the subject (the general path then says so), else
    (outcomes, statuses, (met, applicable), score, max_score, level, verdict)
    with outcomes as `Ruleset.judge` gives them (statuses and counts are None
    for `verdict_only`). None instead of a function when the ruleset
    uses something the fast path does not generate."""
    try:
        return _RulesetWriter(ruleset, verdict_only).function()
    except _NOT_GENERATED:
        return None


def expression_function(node: ir.Node) -> Callable[[Any, Any], Any] | None:
    """`evaluate(data, period)` for one expression, or None."""
    gen = _Generator({})
    out = gen.out
    try:
        gen.prologue([node])
        gen.hoist([node], {0: "d"})
        r = out.var("r")
        gen.assign(r, node, {0: "d"})
        out.line(f"return {r}")
        return _build("evaluate", "d, period", out)
    except _NOT_GENERATED:
        return None


# Whatever stops the generator — a construct it does not generate
# (`Unsupported`), Python's own limits (more than 20 nested loops or `try`
# blocks, very deep trees: SyntaxError, RecursionError), or a failure nobody
# foresaw — the general path still judges and explains correctly: generated
# code is a shortcut, never a requirement. (Tests check that every shipped
# ruleset and generated expression gets it.)
_NOT_GENERATED = Exception


def _build(name: str, arguments: str, out: _Emitter) -> Callable[..., Any]:
    source = f"def {name}({arguments}):\n" + "\n".join(out.lines) + "\n"
    namespace: dict[str, Any] = {**_RUNTIME, **out.constants}
    code = compile(source, f"<antq fast path: {name}>", "exec")
    exec(code, namespace)  # generated from the checked tree; see the module docstring
    function = namespace[name]
    function.source = source
    return function


class _RulesetWriter:
    def __init__(self, ruleset: Any, verdict_only: bool) -> None:
        self.rs = ruleset
        self.needed = ruleset._verdict_needs if verdict_only else None
        self.with_outcome = not verdict_only or ruleset._verdict_uses_outcome
        self.gen = _Generator(ruleset.params)
        self.out = self.gen.out

    def function(self) -> FastJudge:
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
            out.line(f"{verdict} = _PASS if {holds} else _FAIL")
        else:
            failing = [f"{statuses[c.id][0]} is _FAIL" for c in criteria if c.mandatory]
            test = " or ".join(failing) if failing else "False"
            out.line(f"{verdict} = _FAIL if {test} else _PASS")
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
            applying = " + ".join(["0", *(f"({statuses[cid][0]} is not _NA)" for cid in statuses)])
            out.line(
                f"return {outcomes}, {{{shown}}}, ({met}, {applying}), "
                f"{score}, {max_score}, {level}, {verdict}"
            )
        else:
            out.line(f"return {outcomes}, None, None, {score}, {max_score}, {level}, {verdict}")
        return _build("judge", "d, period, year", out)

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
            judged = out.block(f"if {applies}:")
        with judged:
            value = "None"
            if c.test is not None:
                value = out.var("v")
                gen.assign(value, c.test, env)
            if c.items:
                out.line(f"{points} = 0")
                for item in c.items:
                    holds = gen.condition(item.condition, env)
                    out.line(f"if {holds}: {points} += {out.const(item.points)}")
            elif c.tiers:
                self.tiers(c.tiers, points, env)
            elif c.points is not None:
                out.line(f"{points} = {out.const(c.points)} if {value} else 0")
            if c.test is not None:
                out.line(f"{status} = _PASS if {value} else _FAIL")
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
        gen.criterion_vars[c.id] = (f"({status} is _PASS)", applies)
        return status, value, points

    def tiers(self, tiers: Any, points: str, env: Env) -> None:
        """The points of the first tier that holds, else 0."""
        gen, out = self.gen, self.out
        if not tiers:
            out.line(f"{points} = 0")
            return
        holds = gen.condition(tiers[0].condition, env)
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
        holds = self.gen.condition(first.condition, env)
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
