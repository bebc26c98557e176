"""The JSON Schema (draft 2020-12) of the data a ruleset reads.

Every field may be missing or null (that is "unknown" to a ruleset), so
every property is optional and nullable; dates are `YYYY-MM-DD` strings;
decimals are numbers (or numeric strings from a spreadsheet export are
rejected, as the engine rejects them). Labels become titles; an enum's value
labels are its `x-labels` (code → label).
"""

from __future__ import annotations

from typing import Any

from . import labels
from . import types as t
from .schema import Schema


def _type(type_: t.Type) -> dict[str, Any]:
    if type_ == t.BOOL:
        return {"type": ["boolean", "null"]}
    if type_ == t.INT:
        return {"type": ["integer", "null"]}
    if type_ == t.DECIMAL:
        return {"type": ["number", "null"]}
    if type_ == t.TEXT:
        return {"type": ["string", "null"]}
    if type_ == t.DATE:
        return {"type": ["string", "null"], "format": "date"}
    if isinstance(type_, t.Enum):
        found: dict[str, Any] = {"enum": [*type_.values, None]}
        if type_.labels:  # (the data holds the codes; forms and people read the labels)
            found["x-labels"] = dict(labels.pairs(type_))
        return found
    if isinstance(type_, t.Entity):
        return {"oneOf": [{"$ref": f"#/$defs/{type_.name}"}, {"type": "null"}]}
    if isinstance(type_, t.List):
        return {"type": ["array", "null"], "items": _type(type_.item)}
    return {}


def schema_document(schema: Schema, subject: str, title: str | None = None) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for entity in schema.entities.values():
        properties = {}
        for field in entity.fields.values():
            prop = _type(field.type)
            if field.label:
                prop = {"title": field.label, **prop}
            properties[field.name] = prop
        definition: dict[str, Any] = {"type": "object", "properties": properties}
        if entity.label:
            definition = {"title": entity.label, **definition}
        defs[entity.name] = definition
    document: dict[str, Any] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    if title:
        document["title"] = title
    document["oneOf"] = [
        {"$ref": f"#/$defs/{subject}"},
        {"type": "array", "items": {"$ref": f"#/$defs/{subject}"}},
    ]
    document["$defs"] = defs
    return document


def json_schema(ruleset: Any) -> dict[str, Any]:
    """The schema of a ruleset's data: one subject, or a list of them (a batch)."""
    return schema_document(ruleset.schema, ruleset.subject, ruleset.title)
