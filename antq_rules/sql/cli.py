"""Command-line glue for the SQL engines: `antq sql` and `antq eval --engine`.

The functions take the argparse namespace of `antq_rules.cli` (see its
`_load`, `_when`, `_limits`) and return an exit code or results."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import AntqError, Diagnostic


def add_sql_arguments(p: argparse.ArgumentParser) -> None:
    """The options of `antq sql RULESET`."""
    p.add_argument("--dialect", choices=("duckdb", "postgres", "spark"), default="duckdb")
    p.add_argument("--tables", help='JSON: layout names to database names, e.g. {"areas": "kdc"}')
    p.add_argument(
        "--params", action="store_true", help="print the bound parameters (JSON) after the query"
    )


def add_engine_arguments(p: argparse.ArgumentParser) -> None:
    """The options `antq eval` gains."""
    p.add_argument(
        "--engine",
        choices=("python", "duckdb", "postgres", "spark"),
        default="python",
        help="where to judge (default: python)",
    )
    p.add_argument("--dsn", help="PostgreSQL connection string (with --engine postgres)")
    p.add_argument("--master", help="Spark master URL (with --engine spark; default local[*])")


def tables_of(args: argparse.Namespace) -> Any:
    text = getattr(args, "tables", None)
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise AntqError(Diagnostic("sql-bad-tables", {"table": text[:60]})) from None
    if not isinstance(value, dict):
        raise AntqError(Diagnostic("sql-bad-tables", {"table": text[:60]}))
    return value


def sql_command(args: argparse.Namespace, ruleset: Any, period: Any) -> int:
    """`antq sql RULESET --dialect D`: print the query (and its parameters)."""
    from . import compile_sql
    from .query import render

    query = compile_sql(ruleset, args.dialect, tables_of(args), args.year, period)
    sys.stdout.write(render(query.tree, args.dialect, pretty=True) + ";\n")
    if args.params:
        values = {
            k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in query.params.items()
        }
        sys.stdout.write(json.dumps(values, ensure_ascii=False, indent=2) + "\n")
    return 0


def connect(args: argparse.Namespace) -> Any:
    """The connection `--engine` asks for (None: DuckDB in memory)."""
    from . import _needs
    from .engines import engine_failed

    if args.engine == "postgres":
        if not args.dsn:
            raise AntqError(Diagnostic("sql-needs-connection", {"engine": "PostgreSQL"}))
        psycopg = _needs("psycopg", "PostgreSQL", "postgres")
        try:
            return psycopg.connect(args.dsn)
        except Exception as error:  # the driver's own: a bad DSN, a server that is not there
            raise engine_failed(error) from None
    if args.engine == "spark":
        _needs("pyspark", "Spark", "spark")
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(args.master or "local[*]").appName("antq")
        if not args.master:  # (local mode: nothing listens beyond this machine)
            builder = (
                builder.config("spark.ui.enabled", "false")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
            )
        # (no progress bars between antq's own lines; Spark's log for errors only)
        builder = builder.config("spark.ui.showConsoleProgress", "false")
        try:
            session = builder.getOrCreate()
        except Exception as error:  # Spark's own: no Java, a master that is not there
            raise engine_failed(error) from None
        session.sparkContext.setLogLevel("ERROR")
        return session
    return None


def engine_results(args: argparse.Namespace, ruleset: Any, period: Any, limits: Any) -> Any:
    """`antq eval … --engine E`: the results (a Batch), as `_judged` gives them.
    With PostgreSQL and no data files, the tables already in the database."""
    from . import evaluate_db, evaluate_files

    connection = connect(args)
    if args.engine == "postgres" and not args.data:
        return evaluate_db(
            ruleset, connection, year=args.year, period=period, tables=tables_of(args)
        )
    return evaluate_files(
        ruleset,
        args.data,
        args.engine,
        year=args.year,
        period=period,
        connection=connection,
        encoding=args.encoding,
        limits=limits,
    )
