"""Completion: what may be written at the cursor.

The context (a field after `.`, an enum value after `==`, a criterion in
`passes(`, a keyword at the start of a line, a name in an expression…) comes
from the text before the cursor (`context.py`); what is known — the schema,
parameters, definitions, criteria — from the last analysis of the document
that got that far.
"""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types as lsp

from .. import ir
from .. import types as t
from ..check import DATE_PARTS, PERIOD_PARTS, Scope
from ..library import rulesets_dir
from ..loader import SHIPPED_PREFIX
from .context import Context, context_at
from .documents import Analysis, Symbols
from .positions import TextMap
from .resolve import OUTCOME_NAMES, Resolver
from .texts import FUNCTION_SIGNATURES, say

CK = lsp.CompletionItemKind

TOP_KEYWORDS = (
    ("ruleset", 'ruleset ${1:id}\n  title "$2"\n  subject ${3:commune}\n'),
    ("use", 'use "$1"'),
    ("entity", 'entity ${1:name} "$2"\n  ${3:field}: ${4:bool}'),
    ("enum", "enum ${1:name} [$2]"),
    ("param", 'param ${1:name} = ${2:value} "$3"'),
    ("override param", "override param ${1:name} = ${2:value}"),
    ("define", "define ${1:name} = $0"),
    ("override define", "override define ${1:name} = $0"),
    ("group", 'group ${1:id} "$2"'),
    ("criterion", 'criterion ${1:id} "$2"\n  source "$3"\n  $0'),
    ("replace criterion", 'replace criterion ${1:id} "$2"\n  $0'),
    ("drop criterion", "drop criterion ${1:id}"),
    ("level", 'level "$1" when $0'),
    ("verdict", "verdict $0"),
)
CRITERION_OPTIONS = (
    ("title en", 'title en "$1"'),
    ("source", 'source "$1"'),
    ("points", "points ${1:1}"),
    ("mandatory", "mandatory"),
    ("provisional", "provisional"),
    ("applies when", "applies when $0"),
    ("item", 'item "$1" points ${2:1} when $0'),
    ("points … when", "points ${1:1} when $0"),
)
HEADER_OPTIONS = (
    ("title", 'title "$1"'),
    ("title en", 'title en "$1"'),
    ("version", 'version "$1"'),
    ("effective", "effective ${1:2024-01-01}"),
    ("basis", 'basis "$1"'),
    ("subject", "subject ${1:commune}"),
    ("period", 'period ${1:"16/11"} .. ${2:"15/11"}'),
    ("applies when", "applies when $0"),
)
OPERATORS = ("and", "or", "not", "in", "where", "true", "false")
FUNCTIONS = (*ir.AGGREGATES, "single", "passes", "applies")


class _Items:
    """Completion items that replace the same range of text."""

    def __init__(self, edit_range: lsp.Range, snippets: bool) -> None:
        self.range = edit_range
        self.snippets = snippets
        self.items: list[lsp.CompletionItem] = []
        self.seen: set[str] = set()

    def add(
        self,
        label: str,
        kind: lsp.CompletionItemKind,
        group: int,
        detail: str | None = None,
        doc: str | None = None,
        insert: str | None = None,
        snippet: str | None = None,
        edit_range: lsp.Range | None = None,
        sort: str | None = None,
    ) -> None:
        if label in self.seen:
            return
        self.seen.add(label)
        text, fmt = insert if insert is not None else label, None
        if snippet is not None and self.snippets:
            text, fmt = snippet, lsp.InsertTextFormat.Snippet
        self.items.append(
            lsp.CompletionItem(
                label=label,
                kind=kind,
                detail=detail,
                documentation=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=doc)
                if doc
                else None,
                text_edit=lsp.TextEdit(range=edit_range or self.range, new_text=text),
                insert_text_format=fmt,
                sort_text=sort or f"{group:02d}{label}",
                filter_text=label,
            )
        )


