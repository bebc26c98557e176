"""Templates a clerk can fill: enum labels in the schema language, cells that
hold a code or its label, templates holding only what a ruleset reads (with
dropdowns and a "Hướng dẫn" sheet), the warning for a deleted sheet, and
labels in reports."""

from __future__ import annotations

import csv
import datetime
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import antq
from hypothesis import given
from hypothesis import strategies as st

import antq_rules
from antq_rules import Schema
from antq_rules import types as t
from antq_rules.errors import AntqError
from antq_rules.readers import read_records, write_template
from antq_rules.readers.cells import CellError, cell_value
from antq_rules.readers.guide import template_tables
from antq_rules.readers.tables import GUIDE_SHEET, tables_for
from antq_rules.readers.template import GUIDE_FILE
from antq_rules.reads import fields_read
from antq_rules.suggest import fold
from antq_rules.syntax import ast
from antq_rules.syntax.fmt import format_ruleset, quote
from antq_rules.syntax.parser import parse_ruleset, parse_schema

openpyxl = pytest.importorskip("openpyxl")

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
NGOC = RULESETS / "plans" / "ngoc_dao_2021.antq"
EXAMPLE = RULESETS / "examples" / "ngoc_dao_2021_pass.json"


@pytest.fixture(scope="module")
def ngoc():
    return antq_rules.load(NGOC)


# ------------------------------------------------------ the language


def test_enum_values_carry_optional_labels():
    decl = parse_schema(
        'enum kind "Loại vụ việc" ["anti_party" "Hoạt động chống Đảng, chính quyền", '
        '"crime" "Tội phạm", "other"]\n'
        'entity incident\n  kind: kind\n  level: enum["a" "Nhãn A", "b"] "Mức"\n'
    )
    enum_decl, entity = decl.items
    assert enum_decl == ast.EnumDecl(
        "kind",
        "Loại vụ việc",
        ("anti_party", "crime", "other"),
        ("Hoạt động chống Đảng, chính quyền", "Tội phạm", None),
    )
    assert entity.fields[1].type == ast.EnumTypeExpr(("a", "b"), ("Nhãn A", None))
    # No label at all: one form, whatever built the tree.
    assert parse_schema('enum k ["a", "b",]').items[0] == ast.EnumDecl("k", None, ("a", "b"))


def test_fmt_keeps_labels_and_is_idempotent():
    text = (
        'enum k "Loại" ["a"   "Nhãn \\"A\\"", "b",   "c" "C"]  # a comment\n'
        'entity e\n  i: enum["p" "Pê", "q"] "Inline"\n  l: list[enum["u" "U"]]\n'
        'enum long [\n  "x" "Một nhãn rất dài cho giá trị x, để khai báo không vừa một dòng",  # x\n'
        '  "y" "Một nhãn rất dài cho giá trị y, để khai báo không vừa một dòng"\n]\n'
    )
    formatted = format_ruleset(text)
    assert parse_ruleset(formatted) == parse_ruleset(text)
    assert format_ruleset(formatted) == formatted
    assert 'enum k "Loại" ["a" "Nhãn \\"A\\"", "b", "c" "C"]  # a comment' in formatted
    assert (
        '  "x" "Một nhãn rất dài cho giá trị x, để khai báo không vừa một dòng",  # x' in formatted
    )


LABELS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"))
    | st.sampled_from('"\\\nđ'),
    max_size=12,
)
CODES = st.lists(
    st.from_regex(r"[a-z][a-z_]{0,6}", fullmatch=True), min_size=1, max_size=5, unique=True
)


@given(values=CODES, data=st.data())
def test_fmt_round_trip_of_generated_labels(values, data):
    labels = [data.draw(st.none() | LABELS) for _ in values]
    title = data.draw(st.none() | LABELS)
    shown = [
        quote(v) + ("" if lb is None else " " + quote(lb))
        for v, lb in zip(values, labels, strict=True)
    ]
    text = f"enum k{'' if title is None else ' ' + quote(title)} [{', '.join(shown)}]\n"
    text += f"entity e\n  f: enum[{', '.join(reversed(shown))}]\n"
    enum_decl, entity = parse_ruleset(text).items
    nfc = [None if lb is None else unicodedata.normalize("NFC", lb) for lb in labels]
    expect = tuple(nfc) if any(lb is not None for lb in labels) else ()
    assert (enum_decl.values, enum_decl.labels) == (tuple(values), expect)
    assert entity.fields[0].type.labels == tuple(reversed(expect))
    formatted = format_ruleset(text)
    assert parse_ruleset(formatted) == parse_ruleset(text)
    assert format_ruleset(formatted) == formatted


