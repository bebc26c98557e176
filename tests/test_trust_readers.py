"""Readers read exactly what the office wrote, or refuse and say why (issue
"Trust at the edges"): each reproduction of the issue is a test here, named
after what went wrong."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import antq

import antq_rules
from antq_rules import AntqError
from antq_rules.limits import Limits
from antq_rules.readers import read_records
from antq_rules.readers.xlsx import read_workbook

ROOT = Path(__file__).resolve().parent.parent

RULESET = """\
ruleset demo.trust
  title "Xã thử"
  subject commune

entity commune "Xã"
  name: text "Tên"
  ok: bool "Đạt"
  n: int "Số"
  areas: list[area] "Khu dân cư"

entity area "Khu"
  name: text "Tên"
  safe: bool "An toàn"

criterion A "Đạt"
  ok

criterion B "Khu an toàn"
  all(areas.safe)
"""


@pytest.fixture
def rs(tmp_path):
    path = tmp_path / "demo.antq"
    path.write_text(RULESET, encoding="utf-8")
    return antq_rules.load(path)


def workbook(path, communes, areas=None, extra=None):
    """A workbook with a `commune` sheet (and `areas`), as an office fills it."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "commune"
    sheet.append(["id", "Tên (name)", "Đạt (ok)", "Số (n)"])
    for row in communes:
        sheet.append(row)
    if areas is not None:
        sheet = book.create_sheet("areas")
        sheet.append(["id", "commune_id", "name", "safe"])
        for row in areas:
            sheet.append(row)
    if extra:
        extra(book)
    book.save(path)
    return path


def rezip(path, change):
    """Rewrite the parts of a workbook: change(name, bytes) -> bytes."""
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            target.writestr(info.filename, change(info.filename, data))


# ------------------------------------------------------------------ xlsx


def test_stale_dimension_is_not_trusted(tmp_path, rs):
    path = workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 3], ["X2", "Hai", "không", 4], ["X3", "Ba", "có", 5]],
    )

    def stale(name, data):
        if name.startswith("xl/worksheets/"):
            return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:B2"/>', data)
        return data

    rezip(path, stale)
    records = read_records(path, rs.schema, rs.subject)
    assert [r.data["name"] for r in records] == ["Một", "Hai", "Ba"]
    assert [r.data["n"] for r in records] == [3, 4, 5]  # column D, after the stale B


def test_merged_cells_give_their_value_to_each_row_with_a_note(tmp_path, rs):
    def merge(book):
        sheet = book["areas"]
        sheet.merge_cells("D2:D4")

    path = workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 3]],
        [["K1", "X1", "Khu 1", "có"], ["K2", "X1", "Khu 2", None], ["K3", "X1", "Khu 3", None]],
        merge,
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert [a["safe"] for a in record.data["areas"]] == [True, True, True]
    (notice,) = record.notices
    assert notice.severity == "note" and "D2:D4" in notice.render("en")
    result = rs.evaluate(record.data).with_notices(record.notices)
    for format_ in ("text", "md", "html", "json"):
        for lang in ("vi", "en"):
            assert "D2:D4" in result.render(format_, lang), (format_, lang)
    code, out, err = antq("eval", tmp_path / "demo.antq", path, "--lang", "en", cwd=tmp_path)
    assert "cells D2:D4 are merged" in err


def test_formula_without_a_saved_value_is_an_error_naming_the_cell(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", "=1+2"]])
    # openpyxl writes the formula without a cached value, as tools other than Excel do.
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.error is not None
    text = record.error.render("en")
    assert "row 2, column D" in text and "=1+2" in text and "open it in Excel" in text
    assert "mở tệp bằng Excel" in record.error.render("vi")


def test_formula_with_a_saved_value_gives_it(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", "=1+2"]])
    rezip(
        path,
        # (an empty value element, however the writer spells it: `<v />`, `<v></v>`)
        lambda name, data: re.sub(
            rb"<f>1\+2</f><v\s*/>|<f>1\+2</f><v></v>", b"<f>1+2</f><v>3</v>", data
        ),
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.error is None and record.data["n"] == 3


def test_sheets_that_are_no_list_are_left_out_with_a_note(tmp_path, rs):
    def sheets(book):
        book.create_sheet("Ghi chú").append(["Điền mỗi xã một dòng"])
        book.create_sheet("Hướng dẫn").append(["Điền mỗi xã một dòng"])  # a template's own
        book.create_sheet("Sheet1")
        book.create_sheet("area").append(["id", "name"])  # close to `areas`

    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3]], None, sheets)
    (record,) = read_records(path, rs.schema, rs.subject)
    shown = [n.render("en") for n in record.notices]
    assert any("'Ghi chú'" in s and "note:" in s for s in shown)
    assert not any("Hướng dẫn" in s for s in shown)  # the template's instructions: silent
    assert any("'area'" in s and "did you mean `areas`?" in s and "warning:" in s for s in shown)
    assert "areas" not in record.data  # the list is unknown, and said so


