"""Schemas: the entities a ruleset reads, their fields and field types.

A schema comes from text (`entity village … safe: bool`), from a Python
mapping, or from attrs classes / dataclasses with type hints; all three give
the same frozen `Schema`. Problems are collected and raised together as one
`CheckError`, each with its position.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum as py_enum
import fractions
import re
import types as py_types
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from . import types as t
from .errors import CheckError, Diagnostic, did_you_mean
from .source import Span, normalize_text
from .syntax import ast
from .syntax.parser import parse_schema, parse_type


@attrs.frozen
class Field:
    name: str
    type: t.Type
    label: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class EntityDef:
    name: str
    fields: Mapping[str, Field]
    label: str | None = None
    span: Span | None = attrs.field(default=None, eq=False, repr=False)

    def field(self, name: str) -> Field | None:
        return self.fields.get(name)


@attrs.frozen
class Schema:
    """Entities by name, and the named enums they use."""

    entities: Mapping[str, EntityDef]
    enums: Mapping[str, t.Enum] = attrs.field(factory=dict)

    # ------------------------------------------------------------ building

    @classmethod
    def from_text(cls, text: str, name: str = "<schema>") -> Schema:
        """Build a schema from `entity` and `enum` declarations."""
        return _SchemaBuilder().build(parse_schema(text, name))

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Mapping[str, Any]]) -> Schema:
        """Build from `{"village": {"safe": "bool", "households": "int"}, …}`.

        A field's value is a type name (`"list[village]"`, `'enum["a", "b"]'`) or
        a mapping with `type` and an optional `label`."""
        if not isinstance(mapping, Mapping):
            raise CheckError(_mapping_problem("a schema mapping must be a dict of entities"))
        decls: list[ast.EntityDecl] = []
        for entity_name, fields in mapping.items():
            if not isinstance(entity_name, str) or not isinstance(fields, Mapping):
                raise CheckError(
                    _mapping_problem(f"entity `{entity_name}` must map field names to types")
                )
            field_decls = []
            for field_name, spec in fields.items():
                label = None
                if isinstance(spec, Mapping):
                    label = spec.get("label")
                    spec = spec.get("type")
                if not isinstance(spec, str) or not isinstance(field_name, str):
                    raise CheckError(
                        _mapping_problem(
                            f'field `{entity_name}.{field_name}` needs a type name such as `"bool"`'
                        )
                    )
                type_expr = parse_type(spec, f"<type of {entity_name}.{field_name}>")
                field_decls.append(
                    ast.FieldDecl(normalize_text(field_name), type_expr, label, span=type_expr.span)
                )
            decls.append(ast.EntityDecl(normalize_text(entity_name), None, tuple(field_decls)))
        return _SchemaBuilder().build(ast.SchemaDecl(tuple(decls)))

    @classmethod
    def from_classes(cls, *classes: type) -> Schema:
        """Derive entities from attrs classes or dataclasses and their type hints.

        `ResidentialArea` becomes the entity `residential_area`; classes that the
        given ones refer to are included too."""
        return _derive_from_classes(classes)

    # ------------------------------------------------------------- reading

    def entity(self, name: str) -> EntityDef:
        found = self.entities.get(normalize_text(name))
        if found is None:
            raise CheckError(
                Diagnostic(
                    "unknown-subject", {"name": name}, helps=did_you_mean(name, list(self.entities))
                )
            )
        return found

    def subject_name(self, subject: str | type) -> str:
        """The entity name for a subject given as a name or as a Python class."""
        if isinstance(subject, type):
            return entity_name_of_class(subject)
        return normalize_text(subject)

    def validate(self, data: Any, subject: str | type) -> None:
        """Check every field of a document against the schema (not only those a
        ruleset reads); raises a `DataError` naming the first bad path."""
        from .data import validate_document

        validate_document(self, self.entity(self.subject_name(subject)), data)

    def to_text(self) -> str:
        """The schema in the text syntax (labels included)."""
        lines: list[str] = []
        for enum_type in self.enums.values():
            values = ", ".join(_enum_value(enum_type, v) for v in enum_type.values)
            title = f" {_quote(enum_type.title)}" if enum_type.title else ""
            lines.append(f"enum {enum_type.name}{title} [{values}]")
            lines.append("")
        for entity in self.entities.values():
            head = f"entity {entity.name}"
            if entity.label:
                head += f" {_quote(entity.label)}"
            lines.append(head)
            for f in entity.fields.values():
                line = f"  {f.name}: {_type_text(f.type)}"
                if f.label:
                    line += f" {_quote(f.label)}"
                lines.append(line)
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _type_text(type_: t.Type) -> str:
    """A field's type as written; an inline enum with its labels."""
    if isinstance(type_, t.List):
        return f"list[{_type_text(type_.item)}]"
    if isinstance(type_, t.Enum) and type_.name is None:
        return "enum[" + ", ".join(_enum_value(type_, v) for v in type_.values) + "]"
    return str(type_)


