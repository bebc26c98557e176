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

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def header(results: list[Result], lang: str) -> list[str]:
    """The columns: fixed ones, then every criterion met in the results, in order."""
    criteria: dict[str, None] = {}
    for result in results:
        for cid in result.statuses:
            criteria.setdefault(cid)
    fixed = ["#", "subject", "verdict", "level", "score", "criteria met", "error"]
    return [word(name, lang) if name != "#" else name for name in fixed] + list(criteria)


def rows(results: Iterable[Result], lang: str = "vi") -> list[list[Any]]:
    """The header row, then a row a result (values as a reader writes them)."""
    results = list(results)
    head = header(results, lang)
    criteria = head[7:]
    out: list[list[Any]] = [head]
    for result in results:
        verdict = word("ERROR" if result.error is not None else result.verdict.name, lang)
        level = result.level or ("?" if result.level_candidates else "")
        score = (
            ""
            if result.score is None
            else f"{fmt.value(result.score, lang)}/{fmt.value(result.max_score, lang)}"
        )
        error = "" if result.error is None else result.error.first.message(lang)
        statuses = result.statuses
        out.append(
            [
                result.index if result.index is not None else "",
                result.subject or "",
                verdict,
                level,
                score,
                "" if result.error is not None else result.summary_line(),
                error,
                *(word(statuses[c].name, lang) if c in statuses else "" for c in criteria),
            ]
        )
    return out


def as_text(value: Any) -> str:
    """A cell's text, made inert if a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(results: Iterable[Result], lang: str = "vi") -> str:
    """UTF-8 CSV (written with a byte-order mark by the CLI, for Excel)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows(results, lang):
        writer.writerow([as_text(cell) for cell in row])
    return buffer.getvalue()


def to_xlsx(results: Iterable[Result], lang: str = "vi") -> bytes:
    """An Excel workbook of the results (needs openpyxl)."""
    from ..readers.template import openpyxl

    workbook = openpyxl().Workbook()
    sheet = workbook.active
    sheet.title = word("results sheet", lang)[:31]
    for number, row in enumerate(rows(results, lang), start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=number, column=column)
            if isinstance(value, int) and not isinstance(value, bool):
                cell.value = value
            else:
                # (set as a string explicitly: openpyxl reads "=…" as a formula)
                cell.value = "" if value is None else str(value)
                cell.data_type = "s"
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