def test_sheets_may_be_named_by_their_label(tmp_path, rs):
    def rename(book):
        book["areas"].title = "Khu dân cư"

    path = workbook(
        tmp_path / "a.xlsx", [["X1", "Một", "có", 3]], [["K1", "X1", "Khu 1", "có"]], rename
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["areas"] == [{"name": "Khu 1", "safe": True}]


def test_hidden_rows_and_sheets_are_judged_with_a_warning(tmp_path, rs):
    def hide(book):
        book["commune"].row_dimensions[3].hidden = True
        book["areas"].sheet_state = "hidden"

    path = workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 3], ["X2", "Hai", "có", 4]],
        [["K1", "X1", "Khu 1", "có"]],
        hide,
    )
    first, second = read_records(path, rs.schema, rs.subject)
    assert second.data["name"] == "Hai"
    hidden_rows = [n for n in second.notices if n.code == "warn-hidden-rows"]
    assert hidden_rows and "3" in hidden_rows[0].render("en")
    assert not [n for n in first.notices if n.code == "warn-hidden-rows"]
    assert any(n.code == "warn-hidden-sheet" for n in first.notices)


def test_an_excel_error_value_is_an_error_naming_the_cell(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3]])
    rezip(
        path,
        lambda name, data: re.sub(
            rb'<c r="D2"[^>]*><v>3</v></c>', b'<c r="D2" t="e"><v>#DIV/0!</v></c>', data
        ),
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.error is not None and "#DIV/0!" in record.error.render("en")
    assert "row 2, column D" in record.error.render("en")


def test_a_bad_cell_loses_its_commune_not_the_workbook(tmp_path, rs):
    path = workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 3], ["X2", "Hai", "có", "ba"], ["X3", "Ba", "có", 5]],
        [["K1", "X1", "Khu 1", "có"], ["K2", "X3", "Khu 2", "chắc"]],
    )
    records = read_records(path, rs.schema, rs.subject)
    assert [r.error is None for r in records] == [True, False, False]
    assert "row 3, column D" in records[1].error.render("en")
    assert "'areas', row 3" in records[2].error.render("en")
    batch = list(rs.evaluate_many(r.data for r in records if r.error is None))
    assert [r.verdict.name for r in batch] == ["PASS"]


def test_no_subject_rows_has_its_own_exit_code(tmp_path, rs):
    (tmp_path / "x.antq").write_text(RULESET, encoding="utf-8")
    path = workbook(tmp_path / "a.xlsx", [])
    code, out, err = antq("eval", "x.antq", path, "--lang", "en", cwd=tmp_path)
    assert code == 4 and "nothing was judged" in err


# ---------------------------------------------------------------- limits


def test_a_crafted_dimension_is_read_within_bounds(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3]])

    def crafted(name, data):
        if not name.startswith("xl/worksheets/"):
            return data
        data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', data)
        return data.replace(
            b"</sheetData>",
            (
                '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>X9</t></is></c>'
                '<c r="B1048576" t="inlineStr"><is><t>Cuối</t></is></c></row></sheetData>'
            ).encode(),
        )

    rezip(path, crafted)
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    records = read_records(path, rs.schema, rs.subject)
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert [r.data["name"] for r in records] == ["Một", "Cuối"]
    assert records[1].label.endswith("row 1048576 (Cuối)")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, rs):
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        chunk = b"\0" * (1 << 20)
        for _ in range(600):
            entry.write(chunk)
    started = time.perf_counter()
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject, limits=Limits(xlsx_bytes=100 << 20))
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert info.value.code == "over-limit" and "xlsx_bytes" in str(info.value)


