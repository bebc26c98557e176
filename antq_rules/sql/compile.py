"""The typed tree (`ir`) to SQL: each expression to a `symbolic` value over
the columns of a relation, each aggregate to a grouped relation joined back.

Scopes. The subject's rows are the level-0 relation. An aggregate over a
list of the subject (`ratio(areas where …)`) reads its items in a relation
of its own — the list's table, joined to the tables of a flattened path —
whose per-item contributions are summed by GROUP BY and joined back to the
rows they belong to. When the per-item expressions read nothing of the
enclosing rows (the usual case) the item relation reads the tables alone
(*detached*) and aggregates sharing a list share one GROUP BY; otherwise it
is joined to the enclosing relation (*attached*), whose values it needs are
computed there first (*hoisted*). A list written in the ruleset
(`["agency", "school"]`) is unrolled: its items are values, not rows.

Partial data. Every aggregate keeps the counts of `interpret._aggregate`
(items surely counted, perhaps counted, undefined…) and finishes them with
the formulas of `values`; a list not given is *open*, as in the reference.

What SQL cannot say the same way is refused here with an `AntqError`
(`sql-unsupported`) naming the place in the ruleset. A record the query
cannot judge exactly (two rows where `single` wants one, a text that is not
a value of its enum) is flagged (`_deopt`), and the Python evaluator judges
it instead, from its rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from sqlglot import exp

from .. import interpret, ir
from .. import types as t
from .. import values as v
from ..errors import AntqError, Diagnostic
from . import build as b
from . import symbolic as s
from .layout import NULL_COLUMN, VALUE_COLUMN, Layout, TableInfo
from .relation import Query, Relation, table_ref

# When an expression grows past this many nodes it is named in a column.
BIG = 60


def unsupported(node: Any, what: str) -> AntqError:
    span = getattr(node, "span", None)
    return AntqError(Diagnostic("sql-unsupported", {"what": what}, span))


# ------------------------------------------------------------- free levels


def _within(node: ir.Node, level: int) -> list[tuple[ir.Node, int]]:
    """A node's children, each with the level below which what it reads is
    an enclosing scope's: a `where` or aggregate binds its own item, even one
    typed at a lower level than the scope it is read in (a define's
    `incidents where serious` inside `any(areas, …)`)."""
    if isinstance(node, ir.Filter):
        return [(node.source, level), (node.condition, min(level, node.level))]
    if isinstance(node, ir.Aggregate):
        inner = min(level, node.level)
        return [(node.source, level), *((c, inner) for c in (node.filter, node.body) if c)]
    return [(c, level) for c in ir.children(node)]


# ------------------------------------------------------------------ handles


@attrs.frozen(eq=False)
class Handle:
    """An entity the expressions read fields of: a row of `table` in `rel`
    (under `alias`), its nested entity at `prefix`; or, with `reader`, the
    item a `single` picked (fields read through its group)."""

    rel: Relation | None
    alias: str | None
    table: TableInfo | None
    prefix: str = ""
    missing: Any = False  # every field not known
    undefined: Any = False  # may not exist: every field may be undefined too
    reader: Callable[[str, t.Type], Any] | None = None
    null_item: Any = False  # an item given as `null` (passes(R) is unknown)


@attrs.frozen
class Step:
    kind: str  # list | entity | scalar | filter
    field: str | None = None
    node: Any = None  # the Filter node, or the Get node


@attrs.frozen
class Chain:
    root: ir.Node
    steps: tuple[Step, ...]


@attrs.frozen
class ConstList:
    items: tuple[Any, ...]  # ir nodes (ListOf) or Python values
    nodes: bool
    steps: tuple[Step, ...] = ()


# -------------------------------------------------------------------- scope


class Scope:
    """Where an expression is evaluated: a relation and what its Vars are."""

    def __init__(
        self,
        rel: Relation,
        level: int,
        bindings: dict[int, Any],
        outer: Scope | None,
        shares: bool = False,
    ) -> None:
        self.rel = rel
        self.level = level
        self.bindings = bindings
        self.outer = outer  # the scope whose columns flow into rel (or who shares it)
        self.shares = shares

    def ancestor(self, level: int) -> Scope | None:
        sc: Scope | None = self
        while sc is not None and sc.level > level:
            sc = sc.outer
        return sc

    def child(self, level: int, binding: Any) -> Scope:
        """A scope on the same relation with one more Var bound (a list item
        written in the ruleset, or a stage of a path)."""
        bindings = dict(self.bindings)
        bindings[level] = binding
        return Scope(self.rel, level, bindings, self, shares=True)


@attrs.frozen
class Outcomes:
    """What a ruleset's expressions may read besides data (`rules`)."""

    criteria: dict[str, tuple[s.Bool, s.Bool]] = attrs.field(factory=dict)
    score: Any = None
    max_score: Any = None
    level: Any = None