def _enum_value(enum_type: t.Enum, value: str) -> str:
    label = enum_type.label(value)
    return _quote(value) + ("" if label is None else f" {_quote(label)}")


def _mapping_problem(detail: str) -> Diagnostic:
    return Diagnostic("bad-schema-mapping", {"detail": detail})


class _SchemaBuilder:
    """Resolves type names across declarations (order does not matter)."""

    def __init__(self) -> None:
        self.problems: list[Diagnostic] = []

    def build(self, decl: ast.SchemaDecl) -> Schema:
        enums: dict[str, t.Enum] = {}
        entity_decls: dict[str, ast.EntityDecl] = {}
        for item in decl.items:
            if item.name in enums or item.name in entity_decls or item.name in t.SCALARS:
                self.problems.append(Diagnostic("duplicate-entity", {"name": item.name}, item.span))
                continue
            if isinstance(item, ast.EnumDecl):
                enums[item.name] = self._enum(
                    item.values, item.labels, item.span, item.name, item.label
                )
            else:
                entity_decls[item.name] = item
        self.enums = enums
        self.entity_names = set(entity_decls)
        entities: dict[str, EntityDef] = {}
        for name, item in entity_decls.items():
            fields: dict[str, Field] = {}
            for f in item.fields:
                if f.name in fields:
                    self.problems.append(
                        Diagnostic("duplicate-field", {"name": f.name, "entity": name}, f.span)
                    )
                    continue
                fields[f.name] = Field(f.name, self.resolve(f.type), f.label, f.span)
            entities[name] = EntityDef(name, fields, item.label, item.span)
        if self.problems:
            raise CheckError(self.problems)
        return Schema(entities, enums)

    def _enum(
        self,
        values: Iterable[str],
        labels: tuple[str | None, ...],
        span: Span | None,
        name: str | None = None,
        title: str | None = None,
    ) -> t.Enum:
        """The enum of these values (each once) with their labels."""
        seen: list[str] = []
        kept: list[str | None] = []
        for index, v in enumerate(values):
            if v in seen:
                self.problems.append(Diagnostic("duplicate-enum-value", {"value": v}, span))
            else:
                seen.append(v)
                kept.append(labels[index] if index < len(labels) else None)
        shown = tuple(kept) if any(label is not None for label in kept) else ()
        return t.Enum(tuple(seen), name, labels=shown, title=title)

    def resolve(self, expr: ast.TypeExpr, depth: int = 0) -> t.Type:
        if isinstance(expr, ast.EnumTypeExpr):
            return self._enum(expr.values, expr.labels, expr.span)
        if expr.args:
            if expr.name != "list":
                self.problems.append(Diagnostic("bad-generic", {"name": expr.name}, expr.span))
                return t.NOTHING
            inner_expr = expr.args[0]
            if isinstance(inner_expr, ast.TypeName) and inner_expr.name == "list":
                self.problems.append(Diagnostic("nested-list", {}, expr.span))
                return t.NOTHING
            return t.List(self.resolve(inner_expr, depth + 1))
        if expr.name in t.SCALARS:
            return t.SCALARS[expr.name]
        if expr.name in self.enums:
            return self.enums[expr.name]
        if expr.name in self.entity_names:
            return t.Entity(expr.name)
        known = [*t.SCALARS, *self.enums, *self.entity_names, "list"]
        self.problems.append(
            Diagnostic(
                "unknown-type", {"name": expr.name}, expr.span, helps=did_you_mean(expr.name, known)
            )
        )
        return t.NOTHING