def test_labels_stay_out_of_type_equality_and_print_back():
    schema = Schema.from_text(
        'enum k "Loại" ["a" "Nhãn A", "b"]\nentity e\n  k: k\n  j: list[enum["x" "X", "y"]]\n'
    )
    kind = schema.enums["k"]
    assert kind == t.Enum(("a", "b"), "k") and hash(kind) == hash(t.Enum(("a", "b"), "k"))
    assert (kind.label("a"), kind.label("b"), kind.shown("b"), kind.title) == (
        "Nhãn A",
        None,
        "b",
        "Loại",
    )
    text = schema.to_text()
    assert 'enum k "Loại" ["a" "Nhãn A", "b"]' in text
    assert 'j: list[enum["x" "X", "y"]]' in text
    again = Schema.from_text(text)
    assert again == schema
    assert again.entities["e"].fields["j"].type.item.labels == ("X", None)


def test_a_field_declared_again_with_other_labels_keeps_its_type(tmp_path):
    (tmp_path / "lib.antq").write_text(
        'entity unit\n  size: enum["s" "Nhỏ", "l" "Lớn"]\n', encoding="utf-8"
    )
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "R"\n  subject unit\nuse "lib.antq"\n'
        'entity unit\n  size: enum["s", "l"]\n  name: text\n'
        'criterion A "A"\n  size == "l"\n',
        encoding="utf-8",
    )
    rs = antq_rules.load(tmp_path / "r.antq")
    assert rs.schema.entities["unit"].fields["size"].type.label("l") == "Lớn"


def test_every_shipped_enum_has_vietnamese_labels_that_read_back():
    seen = 0
    for path in sorted(RULESETS.rglob("*.antq")):
        text = path.read_text(encoding="utf-8")
        if not any(isinstance(i, ast.RulesetHeader) for i in parse_ruleset(text).items):
            continue  # a library: the rulesets that use it cover it
        rs = antq_rules.load(path, year=2021)
        for entity in rs.schema.entities.values():
            for field in entity.fields.values():
                enum = field.type.item if isinstance(field.type, t.List) else field.type
                if not isinstance(enum, t.Enum):
                    continue
                seen += 1
                assert enum.labels and None not in enum.labels, (path, field.name)
                # Each label (and code) names one value, diacritics and case aside.
                keys = [fold(v) for v in enum.values] + [fold(lb) for lb in enum.labels]
                for value, label in zip(enum.values, enum.labels, strict=True):
                    assert keys.count(fold(label)) == 1 or fold(label) == fold(value), label
    assert seen >= 6
    schema = antq_rules.load(NGOC).schema
    kinds = schema.enums["event_kind"]
    assert kinds.label("anti_party") == "Hoạt động chống Đảng, chính quyền"
    assert kinds.label("crime") == "Tội phạm"
    assert kinds.label("mass_complaint").startswith("Khiếu kiện đông người")
    sizes = schema.enums["enterprise_size"]
    assert [sizes.label(v) for v in sizes.values] == [
        "Doanh nghiệp siêu nhỏ",
        "Doanh nghiệp nhỏ",
        "Doanh nghiệp vừa",
        "Doanh nghiệp lớn",
    ]
    levels = schema.enums["school_level"]
    assert (levels.label("nursery"), levels.label("kindergarten"), levels.label("primary")) == (
        "Nhà trẻ",
        "Mầm non",
        "Tiểu học",
    )


def test_json_schema_gives_the_labels():
    code, out, _ = antq("schema", RULESETS / "tt124" / "cqdn.antq")
    assert code == 0
    kind = json.loads(out)["$defs"]["unit"]["properties"]["kind"]
    assert kind["enum"][:2] == ["agency", "enterprise"] and kind["enum"][-1] is None
    assert kind["x-labels"]["school"] == "Cơ sở giáo dục"


# ------------------------------------------------------------- reading labels


KINDS = antq_rules.load(NGOC).schema.enums["event_kind"]


