"""The formatter: ruleset and schema files in one canonical layout.

Formatting prints the AST back — two-space indentation, one option per line,
declarations in the order written (their order carries meaning: a criterion
belongs to the group above it), parentheses only where precedence needs them,
long tests broken before `and`/`or`. Parsing the output gives an equal AST
and formatting it again changes nothing (both are tested on every shipped
ruleset and on generated ones).

Comments are not in the AST; the parser records where they were, and the
formatter puts each back beside the element that starts on its line, or
before the next element when it stood on a line of its own.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

import attrs

from ..source import Span
from . import ast
from .parser import parse_ruleset

WIDTH = 100
INDENT = "  "

_PREC = {
    "where": 0,
    "or": 1,
    "and": 2,
    "not": 3,
    "==": 4,
    "!=": 4,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "in": 4,
    "not_in": 4,
    "..": 5,
    "??": 6,
    "+": 7,
    "-": 7,
    "*": 8,
    "/": 8,
    "neg": 9,
}
_POSTFIX = 10
_ATOM = 11

# Words that the lexer may read as keywords where a name could also stand;
# a name spelt like one is printed in parentheses, which the parser drops.
KEYWORDS = frozenset(
    {
        "ruleset",
        "extends",
        "title",
        "version",
        "effective",
        "basis",
        "subject",
        "period",
        "applies",
        "when",
        "use",
        "as",
        "param",
        "override",
        "define",
        "group",
        "criterion",
        "replace",
        "drop",
        "source",
        "points",
        "mandatory",
        "provisional",
        "item",
        "verdict",
        "level",
        "entity",
        "enum",
    }
)


# ------------------------------------------------------------ expressions


def _prec(node: ast.Expr) -> int:
    if isinstance(node, ast.Binary):
        return _PREC[node.op]
    if isinstance(node, ast.Unary):
        return _PREC["not" if node.op == "not" else "neg"]
    if isinstance(node, ast.Attribute):
        return _POSTFIX
    return _ATOM


def quote(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def decimal_text(value: Fraction | int) -> str:
    """An exact decimal numeral for a value that has one (every literal does)."""
    value = Fraction(value)
    with localcontext() as context:
        context.prec = 60
        text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _decimal_literal(value: Fraction | int) -> str:
    text = decimal_text(value)
    return text if "." in text else text + ".0"


def literal(node: ast.Literal) -> str:
    value = node.value
    if node.kind == "bool":
        return "true" if value else "false"
    if node.kind == "int":
        return str(value)
    if node.kind == "decimal":
        return _decimal_literal(value)
    if node.kind == "percent":
        return decimal_text(Fraction(value) * 100) + "%"
    if node.kind == "date":
        assert isinstance(value, datetime.date)
        return value.isoformat()
    return quote(str(value))


def expression(node: ast.Expr, guard: bool = False) -> str:
    """One line, minimal parentheses. `guard`: the expression starts a
    criterion's test, where a name spelt like a keyword needs parentheses."""
    if isinstance(node, ast.Literal):
        return literal(node)
    if isinstance(node, ast.Name):
        return f"({node.name})" if guard and node.name in KEYWORDS else node.name
    if isinstance(node, ast.ListLiteral):
        return "[" + ", ".join(expression(i) for i in node.items) + "]"
    if isinstance(node, ast.Attribute):
        return f"{_wrap(node.obj, _POSTFIX, guard)}.{node.name}"
    if isinstance(node, ast.Call):
        return f"{node.func}(" + ", ".join(expression(a) for a in node.args) + ")"
    if isinstance(node, ast.Unary):
        if node.op == "not":
            return "not " + _wrap(node.operand, _PREC["not"])
        return "-" + _wrap(node.operand, _PREC["neg"])
    assert isinstance(node, ast.Binary)
    left_min, right_min = _operand_mins(node.op)
    if node.op == "or":
        # `and` inside `or` gets parentheses it does not need: authors misread the mix.
        left_min = right_min = _PREC["and"] + 1
    op = "not in" if node.op == "not_in" else node.op
    return f"{_wrap(node.left, left_min, guard)} {op} {_wrap(node.right, right_min)}"


