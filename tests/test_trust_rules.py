"""Rulesets, periods, reports and the command line never give a silent wrong
verdict, read only the files they may, and fail only with an `AntqError`
(issue "Trust at the edges"): a test per reproduction of the issue."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import antq

import antq_rules
from antq_rules import AntqError, CheckError, ParseError

ROOT = Path(__file__).resolve().parent.parent
NGOC = ROOT / "rulesets" / "plans" / "ngoc_dao_2021.antq"
EXAMPLES = ROOT / "rulesets" / "examples"
PASSING = json.loads((EXAMPLES / "ngoc_dao_2021_pass.json").read_text(encoding="utf-8"))

HEAD = """\
ruleset demo.rules
  title "Xã thử"
  subject commune
"""
SCHEMA = """
enum kind ["xã", "phường"]
entity commune
  name: text
  kind: kind
  ok: bool
  n: int
  when: date
  areas: list[area]
entity area
  name: text
  safe: bool
"""


def ruleset(body, head=HEAD, **kw):
    return antq_rules.load(head + SCHEMA + body, **kw)


# ---------------------------------------------------------- periods, years


def test_a_reversed_period_is_an_error_not_a_pass():
    rs = antq_rules.load(NGOC)
    with pytest.raises(AntqError) as info:
        rs.evaluate(PASSING, period=("2021-12-31", "2021-01-01"))
    assert info.value.code == "period-reversed"
    code, _, err = antq(
        "eval", NGOC, EXAMPLES / "ngoc_dao_2021_pass.json", "--period", "2021-12-31..2021-01-01"
    )
    assert code == 2 and "kết thúc trước khi bắt đầu" in err and "internal" not in err
    with pytest.raises(CheckError) as info:
        ruleset('criterion A "a"\n  ok\n', head=HEAD + "  period 2021-12-31 .. 2021-01-01\n")
    assert info.value.code == "period-reversed" and info.value.line == 4


@pytest.mark.parametrize("year", ["0", "99999", "1899", "2101"])
def test_a_year_out_of_range_is_a_usage_error(year):
    code, _, err = antq("eval", NGOC, EXAMPLES / "ngoc_dao_2021_pass.json", "--year", year)
    assert code == 2 and "1900" in err and "internal" not in err
    with pytest.raises(AntqError):
        antq_rules.load(NGOC).evaluate(PASSING, year=int(year))


@pytest.mark.parametrize(
    "body",
    [
        'criterion A "a"\n  when in 2021-12-31 .. 2021-01-01\n',
        'param per = 2021-12-31 .. 2021-01-01\ncriterion A "a"\n  when in per\n',
        'define per = 2021-12-31 .. 2021-01-01\ncriterion A "a"\n  when in per\n',
    ],
)
def test_a_reversed_period_written_in_a_ruleset_is_an_error(body):
    with pytest.raises(CheckError) as info:
        ruleset(body)
    assert "period-reversed" in {d.code for d in info.value.diagnostics}


def test_a_period_parameter_can_be_set_like_the_evaluation_period():
    import datetime

    body = 'param per = 2021-01-01 .. 2021-12-31\ncriterion A "a"\n  when in per\n'
    for given in (
        "2021-01-01 .. 2021-06-30",
        ("2021-01-01", "2021-06-30"),
        (datetime.date(2021, 1, 1), datetime.date(2021, 6, 30)),
    ):
        rs = ruleset(body, params={"per": given})
        for evaluator in ("compiled", "reference"):
            july = rs.evaluate({"when": "2021-07-01"}, evaluator=evaluator)
            june = rs.evaluate({"when": "2021-06-30"}, evaluator=evaluator)
            assert (july.verdict.name, june.verdict.name) == ("FAIL", "PASS")
    with pytest.raises(AntqError) as info:
        ruleset(body, params={"per": "2021-06-30 .. 2021-01-01"})
    assert info.value.code == "period-reversed"
    with pytest.raises(AntqError) as info:
        ruleset(body, params={"per": "mùa hè"})
    assert info.value.code == "param-type"


@pytest.mark.parametrize("year", [1800, 3000, True, 2021.0, "2021"])
def test_load_checks_the_year_as_evaluate_does(year):
    with pytest.raises(AntqError) as info:
        antq_rules.load(NGOC, year=year)
    assert info.value.code == "bad-year"


# ------------------------------------------------------------ load checks


@pytest.mark.parametrize(
    ("applies", "needle"),
    [
        ('kind in ["phuong"]', "did you mean `phường`?"),
        ('kindd == "phường"', "did you mean `kind`?"),
        ("n", "it is `int`"),
    ],
)
def test_the_header_applies_when_is_checked(applies, needle):
    with pytest.raises(CheckError) as info:
        ruleset('criterion A "a"\n  ok\n', head=HEAD + f"  applies when {applies}\n")
    assert needle in str(info.value)
    assert info.value.line == 4


def test_a_ratio_compared_with_a_whole_number_suggests_a_percentage():
    with pytest.raises(CheckError) as info:
        ruleset('criterion A "a"\n  ratio(areas.safe) >= 70\n')
    assert info.value.code == "share-vs-number" and "did you mean `70%`?" in str(info.value)
    with pytest.raises(CheckError):
        ruleset('criterion A "a"\n  ratio(areas.safe) ?? 100% > 95\n')
    assert ruleset('criterion A "a"\n  ratio(areas.safe) >= 0.7\n')
    for threshold in ("0.7 * 100", "-1 + 0", "k * 100"):  # (arithmetic on constants too)
        with pytest.raises(CheckError) as info:
            ruleset(f'param k = 70%\ncriterion A "a"\n  ratio(areas.safe) >= {threshold}\n')
        assert info.value.code == "share-vs-number", threshold
    assert ruleset('criterion A "a"\n  ratio(areas.safe) >= 1 - 0.3\n')
    with pytest.raises(CheckError) as info:  # (a list of thresholds too)
        ruleset('criterion A "a"\n  ratio(areas.safe) in [70%, 100]\n')
    assert "did you mean `100%`?" in str(info.value)


def test_a_percentage_parameter_set_to_a_whole_number_is_an_error(tmp_path):
    body = 'param areas_min = 70%\ncriterion A "a"\n  ratio(areas.safe) >= areas_min\n'
    with pytest.raises(AntqError) as info:
        ruleset(body, params={"areas_min": "70"})
    assert info.value.code == "param-share" and "areas_min = 70%" in str(info.value)
    with pytest.raises(AntqError):
        ruleset(body, params={"areas_min": 70})
    assert (
        ruleset(body, params={"areas_min": "0,7"}).params["areas_min"]
        == antq_rules.load(HEAD + SCHEMA + body, params={"areas_min": "70%"}).params["areas_min"]
    )
    (tmp_path / "r.antq").write_text(HEAD + SCHEMA + body, encoding="utf-8")
    (tmp_path / "d.json").write_text('{"areas": []}', encoding="utf-8")
    code, _, err = antq("eval", "r.antq", "d.json", "--param", "areas_min=70", cwd=tmp_path)
    assert code == 2 and "areas_min = 70%" in err
    for written in ("150%", "-5%"):  # (too much or too little: no `…%` to suggest)
        with pytest.raises(AntqError) as info:
            ruleset(body, params={"areas_min": written})
        assert f"`{written}` is outside" in str(info.value) and "help" not in str(info.value)
    plain = 'param k = 0.7\ncriterion A "a"\n  ratio(areas.safe) >= k\n'
    with pytest.raises(CheckError) as info:
        ruleset(plain, params={"k": "70"})
    assert info.value.code == "share-param"


def test_a_decimal_comma_in_ruleset_text_gets_help():
    with pytest.raises(ParseError) as info:
        ruleset('criterion A "a"\n  ratio(areas.safe) >= 0,7\n')
    assert info.value.code == "decimal-comma"
    assert "write `0.7` or `70%`" in str(info.value)


def test_text_compared_with_a_number_suggests_dropping_the_quotes():
    with pytest.raises(CheckError) as info:
        ruleset('criterion A "a"\n  n >= "5"\n')
    assert "write `5` without quotes" in str(info.value)


# ----------------------------------------------------------------- results


def test_met_and_applicable_are_counts_with_one_criterion():
    result = ruleset('criterion A "a"\n  ok\n').evaluate({"ok": True})
    assert (result.met, result.applicable) == (1, 1)
    assert type(result.met) is int and type(result.applicable) is int
    assert "1/1" in result.render("text", "vi")
    assert json.loads(result.render("json"))["met"] == 1


def test_a_failing_provisional_criterion_says_it_does_not_decide():
    rs = ruleset('criterion A "a"\n  ok\n\ncriterion P "p"\n  provisional\n  n > 1\n')
    result = rs.evaluate({"ok": True, "n": 0})
    assert result.verdict.name == "PASS" and result.criteria["P"].status.name == "FAIL"
    assert not result.criteria["P"].decides_verdict
    for format_, needle in (("text", "does not decide"), ("md", "does not decide")):
        assert needle in result.render(format_, "en")
    assert "does not decide" in result.render("html", "en")
    assert "không quyết định" in result.render("text", "vi")
    entry = json.loads(result.render("json"))["criteria"][1]
    assert (entry["decides_verdict"], entry["role"]) == (False, "provisional")


def test_an_explanation_never_contradicts_its_result():
    rs = antq_rules.load(NGOC)
    record = copy.deepcopy(PASSING)
    result = rs.evaluate(record)
    assert result.criteria["TC5"].status.name == "PASS"
    record["models"] = []  # the form is edited after judging
    with pytest.raises(AntqError) as info:
        result.criteria["TC5"].explanation  # noqa: B018
    assert info.value.code == "record-changed" and "TC5" in str(info.value)
    kept = rs.evaluate(copy.deepcopy(PASSING), explain=True)
    explained = {cid: c.explanation for cid, c in kept.criteria.items()}
    assert explained["TC5"].facts


# -------------------------------------------------------- files a ruleset reads


def test_use_outside_the_allowed_folders_is_refused_and_never_quoted(tmp_path):
    for target in ("../../../../etc/shadow", "../../../../etc/passwd", "/etc/passwd"):
        with pytest.raises(AntqError) as info:
            ruleset('criterion A "a"\n  ok\n', head=f'use "{target}"\n' + HEAD)
        assert info.value.code == "outside-roots", target
        assert "root:" not in str(info.value)
    outside = tmp_path / "outside"
    inside = tmp_path / "inside"
    outside.mkdir()
    inside.mkdir()
    (outside / "lib.antq").write_text("entity extra\n  x: int\n", encoding="utf-8")
    (inside / "r.antq").write_text(
        'use "../outside/lib.antq"\n' + HEAD + SCHEMA + 'criterion A "a"\n  ok\n', encoding="utf-8"
    )
    with pytest.raises(AntqError) as info:
        antq_rules.load(inside / "r.antq")
    assert "--allow" in str(info.value)
    assert antq_rules.load(inside / "r.antq", allow=[outside])
    (inside / "link.antq").symlink_to(Path("/etc/passwd"))
    with pytest.raises(AntqError) as info:
        ruleset('criterion A "a"\n  ok\n', head=f'use "{inside / "link.antq"}"\n' + HEAD)
    assert "root:" not in str(info.value)
    code, out, err = antq("check", inside / "r.antq", "--lang", "en")
    assert code == 1 and "outside the folders" in out
    code, out, err = antq("check", inside / "r.antq", "--allow", outside)
    assert code == 0


def test_use_of_a_folder_a_fifo_or_a_device_gets_the_right_words(tmp_path):
    os.mkfifo(tmp_path / "pipe.antq")
    (tmp_path / "folder.antq").mkdir()
    (tmp_path / "r.antq").write_text("", encoding="utf-8")
    for name, words in (("pipe.antq", "special file"), ("folder.antq", "a folder")):
        path = tmp_path / f"use_{name}"
        path.write_text(f'use "{name}"\n' + HEAD + SCHEMA + 'criterion A "a"\n  ok\n')
        with pytest.raises(AntqError) as info:
            antq_rules.load(path)
        assert words in str(info.value), name
    with pytest.raises(AntqError) as info:
        ruleset('criterion A "a"\n  ok\n', head='use "/dev/zero"\n' + HEAD, allow=["/dev"])
    assert info.value.code == "not-antq"
    with pytest.raises(AntqError) as info:
        ruleset('criterion A "a"\n  ok\n', head='use "antq:../../etc/passwd"\n' + HEAD)
    assert info.value.code == "outside-roots"


def test_a_loop_of_links_is_named_as_such(tmp_path):
    (tmp_path / "loop.antq").symlink_to(tmp_path / "loop.antq")
    path = tmp_path / "r.antq"
    path.write_text('use "loop.antq"\n' + HEAD + SCHEMA + 'criterion A "a"\n  ok\n')
    with pytest.raises(AntqError) as info:
        antq_rules.load(path)
    assert info.value.code == "not-a-file" and "loop of links" in str(info.value)


def test_check_of_a_folder_does_not_follow_links_out_of_it(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    secret = tmp_path / "secret.antq"
    secret.write_text("bí mật: mật khẩu 1234\n", encoding="utf-8")
    (tree / "secret.antq").symlink_to(secret)
    (tree / "ok.antq").write_text(HEAD + SCHEMA + 'criterion A "a"\n  ok\n', encoding="utf-8")
    code, out, _ = antq("check", tree, "--lang", "en")
    assert code == 1
    assert "is a link to a file outside" in out and "1 ok, 1 with problems" in out
    assert "mật khẩu" not in out


def test_the_shipped_library_by_name():
    rs = antq_rules.load('ruleset mine extends "antq:tt124/xa.antq"\n  title "Của tôi"\n')
    assert rs.subject == "commune" and rs.extends == "tt124.xa"


@pytest.mark.parametrize(
    "source",
    [
        "a" * 300 + ".antq",
        "a\x00b",
        HEAD + SCHEMA + 'criterion A "a"\n  ok # \ud800\n',
        HEAD + SCHEMA + 'criterion A "a"\n  n > ' + "9" * 5000 + "\n",
        HEAD + SCHEMA + 'criterion A "a"\n  n > 0.' + "9" * 5000 + "\n",
        "x" * 2_000_000,
        "ruleset " + "(" * 10_000,
        "\ud800",
    ],
    ids=["long-name", "nul", "surrogate", "big-int", "big-decimal", "huge", "parens", "lone"],
)
def test_load_raises_only_antq_errors(source):
    with pytest.raises(AntqError):
        antq_rules.load(source)


def test_a_deep_use_chain_is_an_error(tmp_path):
    for i in range(400):
        text = f'use "f{i + 1}.antq"\n' if i < 399 else "entity c\n  n: int\n"
        (tmp_path / f"f{i}.antq").write_text(text, encoding="utf-8")
    with pytest.raises(AntqError) as info:
        antq_rules.load(tmp_path / "f0.antq")
    assert info.value.code == "use-too-deep"


def test_params_must_be_a_mapping():
    with pytest.raises(TypeError, match="params must be a mapping"):
        antq_rules.load(NGOC, params=["hamlets_safe_min"])


# ----------------------------------------------------------------- reports


HOSTILE = "<img src=x onerror=alert(2)> | `x` *y* [a](http://e) \x1b[2J"


def test_reports_escape_what_they_quote():
    rs = ruleset('criterion A "a"\n  all(areas.safe)\n')
    result = rs.evaluate({"name": HOSTILE, "areas": [{"name": HOSTILE, "safe": False}]})
    md = result.render("md", "en")
    assert "<img" not in md.replace("\\<img", "") and "\\<img" in md
    assert "\x1b" not in md
    assert "\\| \\`x\\` \\*y\\*" in md and "[a\\](http" in md
    for line in md.splitlines():
        if line.startswith("| "):
            assert line.count("|") - line.count("\\|") == 3, line  # two cells a row
    html = result.render("html", "en")
    assert "<img" not in html and "&lt;img" in html and "\x1b" not in html
    text = result.render("text", "en")
    assert "\x1b" not in text and "\\u001b[2J" in text


def test_csv_and_xlsx_results_from_the_command_line(tmp_path):
    data = tmp_path / "d.json"
    data.write_text(json.dumps([PASSING, {**PASSING, "name": "=1+2"}]), encoding="utf-8")
    code, out, _ = antq("eval", NGOC, data, "--format", "csv", "--lang", "en")
    assert code == 0 and "'=1+2" in out and out.startswith("\ufeff#,Subject")
    code, _, _ = antq("eval", NGOC, data, "--format", "xlsx", "--out", tmp_path / "r.xlsx")
    assert code == 0 and (tmp_path / "r.xlsx").stat().st_size > 1000


# ------------------------------------------------------------ command line


def test_out_must_be_writable_and_errors_are_never_tracebacks(tmp_path):
    args = (NGOC, EXAMPLES / "ngoc_dao_2021_pass.json")
    code, _, err = antq("eval", *args, "--out", tmp_path, "--lang", "en")
    assert code == 2 and "cannot write" in err and "internal" not in err
    code, _, err = antq("eval", *args, "--out", "/dev/full", "--lang", "en")
    assert code == 2 and "No space left" in err and "Traceback" not in err
    code, _, err = antq("schema", NGOC, "--template", "xlsx", "--out", "/dev/full")
    assert code == 2 and "Traceback" not in err and "Exception ignored" not in err


def test_a_closed_pipe_ends_quietly(tmp_path):
    messy = tmp_path / "m.antq"
    messy.write_text(
        (ROOT / "tests" / "rulesets" / "xa.antq").read_text(encoding="utf-8").replace("  ", "    ")
    )
    for command in (
        f"{sys.executable} -m antq_rules.cli fmt --diff {messy} | head -1",
        f"{sys.executable} -m antq_rules.synthetic --communes 300 | head -1",
    ):
        done = subprocess.run(
            ["bash", "-c", command], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert "BrokenPipe" not in done.stderr and "Traceback" not in done.stderr, command
        assert done.stdout


def test_check_reports_every_file_even_after_a_broken_one(tmp_path):
    (tmp_path / "a_deep.antq").write_text("[" * 100_000)
    (tmp_path / "b_big.antq").write_text(HEAD + SCHEMA + 'criterion A "a"\n  n > ' + "9" * 5000)
    (tmp_path / "c_good.antq").write_text(HEAD + SCHEMA + 'criterion A "a"\n  ok\n')
    code, out, err = antq("check", tmp_path, "--lang", "en")
    assert code == 1 and "1 ok, 2 with problems" in out and "internal" not in out + err


def test_a_trace_read_after_the_record_changed_is_refused():
    rs = ruleset('criterion N "n"\n  none(areas where not safe)\n')
    record = {"areas": [{"name": "X", "safe": True}]}
    result = rs.evaluate(record)
    assert result.verdict.name == "PASS"
    explanation = result.criteria["N"].explanation  # (says nothing: no trace made yet)
    record["areas"][0]["safe"] = False
    with pytest.raises(AntqError) as info:
        explanation.trace  # noqa: B018
    assert info.value.code == "record-changed"


def test_a_year_that_is_not_the_year_of_the_period_is_refused():
    """The report would show one period while the rulesets this one uses
    (`passes(tt124.kdc)`) judged by the other year."""
    rs = antq_rules.load(NGOC)  # (fixed dates: 2021-01-01 .. 2021-12-15)
    with pytest.raises(AntqError) as info:
        rs.evaluate(PASSING, year=2030)
    assert info.value.code == "year-not-period"
    assert rs.evaluate(PASSING, year=2021).verdict.name == "PASS"
    xa = antq_rules.load(ROOT / "rulesets" / "tt124" / "xa.antq")
    with pytest.raises(AntqError) as info:
        xa.evaluate(PASSING, year=2020, period="2021-01-01..2021-12-15")
    assert info.value.code == "year-not-period"
    code, _, err = antq(
        "eval", NGOC, EXAMPLES / "ngoc_dao_2021_pass.json", "--year", "2030", "--lang", "en"
    )
    assert code == 2 and "is not the year of the period" in err


@pytest.mark.parametrize(
    ("params", "help_"),
    [
        ({"kk": "phuong"}, "did you mean `phường`?"),
        ({"kinds": ["xã", "Phường"]}, "did you mean `phường`?"),
        ({"kk": "thị trấn"}, None),
    ],
)
def test_a_parameter_compared_with_an_enum_must_be_one_of_its_values(params, help_):
    body = (
        'param kk = "xã"\nparam kinds = ["xã"]\n'
        'criterion A "a"\n  kind == kk\ncriterion B "b"\n  kind in kinds\n'
    )
    with pytest.raises(CheckError) as info:
        ruleset(body, params=params)
    assert info.value.code == "param-not-enum-value"
    if help_:
        assert help_ in str(info.value)
    assert ruleset(body, params={"kk": "phường", "kinds": ["xã", "phường"]})


def test_a_parameters_wrong_enum_value_is_pointed_at_where_it_is_written():
    """(the editor's quick fix replaces what the error points at)"""
    body = 'param kinds = ["xã", "phuong"]\ncriterion B "b"\n  kind in kinds\n'
    with pytest.raises(CheckError) as info:
        ruleset(body)
    (problem,) = info.value.diagnostics
    assert problem.span.text() == '"phuong"' and "did you mean `phường`?" in str(info.value)


def test_a_verdict_unknown_for_want_of_the_headers_applies_when_says_why():
    rs = ruleset(
        'criterion A "a"\n  ok\n', head=HEAD + '  applies when kind != "phường"\n'
    )
    for evaluator in ("compiled", "reference"):
        result = rs.evaluate({"name": "Xã", "ok": False}, evaluator=evaluator)
        assert result.verdict.name == "UNKNOWN"
        assert [n.code for n in result.notices] == ["warn-applies-unknown"]
        for fmt in ("text", "md", "html", "json"):
            assert "missing: kind" in result.render(fmt, "en"), fmt
    assert not rs.evaluate({"name": "Xã", "ok": False, "kind": "xã"}).notices


def test_a_share_typed_as_a_whole_number_in_a_file_is_warned(tmp_path):
    """`85` typed for 85 % reads as 8,500 % and passes `>= 90%`: every report
    says so (a value over 1 may be meant — a growth of 120 % — so it is a
    warning, not an error)."""
    body = (
        'param areas_min = 70%\ncriterion A "a"\n  n >= 0\n'
        'criterion B "b"\n  count(areas where safe) >= 0 and n * 1% >= areas_min\n'
    )
    text = HEAD + SCHEMA.replace("  n: int", "  n: int\n  share: decimal") + body
    text += 'criterion C "c"\n  share >= areas_min\n'
    (tmp_path / "r.antq").write_text(text, encoding="utf-8")
    (tmp_path / "d.json").write_text(
        '[{"name": "Một", "share": 85, "n": 1}, {"name": "Hai", "share": 0.85, "n": 1}]',
        encoding="utf-8",
    )
    rs = antq_rules.load(tmp_path / "r.antq")
    first, second = rs.evaluate_file(tmp_path / "d.json")
    assert [n.code for n in first.notices] == ["warn-share-over"]
    assert "write 85% or 0.85" in first.notices[0].render("en")
    assert not second.notices
    code, out, err = antq("eval", "r.antq", "d.json", "--lang", "en", cwd=tmp_path)
    assert "it reads as 8500%" in err and "it reads as 8500%" in out


def test_the_headers_applies_when_cannot_use_a_criterion():
    with pytest.raises(CheckError) as info:
        ruleset('criterion K2 "c"\n  ok\n', head=HEAD + "  applies when not passes(K2)\n")
    assert info.value.code == "applies-uses-criterion" and info.value.line == 4
