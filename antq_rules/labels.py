"""Enum values as people write and read them: the code (`crime`) or its label
(`Tội phạm`).

A schema may give each enum value a label (`"crime" "Tội phạm"`). Rules and
JSON/YAML data use the codes; a clerk's spreadsheet may hold either, typed
with or without diacritics, in any case; reports and dropdowns show labels.
Labels live on `types.Enum`, outside its equality (see there).
"""

from __future__ import annotations

import functools
from typing import Any

from . import types as t
from .messages import Phrase, message
from .source import normalize_text
from .suggest import closest, fold


def enum_of(type_: t.Type) -> t.Enum | None:
    """The enum of a field's type (or of its list items), if it is one."""
    inner = type_.item if isinstance(type_, t.List) else type_
    return inner if isinstance(inner, t.Enum) else None


def pairs(type_: t.Type | None) -> tuple[tuple[str, str], ...]:
    """(code, label) for each value that has a label; () for anything else."""
    enum = None if type_ is None else enum_of(type_)
    if enum is None or not enum.labels:
        return ()
    found = zip(enum.values, enum.labels, strict=True)
    return tuple((v, label) for v, label in found if label is not None)


def choices(enum: t.Enum) -> list[str]:
    """What a clerk picks from: each value's label, or its code where it has none."""
    return [enum.shown(v) for v in enum.values]


def _squeeze(text: str) -> str:
    return " ".join(normalize_text(text).split())


# (cached by values and labels: enums equal by value may differ in labels)
@functools.lru_cache(maxsize=256)
def _index(values: tuple[str, ...], labels: tuple[str | None, ...]) -> dict[str, str]:
    """Every spelling a cell may use → its code: exact codes and labels first,
    then both without diacritics and case (the first value wins a tie)."""
    out: dict[str, str] = {}
    labelled = [(v, labels[i] if i < len(labels) else None) for i, v in enumerate(values)]
    for value, _ in labelled:
        out.setdefault(value, value)
    for value, label in labelled:
        if label is not None:
            out.setdefault(_squeeze(label), value)
    for value, label in labelled:
        out.setdefault("\0" + fold(value), value)
        if label is not None:
            out.setdefault("\0" + fold(_squeeze(label)), value)
    return out


def code_of(text: str, enum: t.Enum) -> str | None:
    """The code a cell means — by its code or its label, diacritics, case and
    spacing aside — or None."""
    said = _squeeze(text)
    index = _index(enum.values, enum.labels)
    found = index.get(said)
    return found if found is not None else index.get("\0" + fold(said))


def suggestion(text: str, enum: t.Enum) -> str | None:
    """The label (or code) closest to what a clerk wrote, for "did you mean"."""
    return closest(_squeeze(text)[:200], choices(enum))


class Said:
    """A message of `messages.MESSAGES` inside another message, translated when shown."""

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params

    def render(self, lang: str) -> str:
        return message(self.code, self.params, lang)

    def __str__(self) -> str:
        return self.render("en")


def expected(enum: t.Enum) -> Said | Phrase:
    """`one of `Tội phạm`, `Ma túy`, … (a label or its code)` for a cell error."""
    if not enum.labels:
        return Phrase("one of", values=", ".join(enum.values))
    return Said("cell-one-of-labels", values=", ".join(f"`{c}`" for c in choices(enum)))
