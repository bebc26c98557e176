"""antq_rules.testing: strategies, boundaries, property helpers and the pytest plugin."""

from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import antq_rules
from antq_rules import Status
from antq_rules.testing import (
    PropertyFailure,
    assert_agree,
    assert_monotone,
    assert_not_looser,
    assert_not_stricter,
    boundary_data,
    data_for,
    remove_item,
    set_field,
    variants_of,
)

pytest_plugins = ["pytester"]

HERE = Path(__file__).parent / "rulesets"
XA = antq_rules.load(HERE / "xa.antq")
TINH = antq_rules.load(HERE / "tinh.antq")
GOOD = json.loads((HERE / "data" / "good.json").read_text(encoding="utf-8"))
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@QUICK
@given(data_for(XA, sizes={"areas": (2, 4)}, missing=0.2))
def test_generated_documents_fit_the_schema(commune):
    XA.schema.validate(commune, "commune")
    assert 2 <= len(commune.get("areas", [None, None])) <= 4
    result = XA.evaluate(commune, year=2021)
    assert result.verdict in set(Status)


@QUICK
@given(
    data_for(
        XA, missing=0.0, fixed={"kind": "xã", "areas.registered": True}, sizes={"areas": (1, 3)}
    )
)
def test_fixed_values_and_no_missing(commune):
    assert commune["kind"] == "xã"
    assert all(area["registered"] is True for area in commune["areas"])
    assert set(commune) >= {"name", "plan_issued", "police"}


def test_generated_values_include_the_rulesets_constants():
    seen = set()

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(data_for(XA, missing=0.0, sizes={"incidents": (1, 3)}))
    def collect(commune):
        seen.update(i["kind"] for i in commune["incidents"])
        seen.add(commune["propaganda_share"])

    collect()
    assert "anti_party" in seen  # a value the ruleset's listed events name
    assert Fraction(9, 10) in seen or Fraction(89, 100) in seen  # near a threshold


def test_shrinking_gives_small_examples():
    from hypothesis import find

    smallest = find(data_for(XA, missing=0.0), lambda c: len(c.get("areas", [])) >= 1)
    assert len(smallest["areas"]) == 1
    assert smallest["areas"][0]["households"] == []


def test_boundary_data_for_a_ratio_over_25_items(tmp_path):
    rs = antq_rules.load(
        'ruleset b\n  title "B"\n  subject commune\nentity commune\n  areas: list[area]\n'
        'entity area\n  ok: bool\ncriterion C "c"\n  ratio(areas.ok) >= 70%\n'
    )
    boundaries = boundary_data(rs, "C")
    assert [(b.count, b.total, b.holds) for b in boundaries] == [(17, 25, False), (18, 25, True)]
    for b in boundaries:
        assert rs.evaluate(b.data).criteria["C"].status is (Status.PASS if b.holds else Status.FAIL)
    assert "18 of 25 (72.0%)" in boundaries[1].description


def test_boundary_data_on_a_shipped_plan():
    rs = antq_rules.load(antq_rules.shipped("plans/ngoc_dao_2021.antq"))
    boundaries = boundary_data(rs, "TC3")  # the base: a case of the plan where TC3 passes
    assert [(b.count, b.total, b.holds) for b in boundaries] == [(12, 13, False), (13, 13, True)]
    for b in boundaries:
        assert rs.evaluate(b.data).criteria["TC3"].status is (
            Status.PASS if b.holds else Status.FAIL
        )
    strict = boundary_data(rs, "TC3", total=25)
    assert [(b.count, b.holds) for b in strict] == [(23, False), (24, True)]  # 96 % > 95 %


def test_boundary_data_for_a_count():
    boundaries = boundary_data(XA, "X3", base=GOOD, year=2021)
    assert [(b.count, b.holds) for b in boundaries] == [(0, False), (1, True)]
    for b in boundaries:
        assert XA.evaluate(b.data, year=2021).criteria["X3"].status is (
            Status.PASS if b.holds else Status.FAIL
        )


def test_boundary_data_needs_a_threshold():
    with pytest.raises(antq_rules.AntqError):
        boundary_data(XA, "X2")


def test_changes():
    data = {"areas": [{"ok": False}, {"ok": False}], "incidents": [{"kind": "a"}, {"kind": "b"}]}
    assert set_field("areas[1].ok", True)(data)["areas"] == [{"ok": False}, {"ok": True}]
    assert set_field("areas[*].ok", True)(data)["areas"] == [{"ok": True}, {"ok": True}]
    assert set_field("name", "X")(data)["name"] == "X"
    assert remove_item("incidents")(data)["incidents"] == [{"kind": "b"}]
    assert data["areas"][0]["ok"] is False  # changes work on copies


