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


class Query:
    """What the whole query shares: fresh names, bound parameters, the CTEs."""

    def __init__(self) -> None:
        self._counter = itertools.count(1)
        self.params: dict[str, Any] = {}
        self._bound: dict[tuple, str] = {}
        self.ctes: dict[str, tuple[exp.Select, list[str]]] = {}  # name -> (select, deps)
        self.order: list[str] = []
        self.relations: list[Any] = []
        self.groups: list[Any] = []

    def fresh(self, prefix: str = "c") -> str:
        return f"{prefix}{next(self._counter)}"

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

    def add_cte(self, name: str, select: exp.Select, deps: list[str]) -> None:
        self.ctes[name] = (select, deps)
        self.order.append(name)

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
        out = final
        for name in ordered:
            out = out.with_(
                exp.to_identifier(name, quoted=True), as_=self.ctes[name][0].copy(), copy=False
            )
        return out


def table_ref(name: str, alias: str) -> exp.Table:
    return exp.Table(
        this=exp.to_identifier(name, quoted=True),
        alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)),
    )


class Relation:
    """A row set built in layers (see the module's docstring)."""

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
        self.layers: list[tuple[str, Any]] = []  # ("let", [(name, expr)]) | ("join", ...)
        self.pending: list[tuple[str, exp.Expression]] = []
        self.pending_names: set[str] = set()
        self.count = 0  # layers created so far (CTE names)
        self.rendered = False

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

    def let(self, expr: Any) -> Any:
        """`expr` as a column of the relation (constants and names stay as they are)."""
        if not isinstance(expr, exp.Expression) or isinstance(
            expr, (exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Placeholder)
        ):
            return expr
        if isinstance(expr, exp.Cast) and isinstance(expr.this, exp.Placeholder):
            return expr
        used = {c.name for c in expr.find_all(exp.Column)}
        if used & self.pending_names:
            self.flush()
        name = self.q.fresh("v")
        self.pending.append((name, expr))
        self.pending_names.add(name)
        return b.col(name)

    def flush(self) -> None:
        if self.pending:
            self.layers.append(("let", self.pending))
            self.pending = []
            self.pending_names = set()

    def join_group(self, group: str, on: list[tuple[exp.Expression, str]]) -> None:
        """LEFT JOIN a grouped relation on (our expression, its key column)."""
        self.flush()
        self.layers.append(("join", (group, on)))

    def join_table(self, cte: str, alias: str, on: exp.Expression, columns: list[str]) -> None:
        self.flush()
        self.layers.append(("join_cols", (cte, alias, on, columns)))

    def current(self) -> str:
        """The name of the relation as it stands now (its last layer)."""
        self.flush()
        return self._name(len(self.layers))

    def _name(self, index: int) -> str:
        return f"{self.prefix}_{index}"

    # ------------------------------------------------------------- render

    def render(self) -> str:
        """Add this relation's CTEs to the query; the last one's name."""
        self.flush()
        if self.rendered:
            return self._name(len(self.layers))
        self.rendered = True
        select = exp.Select()
        if self.carry:
            select = select.select(exp.Column(this=exp.Star(), table=exp.to_identifier("r0")))
        select = select.select(*[e.as_(exp.to_identifier(n, quoted=True)) for n, e in self.base])
        select = select.from_(self.source)
        for j in self.joins:
            select = select.join(j)
        if self.where:
            select = select.where(b.and_(*self.where))
        self.q.add_cte(self._name(0), select, list(self.source_deps))
        for index, (kind, payload) in enumerate(self.layers, start=1):
            prev = self._name(index - 1)
            star = exp.Column(this=exp.Star(), table=exp.to_identifier("r"))
            layer = exp.Select().select(star).from_(table_ref(prev, "r"))
            deps = [prev]
            if kind == "let":
                layer = layer.select(
                    *[e.as_(exp.to_identifier(n, quoted=True)) for n, e in payload]
                )
            elif kind == "join":
                group, on = payload
                conds = [
                    exp.EQ(this=b.wrap(ours), expression=b.col(theirs, "g")) for ours, theirs in on
                ]
                layer = layer.select(exp.Column(this=exp.Star(), table=exp.to_identifier("g")))
                layer = layer.join(
                    exp.Join(this=table_ref(group, "g"), on=b.and_(*conds), side="LEFT")
                )
                deps.append(group)
            else:
                cte, alias, on, columns = payload
                layer = layer.select(*[b.col(c, alias) for c in columns])
                layer = layer.join(exp.Join(this=table_ref(cte, alias), on=on, side="LEFT"))
                deps.append(cte)
            self.q.add_cte(self._name(index), layer, deps)
        return self._name(len(self.layers))


def deps_of(select: exp.Expression, known: set[str]) -> list[str]:
    return [t.name for t in select.find_all(exp.Table) if t.name in known]
