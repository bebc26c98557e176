"""The relations a query is built of, as a chain of common table expressions.

A `Relation` is a row set under construction: a base (a table, or a parent
relation joined with tables), then layers, each a CTE selecting everything
of the previous one plus new columns — computed ones (`let`) or the results
of a grouped relation joined on (`join`). Every column a relation adds gets
a fresh name unique in the query, so expressions refer to columns by name
alone and stay valid in every later layer. Nothing is printed until the end
(`Query.render`), so a base may still gain raw columns after later layers
exist.
"""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from sqlglot import exp

from . import build as b
from .prune import prune


class Query:
    """What the whole query shares: fresh names, bound parameters, the CTEs."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.params: dict[str, Any] = {}
        self._bound: dict[tuple, str] = {}
        self.ctes: dict[str, tuple[exp.Select, list[str]]] = {}  # name -> (select, deps)
        self.order: list[str] = []
        self.materialized: set[str] = set()  # CTEs computed once, not inlined
        self.relations: list[Any] = []
        self.groups: list[Any] = []

    def fresh(self, prefix: str = "c") -> str:
        """A name unique in the query. It holds `$`, which no name from a
        ruleset (a word: letters, digits, `_`), a layout table or a result
        column has, so no engine can take one for the other, whatever its
        rules of case."""
        return f"{prefix}${next(self._counter)}"

    def bind(self, value: Any) -> exp.Expression:
        """A value bound as a parameter (never written into the text), cast to
        its type so that every engine knows it."""
        key = (type(value).__name__, value)
        name = self._bound.get(key)
        if name is None:
            name = self._bound[key] = f"p{len(self._bound)}"
            self.params[name] = value
        placeholder = exp.Placeholder(this=name)
        if isinstance(value, bool):
            kind = "BOOLEAN"
        elif isinstance(value, datetime.date):
            kind = "DATE"
        elif isinstance(value, int):
            kind = "BIGINT"
        else:
            kind = "VARCHAR"
        return exp.Cast(this=placeholder, to=exp.DataType.build(kind))

    def add_cte(
        self, name: str, select: exp.Select, deps: list[str], materialized: bool = False
    ) -> None:
        self.ctes[name] = (select, deps)
        self.order.append(name)
        if materialized:
            self.materialized.add(name)

    def render(self, final: exp.Select, deps: list[str]) -> exp.Select:
        """The final select with every CTE it needs, dependencies first."""
        for rel in self.relations:
            rel.render()
        for group in self.groups:
            group.render()
        seen: set[str] = set()
        ordered: list[str] = []
        stack: list[tuple[str, bool]] = [(d, False) for d in reversed(deps)]
        while stack:
            name, done = stack.pop()
            if done:
                if name not in seen:
                    seen.add(name)
                    ordered.append(name)
                continue
            if name in seen:
                continue
            stack.append((name, True))
            for dep in reversed(self.ctes[name][1]):
                if dep not in seen:
                    stack.append((dep, False))
        # (narrowed in place, not copied: a query is rendered once, and copying
        # a large ruleset's CTEs took a tenth of its compile time)
        ctes = [(name, self.ctes[name][0]) for name in ordered]
        prune(ctes, final)
        out = final
        for name, select in ctes:
            once = True if name in self.materialized else None
            out = out.with_(
                exp.to_identifier(name, quoted=True), as_=select, materialized=once, copy=False
            )
        return out


def table_ref(name: str, alias: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(name, quoted=True),
        alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
    )


class Relation:
    """A row set built in layers (see the module's docstring).

    Layers are *slots*: 0 is the base, odd slots join grouped relations or
    CTEs, even ones add computed columns. A column goes to the first slot of
    its kind after every column it reads (as soon as possible), so columns
    that do not depend on each other share one layer and joins that read
    only the base share one: the chain stays as shallow as the dependencies
    allow, whatever order the compiler asks in."""

    def __init__(
        self,
        q: Query,
        source: exp.Expression,
        source_deps: list[str],
        keys: list[tuple[str, exp.Expression]],
        carry: bool = False,
    ) -> None:
        self.q = q
        self.prefix = q.fresh("r")
        self.source = source  # FROM (aliased)
        self.source_deps = list(source_deps)
        self.joins: list[exp.Join] = []
        self.where: list[exp.Expression] = []
        # base select: (name, expression); `carry` selects the source's * first
        self.base: list[tuple[str, exp.Expression]] = list(keys)
        self.keys = [name for name, _ in keys]
        self.carry = carry
        self.raw: dict[tuple[str, str], str] = {}
        # slot -> columns [(name, expr)] (even slots) or joins (odd slots)
        self.lets: dict[int, list[tuple[str, exp.Expression]]] = {}
        self.joined: dict[int, list[tuple[str, Any]]] = {}
        self.origin: dict[str, int] = {}  # column -> the slot that makes it (absent: 0)
        self.rendered = False
        # Rows of an item's scope (an aggregate inside `any(areas, …)`): their
        # layers are computed once each. Inlined into each other, DuckDB's
        # planner multiplied them out — exact division there ran out of memory.
        self.in_items = False

    # ---------------------------------------------------------------- base

    def column(self, alias: str, column: str) -> exp.Column:
        """A raw column of a base table, selected into the relation."""
        key = (alias, column)
        name = self.raw.get(key)
        if name is None:
            name = self.raw[key] = self.q.fresh("c")
            self.base.append((name, b.col(column, alias)))
        return b.col(name)

    def join(self, table: exp.Expression, on: exp.Expression, left: bool = False) -> None:
        self.joins.append(exp.Join(this=table, on=on, side="LEFT" if left else None))

    # -------------------------------------------------------------- layers

    def _after(self, expr: Any, odd: bool, floor: int = 0) -> int:
        """The first slot of a kind after every column `expr` reads (and `floor`)."""
        last = floor
        if isinstance(expr, exp.Expression):
            for c in expr.find_all(exp.Column):
                last = max(last, self.origin.get(c.name, 0))
        slot = last + 1
        if (slot % 2 == 1) != odd:
            slot += 1
        return slot

    def let(self, expr: Any) -> Any:
        """`expr` as a column of the relation (constants and names stay as they are)."""
        if not isinstance(expr, exp.Expression) or isinstance(
            expr, (exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Placeholder)
        ):
            return expr
        if isinstance(expr, exp.Cast) and isinstance(expr.this, exp.Placeholder):
            return expr
        return self.named(expr)

    def named(self, term: Any) -> exp.Column:
        """`term` (a constant too) as a new column of the relation."""
        expr = b.sql(term)
        name = self.q.fresh("v")
        slot = self._after(expr, odd=False)
        self.lets.setdefault(slot, []).append((name, expr))
        self.origin[name] = slot
        return b.col(name)

    def join_group(self, group: str, on: list[tuple[exp.Expression, str]], floor: int) -> int:
        """LEFT JOIN a grouped relation on (our expression, its key column);
        `floor`: the slot it is made from (it joins after). Its slot."""
        slot = self._after(exp.Tuple(expressions=[o for o, _ in on]), odd=True, floor=floor)
        self.joined.setdefault(slot, []).append(("join", (group, on)))
        return slot

    def join_table(self, cte: str, alias: str, on: exp.Expression, columns: list[str]) -> None:
        slot = self._after(on, odd=True)
        self.joined.setdefault(slot, []).append(("join_cols", (cte, alias, on, columns)))
        for c in columns:
            self.origin[c] = slot

    def provide(self, name: str, slot: int) -> None:
        """A column a join at `slot` brings (a group's accumulator)."""
        self.origin[name] = slot

    def slot(self) -> int:
        """The last slot with anything in it (0: the base)."""
        return max([0, *self.lets, *self.joined])

    def current(self) -> str:
        """The name of the relation as it stands now (every column so far)."""
        return self._name(self.slot())

    def _name(self, index: int) -> str:
        return f"{self.prefix}_{index}"

    # ------------------------------------------------------------- render

    def render(self) -> str:
        """Add this relation's CTEs to the query; the last one's name."""
        last = self.slot()
        if self.rendered:
            return self._name(last)
        self.rendered = True
        items: list[exp.Expression] = []
        if self.carry:
            items.append(exp.Column(this=exp.Star(), table=exp.to_identifier("r0")))
        items += [b.named(e, n) for n, e in self.base]
        where = b.and_(*self.where) if self.where else None
        select = b.select(items, self.source, list(self.joins), where)
        self.q.add_cte(self._name(0), select, list(self.source_deps), self.in_items)
        prev = self._name(0)
        for index in sorted({*self.lets, *self.joined}):
            items = [exp.Column(this=exp.Star(), table=exp.to_identifier("r"))]
            joins: list[exp.Join] = []
            deps = [prev]
            items += [b.named(e, n) for n, e in self.lets.get(index, [])]
            for kind, payload in self.joined.get(index, []):
                if kind == "join":
                    group, on = payload
                    conds = [
                        exp.EQ(this=b.wrap(ours), expression=b.col(theirs, group))
                        for ours, theirs in on
                    ]
                    items.append(
                        exp.Column(this=exp.Star(), table=exp.to_identifier(group, quoted=True))
                    )
                    joins.append(
                        exp.Join(this=table_ref(group, group), on=b.and_(*conds), side="LEFT")
                    )
                    deps.append(group)
                else:
                    cte, alias, on, columns = payload
                    items += [b.col(c, alias) for c in columns]
                    joins.append(exp.Join(this=table_ref(cte, alias), on=on, side="LEFT"))
                    deps.append(cte)
            layer = b.select(items, table_ref(prev, "r"), joins)
            self.q.add_cte(self._name(index), layer, deps, self.in_items)
            prev = self._name(index)
        return prev


def deps_of(select: exp.Expression, known: set[str]) -> list[str]:
    return [t.name for t in select.find_all(exp.Table) if t.name in known]
