"""A subject's rows read back from the tables as the document the Python
evaluator judges: for explanations, and for the records the query leaves
to Python (`_deopt`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlglot import exp

from . import build as b
from .layout import NULL_COLUMN, VALUE_COLUMN, Layout, TableInfo
from .relation import Query

_BATCH = 500


def fetch_records(engine: Any, layout: Layout, ids: Iterable[Any]) -> dict[Any, dict[str, Any]]:
    """{subject id: its document} for the given subject ids."""
    wanted = list(dict.fromkeys(ids))
    out: dict[Any, dict[str, Any]] = {}
    for start in range(0, len(wanted), _BATCH):
        chunk = wanted[start : start + _BATCH]
        table = layout.table("")
        rows = _rows(engine, table, "id", chunk)
        docs = {row[table.column("id")]: _doc(table, row) for row in rows}
        _children(engine, layout, table, docs)
        out.update(docs)
    return out


def _rows(engine: Any, table: TableInfo, column: str, values: list[Any]) -> list[dict[str, Any]]:
    db = table.column(column)
    if db is None or not values:
        return []
    q = Query()
    cols = [c for c in table.columns.values()]
    select = (
        exp.Select()
        .select(*[b.col(c) for c in cols])
        .from_(exp.Table(this=exp.to_identifier(table.name, quoted=True)))
        .where(exp.In(this=b.col(db), expressions=[_bind(q, v) for v in values]))
        .order_by(b.col(table.column("id") or db))
    )
    return engine.run(select, q.params)


def _bind(q: Query, value: Any) -> exp.Expression:
    placeholder = q.bind(value)
    return placeholder.this if isinstance(placeholder, exp.Cast) else placeholder


def _doc(table: TableInfo, row: dict[str, Any]) -> Any:
    if table.entity is None:
        return row.get(table.column(VALUE_COLUMN) or VALUE_COLUMN)
    null_col = table.column(NULL_COLUMN)
    if null_col is not None and row.get(null_col):
        return None
    doc: dict[str, Any] = {}
    for path in table.fields:
        column = table.column(path)
        if column is None:
            continue
        value = row.get(column)
        if value is None:
            continue
        target = doc
        parts = path.split(".")
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    for field in table.lists:
        marker = table.column(field)
        if marker is not None:
            doc["__given_" + field] = bool(row.get(marker))
    return doc


def _children(engine: Any, layout: Layout, table: TableInfo, docs: dict[Any, Any]) -> None:
    """Fill each document's lists from the child tables (recursively)."""
    if not docs:
        return
    for field in sorted(table.lists):
        child = layout.table(layout.child_path(table, field))
        if not child.present:
            continue
        marker = table.column(field)
        given = {key for key, doc in docs.items() if doc is not None}
        if marker is not None:
            given = {key for key in given if docs[key].pop("__given_" + field, True)}
        for key in given:
            docs[key][field] = []
        if not given:
            continue
        link = child.column(child.link or "")
        rows = _rows(engine, child, child.link or "", sorted(given, key=str))
        kids: dict[Any, Any] = {}
        for row in rows:
            parent = row.get(link)
            if parent not in given:
                continue
            item = _doc(child, row)
            docs[parent][field].append(item)
            if isinstance(item, dict):
                kids[row[child.column("id")]] = item
        _children(engine, layout, child, kids)
