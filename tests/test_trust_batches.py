"""One bad record never stops a batch (issue "Trust at the edges"): whatever
a record raises becomes that record's error result, and every other record
is judged exactly as it would be alone."""

from __future__ import annotations

import copy
import decimal
import json
import random
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

import antq_rules
from antq_rules import AntqError
from antq_rules.synthetic import province

ROOT = Path(__file__).resolve().parent.parent
NGOC = ROOT / "rulesets" / "plans" / "ngoc_dao_2021.antq"
XA = ROOT / "rulesets" / "tt124" / "xa.antq"
GOOD = ROOT / "rulesets" / "examples" / "ngoc_dao_2021_pass.json"

HUGE = 10**5000 - 1  # an int of 5,000 digits: str() of it raises


class Raising(Mapping):
    """A record whose every read raises, as a broken ORM object might."""

    def __getitem__(self, key):
        raise RuntimeError("the database went away")

    def get(self, key, default=None):
        raise RuntimeError("the database went away")

    def __iter__(self):
        raise RuntimeError("the database went away")

    def __len__(self):
        return 1


class BadStr:
    def __str__(self):
        raise ValueError("no text for you")


def hostile(record, rng):
    """A copy of a record made hostile in one of many ways."""
    record = copy.deepcopy(record)
    kind = rng.randrange(12)
    areas = record.get("areas") or [{}]
    if kind == 0:
        record["households"] = decimal.Decimal("NaN")
    elif kind == 1:
        record["name"] = HUGE
    elif kind == 2:
        record.setdefault("party_resolution", {})["date"] = HUGE
    elif kind == 3:
        areas[0]["recognised_safe"] = HUGE
    elif kind == 4:
        return Raising()
    elif kind == 5:
        record["areas"] = [None, *areas]
    elif kind == 6:
        record["areas"] = areas
        areas[0]["incidents"] = [areas[0]]  # a cycle through a list
        areas[0]["self"] = record
    elif kind == 7:
        record["households"] = float("inf")
    elif kind == 8:
        record["areas"] = "không có"
    elif kind == 9:
        record["incidents"] = [{"date": BadStr(), "kind": "crime"}]
    elif kind == 10:
        return 42
    else:
        record["units"] = [{"kind": object()}]
    return record


def test_a_thousand_communes_with_hostile_records_are_all_judged():
    rs = antq_rules.load(XA)
    rng = random.Random(11)
    good = list(province(1000, seed=5))
    alone = [rs.evaluate(r, year=2021) for r in good]
    mixed, bad = [], set()
    for index, record in enumerate(good):
        if rng.random() < 0.1:
            bad.add(index)
            mixed.append(hostile(record, rng))
        else:
            mixed.append(record)
    results = list(rs.evaluate_many(mixed, year=2021))
    assert len(results) == 1000 and len(bad) > 50
    for index, result in enumerate(results):
        assert result.index == index
        if index not in bad:
            expected = alone[index]
            assert result.ok, (index, result.error)
            assert result.statuses == expected.statuses
            assert (result.verdict, result.level, result.met) == (
                expected.verdict,
                expected.level,
                expected.met,
            )
    # Hostile records are errors (or, where the hostile value is never read, judged).
    errors = [results[i] for i in bad if not results[i].ok]
    assert errors and all(isinstance(r.error, AntqError) for r in errors)
    for result in errors:
        assert result.render("text", "en") and result.to_json()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("households", decimal.Decimal("NaN")),
        ("households", decimal.Decimal("sNaN")),
        ("name", HUGE),
        ("policy_implemented", HUGE),
    ],
    ids=["nan", "snan", "huge-text", "huge-bool"],
)
def test_one_odd_value_is_an_error_result_and_the_batch_goes_on(field, value):
    rs = antq_rules.load(XA)
    record = {**json.loads(GOOD.read_text(encoding="utf-8")), field: value}
    good = json.loads(GOOD.read_text(encoding="utf-8"))
    first, second = rs.evaluate_many([record, good], year=2021)
    assert second.ok
    if not first.ok:
        assert isinstance(first.error, AntqError)


def test_a_raising_mapping_is_an_antq_error_alone_and_in_a_batch():
    rs = antq_rules.load(XA)
    with pytest.raises(AntqError) as info:
        rs.evaluate(Raising(), year=2021)
    assert info.value.code == "record-raised" and "the database went away" in str(info.value)
    first, second = rs.evaluate_many([Raising(), {"name": "Tân"}], year=2021)
    assert not first.ok and second.ok


def test_the_command_line_judges_the_good_file_beside_broken_ones(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "big.json").write_text('{"households": ' + "9" * 5000 + "}")
    (tmp_path / "dup.json").write_text('{"name": "a", "name": "b"}')
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "antq_rules.cli",
            "eval",
            str(NGOC),
            str(GOOD),
            "deep.json",
            "big.json",
            "dup.json",
            "--lang",
            "en",
            "--format",
            "json",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 2 and "internal error" not in done.stderr
    batch = json.loads(done.stdout)
    verdicts = [r["verdict"] for r in batch["results"]]
    assert verdicts == ["PASS", None, None, None]
    codes = [r["error"]["code"] for r in batch["results"][1:]]
    assert codes == ["over-limit", "over-limit", "duplicate-key"]
    assert batch["summary"]["errors"] == 3


