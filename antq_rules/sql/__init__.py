"""Rulesets where the data is: one ruleset compiled to one SQL query (DuckDB,
PostgreSQL, Spark SQL) that gives the verdicts the Python evaluator gives.

    to_sql(ruleset, "postgres")                 the query, as text
    evaluate_db(ruleset, connection)            a Batch of Results, judged in the database
    evaluate_files(ruleset, paths)              files loaded into DuckDB, then judged there

See docs/sql.md for the layout of the tables and how each construct maps.
Needs the `sql` extra (duckdb, sqlglot); `postgres` and `spark` for those.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AntqError, Diagnostic


def _needs(package: str, engine: str, extra: str) -> Any:
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        raise AntqError(
            Diagnostic("sql-needs", {"engine": engine, "package": package, "extra": extra})
        ) from None


def compile_sql(
    ruleset: Any,
    dialect: str = "duckdb",
    tables: Mapping[str, Any] | None = None,
    year: int | None = None,
    period: Any = None,
    catalog: Mapping[str, Mapping[str, str]] | None = None,
) -> Any:
    """The query judging every subject (an `SqlQuery`: tree, parameters, outputs)."""
    _needs("sqlglot", "SQL", "sql")
    from .layout import Layout
    from .query import ruleset_query

    layout = Layout(ruleset.schema, ruleset.subject, catalog, tables)
    layout.check_names(dialect)
    return ruleset_query(ruleset, layout, year, period, dialect)


def to_sql(
    ruleset: Any,
    dialect: str = "duckdb",
    tables: Mapping[str, Any] | None = None,
    year: int | None = None,
    period: Any = None,
    pretty: bool = True,
) -> str:
    """The query as text for `dialect`; its parameters are placeholders
    (`$p0` in DuckDB, `%(p0)s` for psycopg, `:p0` in Spark): see `compile_sql`
    for their values."""
    from .query import render

    query = compile_sql(ruleset, dialect, tables, year, period)
    return render(query.tree, dialect, pretty)


def evaluate_db(
    ruleset: Any,
    connection: Any,
    *,
    year: int | None = None,
    period: Any = None,
    tables: Mapping[str, Any] | None = None,
) -> Any:
    """Judge every subject in a database's tables: a `Batch` of Results, as
    `Ruleset.evaluate_many` gives."""
    _needs("sqlglot", "SQL", "sql")
    from ..data import to_plain_period
    from ..result import Batch
    from .engines import engine_for
    from .layout import Layout
    from .query import ruleset_query
    from .results import Context, results

    engine = engine_for(connection)
    period = to_plain_period(period) if period is not None else None
    catalog = engine.catalog()
    # A ruleset's query for one catalog, dialect and period is made once (as
    # its Python code is, at load): a service judging upload after upload, or
    # a batch run again, pays only for the query.
    key = (engine.dialect, _frozen(catalog), _frozen(tables or {}), year, period)
    made = _queries(ruleset).get(key)
    if made is None:
        layout = Layout(ruleset.schema, ruleset.subject, catalog, tables)
        layout.check_names(engine.dialect)
        subject = layout.table("")
        if not subject.present:
            raise AntqError(Diagnostic("sql-no-subject-table", {"table": subject.name}))
        query = ruleset_query(ruleset, layout, year, period, engine.dialect, compact=True)
        made = (layout, query, engine.sql(query.tree, copy=False))
        _queries(ruleset)[key] = made
    layout, query, text = made
    names, rows = engine.fetch_text(text, query.params)
    resolved, _ = ruleset._when(year, period)
    ctx = Context(ruleset, engine, layout, query, year, period, resolved)
    return Batch(results(ctx, names, rows))


def _queries(ruleset: Any) -> dict[Any, Any]:
    """The SQL queries made for a ruleset, kept with it (a few at most)."""
    queries: dict[Any, Any] | None = getattr(ruleset, "_sql_queries", None)
    if queries is None or len(queries) > 16:
        queries = {}
        ruleset._sql_queries = queries
    return queries


def _frozen(value: Any) -> Any:
    """A hashable copy of nested mappings and lists (a cache key)."""
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _frozen(x)) for k, x in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(x) for x in value)
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


ENGINES = ("duckdb", "postgres", "spark")


def evaluate_files(
    ruleset: Any,
    paths: list[Path] | list[str],
    engine: str = "duckdb",
    *,
    year: int | None = None,
    period: Any = None,
    connection: Any = None,
    encoding: str | None = None,
    limits: Any = None,
) -> Any:
    """Judge the subjects of data files in a database engine: Parquet files
    (one a table, named as the table) are read by DuckDB as they are; JSON,
    YAML, CSV folders and workbooks are read by the readers (their rules,
    limits and errors), loaded, and judged in one query. A record that cannot
    be read is an error result in its place; one the tables cannot hold
    exactly is judged by the Python evaluator."""
    from .files import evaluate_files as run

    if engine not in ENGINES:
        raise AntqError(Diagnostic("sql-engine", {"name": engine, "known": ", ".join(ENGINES)}))
    return run(
        ruleset, [Path(p) for p in paths], engine, year, period, connection, encoding, limits
    )


__all__ = ["ENGINES", "compile_sql", "evaluate_db", "evaluate_files", "to_sql"]
