"""Data files as officials keep them: JSON, YAML, a folder of CSV files, an
Excel workbook — turned into the documents a ruleset judges.

Tables (CSV files or sheets) hold one collection each. The subject's table
is named after its entity (`commune`); a list field's table after its path
from the subject (`areas`, `areas.incidents`). A row links to its parent by
a `<parent entity>_id` column (`commune_id`, `area_id`) matching the
parent's `id`; with a single subject the column may be left out. A field of
a nested entity is a dotted column (`party_resolution.date`); a list of
plain values is one cell, items separated by `;`. Headers may be the field
name, its label from the schema, or `Label (field)` as `antq schema
--template` writes them.

Cells are read as a commune office writes them: `có`/`không`, `x`, `1`/`0`
for true/false; `0,95`, `95%` and `3.013` for numbers; `15/11/2021` and
`2021-11-15` for dates. An empty cell is unknown. Text may be UTF-8 (with or
without a byte-order mark), UTF-16 with a mark, or Windows-1258 as older
Excel saves it; NFD and NFC both read as the same letters. Every problem is
an `AntqError` naming the file, sheet, row and column.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from . import types as t
from .errors import AntqError, DataError, Diagnostic
from .messages import Phrase
from .schema import EntityDef, Schema
from .source import normalize_text
from .suggest import fold

JSON_SUFFIXES = (".json",)
YAML_SUFFIXES = (".yaml", ".yml")
XLSX_SUFFIXES = (".xlsx", ".xlsm")


@attrs.frozen
class Record:
    """One subject read from a file: its data, or the error that stopped it."""

    label: str
    data: Any = None
    error: AntqError | None = attrs.field(default=None, eq=False)


def _problem(code: str, **params: Any) -> DataError:
    return DataError(Diagnostic(code, params))


# ------------------------------------------------------------------- text


def decode(raw: bytes, where: str, encoding: str | None = None) -> str:
    """Bytes to NFC text: by a byte-order mark, as UTF-8, or as Windows-1258."""
    if encoding:
        try:
            return normalize_text(raw.decode(encoding))
        except (UnicodeDecodeError, LookupError) as error:
            raise _problem("bad-encoding", where=where, detail=str(error)) from None
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return normalize_text(raw.decode(codec))
            except UnicodeDecodeError as error:
                raise _problem("bad-encoding", where=where, detail=str(error)) from None
    head = raw[:400]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: the zero bytes tell the order.
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return normalize_text(raw.decode(codec))
        except UnicodeDecodeError:
            raise _problem(
                "bad-encoding", where=where, detail="looks like UTF-16 but is not"
            ) from None
    try:
        return normalize_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Excel on Vietnamese Windows saves "CSV" in Windows-1258,
    # whose tone marks are combining characters; NFC joins them again.
    text = raw.decode("cp1258", errors="replace")
    if "\ufffd" in text:
        raise _problem("bad-encoding", where=where, detail="neither UTF-8 nor Windows-1258")
    return normalize_text(text)


def read_text(path: Path, encoding: str | None = None) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AntqError(Diagnostic("missing-file", {"path": str(path)})) from None
    except OSError as error:
        raise AntqError(
            Diagnostic(
                "unreadable-file", {"path": str(path), "detail": error.strerror or str(error)}
            )
        ) from None
    return decode(raw, str(path), encoding)


def read_json(path: Path, encoding: str | None = None) -> Any:
    text = read_text(path, encoding)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise _problem(
            "bad-json-at", where=f"{path}:{error.lineno}:{error.colno}", detail=error.msg
        ) from None


def read_yaml(path: Path, encoding: str | None = None) -> Any:
    import yaml

    text = read_text(path, encoding)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        detail = getattr(error, "problem", None) or str(error)
        raise AntqError(Diagnostic("bad-yaml", {"where": where, "detail": detail})) from None


# ------------------------------------------------------------------ cells

_TRUE = {"true", "1", "x", "yes", "y", "co", "dung", "dat", "v", "✓", "✔"}
_FALSE = {"false", "0", "no", "n", "khong", "sai", "khong dat", "chua dat", "-"}


class CellError(Exception):
    def __init__(self, expected: Any, got: Any) -> None:
        super().__init__(str(expected))
        self.expected = expected
        self.got = got


def cell_value(raw: Any, type_: t.Type) -> Any:
    """A cell (text from CSV, or a typed Excel value) as the declared type; None if empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(type_, t.List):
        parts = str(raw).split(";")
        return [cell_value(p, type_.item) for p in parts if p.strip()]
    if type_ == t.BOOL:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float)) and raw in (0, 1):
            return bool(raw)
        word = fold(str(raw).strip())
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise CellError(Phrase("true/false"), raw)
    if type_ == t.INT:
        if isinstance(raw, bool):
            raise CellError(Phrase("a whole number"), raw)
        if isinstance(raw, int):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
            text = text.replace(".", "").replace(",", "")
        try:
            return int(text)
        except ValueError:
            raise CellError(Phrase("a whole number"), raw) from None
    if type_ == t.DECIMAL:
        return _decimal(raw)
    if type_ == t.DATE:
        return _date(raw)
    if isinstance(type_, t.Enum):
        text = normalize_text(str(raw).strip())
        if text not in type_.values:
            by_fold = {fold(v): v for v in type_.values}
            if fold(text) in by_fold:
                return by_fold[fold(text)]
            raise CellError(Phrase("one of", values=", ".join(type_.values)), raw)
        return text
    text = (
        raw
        if isinstance(raw, str)
        else (str(int(raw)) if isinstance(raw, float) and raw.is_integer() else str(raw))
    )
    return normalize_text(text.strip())