@pytest.mark.parametrize(
    "written",
    [
        "crime",
        "Tội phạm",
        "tội phạm",
        "TỘI PHẠM",
        "toi pham",
        "  Tội   phạm ",
        unicodedata.normalize("NFD", "Tội phạm"),
    ],
)
def test_a_cell_holds_the_code_or_its_label(written):
    assert cell_value(written, KINDS) == "crime"
    assert cell_value(f"{written}; Ma túy", t.List(KINDS)) == ["crime", "drugs"]


def test_an_unknown_value_says_what_it_may_have_meant():
    with pytest.raises(CellError) as info:
        cell_value("tội pham hình sự", KINDS)
    assert info.value.hint == "Tội phạm"
    assert "`Tội phạm`" in info.value.expected.render("vi")
    assert "(nhãn hoặc mã)" in info.value.expected.render("vi")


def test_a_bad_label_in_a_csv_file_names_the_cell_and_suggests(tmp_path, ngoc):
    folder = tmp_path / "mau"
    write_template(ngoc.schema, ngoc.subject, folder, "csv", reads=fields_read(ngoc))
    _fill_csv(folder / "commune.csv", [{"id": "ND", "name": "Ngọc Đào"}])
    _fill_csv(folder / "incidents.csv", [{"id": "1", "kind": "Toi pham hinh su"}])
    (record,) = read_records(folder, ngoc.schema, ngoc.subject)
    text = record.error.render("en")
    assert "incidents.csv, row 2, column C (kind)" in text
    assert "`Tội phạm`" in text and "a label or its code" in text
    assert "help: did you mean `Tội phạm`?" in text
    assert "có phải ý bạn là `Tội phạm`?" in record.error.render("vi")


def test_json_keeps_the_codes(ngoc):
    data = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    data["incidents"][0]["kind"] = "Tội phạm"
    with pytest.raises(AntqError) as info:
        ngoc.evaluate(data)
    assert "crime" in info.value.render("en")


# ----------------------------------------------------------------- templates


def _sheets(path: Path) -> dict[str, list[str]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [c.value for c in sheet[1]] for sheet in book.worksheets}


def test_the_ngoc_dao_template_holds_what_the_plan_reads(tmp_path, ngoc):
    path = tmp_path / "mau.xlsx"
    write_template(ngoc.schema, ngoc.subject, path, "xlsx", reads=fields_read(ngoc))
    sheets = _sheets(path)
    names = list(sheets)
    assert names[0] == GUIDE_SHEET
    lists = names[1:]
    # The lists the plan reads (with tt124/xa it extends and tt124/kdc it judges
    # areas by), and no other: not `units.models`, `units.incidents`.
    assert lists == [
        "commune",
        "areas",
        "areas.incidents",
        "areas.models",
        "areas.yearly",
        "units",
        "models",
        "incidents",
        "police_members",
        "released_prisoners",
        "yearly",
    ]
    columns = sum(len(sheets[name]) for name in lists)
    full = sum(len(table.headers()) for table in tables_for(ngoc.schema, ngoc.subject))
    assert columns <= 70 and full >= 2 * columns
    assert sheets["commune"][:2] == ["Mã (id)", "Tên (name)"]
    assert sheets["areas.incidents"] == [
        "Mã (id)",
        "Mã Khu dân cư (area_id)",
        "Loại (kind)",
        "Ngày xảy ra (date)",
        "Mức độ (severity)",
    ]
    # Fields nobody reads are left out; the name stays, to tell rows apart.
    assert not any("(code)" in h or "(board_plan." in h for h in sheets["areas"])
    assert "Tên (name)" in sheets["areas"]
    assert sheets["units"] == [
        "Mã (id)",
        "Mã Xã, phường, thị trấn (commune_id)",
        "Tên (name)",
        "Loại (kind)",
        "Quy mô doanh nghiệp (enterprise_size)",
        "Cấp học (school_level)",
        "Đã đăng ký (registered)",
        "Được công nhận đạt tiêu chuẩn “An toàn về ANTT” (recognised_safe)",
    ]


