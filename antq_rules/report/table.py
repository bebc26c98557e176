"""Results as a table, one row a subject: CSV and an Excel workbook.

For the clerk who sorts and filters a province in a spreadsheet: index,
subject, verdict, level, score, criteria met, then one column a criterion.
Spreadsheets run what looks like a formula, so a cell that starts with `=`,
`+`, `-`, `@` (or a tab or carriage return) is written as text — a commune
called `=HYPERLINK(…)` must not become a link in the officer's Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ..messages import word
from ..result import Result
from . import format as fmt
from .text import xml_text

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


FIXED = ("#", "subject", "verdict", "level", "score", "criteria met", "error")


def header_for(criteria: list[str], lang: str) -> list[str]:
    """The columns: the fixed ones, then one a criterion."""
    return [word(name, lang) if name != "#" else name for name in FIXED] + list(criteria)


def row_of(result: Result, criteria: list[str], lang: str) -> list[Any]:
    """A result's row, its values as a reader writes them."""
    verdict = word("ERROR" if result.error is not None else result.verdict.name, lang)
    level = result.level or ("?" if result.level_candidates else "")
    score = (
        ""
        if result.score is None
        else f"{fmt.value(result.score, lang)}/{fmt.value(result.max_score, lang)}"
    )
    error = "" if result.error is None else result.error.first.message(lang)
    statuses = result.statuses
    return [
        result.index if result.index is not None else "",
        result.subject or "",
        verdict,
        level,
        score,
        "" if result.error is not None else result.summary_line(),
        error,
        *(word(statuses[c].name, lang) if c in statuses else "" for c in criteria),
    ]


def rows(results: Iterable[Result], lang: str = "vi") -> list[list[Any]]:
    """The header row, then a row a result; the criteria are those met in the results."""
    results = list(results)
    criteria: dict[str, None] = {}
    for result in results:
        for cid in result.statuses:
            criteria.setdefault(cid)
    ids = list(criteria)
    return [header_for(ids, lang), *(row_of(result, ids, lang) for result in results)]


def as_text(value: Any) -> str:
    """A cell's text, made inert if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_line(row: list[Any]) -> str:
    """One CSV line, cells made inert."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([as_text(cell) for cell in row])
    return buffer.getvalue()


def to_csv(results: Iterable[Result], lang: str = "vi") -> str:
    """UTF-8 CSV (written with a byte-order mark by the CLI, for Excel)."""
    return "".join(csv_line(row) for row in rows(results, lang))


class XlsxRows:
    """A workbook of results written row by row (openpyxl's write-only mode
    keeps rows on disk, not in memory)."""

    def __init__(self, lang: str) -> None:
        from ..readers.template import openpyxl

        module = openpyxl()
        self._cell = module.cell.WriteOnlyCell
        self.workbook = module.Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(word("results sheet", lang)[:31])
        self.sheet.freeze_panes = "C2"

    def append(self, row: list[Any]) -> None:
        cells = []
        for value in row:
            if isinstance(value, int) and not isinstance(value, bool):
                cells.append(value)
                continue
            # (set as a string explicitly: openpyxl reads "=…" as a formula)
            cell = self._cell(self.sheet, value="" if value is None else xml_text(str(value)))
            cell.data_type = "s"
            cells.append(cell)
        self.sheet.append(cells)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()


def to_xlsx(results: Iterable[Result], lang: str = "vi") -> bytes:
    """An Excel workbook of the results (needs openpyxl)."""
    book = XlsxRows(lang)
    for row in rows(results, lang):
        book.append(row)
    return book.save()
