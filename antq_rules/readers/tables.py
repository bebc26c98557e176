"""Tables (CSV files or sheets) to the documents a ruleset judges.

Each table holds one collection. The subject's table is named after its
entity (`commune`); a list field's table after its path from the subject
(`areas`, `areas.incidents`) — or after the list's label (`Khu dân cư`). A
row links to its parent by a `<parent entity>_id` column (`commune_id`,
`area_id`) matching the parent's `id`; with a single subject the column may
be left out. A field of a nested entity is a dotted column
(`party_resolution.date`); a list of plain values is one cell, items
separated by `;`. Headers may be the field name, its label from the schema,
or `Label (field)` as `antq schema --template` writes them.

What goes wrong goes to the record it belongs to: a bad cell in an area's
row makes that commune an error result, and the other communes are judged.
Only a problem of a whole table (an unknown column, no subject table) stops
a file. Notes and warnings (merged cells, hidden rows, sheets that are not
lists) go with the records they concern, for every report to show.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import types as t
from ..errors import AntqError, DataError, Diagnostic, note, warning
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from ..schema import EntityDef, Schema
from ..source import normalize_text
from ..suggest import closest, fold
from .cells import CellError, cell_value, column_letter
from .text import over_limit


@attrs.frozen
class Record:
    """One subject read from a file: its data, or the error that stopped it,
    and what the reader noticed on the way (notes and warnings)."""

    label: str
    data: Any = None
    error: AntqError | None = attrs.field(default=None, eq=False)
    notices: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False)
    # Lists whose table the file left out: (owner entity, list field, the
    # warning to give if the ruleset reads that list; see `reads.absent_notices`).
    absent: tuple[tuple[str, str, Diagnostic], ...] = attrs.field(default=(), eq=False)


@attrs.frozen
class CellProblem:
    """A cell a reader could not give a value to (an Excel error, a formula
    without a saved value): an error only if a column that is read holds it."""

    code: str
    params: Mapping[str, Any]


@attrs.frozen
class Grid:
    """One table as read from a file."""

    name: str  # the sheet's title or the CSV file's stem
    where: str  # `x.xlsx, sheet 'areas'`, `folder/areas.csv`
    rows: list[tuple[int, Mapping[int, Any]]]  # (row number, {column index: cell})
    hidden: bool = False
    # Notes on some rows: (first row, last row, notice)
    row_notices: tuple[tuple[int, int, Diagnostic], ...] = ()


# ------------------------------------------------------------------ layout


@attrs.frozen
class Column:
    name: str  # dotted path within the row's entity: `party_resolution.date`
    type: t.Type
    label: str | None


@attrs.frozen
class Table:
    """One collection: its name, entity, parent table and columns."""

    name: str  # `commune`, `areas`, `areas.incidents`
    entity: str
    parent: str | None  # the parent table's name
    parent_entity: str | None
    field: str | None  # the list field on the parent
    columns: tuple[Column, ...]
    label: str | None = None  # the list field's label (or the subject entity's)

    @property
    def link(self) -> str | None:
        return None if self.parent_entity is None else f"{self.parent_entity}_id"

    def headers(self) -> list[str]:
        out = ["id"]
        if self.link:
            out.append(self.link)
        for column in self.columns:
            out.append(f"{column.label} ({column.name})" if column.label else column.name)
        return out


def tables_for(schema: Schema, subject: str) -> list[Table]:
    """The tables a subject's data spreads over, parents first."""
    out: list[Table] = []

    def columns(
        entity: EntityDef, prefix: str, label_prefix: str, trail: tuple[str, ...]
    ) -> list[Column]:
        found: list[Column] = []
        for field in entity.fields.values():
            name = prefix + field.name
            ftype = field.type
            if isinstance(ftype, t.Entity):
                if ftype.name not in trail:
                    inner = f"{label_prefix}{field.label or field.name}: "
                    found += columns(
                        schema.entities[ftype.name], name + ".", inner, (*trail, ftype.name)
                    )
            elif isinstance(ftype, t.List) and isinstance(ftype.item, t.Entity):
                continue  # a table of its own
            elif not isinstance(ftype, t.Nothing):
                label = f"{label_prefix}{field.label}" if field.label else None
                found.append(Column(name, ftype, label))
        return found

    def walk(
        table: str,
        entity_name: str,
        parent: str | None,
        parent_entity: str | None,
        field: str | None,
        label: str | None,
        trail: tuple[str, ...],
    ) -> None:
        entity = schema.entities[entity_name]
        out.append(
            Table(
                table,
                entity_name,
                parent,
                parent_entity,
                field,
                tuple(columns(entity, "", "", (entity_name,))),
                label,
            )
        )
        for f in entity.fields.values():
            if isinstance(f.type, t.List) and isinstance(f.type.item, t.Entity):
                child = f.type.item.name
                if child in trail:
                    continue  # a recursive schema: one level is enough for tables
                name = f.name if parent is None else f"{table}.{f.name}"
                walk(name, child, table, entity_name, f.name, f.label, (*trail, child))

    root = schema.entities[subject]
    walk(subject, subject, None, None, None, root.label, (subject,))
    _no_clash(out)
    return out