class Compiler:
    def __init__(
        self,
        q: Query,
        layout: Layout,
        period: Any,
        params: dict[str, Any],
        year: int | None,
        dialect: str,
        rulesets: Any = None,
    ) -> None:
        self.q = q
        self.layout = layout
        self.period = period
        self.params = params
        self.year = year
        self.dialect = dialect
        self.cache: dict[tuple[int, int], Any] = {}
        self.plans: dict[tuple, Plan] = {}
        self.alive: list[Scope] = []
        self.shared: dict[tuple, tuple[list[Relation], Group | None]] = {}
        self.joined: dict[int, set] = {}
        self.groups_made: list[Group] = []
        self.relations: list[Relation] = []
        self.outcomes = Outcomes()
        self.rulesets = rulesets  # (ruleset, table path, year) -> (cte, columns)

    # ------------------------------------------------------------ helpers

    def outcomes_set(self, **changes: Any) -> None:
        self.outcomes = attrs.evolve(self.outcomes, **changes)

    def level_of(self, node: ir.Node) -> int:
        """The deepest item a node reads (-1: none, a constant); the outcomes
        judged so far (`passes(K)`, the score) are read at the subject's."""
        free = ir.free_levels(node)
        return max(0, *free) if free else -1

    def relation(self, *args: Any, **kwargs: Any) -> Relation:
        rel = Relation(self.q, *args, **kwargs)
        self.q.relations.append(rel)
        rel.deopt = []  # type: ignore[attr-defined]
        return rel

    def subject_scope(self, table: TableInfo, prefix: str = "") -> Scope:
        """The level-0 scope over every row of a table."""
        alias = "t0"
        rel = self.relation(table_ref(table.name, alias), [], [])
        if table.column("id") is None:
            raise AntqError(Diagnostic("sql-missing-id", {"table": table.name}))
        key = rel.column(alias, table.column("id"))
        rel.keys = [key.name]
        handle = Handle(rel, alias, table, prefix, null_item=self.null_flag(rel, alias, table))
        return Scope(rel, 0, {0: handle}, None)

    def null_flag(self, rel: Relation, alias: str, table: TableInfo) -> Any:
        col = table.column(NULL_COLUMN)
        return False if col is None else b.truthy(rel.column(alias, col))

    def materialize(self, value: Any, rel: Relation) -> Any:
        """Every part of a value named in a column of `rel`."""
        if isinstance(value, s.Bool):
            test = _nullable_test(value)
            if test is not None:
                # one nullable column and its states, as a BOOLEAN field is read:
                # flags of one column fold (`t AND NOT f` is `c IS TRUE`)
                return _column_bool(rel.let(test))
            return s.Bool(rel.let(value.t), rel.let(value.f), rel.let(value.u))
        if isinstance(value, s.Num):
            return s.Num(
                rel.let(value.d),
                None if value.lo is None else s.Rat(rel.let(value.lo.num), rel.let(value.lo.den)),
                None if value.hi is None else s.Rat(rel.let(value.hi.num), rel.let(value.hi.den)),
                rel.let(value.u),
                value.point and value.lo is value.hi,
            )
        if isinstance(value, s.Date):
            lo = rel.let(value.lo)
            hi = lo if value.point else rel.let(value.hi)
            return s.Date(rel.let(value.d), lo, hi, rel.let(value.u), value.point)
        if isinstance(value, s.Text):
            return s.Text(rel.let(value.d), rel.let(value.v), rel.let(value.u))
        if isinstance(value, s.Per):
            return s.Per(
                rel.let(value.d), rel.let(value.start), rel.let(value.end), rel.let(value.u)
            )
        return value

    def maybe_materialize(self, value: Any, rel: Relation) -> Any:
        parts = _parts(value)
        if sum(b.size(p) for p in parts) > BIG:
            return self.materialize(value, rel)
        return value

    # --------------------------------------------------------------- eval

    def ev(self, node: ir.Node, sc: Scope) -> Any:
        level = self.level_of(node)
        if level == -1 and not isinstance(node, ir.Const):
            return self.constant(node, sc)
        if 0 <= level < sc.level:
            anc = sc.ancestor(level)
            if anc is not None and anc is not sc:
                if not self._reaches(sc, anc):
                    raise AssertionError("a detached scope reads an outer value")
                return self.ev(node, anc)
        key = (id(node), id(sc.rel), sc.level, id(sc))
        found = self.cache.get(key)
        if found is not None:
            return found
        value = self._ev(node, sc)
        if not isinstance(value, (Handle, list)):
            value = self.maybe_materialize(value, sc.rel)
        self.cache[key] = value
        self.alive.append(sc)  # (the key holds its id: no later scope may reuse it)
        return value

    def _reaches(self, sc: Scope, anc: Scope) -> bool:
        cur: Scope | None = sc
        while cur is not None:
            if cur is anc:
                return True
            cur = cur.outer
        return False

    def hoisted(self, node: ir.Node, sc: Scope) -> Any:
        """A value of the enclosing scope, named in columns there (so that a
        relation joined to it later carries it)."""
        key = (id(node), id(sc.rel), -1, id(sc))
        found = self.cache.get(key)
        if found is None:
            found = self.ev(node, sc)
            if not isinstance(found, (Handle, list)):
                found = self.materialize(found, sc.rel)
            self.cache[key] = found
            self.cache[(id(node), id(sc.rel), sc.level, id(sc))] = found
        return found

    def constant(self, node: ir.Node, sc: Scope) -> Any:
        """A subtree that reads no data: its value by the reference interpreter."""
        context = interpret.Context(self.period, self.params, self.year)
        try:
            value = interpret._eval(node, _no_data(node), context)
        except AntqError as error:
            if error.code == "no-period":
                raise
            sc.rel.deopt.append(True)  # (Python says what happens, and where)
            return _unknown(node.type)
        return self.const_value(value, node.type)

    def const_value(self, value: Any, type_: t.Type) -> Any:
        if isinstance(type_, t.List):
            if isinstance(value, interpret.Seq):
                if value.open or any(m is not True for m in value.members):
                    raise unsupported(None, "a partly known list written in the ruleset")
                return ConstList(tuple(value.items), nodes=False)
            return ConstList(tuple(value), nodes=False)
        if type_ == t.BOOL:
            return s.Bool(*v.flags(value))
        if type_ == t.PERIOD:
            if isinstance(value, v.Period):
                return s.Per(True, self.q.bind(value.start), self.q.bind(value.end), False)
            defined, _, _, undefined = v.parts(value)
            return s.Per(defined, None, None, undefined)
        defined, low, high, undefined = v.parts(value)
        if type_ == t.DATE:
            lo = None if low is None else self.q.bind(low)
            hi = lo if high == low else (None if high is None else self.q.bind(high))
            return s.Date(defined, lo, hi, undefined, hi is lo)
        if t.is_textual(type_):
            text = None if low is None or low != high else self.q.bind(low)
            return s.Text(defined, text, undefined)
        if t.is_number(type_):
            lo = None if low is None else s.Rat.of(Fraction(low))
            hi = None if high is None else s.Rat.of(Fraction(high))
            return s.Num(defined, lo, hi, undefined, lo == hi)
        raise unsupported(None, f"a constant of type `{type_}`")

    def _ev(self, node: ir.Node, sc: Scope) -> Any:
        if isinstance(node, ir.Const):
            return self.const_value(node.value, node.type)
        if isinstance(node, ir.Var):
            return sc.bindings[node.level]
        if isinstance(node, ir.Get):
            if isinstance(node.type, t.List):
                raise unsupported(node, "a list used as a value")
            base = self.ev(node.base, sc)
            if not isinstance(base, Handle):
                raise unsupported(node, "this field read")
            return self.field(base, node.field, node.field_type, sc, node)
        if isinstance(node, ir.Part):
            base = self.ev(node.base, sc)
            if node.base.type == t.PERIOD:
                return s.period_part(base, node.part)
            return s.date_part(base, node.part)
        if isinstance(node, ir.PeriodRef):
            if self.period is None:
                raise AntqError(Diagnostic("no-period", {}, node.span))
            return s.Per(True, self.q.bind(self.period.start), self.q.bind(self.period.end), False)
        if isinstance(node, ir.Param):
            return self.const_value(self.params[node.name], node.type)
        if isinstance(node, ir.Not):
            return s.logic_not(self.ev(node.operand, sc))
        if isinstance(node, ir.Neg):
            return s.negate(self.ev(node.operand, sc))
        if isinstance(node, ir.And):
            return s.logic_and(self.ev(node.left, sc), self.ev(node.right, sc))
        if isinstance(node, ir.Or):
            return s.logic_or(self.ev(node.left, sc), self.ev(node.right, sc))
        if isinstance(node, ir.Compare):
            return s.compare(node.op, self.ev(node.left, sc), self.ev(node.right, sc))
        if isinstance(node, ir.Arith):
            left, right = self.ev(node.left, sc), self.ev(node.right, sc)
            let = sc.rel.let
            if node.op == "+":
                return s.add(left, right)
            if node.op == "-":
                return s.sub(left, right)
            if node.op == "*":
                return s.multiply(left, right, let)
            return s.divide(left, right, let)
        if isinstance(node, ir.Fallback):
            if not ir.may_be_undefined(node.left):
                return self.ev(node.left, sc)
            if node.type == t.PERIOD or not t.is_scalar(node.type):
                raise unsupported(node, "`??` on this type")
            left = self.materialize(self.ev(node.left, sc), sc.rel)
            return s.fallback(left, self.ev(node.right, sc))
        if isinstance(node, ir.MakePeriod):
            return s.make_period(self.ev(node.start, sc), self.ev(node.end, sc))
        if isinstance(node, ir.Member):
            if node.container.type == t.PERIOD:
                result = s.in_period(self.ev(node.element, sc), self.ev(node.container, sc))
            else:
                result = self.member(node, sc)
            return s.logic_not(result) if node.negate else result
        if isinstance(node, ir.Single):
            return self.single(node, sc)
        if isinstance(node, ir.Aggregate):
            return self.aggregate(node, sc)
        if isinstance(node, ir.CriterionRef):
            passes, applies = self.outcomes.criteria[node.id]
            return passes if node.kind == "passes" else applies
        if isinstance(node, ir.OutcomeRef):
            value = {
                "score": self.outcomes.score,
                "max_score": self.outcomes.max_score,
                "level": self.outcomes.level,
            }[node.name]
            if value is None:
                raise unsupported(node, f"`{node.name}` here")
            return value
        if isinstance(node, ir.RulesetRef):
            target = sc.bindings[node.level]
            if not isinstance(target, Handle) or target.alias is None or target.prefix:
                raise unsupported(node, "`passes` of this item")
            return self.ruleset_ref(node, target, sc)
        if isinstance(node, (ir.ListOf, ir.Filter, ir.Concat)):
            raise unsupported(node, "a list used as a value")
        raise unsupported(node, type(node).__name__)

    # ------------------------------------------------------------- fields

    def field(self, handle: Handle, name: str, type_: t.Type, sc: Scope, node: Any) -> Any:
        path = handle.prefix + name
        if isinstance(type_, t.Entity):
            return attrs.evolve(handle, prefix=path + ".")
        if isinstance(type_, t.List):
            raise unsupported(node, "a list used as a value")
        if handle.reader is not None:
            value = handle.reader(path, type_)
        elif handle.table is None or handle.rel is None:
            value = _unknown(type_)
        else:
            value = self.read_column(handle.rel, handle.alias, handle.table, path, type_)
        return _obscured(value, handle.missing, handle.undefined)

    def read_column(
        self, rel: Relation, alias: str | None, table: TableInfo, path: str, type_: t.Type
    ) -> Any:
        column = table.column(path)
        if column is None or alias is None:
            return _unknown(type_)
        self.layout.check_column(table, path, type_)
        raw = rel.column(alias, column)
        return self.typed(raw, type_, table, column, rel)

    def typed(
        self, raw: Any, type_: t.Type, table: TableInfo | None, column: str | None, rel: Relation
    ) -> Any:
        """A column's value as a symbolic value of the field's type."""
        if type_ == t.BOOL:
            return _column_bool(raw)  # (IS NOT FALSE: true or not known)
        if t.is_number(type_):
            return s.Num(True, s.Rat(raw), s.Rat(raw), False, True)
        if type_ == t.DATE:
            kind = "" if table is None else table.types.get(column or "", "")
            if kind.startswith("timestamp"):
                raw = exp.Cast(this=raw, to=exp.DataType.build("DATE"))
            return s.Date(True, raw, raw, False, True)
        if isinstance(type_, t.Enum):
            allowed = [self.q.bind(value) for value in type_.values]
            bad = exp.Not(this=exp.In(this=raw, expressions=allowed)) if allowed else True
            # a text that is not a value of the enum: the Python reader says what
            rel.deopt.append(b.and_(b.not_null(raw), bad))
            return s.Text(True, raw, False)
        if type_ == t.TEXT:
            return s.Text(True, self.nfc(raw), False)
        raise AssertionError(type_)

    def nfc(self, raw: exp.Expression) -> exp.Expression:
        """Text as the Python reader sees it: NFC (where the engine can say so)."""
        if self.dialect == "duckdb":
            return exp.Anonymous(this="nfc_normalize", expressions=[raw])
        if self.dialect == "postgres":
            return exp.Anonymous(this="normalize", expressions=[raw, exp.var("NFC")])
        return raw

    # -------------------------------------------------------------- lists

    def decompose(self, node: ir.Node) -> list[Any]:
        """A list expression as branches: chains from a Var through tables, or
        lists written in the ruleset; `+` is their union."""
        if isinstance(node, ir.Concat):
            return self.decompose(node.left) + self.decompose(node.right)
        if isinstance(node, ir.Filter):
            return [_extend(br, Step("filter", node=node)) for br in self.decompose(node.source)]
        if isinstance(node, ir.ListOf):
            return [ConstList(tuple(node.items), nodes=True)]
        if self.level_of(node) == -1:
            context = interpret.Context(self.period, self.params, self.year)
            seq = interpret._eval(node, _no_data(node), context)
            return [self.const_value(seq, node.type)]
        if isinstance(node, ir.Get):
            if isinstance(node.base.type, t.List):
                ft = node.field_type
                kind = (
                    "list"
                    if isinstance(ft, t.List)
                    else "entity"
                    if isinstance(ft, t.Entity)
                    else "scalar"
                )
                return [
                    _extend(br, Step(kind, node.field, node)) for br in self.decompose(node.base)
                ]
            if isinstance(node.base, ir.Var) and isinstance(node.field_type, t.List):
                return [Chain(node.base, (Step("list", node.field, node),))]
            raise unsupported(node, "a list inside a nested entity or picked by `single`")
        raise unsupported(node, "this list")

    def outer_values(self, roots: list[tuple[Any, int]]) -> tuple[list[ir.Node], bool]:
        """The values of enclosing scopes that per-item expressions read
        (computed there first), and whether any enclosing value is read; each
        root with the level its items bind (a define's `where` binds its own,
        below the aggregate's that reads it)."""
        found: list[ir.Node] = []
        attached = False
        stack = [(r, level) for r, level in roots if r is not None]
        while stack:
            n, level = stack.pop()
            lv = self.level_of(n)
            if 0 <= lv < level:
                attached = True
                if (
                    isinstance(n.type, t.List)
                    or isinstance(n, ir.Var)
                    or isinstance(n.type, t.Entity)
                ):
                    # (lists and entities: read where used)
                    stack.extend(_within(n, level))
                    continue
                found.append(n)
                continue
            stack.extend(_within(n, level))
        return found, attached

    def plan(
        self,
        node: Any,
        source: ir.Node,
        level: int,
        exprs: list[Any],
        sc: Scope,
        attach: bool = False,
    ) -> Plan:
        """The items of `source` for an aggregate binding `level`, whose per-item
        expressions are `exprs`."""
        branches = self.decompose(source)
        roots: list[tuple[Any, int]] = [(e, level) for e in exprs]
        for br in branches:
            for step in br.steps:
                if step.kind == "filter":
                    roots.append((step.node.condition, step.node.level))
            if isinstance(br, ConstList) and br.nodes:
                roots.extend((item, level) for item in br.items)
        hoist, attached = self.outer_values(roots)
        attached = attached or attach
        for n in hoist:
            self.hoisted(n, sc)
        rows: list[Items] = []
        consts: list[ConstItems] = []
        roots_info = []
        for br in branches:
            if isinstance(br, ConstList):
                consts.append(self.const_items(br, level, sc))
                continue
            root = self.ev(br.root, sc)
            if not isinstance(root, Handle) or root.table is None or root.reader or root.prefix:
                raise unsupported(br.steps[0].node, "a list of this entity")
            table = self.layout.table(self.layout.child_path(root.table, br.steps[0].field))
            marker = root.table.column(br.steps[0].field)
            given: Any = True
            if marker is not None:
                given = sc.rel.let(b.truthy(self._column(root, marker, sc)))
            roots_info.append((br, root, table, given))
        key = None
        # (detached rows are grouped by their root's id: branches from two
        # roots, `areas.houses + houses` in an area's scope, would mix a
        # commune's id with an area's — they are made per enclosing row)
        one_root = len({(id(r.rel), r.alias, r.table.name) for _, r, _, _ in roots_info}) <= 1
        detached = not attached and one_root and all(g is True for *_, g in roots_info)
        if detached and roots_info and not consts:
            # (the level is part of the key: the same rows bound by another
            # aggregate's Var, e.g. `count(areas)` inside an item scope and
            # `any(areas, …)` outside, are another plan)
            key = (id(sc.rel), level, tuple(_shape(br) for br, *_ in roots_info))
            cached = self.plans.get(key)
            if cached is not None:
                return cached
        # Aggregates over the same rows of one table (whatever their filters
        # and fields) read them in one relation and sum them in one GROUP BY,
        # as a hand-written query would: one scan of `areas` for all of them.
        # (Only one stage: a later stage is made from the earlier one as it
        # stood, without what other aggregates add to it afterwards.)
        share = None
        if key is not None and all(
            st.kind != "list" for br, *_ in roots_info for st in br.steps[1:]
        ):
            share = (
                id(sc.rel),
                tuple((id(r.rel), r.alias, tb.name, tb.present) for _, r, tb, _ in roots_info),
            )
        shared = self.shared.get(share) if share is not None else None
        branch_open: list[tuple[Any, list]] = []
        index = 0
        for br, root, table, given in roots_info:
            if not table.present:
                branch_open.append((True, []))
                continue
            reuse = shared[0][index] if shared is not None else None
            index += 1
            items = self.chain(br, root, table, given, level, sc, not detached, reuse)
            rows.append(items)
            branch_open.append((b.not_(given), items.open_steps))
        if shared is not None:
            group = shared[1]
        else:
            group = Group(self, sc, rows, not detached) if rows else None
            if share is not None:
                self.shared[share] = ([items.rel for items in rows], group)
        plan = Plan(self, sc, level, rows, consts, group, branch_open)
        if key is not None:
            self.plans[key] = plan
        return plan

    def _column(self, handle: Handle, column: str, sc: Scope) -> exp.Expression:
        """A raw column of an entity of an enclosing scope, readable in `sc`."""
        if handle.rel is not sc.rel and not self._carried(handle.rel, sc):
            raise unsupported(None, "a list of an entity not joined here")
        return handle.rel.column(handle.alias, column)

    def _carried(self, rel: Relation, sc: Scope) -> bool:
        cur: Scope | None = sc
        while cur is not None:
            if cur.rel is rel:
                return True
            cur = cur.outer
        return False

    def const_items(self, br: ConstList, level: int, sc: Scope) -> ConstItems:
        values = []
        members = []
        for item in br.items:
            value = self.ev(item, sc) if br.nodes else self.const_value(item, _item_type(item))
            member: s.Bool = s.TRUE
            for step in br.steps:
                if step.kind != "filter":
                    raise unsupported(step.node, "a field of a list written in the ruleset")
                inner = sc.child(step.node.level, value)
                member = s.logic_and(member, self.ev(step.node.condition, inner))
            values.append(value)
            members.append(member)
        return ConstItems(values, members)

    def chain(
        self,
        br: Chain,
        root: Handle,
        table: TableInfo,
        given: Any,
        level: int,
        sc: Scope,
        attached: bool,
        reuse: Relation | None = None,
    ) -> Items:
        """The rows of one chain of tables, as a relation of items: one
        relation a stage (`areas`, then `areas.incidents` joined to it), so
        that what is evaluated of a stage's items sees each item once."""
        link = table.link and table.column(table.link)
        if link is None:
            raise AntqError(
                Diagnostic("sql-missing-link", {"table": table.name, "column": table.link})
            )
        if root.table.column("id") is None:
            raise AntqError(Diagnostic("sql-missing-id", {"table": root.table.name}))
        root_id = self._column(root, root.table.column("id"), sc)
        alias = "t1"
        if attached:
            parent = sc.rel.current()
            rel = self.relation(table_ref(parent, "r0"), [parent], [], carry=True)
            rel.in_items = True
            on: Any = exp.EQ(this=b.col(link, alias), expression=root_id)
            if given is not True:
                on = exp.And(this=on, expression=b.wrap(given))
            rel.join(table_ref(table.name, alias), on)
            outer: Scope | None = sc
            env = None
            env_key = None
            keys = list(sc.rel.keys)
        else:
            rel = reuse or self.relation(table_ref(table.name, alias), [], [])
            outer = None
            env = rel.column(alias, link)
            env_key = root_id
            keys = []
        current: Any = self._row_item(rel, alias, table)
        cur_table, cur_alias = table, alias
        if table.column("id") is None:
            raise AntqError(Diagnostic("sql-missing-id", {"table": table.name}))
        cur_id = rel.column(alias, table.column("id"))
        keys.append(cur_id.name)
        rel.keys = list(keys)
        present: Any = True
        member: s.Bool = s.TRUE
        open_steps: list[tuple[str, Any, Any]] = []  # ("filter", …) | ("rows", open, ou)
        ended = False
        for step in br.steps[1:]:
            if step.kind == "filter":
                scope = Scope(rel, step.node.level, {step.node.level: current}, outer)
                cond = self.ev(step.node.condition, scope)
                member = self.materialize(s.logic_and(member, cond), rel)
                if step.node.unknown_item_undefined:
                    open_steps.append(("filter", None, None))
                continue
            if ended:
                continue
            if step.kind == "list":
                if not isinstance(current, Handle) or current.prefix or current.rel is None:
                    raise unsupported(step.node, "a list inside a nested entity")
                child = self.layout.table(self.layout.child_path(cur_table, step.field))
                kept = b.and_(present, b.or_(member.t, member.u))
                inner_marker = cur_table.column(step.field)
                not_given: Any = False
                marker_col = None
                if inner_marker is not None:
                    marker_col = rel.column(cur_alias, inner_marker)
                    not_given = b.not_(b.truthy(marker_col))
                if not child.present:
                    not_given = True
                if not_given is not False:
                    open_steps.append(
                        (
                            "rows",
                            rel.let(b.when(b.and_(kept, not_given), 1, 0)),
                            rel.let(b.when(b.and_(kept, not_given, member.u), 1, 0)),
                        )
                    )
                if not child.present:
                    ended = True
                    present = False
                    current = Handle(None, None, None, missing=True)
                    continue
                child_link = child.link and child.column(child.link)
                if child_link is None or child.column("id") is None:
                    raise AntqError(
                        Diagnostic("sql-missing-link", {"table": child.name, "column": child.link})
                    )
                # the next stage: this one's rows joined with the child table
                member = self.materialize(member, rel)
                present = rel.let(present)
                # (what this stage hands to Python — two rows where a filter's
                # `single` wants one — goes on with its rows to the next)
                deopt = rel.let(b.or_(*rel.deopt)) if rel.deopt else None
                prev = rel.current()
                nxt = self.relation(table_ref(prev, "r0"), [prev], [], carry=True)
                nxt.in_items = rel.in_items
                if deopt is not None:
                    nxt.deopt.append(deopt)
                join_on: Any = exp.EQ(this=b.col(child_link, "t1"), expression=cur_id)
                # (a row with no child is kept where it says something: a
                # list not given here, or at a stage before, a flag for
                # Python — an inner join would drop it with the row)
                left = (
                    marker_col is not None
                    or deopt is not None
                    or any(st[0] == "rows" for st in open_steps)
                )
                if marker_col is not None:
                    join_on = exp.And(this=join_on, expression=b.truthy(marker_col))
                nxt.join(table_ref(child.name, "t1"), join_on, left=left)
                rel = nxt
                cur_table, cur_alias = child, "t1"
                cur_id = rel.column("t1", child.column("id"))
                if left:
                    present = rel.let(b.and_(present, b.not_null(rel.column("t1", child_link))))
                keys.append(cur_id.name)
                rel.keys = list(keys)
                current = self._row_item(rel, "t1", child)
                continue
            if step.kind == "entity":
                current = attrs.evolve(current, prefix=current.prefix + step.field + ".")
                continue
            stage = Scope(rel, level, {level: current}, outer)
            current = self.field(current, step.field, step.node.field_type, stage, step.node)
        if present is not True:
            member = s.Bool(
                b.and_(member.t, present),
                b.or_(member.f, b.not_(present)),
                b.and_(member.u, present),
            )
        return Items(rel, current, member, env, env_key, outer, level, open_steps)

    def _row_item(self, rel: Relation, alias: str, table: TableInfo) -> Any:
        """The item a row of a table is: an entity, or a plain value."""
        if table.entity is None:
            return self.read_column(rel, alias, table, VALUE_COLUMN, table.item_type)
        return Handle(rel, alias, table, null_item=self.null_flag(rel, alias, table))

    # ----------------------------------------------------- the aggregates

    def aggregate(self, node: ir.Aggregate, sc: Scope) -> Any:
        plan = self.plan(node, node.source, node.level, [node.filter, node.body], sc)
        func = node.func
        phantom_u = b.and_(plan.open, b.or_(node.unknown_item_undefined, plan.ou))

        def keep_body(member: s.Bool, inner: Scope) -> tuple[s.Bool, Any]:
            keep = member
            if node.filter is not None:
                keep = s.logic_and(member, self.ev(node.filter, inner))
            body = None if node.body is None else self.ev(node.body, inner)
            return keep, body

        if func in ("count", "any", "none", "all", "ratio"):
            return self._bool_aggregate(node, plan, keep_body, phantom_u)
        return self._value_aggregate(node, plan, keep_body, phantom_u)

    def _bool_aggregate(self, node: ir.Aggregate, plan: Plan, keep_body: Any, pu: Any) -> Any:
        func = node.func
        no_body = node.body is None

        def hit(member: s.Bool, inner: Scope) -> s.Bool:
            keep, body = keep_body(member, inner)
            if no_body:
                return keep
            both = s.logic_and(keep, body)
            return s.Bool(both.t, b.when(keep.t, both.f, keep.f), b.when(keep.t, both.u, keep.u))

        def ones(flag: Any) -> Any:
            return b.when(flag, 1, 0)

        if func in ("count", "any", "none"):
            hits = plan.per_item(hit)
            if func == "count":
                fatal = plan.sum(lambda h: ones(b.and_(b.not_(h.t), b.not_(h.f))), hits)
                sure = plan.sum(lambda h: ones(b.and_(h.t, b.not_(h.f))), hits)
                possible = plan.sum(lambda h: ones(h.t), hits)
                anyu = plan.sum(lambda h: ones(h.u), hits)
                ok = b.cmp("==", fatal, 0)
                return s.Num(
                    ok,
                    s.Rat(sure),
                    s.Rat(b.when(plan.open, None, possible)) if plan.open is not True else None,
                    b.or_(b.not_(ok), b.cmp(">", anyu, 0), pu),
                )
            t_ = b.or_(plan.open, plan.some(lambda h: h.t, hits))
            f_ = b.not_(plan.some(lambda h: b.not_(h.f), hits))
            u_ = b.and_(
                b.not_(plan.some(lambda h: b.not_(b.or_(h.f, h.u)), hits)),
                b.or_(plan.some(lambda h: h.u, hits), b.and_(plan.open, pu)),
            )
            result = s.Bool(_flagged(t_), _flagged(f_), _flagged(u_))
            return s.logic_not(result) if func == "none" else result
        if func == "all":

            def ok(member: s.Bool, inner: Scope) -> s.Bool:
                keep, body = keep_body(member, inner)
                if no_body:
                    return (
                        s.Bool(True, False, False)
                        if keep.t is True
                        else s.Bool(
                            b.or_(keep.t, keep.f),
                            b.and_(False, keep.t),
                            b.when(keep.t, False, keep.u),
                        )
                    )
                either = s.logic_or(s.logic_not(keep), body)
                return s.Bool(
                    b.when(keep.t, either.t, keep.f),
                    b.when(keep.t, either.f, False),
                    b.when(keep.t, either.u, keep.u),
                )

            oks = plan.per_item(ok)
            f_ = b.or_(plan.open, plan.some(lambda o: o.f, oks))
            t_ = b.not_(plan.some(lambda o: b.not_(o.t), oks))
            u_ = b.and_(
                b.not_(plan.some(lambda o: b.not_(b.or_(o.t, o.u)), oks)),
                b.or_(plan.some(lambda o: o.u, oks), b.and_(plan.open, pu)),
            )
            return s.Bool(_flagged(t_), _flagged(f_), _flagged(u_))
        # ratio

        def parts(member: s.Bool, inner: Scope) -> tuple:
            keep, body = keep_body(member, inner)
            if no_body:
                bt, bf, bu = True, False, False  # (the body is `true` where it is read)
            else:
                bt, bf, bu = body.t, body.f, body.u
            # (the body's flags count only where the item may be kept: every
            # use below is under keep.t, so they are left without it)
            can_in = b.and_(keep.t, b.or_(bt, bf))
            return keep, (bt, bf, bu), can_in

        rows = plan.per_item(parts)

        def count(f: Callable[[tuple], Any]) -> Any:
            return plan.sum(lambda r: ones(f(r)), rows)

        fatal = count(lambda r: b.and_(b.not_(r[2]), b.not_(r[0].f)))
        undef = count(lambda r: b.or_(r[0].u, b.and_(r[0].t, r[1][2])))
        sure = lambda r: b.and_(r[2], b.not_(r[0].f))  # noqa: E731
        maybe = lambda r: b.and_(r[2], r[0].f)  # noqa: E731
        tt = count(lambda r: b.and_(sure(r), r[1][0], b.not_(r[1][1])))
        ff = count(lambda r: b.and_(sure(r), r[1][1], b.not_(r[1][0])))
        uu = count(lambda r: b.and_(sure(r), r[1][0], r[1][1]))
        mt = count(lambda r: b.and_(maybe(r), r[1][0]))
        mf = count(lambda r: b.and_(maybe(r), r[1][1]))
        let = plan.sc.rel.let
        tt, ff, uu, mt, mf = let(tt), let(ff), let(uu), let(mt), let(mf)
        n = let(b.add(b.add(tt, ff), uu))
        undefined = b.or_(b.cmp(">", undef, 0), pu)
        empty = b.coalesce(b.cmp("==", n, 0), False) if not isinstance(n, int) else n == 0
        none_maybe = b.and_(b.cmp("==", mt, 0), b.cmp("==", mf, 0))
        op = plan.open
        defined = b.and_(b.cmp("==", fatal, 0), b.not_(b.and_(b.not_(op), empty, none_maybe)))
        lo_num = b.cases([(op, 0), (empty, b.when(b.cmp(">", mf, 0), 0, 1))], tt)
        lo_den = b.cases([(op, 1), (empty, 1)], b.add(n, mf))
        hi_num = b.cases(
            [(op, 1), (empty, b.when(b.cmp(">", mt, 0), 1, 0))], b.add(b.add(tt, uu), mt)
        )
        hi_den = b.cases([(op, 1), (empty, 1)], b.add(n, mt))
        u = b.or_(
            b.not_(defined), b.cases([(op, b.or_(undefined, empty)), (empty, True)], undefined)
        )
        return s.Num(_flagged(defined), s.Rat(lo_num, lo_den), s.Rat(hi_num, hi_den), _flagged(u))

    def _value_aggregate(self, node: ir.Aggregate, plan: Plan, keep_body: Any, pu: Any) -> Any:
        func = node.func
        dates = node.type == t.DATE

        def parts(member: s.Bool, inner: Scope) -> tuple:
            keep, value = keep_body(member, inner)
            if not dates and not value.integral:
                raise unsupported(
                    node.body,
                    f"`{func}` of a fraction (a value computed with `/`, `ratio`, `avg` "
                    "or a decimal written in the ruleset)",
                )
            has = b.and_(keep.t, value.d)
            fatal = b.and_(b.not_(has), b.not_(keep.f))
            undef = b.or_(keep.u, b.and_(keep.t, value.u))
            sure = b.and_(has, b.not_(keep.f))
            maybe = b.and_(has, keep.f)
            lo = value.lo if dates else (None if value.lo is None else value.lo.num)
            hi = value.hi if dates else (None if value.hi is None else value.hi.num)
            return fatal, undef, sure, maybe, lo, hi

        rows = plan.per_item(parts)

        def ones(flag: Any) -> Any:
            return b.when(flag, 1, 0)

        let = plan.sc.rel.let
        fatal = let(plan.sum(lambda r: ones(r[0]), rows))
        undefined = b.or_(b.cmp(">", plan.sum(lambda r: ones(r[1]), rows), 0), pu)
        n_sure = let(plan.sum(lambda r: ones(r[2]), rows))
        n_maybe = let(plan.sum(lambda r: ones(r[3]), rows))
        op = plan.open
        ok = b.cmp("==", fatal, 0)

        def nulls(which: int, cond: Callable[[tuple], Any]) -> Any:
            return b.cmp(
                ">", plan.sum(lambda r: ones(b.and_(cond(r), b.is_null(r[which]))), rows), 0
            )

        def total(which: int, cond: Callable[[tuple], Any], f: str) -> Any:
            return plan.extreme(f, lambda r: b.when(cond(r), r[which], None), rows)

        sure = lambda r: r[2]  # noqa: E731
        maybe = lambda r: r[3]  # noqa: E731
        either = lambda r: b.or_(r[2], r[3])  # noqa: E731
        if func == "sum":

            def low(r: tuple) -> Any:
                return b.cases([(r[2], r[4]), (r[3], _least0(r[4], "min"))], 0)

            def high(r: tuple) -> Any:
                return b.cases([(r[2], r[5]), (r[3], _least0(r[5], "max"))], 0)

            lo_null = nulls(4, either)
            hi_null = nulls(5, either)
            lo = plan.sum(low, rows)
            hi = plan.sum(high, rows)
            return s.Num(
                _flagged(ok),
                s.Rat(b.cases([(op, None), (lo_null, None)], lo)),
                s.Rat(b.cases([(op, None), (hi_null, None)], hi)),
                _flagged(b.or_(b.not_(ok), undefined)),
            )
        if func == "avg":
            none_at_all = b.and_(b.cmp("==", n_sure, 0), b.cmp("==", n_maybe, 0))
            some_maybe = b.cmp(">", n_maybe, 0)
            lo_all = b.when(nulls(4, either), None, total(4, either, "min"))
            hi_all = b.when(nulls(5, either), None, total(5, either, "max"))
            lo_sum = b.when(nulls(4, sure), None, plan.sum(lambda r: b.when(r[2], r[4], 0), rows))
            hi_sum = b.when(nulls(5, sure), None, plan.sum(lambda r: b.when(r[2], r[5], 0), rows))
            defined = b.and_(ok, b.or_(op, b.not_(none_at_all)))
            lo_num = b.cases([(op, None), (some_maybe, lo_all)], lo_sum)
            hi_num = b.cases([(op, None), (some_maybe, hi_all)], hi_sum)
            den = b.cases([(op, 1), (some_maybe, 1)], b.when(b.cmp("==", n_sure, 0), 1, n_sure))
            u = b.or_(
                b.not_(defined),
                b.cases(
                    [
                        (op, b.or_(b.cmp("==", n_sure, 0), undefined)),
                        (some_maybe, b.or_(undefined, b.cmp("==", n_sure, 0))),
                    ],
                    undefined,
                ),
            )
            return s.Num(_flagged(defined), s.Rat(lo_num, den), s.Rat(hi_num, den), _flagged(u))
        # min, max
        none_at_all = b.and_(b.cmp("==", n_sure, 0), b.cmp("==", n_maybe, 0))
        has_sure = b.cmp(">", n_sure, 0)
        defined = b.and_(ok, b.not_(b.and_(none_at_all, b.not_(op))))
        u = b.or_(b.not_(defined), undefined, b.not_(has_sure))
        if func == "min":
            lo_all = b.when(nulls(4, either), None, total(4, either, "min"))
            low = b.cases([(op, None), (none_at_all, None)], lo_all)
            high_sure = total(5, sure, "min")  # (NULLs skipped: unbounded ones do not lower it)
            hi_maybe = b.when(nulls(5, maybe), None, total(5, maybe, "max"))
            high = b.cases(
                [(has_sure, high_sure), (op, None), (b.cmp("==", n_maybe, 0), None)], hi_maybe
            )
        else:
            hi_all = b.when(nulls(5, either), None, total(5, either, "max"))
            high = b.cases([(op, None), (none_at_all, None)], hi_all)
            low_sure = total(4, sure, "max")
            lo_maybe = b.when(nulls(4, maybe), None, total(4, maybe, "min"))
            low = b.cases(
                [(has_sure, low_sure), (op, None), (b.cmp("==", n_maybe, 0), None)], lo_maybe
            )
        if dates:
            return s.Date(_flagged(defined), low, high, _flagged(u))
        return s.Num(_flagged(defined), s.Rat(low), s.Rat(high), _flagged(u))

    # ----------------------------------------------------- in, single

    def member(self, node: ir.Member, sc: Scope) -> s.Bool:
        """`x in list`: Kleene `or` over the items of `member and x == item`."""
        element = self.materialize(self.ev(node.element, sc), sc.rel)
        level = sc.level + 1
        # (rows compared with a value of this scope are joined to it)
        constant = all(
            not isinstance(p, exp.Expression) or isinstance(p, exp.Cast) for p in _parts(element)
        )
        plan = self.plan(node, node.container, level, [], sc, attach=not constant)

        def hit(member: s.Bool, inner: Scope) -> s.Bool:
            item = inner.bindings[level]
            if isinstance(item, Handle):
                raise unsupported(node, "`in` a list of entities")
            seen = element if constant else plan.outer_value(element, inner)
            return s.logic_and(member, s.compare("==", seen, item))

        hits = plan.per_item(hit)

        def ones(flag: Any) -> Any:
            return b.when(flag, 1, 0)

        pt = element.d
        pf = element.d
        pu = b.or_(b.not_(element.d), element.u)
        op = plan.open
        any_t = plan.some(lambda h: h.t, hits)
        all_f = b.not_(plan.some(lambda h: b.not_(h.f), hits))
        all_fu = b.not_(plan.some(lambda h: b.not_(b.or_(h.f, h.u)), hits))
        any_u = plan.some(lambda h: h.u, hits)
        t_ = b.or_(any_t, b.and_(op, pt))
        f_ = b.and_(all_f, b.or_(b.not_(op), pf))
        u_ = b.and_(all_fu, b.or_(b.not_(op), pf, pu), b.or_(any_u, b.and_(op, pu)))
        return s.Bool(_flagged(t_), _flagged(f_), _flagged(u_))

    def single(self, node: ir.Single, sc: Scope) -> Any:
        level = sc.level + 1
        plan = self.plan(node, node.source, level, [], sc)

        def flags(member: s.Bool, inner: Scope) -> tuple:
            sure = s.exactly_true(member)
            return sure, b.and_(b.not_(sure), member.t), b.and_(b.not_(sure), member.u), inner

        rows = plan.per_item(flags)

        def ones(flag: Any) -> Any:
            return b.when(flag, 1, 0)

        let = sc.rel.let
        n_sure = let(plan.sum(lambda r: ones(r[0]), rows))
        n_maybe = let(plan.sum(lambda r: ones(r[1]), rows))
        undefined = let(
            b.or_(b.and_(plan.open, plan.ou), b.cmp(">", plan.sum(lambda r: ones(r[2]), rows), 0))
        )
        many = (
            b.coalesce(b.cmp(">", n_sure, 1), False) if not isinstance(n_sure, int) else n_sure > 1
        )
        sc.rel.deopt.append(many)  # two rows where one is wanted: the Python reader says which
        decided = let(
            _flagged(
                b.and_(
                    b.cmp("==", n_sure, 1),
                    b.cmp("==", n_maybe, 0),
                    b.not_(plan.open),
                    b.not_(undefined),
                )
            )
        )

        def reader(path: str, type_: t.Type) -> Any:
            def picked(r: tuple) -> Any:
                item = r[3].bindings[level]
                if isinstance(item, Handle):
                    value = (
                        self.field(
                            item, path[len(item.prefix) :] if False else path, type_, r[3], node
                        )
                        if item.reader is None
                        else None
                    )
                    value = self._item_field(item, path, type_, r[3], node)
                else:
                    value = item
                return b.when(r[0], _as_single(value), None)

            got = plan.extreme("max", picked, rows)
            value = _from_single(got, type_, self)
            return _pick(value, decided, undefined)

        entity = isinstance(node.type, t.Entity)
        if entity:
            return Handle(None, None, None, reader=reader)
        return reader("", node.type)

    def _item_field(self, item: Handle, path: str, type_: t.Type, sc: Scope, node: Any) -> Any:
        if item.table is None or item.rel is None:
            return _unknown(type_)
        value = self.read_column(item.rel, item.alias, item.table, item.prefix + path, type_)
        return _obscured(value, item.missing, item.undefined)

    # ----------------------------------------------------------- rulesets

    def ruleset_ref(self, node: ir.RulesetRef, target: Handle, sc: Scope) -> s.Bool:
        """`passes(R)` / `applies(R)` of an item: R's verdict on that table's
        rows, computed once in the same query and joined on the item's id."""
        if self.rulesets is None:
            raise unsupported(node, "`passes` of another ruleset")
        cte, columns = self.rulesets(node.ruleset, target.table, self)
        rel = target.rel
        if rel is not sc.rel and not self._carried(rel, sc):
            raise unsupported(node, "`passes` of an item not joined here")
        id_col = rel.column(target.alias, target.table.column("id"))
        wanted = [columns[k] for k in ("vt", "vf", "vu", "at", "af", "au", "deopt")]
        joined = self.joined.setdefault(id(rel), set())
        if (cte, id_col.name) not in joined:  # (once a relation: its columns are there)
            joined.add((cte, id_col.name))
            alias = self.q.fresh("j")
            on = exp.EQ(this=id_col, expression=b.col(columns["id"], alias))
            rel.join_table(cte, alias, on, wanted)
            rel.deopt.append(b.truthy(b.col(columns["deopt"])))
        vt, vf, vu, at, af, au, _ = (b.col(w) for w in wanted)
        null = target.null_item
        if node.kind == "passes":
            value = s.Bool(b.truthy(vt), b.truthy(vf), b.truthy(vu))
        else:
            value = s.Bool(b.truthy(at), b.truthy(af), b.truthy(au))
        if null is not False:
            value = s.Bool(
                b.or_(value.t, null), b.or_(value.f, null), b.and_(value.u, b.not_(null))
            )
        return value


