"""`evaluate_files`: data files judged in a database engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..errors import AntqError, Diagnostic
from ..limits import DEFAULT
from ..result import Batch, Result
from .load import arrow_tables, flatten, into_duckdb, register_parquet


def evaluate_files(
    ruleset: Any,
    paths: list[Path],
    engine: str,
    year: int | None,
    period: Any,
    connection: Any,
    encoding: str | None,
    limits: Any,
) -> Batch:
    from ..data import to_plain_period
    from . import evaluate_db

    period = to_plain_period(period) if period is not None else None
    ruleset.check_when(year, period)
    parquet = [p for p in paths if p.suffix.lower() == ".parquet"]
    if parquet:
        if len(parquet) != len(paths) or engine != "duckdb":
            raise AntqError(Diagnostic("sql-parquet-only", {}))
        con = connection if connection is not None else _duckdb().connect()
        register_parquet(con, parquet)
        return evaluate_db(ruleset, con, year=year, period=period)
    from ..readers import iter_records

    records = list(
        iter_records(paths, ruleset.schema, ruleset.subject, encoding, limits or DEFAULT)
    )
    docs = [r.data for r in records if r.error is None]
    flat, ids = flatten(ruleset.schema, ruleset.subject, docs)
    con = connection if connection is not None else _connect(engine)
    load(engine, con, flat)
    judged: dict[Any, Result] = {}
    if any(i is not None for i in ids):
        for result, key in zip(
            evaluate_db(ruleset, con, year=year, period=period),
            sorted(i for i in ids if i is not None),
            strict=True,
        ):
            judged[key] = result

    def each() -> Any:
        doc_index = 0
        for index, record in enumerate(records):
            if record.error is not None:
                result = ruleset.error_result(record.error, record.data)
            else:
                key = ids[doc_index]
                doc_index += 1
                if key is None:  # (the tables cannot hold it exactly: Python judges it)
                    try:
                        result = ruleset.evaluate(record.data, year=year, period=period)
                    except AntqError as error:
                        result = ruleset.error_result(error, record.data)
                else:
                    result = judged[key]
            yield attrs.evolve(
                result,
                index=index,
                subject=result.subject or record.label,
                notices=tuple(result.notices) + tuple(record.notices),
            )

    return Batch(each())


def _duckdb() -> Any:
    from . import _needs

    return _needs("duckdb", "DuckDB", "sql")


def _connect(engine: str) -> Any:
    if engine == "duckdb":
        return _duckdb().connect()
    raise AntqError(Diagnostic("sql-needs-connection", {"engine": engine}))


def load(engine: str, con: Any, flat: Any) -> None:
    """The flattened tables into the engine (DuckDB tables, PostgreSQL
    temporary tables, Spark temporary views)."""
    if engine == "duckdb":
        into_duckdb(con, flat)
    elif engine == "postgres":
        into_postgres(con, flat)
    else:
        into_spark(con, flat)


_PG_TYPES = {"bool": "BOOLEAN", "int64": "BIGINT", "date32[day]": "DATE", "string": "TEXT"}


def into_postgres(con: Any, flat: Any) -> None:
    from sqlglot import exp

    for name, table in arrow_tables(flat.tables).items():
        cols = []
        for field in table.schema:
            kind = str(field.type)
            pg = "NUMERIC" if kind.startswith("decimal") else _PG_TYPES.get(kind, "TEXT")
            cols.append(
                exp.ColumnDef(
                    this=exp.to_identifier(field.name, quoted=True),
                    kind=exp.DataType.build(pg, dialect="postgres"),
                )
            )
        ident = exp.Table(this=exp.to_identifier(name, quoted=True))
        drop = exp.Drop(tables=[ident.copy()], kind="TABLE", exists=True)
        create = exp.Create(
            this=exp.Schema(this=ident.copy(), expressions=cols),
            kind="TABLE",
            properties=exp.Properties(expressions=[exp.TemporaryProperty()]),
        )
        copy = exp.Copy(
            this=exp.Schema(
                this=ident.copy(),
                expressions=[exp.to_identifier(f.name, quoted=True) for f in table.schema],
            ),
            kind=True,
            files=[exp.var("STDIN")],
        )
        with con.cursor() as cur:
            cur.execute(drop.sql("postgres"))
            cur.execute(create.sql("postgres"))
            with cur.copy(copy.sql("postgres")) as writer:
                for row in table.to_pylist():
                    writer.write_row([row[f.name] for f in table.schema])
    con.commit()


def into_spark(spark: Any, flat: Any) -> None:
    from sqlglot import exp

    for name, table in arrow_tables(flat.tables).items():
        frame = spark.createDataFrame(table)
        frame.createOrReplaceTempView(exp.to_identifier(name, quoted=True).sql("spark"))
