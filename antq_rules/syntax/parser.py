"""Text to AST with Lark (LALR, contextual lexer).

The transformer runs inside the LALR parser as each rule is reduced, so
building the AST needs no recursion and a hostile, deeply nested input cannot
exhaust Python's stack here; the depth limit is then checked without
recursion before any later stage walks the tree. Lark's own exceptions never
leave this module: they become `ParseError`s with a position, a caret and
words a rule author understands.
"""

from __future__ import annotations

import datetime
import re
import threading
from collections.abc import Callable, Iterable
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import attrs
import lark
from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from ..errors import Diagnostic, ParseError
from ..messages import OneOf
from ..source import Source, Span, normalize_text
from . import ast

MAX_DEPTH = 100
MAX_TEXT = 250_000  # (no real ruleset comes near; Lark parses ~150 KB a second)

GRAMMAR_FILE = "antq.lark"


def grammar_text() -> str:
    """The grammar, from inside the installed package or from the source tree."""
    try:
        packaged = resources.files("antq_rules").joinpath("grammar").joinpath(GRAMMAR_FILE)
        if packaged.is_file():
            return packaged.read_text(encoding="utf-8")
    except (OSError, ModuleNotFoundError, TypeError):
        pass
    here = Path(__file__).resolve().parent.parent.parent / "grammar" / GRAMMAR_FILE
    return here.read_text(encoding="utf-8")


# The Source being parsed, for the spans the transformer builds. One parser
# serves the whole process; the source travels beside it, per thread.
_current = threading.local()


def _source() -> Source:
    return _current.source


def _remember_comment(token: Token) -> Token:
    """Comments are not in the tree; the formatter puts them back by position."""
    found = getattr(_current, "comments", None)
    if found is not None:
        found.append(Span(_current.source, token.start_pos, token.end_pos))
    return token


def _span_of(item: Any) -> Span | None:
    if isinstance(item, Token):
        return Span(_source(), item.start_pos, item.end_pos)
    return getattr(item, "span", None)


def _cover(items: Iterable[Any]) -> Span | None:
    spans = [s for s in (_span_of(i) for i in items) if s is not None]
    if not spans:
        return None
    return Span(spans[0].source, min(s.start for s in spans), max(s.end for s in spans))


def _nodes(children: list[Any]) -> list[Any]:
    return [c for c in children if not isinstance(c, Token)]


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def _unquote(token: Token) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u" and len(body) >= i + 6:
            try:
                out.append(chr(int(body[i + 2 : i + 6], 16)))
            except ValueError:
                _fail_at(token, "bad-escape", text=body[i : i + 6])
            i += 6
        else:
            _fail_at(token, "bad-escape", text=body[i : i + 2])
    return normalize_text("".join(out))


def _fail_at(item: Any, code: str, **params: object) -> None:
    raise ParseError(Diagnostic(code, params, _span_of(item)))


def _binary(op: str) -> Callable[[Any, list[Any]], ast.Binary]:
    def build(self: Any, children: list[Any]) -> ast.Binary:
        left, right = _nodes(children)
        op_tokens = [c for c in children if isinstance(c, Token)]
        op_span = _span_of(op_tokens[0]) if op_tokens else None
        return ast.Binary(op, left, right, span=_cover(children), op_span=op_span)

    return build