class Plan:
    """The items of one aggregate: rows of tables (grouped) and values (unrolled)."""

    def __init__(
        self,
        c: Compiler,
        sc: Scope,
        level: int,
        rows: list[Items],
        consts: list[ConstItems],
        group: Group | None,
        branch_open: list[tuple[Any, list]],
    ) -> None:
        self.c = c
        self.sc = sc
        self.level = level
        self.rows = rows
        self.consts = consts
        self.group = group
        self.outer_values: dict[int, Any] = {}
        opens, ous = [], []
        row_index = 0
        for root_open, steps in branch_open:
            if root_open is True and not steps:
                opens.append(True)
                continue
            index = row_index
            row_index += 1
            op: Any = root_open
            ou: Any = False
            for step in steps:
                if step[0] == "filter":
                    ou = b.or_(ou, op)
                else:
                    e_open = self._branch_sum(index, step[1])
                    e_ou = self._branch_sum(index, step[2])
                    op = b.or_(op, b.cmp(">", e_open, 0))
                    ou = b.or_(ou, b.cmp(">", e_ou, 0))
            opens.append(op)
            ous.append(ou)
        self.open = sc.rel.let(_flagged(b.or_(*opens)))
        self.ou = sc.rel.let(_flagged(b.or_(*ous)))

    def _branch_sum(self, index: int, expr: Any) -> Any:
        assert self.group is not None
        per = [expr if i == index else 0 for i in range(len(self.rows))]
        return b.coalesce(self.group.acc("sum", per), 0)

    def attach_value(self, value: Any) -> None:
        """A value of the enclosing scope that attached rows read (`x in list`)."""

    def outer_value(self, value: Any, inner: Scope) -> Any:
        if inner.rel is self.sc.rel:
            return value
        if inner.outer is None or not self.c._carried(self.sc.rel, inner):
            raise unsupported(None, "`in` a list of rows with a value read here")
        return value

    def per_item(self, f: Callable[[s.Bool, Scope], Any]) -> list:
        """f(member, scope) for each branch of rows, and each unrolled item."""
        out = []
        for items in self.rows:
            out.append(("rows", f(items.member, items.scope())))
        for const in self.consts:
            for value, member in zip(const.values, const.members, strict=True):
                out.append(("const", f(member, self.sc.child(self.level, value))))
        return out

    def sum(self, g: Callable[[Any], Any], per: list) -> Any:
        """Σ over every item of g(item's parts) (an int expression)."""
        row_exprs = [g(p) for kind, p in per if kind == "rows"]
        total: Any = 0
        if (
            row_exprs
            and self.group is not None
            and not all(isinstance(e, int) and e == 0 for e in row_exprs)
        ):
            total = b.coalesce(self.group.acc("sum", row_exprs), 0)
        for kind, p in per:
            if kind == "const":
                total = b.add(total, g(p))
        return total

    def some(self, g: Callable[[Any], Any], per: list) -> Any:
        """Whether g(item's parts), a flag, holds for some item (written
        items: an OR, not a count)."""
        row_flags = [g(p) for kind, p in per if kind == "rows"]
        found: Any = False
        if row_flags and self.group is not None and not all(f is False for f in row_flags):
            count = self.group.acc("sum", [b.when(f, 1, 0) for f in row_flags])
            found = b.cmp(">", b.coalesce(count, 0), 0)
        return b.or_(found, *[g(p) for kind, p in per if kind == "const"])

    def extreme(self, f: str, g: Callable[[Any], Any], per: list) -> Any:
        """MIN or MAX over every item of g(…) (NULLs skipped; NULL if none)."""
        row_exprs = [g(p) for kind, p in per if kind == "rows"]
        best: Any = None
        if row_exprs and self.group is not None and not all(e is None for e in row_exprs):
            best = self.group.acc(
                f, [b.sql(e) if e is not None else _typed_null(row_exprs) for e in row_exprs]
            )
        for kind, p in per:
            if kind == "const":
                best = _pick_extreme(f, best, g(p))
        return best


