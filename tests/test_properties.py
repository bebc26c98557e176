"""Properties (Hypothesis): the compiled evaluator agrees with the reference
interpreter; every decided result holds for every completion of the unknowns;
Kleene laws; the parser and checker raise nothing but AntqError."""

from __future__ import annotations

import datetime
from pathlib import Path

from gen import (
    PERIOD,
    PROPERTY_SCHEMA,
    completions,
    entity_template,
    expressions,
    slots,
    to_data,
)
from hypothesis import assume, given, note
from hypothesis import strategies as st

from antq_rules import UNDEFINED, AntqError, DataError, Range, compile_expression
from antq_rules import values as v
from antq_rules.syntax.parser import parse_expression

KINDS = st.sampled_from(["bool", "bool", "bool", "int", "decimal", "date"])


def compile_(text):
    return compile_expression(text, schema=PROPERTY_SCHEMA, subject="commune", period=PERIOD)


def outcome(expr, data, evaluator):
    try:
        return ("value", expr.evaluate(data, evaluator=evaluator).value)
    except DataError as error:
        return ("error", error.path, error.code)


@given(data=st.data(), kind=KINDS)
def test_compiled_agrees_with_reference(data, kind):
    text = data.draw(expressions(kind, single=True))
    template = data.draw(entity_template("commune", unknown=0.3, bad=True))
    document = to_data(template)
    note(text)
    note(repr(document))
    expr = compile_(text)
    assert outcome(expr, document, "compiled") == outcome(expr, document, "reference")


def contains(abstract, concrete) -> bool:
    """Whether the set of values `abstract` stands for holds `concrete` (a
    value, or a set of them too: `single` of a list with no item)."""
    if type(concrete) is Range:
        if type(abstract) is not Range:
            return False
        low, high = concrete.low, concrete.high
        return (
            (abstract.low is None or (low is not None and abstract.low <= low))
            and (abstract.high is None or (high is not None and high <= abstract.high))
            and (abstract.undefined or not concrete.undefined)
        )
    if concrete is UNDEFINED:
        return abstract is UNDEFINED or (type(abstract) is Range and abstract.undefined)
    if abstract is UNDEFINED:
        return False
    if type(abstract) is Range:
        low_ok = abstract.low is None or abstract.low <= concrete
        high_ok = abstract.high is None or concrete <= abstract.high
        return low_ok and high_ok
    return abstract == concrete


@given(data=st.data(), kind=KINDS)
def test_ranges_are_sound(data, kind):
    """Whatever the missing data turns out to be, the result is within the range;
    in particular a PASS or FAIL with unknowns stays so for every completion."""
    text = data.draw(expressions(kind, single=True))
    template = data.draw(entity_template("commune", unknown=0.25))
    holes = slots(template)
    assume(0 < len(holes) <= 6)
    filled = completions(template)
    assume(filled)
    expr = compile_(text)
    try:
        abstract = expr.evaluate(to_data(template)).value
    except DataError:  # (`single` of a list with two items for sure)
        return
    note(f"{text} = {abstract!r}")
    for document in filled:
        try:
            concrete = expr.evaluate(document, evaluator="reference").value
        except DataError:  # (this completion gives `single` two items)
            continue
        # Known data gives a known value (or undefined), never a range, but
        # for `single` of a list with no item.
        assert type(concrete) is not Range or "single(" in text, (document, concrete)
        assert contains(abstract, concrete), (document, concrete)


@given(data=st.data(), kind=KINDS)
def test_known_data_gives_known_results(data, kind):
    text = data.draw(expressions(kind))
    template = data.draw(entity_template("commune", unknown=0.0))
    result = compile_(text).evaluate(to_data(template))
    assert type(result.value) is not Range
    if kind == "bool" and result.value is not UNDEFINED:
        assert result.status.name in ("PASS", "FAIL")


# ------------------------------------------------------------ Kleene laws

BOOLS = st.sampled_from(
    [
        True,
        False,
        UNDEFINED,
        Range(False, True),
        Range(False, True, True),
        Range(True, True, True),
        Range(False, False, True),
    ]
)


