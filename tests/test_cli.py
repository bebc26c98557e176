"""The `antq` command line, through its real entry point: every command, every
exit code, error messages (golden files), data formats and round trips."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import antq

ROOT = Path(__file__).resolve().parent.parent
RULESETS = ROOT / "rulesets"
GOLDEN = Path(__file__).parent / "golden" / "cli"
UPDATE = os.environ.get("ANTQ_UPDATE_GOLDEN") == "1"
NGOC = RULESETS / "plans" / "ngoc_dao_2021.antq"
XA = RULESETS / "tt124" / "xa.antq"
EXAMPLES = RULESETS / "examples"


def golden(name, text):
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"run with ANTQ_UPDATE_GOLDEN=1 to create {name}"
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def work(tmp_path):
    """A folder with copies of the shipped rulesets, so paths in messages are stable."""
    shutil.copytree(RULESETS, tmp_path / "rulesets")
    return tmp_path


# ------------------------------------------------------------- basics


def test_version_and_help():
    code, out, _ = antq("--version")
    assert code == 0 and out.startswith("antq ")
    for command in ("check", "eval", "test", "fmt", "schema", "explain"):
        code, out, _ = antq(command, "--help")
        assert code == 0 and "examples:" in out, command
    code, out, _ = antq()
    assert code == 2 and "COMMAND" in out


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "antq"
    assert script.exists()
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    assert done.returncode == 0


# ------------------------------------------------------------- check


def test_check_ok():
    code, out, _ = antq("check", RULESETS, "--lang", "en")
    assert code == 0
    files = len(list(Path(RULESETS).rglob("*.antq")))
    assert f"{files} ok, 0 with problems" in out


def test_check_errors_text_and_json(work):
    bad = work / "bad.antq"
    bad.write_text(
        'ruleset bad\n  title "Sai"\n  subject commune\nuse "rulesets/common/schema.antq"\n\n'
        'criterion A "A"\n  count(areas where recognized_safe) >= 1\n',
        encoding="utf-8",
    )
    code, out, _ = antq("check", "bad.antq", "--lang", "en", cwd=work)
    assert code == 1
    golden("check-unknown-name.txt", out)
    code, out, _ = antq("check", "bad.antq", "--format", "json", cwd=work)
    assert code == 1
    report = json.loads(out)
    problem = report[0]["problems"][0]
    assert (report[0]["ok"], problem["code"], problem["line"], problem["column"]) == (
        False,
        "unknown-name",
        7,
        21,
    )
    assert problem["help"] == ["có phải ý bạn là `recognised_safe`?"]


def test_check_parse_error(work):
    (work / "broken.antq").write_text(
        'ruleset x\n  title "X"\ncriterion A "A"\n  count(areas >= 1\n', encoding="utf-8"
    )
    code, out, _ = antq("check", "broken.antq", "--lang", "vi", cwd=work)
    assert code == 1
    golden("check-parse-error.txt", out)


def test_check_missing_file(work):
    code, out, _ = antq("check", "nope.antq", "--lang", "en", cwd=work)
    assert code == 1
    assert "cannot find the file `nope.antq`" in out


# --------------------------------------------------------------- eval


def test_eval_exit_codes():
    assert antq("eval", NGOC, EXAMPLES / "ngoc_dao_2021_pass.json")[0] == 0
    assert antq("eval", NGOC, EXAMPLES / "ngoc_dao_2021_fail_tc3.json")[0] == 1
    assert antq("eval", NGOC, EXAMPLES / "ngoc_dao_2021_unknown.json")[0] == 3
    assert antq("eval", NGOC, EXAMPLES / "missing.json")[0] == 2
    code, out, err = antq("eval", XA, EXAMPLES / "ngoc_dao_2021_pass.json", "--lang", "en")
    assert code == 2 and "no year was given" in err and "--year" in err


def test_eval_formats_languages_and_out(tmp_path):
    data = EXAMPLES / "ngoc_dao_2021_fail_tc3.json"
    code, out, _ = antq("eval", NGOC, data, "--lang", "vi")
    assert code == 1 and "KHÔNG ĐẠT" in out and "12/13 ≈ 92,3 %" in out
    code, out, _ = antq("eval", NGOC, data, "--lang", "en", "--format", "md")
    assert "**FAIL**" in out and "92.3%" in out
    code, out, _ = antq("eval", NGOC, data, "--format", "json")
    assert json.loads(out)["criteria"][10]["id"] == "TC3"
    target = tmp_path / "r" / "report.html"
    code, out, _ = antq("eval", NGOC, data, "--format", "html", "--out", target)
    assert code == 1 and out == ""
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_eval_params_and_period():
    data = EXAMPLES / "ngoc_dao_2021_fail_tc3.json"
    assert antq("eval", NGOC, data, "--param", "hamlets_safe_min=90%")[0] == 0
    code, _, err = antq("eval", NGOC, data, "--param", "hamlet_safe_min=90%", "--lang", "en")
    assert code == 2 and "did you mean `hamlets_safe_min`?" in err
    code, _, err = antq("eval", NGOC, data, "--param", "nonsense")
    assert code == 2 and "NAME=VALUE" in err
    code, out, _ = antq(
        "eval", XA, EXAMPLES / "ngoc_dao_2021_pass.json", "--period", "2020-11-16..2021-11-15"
    )
    assert code == 0


def test_eval_batch_reports_bad_records_and_summarises(tmp_path):
    records = json.loads((EXAMPLES / "ngoc_dao_2021_pass.json").read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(records))
    bad["areas"][2]["households"] = "nhiều"
    batch = tmp_path / "batch.json"
    batch.write_text(json.dumps([records, bad, records, 17], ensure_ascii=False), encoding="utf-8")
    code, out, err = antq("eval", NGOC, batch, "--lang", "en")
    assert code == 2  # two records could not be judged; the others were
    assert "areas[2].households: expected int" in out
    assert "PASS" in out and out.count("ERROR") >= 2
    assert "Total" in out
    assert "\r" not in err and "█" not in err  # no progress bar when not a terminal
    code, out, _ = antq("eval", NGOC, batch, "--format", "json")
    document = json.loads(out)
    assert document["schema"] == "antq-batch/1"
    assert document["summary"] == {
        "total": 4,
        "verdicts": {"PASS": 2, "FAIL": 0, "UNKNOWN": 0, "NA": 0},
        "levels": {},
        "errors": 2,
    }


def test_progress_bar_only_on_a_terminal():
    from antq_rules.cli import Progress

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    screen = Terminal()
    bar = Progress(True, "en", screen)
    for _ in range(3):
        bar.step()
    bar.close()
    shown = screen.getvalue()
    assert "3 subjects judged" in shown and "a second" in shown and "\r" in shown
    piped = io.StringIO()
    bar = Progress(True, "en", piped)
    bar.step()
    bar.step()
    bar.close()
    assert piped.getvalue() == ""
    quiet = Terminal()
    bar = Progress(False, "en", quiet)
    bar.step()
    bar.step()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("broken.json", '{"name": "X", "areas": [}', "broken.json:1:25: this is not valid JSON"),
        (
            "wrong.json",
            '{"name": "X", "areas": [{"households": "many"}]}',
            'areas[0].households: expected int, got "many"',
        ),
        ("list.yaml", "- name: X\n  areas: 3\n", "areas: expected list of area"),
        ("bad.yaml", "name: [x\n", "bad.yaml:2:1: this is not valid YAML"),
    ],
)
def test_eval_bad_data_messages(tmp_path, name, content, needle):
    (tmp_path / name).write_text(content, encoding="utf-8")
    code, out, err = antq("eval", NGOC, name, "--lang", "en", cwd=tmp_path)
    assert code == 2
    assert needle in out + err


def test_eval_data_error_golden(tmp_path):
    (tmp_path / "xa.json").write_text(
        '{"name": "Xã A", "areas": [{"name": "Thôn 1", "households": "nhiều"}]}', encoding="utf-8"
    )
    code, out, err = antq("eval", NGOC, "xa.json", "--lang", "vi", cwd=tmp_path)
    assert code == 2
    golden("eval-data-type.txt", out.split("\n\n", 1)[1] if "\n\n" in out else out)


# ---------------------------------------------------- spreadsheets


TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 holds it: base letters precomposed, tone marks combining."""
    out = []
    for ch in text:
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in TONE_MARKS))
            tones = "".join(c for c in parts if c in TONE_MARKS)
            out.append((base + tones).encode("cp1258"))
    return b"".join(out)


