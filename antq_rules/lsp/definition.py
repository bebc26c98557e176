"""Go to definition: where a target is declared, possibly in a `use`d file.

Answers are (file, span) pairs; a span of None means the top of the file
(for the path of a `use` or `extends`).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import AntqError
from ..loader import _Loader
from ..source import Span
from ..syntax import ast
from .documents import Analysis, Symbols
from .resolve import Target

Place = tuple[str, Span | None]


def definitions(analysis: Analysis, symbols: Symbols | None, target: Target) -> list[Place]:
    if target.kind == "file":
        origin = locate(analysis, target.name)
        return [] if origin is None else [(origin, None)]
    if symbols is None:
        return []
    find = {
        "field": _field,
        "entity": _declared,
        "enum": _declared,
        "param": _param,
        "define": _define,
        "criterion": _criterion,
        "ruleset": _ruleset,
        "group": _group,
    }.get(target.kind)
    if find is None:
        return []
    places: list[Place] = []
    for span in find(symbols, target):
        origin = symbols.origin_of(span.source)
        if origin is not None and (origin, span) not in places:
            places.append((origin, span))
    return places


def locate(analysis: Analysis, reference: str) -> str | None:
    """The file a `use "…"` or `extends "…"` names, as the loader finds it."""
    try:
        return _Loader(analysis.roots).locate(reference, analysis.base_dir, None)
    except AntqError:
        return None


def _field(symbols: Symbols, target: Target) -> list[Span]:
    return [
        field.span
        for decl, _origin in symbols.assembled.entities
        if isinstance(decl, ast.EntityDecl) and decl.name == target.owner
        for field in decl.fields
        if field.name == target.name and field.span is not None
    ]


def _declared(symbols: Symbols, target: Target) -> list[Span]:
    return [
        decl.span
        for decl, _origin in symbols.assembled.entities
        if decl.name == target.name and decl.span is not None
    ]


def _param(symbols: Symbols, target: Target) -> list[Span]:
    decl = symbols.assembled.params.get(target.name)
    return [] if decl is None or decl.span is None else [decl.span]


def _define(symbols: Symbols, target: Target) -> list[Span]:
    decl = symbols.assembled.defines.get(target.name)
    return [] if decl is None or decl.span is None else [decl.span]


def _criterion(symbols: Symbols, target: Target) -> list[Span]:
    decl = symbols.assembled.criteria.get(target.name)
    if decl is not None and decl.span is not None and decl.span != target.span:
        return [decl.span]
    # (dropped, or the declaration itself: the one in the base, if any)
    return [
        item.span
        for origin, file in symbols.files.items()
        if origin != symbols.origin
        for item in file.items
        if isinstance(item, ast.CriterionDecl) and item.id == target.name and item.span
    ] or ([decl.span] if decl is not None and decl.span is not None else [])


def _ruleset(symbols: Symbols, target: Target) -> list[Span]:
    used = symbols.assembled.rulesets.get(target.name)
    if used is not None and used.path:
        origin = str(Path(used.path).resolve())
    elif symbols.assembled.header is not None and symbols.assembled.header.id == target.name:
        origin = symbols.origin
    else:
        return []
    file = symbols.files.get(origin)
    items = file.items if file is not None else ()
    return [i.span for i in items if isinstance(i, ast.RulesetHeader) and i.span is not None]


def _group(symbols: Symbols, target: Target) -> list[Span]:
    decl = symbols.assembled.groups.get(target.name)
    return [] if decl is None or decl.span is None else [decl.span]
