"""Rulesets: loading, every feature with PASS, FAIL, UNKNOWN and N/A, extension,
composition, levels, batches — on both evaluators."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

import antq_rules
from antq_rules import AntqError, CheckError, DataError, ParseError, Range, Status
from antq_rules.loader import clear_cache

HERE = Path(__file__).parent / "rulesets"
XA = HERE / "xa.antq"
TINH = HERE / "tinh.antq"
GOOD = json.loads((HERE / "data" / "good.json").read_text(encoding="utf-8"))


def good():
    return copy.deepcopy(GOOD)


def judge(data, path=XA, evaluator="compiled", year=2021, params=None):
    return antq_rules.load(path, params).evaluate(data, year=year, evaluator=evaluator)


def statuses(result):
    return {cid: c.status.name for cid, c in result.criteria.items()}


# ------------------------------------------------------------------ loading


def test_load_returns_a_ruleset_with_its_header():
    rs = antq_rules.load(XA)
    assert rs.id == "demo.xa"
    assert rs.title.startswith("Xã đạt tiêu chuẩn")
    assert rs.title_en == "Commune meeting the security and order standard"
    assert rs.version == "2.1"
    assert str(rs.effective) == "2022-02-10"
    assert rs.basis == ("Thông tư 124/2021/TT-BCA",)
    assert rs.subject == "commune"
    assert [c.id for c in rs.criteria] == [f"X{i}" for i in range(1, 11)]
    assert rs.params["areas_min"] == Fraction(7, 10)
    assert str(rs.period_for(2021)) == "2020-11-16 .. 2021-11-15"


def test_loading_twice_reuses_the_work():
    assert antq_rules.load(XA) is antq_rules.load(XA)
    assert antq_rules.load(str(XA)) is antq_rules.load(XA)
    assert antq_rules.load(XA, {"areas_min": "80%"}) is not antq_rules.load(XA)


def test_load_from_text(tmp_path, monkeypatch):
    monkeypatch.chdir(HERE)
    rs = antq_rules.load(
        'ruleset t.one\n  title "Một"\n  subject commune\nuse "schema.antq"\n'
        'criterion A "Có kế hoạch"\n  plan_issued\n'
    )
    assert rs.evaluate({"plan_issued": True}).verdict is Status.PASS


def test_params_from_the_caller():
    assert judge(good(), params={"areas_min": "80%"}).criteria["X4"].status is Status.FAIL
    assert judge(good(), params={"areas_min": Fraction(3, 4)}).criteria["X4"].status is Status.PASS
    assert judge(good(), params={"areas_min": 0.75}).criteria["X4"].status is Status.PASS
    assert judge(good(), params={"models_min": 3}).criteria["X3"].status is Status.FAIL


@pytest.mark.parametrize(
    ("params", "needle"),
    [
        ({"area_min": "80%"}, "did you mean `areas_min`?"),
        ({"areas_min": "lots"}, "parameter `areas_min` is decimal"),
        ({"models_min": "1.5"}, "parameter `models_min` is int"),
        ({"models_min": True}, "parameter `models_min` is int"),
    ],
)
def test_bad_params(params, needle):
    with pytest.raises(AntqError) as info:
        antq_rules.load(XA, params)
    assert needle in str(info.value)


def test_missing_file():
    with pytest.raises(AntqError) as info:
        antq_rules.load(HERE / "nope.antq")
    assert info.value.code == "missing-file"


# ------------------------------------------------------------- the verdict


@pytest.fixture(params=["compiled", "reference"])
def evaluator(request):
    return request.param


def test_everything_passes(evaluator):
    result = judge(good(), evaluator=evaluator)
    assert result.verdict is Status.PASS
    assert set(statuses(result).values()) == {"PASS"}
    assert result.level == "Xuất sắc"
    assert (result.score, result.max_score) == (8, 8)
    assert (result.met, result.applicable) == (10, 10)
    assert result.summary_line() == "10/10"
    assert result.subject == "Tân Phước"


def test_a_failing_mandatory_criterion_fails_the_verdict(evaluator):
    data = good()
    data["police"]["disciplined"] = 1
    result = judge(data, evaluator=evaluator)
    assert result.verdict is Status.FAIL
    assert result.criteria["X9"].status is Status.FAIL
    assert result.criteria["X10"].status is Status.FAIL  # uses passes(X9)
    assert result.score == 6
    assert result.level == "Khá"


def test_unknown_data_gives_an_unknown_verdict(evaluator):
    data = good()
    data["plan_issued"] = None
    result = judge(data, evaluator=evaluator)
    assert result.criteria["X2"].status is Status.UNKNOWN
    assert result.verdict is Status.UNKNOWN
    data["police"]["disciplined"] = 2
    assert judge(data, evaluator=evaluator).verdict is Status.FAIL  # FAIL wins over UNKNOWN


def test_ruleset_applicability(evaluator):
    result = judge({"name": "Côn Đảo", "kind": "đặc khu"}, evaluator=evaluator)
    assert result.verdict is Status.NA
    assert set(statuses(result).values()) == {"NA"}
    assert (result.met, result.applicable) == (0, 0)
    unknown_kind = good()
    unknown_kind["kind"] = None
    assert judge(unknown_kind, evaluator=evaluator).verdict is Status.UNKNOWN


def test_criterion_applicability(evaluator):
    data = good()
    for unit in data["units"]:
        unit["has_party_org"] = False
    result = judge(data, evaluator=evaluator)
    assert result.criteria["X7"].status is Status.NA
    assert (result.met, result.applicable) == (9, 9)
    assert result.verdict is Status.PASS
    data["units"][0]["has_party_org"] = None
    assert judge(data, evaluator=evaluator).criteria["X7"].status is Status.UNKNOWN


def test_tiers(evaluator):
    def tier(share):
        data = good()
        data["propaganda_share"] = share
        return judge(data, evaluator=evaluator).criteria["X5"]

    assert (tier(0.95).status, tier(0.95).points, tier(0.95).max_points) == (Status.PASS, 3, 3)
    assert (tier(0.8).status, tier(0.8).points) == (Status.FAIL, 1)
    assert (tier(0.5).status, tier(0.5).points) == (Status.FAIL, 0)
    assert (tier(None).status, tier(None).points) == (Status.UNKNOWN, Range(0, 3))


def test_items(evaluator):
    data = good()
    data["units"][1]["recognised"] = False  # public units: 1 of 2 recognised
    criterion = judge(data, evaluator=evaluator).criteria["X8"]
    assert (criterion.status, criterion.points, criterion.max_points) == (Status.FAIL, 1, 3)
    data["units"][1]["registered"] = None
    criterion = judge(data, evaluator=evaluator).criteria["X8"]
    assert (criterion.status, criterion.points) == (Status.FAIL, Range(0, 1))


def test_scored_criteria_are_not_mandatory(evaluator):
    data = good()
    data["propaganda_share"] = 0.1
    result = judge(data, evaluator=evaluator)
    assert result.criteria["X5"].status is Status.FAIL
    assert result.verdict is Status.PASS
    assert result.score == 5
    assert result.level == "Khá"


def test_level_gates_and_unknown_levels(evaluator):
    data = good()
    data["incidents"].append({"kind": "anti_party", "date": "2021-04-01", "serious": True})
    result = judge(data, evaluator=evaluator)
    assert result.score == 8
    assert result.level == "Khá"  # not recognised in X6 → cannot be Xuất sắc
    data = good()
    data["propaganda_share"] = None  # score between 5 and 8
    result = judge(data, evaluator=evaluator)
    assert result.score == Range(5, 8)
    assert result.level is None
    assert result.level_candidates == ("Xuất sắc", "Khá")


def test_composition_judges_each_area(evaluator):
    data = good()
    data["areas"][0]["party_cell_resolution"] = "2021-05-01"  # now 2 of 4
    result = judge(data, evaluator=evaluator)
    assert result.criteria["X4"].status is Status.FAIL
    data["areas"][0]["party_cell_resolution"] = None  # 2 or 3 of 4
    assert judge(data, evaluator=evaluator).criteria["X4"].status is Status.UNKNOWN
    data["areas"][0]["party_cell_resolution"] = "2021-01-03"
    data["areas"][0]["incidents"] = [{"kind": "separatism", "date": "2021-01-05"}]
    assert judge(data, evaluator=evaluator).criteria["X4"].status is Status.FAIL


def test_composition_uses_the_areas_own_period(evaluator):
    # An area's period runs 01/11 → 31/10: an event on 2020-11-05 counts for 2021.
    data = good()
    data["areas"][1]["incidents"] = [{"kind": "anti_party", "date": "2020-11-05"}]
    data["areas"][2]["incidents"] = [{"kind": "anti_party", "date": "2020-10-20"}]
    result = judge(data, evaluator=evaluator)
    assert result.criteria["X4"].status is Status.FAIL  # 2 of 4


def test_period_from_year_or_given(evaluator):
    rs = antq_rules.load(XA)
    data = good()
    assert rs.evaluate(data, year=2022, evaluator=evaluator).criteria["X1"].status is Status.FAIL
    assert (
        rs.evaluate(data, period=("2020-11-16", "2021-11-15"), evaluator=evaluator).verdict
        is Status.PASS
    )
    with pytest.raises(AntqError) as info:
        rs.evaluate(data, evaluator=evaluator)
    assert info.value.code == "needs-year"  # (an annual period: the year is what is missing)


def test_data_errors_name_the_path(evaluator):
    data = good()
    data["areas"][2]["households"][0]["registered"] = "có"
    with pytest.raises(DataError) as info:
        judge(data, evaluator=evaluator)
    assert info.value.path == "areas[2].households[0].registered"


# ------------------------------------------------------------- extension


def test_extension_overrides_replaces_drops_and_adds(evaluator):
    base = antq_rules.load(XA)
    rs = antq_rules.load(TINH)
    assert rs.id == "demo.tinh"
    assert rs.extends == "demo.xa"
    assert rs.subject == base.subject and rs.period_rule == base.period_rule  # inherited
    assert [c.id for c in rs.criteria] == [
        "X1",
        "X3",
        "X4",
        "X5",
        "X6",
        "X7",
        "X8",
        "X9",
        "X10",
        "T1",
    ]
    assert rs.params["areas_min"] == Fraction(4, 5)
    assert rs.criterion("X3").title == "Có ít nhất hai mô hình hiệu quả"
    assert rs.criterion("X3").group == "phong_trao"  # keeps its place
    assert rs.criterion("T1").group == "antt"
    result = rs.evaluate(good(), year=2021, evaluator=evaluator)
    assert result.criteria["X4"].status is Status.FAIL  # 3 of 4 < 80 %
    assert "X2" not in result.criteria


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """ruleset base.set
  title "Gốc"
  subject commune
