"""What is being typed at the cursor, read from the text before it alone.

Completion happens while the text does not parse (the author is halfway
through a word), so this does not use the parser: it splits the current
declaration into tokens up to the cursor and follows its brackets, noting
for each open one the aggregate it belongs to and the list that aggregate
(or a `where`) ranges over — the items whose fields are in scope there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..ir import AGGREGATES

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>"(?:[^"\\\n]|\\.)*"?)
    | (?P<date>\d{4}-\d{2}-\d{2})
    | (?P<number>\d+(?:\.\d+)?)
    | (?P<name>[^\W\d]\w*)
    | (?P<op>==|!=|<=|>=|\?\?|\.\.|[≥≤≠<>=+\-*/()\[\],.:%])
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE,
)

# Words that start a criterion's (or header's) option line; what follows is
# not the test expression, or starts a new one (`applies when …`).
OPTION_WORDS = frozenset(
    {"title", "source", "points", "mandatory", "provisional", "applies", "item", "subject"}
)
RESERVED = frozenset({"and", "or", "not", "in", "where", "true", "false", "entity", "enum"})
COMPARISONS = frozenset({"==", "!=", "≠"})
REFERENCE_FUNCTIONS = frozenset({"passes", "applies"})


@dataclass
class Token:
    kind: str  # comment string date number name op other (and "group" for a closed bracket)
    text: str
    start: int
    end: int
    line_start: bool = False  # the first token of its line
    # Of a closed `single(…)` or `(…)`: the path of the list it takes its item
    # from (`single(areas where …)` → ["areas"]), whose item's fields follow a dot.
    path: list[str] | None = None


@dataclass
class Frame:
    """An open bracket (or the declaration itself, at the bottom of the stack)."""

    opener: str  # "" | "(" | "["
    func: str | None = None  # the function called, for `name(`
    args: int = 0  # commas seen at this level
    recent: list[Token] = field(default_factory=list)  # tokens of the current argument
    before: list[Token] = field(default_factory=list)  # the parent's tokens before the bracket
    source: list[str] | None = None  # an aggregate's list, once its `where` or `,` is passed
    wheres: list[list[str]] = field(default_factory=list)  # lists filtered by `where` here


@dataclass
class Context:
    # none, keyword, option, member, enum, reference, override, subject, type,
    # path or expression
    kind: str
    start: int  # where the text the completion replaces starts …
    end: int  # … and ends
    partial: str  # that text
    declaration: str  # the keyword of the current declaration ("" at the top)
    frames: list[Frame]
    path: list[str] = field(default_factory=list)  # of `member` and `enum`
    prefix: str = ""  # a dotted prefix typed inside `passes(…)`
    what: str = ""  # of `override`: param, define or criterion


def tokenize(text: str, base: int = 0) -> list[Token]:
    tokens: list[Token] = []
    line_start = True
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "space":
            if "\n" in match.group():
                line_start = True
            continue
        tokens.append(
            Token(kind, match.group(), base + match.start(), base + match.end(), line_start)
        )
        line_start = False
    return tokens


def leading_path(tokens: list[Token]) -> list[str]:
    """`a.b.c` at the start of a token list."""
    parts: list[str] = []
    expect_name = True
    for token in tokens:
        if expect_name and token.kind == "name" and token.text not in RESERVED:
            parts.append(token.text)
        elif not expect_name and token.text == ".":
            pass
        else:
            break
        expect_name = not expect_name
    return parts


def trailing_path(tokens: list[Token]) -> list[str]:
    """`a.b.c` at the end of a token list."""
    parts: list[str] = []
    expect_name = True
    for token in reversed(tokens):
        if expect_name and token.kind == "name" and token.text not in RESERVED:
            parts.append(token.text)
        elif expect_name and token.path:
            parts.extend(reversed(token.path))
            break
        elif not expect_name and token.text == ".":
            pass
        else:
            break
        expect_name = not expect_name
    if parts and tokens and tokens[-1].text == ".":
        return []  # (ends with a dot: not a complete path)
    return list(reversed(parts))


def frames_of(tokens: list[Token]) -> list[Frame]:
    stack = [Frame("")]
    for token in tokens:
        top = stack[-1]
        if token.kind == "comment":
            continue
        if token.text == "(":
            last = top.recent[-1] if top.recent else None
            func = last.text if last is not None and last.kind == "name" else None
            stack.append(Frame("(", func, before=list(top.recent)))
        elif token.text == "[":
            stack.append(Frame("[", before=list(top.recent)))
        elif token.text in (")", "]"):
            path = None
            if len(stack) > 1:
                closed = stack.pop()
                # (`single(list).`, `(incidents + areas.incidents).`: the items' fields)
                if closed.func in ("single", None) and closed.opener == "(" and closed.args == 0:
                    path = leading_path(closed.recent) or None
            group = Token("group", token.text, token.start, token.end, path=path)
            stack[-1].recent.append(group)
        elif token.text == ",":
            top.args += 1
            if top.func in AGGREGATES and top.args == 1 and top.source is None:
                top.source = leading_path(top.recent)
            top.recent = []
        elif token.kind == "name" and token.text == "where":
            if top.func in AGGREGATES and top.args == 0 and top.source is None:
                top.source = leading_path(top.recent)
            else:
                top.wheres.append(trailing_path(top.recent))
            top.recent.append(token)
        elif len(stack) == 1 and (
            token.text in ("=", "when") or (token.line_start and token.text in OPTION_WORDS)
        ):
            top.recent, top.wheres = [], []
        else:
            top.recent.append(token)
    return stack


_DECLARATION_START = re.compile(r"^[^\s#]", re.MULTILINE)


def context_at(text: str, offset: int) -> Context:
    """What the text before `offset` is in the middle of."""
    offset = max(0, min(offset, len(text)))
    starts = [m.start() for m in _DECLARATION_START.finditer(text, 0, offset)]
    decl_start = starts[-1] if starts else 0
    line_start = text.rfind("\n", 0, offset) + 1
    tokens = tokenize(text[decl_start:offset], decl_start)
    words = [t.text for t in tokens[:3] if t.kind == "name"]
    declaration = words[0] if words else ""
    modifier = ""
    if declaration in ("override", "replace", "drop") and len(words) > 1:
        modifier, declaration = declaration, words[1]

    # The text the completion replaces: a word, or a string, being typed.
    start = end = offset
    partial = ""
    last = tokens[-1] if tokens else None
    in_string = False
    if last is not None and last.end == offset:
        if last.kind == "comment":
            return Context("none", offset, offset, "", declaration, [])
        if last.kind == "string" and (len(last.text) == 1 or not _closed(last.text)):
            in_string = True
            start, partial = last.start, last.text
            tokens = tokens[:-1]
        elif last.kind == "name":
            start, partial = last.start, last.text
            tokens = tokens[:-1]
    if in_string and offset < len(text) and text[offset] == '"':
        end = offset + 1  # (the editor closed the quote already)

    frames = frames_of(tokens)
    top = frames[-1]

    def make(kind: str, path: list[str] | None = None, prefix: str = "", what: str = "") -> Context:
        return Context(kind, start, end, partial, declaration, frames, path or [], prefix, what)

    before_on_line = text[line_start:start]
    if not before_on_line.strip() and not in_string:
        if line_start == decl_start or not before_on_line:
            return make("keyword")
        return make("option")

    previous = tokens[-1] if tokens else None
    if modifier and len(tokens) == 2 and not in_string:
        return make("override", what=declaration)  # `override param ▮`, `drop criterion ▮`
    if in_string:
        if previous is not None and previous.text in ("use", "extends"):
            return make("path")
        path = _enum_path(top)
        return make("enum", path=path) if path else make("none")
    if top.func in REFERENCE_FUNCTIONS:
        prefix = "".join(t.text for t in top.recent if t.kind == "name" or t.text == ".")
        return make("reference", prefix=prefix)
    if previous is not None and previous.text == ".":
        path = trailing_path(top.recent[:-1])
        return make("member", path=path) if path else make("none")
    path = _enum_path(top)
    if path:
        return make("enum", path=path)
    if previous is not None and previous.text == "subject":
        return make("subject")
    if declaration == "entity":
        line_tokens = [t for t in tokens if t.start >= line_start]
        if any(t.text == ":" for t in line_tokens):
            return make("type")
        return make("none")
    if declaration in ("enum", "use", "group", "criterion") and not _in_expression(
        declaration, tokens, line_start, decl_start
    ):
        return make("none")
    if declaration == "ruleset" and not any(t.text == "when" for t in tokens):
        return make("none")
    return make("expression")


def _closed(text: str) -> bool:
    """Whether a string token ends with its closing quote (not an escaped one)."""
    if len(text) < 2 or not text.endswith('"'):
        return False
    backslashes = len(text[1:-1]) - len(text[1:-1].rstrip("\\"))
    return backslashes % 2 == 0


def _enum_path(top: Frame) -> list[str]:
    """The path compared at the cursor: `kind == ▮`, `kind in [▮`, `kind in ["a", ▮`."""
    recent = top.recent
    if recent and recent[-1].text in COMPARISONS:
        return trailing_path(recent[:-1])
    if top.opener == "[":
        before = top.before
        if before and before[-1].text == "in":
            cut = 2 if len(before) > 1 and before[-2].text == "not" else 1
            return trailing_path(before[:-cut])
    return []


def _in_expression(declaration: str, tokens: list[Token], line_start: int, first: int) -> bool:
    """In a criterion, whether the cursor is in its test or a clause: after the
    title on the first line; on a later line, one that does not begin with an
    option word (or that has passed the `when` of `applies when`…)."""
    if declaration != "criterion":
        return False
    on_line = [t for t in tokens if t.start >= line_start]
    if line_start <= first:
        return any(t.kind == "string" and _closed(t.text) for t in on_line)
    if not on_line:
        return True
    return on_line[0].text not in OPTION_WORDS or any(t.text == "when" for t in on_line)
