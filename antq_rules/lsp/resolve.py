"""What a name at a position means: a field (of which entity), a parameter, a
definition, a criterion, a ruleset, an entity, an enum, a function, a file.

Expressions are walked from their root down to the position, with the scope
the checker would have there (the items bound by the enclosing aggregates
and `where`s, innermost first; then the subject; then parameters and
definitions; then `period` and `it`), so `safe` inside `ratio(units where …)`
is the unit's field and not the commune's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .. import ir
from .. import types as t
from ..check import DATE_PARTS, PERIOD_PARTS, Scope
from ..source import Span
from ..syntax import ast
from .documents import Analysis, Symbols, checker_for
from .texts import FUNCTION_SIGNATURES


@dataclass(frozen=True)
class Target:
    """What a reference names. `owner` is the entity of a field (or the base
    type of a part); `span` is where the reference is written."""

    # field, part, param, define, entity, enum, criterion, ruleset, group,
    # function, builtin or file
    kind: str
    name: str
    owner: str | None = None
    type: t.Type | None = None
    span: Span | None = None


OUTCOME_NAMES = {"score": t.DECIMAL, "max_score": t.DECIMAL}


class Resolver:
    """Types and meanings of names and paths, over one document's symbols."""

    def __init__(self, symbols: Symbols, extra: dict[str, t.Type] | None = None) -> None:
        self.symbols = symbols
        self.extra = dict(extra or {})
        schema = symbols.schema
        self.checker = (
            None
            if schema is None
            else checker_for(schema, symbols.subject, {**symbols.types, **self.extra})
        )

    # ---- scopes and types

    def root(self) -> Scope:
        subject = self.symbols.subject
        if self.checker is None or subject is None or self.symbols.entity(subject) is None:
            return Scope((t.NOTHING,))
        return self.checker.root_scope()

    def type_of(self, expr: ast.Expr, scope: Scope) -> t.Type:
        if self.checker is None:
            return t.NOTHING
        try:
            return self.checker.expr(expr, scope).type
        except Exception:  # (a part the checker cannot type alone)
            return t.NOTHING
        finally:
            self.checker.problems = []

    def item_scope(self, scope: Scope, list_type: t.Type) -> Scope:
        item = list_type.item if isinstance(list_type, t.List) else t.NOTHING
        return scope.push(item)

    def name_type(self, name: str, scope: Scope) -> t.Type | None:
        target = self.name_target(name, scope)
        return None if target is None else target.type

    def path_type(self, parts: list[str], scope: Scope) -> t.Type | None:
        """The type of `a.b.c` in a scope (None when a part is unknown)."""
        if not parts:
            return None
        current = self.name_type(parts[0], scope)
        for part in parts[1:]:
            if current is None:
                return None
            member = self.member_target(current, part)
            current = None if member is None else member.type
        return current

    # ---- meanings

    def name_target(self, name: str, scope: Scope, span: Span | None = None) -> Target | None:
        for level in range(scope.level, -1, -1):
            level_type = scope.levels[level]
            if isinstance(level_type, t.Entity):
                entity = self.symbols.entity(level_type.name)
                found = entity.field(name) if entity is not None else None
                if found is not None:
                    return Target("field", name, entity.name, found.type, span)
        if name == "it" and scope.level > 0:
            return Target("builtin", "it", None, scope.levels[-1], span)
        assembled = self.symbols.assembled
        if name in assembled.params:
            return Target("param", name, None, self.symbols.types.get(name), span)
        if name in assembled.defines:
            return Target("define", name, None, self.symbols.types.get(name), span)
        if name in self.extra:
            return Target("builtin", name, None, self.extra[name], span)
        if name == "period":
            return Target("builtin", "period", None, t.PERIOD, span)
        return None

    def member_target(self, base: t.Type, name: str, span: Span | None = None) -> Target | None:
        """`base.name`: a field of an entity (of every item of a list), or a part."""
        entity_type = base.item if isinstance(base, t.List) else base
        if isinstance(entity_type, t.Entity):
            entity = self.symbols.entity(entity_type.name)
            found = entity.field(name) if entity is not None else None
            if found is None:
                return None
            result = found.type
            if isinstance(base, t.List) and not isinstance(result, t.List):
                result = t.List(result)
            return Target("field", name, entity_type.name, result, span)
        if base == t.DATE and name in DATE_PARTS:
            return Target("part", name, "date", t.INT, span)
        if base == t.PERIOD and name in PERIOD_PARTS:
            return Target("part", name, "period", t.INT if name == "year" else t.DATE, span)
        return None

    def reference_target(self, dotted: str, span: Span | None = None) -> Target | None:
        """What `passes(X)` names: a criterion, or a ruleset used by id or alias."""
        assembled = self.symbols.assembled
        if dotted in assembled.criteria:
            return Target("criterion", dotted, None, t.BOOL, span)
        if dotted in assembled.rulesets:
            return Target("ruleset", dotted, None, t.BOOL, span)
        return None

    def type_target(self, name: str, span: Span | None = None) -> Target | None:
        schema = self.symbols.schema
        if schema is None:
            return None
        if name in schema.entities:
            return Target("entity", name, None, t.Entity(name), span)
        if name in schema.enums:
            return Target("enum", name, None, schema.enums[name], span)
        return None


# ------------------------------------------------------------------ finding


def _at(span: Span | None, offset: int) -> bool:
    return span is not None and span.start <= offset <= span.end


def dotted(node: ast.Expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Attribute):
        base = dotted(node.obj)
        return None if base is None else f"{base}.{node.name}"
    return None


