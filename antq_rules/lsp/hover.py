"""Hover: what a name at the cursor is, in a few lines of Markdown."""

from __future__ import annotations

from .. import types as t
from ..source import Span
from ..syntax import ast
from .documents import Analysis, Symbols, shown_path
from .resolve import Target
from .texts import FUNCTION_SIGNATURES, function_doc, say

MAX_FIELDS = 40


def hover_text(
    analysis: Analysis, symbols: Symbols | None, target: Target, lang: str
) -> str | None:
    """The Markdown shown for a target, or None when there is nothing to say."""
    if target.kind == "function":
        return f"```antq\n{FUNCTION_SIGNATURES[target.name]}\n```\n{_function_line(target, lang)}"
    if target.kind == "builtin":
        if target.name == "it":
            return say("builtin-it", lang, type=target.type)
        return say("builtin-" + target.name, lang)
    if target.kind == "part":
        if target.owner == "date":
            return say("date-part", lang, name=target.name)
        return say("period-part", lang, name=target.name, type=target.type)
    if target.kind == "file":
        return say("file", lang, path=target.name)
    if symbols is None:
        return None
    explain = {
        "field": _field,
        "param": _param,
        "define": _define,
        "criterion": _criterion,
        "ruleset": _ruleset,
        "group": _group,
        "entity": _entity,
        "enum": _enum,
    }.get(target.kind)
    return None if explain is None else explain(analysis, symbols, target, lang)


def _function_line(target: Target, lang: str) -> str:
    return function_doc(target.name, lang).split(" — ", 1)[1]


def _where(analysis: Analysis, symbols: Symbols, span: Span | None, lang: str) -> str | None:
    """`declared in …` for a declaration in another file than the document."""
    if span is None:
        return None
    origin = symbols.origin_of(span.source)
    if origin is None or origin == analysis.origin:
        return None
    return say("declared-in", lang, path=shown_path(origin, analysis.base_dir))


def _code(text: str) -> str:
    return f"```antq\n{text}\n```"


def _quote(label: str | None) -> str:
    return f" “{label}”" if label else ""


def _join(*parts: str | None) -> str:
    return "\n\n".join(p for p in parts if p)


def _written(span: Span | None) -> str:
    return " ".join(span.text().split()) if span is not None else "…"


def _field(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    entity = symbols.entity(target.owner or "")
    found = entity.field(target.name) if entity is not None else None
    if entity is None or found is None:
        return None
    return _join(
        _code(f"{target.name}: {found.type}"),
        found.label,
        say("field-of", lang, entity=entity.name, label=_quote(entity.label)),
        _where(analysis, symbols, found.span, lang),
    )


def _param(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    decl = symbols.assembled.params.get(target.name)
    if decl is None:
        return None
    default = _written(decl.default.span)
    override = symbols.assembled.overrides.get(target.name)
    if override is not None:
        value = say("param-overridden", lang, value=_written(override.default.span), base=default)
    else:
        value = say("param-value", lang, value=default)
    type_ = symbols.types.get(target.name)
    kind = say("param", lang) + (f" · `{type_}`" if type_ not in (None, t.NOTHING) else "")
    return _join(
        _code(f"param {target.name} = {default}"),
        decl.label,
        value,
        kind,
        _where(analysis, symbols, decl.span, lang),
    )


def _define(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    decl = symbols.assembled.defines.get(target.name)
    if decl is None:
        return None
    text = _written(decl.expr.span)
    if len(text) > 600:
        text = text[:600] + "…"
    type_ = symbols.types.get(target.name)
    return _join(
        _code(f"define {target.name} = {text}"),
        say("type", lang, type=type_) if type_ not in (None, t.NOTHING) else None,
        _where(analysis, symbols, decl.span, lang),
    )


def _criterion(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    decl = symbols.assembled.criteria.get(target.name) or next(
        (  # (a criterion dropped by this document: the base's)
            item
            for file in symbols.files.values()
            for item in file.items
            if isinstance(item, ast.CriterionDecl) and item.id == target.name
        ),
        None,
    )
    if decl is None:
        return None
    title = decl.title_en if lang == "en" and decl.title_en else decl.title
    other = decl.title if title != decl.title else decl.title_en
    group = symbols.assembled.groups.get(decl.group) if decl.group else None
    group_title = ""
    if group is not None:
        shown = group.title_en if lang == "en" and group.title_en else group.title
        group_title = f"“{shown}”" if shown else ""
    return _join(
        f"**{say('criterion', lang)} {decl.id}** — {title}",
        f"_{other}_" if other else None,
        say("source", lang, source=decl.source) if decl.source else None,
        say("group", lang, name=decl.group, title=group_title) if decl.group else None,
        say("points", lang, points=decl.points) if decl.points is not None else None,
        _where(analysis, symbols, decl.span, lang),
    )


def _ruleset(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    used = symbols.assembled.rulesets.get(target.name)
    if used is not None:
        title = used.title_en if lang == "en" and used.title_en else used.title
        path = shown_path(used.path, analysis.base_dir) if used.path else None
        return _join(
            f"**{say('ruleset', lang)} {used.id}** — {title}",
            say("subject", lang, name=used.subject) if used.subject else None,
            say("file", lang, path=path) if path else None,
        )
    header = symbols.assembled.header
    if header is None or header.id != target.name:
        return None
    title = header.title_en if lang == "en" and header.title_en else header.title
    return _join(
        f"**{say('ruleset', lang)} {header.id}** — {title or ''}",
        say("subject", lang, name=header.subject) if header.subject else None,
    )


def _group(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    decl = symbols.assembled.groups.get(target.name)
    if decl is None:
        return None
    title = decl.title_en if lang == "en" and decl.title_en else decl.title
    return _join(f"**{target.name}** — {title or ''}", _where(analysis, symbols, decl.span, lang))


def _entity(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    entity = symbols.entity(target.name)
    if entity is None:
        return None
    lines = [f"entity {entity.name}{' ' + _quoted(entity.label) if entity.label else ''}"]
    for index, field in enumerate(entity.fields.values()):
        if index == MAX_FIELDS:
            lines.append("  …")
            break
        lines.append(f"  {field.name}: {field.type}")
    return _join(
        _code("\n".join(lines)),
        say("fields", lang, count=len(entity.fields)),
        _where(analysis, symbols, entity.span, lang),
    )


def _enum(analysis: Analysis, symbols: Symbols, target: Target, lang: str) -> str | None:
    schema = symbols.schema
    found = schema.enums.get(target.name) if schema is not None else None
    if found is None:
        return None
    labelled = ((v, found.label(v)) for v in found.values)
    values = ", ".join(_quoted(v) + ("" if lb is None else f" {_quoted(lb)}") for v, lb in labelled)
    decl_span = next((d.span for d, _ in symbols.assembled.entities if d.name == target.name), None)
    return _join(
        _code(f"enum {target.name} [{values}]"), _where(analysis, symbols, decl_span, lang)
    )


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