def test_limits_on_cells_and_file_size(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", i] for i in range(50)])
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject, limits=Limits(cells=20))
    assert info.value.code == "over-limit" and "`cells`" in str(info.value)
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject, limits=Limits(file_bytes=100))
    assert info.value.code == "over-limit" and "`file_bytes`" in str(info.value)
    code, out, err = antq(
        "eval", tmp_path / "demo.antq", path, "--limit", "cells=20", "--lang", "en", cwd=tmp_path
    )
    assert code == 2 and "--limit cells=" in out


def test_limits_are_checked_on_the_command_line(tmp_path):
    code, _, err = antq(
        "eval", "x.antq", "a.json", "--limit", "cels=5", "--lang", "en", cwd=tmp_path
    )
    assert code == 2 and "did you mean `cells`?" in err
    code, _, err = antq(
        "eval", "x.antq", "a.json", "--limit", "cells=lots", "--lang", "en", cwd=tmp_path
    )
    assert code == 2 and "positive whole number" in err
    assert Limits().parse(["file_bytes=2GB", "cells=1_000"]) == Limits(
        file_bytes=2 << 30, cells=1000
    )


def refusal(path, rs):
    """The error reading a file gives: the file's, or (a batch) its refused element's."""
    try:
        records = read_records(path, rs.schema, rs.subject)
    except AntqError as error:
        return error
    (error,) = [r.error for r in records if r.error is not None]
    return error


def test_deep_json_is_refused_as_too_deep(tmp_path, rs):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    error = refusal(path, rs)
    assert error.code == "over-limit" and "`depth`" in str(error)
    path.write_text('{"name": ' + "[" * 70 + "]" * 70 + "}")
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert "`depth`" in str(info.value)


def test_huge_numbers_and_texts_in_json_are_refused(tmp_path, rs):
    path = tmp_path / "big.json"
    path.write_text('{"n": ' + "9" * 5000 + "}")
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert "5000 digits" in str(info.value) and "`digits`" in str(info.value)
    path.write_text(json.dumps({"name": "x" * 200_000}))
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert "`text`" in str(info.value)
    path.write_text('{"n": NaN}')
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert "NaN is not JSON" in str(info.value)


def test_duplicate_json_keys_are_a_data_error(tmp_path, rs):
    path = tmp_path / "dup.json"
    path.write_text('[{"name": "Một", "ok": true}, {"name": "Hai", "ok": true, "ok": false}]')
    error = refusal(path, rs)
    assert error.code == "duplicate-key"
    assert "`ok`" in str(error) and '"Hai"' in str(error)


def test_yaml_aliases_are_counted_as_expanded(tmp_path, rs):
    incidents = "\n".join(f"  - {{kind: fire, n: {i}}}" for i in range(1000))
    areas = "\n".join(f"  - {{name: K{i}, incidents: *many}}" for i in range(300))
    text = f"incidents: &many\n{incidents}\nareas:\n{areas}\n"
    path = tmp_path / "fan.yaml"
    path.write_text(text)
    assert len(text) < 40_000
    started = time.perf_counter()
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject, limits=Limits(nodes=100_000))
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert info.value.code == "over-limit" and "`nodes`" in str(info.value)


def test_yaml_cycles_tags_and_duplicate_keys_are_refused(tmp_path, rs):
    path = tmp_path / "a.yaml"
    path.write_text("areas: &a\n  - *a\n")
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "data-cycle"
    path.write_text("name: !!python/object/apply:os.system ['echo hi']\n")
    with pytest.raises(AntqError):
        read_records(path, rs.schema, rs.subject)
    path.write_text("name: Một\nok: true\nok: false\n")
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "duplicate-key" and ":3:1" in str(info.value)


def test_folders_and_devices_get_the_right_words(tmp_path, rs):
    import os

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(AntqError) as info:
        read_records(fifo, rs.schema, rs.subject)
    assert "a special file" in str(info.value)
    with pytest.raises(AntqError) as info:
        read_records(Path("/dev/zero"), rs.schema, rs.subject)
    assert "a special file" in str(info.value)