@pytest.mark.parametrize(
    ("ruleset", "lists"),
    [
        ("tt124/kdc.antq", ["area", "incidents", "models", "yearly"]),
        ("tt124/cqdn.antq", ["unit", "models"]),
        ("qd510/cqdn.antq", ["unit"]),
        ("models/five_self.antq", ["area"]),
        ("nr19/nr19_2021.antq", ["commune", "incidents"]),
        ("qd9745/xa.antq", ["commune"]),
    ],
)
def test_templates_of_shipped_rulesets_hold_only_what_they_read(ruleset, lists):
    rs = antq_rules.load(RULESETS / ruleset, year=2021)
    read = fields_read(rs)
    tables = template_tables(rs.schema, rs.subject, read)
    assert [table.name for table in tables] == lists
    for table in tables:
        for column in table.columns:
            head = column.name.split(".")[0]
            assert head in read.get(table.entity, ()) or column.name == "name", column
    every = template_tables(rs.schema, rs.subject)
    assert len(every) >= len(tables)
    assert sum(len(x.columns) for x in every) > sum(len(x.columns) for x in tables)


def test_full_templates_hold_the_whole_schema(tmp_path):
    xa = RULESETS / "tt124" / "xa.antq"
    code, out, _ = antq("schema", xa, "--template", "xlsx", "--full", "--out", tmp_path / "a.xlsx")
    assert code == 0
    rs = antq_rules.load(xa)
    tables = tables_for(rs.schema, rs.subject)
    sheets = _sheets(tmp_path / "a.xlsx")
    assert list(sheets) == [GUIDE_SHEET, *(table.name for table in tables)]
    assert len(sheets["commune"]) == len(tables[0].headers())
    code, out, _ = antq("schema", xa, "--template", "csv", "--out", tmp_path / "csv")
    assert code == 0
    written = sorted(p.name for p in (tmp_path / "csv").iterdir())
    assert GUIDE_FILE in written and "units.models.csv" not in written
    assert len(written) - 1 < len(tables)
    guide = (tmp_path / "csv" / GUIDE_FILE).read_text(encoding="utf-8-sig")
    assert "areas.incidents.csv" in guide and "Tội phạm" in guide
    assert "giữ trang tính và để trống" in guide


def test_enum_and_yes_no_columns_have_dropdowns_of_vietnamese_labels(tmp_path, ngoc):
    path = tmp_path / "mau.xlsx"
    write_template(ngoc.schema, ngoc.subject, path, "xlsx", reads=fields_read(ngoc))
    book = openpyxl.load_workbook(path)
    guide = book[GUIDE_SHEET]

    def dropdowns(name: str) -> dict[str, list[str]]:
        """Column header → the values of its dropdown."""
        sheet = book[name]
        headers = {c.column_letter: c.value for c in sheet[1]}
        found = {}
        for rule in sheet.data_validations.dataValidation:
            assert rule.type == "list" and rule.allow_blank
            (cells,) = rule.sqref.ranges
            assert cells.min_row == 2 and cells.max_row >= 1000  # a generous range
            assert cells.min_col == cells.max_col
            sheet_name, area = rule.formula1.rsplit("!", 1)
            assert sheet_name == f"'{GUIDE_SHEET}'"
            values = [c.value for row in guide[area.replace("$", "")] for c in row]
            found[headers[cells.coord.split(":")[0].rstrip("0123456789")]] = values
        return found

    incidents = dropdowns("areas.incidents")
    assert set(incidents) == {"Loại (kind)", "Mức độ (severity)"}
    assert incidents["Loại (kind)"][:2] == [
        "Hoạt động chống Đảng, chính quyền",
        "Phá hoại mục tiêu, công trình trọng điểm",
    ]
    assert "Tội phạm" in incidents["Loại (kind)"] and len(incidents["Loại (kind)"]) == 19
    assert incidents["Mức độ (severity)"][-1] == "Đặc biệt nghiêm trọng"
    areas = dropdowns("areas")
    yes_no = [h for h, values in areas.items() if values == ["có", "không"]]
    bools = [h for h in areas if "(legal_propaganda)" in h or ".issued)" in h]
    assert set(bools) <= set(yes_no) and len(yes_no) == len(areas) == 5
    units = dropdowns("units")
    assert units["Quy mô doanh nghiệp (enterprise_size)"][0] == "Doanh nghiệp siêu nhỏ"
    assert units["Cấp học (school_level)"][:3] == ["Nhà trẻ", "Mầm non", "Tiểu học"]
    # Numbers, dates, text and ids have none.
    assert not any("(date)" in h or "(id)" in h or "(name)" in h for h in incidents | units)


