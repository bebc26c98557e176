"""The checker: every error kind with its message and position, and the typed tree."""

from __future__ import annotations

import pytest
from conftest import DESIGN_SCHEMA, SIMPLE_SCHEMA
from test_parser import DESIGN_EXAMPLES

from antq_rules import CheckError, Schema, compile_expression


def check(text, schema=DESIGN_SCHEMA, subject="commune"):
    return compile_expression(text, schema=schema, subject=subject)


def error_of(text, schema=DESIGN_SCHEMA):
    with pytest.raises(CheckError) as info:
        check(text, schema)
    return info.value


@pytest.mark.parametrize("text", DESIGN_EXAMPLES)
def test_design_examples_check(text):
    schema = SIMPLE_SCHEMA if text.startswith("sum(") else DESIGN_SCHEMA
    assert check(text, schema).type == "bool"


@pytest.mark.parametrize(
    ("text", "type_"),
    [
        ("count(villages)", "int"),
        ("ratio(villages.safe)", "decimal"),
        ("sum(villages.population)", "int"),
        ("sum(incidents.damage)", "decimal"),
        ("avg(villages.population)", "decimal"),
        ("max(incidents.date)", "date"),
        ("max(incidents.date).year", "int"),
        ("villages.households.registered", "list[bool]"),
        ("count(villages) / 2", "decimal"),
        ("count(villages) * 2", "int"),
        ("ratio(villages.safe) ?? 0", "decimal"),
        ("2021-01-01 .. 2021-03-31", "period"),
        ("period.start", "date"),
        ("units.kind", 'list[enum["agency", "school", "health_station", "enterprise"]]'),
    ],
)
def test_types(text, type_):
    assert check(text).type == type_


@pytest.mark.parametrize(
    ("text", "code", "column", "needle"),
    [
        ("ratio(villages.saef) > 95%", "unknown-field", 16, "did you mean `safe`?"),
        ("count(vilages) >= 1", "unknown-name", 7, "did you mean `villages`?"),
        ("ratio(villages.population) > 95%", "needs-bool", 7, "`ratio` needs true/false values"),
        ("ratio(villages) > 95%", "needs-bool", 7, "`list[village]`"),
        ("name == 3", "bad-comparison", 6, "cannot compare `text` with `int`"),
        ("count(name where safe) > 1", "needs-list", 7, "`count` needs a list"),
        ("name.first", "no-fields", 1, "`name` is `text`, which has no fields"),
        ("count(villages where population)", "needs-bool", 22, "`where` needs true/false"),
        ("sum(villages) > 1", "needs-item-value", 5, "needs a value for each item"),
        ("sum(villages.safe) > 1", "needs-number", 5, "`sum` needs numbers"),
        ("min(villages.name) > 1", "needs-ordered", 5, "`min` needs numbers or dates"),
        ('count(units where kind == "shcool") > 0', "not-enum-value", 27, "did you mean `school`?"),
        ('count(units where kind in ["agency", "schol"]) > 0', "not-enum-value", 38, "not a value"),
        ("name < 3", "bad-ordering", 6, "`<` needs numbers or dates"),
        ("safe_count(villages)", "unknown-function", 1, "unknown function `safe_count`"),
        ("cuont(villages)", "unknown-function", 1, "did you mean `count`?"),
        ("count(villages, safe, name)", "bad-arity", 1, "`count` takes"),
        ("1 in name", "bad-membership", 3, "cannot look for"),
        ("count(villages) ?? name", "bad-fallback", 17, "same type"),
        ("1 .. 2", "bad-range", 3, "`..` needs dates"),
        ('[1, "a"]', "mixed-list", 5, "one kind of value"),
        ("it", "it-outside-aggregate", 1, "current item"),
        ("1 and true", "needs-bool", 1, "`and` needs true/false"),
        ("not 3", "needs-bool", 5, "`not`"),
        ("-name", "needs-number", 2, "`-` needs numbers"),
        ("resolution_date.yaer", "unknown-field", 17, "did you mean `year`?"),
    ],
)
def test_check_errors(text, code, column, needle):
    error = error_of(text)
    assert error.code == code
    assert error.line == 1
    assert error.column == column, str(error)
    assert needle in str(error)
    assert "^" in str(error)


def test_error_message_shows_source_line_and_caret():
    error = error_of("count(villages where saef)")
    text = str(error)
    assert text.splitlines()[0] == "<expression>:1:22: error: unknown name `saef`"
    assert text.splitlines()[1] == "1 | count(villages where saef)"
    assert text.splitlines()[2] == "  |                      ^^^^"
    assert text.splitlines()[3] == "help: did you mean `safe`?"


def test_all_problems_reported_at_once():
    error = error_of("count(vilages) >= 1 and name == 3 and ratio(villages.saef) > 1")
    assert [d.code for d in error.diagnostics] == [
        "unknown-name",
        "bad-comparison",
        "unknown-field",
    ]


def test_no_cascade_from_one_mistake():
    error = error_of("ratio(villages.saef) > 95% and count(villages.saef where x) > 1")
    assert [d.code for d in error.diagnostics] == ["unknown-field", "unknown-field"]


def test_suggestion_ignores_missing_diacritics():
    schema = Schema.from_text("entity xã\n  xóm_an_toàn: bool\n  tên: text")
    with pytest.raises(CheckError) as info:
        compile_expression("xom_an_toan", schema=schema, subject="xã")
    assert "did you mean `xóm_an_toàn`?" in str(info.value)


def test_vietnamese_messages():
    error = error_of("ratio(villages.saef) > 95%")
    text = error.render("vi")
    assert "`village` không có trường `saef`" in text
    assert "có phải ý bạn là `safe`?" in text


def test_item_fields_shadow_subject_fields():
    # `name` inside the aggregate is the village's, outside the commune's.
    expr = check('count(villages where name == "A") >= 1 and name == "X"')
    data = {"name": "X", "villages": [{"name": "A"}]}
    assert expr.evaluate(data).status.name == "PASS"


def test_unknown_subject():
    with pytest.raises(CheckError) as info:
        check("count(villages) > 1", subject="comune")
    assert "did you mean `commune`?" in str(info.value)


def test_it_names_scalar_items():
    schema = Schema.from_text("entity c\n  tags: list[text]")
    expr = compile_expression('count(tags where it == "x") == 2', schema=schema, subject="c")
    assert expr.evaluate({"tags": ["x", "y", "x"]}).status.name == "PASS"
