"""Document symbols: the outline of a file, hierarchical — the header, groups
with their criteria, criteria outside groups, parameters, definitions,
entities with their fields, enums with their values, levels and the verdict.

A declaration's range runs from the start of its keyword's line to the end
of its last line before the next declaration (comments and blank lines
above the next one belong to that one).
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types as lsp

from ..syntax import ast
from .positions import TextMap

K = lsp.SymbolKind


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _end(text: str, start: int, limit: int) -> int:
    """The end of a declaration's own text: trailing blank and comment lines dropped."""
    lines = text[start:limit].split("\n")
    while len(lines) > 1 and (not lines[-1].strip() or lines[-1].startswith("#")):
        lines.pop()
    return start + len("\n".join(lines).rstrip())


def _short(text: str, width: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class _Outline:
    def __init__(self, text: str, text_map: TextMap) -> None:
        self.text = text
        self.map = text_map

    def symbol(
        self,
        name: str,
        kind: lsp.SymbolKind,
        extent: tuple[int, int],
        selection: Any,
        detail: str | None = None,
        children: list[lsp.DocumentSymbol] | None = None,
    ) -> lsp.DocumentSymbol:
        start, end = extent
        select = (selection.start, selection.end) if selection is not None else (start, start)
        start, end = min(start, select[0]), max(end, select[1])
        return lsp.DocumentSymbol(
            name=name or "?",
            kind=kind,
            range=self.map.range(start, end),
            selection_range=self.map.range(*select),
            detail=detail,
            children=children or None,
        )

    def item(self, item: Any, extent: tuple[int, int]) -> lsp.DocumentSymbol | None:
        if isinstance(item, ast.RulesetHeader):
            return self.symbol(item.id, K.Module, extent, item.span, item.title)
        if isinstance(item, ast.CriterionDecl):
            return self.symbol(item.id, K.Function, extent, item.span, item.title)
        if isinstance(item, ast.ParamDecl):
            default = item.default.span.text() if item.default.span else None
            return self.symbol(
                item.name, K.Constant, extent, item.span, default and _short(default)
            )
        if isinstance(item, ast.DefineDecl):
            expr = item.expr.span.text() if item.expr.span else None
            return self.symbol(item.name, K.Variable, extent, item.span, expr and _short(expr))
        if isinstance(item, ast.GroupDecl):
            return self.symbol(item.name, K.Namespace, extent, item.span, item.title)
        if isinstance(item, ast.EntityDecl):
            fields = [
                self.symbol(
                    f.name,
                    K.Field,
                    (_line_start(self.text, f.span.start), self._line_end(f.span.end)),
                    f.span,
                    _type_text(f.type) + (f" “{f.label}”" if f.label else ""),
                )
                for f in item.fields
                if f.span is not None
            ]
            return self.symbol(item.name, K.Class, extent, item.span, item.label, fields)
        if isinstance(item, ast.EnumDecl):
            values = [
                self.symbol(value, K.EnumMember, (span.start, span.end), span)
                for value, span in zip(item.values, item.value_spans, strict=False)
            ]
            return self.symbol(item.name, K.Enum, extent, item.span, item.label, values)
        if isinstance(item, ast.LevelDecl):
            return self.symbol(item.name, K.Key, extent, item.span, "level")
        if isinstance(item, ast.VerdictDecl):
            return self.symbol("verdict", K.Operator, extent, None)
        return None

    def _line_end(self, offset: int) -> int:
        end = self.text.find("\n", offset)
        return len(self.text) if end < 0 else end


def _type_text(node: ast.TypeExpr) -> str:
    if isinstance(node, ast.EnumTypeExpr):
        return "enum[" + ", ".join(f'"{v}"' for v in node.values) + "]"
    if node.args:
        return f"{node.name}[{', '.join(_type_text(a) for a in node.args)}]"
    return node.name


def outline(file: ast.RulesetFile, text: str, text_map: TextMap) -> list[lsp.DocumentSymbol]:
    out = _Outline(text, text_map)
    items = sorted((i for i in file.items if i.span is not None), key=lambda i: i.span.start)
    starts = [_line_start(text, i.span.start) for i in items]
    top: list[lsp.DocumentSymbol] = []
    group: lsp.DocumentSymbol | None = None
    group_start = 0
    for index, item in enumerate(items):
        limit = starts[index + 1] if index + 1 < len(items) else len(text)
        extent = (starts[index], _end(text, starts[index], limit))
        symbol = out.item(item, extent)
        if symbol is None:
            continue
        if isinstance(item, ast.GroupDecl):
            group, group_start = symbol, extent[0]
            top.append(group)
        elif isinstance(item, ast.CriterionDecl) and group is not None and item.group == group.name:
            group.children = [*(group.children or []), symbol]
            group.range = text_map.range(group_start, extent[1])
        else:
            top.append(symbol)
    return top