def _no_clash(tables: list[Table]) -> None:
    """Refuse a schema that tables cannot hold apart: two tables whose names
    are one for the reader (it matches files and sheets case and diacritics
    aside), or a field named like the `id` or link column (read as the link,
    the field would never be read)."""
    names: dict[str, str] = {}
    for table in tables:
        earlier = names.setdefault(fold(table.name), table.name)
        if earlier is not table.name:
            raise DataError(Diagnostic("tables-clash", {"first": earlier, "second": table.name}))
        kept = {"id", *([table.link] if table.link else [])}
        for column in table.columns:
            if column.name in kept:
                raise DataError(
                    Diagnostic("tables-kept-column", {"column": column.name, "table": table.name})
                )


def _header_map(headers: Mapping[int, Any], table: Table, where: str) -> dict[int, str]:
    """Column index → column name ('id', the link, or a field path)."""
    known = {c.name: c for c in table.columns}
    by_label = {fold(c.label): c.name for c in table.columns if c.label}
    by_fold = {fold(c.name): c.name for c in table.columns}
    specials = {"id"} | ({table.link} if table.link else set())
    out: dict[int, str] = {}
    for index, header in sorted(headers.items()):
        if isinstance(header, CellProblem):  # (#REF!, a formula with no value: not a blank)
            at = f"{where}, column {column_letter(index)}"
            raise DataError(Diagnostic(header.code, {"where": at, **header.params}))
        if header is None or not str(header).strip():
            continue
        text = normalize_text(str(header).strip())
        inner = re.search(r"\(([^()]*)\)\s*$", text)
        for candidate in (text, inner.group(1).strip() if inner else None):
            if candidate is None:
                continue
            if candidate in specials or candidate in known:
                out[index] = candidate
                break
            if fold(candidate) in by_fold:
                out[index] = by_fold[fold(candidate)]
                break
            if fold(candidate) in by_label:
                out[index] = by_label[fold(candidate)]
                break
        else:
            hint = closest(text[:200], [*known, *specials])
            raise DataError(
                Diagnostic(
                    "unknown-column",
                    {
                        "where": where,
                        "column": text[:200],
                        "hint": f"; did you mean `{hint}`?" if hint else "",
                    },
                )
            )
    _no_duplicate_columns(out, where)
    return out


def _no_duplicate_columns(header_map: Mapping[int, str], where: str) -> None:
    """Two columns read into one field: whichever counted, the other's value
    would be lost without a word (as with a key given twice in JSON)."""
    seen: dict[str, int] = {}
    for index, name in sorted(header_map.items()):
        if name in seen:
            raise DataError(
                Diagnostic(
                    "duplicate-column",
                    {
                        "where": where,
                        "first": column_letter(seen[name]),
                        "second": column_letter(index),
                        "column": name,
                    },
                )
            )
        seen[name] = index


