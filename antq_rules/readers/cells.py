"""Cells as a commune office writes them, read as the declared type.

`có`/`không`, `x`, `1`/`0` for true/false; `0,95`, `95%` and `3.013` for
numbers; `15/11/2021` and `2021-11-15` for dates. An empty cell is unknown.
A cell is text (from CSV) or a typed value (from a workbook: an int, an
exact `Decimal`, a bool, a date). Nothing here knows where the cell is: a
`CellError` says what was expected, and the table layer adds the place.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from .. import labels
from .. import types as t
from ..messages import Phrase
from ..source import normalize_text
from ..suggest import fold

_TRUE = {"true", "1", "x", "yes", "y", "co", "dung", "dat", "v", "✓", "✔"}
# (not `-`: in an office's table it as often means "no figure" as "no"; it is
# refused by name, as it is in a number column)
_FALSE = {"false", "0", "no", "n", "khong", "sai", "khong dat", "chua dat"}
# Longer number texts are refused as "not a number" (their digits are first
# held to `Limits.digits` by the table layer, which is at most 4300).
_MAX_NUMBER_TEXT = 6000


def column_letter(index: int) -> str:
    """A column's letters as a spreadsheet shows them: 0 → `A`, 27 → `AB`."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class CellError(Exception):
    def __init__(self, expected: Any, got: Any, hint: str | None = None) -> None:
        super().__init__(str(expected))
        self.expected = expected
        self.got = got
        self.hint = hint  # what the cell may have meant, for "did you mean"


def cell_value(raw: Any, type_: t.Type) -> Any:
    """A cell as the declared type; None if empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(type_, t.List):
        parts = str(raw).split(";")
        return [cell_value(p, type_.item) for p in parts if p.strip()]
    if type_ == t.BOOL:
        if isinstance(raw, bool):
            return raw
        if isinstance(raw, (int, float, Decimal)) and raw in (0, 1):
            return bool(raw)
        word = fold(str(raw).strip())
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise CellError(Phrase("true/false"), raw)
    if type_ == t.INT:
        return _int(raw)
    if type_ == t.DECIMAL:
        return _decimal(raw)
    if type_ == t.DATE:
        return _date(raw)
    if isinstance(type_, t.Enum):
        # The code or its label, as the template's dropdown writes it.
        code = labels.code_of(str(raw), type_)
        if code is None:
            raise CellError(labels.expected(type_), raw, labels.suggestion(str(raw), type_))
        return code
    if isinstance(raw, str):
        return normalize_text(raw.strip())
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, (float, Decimal)) and raw == int(raw):
        return str(int(raw))
    if isinstance(raw, datetime.datetime):
        return raw.date().isoformat() if raw.time() == datetime.time() else raw.isoformat()
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return str(raw)


def _int(raw: Any) -> int:
    if isinstance(raw, (bool, datetime.date)):
        raise CellError(Phrase("a whole number"), raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, (float, Decimal)):
        if raw.is_finite() and raw == int(raw):
            return int(raw)
        raise CellError(Phrase("a whole number"), raw)
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if len(text) > _MAX_NUMBER_TEXT:
        raise CellError(Phrase("a whole number"), raw)
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    if not re.fullmatch(r"[+-]?\d+", text):
        raise CellError(Phrase("a whole number"), raw)
    return int(text)


def _decimal(raw: Any) -> Any:
    if isinstance(raw, (bool, datetime.date)):
        raise CellError(Phrase("a cell number"), raw)
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise CellError(Phrase("a cell number"), raw)
        return _simple(Fraction(repr(raw)))
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise CellError(Phrase("a cell number"), raw)
        return _simple(Fraction(raw))
    text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
    if len(text) > _MAX_NUMBER_TEXT:
        raise CellError(Phrase("a cell number"), raw)
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
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", text):
        raise CellError(Phrase("a cell number"), raw)
    try:
        value = Fraction(Decimal(text))
    except (InvalidOperation, ValueError):
        raise CellError(Phrase("a cell number"), raw) from None
    return _simple(value / 100 if percent else value)


def _simple(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value


def _date(raw: Any) -> datetime.date:
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = str(raw).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ][0-9:.]+)?", text):
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
