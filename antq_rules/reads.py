"""What a ruleset reads: the fields of each entity that it — with what it
uses, extends and judges through `passes(…)` — reads.

Test data generators make only these; templates hold only these; a data
file that leaves out a list the ruleset reads gets a warning.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Any

from . import ir
from . import types as t

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