def test_a_record_whose_explanation_raises_is_an_error_and_the_report_goes_on(
    tmp_path, monkeypatch, capsys
):
    """Reports read explanations: `antq eval` makes them as it judges, so a
    record whose explanation fails (a bug) is that record's error result."""
    from antq_rules import cli
    from antq_rules.explain import refuse_if_changed
    from antq_rules.explainer import FastExplainer

    good = json.loads(GOOD.read_text(encoding="utf-8"))
    broken = {**good, "name": "Xã hỏng"}
    (tmp_path / "batch.json").write_text(json.dumps([good, broken, good]), encoding="utf-8")
    explained = FastExplainer.explanation_of

    def explanation_of(self, cid):
        if self.data["name"] == "Xã hỏng":
            refuse_if_changed(cid, True, False)
        return explained(self, cid)

    monkeypatch.setattr(FastExplainer, "explanation_of", explanation_of)
    code = cli.main(
        [
            "eval",
            str(NGOC),
            str(tmp_path / "batch.json"),
            "--format",
            "json",
            "--lang",
            "en",
            "--no-progress",
        ]
    )
    batch = json.loads(capsys.readouterr().out)
    assert code == 2
    assert [r["verdict"] for r in batch["results"]] == ["PASS", None, "PASS"]
    assert batch["results"][0]["criteria"][0]["explanation"]["facts"]
    assert batch["results"][1]["error"]["code"] == "record-changed"


def test_records_from_an_iterator_that_fails_keep_the_results_made_before():
    rs = antq_rules.load(NGOC)

    def cursor():
        yield {"name": "Tân"}
        yield {"name": "Hòa"}
        raise RuntimeError("the database went away")

    batch = rs.evaluate_many(cursor(), year=2021)
    results = list(batch)
    assert [r.subject for r in results[:2]] == ["Tân", "Hòa"]
    last = results[2]
    assert last.error.code == "records-raised" and last.index == 2
    assert "the database went away" in str(last.error) and "after 2" in str(last.error)
    assert batch.summary.errors == 1


def test_numbers_too_long_for_python_to_print_are_judged_and_shown():
    """An int of 5,000 digits from a tool (no reader's limit on the way) is
    judged exactly; reports show its order of magnitude."""
    rs = antq_rules.load(
        'ruleset big\n  title "Lớn"\n  subject commune\nentity commune\n  name: text\n'
        "  n: int\n  areas: list[area]\nentity area\n  h: int\n"
        'criterion A "a"\n  n >= 10\ncriterion B "b"\n  sum(areas.h) >= 10\n'
    )
    result = rs.evaluate({"name": "Xã", "n": HUGE, "areas": [{"h": -HUGE}]})
    assert [s.name for s in result.statuses.values()] == ["PASS", "FAIL"]
    for fmt in ("text", "md", "html", "json"):
        assert "10^4999" in result.render(fmt, "en"), fmt
    assert result.render("docx")
    facts = [str(c.explanation.facts[0]) for c in result.criteria.values()]
    assert facts == ["n = ≈ 10^4999; cần >= 10", "sum(areas.h) = ≈ -10^4999; cần >= 10"]


def test_a_decimal_from_python_too_long_to_write_out_is_refused_at_once():
    """(a file's readers have their `digits` limit; a tool's Decimal had none:
    `Decimal("1e9999999")` in an int field took minutes)"""
    rs = antq_rules.load(XA)
    for value in (decimal.Decimal("1e9999999"), decimal.Decimal("-1e-9999999")):
        record = {"name": "Xã", "areas": [{"name": "Thôn", "households": value}]}
        for evaluator in ("compiled", "reference"):
            with pytest.raises(AntqError) as info:
                rs.evaluate(record, year=2021, evaluator=evaluator)
            assert "households" in str(info.value)


@pytest.mark.parametrize(
    "bad",
    [
        '{"name": "B", "name": "B2"}',  # a duplicate key
        '{"name": "B", "households": ' + "9" * 500 + "}",  # too many digits
        '{"name": "B", "v": NaN}',
        '{"name": "B", "x": ' + "[" * 300 + "]" * 300 + "}",  # too deep
        '{"name": "B", "note": "' + "x" * 200_000 + '"}',  # text too long
        '{"name": "B", "tricky": "]}, {", "name": "again"}',
    ],
)
@pytest.mark.parametrize("chunk", [1 << 20, 64])
def test_a_refused_element_of_a_json_batch_is_its_error_and_the_rest_are_read(
    tmp_path, monkeypatch, bad, chunk
):
    from antq_rules.readers import stream

    monkeypatch.setattr(stream, "CHUNK", chunk)
    path = tmp_path / "batch.json"
    path.write_text(f'[{{"name": "A"}},\n {bad},\n {{"name": "C"}}, {{"name": "D"}}]')
    records = antq_rules.read_data(path, antq_rules.load(NGOC))
    assert [r.error is None for r in records] == [True, False, True, True]
    assert [r.data["name"] for r in records if r.error is None] == ["A", "C", "D"]
    assert records[1].label.endswith("batch.json[1]")


def test_a_refused_item_of_a_yaml_batch_is_its_error_and_the_rest_are_read(tmp_path):
    path = tmp_path / "batch.yaml"
    path.write_text("- name: A\n- name: B\n  name: B2\n- name: C\n", encoding="utf-8")
    records = antq_rules.read_data(path, antq_rules.load(NGOC))
    assert [r.error is None for r in records] == [True, False, True]
    assert records[1].error.code == "duplicate-key"