def complete(
    analysis: Analysis | None,
    symbols: Symbols | None,
    text: str,
    offset: int,
    text_map: TextMap,
    lang: str,
    snippets: bool = True,
) -> list[lsp.CompletionItem]:
    ctx = context_at(text, offset)
    items = _Items(text_map.range(ctx.start, ctx.end), snippets)
    if ctx.kind == "keyword":
        for label, snippet in TOP_KEYWORDS:
            detail = say("kw-" + label, lang)
            items.add(label, CK.Keyword, 0, detail, insert=label, snippet=snippet)
        return items.items
    if ctx.kind == "path":
        edit = text_map.range(ctx.start + 1, offset)
        _paths(items, analysis, edit, lang)
        return items.items
    if symbols is None:
        if ctx.kind in ("expression", "option"):
            _functions(items, lang)
        return items.items
    resolver = Resolver(symbols, _outcomes(ctx.declaration))
    scope = _scope(resolver, ctx)
    if ctx.kind == "option":
        options = {"criterion": CRITERION_OPTIONS, "ruleset": HEADER_OPTIONS}.get(ctx.declaration)
        for label, snippet in options or ():
            plain = label.split(" …")[0]  # (`points … when` without snippets: `points`)
            items.add(label, CK.Keyword, 0, say("kw-option", lang), insert=plain, snippet=snippet)
        if ctx.declaration in ("criterion", "define", "param", "level", "verdict"):
            _expression(items, resolver, scope, lang)
    elif ctx.kind == "member":
        base = resolver.path_type(ctx.path, scope)
        if base is not None:
            _members(items, resolver, base, lang)
    elif ctx.kind == "enum":
        compared = resolver.path_type(ctx.path, scope)
        if isinstance(compared, t.Enum):
            for index, value in enumerate(compared.values):
                quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
                # The value's label when it has one (`Tội phạm`), else its enum.
                detail = compared.label(value) or say("value-of", lang, type=compared)
                items.add(quoted, CK.EnumMember, 0, detail, insert=quoted, sort=f"{index:04d}")
        elif not ctx.partial.startswith('"'):
            _expression(items, resolver, scope, lang)
    elif ctx.kind == "reference":
        _references(items, symbols, ctx, lang)
    elif ctx.kind == "override":
        _overridable(items, symbols, ctx.what)
    elif ctx.kind == "subject":
        for name, entity in symbols.schema.entities.items() if symbols.schema else ():
            items.add(name, CK.Class, 0, entity.label)
    elif ctx.kind == "type":
        _types(items, symbols, lang)
    elif ctx.kind == "expression":
        _expression(items, resolver, scope, lang)
    return items.items


def _outcomes(declaration: str) -> dict[str, t.Type]:
    if declaration == "level":
        return dict(OUTCOME_NAMES)
    if declaration == "verdict":
        return {**OUTCOME_NAMES, "level": t.TEXT}
    return {}


def _scope(resolver: Resolver, ctx: Context) -> Scope:
    """The checker's scope at the cursor: the items of every open aggregate
    (and of every `where`) around it."""
    scope = resolver.root()
    for frame in ctx.frames:
        for path in ([frame.source] if frame.source else []) + frame.wheres:
            if path:
                listed = resolver.path_type(path, scope) or t.NOTHING
                scope = resolver.item_scope(scope, listed)
    return scope


def _field_doc(label: str | None, entity: str, entity_label: str | None, lang: str) -> str:
    owner = say("field-of", lang, entity=entity, label=f" “{entity_label}”" if entity_label else "")
    return f"{label}\n\n{owner}" if label else owner


def _members(items: _Items, resolver: Resolver, base: t.Type, lang: str) -> None:
    item_type = base.item if isinstance(base, t.List) else base
    if isinstance(item_type, t.Entity):
        entity = resolver.symbols.entity(item_type.name)
        for name, found in entity.fields.items() if entity is not None else ():
            doc = _field_doc(found.label, entity.name, entity.label, lang)
            items.add(name, CK.Field, 0, str(found.type), doc)
    elif base == t.DATE:
        for name in DATE_PARTS:
            items.add(name, CK.Property, 0, "int", say("date-part", lang, name=name))
    elif base == t.PERIOD:
        for name in PERIOD_PARTS:
            type_ = "int" if name == "year" else "date"
            items.add(name, CK.Property, 0, type_, say("period-part", lang, name=name, type=type_))


