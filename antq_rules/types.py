"""The types of the language, as small frozen values.

`int` and `decimal` are both numbers (exact: Python ints and Fractions);
`period` is a closed range of dates. An entity type names an entity of the
schema; a list type holds one item type. The checker attaches these to every
node of the typed tree.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Scalar:
    name: str  # bool | int | decimal | text | date | period

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class Enum:
    """A closed set of text values; `name` is None for an inline `enum[…]`.

    `labels` (one a value, None where a value has none, or empty) and `title`
    are words for people — reports, spreadsheet dropdowns — and stay out of
    equality and hashing: types are compared by value everywhere, and two
    enums that differ only in wording are the same type."""

    values: tuple[str, ...]
    name: str | None = None
    labels: tuple[str | None, ...] = attrs.field(default=(), eq=False, repr=False)
    title: str | None = attrs.field(default=None, eq=False, repr=False)

    def label(self, value: str) -> str | None:
        """The label of a value, if it has one."""
        for index, known in enumerate(self.values):
            if known == value:
                return self.labels[index] if index < len(self.labels) else None
        return None

    def shown(self, value: str) -> str:
        """A value as people read it: its label, else the value itself."""
        return self.label(value) or value

    def __str__(self) -> str:
        if self.name:
            return self.name
        return "enum[" + ", ".join(f'"{v}"' for v in self.values) + "]"


@attrs.frozen
class Entity:
    name: str

    def __str__(self) -> str:
        return self.name


@attrs.frozen
class List:
    item: Type

    def __str__(self) -> str:
        return f"list[{self.item}]"


@attrs.frozen
class Nothing:
    """The item type of `[]` and the type of a node that failed to check."""

    def __str__(self) -> str:
        return "nothing"


Type = Scalar | Enum | Entity | List | Nothing

BOOL = Scalar("bool")
INT = Scalar("int")
DECIMAL = Scalar("decimal")
TEXT = Scalar("text")
DATE = Scalar("date")
PERIOD = Scalar("period")
NOTHING = Nothing()

SCALARS = {t.name: t for t in (BOOL, INT, DECIMAL, TEXT, DATE)}


def is_number(t: Type) -> bool:
    return t in (INT, DECIMAL)


def is_textual(t: Type) -> bool:
    return t == TEXT or isinstance(t, Enum)


def is_ordered(t: Type) -> bool:
    return is_number(t) or t == DATE


def is_scalar(t: Type) -> bool:
    return isinstance(t, (Scalar, Enum)) and t != PERIOD


def comparable(a: Type, b: Type) -> bool:
    """Whether `==` between values of these types can mean anything."""
    if isinstance(a, Nothing) or isinstance(b, Nothing):
        return True
    if is_number(a) and is_number(b):
        return True
    if is_textual(a) and is_textual(b):
        return True
    return a == b and isinstance(a, Scalar) and a != PERIOD


def join(a: Type, b: Type) -> Type | None:
    """The type both a and b fit in, or None (for `??` and list literals)."""
    if a == b:
        return a
    if isinstance(a, Nothing):
        return b
    if isinstance(b, Nothing):
        return a
    if is_number(a) and is_number(b):
        return DECIMAL
    if is_textual(a) and is_textual(b):
        return TEXT
    if isinstance(a, List) and isinstance(b, List):
        inner = join(a.item, b.item)
        return None if inner is None else List(inner)
    return None


def describe(t: Type) -> str:
    """How a type reads in a message: `bool`, `list[village]`…"""
    return f"`{t}`"