# ------------------------------------------------------------------ CSV


def test_a_csv_cell_with_a_huge_number_is_a_bad_cell(tmp_path, rs):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "commune.csv").write_text("id,name,n\nX1,Một," + "9" * 5000 + "\n")
    (record,) = read_records(folder, rs.schema, rs.subject)
    # (held to the `digits` limit, as in JSON, naming the cell)
    assert record.error is not None and "5000 digits" in record.error.render("en")
    assert "column C (n)" in record.error.render("en")


def test_csv_delimiter_is_read_from_the_header(tmp_path, rs):
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "commune.csv").write_text('id;name;n\nX1;"Một, Hai";3\n')
    (record,) = read_records(folder, rs.schema, rs.subject)
    assert record.data == {"name": "Một, Hai", "n": 3}


def test_written_results_escape_spreadsheet_formulas(tmp_path, rs):
    from antq_rules.report import table

    results = list(
        rs.evaluate_many([{"name": '=HYPERLINK("http://x")', "ok": True}, {"name": "@SUM(1)"}])
    )
    text = table.to_csv(results, "en")
    assert "'=HYPERLINK" in text and "'@SUM(1)" in text
    book = openpyxl.load_workbook(io.BytesIO(table.to_xlsx(results, "en")))
    cell = book.active["B2"]
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"


# ------------------------------------------- second round of the tester's findings


def csv_folder(tmp_path, files):
    folder = tmp_path / "csv"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_csv_quote_left_open_is_an_error_naming_its_row(tmp_path, rs):
    text = 'id,name,n\nX1,Một,1\nX2,"Hai,2\nX3,Ba,3\nX4,Bốn,4\n'
    folder = csv_folder(tmp_path, {"commune.csv": text})
    with pytest.raises(AntqError) as info:
        read_records(folder, rs.schema, rs.subject)
    assert info.value.code == "csv-open-quote"
    assert "commune.csv, row 3" in info.value.render("en")
    assert "dấu ngoặc kép" in info.value.render("vi")
    # A quoted cell over several lines, as Excel writes one, is still read.
    (folder / "commune.csv").write_text('id,name,n\nX1,"Một\nHai",1\nX2,Ba,2\n')
    records = read_records(folder, rs.schema, rs.subject)
    assert [r.data["name"] for r in records] == ["Một\nHai", "Ba"]


def test_two_columns_for_one_field_are_an_error_naming_both(tmp_path, rs):
    folder = csv_folder(tmp_path, {"commune.csv": "id,name,n,Số\nX1,Một,1,5\n"})
    with pytest.raises(AntqError) as info:
        read_records(folder, rs.schema, rs.subject)
    assert info.value.code == "duplicate-column"
    shown = info.value.render("en")
    assert "commune.csv, row 1" in shown and "columns C and D" in shown and "`n`" in shown

    def second(book):
        book["commune"]["E1"] = "n"

    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3, 5]], None, second)
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "duplicate-column" and "columns D and E" in str(info.value)

    def merged(book):  # a header merged over two columns
        book["commune"].merge_cells("D1:E1")

    path = workbook(tmp_path / "b.xlsx", [["X1", "Một", "có", 3, 5]], None, merged)
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "duplicate-column" and "sheet 'commune', row 1" in str(info.value)


def test_a_sheet_of_empty_elements_is_refused_quickly(tmp_path, rs):
    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3]])

    def padded(name, data):
        if name.startswith("xl/worksheets/"):
            return data.replace(b"</sheetData>", b"<x/>" * 1_000_000 + b"</sheetData>")
        return data

    rezip(path, padded)
    assert path.stat().st_size < 100_000
    # (refused by count, not by time: `make bench` and the fuzz tests bound time)
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "over-limit" and "`cells`" in str(info.value)
    assert "XML elements" in str(info.value)
    # The same elements are read when the values earn them (a big genuine sheet).
    read_records(path, rs.schema, rs.subject, limits=Limits(cells=20_000_000))
    assert Limits().xlsx_bytes == 256 << 20


