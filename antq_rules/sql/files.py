"""`evaluate_files`: data files judged in a database engine."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ..errors import AntqError, Diagnostic, warning
from ..limits import DEFAULT
from ..reads import absent_notices, fields_read, share_fields, share_notices
from ..result import Batch, Result, Status
from .engines import engine_for
from .layout import Layout
from .load import arrow_tables, flatten, into_duckdb, register_parquet, table_name
from .parquet import parquet_records, readers_would_speak


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
        names = [table_name(p) for p in parquet]

        def by_readers() -> Batch:  # (as a CSV folder is read, warnings included)
            records = parquet_records(ruleset, parquet, limits or DEFAULT)
            return _judge_records(ruleset, records, engine, None, year, period)

        if readers_would_speak(ruleset, engine_for(con), names):
            return by_readers()  # (rows linked to no one, ids used twice…)
        try:
            return evaluate_db(ruleset, con, year=year, period=period)
        except AntqError as error:
            if error.code == "sql-column-type":
                return by_readers()  # (text holding office words, Vietnamese dates)
            if error.code != "sql-engine-error":
                raise
            return _parquet_by_python(ruleset, con, year, period, _fell_back(engine, error))
    from ..readers import iter_records

    records = list(
        iter_records(paths, ruleset.schema, ruleset.subject, encoding, limits or DEFAULT)
    )
    return _judge_records(ruleset, records, engine, connection, year, period)


def _judge_records(
    ruleset: Any,
    records: list[Any],
    engine: str,
    connection: Any,
    year: int | None,
    period: Any,
) -> Batch:
    """Records the readers read, loaded into the engine and judged in one
    query (those it cannot judge exactly, by Python)."""
    docs = [r.data for r in records if r.error is None]
    judged: dict[Any, Result] = {}
    fell_back: tuple[Diagnostic, ...] = ()
    try:
        Layout(ruleset.schema, ruleset.subject).check_names(engine)
        flat, ids = flatten(ruleset.schema, ruleset.subject, docs)
        con = connection if connection is not None else _connect(engine)
        load(engine, con, flat)
        judged = _judged(ruleset, con, ids, year, period)
    except AntqError as error:
        # (one record's numbers can make the engine refuse the whole query — an
        # overflow, a scale beyond 38 digits, a text PostgreSQL cannot hold —
        # or the schema's names one table for the engine: every record is
        # here, and Python judges them all, exactly)
        if error.code not in ("sql-engine-error", "sql-layout-clash"):
            raise
        fell_back = (_fell_back(engine, error),)
        ids = [None] * len(docs)
    return Batch(_each(ruleset, records, ids, judged, year, period, fell_back))


def _judged(
    ruleset: Any, con: Any, ids: list[int | None], year: int | None, period: Any
) -> dict[Any, Result]:
    """The loaded records' results by subject id (the query runs before this returns)."""
    from . import evaluate_db

    keys = sorted(i for i in ids if i is not None)
    if not keys:
        return {}
    batch = evaluate_db(ruleset, con, year=year, period=period)
    return dict(zip(keys, batch, strict=True))


def _each(
    ruleset: Any,
    records: list[Any],
    ids: list[int | None],
    judged: dict[Any, Result],
    year: int | None,
    period: Any,
    fell_back: tuple[Diagnostic, ...],
) -> Iterator[Result]:
    """Each record's result in order, with what its reader noticed (as the
    Python engine gives them: `Ruleset.judge_record`)."""
    read = fields_read(ruleset)
    shares = share_fields(ruleset)
    applies_unknown = ruleset.applies is not None
    resolved, _ = ruleset._when(year, period)
    doc_index = 0
    for index, record in enumerate(records):
        key = None
        if record.error is None:
            key = ids[doc_index]
            doc_index += 1
        if key is None:  # (unread, or the tables cannot hold it exactly: Python)
            result = ruleset.judge_record(record, index, year, period)
            yield result.with_notices(fell_back) if record.error is None else result
            continue
        result = judged[key]
        if applies_unknown and result.verdict is Status.UNKNOWN:
            result = ruleset._applies_unknown(result, record.data, resolved, year)
        notices = (*result.notices, *record.notices, *absent_notices(record, read))
        if shares:  # (what `Ruleset.judge_record` notices of a record's values)
            notices = (*notices, *share_notices(record.data, shares))
        yield attrs.evolve(
            result, index=index, subject=result.subject or record.label, notices=notices
        )


def _fell_back(engine: str, error: AntqError) -> Diagnostic:
    """The note that Python judged what the engine could not."""
    params = error.first.params
    detail = params.get("detail")
    if detail is None:  # (a clash of names: the two names)
        detail = f"`{params.get('first', '')}` / `{params.get('second', '')}`"
    return warning("sql-fell-back", engine=engine, detail=detail)


def _parquet_by_python(
    ruleset: Any, con: Any, year: int | None, period: Any, notice: Diagnostic
) -> Batch:
    """Every subject of Parquet tables judged by Python, from their rows, in
    the order of their ids (as the query gives them)."""
    from sqlglot import exp

    from . import build as b
    from .fetch import fetch_records
    from .layout import Layout

    engine = engine_for(con)
    layout = Layout(ruleset.schema, ruleset.subject, engine.catalog())
    table = layout.table("")
    column = b.col(table.column("id") or "id")
    select = exp.select(column).from_(exp.to_identifier(table.name, quoted=True)).order_by(column)
    keys = [row[0] for row in engine.fetch(select, {})[1]]
    docs = fetch_records(engine, layout, keys)

    def each() -> Iterator[Result]:
        for index, key in enumerate(keys):
            try:
                result = ruleset.evaluate(docs[key], year=year, period=period)
            except AntqError as error:
                result = ruleset.error_result(error, docs[key])
            yield attrs.evolve(result, index=index, notices=(*result.notices, notice))

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
    temporary tables, Spark temporary views); what the engine refuses to
    hold (a NUL in a PostgreSQL text) is its error, as a query's would be."""
    from .engines import engine_failed

    try:
        if engine == "duckdb":
            into_duckdb(con, flat)
        elif engine == "postgres":
            into_postgres(con, flat)
        else:
            into_spark(con, flat)
    except Exception as error:
        if engine == "postgres":
            _rollback(con)
        raise engine_failed(error) from None


def _rollback(con: Any) -> None:
    # (a connection already gone says so at its next use)
    with contextlib.suppress(Exception):
        con.rollback()


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