def _fill_csv(path: Path, rows: list[dict[str, str]], encoding="utf-8-sig"):
    with path.open(encoding="utf-8-sig") as handle:
        headers = next(csv.reader(handle))

    def column(field):
        return next(h for h in headers if h == field or h.endswith(f"({field})"))

    columns = [{column(k): v for k, v in row.items()} for row in rows]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in columns:
        writer.writerow([row.get(h, "") for h in headers])
    text = buffer.getvalue()
    path.write_bytes(cp1258(text) if encoding == "cp1258" else text.encode(encoding))


def _commune_rows(hamlets=13, late=()):
    commune = [
        {
            "id": "ND",
            "name": "Ngọc Đào",
            "party_resolution.date": "26/02/2021",
            "antt_plan.issued": "có",
            "registration.issued": "có",
            "policy_implemented": "x",
        }
    ]
    areas = [
        {
            "id": f"X{i}",
            "commune_id": "ND",
            "name": f"Xóm {i}",
            "party_cell_resolution.date": "15/04/2021" if i in late else "15/02/2021",
            "registration.date": "2021-01-20",
            "registration.issued": "có",
            "households": "86",
            "households_registered": "86",
            "policy_implemented": "có",
        }
        for i in range(1, hamlets + 1)
    ]
    return commune, areas