def _one_if(term: Any) -> Any:
    """The flag of a term that is 1 where the flag holds and 0 elsewhere."""
    if isinstance(term, bool):
        return None
    if isinstance(term, int):
        return {0: False, 1: True}.get(term)
    if (
        isinstance(term, exp.Case)
        and len(term.args["ifs"]) == 1
        and term.args["ifs"][0].args["true"] == exp.Literal.number(1)
        and term.args.get("default") == exp.Literal.number(0)
    ):
        return term.args["ifs"][0].this
    return None


def _typed_null(exprs: list) -> exp.Expression:
    return exp.null()


def _pick_extreme(f: str, a: Any, c: Any) -> Any:
    if a is None:
        return c
    if c is None:
        return a
    op = "<=" if f == "min" else ">="
    first = b.cmp(op, a, c)
    return b.cases([(b.is_null(a), c), (b.is_null(c), a), (b.truthy(first), a)], c)


def _least0(term: Any, f: str) -> Any:
    """min(0, term) or max(0, term), NULL staying NULL (`values.hull(0, x)`)."""
    if term is None:
        return None
    op = "<" if f == "min" else ">"
    return b.when(b.coalesce(b.cmp(op, term, 0), False), term, b.when(b.is_null(term), None, 0))


def _flagged(flag: Any) -> Any:
    return flag