class _ToAst(lark.Transformer):
    """Callbacks named after the grammar's rules and aliases."""

    # ---- expressions
    where = _binary("where")
    or_ = _binary("or")
    and_ = _binary("and")
    in_ = _binary("in")
    not_in = _binary("not_in")
    range = _binary("..")
    fallback = _binary("??")
    add = _binary("+")
    sub = _binary("-")
    mul = _binary("*")
    div = _binary("/")

    _COMPARE: ClassVar[dict[str, str]] = {"≥": ">=", "≤": "<=", "≠": "!="}

    def compare(self, children: list[Any]) -> ast.Binary:
        left, op, right = children
        text = self._COMPARE.get(str(op), str(op))
        return ast.Binary(text, left, right, span=_cover(children), op_span=_span_of(op))

    def not_(self, children: list[Any]) -> ast.Unary:
        return ast.Unary("not", _nodes(children)[0], span=_cover(children))

    def neg(self, children: list[Any]) -> ast.Unary:
        return ast.Unary("neg", _nodes(children)[0], span=_cover(children))

    def attr(self, children: list[Any]) -> ast.Attribute:
        obj, name = children
        return ast.Attribute(obj, str(name), span=_cover(children), name_span=_span_of(name))

    def name(self, children: list[Any]) -> ast.Name:
        (token,) = children
        return ast.Name(str(token), span=_span_of(token))

    def call(self, children: list[Any]) -> ast.Call:
        name = children[0]
        args = next((c for c in children[1:] if isinstance(c, tuple)), ())
        return ast.Call(str(name), args, span=_cover(children), name_span=_span_of(name))

    def call_args(self, children: list[Any]) -> tuple[Any, ...]:
        return tuple(children)

    def paren(self, children: list[Any]) -> Any:
        inner = _nodes(children)[0]
        # The parentheses belong to the span (a caret under `(a + b)` reads
        # better) but not to the tree: the formatter re-derives them.
        import attrs

        return attrs.evolve(inner, span=_cover(children))

    def list(self, children: list[Any]) -> ast.ListLiteral:
        return ast.ListLiteral(tuple(_nodes(children)), span=_cover(children))

    def int_(self, children: list[Any]) -> ast.Literal:
        (token,) = children
        return ast.Literal(_number(token), "int", span=_span_of(token))

    def decimal(self, children: list[Any]) -> ast.Literal:
        (token,) = children
        return ast.Literal(_number(token), "decimal", span=_span_of(token))

    def percent(self, children: list[Any]) -> ast.Literal:
        number, _sign = children
        return ast.Literal(Fraction(_number(number)) / 100, "percent", span=_cover(children))

    def string(self, children: list[Any]) -> ast.Literal:
        (token,) = children
        return ast.Literal(_unquote(token), "text", span=_span_of(token))

    def date(self, children: list[Any]) -> ast.Literal:
        (token,) = children
        try:
            value = datetime.date.fromisoformat(str(token))
        except ValueError:
            _fail_at(token, "bad-date", text=str(token))
        return ast.Literal(value, "date", span=_span_of(token))

    def true_(self, children: list[Any]) -> ast.Literal:
        return ast.Literal(True, "bool", span=_span_of(children[0]))

    def false_(self, children: list[Any]) -> ast.Literal:
        return ast.Literal(False, "bool", span=_span_of(children[0]))

    # ---- types and schemas
    def named_type(self, children: list[Any]) -> ast.TypeName:
        (token,) = children
        return ast.TypeName(str(token), span=_span_of(token))

    def generic_type(self, children: list[Any]) -> ast.TypeName:
        name, inner = _split_generic(children)
        return ast.TypeName(str(name), (inner,), span=_cover(children))

    def enum_type(self, children: list[Any]) -> ast.EnumTypeExpr:
        values = next(c for c in children if isinstance(c, _Strings))
        return ast.EnumTypeExpr(values.values, values.labels, span=_cover(children))

    def enum_value(self, children: list[Any]) -> tuple[Token, Token | None]:
        return children[0], children[1] if len(children) > 1 else None

    def enum_values(self, children: list[Any]) -> _Strings:
        tokens = [c for c in children if isinstance(c, tuple)]
        labels = tuple(None if label is None else _unquote(label) for _, label in tokens)
        strings = _Strings(
            tuple(_unquote(value) for value, _ in tokens),
            _cover([t for pair in tokens for t in pair if t is not None]),
            # No label at all is the empty tuple: one form for one meaning.
            labels if any(label is not None for label in labels) else (),
        )
        strings.spans = tuple(_span_of(value) for value, _ in tokens)
        return strings

    def label(self, children: list[Any]) -> _Label:
        (token,) = children
        return _Label(_unquote(token))

    def field_decl(self, children: list[Any]) -> ast.FieldDecl:
        name = children[0]
        type_ = children[1]
        label = children[2].text if len(children) > 2 else None
        return ast.FieldDecl(str(name), type_, label, span=_span_of(name))

    def entity_decl(self, children: list[Any]) -> ast.EntityDecl:
        _kw, name, *rest = children
        label = None
        if rest and isinstance(rest[0], _Label):
            label = rest.pop(0).text
        return ast.EntityDecl(str(name), label, tuple(rest), span=_span_of(name))

    def enum_decl(self, children: list[Any]) -> ast.EnumDecl:
        _kw, name, *rest = children
        label = next((c.text for c in rest if isinstance(c, _Label)), None)
        values = next(c for c in rest if isinstance(c, _Strings))
        return ast.EnumDecl(
            str(name),
            label,
            values.values,
            values.labels,
            span=_span_of(name),
            value_spans=values.spans,
        )

    # ---- rulesets
    def dotted_name(self, children: list[Any]) -> _Opt:
        return _Opt("name", ".".join(str(c) for c in children), _cover(children))

    def number(self, children: list[Any]) -> _Opt:
        (token,) = children
        return _Opt("number", _number(token), _span_of(token))

    def h_title(self, children: list[Any]) -> _Opt:
        return _title(children)

    def c_title(self, children: list[Any]) -> _Opt:
        return _title(children)

    def h_version(self, children: list[Any]) -> _Opt:
        return _Opt("version", _unquote(children[1]), _cover(children))

    def h_effective(self, children: list[Any]) -> _Opt:
        return _Opt("effective", _date_of(children[1]), _cover(children))

    def h_basis(self, children: list[Any]) -> _Opt:
        return _Opt("basis", _unquote(children[1]), _cover(children))

    def h_subject(self, children: list[Any]) -> _Opt:
        return _Opt("subject", str(children[1]), _span_of(children[1]))

    def h_period_fixed(self, children: list[Any]) -> _Opt:
        _kw, start, _dots, end = children
        spec = ast.PeriodSpec(_date_of(start), _date_of(end), span=_cover(children))
        return _Opt("period", spec, spec.span)

    def h_period_annual(self, children: list[Any]) -> _Opt:
        _kw, start, _dots, end = children
        spec = ast.PeriodSpec(_day_month(start), _day_month(end), span=_cover(children))
        return _Opt("period", spec, spec.span)

    def h_applies(self, children: list[Any]) -> _Opt:
        return _Opt("applies", children[-1], _cover(children))

    def c_applies(self, children: list[Any]) -> _Opt:
        return _Opt("applies", children[-1], _cover(children))

    def c_source(self, children: list[Any]) -> _Opt:
        return _Opt("source", _unquote(children[1]), _cover(children))

    def c_points(self, children: list[Any]) -> _Opt:
        return _Opt("points", children[1].value, _cover(children))

    def c_mandatory(self, children: list[Any]) -> _Opt:
        return _Opt("mandatory", True, _cover(children))

    def c_provisional(self, children: list[Any]) -> _Opt:
        return _Opt("provisional", True, _cover(children))

    def c_item(self, children: list[Any]) -> _Opt:
        _kw, title, _points, number, _when, condition = children
        item = ast.ScoreItemDecl(_unquote(title), number.value, condition, span=_cover(children))
        return _Opt("item", item, item.span)

    def c_tier(self, children: list[Any]) -> _Opt:
        _points, number, _when, condition = children
        tier = ast.TierDecl(number.value, condition, span=_cover(children))
        return _Opt("tier", tier, tier.span)

    def ruleset_header(self, children: list[Any]) -> ast.RulesetHeader:
        name = children[1]
        rest = children[2:]
        fields: dict[str, Any] = {"basis": ()}
        extends_span = None
        if rest and isinstance(rest[0], Token) and rest[0].type == "EXTENDS":
            fields["extends"] = _unquote(rest[1])
            extends_span = _span_of(rest[1])
            rest = rest[2:]
        subject_span = None
        option_spans = []
        for opt in rest:
            key = opt.kind
            option_spans.append((key, opt.span))
            if key == "basis":
                fields["basis"] = (*fields["basis"], opt.value)
                continue
            if key == "title":
                lang, text = opt.value
                key = "title_en" if lang == "en" else "title"
                opt = _Opt(key, text, opt.span)
            if key == "subject":
                subject_span = opt.span
            if key in fields:
                _fail_at(opt, "duplicate-option", name=key.replace("_en", " en"))
            fields[key] = opt.value
        return ast.RulesetHeader(
            name.value,
            **fields,
            span=name.span,
            extends_span=extends_span,
            subject_span=subject_span,
            option_spans=tuple(option_spans),
        )

    def use_decl(self, children: list[Any]) -> ast.UseDecl:
        alias = str(children[3]) if len(children) > 2 else None
        return ast.UseDecl(_unquote(children[1]), alias, span=_span_of(children[1]))

    def param_decl(self, children: list[Any]) -> ast.ParamDecl:
        override = str(children[0]) == "override"
        rest = children[1:] if override else children
        _kw, name, _eq, default, *label = rest
        text = label[0].text if label else None
        return ast.ParamDecl(str(name), default, text, override, span=_span_of(name))

    def define_decl(self, children: list[Any]) -> ast.DefineDecl:
        override = str(children[0]) == "override"
        rest = children[1:] if override else children
        _kw, name, _eq, expr = rest
        return ast.DefineDecl(str(name), expr, override, span=_span_of(name))

    def group_decl(self, children: list[Any]) -> ast.GroupDecl:
        name = children[1]
        title = _unquote(children[2]) if len(children) > 2 else None
        title_en = None
        if len(children) > 3:
            lang, title_en = _title(children[3:]).value
            if lang != "en":
                title, title_en = title_en, None
        return ast.GroupDecl(str(name), title, title_en, span=_span_of(name))

    def criterion_decl(self, children: list[Any]) -> ast.CriterionDecl:
        replace = str(children[0]) == "replace"
        rest = children[1:] if replace else children
        _kw, name, title, *body = rest
        fields: dict[str, Any] = {}
        items: list[ast.ScoreItemDecl] = []
        tiers: list[ast.TierDecl] = []
        option_spans: list[tuple[str, Any]] = []
        for part in body:
            if not isinstance(part, _Opt):
                fields["test"] = part
                option_spans.append(("test", part.span))
                continue
            key, value = part.kind, part.value
            if key not in ("item", "tier"):
                option_spans.append((key if key != "title" else "title_" + value[0], part.span))
            if key == "item":
                items.append(value)
                continue
            if key == "tier":
                tiers.append(value)
                continue
            if key == "title":
                lang, text = value
                key, value = ("title_en" if lang == "en" else "title_vi"), text
            if key in fields:
                _fail_at(part, "duplicate-option", name=key)
            fields[key] = value
        title_text = fields.pop("title_vi", None) or _unquote(title)
        return ast.CriterionDecl(
            str(name),
            title_text,
            items=tuple(items),
            tiers=tuple(tiers),
            replace=replace,
            span=_span_of(name),
            option_spans=tuple(option_spans),
            **fields,
        )

    def drop_decl(self, children: list[Any]) -> ast.DropDecl:
        return ast.DropDecl(str(children[2]), span=_span_of(children[2]))

    def verdict_decl(self, children: list[Any]) -> ast.VerdictDecl:
        return ast.VerdictDecl(children[1], span=_cover(children))

    def level_decl(self, children: list[Any]) -> ast.LevelDecl:
        condition = children[3] if len(children) > 3 else None
        return ast.LevelDecl(_unquote(children[1]), condition, span=_span_of(children[1]))

    def start_ruleset(self, children: list[Any]) -> ast.RulesetFile:
        # Criteria belong to the group declared last before them.
        items: list[Any] = []
        group = None
        for item in children:
            if isinstance(item, ast.GroupDecl):
                group = item.name
            elif isinstance(item, ast.CriterionDecl) and group is not None:
                import attrs

                item = attrs.evolve(item, group=group)
            items.append(item)
        return ast.RulesetFile(tuple(items), span=_cover(children))

    # ---- start symbols
    def start_expression(self, children: list[Any]) -> Any:
        return children[0]

    def start_schema(self, children: list[Any]) -> ast.SchemaDecl:
        return ast.SchemaDecl(tuple(children), span=_cover(children))

    def start_type(self, children: list[Any]) -> Any:
        return children[0]