@given(BOOLS, BOOLS, BOOLS)
def test_kleene_laws(a, b, c):
    assert v.logic_and(a, b) == v.logic_and(b, a)
    assert v.logic_or(a, b) == v.logic_or(b, a)
    assert v.logic_and(v.logic_and(a, b), c) == v.logic_and(a, v.logic_and(b, c))
    assert v.logic_or(v.logic_or(a, b), c) == v.logic_or(a, v.logic_or(b, c))
    assert v.logic_not(v.logic_and(a, b)) == v.logic_or(v.logic_not(a), v.logic_not(b))
    assert v.logic_not(v.logic_or(a, b)) == v.logic_and(v.logic_not(a), v.logic_not(b))
    assert v.logic_not(v.logic_not(a)) == a
    assert v.logic_and(a, True) == a
    assert v.logic_or(a, False) == a
    assert v.logic_and(a, False) is False
    assert v.logic_or(a, True) is True


POINTS = st.sampled_from([True, False, UNDEFINED])


@given(POINTS, POINTS, POINTS)
def test_kleene_distributes_point_by_point(a, b, c):
    # Over sets it does not (the left side reads `a` once, the right twice).
    assert v.logic_and(a, v.logic_or(b, c)) == v.logic_or(v.logic_and(a, b), v.logic_and(a, c))
    assert v.logic_or(a, v.logic_and(b, c)) == v.logic_and(v.logic_or(a, b), v.logic_or(a, c))


def _members(value):
    t, f, u = v.flags(value)
    return {x for x, on in ((True, t), (False, f), ("u", u)) if on}


def _kleene_and(x, y):
    if x is False or y is False:
        return False
    if x == "u" or y == "u":
        return "u"
    return True


@given(BOOLS, BOOLS)
def test_kleene_and_is_the_pointwise_image(a, b):
    expected = {_kleene_and(x, y) for x in _members(a) for y in _members(b)}
    assert _members(v.logic_and(a, b)) == expected


@given(data=st.data())
def test_kleene_at_expression_level(data):
    a = data.draw(expressions("bool", depth=2))
    b = data.draw(expressions("bool", depth=2))
    document = to_data(data.draw(entity_template("commune", unknown=0.4)))
    va = compile_(a).evaluate(document).value
    vb = compile_(b).evaluate(document).value
    assert compile_(f"({a}) and ({b})").evaluate(document).value == v.logic_and(va, vb)
    assert compile_(f"({a}) or ({b})").evaluate(document).value == v.logic_or(va, vb)
    assert (
        compile_(f"not (({a}) and ({b}))").evaluate(document).value
        == compile_(f"not ({a}) or not ({b})").evaluate(document).value
    )


# ------------------------------------------------------- hostile text

ALPHABET = st.sampled_from(
    list('()[]{}.,:;+-*/%<>=!?"\\#\n\t 0123456789aeinorstwhđươ')
    + [
        "and",
        "or",
        "not",
        "in",
        "where",
        "count(",
        "ratio(",
        "villages",
        ".safe",
        "2021-01-01",
        "95%",
        "..",
        "??",
        "≥",
        "\u0301",
        "\ufeff",
    ]
)


@given(st.text(max_size=80) | st.lists(ALPHABET, max_size=40).map("".join))
def test_arbitrary_text_raises_only_antq_errors(text):
    try:
        parse_expression(text)
    except AntqError:
        pass
    try:
        compile_(text)
    except AntqError:
        pass


@given(data=st.data())
def test_mutated_expressions_raise_only_antq_errors(data):
    text = data.draw(expressions("bool"))
    position = data.draw(st.integers(0, len(text)))
    mutation = data.draw(st.sampled_from(["delete", "insert", "swap"]))
    if mutation == "delete":
        text = text[:position] + text[position + 1 :]
    elif mutation == "insert":
        text = text[:position] + data.draw(ALPHABET) + text[position:]
    else:
        text = text[position:] + text[:position]
    try:
        expr = compile_(text)
    except AntqError:
        return
    document = to_data(data.draw(entity_template("commune", bad=True)))
    try:
        expr.evaluate(document)
    except AntqError:
        pass


