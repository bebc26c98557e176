"""Data in: dicts, attrs and dataclasses; type errors with paths; exact conversions."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import typing
import unicodedata
from fractions import Fraction

import attrs
import pytest
from conftest import DESIGN_SCHEMA, run
from hypothesis import given
from hypothesis import strategies as st

from antq_rules import DataError, Schema, compile_expression


@pytest.mark.parametrize(
    ("text", "data", "path", "needle"),
    [
        (
            "ratio(villages.safe) > 95%",
            {"villages": [{"safe": True}] * 3 + [{"safe": "yes"}]},
            "villages[3].safe",
            'expected bool, got "yes"',
        ),
        (
            "all(villages.safe)",
            {"villages": [{"safe": 1}]},
            "villages[0].safe",
            "expected bool, got 1",
        ),
        (
            "count(villages) > 1",
            {"villages": {"safe": True}},
            "villages",
            "expected list of village",
        ),
        (
            "count(villages) > 1",
            {"villages": [{"safe": True}, 3]},
            "villages[1]",
            "expected village, got 3",
        ),
        (
            "sum(villages.population) > 1",
            {"villages": [{"population": "12"}]},
            "villages[0].population",
            'expected int, got "12"',
        ),
        (
            "sum(villages.population) > 1",
            {"villages": [{"population": 2.5}]},
            "villages[0].population",
            "expected int, got 2.5",
        ),
        (
            "resolution_date.year == 2021",
            {"resolution_date": "15/02/2021"},
            "resolution_date",
            "is not a date",
        ),
        (
            'count(units where kind == "school") > 0',
            {"units": [{"kind": "scool"}]},
            "units[0].kind",
            "`scool` is not one of",
        ),
        ("police.disciplined == 0", {"police": "none"}, "police", "expected police"),
        (
            "ratio(villages.households.registered) == 1",
            {"villages": [{"households": [{"registered": True}, {"registered": "x"}]}]},
            "villages[0].households[1].registered",
            "expected bool",
        ),
        (
            "count(incidents where damage > 1.5) == 0",
            {"incidents": [{"damage": float("nan")}]},
            "incidents[0].damage",
            "expected decimal",
        ),
    ],
)
def test_wrong_types_name_the_path(text, data, path, needle, evaluator):
    with pytest.raises(DataError) as info:
        run(text, data, evaluator)
    assert info.value.path == path
    assert needle in str(info.value)
    assert str(info.value).startswith(f"error: {path}: ")


def test_root_must_be_an_object(evaluator):
    for bad in ([1, 2], "commune", 3, None):
        with pytest.raises(DataError):
            run("count(villages) >= 0", bad, evaluator)


def test_null_and_missing_are_unknown_not_errors(evaluator):
    assert (
        run("all(villages.safe)", {"villages": [{"safe": None}, {}]}, evaluator).status.name
        == "UNKNOWN"
    )


def test_unread_fields_are_not_validated_by_evaluate_but_by_validate():
    data = {"villages": [{"safe": True, "population": "many"}]}
    assert run("all(villages.safe)", data).status.name == "PASS"
    with pytest.raises(DataError) as info:
        DESIGN_SCHEMA.validate(data, "commune")
    assert info.value.path == "villages[0].population"


def test_validate_accepts_good_documents():
    DESIGN_SCHEMA.validate(
        {
            "villages": [{"safe": True, "households": [{"registered": False, "members": 3}]}],
            "police": {"disciplined": 0},
            "resolution_date": datetime.date(2021, 1, 3),
        },
        "commune",
    )


def test_exact_conversions(evaluator):
    assert run(
        "sum(incidents.damage)", {"incidents": [{"damage": 0.1}] * 3}, evaluator
    ).value == Fraction(3, 10)
    assert run(
        "sum(incidents.damage)", {"incidents": [{"damage": decimal.Decimal("1.25")}]}, evaluator
    ).value == Fraction(5, 4)
    assert (
        run("sum(villages.population)", {"villages": [{"population": 3.0}]}, evaluator).value == 3
    )
    assert run(
        "max(incidents.date)",
        {"incidents": [{"date": datetime.datetime(2021, 5, 1, 8, 30)}]},
        evaluator,
    ).value == datetime.date(2021, 5, 1)
    assert run(
        "max(incidents.date)", {"incidents": [{"date": "2021-05-01T08:30:00"}]}, evaluator
    ).value == datetime.date(2021, 5, 1)


def test_decomposed_keys_are_found(evaluator):
    schema = Schema.from_text("entity xã\n  xóm: list[xóm]\nentity xóm\n  an_toàn: bool")
    data = {unicodedata.normalize("NFD", "xóm"): [{unicodedata.normalize("NFD", "an_toàn"): True}]}
    expr = compile_expression("all(xóm.an_toàn) and count(xóm) == 1", schema=schema, subject="xã")
    assert expr.evaluate(data, evaluator=evaluator).status.name == "PASS"


# ------------------------------------------------------- attrs, dataclasses


class Kind(enum.Enum):
    AGENCY = "agency"
    SCHOOL = "school"


@dataclasses.dataclass
class Unit:
    name: str
    kind: Kind
    safe: typing.Optional[bool]  # noqa: UP045 - the old spelling must work too


@attrs.frozen
class Village:
    name: str
    safe: bool | None
    households: int


@attrs.frozen
class Commune:
    name: str
    villages: list[Village]
    units: tuple[Unit, ...] = ()
    founded: datetime.date | None = None
    level: typing.Literal["xã", "phường"] = "xã"


def test_schema_from_classes():
    schema = Schema.from_classes(Commune)
    assert set(schema.entities) == {"commune", "village", "unit"}
    assert str(schema.entity("commune").fields["villages"].type) == "list[village]"
    assert str(schema.entity("unit").fields["kind"].type) == 'enum["agency", "school"]'
    assert str(schema.entity("commune").fields["level"].type) == 'enum["xã", "phường"]'
    assert str(schema.entity("village").fields["safe"].type) == "bool"


def test_attrs_and_dataclass_data(evaluator):
    schema = Schema.from_classes(Commune, Village)
    commune = Commune(
        "Tân Phước",
        [Village("Thôn 1", True, 400), Village("Thôn 2", None, 380)],
        (Unit("Trường THCS", Kind.SCHOOL, True),),
    )
    expr = compile_expression("ratio(villages.safe) >= 50%", schema=schema, subject=Commune)
    assert expr.evaluate(commune, evaluator=evaluator).status.name == "PASS"
    expr = compile_expression(
        'count(units where kind == "school" and safe) == 1 and level == "xã"',
        schema=schema,
        subject="commune",
    )
    assert expr.evaluate(commune, evaluator=evaluator).status.name == "PASS"
    expr = compile_expression("sum(villages.households)", schema=schema, subject="commune")
    assert expr.evaluate(commune, evaluator=evaluator).value == 780


def test_evaluating_does_not_mutate_data(evaluator):
    import copy

    data = {"villages": [{"safe": True, "households": [{"registered": None}]}, None]}
    before = copy.deepcopy(data)
    run("ratio(villages.households.registered) ?? 0 >= 0 and count(villages) > 1", data, evaluator)
    assert data == before


def test_validate_survives_cyclic_data():
    schema = Schema.from_text("entity node\n  children: list[node]\n  ok: bool")
    root = {"ok": True, "children": []}
    root["children"].append(root)
    schema.validate(root, "node")
    expr = compile_expression("all(children.children.ok)", schema=schema, subject="node")
    assert expr.evaluate(root).status.name == "PASS"


_LABEL_KEYS = st.sampled_from(
    ["name", "tên", unicodedata.normalize("NFD", "tên"), "id", "mã", "code", "title", "kind", 7]
)
_LABEL_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(["", " ", "Xóm 1", "A"])
)


@given(st.dictionaries(_LABEL_KEYS, _LABEL_VALUES, max_size=5))
def test_the_quick_label_is_the_label(data):
    from antq_rules.data import label_of, subject_label

    assert label_of(data) == subject_label(data)