class _Opt:
    """A tagged option of a header or criterion, before it is placed."""

    __slots__ = ("kind", "span", "value")

    def __init__(self, kind: str, value: Any, span: Span | None) -> None:
        self.kind = kind
        self.value = value
        self.span = span


def _title(children: list[Any]) -> _Opt:
    """`title "…"` or `title en "…"`: value (language, text)."""
    if len(children) == 3:
        lang = str(children[1])
        if lang not in ("en", "vi"):
            _fail_at(children[1], "unknown-language", name=lang)
    else:
        lang = "vi"
    return _Opt("title", (lang, _unquote(children[-1])), _cover(children))


def _date_of(token: Token) -> datetime.date:
    try:
        return datetime.date.fromisoformat(str(token))
    except ValueError:
        _fail_at(token, "bad-date", text=str(token))
        raise  # unreachable: _fail_at raises


def _day_month(token: Token) -> tuple[int, int]:
    text = _unquote(token)
    try:
        day, month = (int(part) for part in text.split("/"))
        datetime.date(2000, month, day)  # a leap year: 29/02 is allowed
    except ValueError:
        _fail_at(token, "bad-day-month", text=text)
        raise
    return day, month


class _Strings:
    """An enum's values, their labels (empty when none has one) and spans."""

    __slots__ = ("labels", "span", "spans", "values")

    def __init__(
        self, values: tuple[str, ...], span: Span | None, labels: tuple[str | None, ...] = ()
    ) -> None:
        self.values = values
        self.labels = labels
        self.span = span
        self.spans: tuple[Any, ...] = ()


