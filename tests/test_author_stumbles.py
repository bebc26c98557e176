"""What a new rule author stumbled on (issue 12), each now said plainly: the
year an annual ruleset needs, a misspelt key of a cases file, a fact printed
from Python, judging a workbook from Python."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import antq

import antq_rules
from antq_rules import AntqError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "rulesets" / "examples"
TT124 = ROOT / "rulesets" / "tt124" / "xa.antq"
NGOC_DAO = ROOT / "rulesets" / "plans" / "ngoc_dao_2021.antq"


def test_without_a_year_the_error_points_at_the_period_and_suggests_one():
    ruleset = antq_rules.load(TT124)
    data = json.loads((EXAMPLES / "ngoc_dao_2021_pass.json").read_text(encoding="utf-8"))
    with pytest.raises(AntqError) as raised:
        ruleset.evaluate(data)
    error = raised.value
    assert error.code == "needs-year"
    assert error.span.text().startswith("period")  # the header's period, not a define
    rendered = error.render("en")
    assert "--year" in rendered and "year=" in rendered
    assert "--year" in error.render("vi")
    assert ruleset.evaluate(data, year=2021).verdict.name == "PASS"


def test_the_cli_says_it_once_before_reading_the_data():
    code, out, err = antq("eval", TT124, EXAMPLES / "ngoc_dao_2021_pass.json", "--lang", "en")
    assert code == 2
    assert "no year was given" in err and "--year" in err
    assert "could not be judged" not in out  # (not once per record)


def test_a_ruleset_without_a_period_asks_for_one_where_it_reads_it(tmp_path):
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "R"\n  subject c\nentity c\n  d: date\n'
        'criterion A "a"\n  d in period\n',
        encoding="utf-8",
    )
    ruleset = antq_rules.load(tmp_path / "r.antq")
    with pytest.raises(AntqError) as raised:
        ruleset.evaluate({"d": "2024-02-01"})
    assert raised.value.code == "no-period"
    assert raised.value.span.text() == "period"
    assert "--period" in raised.value.render("en")
    ok = ruleset.evaluate({"d": "2024-02-01"}, period=("2024-01-01", "2024-12-31"))
    assert ok.verdict.name == "PASS"


@pytest.mark.parametrize(
    ("text", "key", "suggestion"),
    [
        ("year: 2021\ncase:\n  - name: x\n", "case", "cases"),
        ("yaer: 2021\ncases: []\n", "yaer", "year"),
        ("cases:\n  - name: x\n    dat: {}\n    expect: {verdict: PASS}\n", "dat", "data"),
        ("cases:\n  - name: x\n    data: {}\n    expected: {verdict: PASS}\n", "expected", "expect"),
    ],
)
def test_unknown_keys_of_a_cases_file_get_a_suggestion(tmp_path, text, key, suggestion):
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "R"\n  subject c\nentity c\n  ok: bool\ncriterion A "a"\n  ok\n',
        encoding="utf-8",
    )
    cases = tmp_path / "r.cases.yaml"
    cases.write_text(text, encoding="utf-8")
    try:  # (a file that is wrong as a whole raises; a wrong case fails alone)
        report = antq_rules.run_cases(cases)
    except AntqError as error:
        rendered = error.render("en")
    else:
        assert not report.ok
        rendered = report.render("en")
    assert f"unknown key `{key}`" in rendered
    assert f"did you mean `{suggestion}`?" in rendered


def test_templates_key_of_a_cases_file_holds_anchors(tmp_path):
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "R"\n  subject c\nentity c\n  ok: bool\ncriterion A "a"\n  ok\n',
        encoding="utf-8",
    )
    cases = tmp_path / "r.cases.yaml"
    cases.write_text(
        "templates:\n  good: &good {ok: true}\ncases:\n"
        "  - name: x\n    data: *good\n    expect: {verdict: PASS}\n",
        encoding="utf-8",
    )
    assert antq_rules.run_cases(cases).ok


def test_a_fact_prints_as_the_report_says_it():
    ruleset = antq_rules.load(NGOC_DAO)
    data = json.loads((EXAMPLES / "ngoc_dao_2021_fail_tc3.json").read_text(encoding="utf-8"))
    result = ruleset.evaluate(data, year=2021)
    explanation = result.criteria["TC3"].explanation
    fact = explanation.facts[0]
    assert str(fact) == fact.sentence("vi")
    assert fact.sentence("en").startswith("ratio(areas where passes(tt124.kdc)) = 12/13")
    assert "92,3 %" in str(fact)
    report = result.render("text", "vi")
    assert str(fact) in report
    assert str(explanation.witnesses[0]) in report
    assert "Xóm 7" in str(explanation.witnesses[0])
    assert str(explanation.gap) in report


def test_a_workbook_or_file_judged_from_python(tmp_path):
    ruleset = antq_rules.load(NGOC_DAO)
    fail, good = EXAMPLES / "ngoc_dao_2021_fail_tc3.json", EXAMPLES / "ngoc_dao_2021_pass.json"
    records = antq_rules.read_data(fail, ruleset)
    assert [type(r.data) for r in records] == [dict]
    batch = ruleset.evaluate_file(fail, good, tmp_path / "absent.json", year=2021)
    results = list(batch)
    assert [r.verdict.name for r in results] == ["FAIL", "PASS", "UNKNOWN"]
    assert results[2].error.code == "missing-file"  # (the batch went on)
    assert [r.index for r in results] == [0, 1, 2]
    assert batch.summary.verdicts["FAIL"] == 1
    # A file name given to `evaluate` says what to call instead.
    with pytest.raises(AntqError) as raised:
        ruleset.evaluate(str(fail))
    assert "evaluate_file" in raised.value.render("en")