use "{schema}"
param areas_min = 70%
criterion A "A"
  plan_issued
criterion B "B"
  count(models) >= 1
"""


@pytest.mark.parametrize(
    ("child", "code", "needle"),
    [
        ("override param area_min = 80%", "unknown-param", "did you mean `areas_min`?"),
        (
            'replace criterion C "C"\n  plan_issued',
            "unknown-criterion",
            "there is no criterion `C`",
        ),
        ("drop criterion Z", "unknown-criterion", "there is no criterion `Z`"),
        (
            'criterion A "again"\n  plan_issued',
            "duplicate-criterion",
            "write `replace criterion A`",
        ),
        ("param areas_min = 80%", "duplicate-param", "write `override param areas_min`"),
        ('override param areas_min = "x"', "param-type", "parameter `areas_min` is decimal"),
        ("override param areas_min = count(models)", "param-not-constant", "must be a constant"),
    ],
)
def test_extension_errors(tmp_path, child, code, needle):
    write(tmp_path, "base.antq", BASE.format(schema=HERE / "schema.antq"))
    path = write(
        tmp_path, "child.antq", f'ruleset child.set extends "base.antq"\n  title "Con"\n{child}\n'
    )
    with pytest.raises(AntqError) as info:
        antq_rules.load(path, allow=[HERE])  # (the shared test schema)
    assert info.value.code == code
    assert needle in str(info.value)
    assert info.value.span is not None and info.value.span.source.name.endswith("child.antq")


def test_cycles_between_files(tmp_path):
    write(tmp_path, "a.antq", 'ruleset a\n  title "A"\n  subject x\nuse "b.antq"\n')
    write(tmp_path, "b.antq", 'ruleset b extends "a.antq"\n  title "B"\n')
    with pytest.raises(AntqError) as info:
        antq_rules.load(tmp_path / "a.antq")
    assert info.value.code == "import-cycle"
    assert "a.antq → b.antq → a.antq" in str(info.value)
    assert info.value.span.source.name.endswith("b.antq")  # where the circle closes
    assert (info.value.line, info.value.column) == (1, 19)


def test_missing_used_file_has_a_position(tmp_path):
    path = write(tmp_path, "a.antq", 'ruleset a\n  title "A"\n  subject x\n\nuse "nowhere.antq"\n')
    with pytest.raises(AntqError) as info:
        antq_rules.load(path)
    assert info.value.code == "missing-file"
    assert (info.value.line, info.value.column) == (5, 5)


def test_criterion_cycle(tmp_path):
    path = write(
        tmp_path,
        "a.antq",
        BASE.format(schema=HERE / "schema.antq")
        .replace("plan_issued\ncriterion B", "passes(B)\ncriterion B")
        .replace("count(models) >= 1", "passes(A)"),
    )
    with pytest.raises(CheckError) as info:
        antq_rules.load(path, allow=[HERE])  # (the shared test schema)
    assert info.value.code == "criterion-cycle"
    assert "A → B → A" in str(info.value)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (
            'ruleset r\n  title "R"\n  subject comune\nuse "{schema}"\ncriterion A "A"\n  plan_issued\n',
            "unknown-subject",
        ),
        (
            'ruleset r\n  title "R"\nuse "{schema}"\ncriterion A "A"\n  plan_issued\n',
            "missing-subject",
        ),
        (
            'ruleset r\n  title "R"\n  subject commune\nuse "{schema}"\ncriterion A "A"\n  count(models)\n',
            "not-bool-expression",
        ),
        (
            'ruleset r\n  title "R"\n  subject commune\nuse "{schema}"\ncriterion A "A"\n  passes(Z)\n',
            "unknown-reference",
        ),
        (
            'ruleset r\n  title "R"\n  subject commune\nuse "{schema}"\ncriterion A "A"\n  points 2\n',
            "empty-criterion",
        ),
        (
            'ruleset r\n  title "R"\n  subject commune\nuse "{schema}"\nlevel "x"\nlevel "y" when true\ncriterion A "A"\n  plan_issued\n',
            "level-otherwise-last",
        ),
        ('ruleset r\n  title "R"\n  subject commune\n  title "Again"\n', "duplicate-option"),
        (
            'ruleset r\n  title "R"\n  subject commune\nuse "{schema}"\ncriterion A "A"\n  count(areas where passes(demo.kdc)) > 0\n',
            "unknown-reference",
        ),
    ],
)
def test_ruleset_check_errors(tmp_path, text, code):
    path = write(tmp_path, "r.antq", text.format(schema=HERE / "schema.antq"))
    with pytest.raises((CheckError, ParseError)) as info:
        antq_rules.load(path, allow=[HERE])  # (the shared test schema)
    assert info.value.code == code
    assert info.value.span is not None


def test_ruleset_subject_must_match_the_items(tmp_path):
    path = write(
        tmp_path,
        "r.antq",
        f'ruleset r\n  title "R"\n  subject commune\nuse "{HERE / "kdc.antq"}"\n'
        'criterion A "A"\n  count(units where passes(demo.kdc)) > 0\n',
    )
    with pytest.raises(CheckError) as info:
        antq_rules.load(path, allow=[HERE])  # (the shared test schema)
    assert info.value.code == "ruleset-subject"
    assert "judges `area`" in str(info.value)


def test_keyword_at_the_start_of_a_test_gets_a_hint(tmp_path):
    schema = write(tmp_path, "s.antq", "entity x\n  level: int\n")
    path = write(
        tmp_path,
        "r.antq",
        f'ruleset r\n  title "R"\n  subject x\nuse "{schema}"\ncriterion A "A"\n  level > 1\n',
    )
    with pytest.raises(ParseError) as info:
        antq_rules.load(path)
    assert "write `(level)`" in str(info.value)
    path.write_text(path.read_text().replace("  level > 1", "  (level) > 1"), encoding="utf-8")
    clear_cache()
    assert antq_rules.load(path).evaluate({"level": 2}).verdict is Status.PASS


# ---------------------------------------------------------------- batches


def test_evaluate_many_reports_bad_records_and_judges_the_rest(evaluator):
    rs = antq_rules.load(XA)
    bad_type = good()
    bad_type["police"]["disciplined"] = "none"
    records = [good(), "not a commune", bad_type, {"kind": "đặc khu"}, good()]
    results = list(rs.evaluate_many(records, year=2021, evaluator=evaluator))
    assert [r.index for r in results] == [0, 1, 2, 3, 4]
    assert [r.ok for r in results] == [True, False, False, True, True]
    assert [r.verdict.name for r in results] == ["PASS", "UNKNOWN", "UNKNOWN", "NA", "PASS"]
    assert results[2].error.path == "police.disciplined"
    batch = rs.evaluate_many(records, year=2021, evaluator=evaluator)
    assert batch.summary.total == 0  # nothing judged until asked for
    assert len(list(batch)) == 5
    assert batch.summary.to_dict() == {
        "total": 5,
        "verdicts": {"PASS": 2, "FAIL": 0, "UNKNOWN": 0, "NA": 1},
        "levels": {"Xuất sắc": 2},
        "errors": 2,
    }
    assert "Xuất sắc" in batch.summary.render("vi")
    assert "police.disciplined" in results[2].render("text", "en")


def test_evaluate_many_streams():
    rs = antq_rules.load(XA)

    def endless():
        while True:
            yield good()

    stream = rs.evaluate_many(endless(), year=2021)
    assert next(stream).verdict is Status.PASS
    assert next(stream).index == 1


def test_results_are_frozen():
    result = judge(good())
    with pytest.raises(AttributeError):
        result.verdict = Status.FAIL  # type: ignore[misc]


def test_evaluators_agree_on_the_fixtures():
    variants = [good()]
    for change in range(6):
        data = good()
        if change == 0:
            data["areas"][0]["households"] = None
        elif change == 1:
            data["units"] = None
        elif change == 2:
            data["propaganda_share"] = None
            data["police"] = None
        elif change == 3:
            data["areas"][3] = None
        elif change == 4:
            data["incidents"].append({"kind": None, "date": None})
        else:
            data["models"] = [{"effective": None}]
        variants.append(data)
    for data in variants:
        for path in (XA, TINH):
            compiled = judge(data, path)
            reference = judge(data, path, evaluator="reference")
            assert statuses(compiled) == statuses(reference)
            assert (compiled.verdict, compiled.level, compiled.score) == (
                reference.verdict,
                reference.level,
                reference.score,
            )


def test_run_cases_passes_on_the_fixtures():
    report = antq_rules.run_cases(HERE)
    assert report.ok, report.render()
    assert report.passed == 3


def test_an_extension_with_its_own_title_does_not_keep_the_bases_english_title_or_version():
    own = antq_rules.load('ruleset tinh extends "antq:qd9745/xa.antq"\n  title "Tỉnh X"\n')
    assert (own.about.title, own.about.title_en, own.about.version) == ("Tỉnh X", None, None)
    kept = antq_rules.load('ruleset tinh extends "antq:qd9745/xa.antq"\n')
    assert kept.about.title_en and kept.about.version  # (no title of its own: the base's)