class _Label:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


def _split_generic(children: list[Any]) -> tuple[Token, Any]:
    name = children[0]
    inner = next(c for c in children[1:] if not isinstance(c, Token))
    return name, inner


START_SYMBOLS = ("start_expression", "start_schema", "start_type", "start_ruleset")


def cache_file() -> str | bool:
    """Where Lark keeps the analysed grammar between processes (a third of the
    start-up), or False for no cache.

    Lark's own default is a predictable name in the shared temporary folder,
    which it unpickles: another local user could plant a file there. Ours
    lives in the user's cache folder (`$XDG_CACHE_HOME/antq_rules`), or a
    private folder in the temporary one, and is used only when this user owns
    it and no one else may write to it. It is written whatever Python's own
    bytecode settings are, so a read-only install still starts fast."""
    import hashlib
    import os
    import stat
    import sys
    import tempfile

    key = hashlib.sha256(
        (grammar_text() + lark.__version__ + sys.version).encode("utf-8")
    ).hexdigest()[:24]
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    uid = os.getuid() if hasattr(os, "getuid") else None
    for folder in (
        os.path.join(home, "antq_rules"),
        os.path.join(tempfile.gettempdir(), f"antq_rules-{uid if uid is not None else 'user'}"),
    ):
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
            status = os.stat(folder)
            if uid is not None and (status.st_uid != uid or status.st_mode & 0o022):
                continue  # not ours alone: never load a pickle from it
            path = os.path.join(folder, f"grammar-{key}.lark")
            if os.path.exists(path):
                entry = os.stat(path)
                if not stat.S_ISREG(entry.st_mode) or (
                    uid is not None and (entry.st_uid != uid or entry.st_mode & 0o022)
                ):
                    continue
            elif not os.access(folder, os.W_OK):
                continue
            return path
        except OSError:
            continue
    return False