def _as_single(value: Any) -> Any:
    """The one SQL term a `single` carries up through MAX (a bool as 0/1)."""
    if isinstance(value, s.Bool):
        return b.cases([(s.exactly_true(value), 1), (s.exactly_false(value), 0)], None)
    if isinstance(value, s.Num):
        if not value.point or value.lo is None or not value.lo.integral:
            raise unsupported(None, "`single` of a computed number")
        return value.lo.num
    if isinstance(value, s.Date):
        return value.lo if value.point else None
    if isinstance(value, s.Text):
        return value.v
    raise unsupported(None, "`single` of this value")


def _from_single(term: Any, type_: t.Type, c: Compiler) -> Any:
    if type_ == t.BOOL:
        if term is None:
            return s.UNKNOWN_BOOL
        return s.Bool(
            b.coalesce(b.cmp("==", term, 1), True) if True else None,
            b.coalesce(b.cmp("==", term, 0), True),
            False,
        )
    if t.is_number(type_):
        return s.Num(True, s.Rat(term), s.Rat(term), False, True)
    if type_ == t.DATE:
        return s.Date(True, term, term, False, True)
    return s.Text(True, term, False)


def _pick(value: Any, decided: Any, undefined: Any) -> Any:
    """The picked item's value where `single` decides, else not known (and
    undefined too where a membership may be)."""
    hidden = b.not_(decided)
    return _obscured(value, hidden, b.and_(hidden, undefined))


