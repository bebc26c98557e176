"""The parser: every DESIGN example, precedence, literals, positions, hostile input."""

from __future__ import annotations

import datetime
import unicodedata
from fractions import Fraction

import pytest

from antq_rules import ParseError
from antq_rules.syntax import ast
from antq_rules.syntax.parser import MAX_DEPTH, build_parser, parse_expression, parse_schema

DESIGN_EXAMPLES = [
    "ratio(villages.safe) > 0.95",
    "ratio(villages.safe) > 95%",
    'ratio(units where kind in ["agency", "school", "health_station"], safe) >= 90%',
    'count(incidents where kind == "fire" and serious) == 0',
    'none(incidents where kind == "anti_party")',
    "all(released_prisoners.record_cleared)",
    "count(mass_models) >= 1",
    "sum(villages.households) > 0",
    "ratio(villages.households.registered) == 100%      # flattens nested lists",
    "count(incidents where year == period.year) < count(incidents where year == period.year - 1)",
]


@pytest.mark.parametrize("text", DESIGN_EXAMPLES)
def test_design_examples_parse(text):
    assert parse_expression(text) is not None


def test_grammar_is_strict_lalr():
    # strict=True makes Lark reject colliding terminals and any conflict.
    build_parser(strict=True, cache=False)


def b(op, left, right):
    return ast.Binary(op, left, right)


def n(name):
    return ast.Name(name)


def i(value):
    return ast.Literal(value, "int")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a or b and c", b("or", n("a"), b("and", n("b"), n("c")))),
        ("not a and b", b("and", ast.Unary("not", n("a")), n("b"))),
        ("not a == b", ast.Unary("not", b("==", n("a"), n("b")))),
        ("1 + 2 * 3", b("+", i(1), b("*", i(2), i(3)))),
        ("1 - 2 - 3", b("-", b("-", i(1), i(2)), i(3))),
        ("(1 - 2) * 3", b("*", b("-", i(1), i(2)), i(3))),
        ("-a.b", ast.Unary("neg", ast.Attribute(n("a"), "b"))),
        ("a ?? 1 >= 2", b(">=", b("??", n("a"), i(1)), i(2))),
        ("a ?? b ?? c", b("??", n("a"), b("??", n("b"), n("c")))),
        ("x + 1 ?? 0", b("??", b("+", n("x"), i(1)), i(0))),
        ("a not in b", b("not_in", n("a"), n("b"))),
        ("a in b or c", b("or", b("in", n("a"), n("b")), n("c"))),
        ("a ≥ 1", b(">=", n("a"), i(1))),
        ("a ≠ 1", b("!=", n("a"), i(1))),
    ],
)
def test_precedence(text, tree):
    assert parse_expression(text) == tree


def test_literals():
    assert parse_expression("95%") == ast.Literal(Fraction(95, 100), "percent")
    assert parse_expression("95%").value == Fraction(19, 20)
    assert parse_expression("92.5 %").value == Fraction(925, 1000)
    assert parse_expression("0.95") == ast.Literal(Fraction(19, 20), "decimal")
    assert parse_expression("0.95") != parse_expression("95%")  # same value, other form
    assert parse_expression("2021-03-31") == ast.Literal(datetime.date(2021, 3, 31), "date")
    assert parse_expression('"a\\"b"').value == 'a"b'
    assert parse_expression("true").value is True
    assert parse_expression("[]") == ast.ListLiteral(())
    assert parse_expression("[1, 2,]") == ast.ListLiteral((i(1), i(2)))


def test_call_with_where_and_value():
    tree = parse_expression("ratio(units where kind == 1, safe)")
    assert tree == ast.Call("ratio", (b("where", n("units"), b("==", n("kind"), i(1))), n("safe")))


def test_where_binds_loosest():
    tree = parse_expression("units where a or b and c")
    assert tree == b("where", n("units"), b("or", n("a"), b("and", n("b"), n("c"))))


def test_vietnamese_names_and_nfc():
    composed = "tỉ_lệ_xóm_an_toàn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert parse_expression(decomposed) == ast.Name(composed)
    assert parse_expression(f'"{unicodedata.normalize("NFD", "Phước")}"').value == "Phước"


def test_comments_and_newlines():
    assert parse_expression("count(x) # how many\n  >= 1") == b(
        ">=", ast.Call("count", (n("x"),)), i(1)
    )


def test_spans_point_at_source():
    tree = parse_expression("count(villages)  >=  10")
    assert tree.span.text() == "count(villages)  >=  10"
    assert tree.right.span.text() == "10"
    assert tree.left.span.text() == "count(villages)"


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        ("count(x", "unexpected-end", 1, 7),
        ("a < b < c", "chained-comparison", 1, 7),
        ("a = 1", "single-equals", 1, 3),
        ("x @ y", "unexpected-char", 1, 3),
        ("ratio(x) >\n  > 3", "unexpected-token", 2, 3),
        ("2021-02-30", "bad-date", 1, 1),
        ('"tab\\q"', "bad-escape", 1, 1),
        ("", "unexpected-end", 1, 1),
    ],
)
def test_parse_errors_have_positions(text, code, line, column):
    with pytest.raises(ParseError) as info:
        parse_expression(text)
    error = info.value
    assert error.code == code
    assert (error.line, error.column) == (line, column)
    assert f":{line}:{column}:" in str(error)
    assert "^" in str(error)


def test_expected_tokens_in_plain_words():
    with pytest.raises(ParseError) as info:
        parse_expression("count(x")
    assert "expected `)`, `,` or `where`" in str(info.value)
    with pytest.raises(ParseError) as info:
        parse_expression("a and")
    assert "expected an expression" in str(info.value)


def test_very_deep_nesting_is_a_clean_error():
    for text in [
        "(" * 5000 + "-" * 200 + "1" + ")" * 5000,
        "-" * 5000 + "1",
        "1" + "+1" * 5000,
        "not " * 3000 + "true",
        "[" * 3000 + "]" * 3000,
    ]:
        with pytest.raises(ParseError) as info:
            parse_expression(text)
        assert info.value.code in ("too-deep",)


def test_redundant_parentheses_do_not_nest():
    assert parse_expression("(" * 5000 + "1" + ")" * 5000) == i(1)


def test_nesting_within_limit_is_fine():
    text = "(" * (MAX_DEPTH - 1) + "1" + ")" * (MAX_DEPTH - 1)
    assert parse_expression(text) == i(1)


def test_very_long_input_is_a_clean_error():
    with pytest.raises(ParseError) as info:
        parse_expression("1" * 2_000_000)
    assert info.value.code == "too-long"


def test_non_text_input():
    with pytest.raises(ParseError):
        parse_expression(12)  # type: ignore[arg-type]


def test_schema_syntax():
    decl = parse_schema(
        'enum kind ["a", "b"]\n'
        'entity xã "Xã"\n  tên: text "Tên"\n  xóm: list[xóm]\n  k: enum["x", "y"]\n'
    )
    enum_decl, entity = decl.items
    assert enum_decl == ast.EnumDecl("kind", None, ("a", "b"))
    assert entity.name == "xã"
    assert entity.label == "Xã"
    assert [f.name for f in entity.fields] == ["tên", "xóm", "k"]
    assert entity.fields[1].type == ast.TypeName("list", (ast.TypeName("xóm"),))
    assert entity.fields[2].type == ast.EnumTypeExpr(("x", "y"))
