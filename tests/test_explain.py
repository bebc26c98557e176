"""Explanations: facts, witnesses, missing data, and gap hints checked against brute force."""

from __future__ import annotations

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import antq_rules
from antq_rules import Status

HERE = Path(__file__).parent / "rulesets"
GOOD = json.loads((HERE / "data" / "good.json").read_text(encoding="utf-8"))

GAP_RULESET = """
ruleset gaps
  title "Khoảng cách"
  subject commune

entity commune
  areas: list[area]

entity area "Thôn"
  name: text
  ok: bool

criterion T "t"
  {test}
"""

TESTS = [
    "ratio(areas.ok) >= 70%",
    "ratio(areas.ok) > 50%",
    "ratio(areas.ok) == 100%",
    "ratio(areas.ok) <= 25%",
    "ratio(areas.ok) < 40%",
    "80% <= ratio(areas.ok)",
    "count(areas where ok) >= 3",
    "count(areas where ok) <= 1",
    "count(areas where ok) == 0",
    "all(areas.ok)",
    "any(areas.ok)",
    "none(areas.ok)",
    "all(areas where ok)",
]


def ruleset_for(test):
    return antq_rules.load(GAP_RULESET.format(test=test))


def status_with(rs, flags):
    data = {"areas": [{"name": f"Thôn {i + 1}", "ok": f} for i, f in enumerate(flags)]}
    return rs.evaluate(data).criteria["T"]


@given(
    test=st.sampled_from(TESTS), flags=st.lists(st.sampled_from([True, False, None]), max_size=8)
)
def test_gap_is_the_least_change(test, flags):
    rs = ruleset_for(test)
    criterion = status_with(rs, flags)
    gap = criterion.explanation.gap
    if criterion.status is Status.PASS:
        assert gap is None
        return
    if gap is None:
        return  # no hint (e.g. an empty list: the ratio is undefined)
    true = [i for i, f in enumerate(flags) if f is True]
    unknown = [i for i, f in enumerate(flags) if f is None]
    false = [i for i, f in enumerate(flags) if f is False]

    def after(k):
        """Change k items in the gap's direction; unknown items left count against."""
        new = list(flags)
        if gap.direction == "more":
            for i in unknown:
                new[i] = False
            for i in (false + unknown)[:k]:
                new[i] = True
        else:
            for i in unknown:
                new[i] = True
            for i in (true + unknown)[:k]:
                new[i] = False
        return status_with(rs, new).status

    pool = len(false) + len(unknown) if gap.direction == "more" else len(true) + len(unknown)
    if gap.change is None:
        assert all(after(k) is not Status.PASS for k in range(pool + 1))
    else:
        assert 0 < gap.change <= pool or (gap.change == 0 and criterion.status is Status.UNKNOWN)
        assert after(gap.change) is Status.PASS
        if gap.change > 0:
            assert after(gap.change - 1) is not Status.PASS


def test_gap_message_for_the_design_example():
    rs = ruleset_for("ratio(areas.ok) > 95%")
    criterion = status_with(rs, [True] * 12 + [False])
    gap = criterion.explanation.gap
    assert (gap.change, gap.direction, gap.entity_label) == (1, "more", "Thôn")
    assert "cần thêm 1 Thôn thỏa `areas.ok`" in antq_rules.load(
        GAP_RULESET.format(test="ratio(areas.ok) > 95%")
    ).evaluate({"areas": [{"ok": True}] * 12 + [{"ok": False}]}).render("text", "vi")


def test_cannot_pass_is_said():
    rs = ruleset_for("count(areas where ok) >= 3")
    criterion = status_with(rs, [True, False])
    assert criterion.explanation.gap.change is None
    text = rs.evaluate({"areas": [{"ok": True}, {"ok": False}]}).render("text", "en")
    assert "cannot pass by changing the items of `areas`" in text


def test_facts_witnesses_and_missing():
    data = copy.deepcopy(GOOD)
    data["areas"][0]["party_cell_resolution"] = "2021-05-01"  # areas 0 and 3 now fail demo.kdc
    data["areas"][1]["registered"] = None
    result = antq_rules.load(HERE / "xa.antq").evaluate(data, year=2021)
    x4 = result.criteria["X4"]
    assert x4.status is Status.FAIL
    explanation = x4.explanation
    by_role = {
        (w.text.split("(")[0], w.role): [str(i) for i in w.items] for w in explanation.witnesses
    }
    assert by_role[("all", "unknown")] == ["areas[1] (Thôn 2)"]
    assert by_role[("ratio", "failing")] == ["areas[0] (Thôn 1)", "areas[3] (Thôn 4)"]
    assert "areas[1].registered" in explanation.missing
    ratio_fact = next(f for f in explanation.facts if f.text.startswith("ratio("))
    assert ratio_fact.value == Fraction(1, 2)
    assert (ratio_fact.op, ratio_fact.threshold_text, ratio_fact.threshold) == (
        ">=",
        "areas_min",
        Fraction(7, 10),
    )
    assert any(step.text.startswith("all(areas.registered)") for step in explanation.trace)
    assert (explanation.gap.change, explanation.gap.direction) == (1, "more")


