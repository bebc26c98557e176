"""The conformance corpus (tests/conformance/*.yaml): expression, data, and the
expected value or error code, run on both evaluators. docs/semantics.md says
which file checks which rule."""

from __future__ import annotations

import datetime
import re
from fractions import Fraction
from pathlib import Path

import pytest
import yaml

from antq_rules import UNDEFINED, AntqError, Range, Schema, compile_expression

HERE = Path(__file__).parent / "conformance"
SCHEMA = Schema.from_text(
    (HERE / "schema.antq").read_text(encoding="utf-8"), "conformance/schema.antq"
)


def expected_value(raw):
    """The corpus's notation: 12, "12/13", "0.5", true, "undefined", '"text"',
    "12/13 .. 1", "* .. 5" (unbounded), "false .. true or undefined"."""
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if text == "undefined":
        return UNDEFINED
    undefined = text.endswith(" or undefined")
    if undefined:
        text = text[: -len(" or undefined")]
    if " .. " in text:
        low, high = (scalar(part) for part in text.split(" .. "))
        return Range(low, high, undefined)
    return scalar(text)


def scalar(text):
    if text == "*":
        return None
    if text in ("true", "false"):
        return text == "true"
    if text.startswith('"') and text.endswith('"'):
        return text[1:-1]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return datetime.date.fromisoformat(text)
    if "/" in text:
        return Fraction(text)
    if "." in text:
        return Fraction(text)
    return int(text)


def corpus():
    for path in sorted(HERE.glob("*.yaml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        for index, case in enumerate(document["cases"]):
            yield pytest.param(document, case, id=f"{path.stem}[{index}] {case['expr']}")


@pytest.mark.parametrize("evaluator", ["compiled", "reference"])
@pytest.mark.parametrize(("document", "case"), list(corpus()))
def test_conformance(document, case, evaluator):
    period = document.get("period")
    if isinstance(period, str):
        period = period.replace(" ", "")
    try:
        expression = compile_expression(
            case["expr"], schema=SCHEMA, subject="commune", period=period
        )
        outcome = expression.evaluate(case.get("data", {}), evaluator=evaluator)
    except AntqError as error:
        assert "error" in case, f"unexpected error: {error}"
        assert error.code == case["error"], str(error)
        if "path" in case:
            assert error.path == case["path"]
        return
    assert "error" not in case, f"expected {case['error']}, got {outcome.value!r}"
    expected = expected_value(case["value"])
    assert outcome.value == expected, f"{outcome.value!r} != {expected!r}"
    if "status" in case:
        assert outcome.status.name == case["status"]


def test_every_file_has_a_description_and_cases():
    files = sorted(HERE.glob("*.yaml"))
    assert len(files) >= 6
    for path in files:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert document["description"] and document["cases"]


def test_the_written_semantics_names_every_file_and_property():
    """docs/semantics.md says which checks hold each rule: every conformance
    file, every property and every error code of errors.yaml is named there."""
    text = (HERE.parent.parent / "docs" / "semantics.md").read_text(encoding="utf-8")
    for path in HERE.glob("*.yaml"):
        assert f"`{path.name}`" in text, path.name
    properties = (HERE.parent / "test_properties.py").read_text(encoding="utf-8")
    for name in re.findall(r"^def (test_\w+)", properties, re.MULTILINE):
        assert f"`{name}`" in text, name
    errors = yaml.safe_load((HERE / "errors.yaml").read_text(encoding="utf-8"))
    for case in errors["cases"]:
        if "error" in case:
            assert f"`{case['error']}`" in text, case["error"]