def _decimal(raw: Any) -> Any:
    if isinstance(raw, bool):
        raise CellError(Phrase("a cell number"), raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return Fraction(repr(raw))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    percent = text.endswith("%")
    text = text.rstrip("%")
    if "," in text and "." in text:
        # 1.234,5 (Vietnamese) or 1,234.5 (English): the last mark is the decimal point.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        text = text.replace(",", ".")
    try:
        value = Fraction(Decimal(text))
    except (InvalidOperation, ValueError):
        raise CellError(Phrase("a cell number"), raw) from None
    value = value / 100 if percent else value
    return value.numerator if value.denominator == 1 else value


def _date(raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    try:
        return datetime.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    raise CellError(Phrase("a cell date"), raw)


# ----------------------------------------------------------------- tables


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
            )
        )
        for f in entity.fields.values():
            if isinstance(f.type, t.List) and isinstance(f.type.item, t.Entity):
                child = f.type.item.name
                if child in trail:
                    continue  # a recursive schema: one level is enough for tables
                name = f.name if parent is None else f"{table}.{f.name}"
                walk(name, child, table, entity_name, f.name, (*trail, child))

    walk(subject, subject, None, None, None, (subject,))
    return out


def _header_map(headers: list[Any], table: Table, where: str) -> dict[int, str]:
    """Column index → column name ('id', the link, or a field path)."""
    known = {c.name: c for c in table.columns}
    by_label = {fold(c.label): c.name for c in table.columns if c.label}
    by_fold = {fold(c.name): c.name for c in table.columns}
    specials = {"id"} | ({table.link} if table.link else set())
    out: dict[int, str] = {}
    for index, header in enumerate(headers):
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
            from .suggest import closest

            hint = closest(text, [*known, *specials])
            raise _problem(
                "unknown-column",
                where=where,
                column=text,
                hint=f"; did you mean `{hint}`?" if hint else "",
            )
    return out


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _set_path(row: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    target = row
    for part in parts[:-1]:
        target = target.setdefault(part, {})
    target[parts[-1]] = value


def assemble(
    schema: Schema,
    subject: str,
    rows_by_table: Mapping[str, tuple[str, list[list[Any]]]],
) -> list[Record]:
    """Documents from tables: rows_by_table[name] = (where, rows with the header first)."""
    tables = tables_for(schema, subject)
    if subject not in rows_by_table:
        raise _problem(
            "missing-table", table=subject, known=", ".join(sorted(rows_by_table)) or "none"
        )
    unknown = set(rows_by_table) - {table.name for table in tables}
    if unknown:
        from .suggest import closest

        name = sorted(unknown)[0]
        hint = closest(name, [table.name for table in tables])
        raise _problem(
            "unknown-table", table=name, hint=f"; did you mean `{hint}`?" if hint else ""
        )
    documents: dict[str, dict[str, tuple[dict[str, Any], str]]] = {}
    records: list[Record] = []
    for table in tables:
        if table.name not in rows_by_table:
            continue
        where, rows = rows_by_table[table.name]
        if not rows:
            continue
        header_map = _header_map(rows[0], table, f"{where}, row 1")
        column_types = {c.name: c.type for c in table.columns}
        by_id: dict[str, tuple[dict[str, Any], str]] = {}
        parents = documents.get(table.parent or "", {})
        if table.parent is not None:
            # Every parent gets the list (empty when it has no rows): the table exists.
            for parent_doc, _ in parents.values():
                parent_doc.setdefault(table.field, [])
        for number, cells in enumerate(rows[1:], start=2):
            if all(c is None or not str(c).strip() for c in cells):
                continue
            doc: dict[str, Any] = {}
            row_id = None
            parent_id = None
            at = f"{where}, row {number}"
            for index, column in header_map.items():
                raw = cells[index] if index < len(cells) else None
                if column == "id":
                    row_id = (
                        None if raw is None or not str(raw).strip() else cell_value(raw, t.TEXT)
                    )
                    continue
                if column == table.link:
                    parent_id = (
                        None if raw is None or not str(raw).strip() else cell_value(raw, t.TEXT)
                    )
                    continue
                try:
                    value = cell_value(raw, column_types[column])
                except CellError as error:
                    from .data import describe_value

                    raise _problem(
                        "bad-cell",
                        where=f"{at}, column {_column_letter(index)} ({column})",
                        expected=error.expected,
                        got=describe_value(error.got),
                    ) from None
                if value is not None:
                    _set_path(doc, column, value)
            label = f"{at}"
            key = row_id if row_id is not None else f"#{number}"
            if key in by_id:
                raise _problem("duplicate-id", where=at, id=key)
            by_id[key] = (doc, label)
            if table.parent is None:
                records.append(
                    Record(
                        f"{where}, row {number}"
                        + (f" ({doc.get('name')})" if doc.get("name") else ""),
                        doc,
                    )
                )
                continue
            if parent_id is None:
                if len(parents) != 1:
                    raise _problem("missing-link", where=at, column=table.link)
                parent_doc = next(iter(parents.values()))[0]
            else:
                if parent_id not in parents:
                    raise _problem(
                        "unknown-parent",
                        where=at,
                        column=table.link,
                        id=parent_id,
                        table=table.parent,
                    )
                parent_doc = parents[parent_id][0]
            parent_doc.setdefault(table.field, []).append(doc)
        documents[table.name] = by_id
    return records


# ----------------------------------------------------------- CSV and XLSX


def read_csv_folder(
    folder: Path, schema: Schema, subject: str, encoding: str | None = None
) -> list[Record]:
    rows_by_table: dict[str, tuple[str, list[list[Any]]]] = {}
    for path in sorted(folder.glob("*.csv")):
        text = read_text(path, encoding)
        sample = text[:2048]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = list(csv.reader(io.StringIO(text), dialect))
        rows_by_table[normalize_text(path.stem)] = (str(path), rows)
    if not rows_by_table:
        raise _problem("no-tables", path=str(folder))
    return assemble(schema, subject, rows_by_table)


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise AntqError(Diagnostic("needs-openpyxl", {})) from None
    return openpyxl


def read_xlsx(path: Path, schema: Schema, subject: str) -> list[Record]:
    openpyxl = _openpyxl()
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise AntqError(Diagnostic("missing-file", {"path": str(path)})) from None
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise _problem(
            "bad-xlsx", path=str(path), detail=str(error) or type(error).__name__
        ) from None
    rows_by_table: dict[str, tuple[str, list[list[Any]]]] = {}
    try:
        for sheet in workbook.worksheets:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            rows_by_table[normalize_text(sheet.title)] = (f"{path}, sheet {sheet.title!r}", rows)
    finally:
        workbook.close()
    return assemble(schema, subject, rows_by_table)


def write_template(schema: Schema, subject: str, out: Path, kind: str) -> list[Path]:
    """Empty tables for a subject: a folder of CSV files or one workbook."""
    tables = tables_for(schema, subject)
    if kind == "csv":
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for table in tables:
            path = out / f"{table.name}.csv"
            # UTF-8 with a byte-order mark: Excel then shows Vietnamese correctly.
            with path.open("w", encoding="utf-8-sig", newline="") as handle:
                csv.writer(handle).writerow(table.headers())
            written.append(path)
        return written
    openpyxl = _openpyxl()
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.headers())
        for index, header in enumerate(table.headers()):
            sheet.column_dimensions[_column_letter(index)].width = max(12, min(40, len(header) + 2))
        sheet.freeze_panes = "A2"
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return [out]


# ---------------------------------------------------------------- records


def read_records(
    path: Path, schema: Schema, subject: str, encoding: str | None = None
) -> list[Record]:
    """Every subject in a data file or folder (a list in JSON/YAML is a batch)."""
    if path.is_dir():
        return read_csv_folder(path, schema, subject, encoding)
    if not path.exists():
        raise AntqError(Diagnostic("missing-file", {"path": str(path)}))
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return read_xlsx(path, schema, subject)
    if suffix == ".csv":
        raise _problem("csv-needs-folder", path=str(path))
    document = read_yaml(path, encoding) if suffix in YAML_SUFFIXES else read_json(path, encoding)
    if isinstance(document, list):
        return [Record(f"{path}[{index}]", item) for index, item in enumerate(document)]
    return [Record(str(path), document)]


def iter_records(
    paths: list[Path], schema: Schema, subject: str, encoding: str | None = None
) -> Iterator[Record]:
    for path in paths:
        try:
            yield from read_records(path, schema, subject, encoding)
        except AntqError as error:
            yield Record(str(path), None, error)