def roots(item: Any) -> Iterator[tuple[ast.Expr, dict[str, t.Type]]]:
    """The expressions of a declaration, with the outcome names each may use."""
    if isinstance(item, ast.RulesetHeader) and item.applies is not None:
        yield item.applies, {}
    elif isinstance(item, ast.ParamDecl):
        yield item.default, {}
    elif isinstance(item, ast.DefineDecl):
        yield item.expr, {}
    elif isinstance(item, ast.CriterionDecl):
        for expr in (item.test, item.applies):
            if expr is not None:
                yield expr, {}
        for part in (*item.items, *item.tiers):
            yield part.condition, {}
    elif isinstance(item, ast.LevelDecl) and item.condition is not None:
        yield item.condition, dict(OUTCOME_NAMES)
    elif isinstance(item, ast.VerdictDecl):
        yield item.expr, {**OUTCOME_NAMES, "level": t.TEXT}


def find_target(analysis: Analysis, symbols: Symbols | None, offset: int) -> Target | None:
    """What the document names at `offset`, if anything."""
    file = analysis.file
    if file is None:
        return None
    for item in file.items:
        found = _in_declaration(item, symbols, offset)
        if found is not None:
            return found
        if symbols is None:
            continue
        for expr, extra in roots(item):
            if _at(expr.span, offset):
                resolver = Resolver(symbols, extra)
                return _in_expression(resolver, expr, offset, resolver.root())
    return None


def _in_declaration(item: Any, symbols: Symbols | None, offset: int) -> Target | None:
    """A name in a declaration's own words: `use "…"`, `subject x`, `criterion X`…"""
    span = item.span
    if isinstance(item, ast.UseDecl) and _at(span, offset):
        return Target("file", item.path, span=span)
    if isinstance(item, ast.RulesetHeader):
        if _at(item.extends_span, offset):
            return Target("file", item.extends or "", span=item.extends_span)
        if _at(item.subject_span, offset) and item.subject:
            return Target("entity", item.subject, span=item.subject_span)
        if _at(span, offset):
            return Target("ruleset", item.id, span=span)
        return None
    if isinstance(item, (ast.CriterionDecl, ast.DropDecl)) and _at(span, offset):
        return Target("criterion", item.id, span=span)
    if isinstance(item, ast.ParamDecl) and _at(span, offset):
        types = symbols.types if symbols else {}
        return Target("param", item.name, type=types.get(item.name), span=span)
    if isinstance(item, ast.DefineDecl) and _at(span, offset):
        types = symbols.types if symbols else {}
        return Target("define", item.name, type=types.get(item.name), span=span)
    if isinstance(item, ast.GroupDecl) and _at(span, offset):
        return Target("group", item.name, span=span)
    if isinstance(item, ast.EnumDecl) and _at(span, offset):
        return Target("enum", item.name, span=span)
    if isinstance(item, ast.EntityDecl):
        if _at(span, offset):
            return Target("entity", item.name, span=span)
        for field in item.fields:
            if _at(field.span, offset):
                return Target("field", field.name, item.name, span=field.span)
            found = _in_type(field.type, offset)
            if found is not None:
                schema = symbols.schema if symbols is not None else None
                kind = "enum" if schema is not None and found.name in schema.enums else "entity"
                return Target(kind, found.name, span=found.span)
    return None


def _in_type(node: ast.TypeExpr, offset: int) -> Target | None:
    if not isinstance(node, ast.TypeName):
        return None
    for arg in node.args:
        found = _in_type(arg, offset)
        if found is not None:
            return found
    if node.args or not _at(node.span, offset) or node.name in t.SCALARS:
        return None
    return Target("type", node.name, span=node.span)


def _in_expression(resolver: Resolver, node: ast.Expr, offset: int, scope: Scope) -> Target | None:
    while True:
        if isinstance(node, ast.Call):
            if _at(node.name_span, offset):
                if node.func in FUNCTION_SIGNATURES:
                    return Target("function", node.func, span=node.name_span)
                return None
            if node.func in ("passes", "applies") and len(node.args) == 1:
                arg = node.args[0]
                name = dotted(arg)
                if _at(arg.span, offset) and name is not None:
                    return resolver.reference_target(name, arg.span)
            if node.func in ir.AGGREGATES and node.args:
                first, where = node.args[0], None
                if isinstance(first, ast.Binary) and first.op == "where":
                    first, where = first.left, first.right
                if _at(first.span, offset):
                    node = first
                    continue
                inner = resolver.item_scope(scope, resolver.type_of(first, scope))
                rest = [p for p in (where, *node.args[1:]) if p is not None and _at(p.span, offset)]
                if not rest:
                    return None
                node, scope = rest[0], inner
                continue
        elif isinstance(node, ast.Binary) and node.op == "where":
            if _at(node.left.span, offset):
                node = node.left
                continue
            if _at(node.right.span, offset):
                scope = resolver.item_scope(scope, resolver.type_of(node.left, scope))
                node = node.right
                continue
            return None
        elif isinstance(node, ast.Attribute):
            if _at(node.name_span, offset) and not _at(node.obj.span, offset):
                base = resolver.type_of(node.obj, scope)
                return resolver.member_target(base, node.name, node.name_span)
        elif isinstance(node, ast.Name):
            return resolver.name_target(node.name, scope, node.span)
        child = next((c for c in ast.children(node) if _at(c.span, offset)), None)
        if child is None:
            return None
        node = child
