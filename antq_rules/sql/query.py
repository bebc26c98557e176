"""Whole queries: a ruleset (or one expression, for tests) over a layout,
printed for a dialect with its bound parameters; and the result rows read
back as the values of `values`."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
from sqlglot import exp

from .. import ir
from .. import values as v
from ..errors import AntqError, Diagnostic
from . import build as b
from . import symbolic as s
from .compile import Compiler, Scope, unsupported
from .layout import Layout, TableInfo
from .relation import Query, table_ref
from .rules import WORDS, RulesetSql, compile_ruleset, label_columns, words

DIALECTS = ("duckdb", "postgres", "spark")


@attrs.frozen
class Output:
    """How a value is spread over result columns: its kind and column names."""

    kind: str  # bool | flags | num | date | text | period
    columns: tuple[str, ...]


@attrs.frozen
class SqlQuery:
    """A compiled query: the sqlglot tree, the parameters bound to it, and
    what each result column means."""

    tree: exp.Select
    params: dict[str, Any]
    outputs: dict[str, Any]

    def sql(self, dialect: str = "duckdb", pretty: bool = False) -> str:
        return render(self.tree, dialect, pretty)


def render(tree: exp.Expression, dialect: str, pretty: bool = False, copy: bool = True) -> str:
    """The SQL text of a query tree. `copy=False` for a tree used once: sqlglot
    copies the whole tree before generating otherwise (a tenth of a second
    for a large ruleset's query)."""
    if dialect not in DIALECTS:
        raise AntqError(Diagnostic("sql-dialect", {"name": dialect, "known": ", ".join(DIALECTS)}))
    if dialect == "postgres":
        # each CTE planned on its own: inlined, a query of a hundred CTEs
        # takes PostgreSQL's planner minutes
        tree = tree.copy() if copy else tree
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", True)
        copy = False
    elif dialect == "spark":  # (Spark SQL has no MATERIALIZED: it plans CTEs its way)
        tree = tree.copy() if copy else tree
        for cte in tree.find_all(exp.CTE):
            cte.set("materialized", None)
        copy = False
    text = tree.sql(dialect=dialect, pretty=pretty, copy=copy)
    if dialect == "postgres":
        # psycopg reads `%` as a parameter mark: the text has none of its own
        # (all text is bound), but a quoted name could hold one.
        text = text.replace("%(", "\x00").replace("%", "%%").replace("\x00", "%(")
    return text


# ----------------------------------------------------------------- values


def spread(value: Any, rel: Any, name: str, out: list[tuple[str, Any]]) -> Output:
    """Result columns for a value (named from `name`)."""

    def put(suffix: str, term: Any) -> str:
        column = f"{name}{suffix}"
        out.append((column, term))
        return column

    if isinstance(value, s.Bool):
        return Output("bool", (put("_t", value.t), put("_f", value.f), put("_u", value.u)))
    if isinstance(value, s.Num):
        cols = [put("_d", value.d), put("_u", value.u)]
        for side, r in (("lo", value.lo), ("hi", value.hi)):
            cols.append(put(f"_{side}", None if r is None else r.num))
            cols.append(put(f"_{side}d", 1 if r is None else r.den))
        return Output("num", tuple(cols))
    if isinstance(value, s.Date):
        return Output(
            "date",
            (put("_d", value.d), put("_u", value.u), put("_lo", value.lo), put("_hi", value.hi)),
        )
    if isinstance(value, s.Text):
        return Output("text", (put("_d", value.d), put("_u", value.u), put("_v", value.v)))
    if isinstance(value, s.Per):
        return Output(
            "period",
            (put("_d", value.d), put("_u", value.u), put("_s", value.start), put("_e", value.end)),
        )
    raise unsupported(None, "a value of this kind as a result")


# A compact status column: the status code (PASS 0, FAIL 1, UNKNOWN 2, NA 3)
# plus the flags of the criterion's value above it (4 can be true, 8 can be
# false, 16 can be undefined).
_T, _F, _U = 4, 8, 16


def status_and_flags(status: Any, value: s.Bool | None) -> Any:
    """A criterion's status and its value's flags as one integer."""
    if value is None:
        return status
    flags = b.add(b.add(b.when(value.t, _T, 0), b.when(value.f, _F, 0)), b.when(value.u, _U, 0))
    return b.add(status, flags)


def status_code(packed: int) -> int:
    """The status code of a compact status column's value."""
    return packed & 3


def _num(x: Any) -> Any:
    if x is None:
        return None
    if isinstance(x, Decimal):
        return Fraction(x)
    if isinstance(x, float):  # (never expected: every number here is exact)
        raise AssertionError("a float in a result")
    return Fraction(x) if not isinstance(x, int) else x


def _ratio(num: Any, den: Any) -> Any:
    n = _num(num)
    if n is None:
        return None
    value = Fraction(n) / _num(den)
    return value.numerator if value.denominator == 1 else value


def _date(x: Any) -> Any:
    if isinstance(x, datetime.datetime):
        return x.date()
    return x


def decode(output: Output, row: dict[str, Any]) -> Any:
    """A value of `values` from its result columns."""
    get = [row[c] for c in output.columns]
    if output.kind == "bool":
        return v.from_flags(bool(get[0]), bool(get[1]), bool(get[2]))
    if output.kind == "flags":  # (a compact status column)
        bits = int(get[0])
        return v.from_flags(bool(bits & _T), bool(bits & _F), bool(bits & _U))
    defined, undefined = bool(get[0]), bool(get[1])
    if output.kind == "num":
        if not defined:  # (its bounds are not looked at: a ratio may be n / 0)
            return v.compose(False, None, None, undefined)
        return v.compose(defined, _ratio(get[2], get[3]), _ratio(get[4], get[5]), undefined)
    if output.kind == "date":
        return v.compose(defined, _date(get[2]), _date(get[3]), undefined)
    if output.kind == "text":
        return v.compose(defined, get[2], get[2], undefined)
    if not defined:
        return v.UNDEFINED
    if get[2] is not None and get[3] is not None:
        return v.Period(_date(get[2]), _date(get[3]))
    return v.Range(None, None, undefined)


# -------------------------------------------------------------- building


def status_column(cid: str) -> str:
    """A criterion's status column: its id after `criterion:`, which neither
    the fixed columns (`id`, `verdict`, `met`, `applicable`) nor the internal
    ones (`_…`) begin with, in any case."""
    return f"criterion:{cid}"


def _final(
    c: Compiler, sc: Scope, columns: list[tuple[str, Any]]
) -> tuple[exp.Select, tuple[str, ...]]:
    """The final select, and its columns' names in order (the rows are read
    by position: an engine may fold the case of the names it gives back)."""
    rel = sc.rel
    deopt = b.or_(*rel.deopt) if rel.deopt else False
    columns = [*columns, ("_deopt", deopt)]
    current = rel.current()
    select = b.select(
        [b.named(b.sql(term), name) for name, term in columns],
        table_ref(current, "r"),
        # (the key by its internal name, which no result column has: ORDER BY
        # looks at the result's names first)
        order=[b.col(rel.keys[0])],
    )
    return c.q.render(select, [current]), tuple(name for name, _ in columns)


def expression_query(
    typed: ir.Node,
    layout: Layout,
    period: Any = None,
    params: dict[str, Any] | None = None,
    year: int | None = None,
    dialect: str = "duckdb",
) -> SqlQuery:
    """One expression, evaluated for every subject (tests and tools)."""
    q = Query()
    c = Compiler(q, layout, period, params or {}, year, dialect, rulesets=_rulesets())
    sc = c.subject_scope(layout.table(""))
    value = c.ev(typed, sc)
    columns: list[tuple[str, Any]] = [("id", b.col(sc.rel.keys[0]))]
    output = spread(value, sc.rel, "value", columns)
    tree, names = _final(c, sc, columns)
    return SqlQuery(tree, _used(tree, q.params), {"value": output, "_columns": names})


def ruleset_query(
    ruleset: Any,
    layout: Layout,
    year: int | None = None,
    period: Any = None,
    dialect: str = "duckdb",
    compact: bool = False,
) -> SqlQuery:
    """A ruleset judging every subject: one row each (see docs/sql.md).
    `compact` (what `evaluate_db` reads): the verdict as its code (PASS 0,
    FAIL 1, UNKNOWN 2, NA 3), a criterion's status code and its value's flags
    in one integer (`status_and_flags`), no `met` and `applicable` (counted
    from the statuses): fewer columns, and no string object a row, to read
    back in the client."""
    resolved, when = ruleset._when(year, period)
    if resolved is None:
        ruleset.check_when(year, period)
    q = Query()
    c = Compiler(q, layout, resolved, ruleset.params, when, dialect, rulesets=_rulesets())
    table = layout.table("")
    sc = c.subject_scope(table)
    try:
        judged = compile_ruleset(c, ruleset, sc)
    except AntqError:
        raise
    except Exception as error:  # (a last guard: a clear refusal, not a crash)
        what = f"ruleset `{ruleset.id}` (the SQL compiler failed on it: {type(error).__name__})"
        raise AntqError(Diagnostic("sql-unsupported", {"what": what})) from error
    columns: list[tuple[str, Any]] = [("id", b.col(sc.rel.keys[0]))]
    handle = sc.bindings[0]
    for field in label_columns(table):
        columns.append((f"_label_{field}", sc.rel.column(handle.alias, table.column(field))))
    outputs: dict[str, Any] = _ruleset_columns(judged, ruleset, columns, compact)
    outputs["_compact"] = compact
    tree, outputs["_columns"] = _final(c, sc, columns)
    return SqlQuery(tree, _used(tree, q.params), outputs)


def _used(tree: exp.Expression, params: dict[str, Any]) -> dict[str, Any]:
    """The parameters the query still reads (a value folded away at compile
    time leaves its parameter unused, which DuckDB refuses)."""
    names = {p.name for p in tree.find_all(exp.Placeholder)}
    return {k: v for k, v in params.items() if k in names}


def _ruleset_columns(
    j: RulesetSql, ruleset: Any, columns: list, compact: bool = False
) -> dict[str, Any]:
    outputs: dict[str, Any] = {}
    status = b.sql if compact else words
    columns.append(("verdict", status(j.verdict)))
    names = [level.name for level in ruleset.levels]
    if j.levels:
        level_text = b.cases(
            [(d, ruleset_level_literal(i)) for i, (d, _) in enumerate(j.levels)], None
        )
        columns.append(("_level", level_text if level_text is not None else exp.null()))
        for i, (_, cand) in enumerate(j.levels):
            columns.append((f"_cand{i}", cand))
    outputs["levels"] = names
    if j.score is not None:
        outputs["score"] = spread(j.score, j.scope.rel, "_score", columns)
        outputs["max_score"] = spread(j.max_score, j.scope.rel, "_max", columns)
    if compact:
        for cid, out in j.criteria.items():
            columns.append((status_column(cid), b.sql(status_and_flags(out.status, out.value))))
    else:
        columns.append(("met", j.met))
        columns.append(("applicable", j.counted))
        for cid, out in j.criteria.items():
            columns.append((status_column(cid), words(out.status)))
    # (apart from the other outputs: a criterion may be named `score`)
    criteria: dict[str, Any] = outputs.setdefault("criteria", {})
    for index, (cid, out) in enumerate(j.criteria.items()):
        entry: dict[str, Any] = {}
        if out.value is not None and compact:
            entry["value"] = Output("flags", (status_column(cid),))
        elif out.value is not None:
            entry["value"] = spread(out.value, j.scope.rel, f"_c{index}", columns)
        if out.points is not None:
            entry["points"] = spread(out.points, j.scope.rel, f"_p{index}", columns)
        criteria[cid] = entry
    return outputs


def ruleset_level_literal(index: int) -> exp.Expression:
    return exp.Literal.number(index)


# -------------------------------------------------- rulesets in rulesets


def _rulesets() -> Any:
    """`passes(R)`: R's verdict on every row of a table, compiled once."""
    made: dict[tuple, tuple[str, dict[str, str]]] = {}

    def make(ruleset: Any, table: TableInfo, c: Compiler) -> tuple[str, dict[str, str]]:
        key = (id(ruleset), table.path, c.year)
        if key in made:
            return made[key]
        if ruleset.schema.entities.get(table.entity) is None:
            raise unsupported(None, "`passes` of a ruleset of another schema")
        period = ruleset.period_for(c.year)
        inner = Compiler(c.q, c.layout, period, ruleset.params, c.year, c.dialect, c.rulesets)
        sc = inner.subject_scope(table)
        judged = compile_ruleset(inner, ruleset, sc, verdict_only=True)
        rel = sc.rel
        verdict = judged.verdict
        columns = {"id": rel.keys[0]}
        app = judged.applicable
        named = {}
        for key_, term in (
            ("vt", b.or_(b.cmp("==", verdict, 0), b.cmp("==", verdict, 2))),
            ("vf", b.cmp("!=", verdict, 0)),  # FAIL, NA, and UNKNOWN (may be false)
            ("vu", False),
            ("at", app.t),
            ("af", app.f),
            ("au", app.u),
        ):
            named[key_] = _named(rel, term)
        named["deopt"] = _named(rel, b.or_(*rel.deopt) if rel.deopt else False)
        columns.update(named)
        made[key] = (rel.current(), columns)
        return made[key]

    return make


def _named(rel: Any, term: Any) -> str:
    """A term as a named column of the relation (a constant too)."""
    return rel.named(term).name


__all__ = ["DIALECTS", "WORDS", "Output", "SqlQuery", "decode", "expression_query", "ruleset_query"]