def test_monotone_holds_and_fails():
    assert_monotone(
        XA,
        GOOD,
        set_field("areas[3].party_cell_resolution", "2021-02-02"),
        criterion="X4",
        year=2021,
    )
    odd = antq_rules.load(
        'ruleset odd\n  title "Odd"\n  subject commune\nentity commune\n  areas: list[area]\n'
        'entity area\n  ok: bool\ncriterion C "not monotone"\n  not all(areas.ok)\n'
    )
    with pytest.raises(PropertyFailure) as info:
        assert_monotone(
            odd, {"areas": [{"ok": True}, {"ok": False}]}, set_field("areas[1].ok", True)
        )
    assert "set areas[1].ok = True made the verdict go from PASS to FAIL" in str(info.value)


def test_extension_strictness_finds_a_dropped_criterion():
    """The province drops X2: Hypothesis finds a commune it passes and the base fails."""
    base = json.loads(json.dumps(GOOD))
    base["areas"][3]["party_cell_resolution"] = "2021-03-01"  # both pass this one

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(variants_of(TINH, base, max_changes=2))
    def province_is_not_looser(commune):
        assert_not_looser(TINH, XA, commune, year=2021)

    with pytest.raises(PropertyFailure) as info:
        province_is_not_looser()
    assert "demo.tinh passes a subject that demo.xa fails" in str(info.value)
    assert "X2" in str(info.value)
    # and the converse: the province is stricter on areas (80 % against 70 %)
    with pytest.raises(PropertyFailure) as info:
        assert_not_stricter(TINH, XA, GOOD, year=2021)
    assert "demo.tinh fails a subject that demo.xa passes" in str(info.value)


def test_agreement():
    assert_agree(XA, TINH, GOOD, ["X1", "X9"], year=2021)
    with pytest.raises(PropertyFailure) as info:
        assert_agree(XA, TINH, GOOD, ["X4"], year=2021)
    assert "disagree on X4: PASS vs FAIL" in str(info.value)


@QUICK
@given(st.data())
def test_variants_stay_valid(data):
    commune = data.draw(variants_of(XA, GOOD))
    XA.schema.validate(commune, "commune")


def test_pytest_plugin_collects_cases_files(pytester):
    for name in ("schema.antq", "events.antq", "kdc.antq", "xa.antq"):
        shutil.copy(HERE / name, pytester.path / name)
    (pytester.path / "data").mkdir()
    shutil.copy(HERE / "data" / "good.json", pytester.path / "data" / "good.json")
    (pytester.path / "xa.cases.yaml").write_text(
        "year: 2021\ncases:\n"
        "  - name: good\n    data_file: data/good.json\n    expect: {verdict: PASS}\n"
        "  - name: wrong on purpose\n    data_file: data/good.json\n    expect: {criteria: {X4: FAIL}}\n"
        "properties:\n  - name: policy never hurts\n    monotone: {set: plan_issued, to: true}\n    examples: 20\n",
        encoding="utf-8",
    )
    result = pytester.runpytest_subprocess("-q", "xa.cases.yaml")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*X4: expected FAIL, got PASS*"])


def test_boundaries_are_judged_with_the_year_of_the_case_they_come_from(tmp_path):
    from antq_rules.testing import boundary_data

    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "r"\n  subject commune\n  period "01/01" .. "31/12"\n'
        "entity commune\n  name: text\n  areas: list[area]\n"
        "entity area\n  name: text\n  founded: date\n"
        'criterion A "a"\n  ratio(areas, founded.year < period.year) >= 70%\n',
        encoding="utf-8",
    )
    areas = [{"name": f"K{i}", "founded": f"{2024 + (i >= 8)}-05-01"} for i in range(10)]
    (tmp_path / "r.cases.yaml").write_text(
        "cases:\n  - name: đạt\n    year: 2025\n    data: "
        + json.dumps({"name": "X", "areas": areas}, ensure_ascii=False)
        + "\n    expect: {verdict: PASS}\n",
        encoding="utf-8",
    )
    rs = antq_rules.load(tmp_path / "r.antq")
    for boundary in boundary_data(rs, "A", total=10):
        assert boundary.year == 2025
        judged = rs.evaluate(boundary.data, year=boundary.year, period=boundary.period)
        assert judged.criteria["A"].status.name == ("PASS" if boundary.holds else "FAIL")


def test_a_property_may_name_the_shipped_library(tmp_path):
    (tmp_path / "tinh.antq").write_text(
        'ruleset tinh extends "antq:tt124/xa.antq"\n  title "Tỉnh"\n', encoding="utf-8"
    )
    (tmp_path / "tinh.cases.yaml").write_text(
        "year: 2021\nproperties:\n  - name: giống\n    agrees_with: antq:tt124/xa.antq\n"
        "    examples: 20\n",
        encoding="utf-8",
    )
    report = antq_rules.run_cases(tmp_path)
    assert report.ok and len(report.cases) == 1, report.render("en")
