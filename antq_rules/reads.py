"""What a ruleset reads: the fields of each entity that it — with what it
uses, extends and judges through `passes(…)` — reads.

Test data generators make only these; templates hold only these; a data
file that leaves out a list the ruleset reads gets a warning.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from . import ir
from . import types as t
from .errors import Diagnostic, warning
from .statements import fact_sides, text_of

_KNOWN: weakref.WeakKeyDictionary[Any, Mapping[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def fields_read(ruleset: Any) -> Mapping[str, frozenset[str]]:
    """Entity name → the fields of it that are read (once a ruleset: a batch
    asks for every record)."""
    known = _KNOWN.get(ruleset)
    if known is not None:
        return known
    read: dict[str, set[str]] = {}
    for node in nodes_reached(ruleset):
        if isinstance(node, ir.Get):
            base = node.base.type
            entity = base.item if isinstance(base, t.List) else base
            if isinstance(entity, t.Entity):
                read.setdefault(entity.name, set()).add(node.field)
    found = MappingProxyType({name: frozenset(fields) for name, fields in read.items()})
    _KNOWN[ruleset] = found
    return found


def nodes_reached(ruleset: Any) -> Iterator[ir.Node]:
    """Every node of a ruleset's expressions, and of the rulesets it judges
    items by (`passes(tt124.kdc)`), each ruleset once."""
    seen: set[int] = set()
    pending = [ruleset]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        for root in current._roots():
            for node in ir.walk(root):
                if isinstance(node, ir.RulesetRef):
                    pending.append(node.ruleset)
                yield node


def absent_notices(record: Any, read: Mapping[str, frozenset[str]]) -> tuple[Any, ...]:
    """The warnings a tabular reader prepared for the lists a file left out
    (`Record.absent`: (owner entity, list field, warning)), for the lists
    that are read: their data is unknown, and the clerk should know why."""
    return tuple(
        notice
        for entity, field, notice in getattr(record, "absent", ())
        if field in read.get(entity, ())
    )


# ------------------------------------------------------------------ shares

_SHARES: weakref.WeakKeyDictionary[Any, tuple] = weakref.WeakKeyDictionary()

Path = tuple[str, ...]


def share_fields(ruleset: Any) -> tuple[tuple[Path, str], ...]:
    """(path from the subject, the comparison) of each number field that a
    criterion compares with a percentage (`participation_share >= 90%`): a
    value above 1 there is a share of over 100 %, which an office that
    typed `85` for 85 % did not mean."""
    known = _SHARES.get(ruleset)
    if known is not None:
        return known  # type: ignore[no-any-return]
    found: dict[Path, str] = {}

    def visit(node: ir.Node, env: dict[int, Path | None]) -> None:
        if isinstance(node, ir.Compare):
            measured, _, _, percent = fact_sides(node, ruleset.percent_params)
            path = _path(measured, env) if percent and t.is_number(measured.type) else None
            if path:
                found.setdefault(path, text_of(node))
        if isinstance(node, (ir.Aggregate, ir.Filter)):
            visit(node.source, env)
            inner = {**env, node.level: _path(node.source, env)}
            for part in ir.children(node)[1:]:
                visit(part, inner)
            return
        for child in ir.children(node):
            visit(child, env)

    for root in ruleset._roots():
        visit(root, {0: ()})
    shares = tuple(found.items())
    _SHARES[ruleset] = shares
    return shares


def _path(node: ir.Node, env: dict[int, Path | None]) -> Path | None:
    """The fields from the subject a node reads (through lists), if it is a path."""
    if isinstance(node, ir.Var):
        return env.get(node.level)
    if isinstance(node, ir.Get):
        base = _path(node.base, env)
        return None if base is None else (*base, node.field)
    if isinstance(node, ir.Filter):
        return _path(node.source, env)
    return None


def over_a_whole(data: Any, path: Path) -> list[tuple[str, Any]]:
    """(data path, value) of each number at `path` in a record that is
    outside 0..1."""
    out: list[tuple[str, Any]] = []
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack and len(out) < 5:
        value, where, depth = stack.pop()
        if depth == len(path):
            number = isinstance(value, (int, float, Decimal, Fraction)) and value is not True
            if number and value is not False and not 0 <= value <= 1:
                out.append((where, value))
            continue
        if isinstance(value, dict):
            field = path[depth]
            if field in value:
                stack.append((value[field], f"{where}.{field}" if where else field, depth + 1))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{i}]", depth) for i, item in enumerate(value))
    return out


def share_notices(data: Any, shares: tuple) -> list[Diagnostic]:
    """A warning for each number outside 0..1 in a field compared with a
    percentage: `85` typed for 85 % reads as 8,500 % and passes `>= 90%`."""
    notices = []
    for path, test in shares:
        for where, value in over_a_whole(data, path):
            shown = f"{float(value):g}"
            notices.append(
                warning(
                    "warn-share-over",
                    path=where,
                    value=shown,
                    test=test,
                    percent=f"{float(value) * 100:g}%",
                    meant=f"{float(value) / 100:g}",
                )
            )
    return notices
