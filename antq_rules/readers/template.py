"""Empty tables for a subject's data, to fill and read back: one workbook
(a sheet a table, after a "Hướng dẫn" sheet) or a folder of CSV files (with
`HUONG_DAN.txt`), with the headers the readers understand (`Label (field)`).

Given what a ruleset reads, a template holds only those lists and fields
(see `guide.template_tables`); every enum and yes/no column of a workbook
has a dropdown of Vietnamese labels.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import AntqError, Diagnostic
from ..schema import Schema
from .cells import column_letter
from .guide import INTRO, GuideTable, as_text, guide, template_tables
from .tables import GUIDE_SHEET, Table

GUIDE_FILE = "HUONG_DAN.txt"
# Rows of a sheet that get the dropdowns: far more than a commune has items.
VALIDATED_ROWS = 5000


def openpyxl() -> Any:
    try:
        import openpyxl as module
    except ImportError:
        raise AntqError(Diagnostic("needs-openpyxl", {})) from None
    return module


def headers(schema: Schema, table: Table) -> list[str]:
    """Row 1 of a table: `Mã (id)`, the parent key, then `Label (field)`; the
    readers take the name in brackets."""
    out = ["Mã (id)"]
    if table.link:
        owner = schema.entities[table.parent_entity or ""].label or table.parent_entity
        out.append(f"Mã {owner} ({table.link})")
    return out + table.headers()[len(out) :]


def write_template(
    schema: Schema,
    subject: str,
    out: Path,
    kind: str,
    *,
    reads: Mapping[str, frozenset[str]] | None = None,
    full: bool = False,
    title: str | None = None,
) -> list[Path]:
    """Write the template (`kind` "xlsx" or "csv"); the paths written.
    `reads`: what the ruleset reads (`reads.fields_read`): the template holds
    only that, unless `full`; None holds the whole schema."""
    tables = template_tables(schema, subject, None if full else reads)
    rows = {table.name: headers(schema, table) for table in tables}
    explained = guide(schema, tables, rows, reads)
    if kind == "csv":
        return _write_csv(tables, rows, explained, out, title)
    return [_write_xlsx(tables, rows, explained, out, title)]


def _write_csv(
    tables: list[Table],
    rows: Mapping[str, list[str]],
    explained: tuple[GuideTable, ...],
    out: Path,
    title: str | None,
) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = out / f"{table.name}.csv"
        # UTF-8 with a byte-order mark: Excel then shows Vietnamese correctly.
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerow(rows[table.name])
        written.append(path)
    readme = out / GUIDE_FILE
    # (with a byte-order mark too: Notepad on older Windows then reads UTF-8)
    readme.write_text(as_text(title, explained, ".csv"), encoding="utf-8-sig")
    return [*written, readme]


def _write_xlsx(
    tables: list[Table],
    rows: Mapping[str, list[str]],
    explained: tuple[GuideTable, ...],
    out: Path,
    title: str | None,
) -> Path:
    module = openpyxl()
    workbook = module.Workbook()
    workbook.remove(workbook.active)
    lists = _guide_sheet(workbook.create_sheet(GUIDE_SHEET), explained, title)
    for table, said in zip(tables, explained, strict=True):
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(rows[table.name])
        for index, header in enumerate(rows[table.name]):
            sheet.column_dimensions[column_letter(index)].width = max(12, min(40, len(header) + 2))
        sheet.freeze_panes = "A2"
        for index, column in enumerate(said.columns):
            if column.choices:
                _dropdown(sheet, index, column.choices, lists)
    # Into memory first: a failed write (a full disk) then fails in one place.
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        handle.write(buffer.getvalue())
    return out


_GUIDE_HEADERS = ("Trang tính", "Cột", "Tiêu đề cột", "Kiểu", "Giá trị", "Bộ tiêu chí đọc")
_GUIDE_WIDTHS = (22, 6, 60, 20, 60, 16)


def _guide_sheet(
    sheet: Any, explained: tuple[GuideTable, ...], title: str | None
) -> dict[tuple[str, ...], str]:
    """The instructions, a row a table and a column; then the dropdowns'
    values, a column a list, which the dropdowns refer to (a list written in
    the rule itself could hold no commas, nor more than 255 characters).
    Returns each list of values → its range."""
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    sheet.append([f"Hướng dẫn nhập liệu{' — ' + title if title else ''}"])
    sheet["A1"].font = Font(bold=True, size=14)
    for paragraph in INTRO:
        sheet.append([paragraph])  # (one line, overflowing the empty cells to its right)
    sheet.append([])
    sheet.append(list(_GUIDE_HEADERS))
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    start = sheet.max_row + 1
    for table in explained:
        sheet.append([table.name, None, table.about])
        sheet.cell(sheet.max_row, 1).font = bold
        for column in table.columns:
            said = (column.letter, column.header, column.kind, column.allowed, column.read)
            # (an empty text is an empty cell, not a cell holding "")
            sheet.append([None, *(text or None for text in said)])
    for row in sheet.iter_rows(min_row=start, max_col=len(_GUIDE_WIDTHS)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(_GUIDE_WIDTHS):
        sheet.column_dimensions[column_letter(index)].width = width
    sheet.append([])
    sheet.append(["Các danh sách chọn"])
    sheet.cell(sheet.max_row, 1).font = bold
    head = sheet.max_row + 1
    lists: dict[tuple[str, ...], str] = {}
    for table in explained:
        for column in table.columns:
            if not column.choices or column.choices in lists:
                continue
            index = len(lists)
            letter = column_letter(index)
            sheet.cell(head, index + 1, column.choices_title).font = bold
            for offset, value in enumerate(column.choices):
                sheet.cell(head + 1 + offset, index + 1, value)
            last = head + len(column.choices)
            lists[column.choices] = f"'{GUIDE_SHEET}'!${letter}${head + 1}:${letter}${last}"
    return lists


def _dropdown(
    sheet: Any, index: int, choices: tuple[str, ...], lists: Mapping[tuple[str, ...], str]
) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    rule = DataValidation(
        type="list",
        formula1=lists[choices],
        allow_blank=True,
        # A warning, not a refusal: a code typed by hand (`crime`), or `x` for
        # yes, is read as well.
        errorStyle="warning",
        showErrorMessage=True,
        errorTitle="Giá trị ngoài danh sách",
        error="Nên chọn một giá trị trong danh sách (xem trang “Hướng dẫn”).",
    )
    letter = column_letter(index)
    rule.add(f"{letter}2:{letter}{VALIDATED_ROWS}")
    sheet.add_data_validation(rule)