def _operand_mins(op: str) -> tuple[int, int]:
    """The least precedence each side may have without parentheses."""
    p = _PREC[op]
    if p in (4, 5):  # comparisons and `..` do not chain
        return p + 1, p + 1
    if op == "??":  # right-associative
        return p + 1, p
    return p, p + 1


def _wrap(node: ast.Expr, minimum: int, guard: bool = False) -> str:
    if _prec(node) < minimum:
        return f"({expression(node)})"
    return expression(node, guard)


_BREAKABLE = ("and", "or", "where")


def expression_lines(
    node: ast.Expr, indent: str, first: str = "", guard: bool = False, last: str = ""
) -> list[str]:
    """The expression after `first` (and before `last`), broken before its
    top-level `and`, `or` or `where` — and so on inwards — while a line would
    be too long. Continuation lines are indented two more spaces."""
    line = indent + first + expression(node, guard) + last
    if len(line) <= WIDTH or not (isinstance(node, ast.Binary) and node.op in _BREAKABLE):
        return [line]
    parts = []
    current = node
    while isinstance(current, ast.Binary) and current.op == node.op:
        parts.append(current.right)
        current = current.left
    parts.append(current)
    parts.reverse()
    left_min, right_min = _operand_mins(node.op)
    inner = indent + "  "
    lines: list[str] = []
    for index, part in enumerate(parts):
        closing = last if index == len(parts) - 1 else ""
        if index == 0:
            lines += _part_lines(part, left_min, indent, first, guard, closing, node.op)
        else:
            lines += _part_lines(part, right_min, inner, node.op + " ", False, closing, node.op)
    return lines


def _part_lines(
    part: ast.Expr, minimum: int, indent: str, first: str, guard: bool, last: str, outer: str
) -> list[str]:
    # `and` inside `or` gets parentheses it does not need: authors misread the mix.
    paren = _prec(part) < minimum or (
        outer == "or" and isinstance(part, ast.Binary) and part.op == "and"
    )
    if paren:
        return expression_lines(part, indent, first + "(", False, ")" + last)
    return expression_lines(part, indent, first, guard, last)


# ---------------------------------------------------------------- files


@attrs.define
class _Line:
    text: str
    anchor: int | None = None  # the source line of the element printed here


def _line_of(span: Span | None) -> int | None:
    return None if span is None else span.line


def enum_values(values: tuple[str, ...], labels: tuple[str | None, ...]) -> list[str]:
    """Each value quoted, with its label after it when it has one."""
    out = []
    for index, value in enumerate(values):
        label = labels[index] if index < len(labels) else None
        out.append(quote(value) + ("" if label is None else " " + quote(label)))
    return out


def _type(node: ast.TypeExpr) -> str:
    if isinstance(node, ast.EnumTypeExpr):
        return "enum[" + ", ".join(enum_values(node.values, node.labels)) + "]"
    if node.args:
        return f"{node.name}[" + ", ".join(_type(a) for a in node.args) + "]"
    return node.name


def _number(value: Any) -> str:
    return str(value) if isinstance(value, int) else _decimal_literal(value)


def _spans(pairs: tuple[tuple[str, Span], ...], key: str) -> list[Span]:
    return [span for name, span in pairs if name == key]


def _header(h: ast.RulesetHeader) -> list[_Line]:
    head = f"ruleset {h.id}"
    if h.extends is not None:
        head += f" extends {quote(h.extends)}"
    lines = [_Line(head, _line_of(h.span))]
    spans = h.option_spans

    def option(key: str, text: str, index: int = 0) -> None:
        found = _spans(spans, key)
        lines.append(_Line(INDENT + text, _line_of(found[index]) if index < len(found) else None))

    if h.title is not None:
        option("title", f"title {quote(h.title)}")
    if h.title_en is not None:
        option("title_en", f"title en {quote(h.title_en)}")
    if h.version is not None:
        option("version", f"version {quote(h.version)}")
    if h.effective is not None:
        option("effective", f"effective {h.effective.isoformat()}")
    for index, basis in enumerate(h.basis):
        option("basis", f"basis {quote(basis)}", index)
    if h.subject is not None:
        option("subject", f"subject {h.subject}")
    if h.period is not None:
        p = h.period
        if p.annual:
            (sd, sm), (ed, em) = p.start, p.end
            text = f'period "{sd:02d}/{sm:02d}" .. "{ed:02d}/{em:02d}"'
        else:
            text = f"period {p.start.isoformat()} .. {p.end.isoformat()}"
        option("period", text)
    if h.applies is not None:
        found = _spans(spans, "applies")
        for i, text in enumerate(expression_lines(h.applies, INDENT, "applies when ")):
            lines.append(_Line(text, _line_of(found[0]) if found and i == 0 else None))
    return lines


