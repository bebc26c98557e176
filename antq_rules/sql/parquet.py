"""Parquet files given to the DuckDB engine: read in the query as they are,
after checking in the engine that the readers would have nothing to say of
them. Where they would — rows linked to no parent row, an id two rows use, a
row without an id, a file that is no table of the layout, a list that is read
but has no file — the files are read by the readers' rules (as a CSV folder
is), so that the results and warnings are exactly those of the same tables in
CSV: a row is never judged as if it did not exist, or as someone else's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlglot import exp

from ..errors import AntqError, Diagnostic
from ..limits import Limits
from ..reads import fields_read
from ..source import normalize_text
from .layout import NULL_COLUMN, Layout
from .load import table_name


def readers_would_speak(ruleset: Any, engine: Any, names: list[str]) -> bool:
    """Whether the readers would refuse, warn about or read otherwise any of
    these registered tables (checked by a few counts in the engine)."""
    layout = Layout(ruleset.schema, ruleset.subject, engine.catalog())
    paths = layout.paths()
    known = {layout.table(path).path for path, _, _ in paths}
    if any(normalize_text(name) not in known for name in names):
        return True  # (a file named otherwise: the readers match labels, or warn)
    read = fields_read(ruleset)
    for path, _, parent_entity in paths:
        table = layout.table(path)
        parent = layout.table(table.parent or "") if path else None
        if not table.present:
            if (
                parent is not None
                and parent.present
                and table.field in read.get(parent_entity or "", ())
            ):
                return True  # (a list read, with no file: the readers warn)
            continue
        if parent is not None and not parent.present:
            return True  # (rows whose parents' file is not there)
        try:
            if _problems(engine, table, parent):
                return True
        except AntqError:
            return True  # (ids the engine cannot compare: the readers say what)
    return False


def _problems(engine: Any, table: Any, parent: Any) -> bool:
    """Rows of `table` without an id or sharing one, or linked to no row of
    `parent`."""
    id_column = table.column("id")
    if id_column is None and table.entity is not None:
        return True
    source = exp.Table(this=exp.to_identifier(table.name, quoted=True), alias="c")
    counts: list[exp.Expression] = [exp.Count(this=exp.Star())]
    if id_column is not None:
        key = exp.column(id_column, "c", quoted=True)
        counts += [exp.Count(this=key), exp.Count(this=exp.Distinct(expressions=[key.copy()]))]
    query = exp.select(*counts).from_(source)
    if parent is not None:
        link = table.column(table.link or "")
        parent_id = parent.column("id")
        if link is None or parent_id is None:
            return True
        linked = exp.column(link, "c", quoted=True)
        other = exp.column(parent_id, "p", quoted=True)
        query = query.join(
            exp.Table(this=exp.to_identifier(parent.name, quoted=True), alias="p"),
            on=exp.EQ(this=other, expression=linked),
            join_type="left",
        )
        orphan = exp.Is(this=other.copy(), expression=exp.Null())
        query = query.select(
            exp.Filter(this=exp.Count(this=exp.Star()), expression=exp.Where(this=orphan))
        )
    _, rows = engine.fetch(query, {})
    row = rows[0]
    total = row[0]
    if id_column is not None and (row[1] != total or row[2] != total):
        return True
    return parent is not None and bool(row[-1])


def parquet_records(ruleset: Any, paths: list[Path], limits: Limits) -> list[Any]:
    """The subjects of Parquet tables read by the readers' rules (each file
    a table, as a CSV file of a folder: row 1 its header)."""
    from ..readers.tables import Grid, assemble
    from . import _needs

    pq = _needs("pyarrow.parquet", "Parquet", "sql")
    marks = _marks(ruleset)
    tables: dict[str, tuple[Path, Any]] = {}
    for path in paths:
        try:
            data = pq.read_table(str(path))
        except Exception as error:  # (the library's own: unreadable, not Parquet)
            raise AntqError(
                Diagnostic("unreadable-file", {"path": str(path), "detail": str(error)[:200]})
            ) from None
        tables[normalize_text(table_name(path))] = (path, data)
    # A database's flags, which a CSV folder has not: a list not given for
    # every row, with no rows, is a list left out (as a CSV file left out);
    # given for every row, nothing to say; anything else cannot be said.
    absent: set[str] = set()
    for name, (path, data) in tables.items():
        for column in data.column_names:
            child = marks.get(name, {}).get(column)
            if child is None:
                continue
            values = data.column(column).to_pylist()
            if column == NULL_COLUMN:
                if any(v is True for v in values):
                    raise _marked(path, column)
            elif any(v is not True for v in values):
                rows = tables[child][1].num_rows if child in tables else 0
                if rows or any(v is True for v in values):
                    raise _marked(path, column)
                absent.add(child)
    grids = []
    for name, (path, data) in tables.items():
        if name in absent or any(name.startswith(a + ".") for a in absent):
            continue
        kept = [c for c in data.column_names if c not in marks.get(name, {})]
        rows: list[tuple[int, dict[int, Any]]] = [(1, dict(enumerate(kept)))]
        columns = [data.column(c).to_pylist() for c in kept]
        for index in range(data.num_rows):
            cells = {i: col[index] for i, col in enumerate(columns) if col[index] is not None}
            rows.append((index + 2, cells))
            if len(rows) > limits.rows + 1:
                break  # (assemble says the limit)
        grids.append(Grid(name, str(path), rows))
    return assemble(ruleset.schema, ruleset.subject, grids, limits)


def _marked(path: Path, column: str) -> AntqError:
    return AntqError(Diagnostic("parquet-marks", {"path": str(path), "column": column}))


def _marks(ruleset: Any) -> dict[str, dict[str, str]]:
    """Each table's columns a database may add to the layout that the readers
    do not have: a list's `given` flag (→ the list's table), an item's `_null`."""
    layout = Layout(ruleset.schema, ruleset.subject)
    out: dict[str, dict[str, str]] = {}
    for path, _, _ in layout.paths():
        table = layout.table(path)
        flags = {f: layout.child_path(table, f) for f in table.lists}
        out[table.path] = {**flags, NULL_COLUMN: ""}
    return out