def _shape(br: Any) -> tuple:
    if isinstance(br, ConstList):
        return ("const", id(br))
    return (
        br.root.level,
        tuple((st.kind, st.field, id(st.node) if st.kind == "filter" else None) for st in br.steps),
    )


@attrs.define(eq=False)
class Items:
    """The rows of one branch of a list, each an item whose membership is
    `member`, in relation `rel`."""

    rel: Relation
    item: Any  # Handle or symbolic value: what Var(level) is
    member: s.Bool
    env: Any  # detached: the link column (the enclosing row's id) in rel
    env_key: Any  # detached: the enclosing row's id in the enclosing relation
    outer: Scope | None
    level: int
    open_steps: list

    def scope(self) -> Scope:
        return Scope(self.rel, self.level, {self.level: self.item}, self.outer)


@attrs.frozen
class ConstItems:
    values: list
    members: list


def _extend(br: Any, step: Step) -> Any:
    return attrs.evolve(br, steps=(*br.steps, step))


def _item_type(value: Any) -> t.Type:
    if isinstance(value, bool):
        return t.BOOL
    if isinstance(value, (int, Fraction)):
        return t.DECIMAL
    if isinstance(value, datetime.date):
        return t.DATE
    if value is None or isinstance(value, v.Range) or value is v.UNDEFINED:
        raise unsupported(None, "a partly known list written in the ruleset")
    return t.TEXT