def test_csv_round_trip(tmp_path):
    code, out, _ = antq("schema", XA, "--template", "csv", "--out", tmp_path / "mau")
    assert code == 0 and "commune.csv" in out
    folder = tmp_path / "mau"
    commune, areas = _commune_rows(late=(3, 4, 5, 6))  # 9 of 13 = 69.2 %
    _fill_csv(folder / "commune.csv", commune)
    _fill_csv(folder / "areas.csv", areas)
    _fill_csv(folder / "models.csv", [{"commune_id": "ND", "name": "Camera", "effective": "có"}])
    _fill_csv(folder / "police_members.csv", [{"commune_id": "ND", "disciplined": "không"}])
    _fill_csv(folder / "units.csv", [])  # an empty table: no units
    aside = tmp_path / "aside"
    aside.mkdir()
    for name in ("incidents", "yearly"):
        (folder / f"{name}.csv").rename(aside / f"{name}.csv")  # no table: unknown incidents
    code, out, _ = antq("eval", XA, folder, "--year", "2021", "--lang", "en")
    assert code == 1
    assert "[FAIL] C3" in out and "[UNKNOWN] C2b" in out
    (aside / "incidents.csv").rename(folder / "incidents.csv")
    _fill_csv(folder / "incidents.csv", [])  # an empty table: no incidents
    commune, areas = _commune_rows(late=(3, 4, 5))  # 10 of 13 = 76.9 %
    _fill_csv(folder / "areas.csv", areas)
    code, out, _ = antq("eval", XA, folder, "--year", "2021", "--lang", "en")
    assert "[PASS] C3" in out and "[PASS] C2b" in out


