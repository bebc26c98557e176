"""Empty tables for a subject's data: a folder of CSV files or one workbook,
with the headers the readers understand (`Label (field)`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..errors import AntqError, Diagnostic
from ..schema import Schema
from .cells import column_letter
from .tables import tables_for


def openpyxl() -> Any:
    try:
        import openpyxl as module
    except ImportError:
        raise AntqError(Diagnostic("needs-openpyxl", {})) from None
    return module


def write_template(schema: Schema, subject: str, out: Path, kind: str) -> list[Path]:
    """Write the template; the paths written."""
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
    workbook = openpyxl().Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append(table.headers())
        for index, header in enumerate(table.headers()):
            sheet.column_dimensions[column_letter(index)].width = max(12, min(40, len(header) + 2))
        sheet.freeze_panes = "A2"
    # Into memory first: a failed write (a full disk) then fails in one place.
    buffer = io.BytesIO()
    workbook.save(buffer)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "wb") as handle:
        handle.write(buffer.getvalue())
    return [out]
