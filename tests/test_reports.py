"""Reports: golden files for one rich result in every format and language, the
JSON against its schema, and Vietnamese number formatting."""

from __future__ import annotations

import copy
import json
import os
from fractions import Fraction
from pathlib import Path

import jsonschema
import pytest

import antq_rules
from antq_rules import AntqError, Range
from antq_rules.report import format as fmt

HERE = Path(__file__).parent
GOLDEN = HERE / "golden"
GOOD = json.loads((HERE / "rulesets" / "data" / "good.json").read_text(encoding="utf-8"))
SCHEMA = json.loads(
    (Path(antq_rules.__file__).parent / "result.schema.json").read_text(encoding="utf-8")
)
UPDATE = os.environ.get("ANTQ_UPDATE_GOLDEN") == "1"


def rich_result():
    """FAIL, UNKNOWN and N/A criteria, points, an undecided level, witnesses and gaps."""
    data = copy.deepcopy(GOOD)
    data["areas"][0]["party_cell_resolution"] = "2021-05-01"
    data["areas"][1]["registered"] = None
    data["propaganda_share"] = None
    data["police"]["disciplined"] = 1
    for unit in data["units"]:
        unit["has_party_org"] = False
    data["incidents"].append({"kind": "anti_party", "date": "2021-03-08", "serious": True})
    return antq_rules.load(HERE / "rulesets" / "xa.antq").evaluate(data, year=2021)


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("format_", ["text", "json", "md", "html"])
def test_golden(format_, lang):
    rendered = rich_result().render(format_, lang)
    path = GOLDEN / f"report.{lang}.{format_}"
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"run with ANTQ_UPDATE_GOLDEN=1 to create {path.name}"
    assert rendered == path.read_text(encoding="utf-8")


def test_json_validates_against_the_schema():
    result = rich_result()
    jsonschema.validate(json.loads(result.to_json()), SCHEMA)
    jsonschema.validate(json.loads(result.render("json")), SCHEMA)
    batch = antq_rules.load(HERE / "rulesets" / "xa.antq").evaluate_many([GOOD, 3], year=2021)
    for item in batch:
        jsonschema.validate(item.to_dict(), SCHEMA)


def test_rich_result_is_what_the_golden_files_show():
    result = rich_result()
    states = {cid: c.status.name for cid, c in result.criteria.items()}
    assert states["X4"] == "FAIL" and states["X7"] == "NA" and states["X5"] == "UNKNOWN"
    assert result.verdict.name == "FAIL"
    assert result.score == Range(3, 6)
    assert result.level is None and result.level_candidates == ("Khá", "Trung bình")


def test_vietnamese_and_english_numbers():
    assert fmt.percent(Fraction(12, 13), "vi") == "12/13 ≈ 92,3 %"
    assert fmt.percent(Fraction(12, 13), "en") == "12/13 ≈ 92.3%"
    assert fmt.percent(Fraction(7, 10), "vi") == "70 %"
    assert fmt.percent(Fraction(37, 40), "en") == "92.5%"
    assert fmt.number(13013, "vi") == "13.013"
    assert fmt.number(13013, "en") == "13,013"
    assert fmt.number(2021, "vi") == "2021"
    assert fmt.number(Fraction(1, 2), "vi") == "0,5"
    assert (
        fmt.value(Range(Fraction(12, 13), 1), "vi", as_percent=True)
        == "từ 12/13 ≈ 92,3 % đến 100 %"
    )
    assert fmt.value(Range(0, None), "en") == "at least 0"
    import datetime

    assert fmt.value(datetime.date(2021, 11, 15), "vi") == "15/11/2021"


def test_diacritics_survive_every_format():
    result = rich_result()
    for format_ in ("text", "json", "md", "html"):
        assert "Xã đạt tiêu chuẩn an toàn về an ninh, trật tự" in result.render(format_, "vi")
        assert "Tân Phước" in result.render(format_, "en")


def test_html_is_self_contained_and_escaped():
    html = rich_result().render("html", "vi")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "http" not in html.split("<style>")[0]
    assert "&gt;=" in html  # expressions are escaped


def test_unknown_format_or_language():
    with pytest.raises(AntqError):
        rich_result().render("pdf", "vi")
    with pytest.raises(AntqError):
        rich_result().render("text", "fr")


def test_items_judged_by_another_ruleset_open_their_own_report():
    """Ngọc Đào's TC3 names Xóm 7 as not recognised; every format says why,
    from Xóm 7's own result under tt124.kdc (its resolution dated in Q2)."""
    root = HERE.parent
    ruleset = antq_rules.load(root / "rulesets" / "plans" / "ngoc_dao_2021.antq")
    data = json.loads(
        (root / "rulesets" / "examples" / "ngoc_dao_2021_fail_tc3.json").read_text(
            encoding="utf-8"
        )
    )
    result = ruleset.evaluate(data, year=2021)
    (drill,) = result.criteria["TC3"].explanation.drilldown
    assert (drill.path, drill.label, drill.ruleset_id) == ("areas[6]", "Xóm 7", "tt124.kdc")
    assert drill.result.verdict.name == "FAIL"
    assert drill.result.criteria["KDC1a"].status.name == "FAIL"
    for format_ in ("text", "md", "html"):
        rendered = result.render(format_, "vi")
        assert "Xóm 7 (areas[6]) theo" in rendered and "KDC1a" in rendered, format_
    document = json.loads(result.render("json", "en"))
    jsonschema.validate(document, SCHEMA)
    (tc3,) = [c for c in document["criteria"] if c["id"] == "TC3"]
    (entry,) = tc3["explanation"]["drilldown"]
    assert entry["path"] == "areas[6]" and entry["result"]["verdict"] == "FAIL"
    # A criterion that passed says nothing more; a passing item is not opened.
    assert all(not c.explanation.drilldown for c in result.criteria.values() if c.id != "TC3")


def test_names_written_in_another_normal_form_are_reported_in_nfc():
    import unicodedata

    root = HERE.parent
    ruleset = antq_rules.load(root / "rulesets" / "plans" / "ngoc_dao_2021.antq")
    data = json.loads(
        (root / "rulesets" / "examples" / "ngoc_dao_2021_fail_tc3.json").read_text(
            encoding="utf-8"
        )
    )
    data["name"] = unicodedata.normalize("NFD", data["name"])
    for area in data["areas"]:
        area["name"] = unicodedata.normalize("NFD", area["name"])
    result = ruleset.evaluate(data, year=2021)
    assert result.subject == "Ngọc Đào"
    for format_ in ("text", "md", "html", "json"):
        rendered = result.render(format_, "vi")
        assert unicodedata.is_normalized("NFC", rendered), format_
        assert "Xóm 7" in rendered, format_


def test_an_approximate_percentage_never_reaches_a_threshold_it_misses():
    just_below = Fraction(69999999999999999999, 100000000000000000000)
    assert fmt.percent(just_below, "en").endswith("≈ 69.9%")
