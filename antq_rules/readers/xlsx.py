"""A streaming reader of .xlsx workbooks that reads exactly what the office wrote, or refuses.

An .xlsx file is a zip of XML parts. `read_workbook` opens it with nothing but
the standard library (`zipfile`, `xml.etree.ElementTree`'s pull parser,
`decimal`, `datetime`) and returns every worksheet as a `Sheet`: its title, whether
it is hidden, its rows as sparse `{column: value}` dicts, its hidden rows and
the merged ranges it filled. Values are `str` (NFC), `int`, `Decimal` (numbers
read exactly from their text, never through `float`), `bool`, `datetime.date`,
`datetime.datetime`, `datetime.time` (a date-formatted number under one day),
`datetime.timedelta` (an elapsed-time format such as `[h]:mm`), `ExcelError`
(`#N/A`…), `MissingValue` (a formula saved without its result) and `NotADate`
(a date-formatted cell that cannot be a date).

How it stays safe on a file from anywhere:

- Limits are checked before the work they bound. The file's size is checked with
  `os.stat` before it is opened (and a folder, pipe or device is refused without
  opening it, since opening a FIFO blocks). The zip's end record is read by hand
  so that a directory of millions of entries is refused before `zipfile` builds
  it; then the declared unpacked sizes of all entries are summed and checked
  against `Limits.xlsx_bytes` before anything is inflated (`zipfile` never
  inflates an entry past its declared size, and checks its CRC at the end).
- XML parts are decoded to text by this module (UTF-8, or UTF-16 by its byte
  order mark) and each chunk is searched for `<!DOCTYPE` and `<!ENTITY` (with an
  overlap between chunks) before the parser sees it, so no entity is ever
  declared, let alone expanded, and no declared encoding can hide one.
- Parts are parsed as a stream of start/end events and every element is
  detached from the tree as soon as it ends, so memory holds the current path
  and the values read, never the tree of a sheet; nesting is bounded too.
- `<dimension>` is never read. Rows come from `<row>` elements and cells from
  `<c>` elements, with or without `r` references; rows are stored sparsely, so
  a cell at XFD1048576 costs one dict entry. Every stored cell, shared string
  (one per `<si>`), merge-filled cell and run of empty hidden rows counts against
  `Limits.cells`, and a merged range's area is counted before it is filled, so
  `A1:XFD1048576` is refused, not built. Rows that only a merged range fills
  share one dict, so the worst case is about 40 bytes per counted cell.
- Anything malformed (a damaged zip, a missing part, bad XML, a shared-string
  index out of range, a bad cell reference, two cells in one place…) is a
  `DataError` with code `bad-xlsx` and a short reason; no other exception leaves
  `read_workbook`.

Choices worth knowing: Excel's `_xHHHH_` escapes in text are decoded (that is
how Excel stores a carriage return or a control character); a `str`-typed
formula with an empty `<v>` is a formula whose result is the empty text, so the
cell is empty rather than `MissingValue`; serial 60 in the 1900 date system
(Excel's fictitious 29 February 1900), a negative serial, one after 9999 or a
`t="d"` text that is no ISO date is a `NotADate` for that cell (not guessed, and
not a reason to refuse the workbook: only a cell that is read is an error); a date
format on a number in [0, 1) gives a `datetime.time` (Excel's day 0 is not a
date), except in the 1904 system under a format that shows a date; a whole
serial gives a `date`, one with a fraction of a day a `datetime` (to the
millisecond). A `t="d"` cell's ISO 8601 text gives a `date`, or a `datetime`
when it has a time. Excel never writes rows, cells or merged ranges that
overlap or repeat; here a cell given twice is refused, rows out of order are
sorted, and a merged range never overwrites a cell that holds a value.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import stat
import struct
import unicodedata
import zipfile
import zlib
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import unquote
from xml.etree import ElementTree as ET

import attrs

from ..errors import AntqError, DataError, Diagnostic
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from .cells import column_letter

__all__ = ["ExcelError", "Merge", "MissingValue", "NotADate", "Sheet", "read_workbook"]


@attrs.frozen
class ExcelError:
    """A cell holding an Excel error value."""

    code: str  # "#N/A", "#DIV/0!", "#REF!", …


@attrs.frozen
class MissingValue:
    """A formula cell saved without a cached value (the file was never recalculated)."""

    formula: str  # the formula text without a leading "="


@attrs.frozen
class NotADate:
    """A cell whose number (or `t="d"` text) its format shows as a date, a time or a
    duration, but which cannot be one (serial 60 of 1900, a negative serial, a
    date after 9999…). Only this cell is wrong: the rest of the workbook is read."""

    value: str  # the number or text as written, shortened to at most about 40 characters
    reason: str  # "1900-02-29", "negative", "after-9999", "duration" or "not-iso"


@attrs.frozen
class Merge:
    """A merged range whose top-left value was copied into its other cells."""

    ref: str  # "B2:B5" as written in the file
    first_row: int  # 1-based row numbers
    last_row: int
    first_col: int  # 0-based column indexes (A = 0)
    last_col: int


@attrs.frozen
class Sheet:
    """One worksheet as written: sparse rows of values, hidden rows, merged ranges.

    Treat the row dicts as read-only: rows that only a merged range fills share one dict.
    """

    title: str  # the sheet's name, NFC-normalised
    hidden: bool  # state="hidden" or "veryHidden" in workbook.xml
    # (1-based row number, {0-based column: value}), ascending, only rows with a value
    rows: tuple[tuple[int, dict[int, Any]], ...]
    hidden_rows: tuple[int, ...]  # rows marked hidden that hold at least one value
    merges: tuple[Merge, ...]  # merged ranges that were filled (top-left had a value)
    # (first, last) 0-based columns marked hidden (`<col hidden="1">`), as written
    hidden_columns: tuple[tuple[int, int], ...] = ()


def read_workbook(path: Path, limits: Limits = DEFAULT) -> tuple[Sheet, ...]:
    """Every worksheet, in workbook order (chartsheets, dialog sheets and macro sheets are skipped).

    Raises `AntqError` (`missing-file`) or `DataError` (`not-a-file`, `over-limit`,
    `unsafe-xml`, `bad-xlsx`) and nothing else, whatever bytes the file holds.
    """
    path = Path(path)
    try:
        return _Reader(path, limits).read()
    except AntqError:
        raise
    except _Bad as error:
        raise _bad(path, error.detail) from None
    except RecursionError:
        raise _bad(path, "its XML is nested too deeply") from None
    except ET.ParseError as error:
        raise _bad(path, f"a part is not well-formed XML ({error})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _bad(path, f"the zip archive is damaged ({error or type(error).__name__})") from None
    except (NotImplementedError, RuntimeError) as error:
        raise _bad(path, f"it uses a zip feature that cannot be read ({error})") from None
    except UnicodeError as error:
        raise _bad(path, f"a name or part in it is not valid text ({error})") from None
    except OSError as error:
        detail = error.strerror or error
        raise _bad(path, f"it cannot be read; is the zip damaged? ({detail})") from None
    except (LookupError, ValueError, OverflowError, struct.error) as error:
        raise _bad(path, f"its zip or XML is damaged ({type(error).__name__}: {error})") from None
    except Exception as error:  # the promise: nothing but AntqError leaves read_workbook
        raise _bad(path, f"unexpected {type(error).__name__}: {error}") from error


# ------------------------------------------------------------------ constants

_MAX_ENTRIES = 10_000  # zip entries of one workbook
_MAX_DIRECTORY = 4 * 1024 * 1024  # bytes of the zip's central directory
_MAX_DEPTH = 100  # nesting of XML elements
_MAX_FORMATS = 1_000_000  # cell formats in styles.xml (Excel allows 64,000)
_MAX_NAMES = 4096  # distinct element names remembered
_EVENTS_PER_VALUE = 32  # parser events a stored value earns (16 elements: cell, row…)
_MIN_FREE_ELEMENTS = 100_000  # elements any workbook may hold besides those (styles, workbook…)
_CHUNK = 8 * 1024  # small enough that parser events die young (the GC stays idle)
_MAX_ROW = 1_048_576
_MAX_COL = 16_384
_MAX_NUMBER_TEXT = 400
_DAY_MS = 86_400_000
_LAST_SERIAL_1900 = 2_958_465  # 9999-12-31
_LAST_SERIAL_1904 = 2_957_003
_ORDINAL_1900 = dt.date(1899, 12, 30).toordinal()  # + serial, for serials from 61 on
_ORDINAL_1904 = dt.date(1904, 1, 1).toordinal()

_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected workbooks
_UNSAFE = re.compile(r"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_PLAIN = re.compile(r"-?[0-9]{1,20}(?:\.[0-9]{0,20})?")
_CELL = re.compile(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})")
_ELAPSED = re.compile(r"h+|m+|s+", re.IGNORECASE)
_COMPRESSIONS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}

# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the
# East Asian ones); everything else without a custom code is a number.
_BUILTIN_KINDS: dict[int, str] = {
    **{i: "date" for i in (14, 15, 16, 17, 22)},
    **{i: "time" for i in (18, 19, 20, 21, 45, 47)},
    46: "elapsed",
    **{i: "date" for i in range(27, 37)},
    **{i: "time" for i in (32, 33, 34, 35)},
    **{i: "date" for i in range(50, 59)},
    **{i: "time" for i in (55, 56)},
}


# --------------------------------------------------------------------- errors


class _Bad(Exception):
    """The workbook is malformed; `read_workbook` turns this into `bad-xlsx`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _NotDate(_Bad):
    """A cell that cannot be the date its format shows: the cell gets a `NotADate`."""

    def __init__(self, value: str, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.value = value
        self.reason = reason


def _shown(number: int | Decimal) -> str:
    """A number for a message: as written when short, else `1.000000E+300`."""
    text = str(number)
    if len(text) <= 24:
        return text
    return f"{Decimal(number):.6E}"


def _bad(path: Path, detail: str) -> DataError:
    return DataError(Diagnostic("bad-xlsx", {"path": str(path), "detail": detail}))


def _over(path: Path, what: Phrase, name: str, limit: str) -> DataError:
    params = {"where": str(path), "what": what, "name": name, "limit": limit}
    return DataError(Diagnostic("over-limit", params))


def _human(size: int) -> str:
    """`1288490189` → `1.2 GB` (units of 1024, as `--limit` reads them)."""
    if size < 1024:
        return f"{size:,} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:,.1f} {unit}"


class _Budget:
    """What is left of `Limits.cells` for the whole workbook."""

    def __init__(self, path: Path, cells: int) -> None:
        self.path = path
        self.cells = cells
        self.left = cells

    def over(self) -> DataError:
        what = Phrase("cell count", count=f"{self.cells:,}")
        return _over(self.path, what, "cells", f"{self.cells:,}")

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise self.over()


# --------------------------------------------------------------- small parsers


def _column(letters: str) -> int:
    """`A` → 0 … `XFD` → 16383; anything else is `_Bad`."""
    if not (1 <= len(letters) <= 3 and letters.isascii() and letters.isalpha()):
        raise _Bad(f"{letters!r} is not a column")
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    if index > _MAX_COL:
        raise _Bad(f"column {letters} is beyond XFD, Excel's last column")
    return index - 1


def _cell(ref: str) -> tuple[int, int]:
    """`B3` → (3, 1): a 1-based row and a 0-based column."""
    match = _CELL.fullmatch(ref)
    if match is None:
        raise _Bad(f"{ref!r} is not a cell reference")
    row = int(match.group(2))
    if row > _MAX_ROW:
        raise _Bad(f"row {row:,} is beyond row {_MAX_ROW:,}, Excel's last row")
    return row, _column(match.group(1))


def _range(ref: str) -> tuple[int, int, int, int]:
    """`B2:C5` → (2, 1, 5, 2): first row, first column, last row, last column."""
    first, sep, last = ref.partition(":")
    r1, c1 = _cell(first.strip())
    r2, c2 = _cell(last.strip()) if sep else (r1, c1)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _row_number(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or text[0] == "0" or len(text) > 7:
        raise _Bad(f"{text!r} is not a row number")
    number = int(text)
    if number > _MAX_ROW:
        raise _Bad(f"row {number:,} is beyond row {_MAX_ROW:,}, Excel's last row")
    return number


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return match.group(0) if 0xD800 <= code <= 0xDFFF else chr(code)


def _text(raw: str) -> str:
    """Text as the office typed it: Excel's `_xHHHH_` escapes decoded, NFC."""
    if "_x" in raw:
        raw = _ESCAPE.sub(_unescape, raw)
    if not raw.isascii():
        raw = unicodedata.normalize("NFC", raw)
    return raw


def _formula(raw: str) -> MissingValue:
    text = _text(raw)
    return MissingValue(text[1:] if text.startswith("=") else text)


def _number(text: str) -> int | Decimal:
    """The exact number a `<v>` holds: an `int` when whole, else a `Decimal`."""
    if _PLAIN.fullmatch(text):
        whole, _, fraction = text.partition(".")
        return int(whole) if not fraction.strip("0") else Decimal(text)
    if len(text) > _MAX_NUMBER_TEXT:
        raise _Bad(f"a number written with {len(text):,} characters")
    if not text.isascii() or "_" in text:
        raise _Bad(f"{text[:40]!r} is not a number")
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError):
        raise _Bad(f"{text[:40]!r} is not a number") from None
    if not number.is_finite():
        raise _Bad(f"{text[:40]!r} is not a number")
    if number.is_zero():
        return 0
    adjusted = number.adjusted()
    if adjusted > 308 or adjusted < -330:
        raise _Bad(f"{text[:40]!r} is outside the numbers Excel can hold")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= 0:
        return int(number)
    if number == number.to_integral_value():
        return int(number)
    return number


def _milliseconds(serial: int | Decimal) -> int:
    if isinstance(serial, int):
        return serial * _DAY_MS
    return int((serial * _DAY_MS).to_integral_value(rounding=ROUND_HALF_EVEN))


def _serial_date(serial: int | Decimal, kind: str, date1904: bool) -> Any:
    """An Excel serial number under a date or time format → date, datetime, time or timedelta."""
    shown = _shown(serial)
    if kind == "elapsed":
        if abs(serial) > 10_000_000:
            raise _NotDate(shown, "duration", f"{shown} is not a plausible duration")
        return dt.timedelta(milliseconds=_milliseconds(serial))
    if serial < 0:
        detail = f"{shown} is formatted as a date, but dates cannot be negative"
        raise _NotDate(shown, "negative", detail)
    if serial > _LAST_SERIAL_1900 + 1:  # (before multiplying: 1e300 days is no date)
        detail = f"{shown} is formatted as a date, but is after the year 9999"
        raise _NotDate(shown, "after-9999", detail)
    days, ms = divmod(_milliseconds(serial), _DAY_MS)
    if days > (_LAST_SERIAL_1904 if date1904 else _LAST_SERIAL_1900):
        detail = f"{shown} is formatted as a date, but is after the year 9999"
        raise _NotDate(shown, "after-9999", detail)
    if days == 0 and (kind == "time" or not date1904):
        seconds, ms = divmod(ms, 1000)
        minutes, seconds = divmod(seconds, 60)
        return dt.time(minutes // 60, minutes % 60, seconds, ms * 1000)
    if date1904:
        base = dt.datetime(1904, 1, 1)
    elif days < 60:
        base = dt.datetime(1899, 12, 31)
    elif days == 60:
        detail = "serial 60 is 29 February 1900, a date that Excel shows but never existed"
        raise _NotDate(shown, "1900-02-29", detail)
    else:
        base = dt.datetime(1899, 12, 30)
    moment = base + dt.timedelta(days=days, milliseconds=ms)
    return moment.date() if isinstance(serial, int) else moment


def _iso(text: str) -> Any:
    """A `t="d"` cell: ISO 8601 date, date and time, or time."""
    value = text.strip()
    if value[-1:] in ("Z", "z"):
        value = value[:-1]
    try:
        if "T" in value or " " in value:
            return dt.datetime.fromisoformat(value)
        if ":" in value:
            return dt.time.fromisoformat(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _NotDate(text[:40], "not-iso", f"{text[:40]!r} is not an ISO 8601 date") from None


def _format_kind(code: str) -> str | None:
    """`dd/mm/yyyy` → "date", `h:mm` → "time", `[h]:mm` → "elapsed", `0.00%` → None.

    Only the first section counts; quoted text, backslash-escaped characters,
    `_x` padding, `*x` fills and bracketed sections (colours, locales,
    conditions) are skipped, except `[h]`, `[m]`, `[s]` (elapsed time)."""
    letters: set[str] = set()
    elapsed = False
    i, end = 0, len(code)
    while i < end:
        char = code[i]
        if char == '"':
            close = code.find('"', i + 1)
            i = end if close < 0 else close + 1
        elif char in "\\_*":
            i += 2
        elif char == "[":
            close = code.find("]", i + 1)
            inner = code[i + 1 : end if close < 0 else close]
            if _ELAPSED.fullmatch(inner):
                elapsed = True
            i = end if close < 0 else close + 1
        elif char == ";":
            break
        elif code.startswith(("AM/PM", "am/pm"), i):
            i += 5
        elif code.startswith(("A/P", "a/p"), i):
            i += 3
        elif code[i : i + 7].lower() == "general":
            i += 7
        else:
            if char in "dmyhsDMYHS":
                letters.add(char.lower())
            i += 1
    if elapsed:
        return "elapsed"
    if "d" in letters or "y" in letters:
        return "date"
    if "h" in letters or "s" in letters:
        return "time"
    return "date" if "m" in letters else None


def _attribute(element: Any, local: str) -> str | None:
    """A namespaced attribute (`r:id`) by its local name, whatever its namespace."""
    for key, value in element.attrib.items():
        if key.startswith("{") and key.endswith("}" + local):
            return value
    return None


def _resolve(base: str, target: str) -> str:
    """A relationship target, relative to the folder `base` or absolute (`/xl/…`)."""
    target = target.replace("\\", "/")
    parts = target[1:].split("/") if target.startswith("/") else f"{base}/{target}".split("/")
    out: list[str] = []
    for part in parts:
        if part in ("", "."):
            continue
        if part == "..":
            if out:
                out.pop()
        else:
            out.append(part)
    return "/".join(out)


def _key(name: str) -> str:
    return name.replace("\\", "/").lstrip("/").lower()


# ----------------------------------------------------------------- the reader


class _Reader:
    """One reading of one workbook."""

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.budget = _Budget(path, limits.cells)
        self.rows = 0  # rows of the workbook so far (each becomes a record or an item)
        self.values = 0  # values stored so far (cells and shared strings)
        self.hidden_cols: list[tuple[int, int]] = []  # of the sheet being read
        self.events = 0  # XML start and end events parsed so far, in every part
        self.names: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self.zip: zipfile.ZipFile | None = None
        self.strings: list[str] = []
        self.styles: dict[str, str] = {}
        self.date1904 = False

    # ---- the file and the zip

    def read(self) -> tuple[Sheet, ...]:
        handle = self._open()
        with handle:
            size = os.fstat(handle.fileno()).st_size
            _check_directory(handle, size)
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                self.zip = archive
                self._index(archive)
                return self._workbook()

    def _open(self) -> BinaryIO:
        path = self.path
        try:
            info = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            raise AntqError(Diagnostic("missing-file", {"path": str(path)})) from None
        except (OSError, ValueError) as error:
            detail = getattr(error, "strerror", None) or error
            raise _Bad(f"it cannot be looked at ({detail})") from None
        self._check_kind(info)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            raise AntqError(Diagnostic("missing-file", {"path": str(path)})) from None
        except OSError as error:
            raise _Bad(f"it cannot be opened ({error.strerror or error})") from None
        try:
            # Check again what was opened: the path may have changed since os.stat.
            self._check_kind(os.fstat(fd))
            return os.fdopen(fd, "rb")
        except BaseException:
            os.close(fd)
            raise

    def _check_kind(self, info: os.stat_result) -> None:
        path = self.path
        if stat.S_ISDIR(info.st_mode):
            raise DataError(
                Diagnostic("not-a-file", {"path": str(path), "kind": Phrase("a folder")})
            )
        if not stat.S_ISREG(info.st_mode):
            raise DataError(
                Diagnostic("not-a-file", {"path": str(path), "kind": Phrase("a special file")})
            )
        limit = self.limits.file_bytes
        if info.st_size > limit:
            what = Phrase("size of file", size=_human(info.st_size))
            raise _over(path, what, "file_bytes", f"{limit:,} bytes")

    def _index(self, archive: zipfile.ZipFile) -> None:
        infos = archive.infolist()
        if len(infos) > _MAX_ENTRIES:
            raise _Bad(f"the zip holds {len(infos):,} entries; at most {_MAX_ENTRIES:,} are read")
        total = sum(info.file_size for info in infos)
        limit = self.limits.xlsx_bytes
        if total > limit:
            what = Phrase("unpacked size", size=_human(total))
            raise _over(self.path, what, "xlsx_bytes", f"{limit:,} bytes")
        for info in infos:
            if info.filename.endswith(("/", "\\")):
                continue
            key = _key(info.filename)
            if key in self.entries:
                raise _Bad(f"the zip holds two entries named {info.filename!r}")
            self.entries[key] = info

    def _find(self, name: str) -> zipfile.ZipInfo | None:
        info = self.entries.get(_key(name))
        if info is None and "%" in name:
            info = self.entries.get(_key(unquote(name)))
        return info

    # ---- XML parts

    def _batches(self, name: str) -> Iterator[list[tuple[str, Any]]]:
        """The start/end events of a part, a chunk at a time, after checking its text."""
        info = self._find(name)
        if info is None or self.zip is None:
            raise _Bad(f"the part {name} is missing")
        if info.flag_bits & 0x1:
            raise _Bad(f"the part {name} is encrypted")
        if info.compress_type not in _COMPRESSIONS:
            raise _Bad(f"the part {name} uses compression method {info.compress_type}")
        parser = ET.XMLPullParser(events=("start", "end"))
        decoder: Any = None
        tail = ""
        try:
            with self.zip.open(info) as raw:
                while True:
                    data = raw.read(_CHUNK)
                    if decoder is None:
                        decoder, data = _decoder(data)
                    text = decoder.decode(data, final=not data)
                    if text:
                        window = tail + text
                        if "<!" in window and _UNSAFE.search(window):
                            raise DataError(Diagnostic("unsafe-xml", {"path": str(self.path)}))
                        tail = window[-8:]
                        parser.feed(text)
                        events = list(parser.read_events())
                        if events:
                            yield events
                    if not data:
                        break
            parser.close()
        except ET.ParseError as error:
            raise _Bad(f"the part {name} is not well-formed XML ({error})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise _Bad(f"the part {name} is damaged ({error or type(error).__name__})") from None
        except UnicodeDecodeError:
            raise _Bad(f"the part {name} is not UTF-8 or UTF-16 text") from None
        events = list(parser.read_events())
        if events:
            yield events

    def _spend_events(self, count: int, pending: int = 0) -> None:
        """Bound the parsing work by the values it yields: a few hundred KB of
        zip can hold a gigabyte of empty elements (`<x/>`), each costing parser
        time and yielding nothing. Every workbook is allowed a free base
        (a sixteenth of `Limits.cells` elements) plus `_EVENTS_PER_VALUE` per value stored;
        past that, the file is refused under the limit `cells`. (`pending`:
        values stored by the sheet being read, not yet added to `values`.)"""
        self.events += count
        earned = (self.values + pending) * _EVENTS_PER_VALUE
        allowed = 2 * max(self.limits.cells // 16, _MIN_FREE_ELEMENTS) + earned
        if self.events > allowed:
            count_text = f"{allowed // 2:,}"
            what = Phrase("element count", count=count_text)
            raise _over(self.path, what, "cells", f"{self.limits.cells:,}")

    def _local(self, tag: str) -> str:
        name = tag.rpartition("}")[2] if tag[:1] == "{" else tag
        if len(self.names) < _MAX_NAMES:
            self.names[tag] = name
        return name

    def _walk(self, name: str) -> Iterator[tuple[bool, int, str, Any, list[str]]]:
        """(is start, depth, local name, element, names of its ancestors) for each element.

        Each element is detached from its parent when it ends, so the tree in
        memory is only the path to the current element."""
        names: list[str] = []
        elements: list[Any] = []
        for batch in self._batches(name):
            self._spend_events(len(batch))
            for event, element in batch:
                if event == "start":
                    if len(names) >= _MAX_DEPTH:
                        raise _Bad(f"the part {name} nests elements too deeply")
                    tag = self.names.get(element.tag) or self._local(element.tag)
                    yield True, len(names), tag, element, names
                    names.append(tag)
                    elements.append(element)
                else:
                    tag = names.pop()
                    elements.pop()
                    yield False, len(names), tag, element, names
                    if elements:
                        del elements[-1][:]

    def _relationships(self, part: str) -> dict[str, tuple[str, str, str | None]]:
        """`rId1` → (type, target, target mode) from a `.rels` part."""
        out: dict[str, tuple[str, str, str | None]] = {}
        for start, depth, tag, element, _ in self._walk(part):
            if start and depth == 1 and tag == "Relationship":
                rid = element.get("Id")
                target = element.get("Target")
                if rid is None or target is None:
                    raise _Bad(f"a relationship in {part} has no Id or no Target")
                if rid in out:
                    raise _Bad(f"two relationships in {part} have the Id {rid!r}")
                out[rid] = (element.get("Type", ""), target, element.get("TargetMode"))
        return out

    # ---- the workbook

    def _workbook_part(self) -> str:
        if self._find("_rels/.rels") is not None:
            for kind, target, mode in self._relationships("_rels/.rels").values():
                if kind.endswith("/officeDocument") and mode != "External":
                    return _resolve("", target)
        return "xl/workbook.xml"

    def _no_workbook(self, part: str) -> _Bad:
        if part.lower().endswith(".bin"):
            return _Bad("it is a binary workbook (.xlsb); save it as .xlsx")
        if self._find("content.xml") is not None and self._find("mimetype") is not None:
            return _Bad("it is an OpenDocument spreadsheet (.ods); save it as .xlsx")
        return _Bad(f"it has no workbook part ({part})")

    def _workbook(self) -> tuple[Sheet, ...]:
        part = self._workbook_part()
        if self._find(part) is None:
            raise self._no_workbook(part)
        base, _, leaf = part.rpartition("/")
        listed: list[tuple[str, bool, str | None]] = []
        for start, depth, tag, element, names in self._walk(part):
            if not start:
                continue
            if depth == 1 and tag == "workbookPr":
                self.date1904 = (element.get("date1904") or "").lower() in ("1", "true")
            elif depth == 2 and tag == "sheet" and names[1] == "sheets":
                title = element.get("name")
                if title is None:
                    raise _Bad("a sheet in the workbook has no name")
                hidden = element.get("state") in ("hidden", "veryHidden")
                listed.append((_text(title), hidden, _attribute(element, "id")))
                if len(listed) > _MAX_ENTRIES:
                    raise _Bad("the workbook lists more sheets than the zip holds parts")
        rels_part = f"{base}/_rels/{leaf}.rels" if base else f"_rels/{leaf}.rels"
        if self._find(rels_part) is None:
            raise _Bad(f"the part {rels_part}, which says where the sheets are, is missing")
        rels = self._relationships(rels_part)
        self._read_styles(base, rels)
        self._read_strings(base, rels)
        sheets: list[Sheet] = []
        seen_titles: set[str] = set()
        seen_parts: set[str] = set()
        for title, hidden, rid in listed:
            rel = rels.get(rid) if rid is not None else None
            if rel is None:
                raise _Bad(f"the sheet {title!r} has no relationship to its part")
            kind, target, mode = rel
            if not kind.endswith("/worksheet"):
                continue  # a chartsheet, dialog sheet or macro sheet
            if mode == "External":
                raise _Bad(f"the sheet {title!r} is outside the workbook")
            sheet_part = _resolve(base, target)
            info = self._find(sheet_part)
            if info is None:
                raise _Bad(f"the part {sheet_part} of sheet {title!r} is missing")
            if info.filename in seen_parts:
                raise _Bad(f"two sheets are read from the same part {sheet_part}")
            seen_parts.add(info.filename)
            folded = title.casefold()
            if folded in seen_titles:
                raise _Bad(f"two sheets are named {title!r}")
            seen_titles.add(folded)
            sheets.append(self._sheet(title, hidden, sheet_part))
        return tuple(sheets)

    def _part_of(
        self, base: str, rels: dict[str, tuple[str, str, str | None]], kind: str, default: str
    ) -> str | None:
        for rel_kind, target, mode in rels.values():
            if rel_kind.endswith(kind) and mode != "External":
                part = _resolve(base, target)
                return part if self._find(part) is not None else None
        part = f"{base}/{default}" if base else default
        return part if self._find(part) is not None else None

    def _read_styles(self, base: str, rels: dict[str, tuple[str, str, str | None]]) -> None:
        part = self._part_of(base, rels, "/styles", "styles.xml")
        if part is None:
            return
        codes: dict[int, str] = {}
        formats = array("q")
        for start, depth, tag, element, names in self._walk(part):
            if not start or depth != 2:
                continue
            if tag == "xf" and names[1] == "cellXfs":
                if len(formats) >= _MAX_FORMATS:
                    raise _Bad(f"styles.xml holds more than {_MAX_FORMATS:,} cell formats")
                formats.append(_format_id(element.get("numFmtId")))
            elif tag == "numFmt" and names[1] == "numFmts":
                number = _format_id(element.get("numFmtId"))
                if number >= 0 and len(codes) < _MAX_FORMATS:
                    codes[number] = element.get("formatCode") or ""
        kinds: dict[int, str | None] = {}
        for index, number in enumerate(formats):
            if number not in kinds:
                code = codes.get(number)
                kinds[number] = _BUILTIN_KINDS.get(number) if code is None else _format_kind(code)
            kind = kinds[number]
            if kind is not None:
                self.styles[str(index)] = kind

    def _read_strings(self, base: str, rels: dict[str, tuple[str, str, str | None]]) -> None:
        part = self._part_of(base, rels, "/sharedStrings", "sharedStrings.xml")
        if part is None:
            return
        strings = self.strings
        budget = self.budget
        pieces: list[str] | None = None
        for start, depth, tag, element, names in self._walk(part):
            if start:
                if depth == 1 and tag == "si":
                    pieces = []
            elif tag == "t":
                if pieces is not None and (
                    (depth == 2 and names[1] == "si")
                    or (depth == 3 and names[2] == "r" and names[1] == "si")
                ):
                    text = element.text
                    if text:
                        pieces.append(text)
            elif depth == 1 and tag == "si" and pieces is not None:
                budget.spend(1)
                self.values += 1
                strings.append(_text("".join(pieces)))
                pieces = None

    # ---- a worksheet

    def _sheet(self, title: str, hidden: bool, part: str) -> Sheet:
        try:
            rows, merges, spans, unsorted = self._sheet_data(part)
        except _Bad as error:
            raise _Bad(f"sheet {title!r}{error.detail}") from None
        # Rows that only a merged range fills share one dict (a tall merge costs
        # one row's worth of memory); a dict is copied before a second range
        # (overlapping, so invalid, but possible) writes into it.
        shared: set[int] = set()
        self.rows += len(rows)
        self._check_rows()
        for _ref, r1, c1, r2, c2, value in merges:
            span = list(range(c1, c2 + 1))  # one set of key objects for every row
            fill: dict[int, Any] | None = None
            for number in range(r1, r2 + 1):
                cells = rows.get(number)
                if cells is None:
                    if fill is None:
                        fill = dict.fromkeys(span, value)
                        shared.add(id(fill))
                    rows[number] = fill
                    self.rows += 1
                    if self.rows > self.limits.rows:
                        self._check_rows()
                    continue
                if id(cells) in shared:
                    cells = rows[number] = dict(cells)
                for col in span:
                    if col not in cells:
                        cells[col] = value
                unsorted.add(number)
        numbers = sorted(rows)
        for number in unsorted:
            if number in rows:
                rows[number] = dict(sorted(rows[number].items()))
        hidden_rows: tuple[int, ...] = ()
        if spans:
            joined: list[list[int]] = []
            for first, last in sorted(spans):
                if joined and first <= joined[-1][1] + 1:
                    joined[-1][1] = max(joined[-1][1], last)
                else:
                    joined.append([first, last])
            starts = [first for first, _ in joined]
            hidden_rows = tuple(
                n
                for n in numbers
                if (at := bisect_right(starts, n) - 1) >= 0 and joined[at][1] >= n
            )
        return Sheet(
            title=title,
            hidden=hidden,
            rows=tuple((n, rows[n]) for n in numbers),
            hidden_rows=hidden_rows,
            merges=tuple(
                Merge(ref=ref, first_row=r1, last_row=r2, first_col=c1, last_col=c2)
                for ref, r1, c1, r2, c2, _ in merges
            ),
            hidden_columns=tuple(self.hidden_cols),
        )

    def _check_rows(self) -> None:
        """Rows become records and items: a merged range down a whole sheet
        (a 2 KB file) must not become a million of them."""
        if self.rows > self.limits.rows:
            what = Phrase("row count", count=f"{self.limits.rows:,}")
            raise _over(self.path, what, "rows", f"{self.limits.rows:,}")

    def _sheet_data(
        self, part: str
    ) -> tuple[
        dict[int, dict[int, Any]],
        list[tuple[str, int, int, int, int, Any]],
        list[list[int]],
        set[int],
    ]:
        """The cells of one sheet part: rows, merges to fill, hidden-row spans, rows to sort.

        One loop over the part's events, written for speed: the depth of an
        element (the worksheet is 0, sheetData 1, row 2, c 3, v 4) and its
        local name say what it is; each element is detached from its parent
        when it ends. A `_Bad` raised here says where (", cell B3: …")."""
        rows: dict[int, dict[int, Any]] = {}
        merges: list[tuple[str, int, int, int, int, Any]] = []
        spans: list[list[int]] = []
        unsorted: set[int] = set()
        strings = self.strings
        string_count = len(strings)
        styles = self.styles
        names_get = self.names.get
        local = self._local
        columns = self.columns
        budget = self.budget
        date1904 = self.date1904
        first_ordinal = _ORDINAL_1904 if date1904 else _ORDINAL_1900
        last_serial = _LAST_SERIAL_1904 if date1904 else _LAST_SERIAL_1900
        left = budget.left
        elements: list[Any] = []
        phase = 0  # 0 before <sheetData>, 1 inside it, 2 after it
        in_merges = False
        in_cols = False
        hidden_cols = self.hidden_cols = []
        merges_early = False
        row_no = 0
        row_text = ""
        cells: dict[int, Any] = {}
        in_row = False
        row_hidden = False
        last_row = 0
        col = -1
        last_col = -1
        in_cell = False
        ref: str | None = None
        kind: str | None = None
        style: str | None = None
        v_text: str | None = None
        f_text: str | None = None
        pieces: list[str] | None = None
        value: Any = None
        stored = 0  # values stored: they earn the work of more elements
        try:
            for batch in self._batches(part):
                self._spend_events(len(batch), stored)
                for event, element in batch:
                    depth = len(elements)
                    if event == "start":
                        elements.append(element)
                        if depth == 4:
                            if in_cell and (names_get(element.tag) or local(element.tag)) == "is":
                                pieces = []
                        elif depth == 3:
                            if in_row and (names_get(element.tag) or local(element.tag)) == "c":
                                in_cell = True
                                ref = element.get("r")
                                kind = element.get("t")
                                style = element.get("s")
                                v_text = f_text = None
                                pieces = None
                        elif depth == 2:
                            tag = names_get(element.tag) or local(element.tag)
                            if phase == 1 and tag == "row":
                                text = element.get("r")
                                if text is None:
                                    row_no += 1
                                    if row_no > _MAX_ROW:
                                        raise _Bad(f"a row after row {_MAX_ROW:,}, Excel's last")
                                    row_text = str(row_no)
                                else:
                                    row_no = _row_number(text)
                                    row_text = text
                                in_row = True
                                cells = {}
                                col = last_col = -1
                                hidden = element.get("hidden")
                                row_hidden = hidden is not None and hidden.lower() in ("1", "true")
                            elif in_cols and tag == "col":
                                _hidden_columns(element, hidden_cols)
                            elif in_merges and tag == "mergeCell":
                                written = element.get("ref")
                                if written is None:
                                    raise _Bad("a merged range has no ref")
                                r1, c1, r2, c2 = _range(written)
                                if phase == 0:
                                    merges_early = True
                                else:
                                    top = rows.get(r1)
                                    value = None if top is None else top.get(c1)
                                    area = (r2 - r1 + 1) * (c2 - c1 + 1)
                                    if value is not None and area > 1:
                                        left -= area - 1
                                        if left < 0:
                                            raise budget.over()
                                        merges.append((written, r1, c1, r2, c2, value))
                        elif depth == 1:
                            tag = names_get(element.tag) or local(element.tag)
                            if tag == "sheetData":
                                if phase != 0:
                                    raise _Bad("the sheet has two <sheetData> elements")
                                if merges_early:
                                    raise _Bad("merged ranges are listed before the cells")
                                phase = 1
                            elif tag == "mergeCells":
                                in_merges = True
                            elif tag == "cols":
                                in_cols = True
                        elif depth >= _MAX_DEPTH:
                            raise _Bad("elements are nested too deeply")
                        continue
                    # an end: `depth` counts the element itself
                    elements.pop()
                    depth -= 1
                    if depth == 4:
                        if in_cell:
                            tag = names_get(element.tag) or local(element.tag)
                            if tag == "v":
                                if v_text is not None:
                                    raise _Bad("a cell has two values")
                                v_text = element.text or ""
                            elif tag == "f":
                                f_text = element.text or ""
                    elif depth == 3:
                        if in_cell:
                            # where the cell is
                            if ref is None:
                                col += 1
                                if col >= _MAX_COL:
                                    raise _Bad("a cell after column XFD, Excel's last")
                            elif ref.endswith(row_text):
                                known = columns.get(ref[: len(ref) - len(row_text)])
                                if known is None:
                                    known = self._column_of(ref, row_no)
                                col = known
                            else:
                                self._column_of(ref, row_no)
                            # what it holds
                            if v_text is None and pieces is None:
                                value = None if f_text is None else _formula(f_text)
                            elif kind is None or kind == "n":
                                if not v_text:
                                    value = None if f_text is None else _formula(f_text)
                                elif style is not None and style in styles:
                                    date_kind = styles[style]
                                    value = _number(v_text)
                                    if (
                                        value.__class__ is int
                                        and 61 <= value <= last_serial
                                        and date_kind != "elapsed"
                                    ):
                                        value = dt.date.fromordinal(first_ordinal + value)
                                    else:
                                        try:
                                            value = _serial_date(value, date_kind, date1904)
                                        except _NotDate as error:
                                            value = NotADate(error.value, error.reason)
                                elif len(v_text) < 16 and v_text.isdigit() and v_text.isascii():
                                    value = int(v_text)
                                else:
                                    value = _number(v_text)
                            elif kind == "s":
                                if not v_text:
                                    value = None if f_text is None else _formula(f_text)
                                else:
                                    if not (
                                        len(v_text) < 11 and v_text.isdigit() and v_text.isascii()
                                    ):
                                        raise _Bad(f"{v_text[:40]!r} is not a shared-string index")
                                    index = int(v_text)
                                    if index >= string_count:
                                        raise _Bad(
                                            f"shared string {index:,} does not exist "
                                            f"(there are {string_count:,})"
                                        )
                                    value = strings[index] or None
                            elif kind == "str":
                                value = _text(v_text) if v_text else None
                            elif kind == "inlineStr":
                                text = "".join(pieces) if pieces is not None else v_text or ""
                                value = _text(text) if text else None
                            elif not v_text:
                                value = None if f_text is None else _formula(f_text)
                            else:
                                try:
                                    value = _typed(kind, v_text)
                                except _NotDate as error:
                                    value = NotADate(error.value, error.reason)
                            if value is not None:
                                left -= 1
                                stored += 1
                                if left < 0:
                                    raise budget.over()
                                if col > last_col:
                                    cells[col] = value
                                    last_col = col
                                else:
                                    if col in cells:
                                        raise _Bad("two cells are at this place")
                                    cells[col] = value
                                    unsorted.add(row_no)
                            in_cell = False
                    elif depth == 2:
                        if in_row:
                            in_row = False
                            if cells:
                                if row_no > last_row:
                                    rows[row_no] = cells
                                    last_row = row_no
                                else:
                                    self._add_row(rows, row_no, cells)
                                    unsorted.add(row_no)
                            if row_hidden:
                                if spans and spans[-1][1] == row_no - 1:
                                    spans[-1][1] = row_no
                                elif not (spans and spans[-1][0] <= row_no <= spans[-1][1]):
                                    spans.append([row_no, row_no])
                                    if not cells:
                                        left -= 1
                                        if left < 0:
                                            raise budget.over()
                    elif depth == 5 or depth == 6:
                        if (
                            pieces is not None
                            and (names_get(element.tag) or local(element.tag)) == "t"
                            and (names_get(elements[4].tag) or local(elements[4].tag)) == "is"
                            and (
                                depth == 5
                                or (names_get(elements[5].tag) or local(elements[5].tag)) == "r"
                            )
                        ):
                            text = element.text
                            if text:
                                pieces.append(text)
                    elif depth == 1:
                        tag = names_get(element.tag) or local(element.tag)
                        if tag == "sheetData" and phase == 1:
                            phase = 2
                        elif tag == "mergeCells":
                            in_merges = False
                        elif tag == "cols":
                            in_cols = False
                    if depth:
                        del elements[-1][:]
        except _Bad as error:
            if in_cell:
                where = f", cell {ref}" if ref else f", row {row_no}"
            elif in_row:
                where = f", row {row_no}"
            else:
                where = ""
            raise _Bad(f"{where}: {error.detail}") from None
        budget.left = left
        self.values += stored
        return rows, merges, spans, unsorted

    def _column_of(self, ref: str, row_no: int) -> int:
        """The column of a cell reference that must be in row `row_no` (slow path, cached)."""
        row, col = _cell(ref)
        if row != row_no:
            raise _Bad(f"the cell {ref} is inside row {row_no}")
        if len(self.columns) < _MAX_COL:
            self.columns[ref[: len(ref) - len(str(row))]] = col
        return col

    @staticmethod
    def _add_row(rows: dict[int, dict[int, Any]], row_no: int, cells: dict[int, Any]) -> None:
        """A row written again (or out of order): its cells join those already read."""
        old = rows.get(row_no)
        if old is None:
            rows[row_no] = cells
            return
        for key, value in cells.items():
            if key in old:
                raise _Bad(f"two cells are at {column_letter(key)}{row_no}")
            old[key] = value


def _hidden_columns(element: Any, spans: list[tuple[int, int]]) -> None:
    """A `<col min="3" max="4" hidden="1"/>` adds (2, 3) to `spans`."""
    hidden = element.get("hidden")
    if hidden is None or hidden.lower() not in ("1", "true"):
        return
    first, last = element.get("min", ""), element.get("max", "")
    if not (first.isascii() and first.isdigit() and last.isascii() and last.isdigit()):
        raise _Bad("a hidden column range is not a pair of numbers")
    if len(spans) >= _MAX_COL:
        raise _Bad("more column ranges than a sheet has columns")
    low, high = sorted((int(first[:6]), int(last[:6])))
    spans.append((max(low, 1) - 1, min(high, _MAX_COL) - 1))


def _typed(kind: str, text: str) -> Any:
    """The value of a `b`, `e` or `d` cell."""
    if kind == "b":
        flag = text.strip().lower()
        if flag in ("1", "true"):
            return True
        if flag in ("0", "false"):
            return False
        raise _Bad(f"{text[:40]!r} is not a true/false value")
    if kind == "e":
        return ExcelError(text.strip())
    if kind == "d":
        return _iso(text)
    raise _Bad(f"unknown cell type {kind[:40]!r}")


def _format_id(text: str | None) -> int:
    if text is None or not (text.isascii() and text.isdigit()) or len(text) > 9:
        return -1
    return int(text)


def _decoder(head: bytes) -> tuple[Any, bytes]:
    """An incremental decoder for a part, chosen by its first bytes; the bytes without a BOM."""
    if head.startswith(codecs.BOM_UTF8):
        return codecs.getincrementaldecoder("utf-8")("strict"), head[3:]
    if head.startswith(codecs.BOM_UTF16_LE):
        return codecs.getincrementaldecoder("utf-16-le")("strict"), head[2:]
    if head.startswith(codecs.BOM_UTF16_BE):
        return codecs.getincrementaldecoder("utf-16-be")("strict"), head[2:]
    if head.startswith(b"<\x00"):
        return codecs.getincrementaldecoder("utf-16-le")("strict"), head
    if head.startswith(b"\x00<"):
        return codecs.getincrementaldecoder("utf-16-be")("strict"), head
    return codecs.getincrementaldecoder("utf-8")("strict"), head


def _check_directory(handle: BinaryIO, size: int) -> None:
    """Refuse what is not a zip, or a zip whose directory is too big, before `zipfile` reads it."""
    if size == 0:
        raise _Bad("the file is empty")
    handle.seek(0)
    head = handle.read(8)
    if head == _CFB_MAGIC:
        raise _Bad(
            "it is an old .xls workbook or a password-protected one; "
            "save it as .xlsx without a password"
        )
    if not head.startswith(b"PK"):
        raise _Bad("it is not a zip archive, as every .xlsx file is")
    length = min(size, 22 + 65_535)
    handle.seek(size - length)
    tail = handle.read(length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _Bad("its zip directory is missing (was the file cut short?)")
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory == 0xFFFF_FFFF:
        locator = at - 20
        if locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            raise _Bad("its zip64 directory locator is missing")
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        if offset > size - 56:
            raise _Bad("its zip64 directory is outside the file")
        handle.seek(offset)
        record = handle.read(56)
        if record[:4] != b"PK\x06\x06":
            raise _Bad("its zip64 directory is damaged")
        entries, directory = struct.unpack_from("<QQ", record, 32)
    if entries > _MAX_ENTRIES:
        raise _Bad(f"the zip holds {entries:,} entries; at most {_MAX_ENTRIES:,} are read")
    if directory > _MAX_DIRECTORY:
        raise _Bad(f"its zip directory is {_human(directory)}, far more than a workbook needs")