def build_parser(*, strict: bool = False, cache: bool = True) -> lark.Lark:
    """A new Lark parser. The test suite builds one with `strict=True`, which
    proves the terminals cannot collide (it needs the `interegular` package)."""
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        start=list(START_SYMBOLS),
        transformer=_ToAst(),
        lexer_callbacks={"COMMENT": _remember_comment},
        strict=strict,
        cache=cache_file() if cache else False,
        maybe_placeholders=False,
    )


@lru_cache(maxsize=1)
def _parser() -> lark.Lark:
    return build_parser()


# ------------------------------------------------------------- error words

_KEYWORDS = frozenset(
    {
        "RULESET",
        "EXTENDS",
        "TITLE",
        "VERSION",
        "EFFECTIVE",
        "BASIS",
        "SUBJECT",
        "PERIOD_KW",
        "APPLIES",
        "WHEN",
        "USE",
        "AS",
        "PARAM",
        "OVERRIDE",
        "DEFINE",
        "GROUP",
        "CRITERION",
        "REPLACE",
        "DROP",
        "SOURCE",
        "POINTS",
        "MANDATORY",
        "PROVISIONAL",
        "ITEM",
        "VERDICT",
        "LEVEL",
        "ENTITY",
        "ENUM",
    }
)
_EXPR_STARTERS = frozenset(
    {"NAME", "INT", "DECIMAL", "STRING", "DATE", "TRUE", "FALSE", "LPAR", "LSQB", "MINUS", "NOT"}
)
_TERMINAL_WORDS = {
    "NAME": "a name",
    "INT": "a number",
    "DECIMAL": "a number",
    "STRING": "a string",
    "DATE": "a date",
    "COMP_OP": "a comparison",
}


