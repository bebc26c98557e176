"""Data into tables of the layout: records read by the readers (JSON, YAML,
a CSV folder, a workbook — with their rules for office words, dates,
encodings, limits and positions) flattened into one table per list; Parquet
files registered as they are.

A record whose values a table cannot hold exactly (a value of the wrong type
somewhere, a number beyond 38 digits, a fraction that is no decimal) is not
loaded: it is judged by the Python evaluator, which says what is wrong, if
anything, where it reads it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from .. import types as t
from ..data import BadValue, check_list, check_object, get_raw, scalar_reader
from ..errors import AntqError, Diagnostic
from ..schema import Schema
from .layout import NULL_COLUMN, VALUE_COLUMN, Layout

_MAX_DIGITS = 38
_INT64 = 2**63
_RECORD = "\x00record"  # (a row's key: the record it came from; never a column)


@attrs.define
class TableData:
    name: str
    link: str | None
    fields: dict[str, t.Type]  # column -> type (scalar fields, or `value`)
    lists: list[str]  # list fields: `given` marker columns when one is not given
    rows: list[dict[str, Any]] = attrs.field(factory=list)
    scales: dict[str, int] = attrs.field(factory=dict)  # decimal column -> its scale
    markers: set[str] = attrs.field(factory=set)  # marker columns needed
    nulls: bool = False


class _Skip(Exception):
    """A record the tables cannot hold exactly."""


class Flattener:
    def __init__(self, schema: Schema, subject: str) -> None:
        self.layout = Layout(schema, subject)
        self.schema = schema
        self.subject = subject
        self.tables: dict[str, TableData] = {}
        self.ids: dict[str, int] = {}

    def table(self, path: str) -> TableData:
        found = self.tables.get(path)
        if found is None:
            info = self.layout.table(path)
            fields = {name: f.type for name, f in info.fields.items()}
            lists = sorted(info.lists)
            found = self.tables[path] = TableData(info.name, info.link, fields, lists)
        return found

    def add(self, doc: Any, record: int = 0) -> int | None:
        """Flatten one subject; its id, or None when it must be judged in Python."""
        staged: list[tuple[TableData, dict[str, Any], set[str], bool]] = []
        if doc is None:  # (no subject at all: an error Python gives, not a null item)
            return None
        try:
            subject_id = self._entity("", doc, None, staged)
        except (_Skip, BadValue):
            return None
        for table, row, markers, null in staged:
            row[_RECORD] = record
            table.rows.append(row)
            table.markers |= markers
            table.nulls = table.nulls or null
        return subject_id

    def _next(self, path: str) -> int:
        self.ids[path] = self.ids.get(path, 0) + 1
        return self.ids[path]

    def _entity(self, path: str, raw: Any, parent: int | None, staged: list) -> int:
        table = self.table(path)
        info = self.layout.table(path)
        row_id = self._next(path)
        row: dict[str, Any] = {"id": row_id}
        if info.link is not None:
            row[info.link] = parent
        markers: set[str] = set()
        if info.entity is None:
            row[VALUE_COLUMN] = self._scalar(raw, info.item_type)
            staged.append((table, row, markers, False))
            return row_id
        null = raw is None
        obj = check_object(raw, info.entity)
        for name, type_ in table.fields.items():
            row[name] = self._scalar(self._path(obj, name), type_)
        if null:
            row[NULL_COLUMN] = True
        staged.append((table, row, markers, null))
        for field in table.lists:
            value = None if obj is None else get_raw(obj, field)
            items = check_list(value, field)
            if items is None:
                row[field] = False
                markers.add(field)
                continue
            row[field] = True
            child = self.layout.child_path(info, field)
            for item in items:
                self._entity(child, item, row_id, staged)
        return row_id

    def _path(self, obj: Any, name: str) -> Any:
        value = obj
        for part in name.split("."):
            if value is None:
                return None
            value = get_raw(check_object(value, part), part)
        return value

    def _scalar(self, raw: Any, type_: t.Type) -> Any:
        if raw is None:
            return None
        value = scalar_reader(type_)(raw)
        if type_ == t.INT:
            if not -_INT64 <= value < _INT64:
                raise _Skip
        elif type_ == t.DECIMAL:
            value = Fraction(value)
            if not _decimal_ok(value):
                raise _Skip
        return value


def _decimal_ok(value: Fraction) -> bool:
    """A decimal some DECIMAL(38, s) holds exactly."""
    scale = _scale(value)
    return scale is not None and abs(value) < 10 ** (_MAX_DIGITS - scale)


def _scale(value: Fraction) -> int | None:
    """The digits after the point of a decimal; None for a fraction that is no decimal."""
    den = value.denominator
    twos = fives = 0
    while den % 2 == 0:
        den //= 2
        twos += 1
    while den % 5 == 0:
        den //= 5
        fives += 1
    return max(twos, fives) if den == 1 else None


def _fits(value: Fraction, scale: int) -> bool:
    """Whether DECIMAL(38, scale) holds `value` exactly."""
    return (value * 10**scale).denominator == 1 and abs(value) < 10 ** (_MAX_DIGITS - scale)


def column_scale(values: list[Fraction]) -> int:
    """The scale of a DECIMAL(38, s) column for `values`: every value's
    digits after the point, when the digits before it leave room; else the
    scale that holds the most values (the others' records go to Python)."""
    present = [v for v in values if v is not None]
    scale = max((_scale(v) or 0 for v in present), default=0)
    if all(_fits(v, scale) for v in present):
        return scale
    return max(range(_MAX_DIGITS + 1), key=lambda s: (sum(_fits(v, s) for v in present), s))


def settle(flat: Flattener, ids: list[int | None]) -> None:
    """Give each decimal column its scale; a record holding a value that
    scale cannot hold exactly leaves the tables (its id becomes None: Python
    judges it). Never rounded: a rounded value could change a verdict."""
    dropped: set[int] = set()
    for table in flat.tables.values():
        for name, type_ in table.fields.items():
            if type_ != t.DECIMAL:
                continue
            rows = [r for r in table.rows if r[_RECORD] not in dropped]
            scale = column_scale([r.get(name) for r in rows])
            table.scales[name] = scale
            for row in rows:
                value = row.get(name)
                if value is not None and not _fits(value, scale):
                    dropped.add(row[_RECORD])
    if not dropped:
        return
    for table in flat.tables.values():
        table.rows = [r for r in table.rows if r[_RECORD] not in dropped]
    for record in dropped:
        ids[record] = None


def arrow_tables(tables: dict[str, TableData]) -> dict[str, Any]:
    """Each table as a pyarrow Table with exact types."""
    import pyarrow as pa

    out = {}
    for table in tables.values():
        columns: dict[str, Any] = {"id": pa.array([r["id"] for r in table.rows], pa.int64())}
        if table.link:
            columns[table.link] = pa.array([r.get(table.link) for r in table.rows], pa.int64())
        for name, type_ in table.fields.items():
            values = [r.get(name) for r in table.rows]
            columns[name] = _arrow_column(values, type_, table.scales.get(name))
        for marker in sorted(table.markers):
            columns[marker] = pa.array([r.get(marker) for r in table.rows], pa.bool_())
        if table.nulls:
            columns[NULL_COLUMN] = pa.array(
                [bool(r.get(NULL_COLUMN)) for r in table.rows], pa.bool_()
            )
        out[table.name] = pa.table(columns)
    return out


def _arrow_column(values: list[Any], type_: t.Type, scale: int | None = None) -> Any:
    import pyarrow as pa

    if type_ == t.BOOL:
        return pa.array(values, pa.bool_())
    if type_ == t.INT:
        return pa.array(values, pa.int64())
    if type_ == t.DECIMAL:
        if scale is None:
            scale = column_scale(values)
        return pa.array(
            [None if v is None else _exact_decimal(v, scale) for v in values],
            pa.decimal128(_MAX_DIGITS, scale),
        )
    if type_ == t.DATE:
        return pa.array(values, pa.date32())
    return pa.array(values, pa.string())


def _exact_decimal(value: Fraction, scale: int) -> Decimal:
    """`value` with `scale` digits after the point, made without arithmetic
    (a Decimal context would round beyond 28 digits)."""
    units = value * 10**scale
    if units.denominator != 1:
        raise AssertionError("a decimal that its column cannot hold")  # (settle drops it)
    digits = Decimal(abs(units.numerator)).as_tuple().digits
    return Decimal((int(units < 0), digits, -scale))


def flatten(schema: Schema, subject: str, docs: list[Any]) -> tuple[Flattener, list[int | None]]:
    """Every document into tables; per document its subject id (None: Python judges it)."""
    flat = Flattener(schema, subject)
    flat.table("")
    for path in _all_paths(flat.layout, ""):
        flat.table(path)
    ids = [flat.add(doc, index) for index, doc in enumerate(docs)]
    settle(flat, ids)
    return flat, ids


def _all_paths(layout: Layout, path: str, depth: int = 0) -> list[str]:
    info = layout.table(path)
    out = []
    if depth > 8:
        return out
    for field in sorted(info.lists):
        child = layout.child_path(info, field)
        try:
            layout.table(child)
        except AntqError:
            continue
        out.append(child)
        out += _all_paths(layout, child, depth + 1)
    return out


def into_duckdb(con: Any, flat: Flattener, missing: set[str] | frozenset = frozenset()) -> None:
    """Create the tables in a DuckDB connection (replacing any of the same name)."""
    from sqlglot import exp

    for name, table in arrow_tables(flat.tables).items():
        if name in missing:
            continue
        drop = exp.Drop(
            tables=[exp.Table(this=exp.to_identifier(name, quoted=True))], kind="TABLE", exists=True
        )
        con.execute(drop.sql(dialect="duckdb"))
        con.register("__antq_arrow", table)
        create = exp.Create(
            this=exp.Table(this=exp.to_identifier(name, quoted=True)),
            kind="TABLE",
            expression=exp.select("*").from_("__antq_arrow"),
        )
        con.execute(create.sql(dialect="duckdb"))
        con.unregister("__antq_arrow")


def table_name(path: Path) -> str:
    """The table a Parquet file holds: its name without `.parquet`
    (`areas.incidents.parquet`)."""
    name = Path(path).name
    return name[: -len(".parquet")] if name.lower().endswith(".parquet") else Path(path).stem


def register_parquet(con: Any, paths: list[Path]) -> None:
    """Parquet files as tables named after their stems (`areas.incidents.parquet`)."""
    for path in paths:
        name = table_name(path)
        try:
            con.read_parquet(str(path)).create_view(name, replace=True)
        except Exception as error:  # (the engine's own: unreadable, not Parquet)
            raise AntqError(
                Diagnostic("unreadable-file", {"path": str(path), "detail": str(error)[:200]})
            ) from None


__all__ = [
    "Flattener",
    "arrow_tables",
    "flatten",
    "into_duckdb",
    "register_parquet",
    "table_name",
]
_ = datetime