def test_rows_linked_to_no_parent_make_that_list_unknown_for_all(tmp_path, rs):
    path = workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 3], ["X2", "Hai", "có", 4]],
        [["K1", "X1", "Khu 1", "có"], ["K2", "X9", "Khu 2", "không"]],
    )
    first, second, orphan = read_records(path, rs.schema, rs.subject)
    assert orphan.error is not None and "`X9`" in orphan.error.render("en")
    for record in (first, second):
        assert record.error is None and "areas" not in record.data  # unknown, not []
        (notice,) = [n for n in record.notices if n.code == "warn-orphan-rows"]
        assert notice.severity == "warning" and "rows 3" in notice.render("en")
        result = rs.evaluate(record.data)
        assert result.criteria["B"].status.name == "UNKNOWN"
    # The same in a CSV folder, with the link column left empty for two communes.
    folder = csv_folder(
        tmp_path,
        {
            "commune.csv": "id,name\nX1,Một\nX2,Hai\n",
            "areas.csv": "id,commune_id,name,safe\nK1,X1,Khu 1,có\nK2,,Khu 2,không\n",
        },
    )
    records = read_records(folder, rs.schema, rs.subject)
    assert [r.error is None for r in records] == [True, True, False]
    assert all("areas" not in r.data for r in records[:2])


def _header_d1_as(path, cell: bytes):
    """A workbook whose header cell D1 is replaced by `cell`."""
    workbook(path, [["X1", "Một", "có", 3]])
    rezip(path, lambda name, data: re.sub(rb'<c r="D1"[^>]*>(?:(?!</c>).)*</c>', cell, data))
    return path


def test_a_header_holding_an_excel_error_is_an_error_naming_the_cell(tmp_path, rs):
    path = _header_d1_as(tmp_path / "a.xlsx", b'<c r="D1" t="e"><v>#REF!</v></c>')
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "excel-error"
    assert "sheet 'commune', row 1, column D" in str(info.value) and "#REF!" in str(info.value)
    path = _header_d1_as(tmp_path / "b.xlsx", b'<c r="D1" t="str"><f>"n"</f></c>')
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert info.value.code == "formula-no-value" and "row 1, column D" in str(info.value)


def test_hidden_columns_are_judged_with_a_warning(tmp_path, rs):
    def hide(book):
        book["commune"].column_dimensions["D"].hidden = True

    path = workbook(tmp_path / "a.xlsx", [["X1", "Một", "có", 3]], None, hide)
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["n"] == 3
    (notice,) = [n for n in record.notices if n.code == "warn-hidden-columns"]
    assert notice.severity == "warning" and "hidden columns D" in notice.render("en")


def test_json_numbers_are_read_exactly(tmp_path, rs):
    from decimal import Decimal
    from fractions import Fraction

    from antq_rules.data import to_decimal, to_int, validate_document

    path = tmp_path / "a.json"
    path.write_text('{"name": "Một", "n": 3.0, "x": 0.49999999999999999, "y": 1.5e3}')
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["x"] == Decimal("0.49999999999999999") and record.data["x"] < Decimal("0.5")
    assert to_int(record.data["n"]) == 3 and to_int(record.data["y"]) == 1500
    assert to_decimal(record.data["x"]) < Fraction(1, 2)
    path.write_text('{"name": "Một", "n": 2.5}')
    (record,) = read_records(path, rs.schema, rs.subject)
    with pytest.raises(AntqError) as info:
        validate_document(rs.schema, rs.schema.entities[rs.subject], record.data)
    assert "expected int, got 2.5" in str(info.value)
    path.write_text('{"name": "Một", "x": 1e-400}')
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert "`digits`" in str(info.value) and "401 digits" in str(info.value)
    path.write_text('[{"name": "Một", "x": Infinity}]')  # (the streaming reader too)
    assert "Infinity is not JSON" in str(refusal(path, rs))
    path.write_text('[{"name": "Một", "x": 0.1}]')
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["x"] == Decimal("0.1")


