"""Data files to records: JSON, YAML, a folder of CSV files, an Excel workbook.

`read_records` reads one file or folder; `iter_records` a list of them, one
after another, so that a file that cannot be read becomes an error record
and the others are still judged. Each reader checks its `Limits` before or
while it reads (see `antq_rules.limits`); every problem is an `AntqError`
naming the file, sheet, row and column.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import AntqError, DataError, Diagnostic, note, warning
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from ..schema import Schema
from ..source import normalize_text
from ..suggest import fold
from .cells import column_letter
from .documents import load_json, load_yaml
from .stream import Refused, iter_json, iter_yaml
from .tables import GUIDE_NAMES, CellProblem, Grid, Record, assemble
from .text import examine, over_limit, read_text

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


def read_json(path: Path, encoding: str | None = None, limits: Limits = DEFAULT) -> Any:
    return load_json(read_text(path, encoding, limits), str(path), limits)


def read_yaml(path: Path, encoding: str | None = None, limits: Limits = DEFAULT) -> Any:
    return load_yaml(read_text(path, encoding, limits), str(path), limits)


# --------------------------------------------------------------------- CSV


def _delimiter(text: str) -> str:
    """`,`, `;` or a tab: the one the header line uses most (outside quotes).
    (csv.Sniffer's regular expressions are not for untrusted text.)"""
    line = text.split("\n", 1)[0]
    outside = "".join(part for i, part in enumerate(line.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv_folder(
    folder: Path,
    schema: Schema,
    subject: str,
    encoding: str | None = None,
    limits: Limits = DEFAULT,
) -> list[Record]:
    grids: list[Grid] = []
    cells = 0
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        raise AntqError(
            Diagnostic(
                "unreadable-file", {"path": str(folder), "detail": error.strerror or str(error)}
            )
        ) from None
    paths = [p for p in entries if p.suffix.lower() == ".csv"]
    for path in paths:
        rows, cells = _csv_rows(path, read_text(path, encoding, limits), cells, folder, limits)
        grids.append(Grid(normalize_text(path.stem), str(path), rows))
    if not grids:
        raise DataError(Diagnostic("no-tables", {"path": str(folder)}))
    notices = _not_read(folder, [p for p in entries if p.suffix.lower() != ".csv"])
    return assemble(schema, subject, grids, limits, notices)


_MAX_NAMED = 20  # data files in a CSV folder warned about one by one


def _not_read(folder: Path, others: list[Path]) -> list[Diagnostic]:
    """What a CSV folder holds besides its .csv files is not read: say so, so that
    no subject in a workbook (or a JSON or YAML file) put there vanishes unseen.
    A data file gets a warning of its own; the rest (other files, folders inside)
    one note naming them."""
    notices: list[Diagnostic] = []
    rest: list[str] = []
    for path in others:
        if path.suffix.lower() == ".txt" and fold(path.stem) in GUIDE_NAMES:
            continue  # the template's own instructions (`HUONG_DAN.txt`): nothing to say
        try:
            is_dir = path.is_dir()
        except (OSError, ValueError):
            is_dir = False
        name = normalize_text(path.name)
        data = path.suffix.lower() in (*XLSX_SUFFIXES, *JSON_SUFFIXES, *YAML_SUFFIXES)
        if data and not is_dir and not name.startswith(("~$", ".")) and len(notices) < _MAX_NAMED:
            notices.append(warning("warn-data-file-not-read", where=str(path)))
        else:
            rest.append(f"`{name[:100]}{'/' if is_dir else ''}`")
    if rest:
        shown = ", ".join(rest[:10])
        more = Phrase("and more files", count=f"{len(rest) - 10:,}") if len(rest) > 10 else ""
        notices.append(note("note-files-not-read", where=str(folder), names=shown, more=more))
    return notices


def _csv_rows(
    path: Path, text: str, cells: int, folder: Path, limits: Limits
) -> tuple[list[tuple[int, dict[int, Any]]], int]:
    """The non-empty rows of one CSV file, and the cells of the folder so far.

    Strict parsing: a quote left open would otherwise make the rest of the
    file one cell, silently losing every later row."""
    rows: list[tuple[int, dict[int, Any]]] = []
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text), strict=True)
    start = 1  # the line the record being read starts on
    try:
        for row in reader:
            cells += len(row)
            if cells > limits.cells:
                raise over_limit(
                    str(folder), Phrase("cell count", count=limits.cells), "cells", limits
                )
            values = {i: v for i, v in enumerate(row) if v}
            if values:
                rows.append((reader.line_num, values))
            start = reader.line_num + 1
    except csv.Error as error:
        if "end of data" in str(error):  # (a quote still open at the end of the file)
            where = f"{path}, row {start}"
            raise DataError(Diagnostic("csv-open-quote", {"where": where})) from None
        raise DataError(
            Diagnostic("bad-csv", {"where": f"{path}, row {start}", "detail": str(error)})
        ) from None
    return rows, cells


# -------------------------------------------------------------------- XLSX


def read_xlsx(path: Path, schema: Schema, subject: str, limits: Limits = DEFAULT) -> list[Record]:
    from .xlsx import ExcelError, MissingValue, NotADate, read_workbook

    grids: list[Grid] = []
    for sheet in read_workbook(path, limits):
        where = f"{path}, sheet {sheet.title!r}"
        rows: list[tuple[int, dict[int, Any]]] = []
        for number, cells in sheet.rows:
            for index, value in cells.items():
                if isinstance(value, ExcelError):
                    cells[index] = CellProblem("excel-error", {"code": value.code})
                elif isinstance(value, MissingValue):
                    cells[index] = CellProblem("formula-no-value", {"formula": "=" + value.formula})
                elif isinstance(value, NotADate):
                    why = Phrase(f"date {value.reason}")
                    cells[index] = CellProblem("not-a-date", {"value": value.value, "why": why})
            rows.append((number, cells))
        notices: list[tuple[int, int, Any]] = []
        for merge in sheet.merges:
            first = f"{column_letter(merge.first_col)}{merge.first_row}"
            notices.append(
                (
                    merge.first_row,
                    merge.last_row,
                    note("note-merged", where=where, range=merge.ref, first=first),
                )
            )
        for first_row, last_row in _runs(sheet.hidden_rows):
            shown = str(first_row) if first_row == last_row else f"{first_row}–{last_row}"
            notices.append(
                (first_row, last_row, warning("warn-hidden-rows", where=where, rows=shown))
            )
        hidden = _hidden_columns(sheet.hidden_columns, rows)
        if hidden:  # (for every row: each row of the sheet has its hidden values read)
            notice = warning("warn-hidden-columns", where=where, columns=hidden)
            notices.append((1, 1_048_576, notice))
        grids.append(Grid(sheet.title, where, rows, sheet.hidden, tuple(notices)))
    return assemble(schema, subject, grids, limits)


def _hidden_columns(
    spans: tuple[tuple[int, int], ...], rows: list[tuple[int, dict[int, Any]]]
) -> str:
    """`C, F`: the hidden columns that hold a value (read as hidden rows are:
    judged like the others, with a warning)."""
    if not spans:
        return ""
    joined: list[list[int]] = []  # (spans may overlap: joined, they cover 16,384 at most)
    for first, last in sorted(spans):
        if joined and first <= joined[-1][1] + 1:
            joined[-1][1] = max(joined[-1][1], last)
        else:
            joined.append([first, last])
    marked = {i for first, last in joined for i in range(first, last + 1)}
    filled = {index for _, cells in rows for index in cells}
    hidden = sorted(filled & marked)
    shown = ", ".join(column_letter(i) for i in hidden[:10])
    return shown + (", …" if len(hidden) > 10 else "")


def _runs(numbers: tuple[int, ...]) -> list[tuple[int, int]]:
    """[3, 4, 5, 9] → [(3, 5), (9, 9)]"""
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


# ----------------------------------------------------------------- records


def read_records(
    path: Path,
    schema: Schema,
    subject: str,
    encoding: str | None = None,
    limits: Limits = DEFAULT,
) -> list[Record]:
    """Every subject in a data file or folder (a list in JSON/YAML is a batch)."""
    return list(_file_records(Path(path), schema, subject, encoding, limits))


def _file_records(
    path: Path, schema: Schema, subject: str, encoding: str | None, limits: Limits
) -> Iterator[Record]:
    """The subjects of one file or folder, as they are read."""
    try:
        is_dir = path.is_dir()
    except (OSError, ValueError):
        is_dir = False
    if is_dir:
        yield from read_csv_folder(path, schema, subject, encoding, limits)
        return
    examine(path, limits)
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        yield from read_xlsx(path, schema, subject, limits)
        return
    if suffix == ".csv":
        raise DataError(Diagnostic("csv-needs-folder", {"path": str(path)}))
    if suffix == ".parquet":  # (tables for a database engine: not a text the readers read)
        raise DataError(Diagnostic("parquet-needs-engine", {"path": str(path)}))
    yaml = suffix in YAML_SUFFIXES
    items = iter_yaml(path, encoding, limits) if yaml else iter_json(path, encoding, limits)
    for index, item in items:
        label = str(path) if index is None else f"{path}[{index}]"
        if isinstance(item, Refused):
            yield Record(label, error=item.error)
            continue
        if yaml:
            if index is None and item is None:  # (nothing but blanks or comments)
                raise DataError(Diagnostic("empty-data-file", {"path": str(path)}))
            office_bools(item, schema, subject)
        yield Record(label, item)


def office_bools(document: Any, schema: Schema, entity: str) -> None:
    """A YAML file is written by hand, as a CSV file is: a text in a bool field
    (`có`, `không`, `x`, `yes`, `no`…, now that YAML reads only `true`/`false` as
    booleans) is read as a CSV cell is. A text that is no such word is left for
    validation to refuse by name. (In place; iterative, the document may be deep.)"""
    from .. import types as t
    from .cells import CellError, cell_value

    stack: list[tuple[Any, str]] = [(document, entity)]
    while stack:
        doc, name = stack.pop()
        definition = schema.entities.get(name)
        if type(doc) is not dict or definition is None:
            continue
        for field in definition.fields.values():
            value = doc.get(field.name)
            if value is None:
                continue
            ftype = field.type
            if ftype == t.BOOL and isinstance(value, str) and value.strip():
                with contextlib.suppress(CellError):
                    doc[field.name] = cell_value(value, t.BOOL)
            elif isinstance(ftype, t.Entity):
                stack.append((value, ftype.name))
            elif isinstance(ftype, t.List) and type(value) is list:
                if isinstance(ftype.item, t.Entity):
                    stack.extend((item, ftype.item.name) for item in value)
                elif ftype.item == t.BOOL:
                    for i, item in enumerate(value):
                        if isinstance(item, str) and item.strip():
                            with contextlib.suppress(CellError):
                                value[i] = cell_value(item, t.BOOL)


def iter_records(
    paths: list[Path],
    schema: Schema,
    subject: str,
    encoding: str | None = None,
    limits: Limits = DEFAULT,
) -> Iterator[Record]:
    """The records of every file in turn, each as soon as it is read (a JSON
    or YAML list is read one subject at a time). A file that cannot be read,
    or stops being readable part-way, gives an error record after the
    subjects read before the problem, and the next file is read."""
    for path in paths:
        try:
            yield from _file_records(Path(path), schema, subject, encoding, limits)
        except AntqError as error:
            yield Record(str(path), None, error)
        except RecursionError:
            yield Record(str(path), None, DataError(Diagnostic("data-too-deep", {})))
        except MemoryError:
            yield Record(str(path), None, _raised(MemoryError("out of memory")))
        except Exception as error:  # a bug in a reader: this file is lost, not the batch
            yield Record(str(path), None, _raised(error))


def read_data(
    path: Any,
    target: Any,
    subject: str | None = None,
    *,
    encoding: str | None = None,
    limits: Limits = DEFAULT,
) -> list[Record]:
    """The subjects of a data file or folder, read for a ruleset (or for a
    `Schema` and the name of its subject entity): JSON or YAML (a list is a
    batch), an .xlsx workbook or a folder of CSV files in the template's
    layout. Each `Record` has the subject's `data` (what `evaluate` takes),
    a `label`, the `error` that stopped it if any (the others are still
    read) and the `notices` the reader noted (merged cells, hidden rows…)."""
    schema = getattr(target, "schema", target)
    subject = subject or getattr(target, "subject", None)
    if not isinstance(schema, Schema) or not subject:
        raise AntqError(Diagnostic("needs-subject", {}))
    return list(iter_records([Path(path)], schema, subject, encoding, limits))


def _raised(error: BaseException) -> AntqError:
    detail = f"`{type(error).__name__}: {str(error)[:200]}`"
    return AntqError(Diagnostic("record-raised", {"detail": detail}))