def test_generated_dates_are_in_the_schema_domain():
    assert isinstance(datetime.date.fromisoformat(PERIOD[0]), datetime.date)


RULESET_WORDS = st.sampled_from(
    [
        "ruleset",
        "r",
        "title",
        '"T"',
        "subject",
        "commune",
        "criterion",
        "C1",
        '"c"',
        "points",
        "3",
        "when",
        "applies",
        "level",
        "verdict",
        "param",
        "p",
        "=",
        "70%",
        "define",
        "d",
        "group",
        "g",
        "extends",
        '"x.antq"',
        "use",
        "entity",
        "commune",
        "n:",
        "int",
        "count(villages)",
        ">=",
        "1",
        "and",
        "\n",
        "  ",
        "replace",
        "drop",
        "override",
        "item",
        "period",
        '"16/11"',
        "..",
        "#",
    ]
)


@given(st.lists(RULESET_WORDS, max_size=40).map(" ".join) | st.text(max_size=120))
def test_arbitrary_ruleset_text_raises_only_antq_errors(text):
    import antq_rules

    try:
        antq_rules.load("ruleset r\n" + text)
    except AntqError:
        pass


# ---------------------------------------------------------- the formatter


@given(data=st.data(), kind=KINDS)
def test_fmt_then_parse_is_the_identity(data, kind):
    from antq_rules.syntax.fmt import expression

    tree = parse_expression(data.draw(expressions(kind)))
    text = expression(tree)
    assert parse_expression(text) == tree
    assert expression(parse_expression(text)) == text  # idempotent


@given(data=st.data())
def test_fmt_of_generated_rulesets_is_ast_equal_and_idempotent(data):
    from antq_rules.syntax.fmt import format_ruleset
    from antq_rules.syntax.parser import parse_ruleset

    tests = [data.draw(expressions("bool")) for _ in range(data.draw(st.integers(1, 3)))]
    comments = data.draw(
        st.lists(st.sampled_from(["# một chú thích", "# note", ""]), min_size=3, max_size=3)
    )
    text = f'ruleset p.q  {comments[0]}\n  title "Tiêu đề"\n  subject commune\n  period "16/11" .. "15/11"\n'
    text += 'param m = 70% "ngưỡng"\n'
    for index, test in enumerate(tests):
        text += f'{comments[1]}\ncriterion C{index} "Tiêu chí {index}"  {comments[2]}\n  source "Điều {index}"\n  {test}\n'
    text += 'level "Tốt" when true\n'
    formatted = format_ruleset(text)
    assert parse_ruleset(formatted) == parse_ruleset(text)
    assert format_ruleset(formatted) == formatted
    assert len(parse_ruleset(formatted).comments) == len(parse_ruleset(text).comments)


# ----------------------------------------------------- no mutation of data


@given(data=st.data(), kind=KINDS)
def test_evaluating_never_mutates_the_data(data, kind):
    import copy

    text = data.draw(expressions(kind))
    document = to_data(data.draw(entity_template("commune", unknown=0.3)))
    before = copy.deepcopy(document)
    expr = compile_(text)
    for evaluator in ("compiled", "reference"):
        try:
            expr.evaluate(document, evaluator=evaluator)
        except AntqError:
            pass
        assert document == before


SHIPPED = sorted((Path(__file__).resolve().parent.parent / "rulesets").rglob("*.antq"))


@given(data=st.data())
def test_mutated_shipped_rulesets_raise_only_antq_errors(data):
    import antq_rules

    path = data.draw(st.sampled_from(SHIPPED))
    text = path.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        mutation = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if mutation == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
        elif mutation == "insert":
            text = text[:at] + data.draw(ALPHABET | RULESET_WORDS) + text[at:]
        else:
            text = text[:at] + text[at : at + 40] + text[at:]
    # relative `use` and `extends` resolve from the ruleset's own folder
    cwd = Path.cwd()
    try:
        import os

        os.chdir(path.parent)
        antq_rules.load(text)
    except AntqError:
        pass
    finally:
        os.chdir(cwd)