def _unknown(type_: t.Type) -> Any:
    if type_ == t.BOOL:
        return s.UNKNOWN_BOOL
    if t.is_number(type_):
        return s.Num(True, None, None, False)
    if type_ == t.DATE:
        return s.Date(True, None, None, False)
    if type_ == t.PERIOD:
        return s.Per(True, None, None, False)
    return s.Text(True, None, False)


def _obscured(value: Any, missing: Any, undefined: Any) -> Any:
    """A field of an entity that is missing (not known) or may not exist."""
    if missing is False and undefined is False:
        return value
    hidden = b.or_(missing, undefined)
    if isinstance(value, s.Bool):
        return s.Bool(b.or_(value.t, hidden), b.or_(value.f, hidden), b.or_(value.u, undefined))
    if isinstance(value, s.Num):
        lo = None if value.lo is None else s.Rat(b.when(hidden, None, value.lo.num), value.lo.den)
        hi = None if value.hi is None else s.Rat(b.when(hidden, None, value.hi.num), value.hi.den)
        return s.Num(b.or_(value.d, hidden), lo, hi, b.or_(value.u, undefined), value.point)
    if isinstance(value, s.Date):
        lo = None if value.lo is None else b.when(hidden, None, value.lo)
        return s.Date(b.or_(value.d, hidden), lo, lo, b.or_(value.u, undefined), True)
    if isinstance(value, s.Text):
        return s.Text(
            b.or_(value.d, hidden),
            None if value.v is None else b.when(hidden, None, value.v),
            b.or_(value.u, undefined),
        )
    return value