def _entity(e: ast.EntityDecl) -> list[_Line]:
    head = f"entity {e.name}" + (f" {quote(e.label)}" if e.label is not None else "")
    lines = [_Line(head, _line_of(e.span))]
    for f in e.fields:
        label = f" {quote(f.label)}" if f.label is not None else ""
        text = f"{INDENT}{f.name}: {_type(f.type)}{label}"
        lines.append(_Line(text, _line_of(f.span)))
    return lines


def _enum(e: ast.EnumDecl, comment_lines: set[int]) -> list[_Line]:
    head = f"enum {e.name}" + (f" {quote(e.label)}" if e.label is not None else "")
    quoted = enum_values(e.values, e.labels)
    one_line = f"{head} [" + ", ".join(quoted) + "]"
    value_lines = [_line_of(s) for s in e.value_spans]
    # (a comment on the head's line stays there, however the values are laid out)
    head_line = _line_of(e.span)
    commented = any(
        line in comment_lines for line in value_lines if line is not None and line != head_line
    )
    if len(one_line) <= WIDTH and not commented:
        return [_Line(one_line, head_line)]
    lines = [_Line(head + " [", head_line)]
    if commented or e.labels:
        # One value a line, so that each keeps its comment (or its label reads clearly).
        for index, value in enumerate(quoted):
            anchor = value_lines[index] if index < len(value_lines) else None
            comma = "," if index < len(quoted) - 1 else ""
            lines.append(_Line(f"{INDENT}{value}{comma}", anchor))
    else:
        current = INDENT
        for index, value in enumerate(quoted):
            piece = value + ("," if index < len(quoted) - 1 else "")
            if current.strip() and len(current) + 1 + len(piece) > WIDTH:
                lines.append(_Line(current.rstrip()))
                current = INDENT
            current += ("" if not current.strip() else " ") + piece
        lines.append(_Line(current.rstrip()))
    lines.append(_Line("]"))
    return lines


def _criterion(c: ast.CriterionDecl) -> list[_Line]:
    head = ("replace " if c.replace else "") + f"criterion {c.id} {quote(c.title)}"
    lines = [_Line(head, _line_of(c.span))]
    spans = c.option_spans

    def anchor(key: str) -> int | None:
        found = _spans(spans, key)
        return _line_of(found[0]) if found else None

    if c.title_en is not None:
        lines.append(_Line(f"{INDENT}title en {quote(c.title_en)}", anchor("title_en")))
    if c.source is not None:
        lines.append(_Line(f"{INDENT}source {quote(c.source)}", anchor("source")))
    if c.provisional:
        lines.append(_Line(f"{INDENT}provisional", anchor("provisional")))
    if c.points is not None:
        lines.append(_Line(f"{INDENT}points {_number(c.points)}", anchor("points")))
    if c.mandatory:
        lines.append(_Line(f"{INDENT}mandatory", anchor("mandatory")))
    if c.test is not None:
        for i, text in enumerate(expression_lines(c.test, INDENT, guard=True)):
            lines.append(_Line(text, anchor("test") if i == 0 else None))
    if c.applies is not None:
        for i, text in enumerate(expression_lines(c.applies, INDENT, "applies when ")):
            lines.append(_Line(text, anchor("applies") if i == 0 else None))
    for item in c.items:
        first = f"item {quote(item.title)} points {_number(item.points)} when "
        for i, text in enumerate(expression_lines(item.condition, INDENT, first)):
            lines.append(_Line(text, _line_of(item.span) if i == 0 else None))
    for tier in c.tiers:
        first = f"points {_number(tier.points)} when "
        for i, text in enumerate(expression_lines(tier.condition, INDENT, first)):
            lines.append(_Line(text, _line_of(tier.span) if i == 0 else None))
    return lines