def test_explanations_are_lazy_and_do_not_change_outcomes():
    result = antq_rules.load(HERE / "xa.antq").evaluate(copy.deepcopy(GOOD), year=2021)
    source = result.criteria["X4"]._lazy  # (a FastExplainer: the fast path judged it)
    assert source.explained is None  # (nothing explained before it is read)
    assert result.criteria["X4"].explanation.facts
    assert "X4" in source.explained
    assert result.criteria["X4"].status is Status.PASS


@pytest.mark.parametrize("test", TESTS)
def test_every_gap_form_loads(test):
    assert ruleset_for(test).evaluate({"areas": []}).criteria["T"].status in set(Status)


def _least_change_by_trying(func, op, threshold, hits, misses, unknown):
    """The definition of the least change: try every count, nearest first."""
    from fractions import Fraction

    from antq_rules import values as v

    total = hits + misses + unknown

    def measure(count):
        return Fraction(count, total) if func == "ratio" else count

    if func == "ratio" and total == 0:
        return None
    if op in (">", ">=", "=="):
        for k in range(misses + unknown + 1):
            if v.compare_known(op, measure(hits + k), threshold):
                return k, "more"
        if op != "==":
            return None, "more"
    for k in range(hits + unknown + 1):
        if v.compare_known(op, measure(hits + unknown - k), threshold):
            return k, "fewer"
    return None, "fewer"


@given(
    func=st.sampled_from(["ratio", "count"]),
    op=st.sampled_from([">", ">=", "==", "<", "<="]),
    threshold=st.one_of(
        st.integers(-3, 40), st.fractions(min_value=-1, max_value=2, max_denominator=40)
    ),
    hits=st.integers(0, 30),
    misses=st.integers(0, 30),
    unknown=st.integers(0, 5),
)
def test_the_gap_is_the_least_change_that_passes(func, op, threshold, hits, misses, unknown):
    from antq_rules.explain import _least_change

    expected = _least_change_by_trying(func, op, threshold, hits, misses, unknown)
    assert _least_change(func, op, threshold, hits, misses, unknown) == expected


def test_criteria_read_one_by_one_or_all_are_the_same_results():
    rs = antq_rules.load(HERE / "xa.antq")
    ids = [c.id for c in rs.criteria]
    whole = rs.evaluate(copy.deepcopy(GOOD), year=2021)
    expected = {cid: (c.status, c.value, c.points) for cid, c in whole.criteria.items()}
    explained = {cid: c.explanation for cid, c in whole.criteria.items()}
    # one looked at first, then all: every criterion, in file order, each once
    result = rs.evaluate(copy.deepcopy(GOOD), year=2021)
    last = result.criteria[ids[-1]]
    listed = list(result.criteria.values())
    assert [c.id for c in listed] == ids
    assert listed[-1] is last
    assert {c.id: (c.status, c.value, c.points) for c in listed} == expected
    assert {c.id: c.explanation for c in listed} == explained
    assert all(c.explanation is c.explanation for c in listed)  # (made once, kept)


YEARLY = """
ruleset t.yearly
  title "Theo năm"
  subject commune
  period 2023-01-01 .. 2023-12-31

entity commune
  name: text
  yearly: list[year_row]

entity year_row
  year: int
  crimes: int

criterion P3 "Tội phạm năm nay không quá 5"
  single(yearly where year == period.year).crimes <= 5
"""


@pytest.mark.parametrize(
    ("rows", "missing"),
    [
        # no row for the year: the row to add, with its condition
        ([{"year": 2022, "crimes": 3}], ("yearly[year == 2023]",)),
        ([], ("yearly[year == 2023]",)),
        # the row is there, its figure is not
        ([{"year": 2023}], ("yearly[0].crimes",)),
        # a row whose year is not known may be a second 2023 row: its year is
        # what is missing, not the figure of the row already filled in
        ([{"year": 2023, "crimes": 3}, {"year": None, "crimes": 1}], ("yearly[1].year",)),
        ([{"year": 2022, "crimes": 3}, {"year": None}], ("yearly[1].year",)),
    ],
)
def test_missing_data_of_single_names_what_to_fill_in(rows, missing):
    ruleset = antq_rules.load(YEARLY)
    for evaluator in ("compiled", "reference"):
        result = ruleset.evaluate({"name": "Xã", "yearly": rows}, evaluator=evaluator)
        criterion = result.criteria["P3"]
        assert criterion.status is Status.UNKNOWN
        assert criterion.explanation.missing == missing, evaluator