def test_yaml_numbers_are_read_as_yaml_1_2_does(tmp_path, rs):
    from decimal import Decimal

    from antq_rules.data import validate_document

    path = tmp_path / "a.yaml"
    path.write_text(
        "name: Một\nn: 010\nx: [1:30, 0b11, 0x1F, 0o17, 1_000, 0.49999999999999999, 1e3]\n"
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["n"] == 10
    exact = [Decimal("0.49999999999999999"), Decimal("1e3")]
    assert record.data["x"] == ["1:30", "0b11", 31, 15, "1_000", *exact]
    path.write_text("name: Một\nn: 1:30\n")
    (record,) = read_records(path, rs.schema, rs.subject)
    with pytest.raises(AntqError) as info:
        validate_document(rs.schema, rs.schema.entities[rs.subject], record.data)
    assert 'expected int, got "1:30"' in str(info.value)
    path.write_text("- name: Một\n  x: 1e-400\n")  # (the streaming reader too)
    assert "`digits`" in str(refusal(path, rs))


def test_the_digits_limit_is_honoured_up_to_what_python_reads(tmp_path, rs):
    with pytest.raises(AntqError) as info:
        Limits(digits=100).but(digits=10_000)
    assert info.value.code == "limit-too-high" and "4,300" in str(info.value)
    code, _, err = antq(
        "eval", "x.antq", "a.json", "--limit", "digits=10000", "--lang", "en", cwd=tmp_path
    )
    assert code == 2 and "at most 4,300" in err
    limits = Limits().but(digits=4300)
    path = tmp_path / "a.json"
    path.write_text('{"name": "Một", "n": ' + "9" * 4000 + "}")
    (record,) = read_records(path, rs.schema, rs.subject, limits=limits)
    assert record.data["n"] == 10**4000 - 1
    path = tmp_path / "a.yaml"
    path.write_text("name: Một\nn: " + "9" * 4000 + "\n")
    (record,) = read_records(path, rs.schema, rs.subject, limits=limits)
    assert record.data["n"] == 10**4000 - 1
    folder = csv_folder(tmp_path, {"commune.csv": "id,name,n\nX1,Một," + "9" * 4000 + "\n"})
    (record,) = read_records(folder, rs.schema, rs.subject, limits=limits)
    assert record.error is None and record.data["n"] == 10**4000 - 1


# ------------------------------------------- third round of the tester's findings


def _date_cells(path, cells: dict[str, str], part: str = "sheet1.xml"):
    """Give each cell (`D3`) of a sheet a number under the built-in date format 14."""

    def change(name, data):
        if name == "xl/styles.xml":
            data = re.sub(
                rb'<cellXfs count="(\d+)">(.*?)</cellXfs>',
                lambda m: (
                    b'<cellXfs count="%d">' % (int(m.group(1)) + 1)
                    + m.group(2)
                    + b'<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/>'
                    + b"</cellXfs>"
                ),
                data,
                flags=re.S,
            )
        elif name == f"xl/worksheets/{part}":
            for ref, number in cells.items():
                new = f'<c r="{ref}" s="1"><v>{number}</v></c>'.encode()
                data, count = re.subn(rb'<c r="' + ref.encode() + rb'"[^>]*>.*?</c>', new, data)
                assert count == 1, ref
        return data

    rezip(path, change)
    return path


def test_a_cell_that_cannot_be_a_date_loses_its_row_not_the_workbook(tmp_path, rs):
    for number in ("60", "-3", "2958466", "1e300"):
        path = workbook(
            tmp_path / f"a{number}.xlsx",
            [["X1", "Một", "có", 3], ["X2", "Hai", "có", 4], ["X3", "Ba", "có", 5]],
        )
        _date_cells(path, {"D3": number})
        first, bad, third = read_records(path, rs.schema, rs.subject)
        assert first.error is None and third.error is None and third.data["n"] == 5
        assert bad.error is not None and bad.error.code == "not-a-date"
        shown = bad.error.render("en")
        assert "sheet 'commune', row 3, column D (n)" in shown
        assert len(shown) < 300  # (1e300 is not printed with its 300 digits)
        assert "ngày" in bad.error.render("vi")
    assert "1.000000E+300" in shown and "after the year 9999" in shown

    # A cell in a sheet that is not read, or a column without a header, is ignored.
    def notes(book):
        book.create_sheet("Ghi chú")["A1"] = 1
        book["commune"]["F2"] = 1

    path = workbook(tmp_path / "b.xlsx", [["X1", "Một", "có", 3]], None, notes)
    _date_cells(path, {"F2": "60"})
    _date_cells(path, {"A1": "-1"}, "sheet2.xml")
    assert read_workbook(path)[1].rows[0][1][0].reason == "negative"
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.error is None and record.data["n"] == 3
    assert {n.code for n in record.notices} >= {"note-sheet-ignored", "warn-unlabelled-column"}


def test_what_a_csv_folder_holds_besides_csv_files_is_named(tmp_path, rs):
    folder = csv_folder(
        tmp_path,
        {
            "commune.csv": "id,name,n\nX1,Một,3\n",
            "ghichu.csv": "x,y\n1,2\n",
            "readme.txt": "hello",
            "more.json": '{"name": "Hai"}',
            "more.yaml": "name: Ba\n",
        },
    )
    workbook(folder / "t.xlsx", [["X2", "Hai", "có", 4]])
    (folder / "sub").mkdir()
    (record,) = read_records(folder, rs.schema, rs.subject)
    assert record.error is None
    warned = {n.params["where"] for n in record.notices if n.code == "warn-data-file-not-read"}
    assert warned == {str(folder / name) for name in ("t.xlsx", "more.json", "more.yaml")}
    assert all(
        n.severity == "warning" for n in record.notices if n.code == "warn-data-file-not-read"
    )
    (rest,) = [n for n in record.notices if n.code == "note-files-not-read"]
    assert "`readme.txt`, `sub/`" in rest.render("en") and "không được đọc" in rest.render("vi")
    assert "give it on its own" in next(
        n.render("en") for n in record.notices if n.code == "warn-data-file-not-read"
    )
    assert any(n.code == "note-sheet-ignored" for n in record.notices)  # (ghichu.csv)


def test_a_huge_yaml_is_refused_while_it_is_composed(tmp_path, rs, monkeypatch):
    from antq_rules.readers import documents, iter_records

    path = tmp_path / "flat.yaml"
    path.write_text("name: x\nareas: [" + ",".join(["{n: 1}"] * 1_000_000) + "]\n")
    started = time.perf_counter()
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject)
    assert time.perf_counter() - started < 30  # (it took 90 s and 2.5 GB)
    assert info.value.code == "over-limit" and "`nodes`" in str(info.value)
    # A batch: the subjects before the huge one are judged, then the file stops.
    batch = tmp_path / "batch.yaml"
    huge = "{name: z, areas: [" + ",".join(["{n: 1}"] * 100_000) + "]}"
    batch.write_text(f"- name: a\n- name: b\n- {huge}\n- name: c\n")
    records = list(iter_records([batch], rs.schema, rs.subject))
    assert [r.error is None for r in records] == [True, True, False]
    assert "`nodes`" in str(records[2].error)
    # Without libyaml's quick count, composing stops as soon as the count passes the limit.
    monkeypatch.setattr(documents, "precount", lambda *args: None)
    path.write_text("name: x\nareas: [" + ",".join(["{n: 1}"] * 100_000) + "]\n")
    started = time.perf_counter()
    with pytest.raises(AntqError) as info:
        read_records(path, rs.schema, rs.subject, limits=Limits(nodes=1000))
    assert time.perf_counter() - started < 15  # (bounded: it took minutes)
    assert "`nodes`" in str(info.value) and ":2:" in str(info.value)
    records = list(iter_records([batch], rs.schema, rs.subject, limits=Limits(nodes=1000)))
    assert [r.error is None for r in records] == [True, True, False]