def _item(item: Any, comment_lines: set[int]) -> list[_Line]:
    if isinstance(item, ast.RulesetHeader):
        return _header(item)
    if isinstance(item, ast.EntityDecl):
        return _entity(item)
    if isinstance(item, ast.EnumDecl):
        return _enum(item, comment_lines)
    if isinstance(item, ast.CriterionDecl):
        return _criterion(item)
    anchor = _line_of(item.span)
    if isinstance(item, ast.UseDecl):
        text = f"use {quote(item.path)}" + (f" as {item.alias}" if item.alias else "")
        return [_Line(text, anchor)]
    if isinstance(item, ast.ParamDecl):
        first = ("override " if item.override else "") + f"param {item.name} = "
        lines = [_Line(t) for t in expression_lines(item.default, "", first)]
        if item.label is not None:
            lines[-1].text += f" {quote(item.label)}"
        lines[0].anchor = anchor
        return lines
    if isinstance(item, ast.DefineDecl):
        first = ("override " if item.override else "") + f"define {item.name} = "
        lines = [_Line(t) for t in expression_lines(item.expr, "", first)]
        lines[0].anchor = anchor
        return lines
    if isinstance(item, ast.GroupDecl):
        text = f"group {item.name}"
        if item.title is not None:
            text += f" {quote(item.title)}"
            if item.title_en is not None:
                text += f" title en {quote(item.title_en)}"
        return [_Line(text, anchor)]
    if isinstance(item, ast.DropDecl):
        return [_Line(f"drop criterion {item.id}", anchor)]
    if isinstance(item, ast.VerdictDecl):
        lines = [_Line(t) for t in expression_lines(item.expr, "", "verdict ")]
        lines[0].anchor = anchor
        return lines
    if isinstance(item, ast.LevelDecl):
        if item.condition is None:
            return [_Line(f"level {quote(item.name)}", anchor)]
        lines = [
            _Line(t)
            for t in expression_lines(item.condition, "", f"level {quote(item.name)} when ")
        ]
        lines[0].anchor = anchor
        return lines
    raise AssertionError(f"cannot format {type(item).__name__}")


def format_ruleset(text: str, name: str = "<ruleset>") -> str:
    """A ruleset or schema file in canonical layout, comments kept."""
    tree = parse_ruleset(text, name)
    source_lines = tree.span.source.text.splitlines() if tree.span else text.splitlines()
    comments = []
    for span in tree.comments:
        line = span.line
        before = source_lines[line - 1][: span.column - 1] if line - 1 < len(source_lines) else ""
        comments.append((line, span.text().rstrip(), bool(before.strip())))
    comment_lines = {line for line, _, trailing in comments if trailing}

    def blank_after(line: int) -> bool:
        return line < len(source_lines) and not source_lines[line].strip()

    blocks: list[list[_Line]] = []
    kinds: list[type] = []
    for item in tree.items:
        blocks.append(_item(item, comment_lines))
        kinds.append(type(item))

    # Trailing comments go on the printed line of the element that starts on
    # their line; the rest stand on their own before the next element.
    anchored: dict[int, _Line] = {}
    for block in blocks:
        for line in block:
            if line.anchor is not None and line.anchor not in anchored:
                anchored[line.anchor] = line
    standalone: list[tuple[int, str]] = []
    for line, text_, trailing in comments:
        target = anchored.get(line) if trailing else None
        if target is not None:
            target.text += "  " + text_
        else:
            standalone.append((line, text_))

    out: list[str] = []
    pending = sorted(standalone)
    for index, block in enumerate(blocks):
        one_liners = len(block) == 1 and index > 0 and len(blocks[index - 1]) == 1
        if index > 0 and not (one_liners and kinds[index] is kinds[index - 1]):
            out.append("")
        for line in block:
            while pending and line.anchor is not None and pending[0][0] <= line.anchor:
                indent = line.text[: len(line.text) - len(line.text.lstrip())]
                comment_line, comment = pending.pop(0)
                out.append(indent + comment)
                if blank_after(comment_line):
                    out.append("")  # a comment block set apart stays apart
            out.append(line.text)
    if pending:
        if out:
            out.append("")
        out.extend(text_ for _, text_ in pending)
    while "" in out[:1]:
        out.pop(0)
    return "\n".join(out).rstrip() + "\n" if out else ""
