"""The streaming .xlsx reader: values as written, limits, and hostile files."""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import re
import threading
import time
import tracemalloc
import unicodedata
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from antq_rules.errors import AntqError
from antq_rules.limits import Limits
from antq_rules.readers.cells import column_letter
from antq_rules.readers.xlsx import (
    ExcelError,
    Merge,
    MissingValue,
    NotADate,
    Sheet,
    read_workbook,
)

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_PART = "xl/worksheets/sheet1.xml"


# ------------------------------------------------------------------ helpers


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def worksheet(data: str, before: str = "", after: str = "", ns: str = MAIN) -> str:
    return f'<worksheet xmlns="{ns}">{before}<sheetData>{data}</sheetData>{after}</worksheet>'


def raw_workbook(
    path: Path,
    sheets: list[tuple[str, str]],
    *,
    strings: list[str] | None = None,
    styles: str | None = None,
    workbook_pr: str = "",
    states: dict[str, str] | None = None,
    ns: str = MAIN,
    rel_ns: str = REL,
    root_rels: bool = True,
    extra: dict[str, bytes] | None = None,
) -> Path:
    """A minimal workbook from raw XML: (title, worksheet XML) per sheet."""
    states = states or {}
    entries = []
    rels = []
    for number, (title, _) in enumerate(sheets, 1):
        state = f' state="{states[title]}"' if title in states else ""
        entries.append(f'<sheet name="{title}" sheetId="{number}" r:id="rId{number}"{state}/>')
        rels.append(
            f'<Relationship Id="rId{number}" Type="{rel_ns}/worksheet" '
            f'Target="worksheets/sheet{number}.xml"/>'
        )
    if strings is not None:
        rels.append(
            f'<Relationship Id="rIdS" Type="{rel_ns}/sharedStrings" Target="sharedStrings.xml"/>'
        )
    files: dict[str, bytes] = {
        "xl/workbook.xml": (
            f'<workbook xmlns="{ns}" xmlns:r="{rel_ns}">{workbook_pr}'
            f"<sheets>{''.join(entries)}</sheets></workbook>"
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PKG_REL}">{"".join(rels)}</Relationships>'
        ).encode(),
    }
    if root_rels:
        files["_rels/.rels"] = (
            f'<Relationships xmlns="{PKG_REL}"><Relationship Id="rId1" '
            f'Type="{rel_ns}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode()
    for number, (_, xml) in enumerate(sheets, 1):
        files[f"xl/worksheets/sheet{number}.xml"] = xml.encode()
    if strings is not None:
        files["xl/sharedStrings.xml"] = f'<sst xmlns="{ns}">{"".join(strings)}</sst>'.encode()
    if styles is not None:
        files["xl/styles.xml"] = styles.encode()
    files.update(extra or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def rewrite(
    source: Path,
    target: Path,
    edits: dict[str, Callable[[bytes], bytes]] | None = None,
    drop: tuple[str, ...] = (),
    rename: dict[str, str] | None = None,
) -> Path:
    """A copy of a workbook with some parts changed, dropped or renamed."""
    edits = edits or {}
    rename = rename or {}
    with zipfile.ZipFile(source) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            if name in drop:
                continue
            if name in edits:
                data = edits[name](data)
            archive.writestr(rename.get(name, name), data)
    return target


def sub(pattern: str, replacement: str) -> Callable[[bytes], bytes]:
    def edit(data: bytes) -> bytes:
        text, count = re.subn(pattern, replacement, data.decode())
        assert count, f"{pattern!r} not found"
        return text.encode()

    return edit


def values(sheet: Sheet) -> dict[str, Any]:
    """{"B3": value} for every stored cell."""
    out = {}
    for number, cells in sheet.rows:
        for col, value in cells.items():
            out[f"{column_letter(col)}{number}"] = value
    return out


def refused(path: Path, limits: Limits | None = None) -> AntqError:
    with pytest.raises(AntqError) as caught:
        if limits is None:
            read_workbook(path)
        else:
            read_workbook(path, limits)
    return caught.value


def one_sheet(path: Path) -> Sheet:
    sheets = read_workbook(path)
    assert len(sheets) == 1
    return sheets[0]


# ------------------------------------------------- 1. values openpyxl writes

VILLAGE = "Thôn Đông Hưng – Xã Yên Thế"


def test_every_kind_of_value_matches_openpyxl(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = unicodedata.normalize("NFD", "Thôn")
    sheet.append(["Tên", "An toàn", "Dân số", "Tỷ lệ", "Ngày", "Lúc", "Ghi chú"])
    rows = [
        [unicodedata.normalize("NFD", VILLAGE), True, 1200, 0.95, dt.date(2021, 11, 15)],
        [nfc(VILLAGE), False, -7, 1.5, dt.date(2000, 2, 29)],
        ["  có khoảng trắng  ", True, 0, -2.25, dt.date(1900, 3, 1)],
        ["x", False, 10**15, 1e-05, dt.date(9999, 12, 31)],
        ["y", True, 42, 123456.789, dt.date(1900, 1, 1)],
    ]
    for number, row in enumerate(rows, 2):
        sheet.append(row)
        sheet.cell(number, 6, dt.datetime(2021, 11, 15, 10, 30, 15) + dt.timedelta(days=number))
        sheet.cell(number, 7, dt.date(2022, 1, number)).number_format = "dd/mm/yyyy"
        percent = sheet.cell(number, 8, number / 8)
        percent.number_format = "0.00%"
        sheet.cell(number, 9, Decimal(number) / 4).number_format = "#,##0.00"
        sheet.cell(number, 10, dt.time(8, number * 5))
        sheet.cell(number, 11, dt.timedelta(hours=30 + number, minutes=5))
    path = tmp_path / "values.xlsx"
    workbook.save(path)

    expected = openpyxl.load_workbook(path, data_only=True).active
    mine = one_sheet(path)
    assert mine.title == "Thôn" and unicodedata.is_normalized("NFC", mine.title)
    got = values(mine)
    compared = 0
    for row in expected.iter_rows():
        for cell in row:
            theirs = cell.value
            ref = cell.coordinate
            if theirs is None:
                assert ref not in got
                continue
            compared += 1
            value = got.pop(ref)
            if isinstance(theirs, str):
                assert value == nfc(theirs)
                assert unicodedata.is_normalized("NFC", value)
            elif isinstance(theirs, bool):
                assert value is theirs
            elif isinstance(theirs, int):
                assert type(value) is int and value == theirs
            elif isinstance(theirs, float):
                # exact: the text in the file, not a float's neighbour
                assert isinstance(value, (int, Decimal)) and Decimal(value) == Decimal(repr(theirs))
            elif isinstance(theirs, dt.datetime):
                if type(value) is dt.date:
                    assert theirs.time() == dt.time(0) and value == theirs.date()
                else:
                    assert value == theirs
            else:
                assert value == theirs, ref
    assert not got and compared == 6 * 5 + 6 * 5 + 2
    cells = dict(mine.rows)
    assert cells[2][3] == Decimal("0.95") and type(cells[2][3]) is Decimal
    assert cells[5][3] == Decimal("0.00001")
    assert cells[2][4] == dt.date(2021, 11, 15) and type(cells[2][4]) is dt.date
    assert cells[2][6] == dt.date(2022, 1, 2)  # dd/mm/yyyy
    assert cells[2][7] == Decimal("0.25")  # a percent is a number
    assert cells[4][7] == Decimal("0.5")
    assert cells[4][8] == 1 and type(cells[4][8]) is int  # 1.00 in #,##0.00 is 1
    assert cells[2][9] == dt.time(8, 10)
    assert cells[2][10] == dt.timedelta(hours=32, minutes=5)
    assert cells[4][0] == "  có khoảng trắng  "


# ------------------------------------------------------ 2. a stale dimension


def test_a_stale_dimension_is_ignored(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for number in range(1, 5):
        sheet.append([f"r{number}c{col}" for col in range(1, 6)])
    path = tmp_path / "stale.xlsx"
    workbook.save(path)
    stale = rewrite(
        path,
        tmp_path / "stale2.xlsx",
        {SHEET_PART: sub(r'<dimension ref="[^"]*"', '<dimension ref="A1:B2"')},
    )
    with zipfile.ZipFile(stale) as archive:
        assert b'<dimension ref="A1:B2"' in archive.read(SHEET_PART)
    mine = one_sheet(stale)
    assert [number for number, _ in mine.rows] == [1, 2, 3, 4]
    assert all(list(cells) == [0, 1, 2, 3, 4] for _, cells in mine.rows)
    assert values(mine)["E4"] == "r4c5"


# ------------------------------------------- 3. a crafted, enormous dimension


def test_a_huge_dimension_costs_nothing(tmp_path):
    path = raw_workbook(
        tmp_path / "huge.xlsx",
        [
            (
                "S",
                worksheet(
                    '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row>',
                    before='<dimension ref="A1:XFD1048576"/>',
                ),
            )
        ],
    )
    tracemalloc.start()
    started = time.perf_counter()
    try:
        mine = one_sheet(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert peak < 50 * 1024 * 1024
    assert mine.rows == ((1_048_576, {16_383: "far"}),)


def test_a_merged_range_over_the_whole_sheet_is_refused(tmp_path):
    path = raw_workbook(
        tmp_path / "merge-bomb.xlsx",
        [
            (
                "S",
                worksheet(
                    '<row r="1"><c r="A1"><v>1</v></c></row>',
                    before='<dimension ref="A1:XFD1048576"/>',
                    after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>',
                ),
            )
        ],
    )
    started = time.perf_counter()
    error = refused(path)
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert error.code == "over-limit"
    assert error.first.params["name"] == "cells"
    assert "5,000,000" in error.message


def test_an_empty_merged_range_costs_nothing(tmp_path):
    path = raw_workbook(
        tmp_path / "empty-merge.xlsx",
        [
            (
                "S",
                worksheet(
                    '<row r="2"><c r="B2"><v>1</v></c></row>',
                    after='<mergeCells><mergeCell ref="A1:XFD1048576"/></mergeCells>',
                ),
            )
        ],
    )
    mine = one_sheet(path)
    assert mine.rows == ((2, {1: 1}),) and mine.merges == ()


# -------------------------------------------------------------- 4. merged


def test_merged_cells_are_filled(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "Thôn"
    sheet["B2"] = "Đông"
    sheet.merge_cells("B2:B5")
    sheet["C7"] = 3
    sheet.merge_cells("C7:D8")
    sheet.merge_cells("E1:F1")  # empty top-left: nothing to fill
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    mine = one_sheet(path)
    got = values(mine)
    assert [got[f"B{n}"] for n in range(2, 6)] == ["Đông"] * 4
    assert got["C7"] == got["D7"] == got["C8"] == got["D8"] == 3
    assert "E1" not in got and "F1" not in got
    assert sorted(mine.merges, key=lambda merge: merge.ref) == [  # in file order
        Merge(ref="B2:B5", first_row=2, last_row=5, first_col=1, last_col=1),
        Merge(ref="C7:D8", first_row=7, last_row=8, first_col=2, last_col=3),
    ]
    assert [n for n, _ in mine.rows] == [1, 2, 3, 4, 5, 7, 8]
    assert all(list(cells) == sorted(cells) for _, cells in mine.rows)


def test_a_merged_cell_keeps_its_own_value(tmp_path):
    path = raw_workbook(
        tmp_path / "merge-own.xlsx",
        [
            (
                "S",
                worksheet(
                    '<row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c></row>',
                    after='<mergeCells><mergeCell ref="A1:C1"/></mergeCells>',
                ),
            )
        ],
    )
    assert one_sheet(path).rows == ((1, {0: 1, 1: 2, 2: 1}),)


def test_overlapping_merges_and_rows_out_of_order(tmp_path):
    # Excel never writes these; the reader stays deterministic and never aliases rows.
    data = (
        '<row r="3"><c r="C3"><v>3</v></c></row>'
        '<row r="1"><c r="A1"><v>1</v></c></row>'
        '<row r="1"><c r="B1"><v>2</v></c></row>'
    )
    after = '<mergeCells><mergeCell ref="A1:A6"/><mergeCell ref="C3:D5"/></mergeCells>'
    path = raw_workbook(tmp_path / "overlap.xlsx", [("S", worksheet(data, after=after))])
    mine = one_sheet(path)
    assert mine.rows == (
        (1, {0: 1, 1: 2}),
        (2, {0: 1}),
        (3, {0: 1, 2: 3, 3: 3}),
        (4, {0: 1, 2: 3, 3: 3}),
        (5, {0: 1, 2: 3, 3: 3}),
        (6, {0: 1}),
    )
    assert len(mine.merges) == 2


def test_a_utf16_part_reads(tmp_path):
    data = '<row r="1"><c r="A1" t="inlineStr"><is><t>Thôn</t></is></c></row>'
    path = raw_workbook(tmp_path / "utf8.xlsx", [("S", worksheet(data))])
    utf16 = rewrite(
        path,
        tmp_path / "utf16.xlsx",
        {
            SHEET_PART: lambda data: (
                '<?xml version="1.0" encoding="UTF-16"?>' + data.decode()
            ).encode("utf-16")
        },
    )
    assert one_sheet(utf16).rows == ((1, {0: "Thôn"}),)


# ------------------------------------------------------------- 5. formulas


def test_formulas(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([1, 2, "=A1+B1"])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    # openpyxl saves formulas without a cached value
    assert values(one_sheet(path))["C1"] == MissingValue("A1+B1")

    data = (
        '<row r="2"><c r="A2"><v>1</v></c><c r="B2"><v>2</v></c>'
        '<c r="C2"><f>A2+B2</f><v>3</v></c>'
        '<c r="D2"><f>A2+B2</f></c>'
        '<c r="E2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="F2" t="str"><f>"Thôn "&amp;A2</f><v>Thôn 1</v></c>'
        '<c r="G2" t="str"><f>IF(A2&gt;5,"x","")</f><v></v></c>'
        '<c r="H2"><f t="shared" ref="H2:H3" si="0">A2*2</f><v>2</v></c>'
        "</row>"
        '<row r="3"><c r="H3"><f t="shared" si="0"/></c>'
        '<c r="I3" t="b"><f>A2=1</f><v>1</v></c>'
        '<c r="J3" t="e"><v>#N/A</v></c>'
        '<c r="K3"><f>=SUM(A2:B2)</f><v/></c></row>'
    )
    raw = raw_workbook(tmp_path / "formula2.xlsx", [("S", worksheet(data))])
    got = values(one_sheet(raw))
    assert got["C2"] == 3
    assert got["D2"] == MissingValue("A2+B2")
    assert got["E2"] == ExcelError("#DIV/0!")
    assert got["F2"] == "Thôn 1"
    assert "G2" not in got  # a formula whose result is the empty text
    assert got["H2"] == 2
    assert got["H3"] == MissingValue("")
    assert got["I3"] is True
    assert got["J3"] == ExcelError("#N/A")
    assert got["K3"] == MissingValue("SUM(A2:B2)")


# ------------------------------------------------------------------ 6. hidden


def test_hidden_rows_and_sheets(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Hiện"
    for number in range(1, 7):
        sheet.append([number, f"v{number}"])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    sheet.row_dimensions[9].hidden = True  # hidden but empty
    sheet["D10"] = "top"
    sheet.merge_cells("D10:D12")
    sheet.row_dimensions[11].hidden = True  # empty until the merge fills it
    second = workbook.create_sheet("Ẩn")
    second["A1"] = "secret"
    second.sheet_state = "hidden"
    third = workbook.create_sheet("Rất ẩn")
    third["A1"] = 1
    third.sheet_state = "veryHidden"
    path = tmp_path / "hidden.xlsx"
    workbook.save(path)
    first, hidden, very = read_workbook(path)
    assert (first.title, first.hidden) == ("Hiện", False)
    assert first.hidden_rows == (3, 5, 11)
    assert (hidden.title, hidden.hidden) == ("Ẩn", True)
    assert (very.title, very.hidden) == ("Rất ẩn", True)


# ---------------------------------------------------- 7. how files are written


def test_rows_and_cells_without_references(tmp_path):
    data = (
        "<row><c><v>1</v></c><c><v>2</v></c></row>"  # row 1: A, B
        '<row r="4"><c r="C4"><v>3</v></c><c><v>4</v></c></row>'  # D4 follows C4
        "<row><c/><c><v>5</v></c></row>"  # row 5: B (A is empty)
        '<row hidden="true"><c r="A6"><v>6</v></c></row>'
    )
    mine = one_sheet(raw_workbook(tmp_path / "no-refs.xlsx", [("S", worksheet(data))]))
    assert mine.rows == ((1, {0: 1, 1: 2}), (4, {2: 3, 3: 4}), (5, {1: 5}), (6, {0: 6}))
    assert mine.hidden_rows == (6,)


def test_inline_and_rich_text(tmp_path):
    strings = [
        "<si><t>Thôn</t></si>",
        '<si><r><rPr><b/></rPr><t>Đông </t></r><r><t xml:space="preserve">Hưng </t></r>'
        '<rPh sb="0" eb="1"><t>ignored</t></rPh></si>',
        "<si><t></t></si>",
        f"<si><t>{unicodedata.normalize('NFD', 'Yên Thế')}</t></si>",
        "<si><t>dòng 1_x000D_\ndòng 2 _x005F_x0041_</t></si>",
    ]
    data = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c><c r="D1" t="s"><v>3</v></c><c r="E1" t="s"><v>4</v></c></row>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>Xã</t></is></c>'
        '<c r="B2" t="inlineStr"><is><r><t>a</t></r><r><rPr><i/></rPr><t>b</t></r>'
        "<rPh><t>x</t></rPh></is></c>"
        '<c r="C2" t="inlineStr"><is><t/></is></c></row>'
    )
    mine = one_sheet(
        raw_workbook(tmp_path / "text.xlsx", [("S", worksheet(data))], strings=strings)
    )
    got = values(mine)
    assert got == {
        "A1": "Thôn",
        "B1": "Đông Hưng ",
        "D1": "Yên Thế",
        "E1": "dòng 1\r\ndòng 2 _x0041_",
        "A2": "Xã",
        "B2": "ab",
    }


def test_the_1904_date_system(tmp_path):
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/>'
        '</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="22"/>'
        '<xf numFmtId="20"/></cellXfs></styleSheet>'
    )
    data = (
        '<row r="1"><c r="A1" s="1"><v>43000</v></c><c r="B1" s="2"><v>0.5</v></c>'
        '<c r="C1" s="1"><v>0</v></c><c r="D1" s="3"><v>0.25</v></c><c r="E1"><v>43000</v></c></row>'
    )
    sheets = [("S", worksheet(data))]
    old = one_sheet(
        raw_workbook(
            tmp_path / "1904.xlsx", sheets, styles=styles, workbook_pr='<workbookPr date1904="1"/>'
        )
    )
    assert values(old) == {
        "A1": dt.date(1904, 1, 1) + dt.timedelta(days=43000),
        "B1": dt.datetime(1904, 1, 1, 12, 0),
        "C1": dt.date(1904, 1, 1),
        "D1": dt.time(6, 0),
        "E1": 43000,
    }
    new = one_sheet(raw_workbook(tmp_path / "1900.xlsx", sheets, styles=styles))
    assert values(new)["A1"] == dt.date(2017, 9, 22)
    assert values(new)["B1"] == dt.time(12, 0)
    true_form = one_sheet(
        raw_workbook(
            tmp_path / "1904b.xlsx",
            sheets,
            styles=styles,
            workbook_pr='<workbookPr date1904="true"/>',
        )
    )
    assert values(true_form) == values(old)


def test_the_1900_date_system_around_its_leap_bug(tmp_path):
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>'
    serials = {
        1: dt.date(1900, 1, 1),
        59: dt.date(1900, 2, 28),
        61: dt.date(1900, 3, 1),
        44515: dt.date(2021, 11, 15),
    }
    data = "".join(
        f'<row r="{n}"><c r="A{n}" s="1"><v>{serial}</v></c></row>'
        for n, serial in enumerate(serials, 1)
    )
    mine = one_sheet(raw_workbook(tmp_path / "1900.xlsx", [("S", worksheet(data))], styles=styles))
    assert [cells[0] for _, cells in mine.rows] == list(serials.values())
    # A serial that cannot be a date is that cell's problem, not the workbook's.
    bads = {
        "60": NotADate("60", "1900-02-29"),
        "-1": NotADate("-1", "negative"),
        "2958466": NotADate("2958466", "after-9999"),
        "1e300": NotADate("1.000000E+300", "after-9999"),
        "-1e300": NotADate("-1.000000E+300", "negative"),
    }
    data = "".join(
        f'<row r="{n}"><c r="A{n}" s="1"><v>{bad}</v></c><c r="B{n}"><v>{n}</v></c></row>'
        for n, bad in enumerate(bads, 1)
    )
    path = raw_workbook(tmp_path / "bad.xlsx", [("S", worksheet(data))], styles=styles)
    got = one_sheet(path)
    assert [cells for _, cells in got.rows] == [
        {0: value, 1: n} for n, value in enumerate(bads.values(), 1)
    ]


def test_date_formats_are_recognised(tmp_path):
    codes = {
        "dd/mm/yyyy": True,
        "[$-42A]dd\\ mmmm\\ yyyy": True,
        "[Red]d-mmm": True,
        "h:mm AM/PM": True,
        "[h]:mm": True,
        "0.00": False,
        "#,##0": False,
        "General": False,
        '0.0" ngày"': False,
        '"Ngày "0': False,
        "0.00%": False,
        "0.00E+00": False,
        "@": False,
        "#,##0;[Red]-#,##0": False,
        "0;dd/mm/yyyy": False,
    }
    fmts = "".join(
        f'<numFmt numFmtId="{164 + i}" formatCode="{code.replace(chr(34), "&quot;")}"/>'
        for i, code in enumerate(codes)
    )
    xfs = "".join(f'<xf numFmtId="{164 + i}"/>' for i in range(len(codes)))
    styles = (
        f'<styleSheet xmlns="{MAIN}"><numFmts>{fmts}</numFmts><cellXfs>{xfs}</cellXfs></styleSheet>'
    )
    data = "<row>" + "".join(f'<c s="{i}"><v>44515</v></c>' for i in range(len(codes))) + "</row>"
    mine = one_sheet(
        raw_workbook(tmp_path / "formats.xlsx", [("S", worksheet(data))], styles=styles)
    )
    got = mine.rows[0][1]
    for i, (code, is_date) in enumerate(codes.items()):
        assert (got[i] != 44515) is is_date, code


def test_other_cell_types_and_layouts(tmp_path):
    data = (
        '<row r="1"><c r="A1" t="d"><v>2021-11-15</v></c><c r="B1" t="d"><v>2021-11-15T10:30:00</v></c>'
        '<c r="C1" t="b"><v>0</v></c><c r="D1" t="n"><v>1.50</v></c><c r="E1"><v>-0.0</v></c>'
        '<c r="F1"><v>1E3</v></c><c r="G1"><v>12345678901234567890</v></c>'
        '<c r="H1"><v>  7 </v></c></row>'
    )
    path = raw_workbook(tmp_path / "types.xlsx", [("S", worksheet(data))])
    got = values(one_sheet(path))
    assert got == {
        "A1": dt.date(2021, 11, 15),
        "B1": dt.datetime(2021, 11, 15, 10, 30),
        "C1": False,
        "D1": Decimal("1.50"),
        "E1": 0,
        "F1": 1000,
        "G1": 12345678901234567890,
        "H1": 7,
    }
    odd = '<row r="1"><c r="A1" t="d"><v>15/11/2021</v></c></row>'
    path = raw_workbook(tmp_path / "iso.xlsx", [("S", worksheet(odd))])
    assert values(one_sheet(path)) == {"A1": NotADate("15/11/2021", "not-iso")}


def test_strict_namespace_and_odd_zip_names(tmp_path):
    data = '<row r="1"><c r="A1"><v>1</v></c></row>'
    path = raw_workbook(
        tmp_path / "strict.xlsx",
        [("Một", worksheet(data, ns=STRICT)), ("Hai", worksheet(data, ns=STRICT))],
        ns=STRICT,
        rel_ns=STRICT_REL,
    )
    assert [s.title for s in read_workbook(path)] == ["Một", "Hai"]
    odd = rewrite(
        path,
        tmp_path / "odd.xlsx",
        rename={
            "xl/worksheets/sheet1.xml": "XL\\Worksheets\\Sheet1.xml",
            "xl/workbook.xml": "xl/Workbook.xml",
        },
    )
    assert [s.rows for s in read_workbook(odd)] == [((1, {0: 1}),)] * 2


def test_no_root_rels_absolute_targets_and_chartsheets(tmp_path):
    data = '<row r="1"><c r="A1"><v>1</v></c></row>'
    path = raw_workbook(tmp_path / "plain.xlsx", [("S", worksheet(data))], root_rels=False)
    assert one_sheet(path).rows == ((1, {0: 1}),)
    chart = f'<Relationship Id="rId9" Type="{REL}/chartsheet" Target="chartsheets/sheet1.xml"/>'
    edited = rewrite(
        path,
        tmp_path / "abs.xlsx",
        {
            "xl/_rels/workbook.xml.rels": sub(
                r'Target="worksheets/sheet1.xml"/>',
                'Target="/xl/worksheets/sheet1.xml"/>' + chart,
            ),
            "xl/workbook.xml": sub(
                r"</sheets>", '<sheet name="Biểu đồ" sheetId="9" r:id="rId9"/></sheets>'
            ),
        },
    )
    assert [s.title for s in read_workbook(edited)] == ["S"]


# ---------------------------------------------------------------- 8. limits


def small_workbook(path: Path, rows: int = 4, cols: int = 5) -> Path:
    workbook = openpyxl.Workbook()
    for number in range(rows):
        workbook.active.append([number * cols + col for col in range(cols)])
    workbook.save(path)
    return path


def test_file_bytes_limit(tmp_path):
    path = small_workbook(tmp_path / "small.xlsx")
    error = refused(path, Limits(file_bytes=1000))
    assert error.code == "over-limit"
    assert error.first.params["name"] == "file_bytes"
    assert error.first.params["limit"] == "1,000 bytes"


def test_a_zip_bomb_is_refused_without_inflating(tmp_path):
    path = tmp_path / "bomb.xlsx"
    chunk = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}"/>')
        with archive.open(SHEET_PART, "w") as part:
            for _ in range(200):
                part.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    started = time.perf_counter()
    error = refused(path, Limits(xlsx_bytes=100 * 1024 * 1024))
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert error.code == "over-limit"
    assert error.first.params["name"] == "xlsx_bytes"
    assert "200.0 MB" in error.message
    # under the default limit it is read only as far as its first bad byte
    data = '<row r="1"><c r="A1"><v>1</v></c></row>'
    bomb_sheet = raw_workbook(tmp_path / "bomb2.xlsx", [("S", worksheet(data))], extra={})
    with (
        zipfile.ZipFile(bomb_sheet, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/worksheets/sheet2.xml", "w") as part,
    ):
        for _ in range(200):
            part.write(chunk)
    rewrite(
        bomb_sheet,
        tmp_path / "bomb3.xlsx",
        {
            "xl/workbook.xml": sub(
                "</sheets>", '<sheet name="T" sheetId="2" r:id="rId2"/></sheets>'
            ),
            "xl/_rels/workbook.xml.rels": sub(
                "</Relationships>",
                f'<Relationship Id="rId2" Type="{REL}/worksheet" Target="worksheets/sheet2.xml"/>'
                "</Relationships>",
            ),
        },
    )
    started = time.perf_counter()
    error = refused(tmp_path / "bomb3.xlsx")
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert error.code == "bad-xlsx"


def test_cells_limit(tmp_path):
    path = small_workbook(tmp_path / "cells.xlsx", rows=4, cols=5)
    assert len(values(one_sheet(path))) == 20
    assert read_workbook(path, Limits(cells=20))
    error = refused(path, Limits(cells=19))
    assert error.code == "over-limit"
    assert error.first.params["name"] == "cells"
    assert error.first.params["limit"] == "19"


def test_shared_strings_and_merges_count_as_cells(tmp_path):
    strings = [f"<si><t>s{i}</t></si>" for i in range(30)]
    path = raw_workbook(
        tmp_path / "sst.xlsx",
        [("S", worksheet('<row r="1"><c r="A1"><v>1</v></c></row>'))],
        strings=strings,
    )
    assert read_workbook(path, Limits(cells=31))
    assert refused(path, Limits(cells=30)).code == "over-limit"
    merged = raw_workbook(
        tmp_path / "merged.xlsx",
        [
            (
                "S",
                worksheet(
                    '<row r="1"><c r="A1"><v>1</v></c></row>',
                    after='<mergeCells><mergeCell ref="A1:J10"/></mergeCells>',
                ),
            )
        ],
    )
    assert len(values(one_sheet(merged))) == 100
    assert read_workbook(merged, Limits(cells=100))
    error = refused(merged, Limits(cells=99))
    assert error.code == "over-limit" and error.first.params["name"] == "cells"


# ------------------------------------------------------------ 9. hostile input


def test_not_a_zip(tmp_path):
    path = tmp_path / "text.xlsx"
    path.write_text("Tên,Dân số\nThôn 1,120\n", encoding="utf-8")
    assert refused(path).code == "bad-xlsx"
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    error = refused(empty)
    assert error.code == "bad-xlsx" and "empty" in error.first.params["detail"]
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    error = refused(xls)
    assert error.code == "bad-xlsx" and ".xls" in error.first.params["detail"]


def test_a_zip_without_a_workbook(tmp_path):
    path = tmp_path / "nowb.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    error = refused(path)
    assert error.code == "bad-xlsx" and "workbook" in error.first.params["detail"]
    source = small_workbook(tmp_path / "small.xlsx")
    for drop in (SHEET_PART, "xl/_rels/workbook.xml.rels", "xl/workbook.xml"):
        error = refused(rewrite(source, tmp_path / "dropped.xlsx", drop=(drop,)))
        assert error.code == "bad-xlsx"


LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><sst xmlns="{MAIN}"><si><t>&lol9;</t></si></sst>'
)


def test_entities_are_refused(tmp_path):
    path = raw_workbook(
        tmp_path / "laughs.xlsx",
        [("S", worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))],
        strings=[],
    )
    bomb = rewrite(
        path, tmp_path / "laughs2.xlsx", {"xl/sharedStrings.xml": lambda _: LAUGHS.encode()}
    )
    started = time.perf_counter()
    error = refused(bomb)
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert error.code == "unsafe-xml"
    # hidden in UTF-16, or split across reading chunks: still found
    utf16 = rewrite(
        path, tmp_path / "utf16.xlsx", {"xl/sharedStrings.xml": lambda _: LAUGHS.encode("utf-16")}
    )
    assert refused(utf16).code == "unsafe-xml"
    padded = ("<!--" + "x" * (8 * 1024 - 9) + "-->").encode() + LAUGHS[21:].encode()
    split = rewrite(path, tmp_path / "split.xlsx", {"xl/sharedStrings.xml": lambda _: padded})
    assert refused(split).code == "unsafe-xml"


def test_a_folder_and_a_fifo_are_not_files(tmp_path):
    error = refused(tmp_path)
    assert error.code == "not-a-file"
    assert str(error.first.params["kind"]) == "a folder"
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs here")
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    outcome: list[Any] = []

    def read() -> None:
        try:
            read_workbook(fifo)
        except AntqError as caught:
            outcome.append(caught)

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # it opened the pipe: unblock it, then fail
        os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        pytest.fail("reading a FIFO blocked")
    assert outcome and outcome[0].code == "not-a-file"
    assert str(outcome[0].first.params["kind"]).startswith("a special file")


def test_a_missing_file(tmp_path):
    error = refused(tmp_path / "nowhere.xlsx")
    assert error.code == "missing-file"
    assert refused(tmp_path / "nowhere" / "deeper.xlsx").code == "missing-file"


@pytest.mark.parametrize(
    ("data", "after", "words"),
    [
        ('<row r="1"><c r="A1" t="s"><v>5</v></c></row>', "", "shared string"),
        ('<row r="1"><c r="1A"><v>1</v></c></row>', "", "cell reference"),
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "", "XFD"),
        ('<row r="1048577"><c><v>1</v></c></row>', "", "row"),
        ('<row r="0"><c><v>1</v></c></row>', "", "row number"),
        ('<row r="2"><c r="A3"><v>1</v></c></row>', "", "inside row 2"),
        ('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>', "", "two cells"),
        (
            '<row r="1"><c r="A1"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>',
            "",
            "two cells",
        ),
        ('<row r="1"><c r="A1"><v>NaN</v></c></row>', "", "not a number"),
        ('<row r="1"><c r="A1"><v>1e999</v></c></row>', "", "outside"),
        ('<row r="1"><c r="A1"><v>1_000</v></c></row>', "", "not a number"),
        ('<row r="1"><c r="A1" t="b"><v>yes</v></c></row>', "", "true/false"),
        ('<row r="1"><c r="A1" t="zz"><v>1</v></c></row>', "", "cell type"),
        (
            '<row r="1"><c r="A1"><v>1</v></c></row>',
            '<mergeCells><mergeCell ref="A1:"/></mergeCells>',
            "cell reference",
        ),
        ('<row r="1"><c r="A1"><v>1</v></c></row>', "<sheetData/>", "two <sheetData>"),
        ('<row r="1"><c r="A1"><v>1</v><v>2</v></c></row>', "", "two values"),
        ("<row><c><v>1</v>" + "<x>" * 120 + "</x>" * 120 + "</c></row>", "", "nested"),
    ],
)
def test_malformed_sheets(tmp_path, data, after, words):
    path = raw_workbook(tmp_path / "bad.xlsx", [("Thôn", worksheet(data, after=after))], strings=[])
    error = refused(path)
    assert error.code == "bad-xlsx"
    detail = error.first.params["detail"]
    assert words in detail and "sheet 'Thôn'" in detail


def test_malformed_workbooks(tmp_path):
    data = '<row r="1"><c r="A1"><v>1</v></c></row>'
    path = raw_workbook(tmp_path / "ok.xlsx", [("S", worksheet(data)), ("T", worksheet(data))])
    cases = {
        "same-part": {"xl/_rels/workbook.xml.rels": sub("sheet2.xml", "sheet1.xml")},
        "same-name": {"xl/workbook.xml": sub('name="T"', 'name="s"')},
        "no-rel": {"xl/workbook.xml": sub('r:id="rId2"', 'r:id="rId7"')},
        "bad-xml": {SHEET_PART: lambda data: data[:-5]},
        "not-utf8": {SHEET_PART: lambda data: data.replace(b"<v>1</v>", b"<v>\xff</v>")},
        "two-ids": {"xl/_rels/workbook.xml.rels": sub('Id="rId2"', 'Id="rId1"')},
    }
    for name, edits in cases.items():
        error = refused(rewrite(path, tmp_path / f"{name}.xlsx", edits))
        assert error.code == "bad-xlsx", name


def test_zip_oddities(tmp_path):
    source = small_workbook(tmp_path / "small.xlsx")
    data = source.read_bytes()
    # the directory cut off
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    assert refused(cut).code == "bad-xlsx"
    # a part whose bytes do not match its CRC
    with zipfile.ZipFile(source) as archive:
        info = archive.getinfo(SHEET_PART)
    stored = tmp_path / "stored.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED) as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item))
    raw = bytearray(stored.read_bytes())
    at = raw.index(b"<sheetData>")
    raw[at + 1] = ord("S")  # <SheetData>: same length, different CRC
    damaged = tmp_path / "crc.xlsx"
    damaged.write_bytes(bytes(raw))
    assert refused(damaged).code == "bad-xlsx"
    # too many entries
    crowded = tmp_path / "crowded.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(crowded, "w") as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item))
        for number in range(10_001):
            new.writestr(f"junk/{number}", b"")
    error = refused(crowded)
    assert error.code == "bad-xlsx" and "entries" in error.first.params["detail"]
    # two entries with one name
    twice = tmp_path / "twice.xlsx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(twice, "w") as new:
        for item in old.infolist():
            new.writestr(item.filename, old.read(item))
        new.writestr(SHEET_PART.upper(), b"<worksheet/>")  # the same name to a lookup
    assert refused(twice).code == "bad-xlsx"
    assert info.file_size > 0


def mutations(base: bytes, parts: dict[str, bytes], rng: random.Random, n: int) -> bytes:
    """One random variant of a workbook: bytes flipped, cut short, or its XML edited."""
    how = n % 3
    if how == 0:
        data = bytearray(base)
        for _ in range(rng.randint(1, 20)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    if how == 1:
        return base[: rng.randrange(len(base))]
    name = rng.choice([SHEET_PART] * 3 + [n for n in parts if n.endswith(".xml")])
    text = parts[name].decode("utf-8")
    for _ in range(rng.randint(1, 6)):
        at = rng.randrange(len(text) + 1)
        choice = rng.randrange(6)
        if choice == 0:
            text = text[:at] + text[at + rng.randint(1, 30) :]
        elif choice == 1:
            other = rng.randrange(len(text) + 1)
            text = text[:at] + text[other : other + rng.randint(1, 60)] + text[at:]
        elif choice == 2:
            text = (
                text[:at]
                + rng.choice(["<", ">", "&", '"', "/", "<!--", "]]>", "\x00", "&amp;"])
                + text[at:]
            )
        elif choice == 3:
            text = re.sub(
                r"\d", lambda _: rng.choice("0123456789-.eE"), text, count=rng.randint(1, 20)
            )
        elif choice == 4:
            text = (
                text[:at]
                + rng.choice(
                    [
                        '<row r="5">',
                        '<c r="XFD1048576"><v>1</v></c>',
                        '<c t="s"><v>99</v></c>',
                        '<mergeCell ref="A1:C3"/>',
                        '<c r="B2" t="e"><v>#REF!</v></c>',
                        "<v>1E400</v>",
                        ' s="1"',
                        ' t="d"',
                        "</row>",
                    ]
                )
                + text[at:]
            )
        else:
            text = text.replace(
                rng.choice(["row", "c ", "v>", "sheetData", "si", "t>", "r="]), "", 1
            )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, data in parts.items():
            archive.writestr(part, text.encode("utf-8") if part == name else data)
    return out.getvalue()


def test_random_damage_is_read_or_refused(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Thôn"
    sheet.append(["Tên", "An toàn", "Dân số", "Ngày", "Tỷ lệ"])
    for number in range(1, 12):
        sheet.append(
            [f"Thôn {number}", number % 2 == 0, number * 10, dt.date(2021, 1, number), number / 7]
        )
    sheet.merge_cells("A14:B15")
    sheet["A14"] = "gộp"
    sheet["F2"] = "=C2*2"
    sheet.row_dimensions[4].hidden = True
    base_path = tmp_path / "base.xlsx"
    workbook.save(base_path)
    # add a shared-string table so that it is damaged too
    strings = raw_workbook(
        tmp_path / "sst.xlsx",
        [("S", worksheet('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'))],
        strings=["<si><t>Xã</t></si>", "<si><r><t>a</t></r><r><t>b</t></r></si>"],
    )
    bases = [base_path.read_bytes(), strings.read_bytes()]
    read = refused_count = 0
    for n in range(300):
        rng = random.Random(n)
        base = bases[n % 2]
        with zipfile.ZipFile(io.BytesIO(base)) as archive:
            parts = {info.filename: archive.read(info) for info in archive.infolist()}
        if SHEET_PART not in parts:
            continue
        variant = tmp_path / f"variant{n % 7}.xlsx"
        variant.write_bytes(mutations(base, parts, rng, n))
        try:
            sheets = read_workbook(variant)
        except AntqError as error:
            refused_count += 1
            assert error.code in {"bad-xlsx", "over-limit", "unsafe-xml"}, error.code
            detail = str(error.first.params.get("detail", ""))
            assert not detail.startswith("unexpected"), (n, detail)
        else:
            read += 1
            assert all(isinstance(sheet, Sheet) for sheet in sheets)
    assert read and refused_count


# ----------------------------------------------------------- 10. a larger one


def test_a_larger_workbook(tmp_path):
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Hộ gia đình")
    sheet.append([f"Cột {col}" for col in range(10)])
    for number in range(1, 20_001):
        sheet.append(
            [
                number,
                f"Hộ {number}",
                number * 0.5,
                number % 3 == 0,
                number * 7,
                "Thôn A",
                -number,
                1.25,
                None,
                number,
            ]
        )
    path = tmp_path / "large.xlsx"
    workbook.save(path)
    started = time.perf_counter()
    mine = one_sheet(path)
    elapsed = time.perf_counter() - started
    assert len(mine.rows) == 20_001
    assert elapsed < 10
    number, cells = mine.rows[12_345]
    assert number == 12_346
    assert cells == {
        0: 12_345,
        1: "Hộ 12345",
        2: Decimal("6172.5"),
        3: True,
        4: 86_415,
        5: "Thôn A",
        6: -12_345,
        7: Decimal("1.25"),
        9: 12_345,
    }
    assert mine.rows[-1][0] == 20_001 and mine.rows[-1][1][2] == 10_000