# ------------------------------------------------------------ from classes


def entity_name_of_class(cls: type) -> str:
    """`ResidentialArea` → `residential_area`."""
    name = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", cls.__name__)
    return normalize_text(name.lower())


def _class_fields(cls: type) -> list[str]:
    if attrs.has(cls):
        return [a.name for a in attrs.fields(cls)]
    if dataclasses.is_dataclass(cls):
        return [f.name for f in dataclasses.fields(cls)]
    raise CheckError(
        Diagnostic(
            "bad-class",
            {
                "name": getattr(cls, "__name__", cls),
                "detail": "it is not an attrs class or a dataclass",
            },
        )
    )


def _derive_from_classes(classes: Iterable[type]) -> Schema:
    pending = list(classes)
    done: dict[type, ast.EntityDecl] = {}

    def type_of(hint: Any, owner: type, field_name: str) -> str:
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin in (typing.Union, getattr(py_types, "UnionType", typing.Union)):
            rest = [a for a in args if a is not type(None)]
            if len(rest) == 1:
                return type_of(rest[0], owner, field_name)
        elif origin is typing.Literal and all(isinstance(a, str) for a in args):
            return "enum[" + ", ".join(_quote(a) for a in args) + "]"
        elif origin in (list, tuple, set, frozenset) or (
            origin is not None
            and getattr(origin, "__name__", "") in ("Sequence", "Iterable", "Collection")
        ):
            items = [a for a in args if a is not Ellipsis]
            if len(items) == 1:
                return f"list[{type_of(items[0], owner, field_name)}]"
        elif origin is None:
            if hint is bool:
                return "bool"
            if hint is int:
                return "int"
            if hint in (float, decimal.Decimal, fractions.Fraction):
                return "decimal"
            if hint is str:
                return "text"
            if hint in (datetime.date, datetime.datetime):
                return "date"
            if isinstance(hint, type) and issubclass(hint, py_enum.Enum):
                values = [m.value if isinstance(m.value, str) else m.name for m in hint]
                return "enum[" + ", ".join(_quote(v) for v in values) + "]"
            if isinstance(hint, type) and (attrs.has(hint) or dataclasses.is_dataclass(hint)):
                if hint not in done and hint not in pending:
                    pending.append(hint)
                return entity_name_of_class(hint)
        raise CheckError(
            Diagnostic(
                "bad-class",
                {
                    "name": owner.__name__,
                    "detail": f"field `{field_name}` has a type antq_rules cannot read ({hint!r})",
                },
            )
        )

    while pending:
        cls = pending.pop(0)
        if cls in done:
            continue
        names = _class_fields(cls)
        try:
            hints = typing.get_type_hints(cls)
        except Exception as error:  # unresolvable forward references and the like
            raise CheckError(
                Diagnostic(
                    "bad-class",
                    {"name": cls.__name__, "detail": f"its type hints cannot be read ({error})"},
                )
            ) from None
        field_decls = []
        for field_name in names:
            if field_name not in hints:
                continue
            type_text = type_of(hints[field_name], cls, field_name)
            field_decls.append(ast.FieldDecl(field_name, parse_type(type_text)))
        done[cls] = ast.EntityDecl(entity_name_of_class(cls), None, tuple(field_decls))
    return _SchemaBuilder().build(ast.SchemaDecl(tuple(done.values())))
