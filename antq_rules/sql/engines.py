"""Running a compiled query where the data is: a DuckDB connection, a
PostgreSQL connection (psycopg 3) or a SparkSession. Each engine says what
tables and columns it has (so that a missing table is an unknown list and a
missing column unknown values), runs a query with its parameters bound, and
fetches a subject's rows back for the Python evaluator.
"""

from __future__ import annotations

import contextlib
from typing import Any

from sqlglot import exp

from ..errors import AntqError, Diagnostic
from .query import render


class Engine:
    dialect = "duckdb"

    def catalog(self) -> dict[str, dict[str, str]]:
        raise NotImplementedError

    def run(self, tree: exp.Expression, params: dict[str, Any]) -> list[dict[str, Any]]:
        """The result rows as dicts by column name."""
        names, rows = self.fetch(tree, params)
        return [dict(zip(names, row, strict=True)) for row in rows]

    def fetch(
        self, tree: exp.Expression, params: dict[str, Any], *, once: bool = False
    ) -> tuple[list[str], list[Any]]:
        """The column names and the rows as tuples (no dict a row: a
        ruleset's 100,000 rows are read by position). `once`: the caller
        will not use the tree again (its text is made without a copy)."""
        return self.fetch_text(self.sql(tree, copy=not once), params)

    def fetch_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        """`fetch`, of a query's text in this engine's dialect."""
        raise NotImplementedError

    def sql(self, tree: exp.Expression, copy: bool = True) -> str:
        return render(tree, self.dialect, copy=copy)


def engine_failed(error: BaseException) -> AntqError:
    """An engine's or its driver's own error, as the user sees it: its telling line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    # (a Java error's message is the line naming the exception, not the first)
    said = [line for line in lines if "Exception:" in line or "Error:" in line]
    detail = (said or lines or [type(error).__name__])[0][:300]
    return AntqError(Diagnostic("sql-engine-error", {"detail": detail}))


class DuckDB(Engine):
    dialect = "duckdb"

    def __init__(self, con: Any) -> None:
        self.con = con

    def catalog(self) -> dict[str, dict[str, str]]:
        query = (
            exp.select("table_name", "column_name", "data_type")
            .from_("information_schema.columns")
            .where(
                exp.EQ(
                    this=exp.column("table_schema"), expression=exp.Anonymous(this="current_schema")
                )
            )
        )
        out: dict[str, dict[str, str]] = {}
        for table, column, kind in self.con.execute(query.sql("duckdb")).fetchall():
            out.setdefault(table, {})[column] = str(kind).lower()
        return out

    def fetch_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        try:
            try:
                cursor = self.con.execute(text, params)
            except Exception as error:
                if "max_expression_depth" not in str(error):
                    raise
                # A ruleset of hundreds of criteria binds deeper than DuckDB's
                # default allows (its binder inlines what the query names):
                # allow it, for this connection, and run it again.
                self.con.execute(f"SET max_expression_depth TO {_DUCKDB_DEPTH}")
                cursor = self.con.execute(text, params)
            return [d[0] for d in cursor.description], cursor.fetchall()
        except Exception as error:  # the engine's own error: overflow, a bad table…
            raise engine_failed(error) from None


_DUCKDB_DEPTH = 20_000  # (a query's own depth grows with the log of its criteria)


class Postgres(Engine):
    dialect = "postgres"

    def __init__(self, con: Any) -> None:
        self.con = con

    def catalog(self) -> dict[str, dict[str, str]]:
        # the schemas of the search path, temporary tables first (as PostgreSQL looks)
        schemas = exp.Anonymous(this="current_schemas", expressions=[exp.true()])
        query = (
            exp.select("table_schema", "table_name", "column_name", "data_type")
            .from_("information_schema.columns")
            .where(
                exp.EQ(
                    this=exp.column("table_schema"),
                    expression=exp.Any(this=exp.Paren(this=schemas)),
                )
            )
        )
        found: dict[str, dict[str, dict[str, str]]] = {}
        with self.con.cursor() as cur:
            cur.execute(query.sql("postgres"))
            for schema, table, column, kind in cur.fetchall():
                found.setdefault(table, {}).setdefault(schema, {})[column] = str(kind).lower()
        out: dict[str, dict[str, str]] = {}
        for table, by_schema in found.items():
            first = sorted(by_schema, key=lambda name: (not name.startswith("pg_temp"), name))[0]
            out[table] = by_schema[first]
        return out

    def fetch_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        try:
            with self.con.cursor() as cur:
                cur.execute(text, params)
                return [d.name for d in cur.description], cur.fetchall()
        except Exception as error:
            with contextlib.suppress(Exception):  # (a closed connection: say the first error)
                self.con.rollback()
            raise engine_failed(error) from None


class Spark(Engine):
    dialect = "spark"

    def __init__(self, spark: Any) -> None:
        self.spark = spark
        # exact decimals: an overflow is an error, never a rounded or NULL value
        for key, value in (
            ("spark.sql.ansi.enabled", "true"),
            ("spark.sql.decimalOperations.allowPrecisionLoss", "false"),
            # a ruleset's query is a long chain of CTEs: more analyser passes
            ("spark.sql.analyzer.maxIterations", "10000"),
            ("spark.sql.optimizer.maxIterations", "10000"),
        ):
            with contextlib.suppress(Exception):  # (a setting a cluster fixes)
                spark.conf.set(key, value)

    def catalog(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for table in self.spark.catalog.listTables():
            try:
                schema = self.spark.table(_spark_name(table.name)).schema
            except Exception:  # (a table that cannot be read is not there)
                continue
            out[table.name] = {f.name: f.dataType.simpleString().lower() for f in schema.fields}
        return out

    def fetch_text(self, text: str, params: dict[str, Any]) -> tuple[list[str], list[Any]]:
        try:
            frame = self.spark.sql(text, args=params) if params else self.spark.sql(text)
            return list(frame.columns), frame.collect()  # (a Row is a tuple)
        except Exception as error:
            raise engine_failed(error) from None


def _spark_name(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql("spark")


def engine_for(connection: Any) -> Engine:
    """The engine a connection belongs to."""
    if isinstance(connection, Engine):
        return connection
    module = type(connection).__module__
    if module.startswith("duckdb") or module.startswith("_duckdb"):
        return DuckDB(connection)
    if module.startswith("psycopg"):
        return Postgres(connection)
    if module.startswith("pyspark"):
        return Spark(connection)
    raise AntqError(Diagnostic("sql-connection", {"kind": type(connection).__name__}))