def test_the_guide_sheet_explains_every_sheet_and_column(tmp_path, ngoc):
    path = tmp_path / "mau.xlsx"
    write_template(
        ngoc.schema, ngoc.subject, path, "xlsx", reads=fields_read(ngoc), full=True, title="T"
    )
    book = openpyxl.load_workbook(path)
    rows = [[c for c in row if c is not None] for row in book[GUIDE_SHEET].values]
    text = "\n".join(" | ".join(map(str, row)) for row in rows)
    assert rows[0] == ["Hướng dẫn nhập liệu — T"]
    for sheet in book.sheetnames[1:]:
        assert any(row[:1] == [sheet] for row in rows), sheet
        for header in [c.value for c in book[sheet][1]]:
            assert f" | {header} | " in text, header
    assert "giữ trang tính và để trống" in text  # a list with no item: keep its sheet
    assert "cột area_id ghi mã (id) của dòng Khu dân cư ở trang “areas”" in text
    assert "Loại (kind) | Chọn trong danh sách | Hoạt động chống Đảng, chính quyền; " in text
    # Full: what the plan reads is said, column by column.
    assert "(board_plan.issued) | Có/không | có, không | không" in text
    assert "(legal_propaganda) | Có/không | có, không | có" in text


# --------------------------------------------------------- filled, read back