def test_xlsx_round_trip(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = tmp_path / "mau.xlsx"
    assert antq("schema", XA, "--template", "xlsx", "--out", book)[0] == 0
    workbook = openpyxl.load_workbook(book)
    commune, areas = _commune_rows()

    def fill(sheet_name, rows):
        sheet = workbook[sheet_name]
        headers = [c.value for c in sheet[1]]
        for row in rows:
            values = {
                next(h for h in headers if h == k or h.endswith(f"({k})")): v
                for k, v in row.items()
            }
            sheet.append([values.get(h) for h in headers])

    fill("commune", commune)
    fill("areas", [{**a, "households": 86} for a in areas])  # a real number cell
    fill("models", [{"commune_id": "ND", "name": "Camera", "effective": True}])
    fill("police_members", [{"commune_id": "ND", "disciplined": "không"}])
    workbook.save(book)
    code, out, _ = antq("eval", XA, book, "--year", "2021", "--lang", "vi")
    assert "[ĐẠT] C3" in out and "[ĐẠT] C1a" in out, out[:2000]


def test_xlsx_errors(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    workbook.active.title = "xa"
    workbook.save(tmp_path / "sai.xlsx")
    code, out, err = antq("eval", XA, "sai.xlsx", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert code == 2
    golden("eval-xlsx-missing-table.txt", (out + err).split("\n\n", 1)[-1])
    book = tmp_path / "o.xlsx"
    # (the whole schema's columns, in their order: the row below is written by position)
    assert antq("schema", XA, "--template", "xlsx", "--full", "--out", book)[0] == 0
    workbook = openpyxl.load_workbook(book)
    workbook["commune"].append(["ND", "X", "Xã", None, None, "chắc là có"])
    workbook.save(book)
    code, out, err = antq("eval", XA, "o.xlsx", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert code == 2
    golden("eval-xlsx-bad-cell.txt", out.split("\n\n", 1)[-1])
    (tmp_path / "not.xlsx").write_text("not a workbook")
    code, out, err = antq("eval", XA, "not.xlsx", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert code == 2 and "not a readable Excel workbook" in out + err


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1258"])
def test_csv_encodings_and_normal_forms(tmp_path, encoding):
    assert antq("schema", XA, "--template", "csv", "--out", tmp_path)[0] == 0
    commune, areas = _commune_rows()
    name = commune[0]["name"]
    if encoding == "utf-8":
        commune[0]["name"] = unicodedata.normalize("NFD", name)  # typed with combining marks
    _fill_csv(tmp_path / "commune.csv", commune, encoding)
    _fill_csv(tmp_path / "areas.csv", areas[:2], encoding)
    code, out, _ = antq("eval", XA, tmp_path, "--year", "2021", "--format", "json")
    result = json.loads(out)
    assert result["subject"]["label"] == "Ngọc Đào", encoding
    assert result["criteria"][0]["status"] == "PASS"


def test_csv_errors(tmp_path):
    # (the whole schema: the golden names columns by their letters)
    assert antq("schema", XA, "--template", "csv", "--full", "--out", tmp_path)[0] == 0
    commune, areas = _commune_rows()
    _fill_csv(tmp_path / "commune.csv", commune)
    areas[1]["households"] = "tám mươi"
    _fill_csv(tmp_path / "areas.csv", areas)
    code, out, err = antq("eval", XA, ".", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert code == 2
    golden(
        "eval-csv-bad-cell.txt", (out + err).split("\n\n", 1)[-1].replace(str(tmp_path), "<dir>")
    )
    areas[1]["households"] = "80"
    areas[1]["commune_id"] = "XX"
    _fill_csv(tmp_path / "areas.csv", areas)
    code, out, err = antq("eval", XA, ".", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert code == 2 and "`commune_id` is `XX`, but no row of `commune` has that id" in out + err
    (tmp_path / "xom.csv").write_text("id\n1\n", encoding="utf-8")
    code, out, err = antq("eval", XA, ".", "--year", "2021", "--lang", "en", cwd=tmp_path)
    assert "xom.csv: no list of the ruleset matches this table; it was not read" in out + err


# --------------------------------------------------------------- test


def test_test_command_and_coverage(work):
    # A copy of the library: its `use "../common/…"` needs the folder allowed.
    code, out, _ = antq("test", "rulesets/tt124/xa.antq", "--lang", "en", cwd=work)
    assert code == 1 and "outside the folders this ruleset may read" in out
    allow = ("--allow", "rulesets")
    code, out, _ = antq("test", "rulesets/tt124/xa.antq", *allow, "--lang", "en", cwd=work)
    assert code == 0 and "14 passed, 0 failed" in out  # 12 cases and 2 properties
    code, out, _ = antq(
        "test", "rulesets/tt124/xa.antq", *allow, "--coverage", "--lang", "en", cwd=work
    )
    assert (
        code == 0
        and "C1a: never FAIL" in out
        and "`and` in `antt_plan.issued and registration.issued`" in out
    )
    cases = work / "rulesets" / "tt124" / "xa.cases.yaml"
    cases.write_text(
        cases.read_text(encoding="utf-8").replace("criteria: {C4: FAIL}", "criteria: {C4: PASS}"),
        encoding="utf-8",
    )
    code, out, _ = antq("test", "rulesets/tt124", *allow, "--lang", "en", cwd=work)
    assert code == 1
    assert "C4: expected PASS, got FAIL" in out
    assert "none(police_members where disciplined)" in out or "police_members[1]" in out
    assert antq("test", work / "nothing-here")[0] == 2


# ---------------------------------------------------------------- fmt


def test_fmt(work):
    path = work / "messy.antq"
    path.write_text(
        'ruleset  m\n title "M"   # the title\n subject commune\nuse "rulesets/common/schema.antq"\n'
        'criterion A "a"\n   count(models where effective)>=1 and not(   policy_implemented )\n',
        encoding="utf-8",
    )
    code, out, err = antq("fmt", "--check", "messy.antq", cwd=work)
    assert code == 1 and "would reformat messy.antq" in err
    code, out, _ = antq("fmt", "--diff", "messy.antq", cwd=work)
    assert code == 0 and "+  count(models where effective) >= 1 and not policy_implemented" in out
    assert antq("fmt", "messy.antq", cwd=work)[0] == 0
    assert '  title "M"  # the title\n' in path.read_text(encoding="utf-8")
    assert antq("fmt", "--check", "messy.antq", cwd=work)[0] == 0
    (work / "broken.antq").write_text("ruleset (\n", encoding="utf-8")
    assert antq("fmt", "broken.antq", cwd=work)[0] == 2


def test_fmt_round_trip_on_every_shipped_ruleset():
    from antq_rules.syntax.fmt import format_ruleset
    from antq_rules.syntax.parser import parse_ruleset

    for path in sorted(RULESETS.rglob("*.antq")):
        text = path.read_text(encoding="utf-8")
        formatted = format_ruleset(text)
        assert parse_ruleset(formatted) == parse_ruleset(text), path
        assert format_ruleset(formatted) == formatted, path
        assert len(parse_ruleset(formatted).comments) == len(parse_ruleset(text).comments), path
    assert antq("fmt", "--check", RULESETS)[0] == 0  # shipped files are already canonical


# ------------------------------------------------------------- schema


def test_schema_json():
    code, out, _ = antq("schema", XA)
    document = json.loads(out)
    commune = document["$defs"]["commune"]
    assert commune["title"] == "Xã, phường, thị trấn"
    assert commune["properties"]["areas"]["type"] == ["array", "null"]
    assert document["$defs"]["unit"]["properties"]["kind"]["enum"][-1] is None
    jsonschema = pytest.importorskip("jsonschema")
    example = json.loads((EXAMPLES / "ngoc_dao_2021_pass.json").read_text(encoding="utf-8"))
    jsonschema.validate(example, document)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"areas": [{"households": "many"}]}, document)


# ------------------------------------------------------------ explain


def test_explain():
    code, out, _ = antq(
        "explain", NGOC, EXAMPLES / "ngoc_dao_2021_fail_tc3.json", "TC3", "--lang", "en"
    )
    assert code == 1
    assert "ratio(areas where passes(tt124.kdc))  →  12/13 ≈ 92.3%" in out
    assert "1 more Khu dân cư must meet `passes(tt124.kdc)`" in out
    code, out, err = antq(
        "explain", NGOC, EXAMPLES / "ngoc_dao_2021_fail_tc3.json", "TC33", "--lang", "en"
    )
    assert code == 2 and "did you mean `TC3`?" in err
    code, out, err = antq(
        "explain", NGOC, EXAMPLES / "ngoc_dao_2021_fail_tc3.json", "TC3", "--record", "4"
    )
    assert code == 2 and "--record 4" in err


def test_missing_openpyxl_is_a_clear_message(monkeypatch, tmp_path):
    """Workbooks are read without openpyxl (antq_rules.readers.xlsx); only
    writing a template needs it, and says so."""
    from antq_rules import AntqError, load
    from antq_rules.readers import read_records, write_template

    ruleset = load(XA)
    write_template(ruleset.schema, ruleset.subject, tmp_path / "a.xlsx", "xlsx")
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as if not installed
    assert read_records(tmp_path / "a.xlsx", ruleset.schema, ruleset.subject) == []
    with pytest.raises(AntqError) as info:
        write_template(ruleset.schema, ruleset.subject, tmp_path / "b.xlsx", "xlsx")
    assert "pip install 'antq-rules[xlsx]'" in str(info.value)


def test_eval_docx_for_one_subject_and_for_a_batch(tmp_path):
    docx = pytest.importorskip("docx")
    one, many = tmp_path / "one.docx", tmp_path / "many.docx"
    assert (
        antq(
            "eval", NGOC, EXAMPLES / "ngoc_dao_2021_fail_tc3.json", "--format", "docx", "--out", one
        )[0]
        == 1
    )
    code, _, _ = antq(
        "eval",
        NGOC,
        EXAMPLES / "ngoc_dao_2021_fail_tc3.json",
        EXAMPLES / "ngoc_dao_2021_pass.json",
        "--format",
        "docx",
        "--out",
        many,
    )
    assert code == 1
    for path in (one, many):
        text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text or "BÁO CÁO" in text
    tables = docx.Document(str(one)).tables
    assert any("TC3" in cell.text for t in tables for row in t.rows for cell in row.cells)


def test_sql_prints_the_query_and_eval_judges_by_duckdb_as_by_python():
    pytest.importorskip("duckdb")
    code, out, _ = antq("sql", ROOT / "rulesets" / "tt124" / "kdc.antq", "--year", "2021")
    assert code == 0 and out.startswith("WITH") and '"area"' in out
    files = [EXAMPLES / f"ngoc_dao_2021_{n}.json" for n in ("fail_tc3", "pass", "unknown")]
    by_python = antq("eval", NGOC, *files, "--format", "csv")
    by_duckdb = antq("eval", NGOC, *files, "--format", "csv", "--engine", "duckdb")
    assert by_python[0] == by_duckdb[0] == 1
    assert by_python[1] == by_duckdb[1]
    code, _, err = antq("eval", NGOC, "--lang", "en")
    assert code == 2 and "give the data" in err


HOSTILE_NAMES = [
    {"name": "\ud800 nửa cặp", "areas": []},  # a lone surrogate, as JSON's "\ud800" gives
    {"name": "A\u0001B\nXã An Toàn  ĐẠT  15/15", "areas": []},  # a control character, a new line
]


@pytest.mark.parametrize("fmt", ["text", "md", "html", "json", "csv", "xlsx", "docx"])
def test_every_output_format_holds_names_no_file_can(tmp_path, fmt):
    """Text Python holds but UTF-8 or XML cannot is replaced in the file,
    never an internal error that loses the batch."""
    data = tmp_path / "odd.json"
    data.write_text(json.dumps(HOSTILE_NAMES), encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    code, _, err = antq("eval", NGOC, data, "--format", fmt, "--out", out, "--no-progress")
    assert code == 3, err  # (both UNKNOWN: the data is nearly empty)
    assert "internal error" not in err and out.stat().st_size > 0


def test_a_line_break_in_a_name_cannot_forge_a_line_of_the_text_report(tmp_path):
    data = tmp_path / "odd.json"
    data.write_text(json.dumps(HOSTILE_NAMES[1:] * 2), encoding="utf-8")
    code, out, _ = antq("eval", NGOC, data, "--no-progress", "--lang", "en")
    assert code == 3
    assert not [line for line in out.splitlines() if line.startswith("Xã An Toàn")]
    assert "A\\u0001B\\u000aXã An Toàn" in out


def _run_with_stdout(command, **how):
    return subprocess.run(
        [sys.executable, "-m", "antq_rules.cli", *map(str, command), "--lang", "en"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        **how,
    )


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize(
    "command", [["eval", NGOC, EXAMPLES / "ngoc_dao_2021_pass.json"], ["check", NGOC]]
)
def test_a_full_disk_or_a_closed_stdout_is_said_plainly(command):
    with open("/dev/full", "w") as full:
        on_full_disk = _run_with_stdout(command, stdout=full)
    closed = _run_with_stdout(command, preexec_fn=lambda: os.close(1))  # (`antq … >&-`)
    for done in (on_full_disk, closed):
        assert done.returncode == 2, done.stderr
        assert "cannot write `standard output`" in done.stderr
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_antq_test_takes_the_readers_limits_as_its_message_says(tmp_path):
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "r"\n  subject commune\nentity commune\n  n: int\n'
        'criterion A "a"\n  n >= 10\n',
        encoding="utf-8",
    )
    (tmp_path / "r.cases.yaml").write_text(
        "cases:\n  - name: lớn\n    data: {n: " + "9" * 150 + "}\n    expect: {verdict: PASS}\n",
        encoding="utf-8",
    )
    code, out, err = antq("test", ".", "--lang", "en", cwd=tmp_path)
    assert code == 2 and "--limit digits=" in out + err
    code, out, _ = antq("test", ".", "--lang", "en", "--limit", "digits=200", cwd=tmp_path)
    assert code == 0 and "1 passed" in out