def _expression(items: _Items, resolver: Resolver, scope: Scope, lang: str) -> None:
    symbols = resolver.symbols
    # The items' fields, innermost first (they shadow), then the subject's.
    for level in range(scope.level, -1, -1):
        level_type = scope.levels[level]
        if isinstance(level_type, t.Entity):
            entity = symbols.entity(level_type.name)
            for name, found in entity.fields.items() if entity is not None else ():
                doc = _field_doc(found.label, entity.name, entity.label, lang)
                items.add(name, CK.Field, scope.level - level + 1, str(found.type), doc)
    if scope.level > 0:
        item = scope.levels[-1]
        group = 0 if not isinstance(item, t.Entity) else 9
        items.add("it", CK.Variable, group, str(item), say("builtin-it", lang, type=item))
    assembled = symbols.assembled
    for name, decl in assembled.params.items():
        value = " ".join(decl.default.span.text().split()) if decl.default.span else ""
        override = assembled.overrides.get(name)
        if override is not None and override.default.span is not None:
            value = " ".join(override.default.span.text().split())
        doc = "\n\n".join(p for p in (decl.label, say("param-value", lang, value=value)) if p)
        items.add(name, CK.Constant, 10, _type_text(symbols.types.get(name)), doc)
    for name, decl in assembled.defines.items():
        expr = " ".join(decl.expr.span.text().split()) if decl.expr.span else ""
        doc = f"```antq\ndefine {name} = {expr[:300]}\n```"
        items.add(name, CK.Variable, 10, _type_text(symbols.types.get(name)), doc)
    items.add("period", CK.Variable, 11, "period", say("builtin-period", lang))
    for name, type_ in resolver.extra.items():
        items.add(name, CK.Variable, 11, str(type_), say("builtin-" + name, lang))
    _functions(items, lang)
    for word in OPERATORS:
        items.add(word, CK.Keyword, 30, say("kw-operator", lang))


def _functions(items: _Items, lang: str) -> None:
    for name in FUNCTIONS:
        signature = FUNCTION_SIGNATURES[name]
        items.add(
            name,
            CK.Function,
            20,
            signature,
            say("fn-" + name, lang),
            insert=name,
            snippet=f"{name}($1)",
        )


def _type_text(type_: t.Type | None) -> str | None:
    return None if type_ is None or type_ == t.NOTHING else str(type_)


def _references(items: _Items, symbols: Symbols, ctx: Context, lang: str) -> None:
    """Inside `passes(…)`/`applies(…)`: criteria, and rulesets by id or alias."""
    assembled = symbols.assembled
    prefix = ctx.prefix
    if not prefix:
        for name, decl in assembled.criteria.items():
            items.add(name, CK.Reference, 0, say("criterion", lang), decl.title)
    for name, used in assembled.rulesets.items():
        if name.startswith(prefix):
            title = used.title_en if lang == "en" and used.title_en else used.title
            items.add(name[len(prefix) :], CK.Module, 1, say("ruleset", lang), title)


def _overridable(items: _Items, symbols: Symbols, what: str) -> None:
    assembled = symbols.assembled
    if what == "param":
        for name, decl in assembled.params.items():
            items.add(name, CK.Constant, 0, decl.label)
    elif what == "define":
        for name in assembled.defines:
            items.add(name, CK.Variable, 0)
    elif what == "criterion":
        for name, decl in assembled.criteria.items():
            items.add(name, CK.Reference, 0, decl.title)


def _types(items: _Items, symbols: Symbols, lang: str) -> None:
    for name in t.SCALARS:
        items.add(name, CK.TypeParameter, 0, say("scalar-type", lang))
    items.add("list", CK.TypeParameter, 1, "list[…]", snippet="list[$1]")
    items.add("enum", CK.TypeParameter, 1, "enum[…]", snippet='enum["$1"]')
    schema = symbols.schema
    if schema is None:
        return
    for name, entity in schema.entities.items():
        items.add(name, CK.Class, 2, entity.label)
    for name, enum in schema.enums.items():
        items.add(name, CK.Enum, 2, ", ".join(enum.values)[:80])


def _paths(items: _Items, analysis: Analysis | None, edit: lsp.Range, lang: str) -> None:
    """In `use "…"` and `extends "…"`: files near the document, and the library's."""
    if analysis is not None and analysis.origin != "<ruleset>":
        here = analysis.base_dir
        own = Path(analysis.origin)
        nearby = [*here.glob("*.antq"), *here.parent.glob("*/*.antq")]
        for path in sorted(set(nearby)):
            if path == own:
                continue
            try:
                shown = path.relative_to(here).as_posix()
            except ValueError:
                shown = "../" + path.relative_to(here.parent).as_posix()
            items.add(shown, CK.File, 0, edit_range=edit)
    library = rulesets_dir()
    for path in sorted(library.rglob("*.antq")):
        shown = SHIPPED_PREFIX + path.relative_to(library).as_posix()
        items.add(shown, CK.File, 1, say("shipped-file", lang), edit_range=edit)