def _get(item: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def _cell(value: Any, type_: t.Type) -> Any:
    """A value as a clerk writes it: labels from the dropdowns, `có`/`không`."""
    if value is None:
        return None
    if type_ == t.BOOL:
        return "có" if value else "không"
    if isinstance(type_, t.Enum):
        return type_.shown(value)
    if type_ == t.DATE:
        return datetime.date.fromisoformat(value).strftime("%d/%m/%Y")
    return value


def _rows(document: dict[str, Any], tables: list[Any]) -> dict[str, list[list[Any]]]:
    """Each table's rows (without headers) for one subject's document."""
    ids: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    out: dict[str, list[list[Any]]] = {}
    for table in tables:
        if table.parent is None:
            items = [("X", None, document)]
        else:
            items = [
                (f"{pid}-{table.field}{index}", pid, item)
                for pid, parent in ids[table.parent]
                for index, item in enumerate(parent.get(table.field) or [])
            ]
        ids[table.name] = [(rid, item) for rid, _, item in items]
        out[table.name] = [
            [rid, *([pid] if table.link else [])]
            + [_cell(_get(item, c.name), c.type) for c in table.columns]
            for rid, pid, item in items
        ]
    return out


def _fill_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open(encoding="utf-8-sig") as handle:
        headers = next(csv.reader(handle))

    def column(field: str) -> str:
        return next(h for h in headers if h == field or h.endswith(f"({field})"))

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            cells = {column(k): v for k, v in row.items()}
            writer.writerow([cells.get(h, "") for h in headers])


def _filled(tmp_path: Path, rs: Any, kind: str) -> Path:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    tables = template_tables(rs.schema, rs.subject, fields_read(rs))
    rows = _rows(document, tables)
    if kind == "xlsx":
        path = tmp_path / "mau.xlsx"
        write_template(rs.schema, rs.subject, path, "xlsx", reads=fields_read(rs))
        book = openpyxl.load_workbook(path)
        for table in tables:
            for row in rows[table.name]:
                book[table.name].append(row)
        book.save(path)
        return path
    path = tmp_path / "mau"
    write_template(rs.schema, rs.subject, path, "csv", reads=fields_read(rs))
    for table in tables:
        with (path / f"{table.name}.csv").open("a", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows[table.name])
    return path


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_filled_template_reads_back_to_the_same_verdict(tmp_path, ngoc, kind):
    path = _filled(tmp_path, ngoc, kind)
    (record,) = read_records(path, ngoc.schema, ngoc.subject)
    assert record.error is None and record.notices == ()  # the guide is not read, silently
    assert record.data["incidents"][0]["kind"] in KINDS.values  # labels were read as codes
    from_file = ngoc.judge_record(record, 0, None, None)
    from_json = ngoc.evaluate(json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert from_file.verdict == from_json.verdict == antq_rules.Status.PASS
    assert from_file.statuses == from_json.statuses
    assert from_file.notices == ()


def test_the_command_line_judges_a_filled_template(tmp_path, ngoc):
    path = _filled(tmp_path, ngoc, "xlsx")
    code, out, err = antq("eval", NGOC, path, "--lang", "vi")
    assert code == 0, out + err
    assert "Hướng dẫn" not in out + err


# ---------------------------------------------------- a sheet left out


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_missing_sheet_of_a_list_that_is_read_is_a_warning(tmp_path, ngoc, kind):
    path = _filled(tmp_path, ngoc, kind)
    if kind == "xlsx":
        book = openpyxl.load_workbook(path)
        del book["areas.incidents"]
        book.save(path)
    else:
        (path / "areas.incidents.csv").unlink()
    (record,) = read_records(path, ngoc.schema, ngoc.subject)
    result = ngoc.judge_record(record, 0, None, None)
    assert result.verdict == antq_rules.Status.UNKNOWN
    (notice,) = result.notices
    assert notice.severity == "warning"
    what = "sheet `areas.incidents`" if kind == "xlsx" else "file `areas.incidents.csv`"
    english = notice.render("en")
    assert (
        f"{what} (Vụ việc) is missing" in english and "keep it, empty, if there are none" in english
    )
    said = "thiếu trang tính `areas.incidents`" if kind == "xlsx" else "thiếu tệp"
    assert said in notice.render("vi") and "để trống" in notice.render("vi")
    for format_ in ("text", "md", "html"):
        for lang in ("en", "vi"):
            assert "areas.incidents" in result.render(format_, lang), (format_, lang)
    shown = json.loads(result.to_json())["notices"]
    assert any("areas.incidents" in json.dumps(n, ensure_ascii=False) for n in shown)


def test_a_missing_sheet_of_a_list_nobody_reads_is_not_said(tmp_path):
    rs = antq_rules.load(RULESETS / "tt124" / "cqdn.antq")
    assert "incidents" not in fields_read(rs)["unit"]
    path = tmp_path / "mau.xlsx"
    write_template(rs.schema, rs.subject, path, "xlsx", full=True, reads=fields_read(rs))
    book = openpyxl.load_workbook(path)
    book["unit"].append(["U1"])
    del book["incidents"]  # not read: nothing to say
    del book["models"]  # read: a warning
    book.save(path)
    (record,) = read_records(path, rs.schema, rs.subject)
    result = rs.judge_record(record, 0, 2021, None)
    # (the unit's kind is not filled in either: whether the ruleset applies is warned)
    assert [n.params["table"] for n in result.notices if "table" in n.params] == ["models"]


# ------------------------------------------------------ labels in reports


def test_reports_show_labels_and_keep_codes(tmp_path):
    rs = antq_rules.load(
        'ruleset lab\n  title "Nhãn"\n  subject unit\n'
        'enum size "Quy mô" ["micro" "Doanh nghiệp siêu nhỏ", "large" "Doanh nghiệp lớn"]\n'
        'entity unit\n  name: text\n  size: size\n  kind: enum["a" "Loại A", "b"]\n'
        'criterion C1 "Lớn"\n  size == "large"\n'
        'criterion C2 "Không phải loại A"\n  kind != "a"\n'
    )
    data = {"name": "X", "size": "micro", "kind": "a"}
    for evaluator in ("compiled", "reference"):
        result = rs.evaluate(data, evaluator=evaluator)
        text = result.render("text", "vi")
        assert 'size = Doanh nghiệp siêu nhỏ (micro); cần == Doanh nghiệp lớn ("large")' in text
        assert 'kind = Loại A (a); cần != Loại A ("a")' in text
        assert "Doanh nghiệp siêu nhỏ (micro)" in result.render("md", "en")
        assert "Doanh nghiệp siêu nhỏ (micro)" in result.render("html", "en")
        fact = json.loads(result.to_json())["criteria"][0]["explanation"]["facts"][0]
        assert (fact["value"], fact["value_label"]) == ("micro", "Doanh nghiệp siêu nhỏ")
        assert (fact["threshold"], fact["threshold_label"]) == ("large", "Doanh nghiệp lớn")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(
        (Path(antq_rules.__file__).parent / "result.schema.json").read_text(encoding="utf-8")
    )
    jsonschema.validate(json.loads(result.to_json()), schema)