def _describe_terminal(name: str) -> str:
    if name == "$END":
        return "end of text"
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    try:
        pattern = _parser().get_terminal(name).pattern
    except KeyError:
        return f"`{name.lower()}`"
    if isinstance(pattern, lark.lexer.PatternStr):
        return f"`{pattern.value}`"
    return f"`{name.lower()}`"


def _describe_expected(expected: Iterable[str]) -> OneOf:
    """What the parser could take, in words translated when the message is shown."""
    names = set(expected)
    words: list[str] = []
    if len(names & _EXPR_STARTERS) >= 4:
        names -= _EXPR_STARTERS
        words.append("an expression")
    words.extend(sorted({_describe_terminal(n) for n in names}))
    if not words:
        words = ["end of text"]
    if len(words) > 8:
        words = [*words[:8], "…"]
    return OneOf(words)


def _describe_found(token: Token) -> str:
    if token.type == "$END":
        return OneOf(["end of text"])
    return f"`{token}`"


def _convert(error: UnexpectedInput, source: Source) -> ParseError:
    if isinstance(error, UnexpectedCharacters):
        pos = error.pos_in_stream
        char = source.text[pos] if pos < len(source.text) else ""
        span = Span(source, pos, pos + 1)
        if char == "=":
            return ParseError(Diagnostic("single-equals", {}, span))
        return ParseError(Diagnostic("unexpected-char", {"char": char}, span))
    if isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    ):
        end = len(source.text.rstrip())
        span = Span(source, max(0, end - 1), max(end, 1)) if source.text else Span(source, 0, 0)
        expected = _describe_expected(
            getattr(error, "accepts", None) or getattr(error, "expected", ()) or ()
        )
        return ParseError(Diagnostic("unexpected-end", {"expected": expected}, span))
    assert isinstance(error, UnexpectedToken)
    token = error.token
    start = token.start_pos if token.start_pos is not None else 0
    end = token.end_pos if token.end_pos is not None else start + 1
    span = Span(source, start, max(end, start + 1))
    # `accepts` is what the parser could really take here; `expected` may list
    # tokens of other contexts that share the LALR state.
    expected = set(getattr(error, "accepts", None) or error.expected)
    if token.type in ("COMP_OP", "IN") and not expected & _EXPR_STARTERS:
        return ParseError(Diagnostic("chained-comparison", {}, span))
    if token.type == "EQUAL" and "EQUAL" not in expected:
        return ParseError(Diagnostic("single-equals", {}, span))
    helps = ()
    history = [tok for tok in (getattr(error, "token_history", None) or []) if tok is not None]
    comma = _decimal_comma(token, source)
    if comma is not None:
        return comma
    if token.type in _KEYWORDS and "NAME" in expected:
        helps = (("help-keyword", {"name": str(token)}),)
    elif history and history[-1].type in _KEYWORDS:
        # `level > 1` as a criterion's test: `level` was read as a keyword.
        helps = (("help-keyword", {"name": str(history[-1])}),)
    return ParseError(
        Diagnostic(
            "unexpected-token",
            {"found": _describe_found(token), "expected": _describe_expected(expected)},
            span,
            helps=helps,
        )
    )


# No threshold needs more digits; a longer literal is a mistake (or an attack
# on int(), whose cost grows with the square of the digits).
MAX_DIGITS = 30