def _set_path(row: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = row
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


# ---------------------------------------------------------------- matching

# The sheet of instructions that templates put first (`antq schema --template`).
GUIDE_SHEET = "Hướng dẫn"
GUIDE_NAMES = frozenset({fold(GUIDE_SHEET), "huong_dan", "huong-dan"})


def _match(grids: list[Grid], tables: list[Table]) -> tuple[dict[str, Grid], list[Diagnostic]]:
    """Each table's grid, by name or the list's label (diacritics and case
    aside); grids that are no table are left out with a note."""
    by_key: dict[str, Table] = {}
    for table in tables:
        by_key.setdefault(fold(table.name), table)
    for table in tables:
        if table.label:
            by_key.setdefault(fold(table.label), table)
    found: dict[str, Grid] = {}
    notices: list[Diagnostic] = []
    for grid in grids:
        if fold(grid.name.strip()) in GUIDE_NAMES:
            continue  # the template's own instructions: nothing to say about them
        table = by_key.get(fold(grid.name.strip()))
        if table is not None and table.name not in found:
            found[table.name] = grid
            continue
        if table is not None:  # a second grid for the same table
            raise DataError(
                Diagnostic("duplicate-table", {"where": grid.where, "table": table.name})
            )
        names = [tb.name for tb in tables if tb.name not in found]
        hint = closest(grid.name[:200], names)
        if hint is not None:
            notices.append(
                warning(
                    "note-sheet-ignored", where=grid.where, hint=Phrase("sheet hint", name=hint)
                )
            )
        else:
            notices.append(note("note-sheet-ignored", where=grid.where, hint=""))
    return found, notices


# -------------------------------------------------------------- assembling


class _Subject:
    """A record being assembled."""

    __slots__ = ("doc", "error", "label", "notices")

    def __init__(self, label: str, doc: dict[str, Any]) -> None:
        self.label = label
        self.doc = doc
        self.error: AntqError | None = None
        self.notices: list[Diagnostic] = []

    def fail(self, error: AntqError) -> None:
        if self.error is None:
            self.error = error


def assemble(
    schema: Schema,
    subject: str,
    grids: list[Grid],
    limits: Limits = DEFAULT,
    notices: list[Diagnostic] | tuple[Diagnostic, ...] = (),
) -> list[Record]:
    """The subjects of a set of tables, each with its lists filled in (`notices`:
    what the reader noticed about the whole file or folder, for every subject)."""
    tables = tables_for(schema, subject)
    matched, file_notices = _match(grids, tables)
    file_notices = [*notices, *file_notices]
    if subject not in matched:
        hint = closest(subject, [g.name for g in grids])
        raise DataError(
            Diagnostic(
                "missing-table",
                {
                    "table": subject,
                    "known": ", ".join(sorted(g.name[:60] for g in grids)) or "—",
                },
                helps=(("help-did-you-mean", {"name": hint}),) if hint else (),
            )
        )
    rows = sum(len(grid.rows) for grid in matched.values())
    if rows > limits.rows:
        where = next(iter(matched.values())).where.rsplit(",", 1)[0]
        what = Phrase("row count", count=f"{limits.rows:,}")
        raise over_limit(where, what, "rows", limits)
    subjects: list[_Subject] = []
    orphans: list[Record] = []
    # table name -> {row id: (doc, subject index)}
    documents: dict[str, dict[str, tuple[dict[str, Any], int]]] = {}
    # table name -> {an id used by more than one row: (doc or None, subject index) of each}
    ambiguities: dict[str, dict[str, list[tuple[dict[str, Any] | None, int]]]] = {}
    cells_read = 0
    for table in tables:
        grid = matched.get(table.name)
        if grid is None:
            continue
        if grid.hidden:
            file_notices.append(warning("warn-hidden-sheet", where=grid.where))
        if not grid.rows:
            continue
        header_number, headers = grid.rows[0]
        header_map = _header_map(headers, table, f"{grid.where}, row {header_number}")
        unlabelled = sorted(
            {i for _, cells in grid.rows[1:] for i, v in cells.items() if i not in header_map}
            - {i for i, h in headers.items() if h is not None and str(h).strip()}
        )
        if unlabelled:
            letters = ", ".join(column_letter(i) for i in unlabelled[:10])
            file_notices.append(warning("warn-unlabelled-column", where=grid.where, column=letters))
        column_types = {c.name: c.type for c in table.columns}
        by_id: dict[str, tuple[dict[str, Any], int]] = {}
        parents = documents.get(table.parent or "", {})
        if table.parent is not None:
            # Every parent gets the list (empty when it has no rows): the table exists.
            for parent_doc, _ in parents.values():
                parent_doc.setdefault(table.field, [])
        owners: dict[int, int] = {}  # row number -> subject index, for row notices
        orphan_rows: list[int] = []  # rows that link to no parent row
        ambiguous: dict[str, list[tuple[dict[str, Any] | None, int]]] = {}
        parent_ambiguous = ambiguities.get(table.parent or "", {})
        unplaced: dict[int, tuple[list[int], set[str]]] = {}  # subject -> (rows, parent ids)
        for number, cells in grid.rows[1:]:
            if all(isinstance(v, str) and not v.strip() for v in cells.values()):
                continue  # (a row of spaces is an empty row)
            cells_read += len(cells)
            if cells_read > limits.cells:
                raise over_limit(
                    grid.where, Phrase("cell count", count=limits.cells), "cells", limits
                )
            at = f"{grid.where}, row {number}"
            doc, row_id, parent_id, problem = _read_row(
                cells, header_map, table, column_types, at, limits
            )
            if table.parent is None:
                label = at + (f" ({doc.get('name')})" if isinstance(doc.get("name"), str) else "")
                owner = len(subjects)
                subjects.append(_Subject(label, doc))
            else:
                if parent_id is not None and parent_id in parent_ambiguous:
                    # The parent's id is used twice: whose row this is cannot be told.
                    holders = parent_ambiguous[parent_id]
                    for parent_doc, holder in holders:
                        if parent_doc is not None:
                            parent_doc.pop(table.field, None)
                        rows_of, ids = unplaced.setdefault(holder, ([], set()))
                        if not rows_of or rows_of[-1] != number:
                            rows_of.append(number)
                        ids.add(parent_id)
                    key = row_id if row_id is not None else f"#{number}"
                    known = ambiguous.setdefault(key, [by_id[key]] if key in by_id else [])
                    known.extend((None, h) for _, h in holders)
                    continue
                owner = _parent_of(parent_id, parents, table, at)
                if isinstance(owner, AntqError):
                    orphans.append(Record(at, None, owner))
                    orphan_rows.append(number)
                    continue
                parent_doc = (
                    parents[parent_id][0]
                    if parent_id is not None
                    else next(iter(parents.values()))[0]
                )
                parent_doc.setdefault(table.field, []).append(doc)
            owners[number] = owner
            if problem is not None:
                subjects[owner].fail(problem)
            key = row_id if row_id is not None else f"#{number}"
            if key in by_id or key in ambiguous:
                subjects[owner].fail(
                    DataError(Diagnostic("duplicate-id", {"where": at, "id": key}))
                )
                ambiguous.setdefault(key, [by_id[key]] if key in by_id else []).append((doc, owner))
                continue
            by_id[key] = (doc, owner)
        documents[table.name] = by_id
        ambiguities[table.name] = ambiguous
        for owner, (rows_of, ids) in unplaced.items():
            subjects[owner].notices.append(_ambiguous_rows(table, grid, rows_of, ids))
        if orphan_rows:
            file_notices.append(_unknown_lists(table, grid, parents, orphan_rows))
        for first, last, notice in grid.row_notices:
            concerned = (
                {owners[n] for n in range(first, last + 1) if n in owners}
                if (last - first < 100_000)
                else {o for n, o in owners.items() if first <= n <= last}
            )
            for owner in sorted(concerned):
                subjects[owner].notices.append(notice)
    absent = _absent(tables, matched)
    records = [
        Record(s.label, s.doc, s.error, tuple(file_notices) + tuple(s.notices), absent)
        for s in subjects
    ]
    return records + orphans


def _unknown_lists(
    table: Table,
    grid: Grid,
    parents: Mapping[str, tuple[dict[str, Any], int]],
    orphan_rows: list[int],
) -> Diagnostic:
    """Rows that link to no parent could belong to any subject: judging the
    others as if those rows did not exist would be a silent wrong verdict
    (a sum of 0, a count short). So every parent's list of that kind is
    made unknown (left out), and a warning names the rows."""
    assert table.field is not None
    for parent_doc, _ in parents.values():
        parent_doc.pop(table.field, None)
    shown = ", ".join(str(n) for n in orphan_rows[:10]) + (", …" if len(orphan_rows) > 10 else "")
    return warning(
        "warn-orphan-rows",
        where=grid.where,
        rows=shown,
        parent=table.parent,
        table=table.name,
        label=table.label or table.field,
    )


def _ambiguous_rows(table: Table, grid: Grid, rows: list[int], ids: set[str]) -> Diagnostic:
    """Rows linked to a parent id that more than one row uses: they could be
    any of those rows', so the list is unknown (left out) for each subject
    concerned, as for rows linked to no parent (`_unknown_lists`)."""
    shown = ", ".join(str(n) for n in rows[:10]) + (", …" if len(rows) > 10 else "")
    named = ", ".join(f"`{i[:60]}`" for i in sorted(ids)[:5]) + (", …" if len(ids) > 5 else "")
    return warning(
        "warn-ambiguous-rows",
        where=grid.where,
        rows=shown,
        column=table.link,
        ids=named,
        parent=table.parent,
        table=table.name,
        label=table.label or table.field,
    )


def _absent(
    tables: list[Table], matched: Mapping[str, Grid]
) -> tuple[tuple[str, str, Diagnostic], ...]:
    """A warning for each list whose table is left out while its parent's is
    there (a missing list is unknown, where an empty table means "none")."""
    subject = matched[tables[0].name].where
    suffix = Path(subject).suffix.lower()
    files = suffix in (".csv", ".parquet")  # (a folder of files, or a workbook's sheets)
    place = str(Path(subject).parent) if files else subject.rsplit(", sheet ", 1)[0]
    out = []
    for table in tables:
        if table.name in matched or table.parent not in matched:
            continue
        assert table.parent_entity is not None and table.field is not None
        notice = warning(
            "warn-missing-csv" if files else "warn-missing-sheet",
            where=place,
            table=table.name + suffix if files else table.name,
            label=table.label or table.field,
        )
        out.append((table.parent_entity, table.field, notice))
    return tuple(out)


def _read_row(
    cells: Mapping[int, Any],
    header_map: Mapping[int, str],
    table: Table,
    column_types: Mapping[str, t.Type],
    at: str,
    limits: Limits,
) -> tuple[dict[str, Any], str | None, str | None, AntqError | None]:
    """(the row's document, its id, its parent's id, the first problem in it)."""
    doc: dict[str, Any] = {}
    row_id = parent_id = None
    problem: AntqError | None = None
    for index, column in header_map.items():
        raw = cells.get(index)
        if raw is None:
            continue
        where = f"{at}, column {column_letter(index)} ({column})"
        if isinstance(raw, CellProblem):
            problem = problem or DataError(Diagnostic(raw.code, {"where": where, **raw.params}))
            continue
        if isinstance(raw, str) and len(raw) > limits.text:
            problem = problem or over_limit(
                where, Phrase("text length", count=len(raw)), "text", limits
            )
            continue
        if isinstance(raw, int) and raw.bit_length() > limits.digits * 3.33 + 4:
            count = len(str(raw)) if raw.bit_length() < 10_000 else raw.bit_length() * 3 // 10
            problem = problem or over_limit(
                where, Phrase("integer digits", count=count), "digits", limits
            )
            continue
        digits = _number_digits(raw, column_types.get(column))
        if digits > limits.digits:
            problem = problem or over_limit(
                where, Phrase("integer digits", count=digits), "digits", limits
            )
            continue
        if column == "id" or column == table.link:
            text = cell_value(raw, t.TEXT) if str(raw).strip() else None
            if column == "id":
                row_id = text
            else:
                parent_id = text
            continue
        try:
            value = cell_value(raw, column_types[column])
        except CellError as error:
            from ..data import describe_value

            helps = (("help-did-you-mean", {"name": error.hint}),) if error.hint else ()
            problem = problem or DataError(
                Diagnostic(
                    "bad-cell",
                    {"where": where, "expected": error.expected, "got": describe_value(error.got)},
                    helps=helps,
                )
            )
            continue
        if value is not None:
            _set_path(doc, column, value)
    return doc, row_id, parent_id, problem


def _number_digits(raw: Any, type_: t.Type | None) -> int:
    """The digits of a number written as text in a number column (0 otherwise):
    held to `Limits.digits` as in JSON, whatever the cell's length."""
    if not isinstance(raw, str) or type_ not in (t.INT, t.DECIMAL):
        return 0
    return sum(ch.isdigit() for ch in raw)


def _parent_of(
    parent_id: str | None,
    parents: Mapping[str, tuple[dict[str, Any], int]],
    table: Table,
    at: str,
) -> int | AntqError:
    if parent_id is None:
        if len(parents) != 1:
            return DataError(Diagnostic("missing-link", {"where": at, "column": table.link}))
        return next(iter(parents.values()))[1]
    if parent_id not in parents:
        return DataError(
            Diagnostic(
                "unknown-parent",
                {"where": at, "column": table.link, "id": parent_id, "table": table.parent},
            )
        )
    return parents[parent_id][1]
