"""Schemas from text, from mappings and from classes; their errors."""

from __future__ import annotations

import pytest
from conftest import DESIGN_SCHEMA, SIMPLE_SCHEMA

from antq_rules import AntqError, CheckError, ParseError, Schema
from antq_rules import types as t


def test_text_schema_with_labels_and_enums():
    schema = Schema.from_text(
        'enum loại ["cơ quan", "trường học"]\n'
        'entity xã "Xã"\n  tên: text "Tên xã"\n  đơn_vị: list[đơn_vị]\n'
        "entity đơn_vị\n  loại: loại\n  an_toàn: bool\n"
    )
    xa = schema.entity("xã")
    assert xa.label == "Xã"
    assert xa.fields["tên"].label == "Tên xã"
    assert xa.fields["đơn_vị"].type == t.List(t.Entity("đơn_vị"))
    assert schema.entity("đơn_vị").fields["loại"].type == t.Enum(("cơ quan", "trường học"), "loại")


def test_declaration_order_does_not_matter():
    schema = Schema.from_text("entity a\n  bs: list[b]\nentity b\n  x: int")
    assert schema.entity("a").fields["bs"].type == t.List(t.Entity("b"))


@pytest.mark.parametrize("schema", [DESIGN_SCHEMA, SIMPLE_SCHEMA])
def test_to_text_round_trip(schema):
    assert Schema.from_text(schema.to_text()) == schema


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("entity a\n  x: lst[b]", ["bad-generic"]),
        ("entity a\n  x: boool", ["unknown-type"]),
        ("entity a\n  x: int\n  x: bool", ["duplicate-field"]),
        ("entity a\n  x: int\nentity a\n  y: int", ["duplicate-entity"]),
        ("entity a\n  x: list[list[int]]", ["nested-list"]),
        ('entity a\n  x: enum["p", "p"]', ["duplicate-enum-value"]),
        ("entity a\n  x: boool\n  y: intt", ["unknown-type", "unknown-type"]),
    ],
)
def test_schema_errors(text, codes):
    with pytest.raises(CheckError) as info:
        Schema.from_text(text)
    assert [d.code for d in info.value.diagnostics] == codes
    assert info.value.line is not None


def test_schema_parse_error():
    with pytest.raises(ParseError) as info:
        Schema.from_text("entity a\n  x int")
    assert info.value.line == 2


def test_mapping_with_labels():
    schema = Schema.from_mapping({"xã": {"tên": {"type": "text", "label": "Tên xã"}, "n": "int"}})
    assert schema.entity("xã").fields["tên"].label == "Tên xã"


@pytest.mark.parametrize(
    "mapping",
    [
        [],
        {"a": "int"},
        {"a": {"x": 3}},
        {"a": {"x": "list["}},
        {"a": {"x": "village"}},
    ],
)
def test_bad_mappings(mapping):
    with pytest.raises(AntqError):
        Schema.from_mapping(mapping)


def test_from_classes_rejects_plain_classes():
    class Plain:
        x: int

    with pytest.raises(CheckError) as info:
        Schema.from_classes(Plain)
    assert "not an attrs class or a dataclass" in str(info.value)


def test_from_classes_rejects_unreadable_types():
    import dataclasses

    @dataclasses.dataclass
    class Odd:
        x: dict

    with pytest.raises(CheckError) as info:
        Schema.from_classes(Odd)
    assert "field `x`" in str(info.value)