def _number(token: Any) -> int | Fraction:
    """The value of an INT or DECIMAL token, exactly."""
    digits = sum(ch.isdigit() for ch in str(token))
    if digits > MAX_DIGITS:
        raise ParseError(
            Diagnostic("number-too-long", {"count": digits, "limit": MAX_DIGITS}, _span_of(token))
        )
    return int(token) if token.type == "INT" else Fraction(str(token))


def _decimal_comma(token: Any, source: Source) -> ParseError | None:
    """`0,7` where a number was meant: a decimal comma, as spreadsheets write it."""
    if str(token) != "," or token.start_pos is None:
        return None
    start = token.start_pos
    before = re.search(r"(?<![\w.])\d+$", source.text[max(0, start - 40) : start])
    after = re.match(r"\d+(?![\w.])%?", source.text[start + 1 : start + 41])
    if before is None or after is None:
        return None
    whole = f"{before.group()},{after.group()}"
    percent = whole.endswith("%")
    dot = whole.replace(",", ".").rstrip("%")
    value = Decimal(dot)
    # (the other way of writing it: 0.7 ↔ 70%, 95.5% ↔ 0.955)
    other = f"{(value / 100).normalize():f}" if percent else f"{(value * 100).normalize():f}%"
    span = Span(source, start - len(before.group()), start + 1 + len(after.group()))
    return ParseError(
        Diagnostic(
            "decimal-comma",
            {"text": whole, "dot": dot + ("%" if percent else ""), "percent": other},
            span,
        )
    )


def _parse(text: str, start: str, name: str) -> tuple[Any, Source]:
    if not isinstance(text, str):
        raise ParseError(Diagnostic("data-type", {"expected": "text", "got": type(text).__name__}))
    if len(text) > MAX_TEXT:
        raise ParseError(Diagnostic("too-long", {"size": len(text), "limit": MAX_TEXT}))
    source = Source(name, normalize_text(text))
    _current.source = source
    _current.comments = []
    try:
        tree = _parser().parse(source.text, start=start)
    except UnexpectedInput as error:
        raise _convert(error, source) from None
    except lark.exceptions.VisitError as error:  # a ParseError raised by a callback
        if isinstance(error.orig_exc, ParseError):
            raise error.orig_exc from None
        raise
    finally:
        _current.source = None
        comments, _current.comments = _current.comments, None
    if isinstance(tree, ast.RulesetFile):
        tree = attrs.evolve(tree, comments=tuple(comments))
    return tree, source


def _check_depth(node: Any) -> None:
    if ast.depth(node) > MAX_DEPTH:
        raise ParseError(Diagnostic("too-deep", {"limit": MAX_DEPTH}, node.span))


def parse_expression(text: str, name: str = "<expression>") -> ast.Expr:
    """Parse one expression, e.g. `ratio(villages.safe) >= 95%`."""
    node, _ = _parse(text, "start_expression", name)
    _check_depth(node)
    return node


def parse_schema(text: str, name: str = "<schema>") -> ast.SchemaDecl:
    """Parse `entity …` and `enum …` declarations."""
    node, _ = _parse(text, "start_schema", name)
    return node


def parse_ruleset(text: str, name: str = "<ruleset>") -> ast.RulesetFile:
    """Parse a ruleset file."""
    node, _ = _parse(text, "start_ruleset", name)
    for item in node.items:
        for expr in _expressions_of(item):
            _check_depth(expr)
    return node


def _expressions_of(item: Any) -> list[Any]:
    found = []
    for field in ("applies", "default", "expr", "test", "condition"):
        value = getattr(item, field, None)
        if value is not None and not isinstance(value, (str, bool)):
            found.append(value)
    for sub in getattr(item, "items", ()) if isinstance(item, ast.CriterionDecl) else ():
        found.append(sub.condition)
    for tier in getattr(item, "tiers", ()):
        found.append(tier.condition)
    return found


def parse_type(text: str, name: str = "<type>") -> ast.TypeExpr:
    """Parse a type such as `list[village]` or `enum["a", "b"]`."""
    node, _ = _parse(text, "start_type", name)
    return node