def test_rows_linked_to_a_duplicated_parent_id_are_nobodys(tmp_path, rs):
    folder = csv_folder(
        tmp_path,
        {
            "commune.csv": "id,name,ok\nX1,Một,có\nX1,Một bis,có\nX2,Hai,có\n",
            "areas.csv": "id,commune_id,name,safe\nK1,X1,Khu 1,không\nK2,X2,Khu 2,có\n",
        },
    )
    workbook(
        tmp_path / "a.xlsx",
        [["X1", "Một", "có", 1], ["X1", "Một bis", "có", 1], ["X2", "Hai", "có", 1]],
        [["K1", "X1", "Khu 1", "không"], ["K2", "X2", "Khu 2", "có"]],
    )
    for path in (folder, tmp_path / "a.xlsx"):
        first, second, third = read_records(path, rs.schema, rs.subject)
        assert second.error is not None and "the id `X1` is used twice" in str(second.error)
        # K1 may be Một's or Một bis's: Một's areas are unknown, not "K1 (unsafe)" or [].
        assert first.error is None and "areas" not in first.data
        (notice,) = [n for n in first.notices if n.code == "warn-ambiguous-rows"]
        assert notice.severity == "warning" and "rows 2" in notice.render("en")
        assert "`X1`" in notice.render("en") and "chưa rõ" in notice.render("vi")
        assert rs.evaluate(first.data).criteria["B"].status.name == "UNKNOWN"
        # The others are judged as before.
        assert third.error is None and third.data["areas"] == [{"name": "Khu 2", "safe": True}]
        assert not [n for n in third.notices if n.code == "warn-ambiguous-rows"]