def _nullable_test(value: s.Bool) -> exp.Expression | None:
    """P when a bool is (COALESCE(P, TRUE), NOT COALESCE(P, FALSE), never
    undefined): a SQL test whose NULL means not known (a comparison with a
    column, `kind in [...]`) — true, false or unknown, like a BOOLEAN column."""
    if value.u is not False or not isinstance(value.t, exp.Coalesce):
        return None
    negated = value.f
    while isinstance(negated, exp.Paren):
        negated = negated.this
    if not isinstance(negated, exp.Not):
        return None
    inner = negated.this
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if not isinstance(inner, exp.Coalesce):
        return None
    t_test, t_default = _coalesced(value.t)
    f_test, f_default = _coalesced(inner)
    if t_test is None or t_default is not True or f_default is not False or t_test != f_test:
        return None
    return t_test


def _coalesced(e: exp.Coalesce) -> tuple[exp.Expression | None, bool | None]:
    """(P, d) of COALESCE(P, d) with d a boolean literal."""
    if len(e.expressions) != 1 or not isinstance(e.expressions[0], exp.Boolean):
        return None, None
    return e.this, bool(e.expressions[0].this)


def _no_data(node: ir.Node) -> tuple[Any, ...]:
    """An environment for a subtree that reads no data: an item of its own
    aggregates binds at their level (`sum(lim)` inside `all(nums, …)` at 2),
    so the levels below are placeholders."""
    bound = [n.level for n in ir.walk(node) if isinstance(n, (ir.Aggregate, ir.Filter))]
    return (interpret.Obj(None, ""),) * max([1, *bound])


def _column_bool(column: exp.Expression) -> s.Bool:
    """The bool a nullable BOOLEAN column holds (NULL: not known)."""
    return s.Bool(
        b.not_(exp.Is(this=column, expression=exp.false())),
        b.not_(exp.Is(this=column.copy(), expression=exp.true())),
        False,
    )


def _parts(value: Any) -> list[Any]:
    if isinstance(value, s.Bool):
        return [value.t, value.f, value.u]
    if isinstance(value, s.Num):
        out = [value.d, value.u]
        for r in (value.lo, value.hi):
            if r is not None:
                out += [r.num, r.den]
        return out
    if isinstance(value, s.Date):
        return [value.d, value.lo, value.hi, value.u]
    if isinstance(value, s.Text):
        return [value.d, value.v, value.u]
    if isinstance(value, s.Per):
        return [value.d, value.start, value.end, value.u]
    return []


class Group:
    """A GROUP BY over the rows of one or more branches, joined back to the
    enclosing relation; accumulators are added as aggregates need them."""

    def __init__(self, c: Compiler, sc: Scope, rows: list[Items], attached: bool) -> None:
        self.c = c
        self.sc = sc
        self.rows = rows
        self.attached = attached
        self.name = c.q.fresh("g")
        self.env_keys = list(sc.rel.keys) if attached else None
        self.keys = [c.q.fresh("k") for _ in (self.env_keys if attached else [0])]
        self.accs: list[tuple[str, str, list[Any]]] = []  # (name, func, per-branch exprs)
        self.deopt_name = c.q.fresh("a")
        c.q.groups.append(self)
        if attached:
            on = [(b.col(k), gk) for k, gk in zip(self.env_keys, self.keys, strict=True)]
        else:
            on = [(rows[0].env_key, self.keys[0])]
        # (attached rows are made from the relation as it stands: joined after that)
        self.slot = sc.rel.join_group(self.name, on, sc.rel.slot() if attached else 0)
        for name in (*self.keys, self.deopt_name):
            sc.rel.provide(name, self.slot)
        sc.rel.deopt.append(b.coalesce(b.cmp(">", b.col(self.deopt_name), 0), False))

    def acc(self, func: str, per_branch: list[Any]) -> exp.Expression:
        """An accumulator: SUM, MIN or MAX over the rows of each branch (a sum
        of 0 or 1 a row is a COUNT(*) FILTER of the flag: cheaper)."""
        if func == "sum":
            flags = [_one_if(e) for e in per_branch]
            if all(f is not None for f in flags):
                func, per_branch = "count", flags
        for name, f, exprs in self.accs:
            if f == func and all(b._same(x, y) for x, y in zip(exprs, per_branch, strict=True)):
                return b.col(name)
        name = self.c.q.fresh("a")
        self.accs.append((name, func, per_branch))
        self.sc.rel.provide(name, self.slot)
        return b.col(name)

    def render(self) -> None:
        deopts = [b.or_(*items.rel.deopt) if items.rel.deopt else False for items in self.rows]
        deopt = b.or_(*deopts) is not False
        accs = list(self.accs)
        if deopt:
            accs.append((self.deopt_name, "count", deopts))
        selects: list[tuple[list[exp.Expression], exp.Expression]] = []
        deps = []
        single = len(self.rows) == 1
        for index, items in enumerate(self.rows):
            source = items.rel.render()
            deps.append(source)
            keys = [b.col(k) for k in self.env_keys] if self.attached else [items.env]
            cols: list[exp.Expression] = [
                b.named(k, gk) for k, gk in zip(keys, self.keys, strict=True)
            ]
            if not single:
                cols += [b.named(b.sql(exprs[index]), name) for name, _, exprs in accs]
            selects.append((cols, table_ref(source, "x")))

        def aggregate(func: str, term: exp.Expression) -> exp.Expression:
            if func == "count":
                if isinstance(term, exp.Boolean) and term.this:
                    return exp.Count(this=exp.Star())
                return exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=term))
            return {"sum": exp.Sum, "min": exp.Min, "max": exp.Max}[func](this=term)

        zero = [] if deopt else [b.named(b.sql(0), self.deopt_name)]
        if single:
            # one branch: aggregated straight from its rows
            cols, source = selects[0]
            aggs = [b.named(aggregate(func, b.sql(exprs[0])), name) for name, func, exprs in accs]
            group_keys = [b.col(k) for k in self.env_keys] if self.attached else [items.env]
            out = b.select([*cols, *aggs, *zero], source, group=group_keys)
            from_deps = deps
        else:
            union: exp.Expression = b.select(*selects[0])
            for cols, source in selects[1:]:
                union = exp.Union(this=union, expression=b.select(cols, source), distinct=False)
            inner = self.name + "_u"
            self.c.q.add_cte(inner, union, deps)
            aggs = [b.named(aggregate(func, b.col(name)), name) for name, func, _ in accs]
            out = b.select(
                [*[b.col(k) for k in self.keys], *aggs, *zero],
                table_ref(inner, "u"),
                group=[b.col(k) for k in self.keys],
            )
            from_deps = [inner]
        self.c.q.add_cte(self.name, out, from_deps)