def test_yaml_booleans_are_yaml_1_2_and_bool_fields_read_office_words(tmp_path, rs):
    from antq_rules.readers.documents import load_yaml

    assert load_yaml("[NO, no, yes, on, off, y, n, true, False, TRUE, !!bool yes]", "x") == [
        *["NO", "no", "yes", "on", "off", "y", "n"],
        *[True, False, True, True],
    ]
    path = tmp_path / "a.yaml"
    path.write_text(
        "name: NO\nok: có\nareas:\n  - {name: Y, safe: yes}\n  - {name: n, safe: không}\n"
    )
    (record,) = read_records(path, rs.schema, rs.subject)
    assert record.data["name"] == "NO" and record.data["ok"] is True  # (a text field keeps NO)
    assert record.data["areas"] == [{"name": "Y", "safe": True}, {"name": "n", "safe": False}]
    path.write_text("- name: Một\n  ok: x\n- name: Hai\n  ok: chắc\n")  # (the streaming reader)
    first, second = read_records(path, rs.schema, rs.subject)
    assert first.data["ok"] is True and second.data["ok"] == "chắc"  # (refused by validation)
    for text in ("", "# only a comment\n", "\n\n"):
        path.write_text(text)
        with pytest.raises(AntqError) as info:
            read_records(path, rs.schema, rs.subject)
        assert info.value.code == "empty-data-file" and "is empty" in str(info.value)


def test_a_dash_in_a_yes_no_cell_is_refused_not_read_as_no():
    """`-` in an office's table as often means "no figure" as "no"."""
    from antq_rules import types as t
    from antq_rules.readers.cells import CellError, cell_value

    with pytest.raises(CellError):
        cell_value("-", t.BOOL)
    assert cell_value("không", t.BOOL) is False and cell_value("x", t.BOOL) is True


@pytest.mark.parametrize(
    ("schema", "code"),
    [
        # a field named like the link column: the link was read for it, and
        # the field never (the template left it out without a word)
        ("entity site\n  parts: list[part]\nentity part\n  site_id: int\n", "tables-kept-column"),
        ("entity site\n  id: text\n  n: int\n", "tables-kept-column"),
        # a list named like the subject: two tables `site`, one file
        ("entity site\n  site: list[item]\nentity item\n  good: bool\n", "tables-clash"),
        (
            "entity site\n  Items: list[item]\n  items: list[item]\nentity item\n  n: int\n",
            "tables-clash",
        ),
    ],
)
def test_a_schema_tables_cannot_hold_apart_is_refused_by_name(tmp_path, schema, code):
    text = f'ruleset r\n  title "R"\n  subject site\n\n{schema}\ncriterion C1 "a"\n  true\n'
    rs = antq_rules.load(text)
    (tmp_path / "site.csv").write_text("id\n1\n", encoding="utf-8")
    with pytest.raises(AntqError) as caught:
        read_records(tmp_path, rs.schema, rs.subject)
    assert caught.value.code == code
    # the template says the same, in the user's words (it crashed, or left the field out)
    (tmp_path / "r.antq").write_text(text, encoding="utf-8")
    code_, out, err = antq(
        "schema", tmp_path / "r.antq", "--template", "csv", "--out", tmp_path / "t"
    )
    assert code_ == 2 and "internal error" not in err
    assert "CSV" in err and "Traceback" not in err
