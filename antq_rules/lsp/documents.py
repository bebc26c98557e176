"""Per-document analysis: parse, check and the symbols of one `.antq` file.

A document is analysed as the editor holds it, not as it is on disk, and its
`use`/`extends` paths resolve against its own folder (never the server's
current one): the loader's own parts are driven here with the document's
folder as base, exactly as `antq check FILE` would load the file — a ruleset
in full, a library (no `ruleset` header) by building its schema. Files that
are open in the editor are read from the editor too.

Besides the problems, an analysis keeps what completion, hover and
definition need: every file reached and its AST, the merged declarations
(`_Assembled`), the schema and the type of every parameter and definition.
While the author types, the text often does not parse; the declaration that
fails is then blanked out (offsets kept) and the rest analysed again, so the
other names stay known.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import ir
from .. import types as t
from ..check import Checker, Scope
from ..errors import AntqError, CheckError, Diagnostic
from ..library import rulesets_dir
from ..loader import MAX_USE_DEPTH, SHIPPED_PREFIX, _encodable, _Loader, _roots_for
from ..ruleset import Ruleset
from ..schema import EntityDef, Schema
from ..source import Source, Span, normalize_text
from ..syntax import ast

# An entity name no declaration can have: the subject of a library's
# expressions, which have none.
NO_SUBJECT = " "


class _TracingLoader(_Loader):
    """The loader, noting every file it parses and where each was reached from,
    and reading files open in the editor from the editor."""

    def __init__(self, roots: tuple[Path, ...], overlay: Mapping[str, str]) -> None:
        super().__init__(roots)
        self.overlay = overlay
        self.files: dict[str, ast.RulesetFile] = {}
        self.sources: dict[Source, str] = {}
        self.reached_from: dict[str, Span | None] = {}

    def parse(self, origin: str, text: str | None) -> ast.RulesetFile:
        if text is None and origin in self.overlay:
            text = self.overlay[origin]
        try:
            file = super().parse(origin, text)
        except AntqError as error:
            for diagnostic in error.diagnostics:
                if diagnostic.span is not None:
                    self.sources.setdefault(diagnostic.span.source, origin)
            raise
        self.files.setdefault(origin, file)
        source = source_of(file)
        if source is not None:
            self.sources[source] = origin
        return file

    def locate(self, reference: str, base_dir: Path, span: Span | None) -> str:
        origin = super().locate(reference, base_dir, span)
        self.reached_from.setdefault(origin, span)
        return origin


def source_of(file: ast.RulesetFile) -> Source | None:
    """The Source a parsed file's spans point into."""
    if file.span is not None:
        return file.span.source
    for item in file.items:
        if item.span is not None:
            return item.span.source
    return file.comments[0].source if file.comments else None


@dataclass
class Symbols:
    """What a document declares and reaches, for completion, hover and definition."""

    origin: str
    assembled: Any  # loader._Assembled: the declarations after `extends` and `use`
    files: dict[str, ast.RulesetFile]
    sources: dict[Source, str]
    schema: Schema | None
    types: dict[str, t.Type]  # parameters and definitions
    ruleset: Ruleset | None = None

    @property
    def subject(self) -> str | None:
        header = self.assembled.header
        return None if header is None else header.subject

    def origin_of(self, source: Source) -> str | None:
        return origin_of(source, self.sources)

    def entity(self, name: str) -> EntityDef | None:
        return None if self.schema is None else self.schema.entities.get(name)


def origin_of(source: Source, sources: Mapping[Source, str]) -> str | None:
    found = sources.get(source)
    if found is not None:
        return found
    if source.name.startswith("<"):
        return None
    try:
        return str(Path(source.name).resolve())
    except (OSError, ValueError):
        return None


@dataclass
class Problem:
    """A diagnostic, and where it shows in the document."""

    diagnostic: Diagnostic
    span: Span | None  # in the document (the `use` line for a problem in another file)
    elsewhere: str | None = None  # the file it is in, when not the document


@dataclass
class Analysis:
    origin: str
    base_dir: Path
    roots: tuple[Path, ...]  # the folders its `use` and `extends` may read
    text: str  # the document's text, NFC (the offsets of every span)
    file: ast.RulesetFile | None  # its AST (None when not even a recovery parsed)
    problems: list[Problem]
    symbols: Symbols | None
    reached: set[str] = field(default_factory=set)  # every file the document reads


@dataclass
class _Run:
    loader: _TracingLoader
    problems: list[Diagnostic]
    assembled: Any = None
    ruleset: Ruleset | None = None
    schema: Schema | None = None


def _run(text: str, origin: str, base_dir: Path, roots: tuple[Path, ...], overlay: Any) -> _Run:
    loader = _TracingLoader(roots, overlay)
    run = _Run(loader, [])
    try:
        text = _encodable(text)
        run.assembled = loader.assemble(origin, text, base_dir)
    except AntqError as error:
        run.problems.extend(error.diagnostics)
        return run
    except RecursionError:
        run.problems.append(Diagnostic("too-deep", {"limit": MAX_USE_DEPTH}))
        return run
    if run.assembled.header is None:
        # A library: its schema is built, as `antq check` does.
        problems, loader.problems = loader.problems, []
        try:
            run.schema = loader.schema(run.assembled)
        except CheckError as error:
            problems.extend(error.diagnostics)
        run.problems.extend([*problems, *loader.problems])
        return run
    try:
        run.ruleset = loader.finish(run.assembled, {}, None)
        run.schema = run.ruleset.schema
    except AntqError as error:
        run.problems.extend(error.diagnostics)
    except RecursionError:
        run.problems.append(Diagnostic("too-deep", {"limit": MAX_USE_DEPTH}))
    return run


def analyse(
    raw_text: str,
    path: Path | None,
    allow: Iterable[Path] = (),
    overlay: Mapping[str, str] | None = None,
) -> Analysis:
    """Analyse a document's text; `path` is its file (None for an unsaved one)."""
    text = normalize_text(raw_text)
    if path is not None:
        path = path.resolve()
        origin, base_dir = str(path), path.parent
    else:
        origin, base_dir = "<ruleset>", Path.cwd().resolve()
    overlay = {k: v for k, v in (overlay or {}).items() if k != origin}
    roots = _roots_for(base_dir, list(allow))
    first = _run(text, origin, base_dir, roots, overlay)
    sources = dict(first.loader.sources)
    problems = [_place(d, origin, first.loader, sources) for d in first.problems]

    # Recovery: blank the declaration that stops the analysis, and try again.
    run, blanked = first, text
    for _ in range(8):
        if run.assembled is not None:
            break
        span = next(
            (
                p.span
                for p in (_place(d, origin, run.loader, run.loader.sources) for d in run.problems)
                if p.span is not None
            ),
            None,
        )
        if span is None:
            break
        again = _blank_declaration(blanked, span.start)
        if again == blanked:
            break
        blanked = again
        run = _run(blanked, origin, base_dir, roots, overlay)

    symbols = None
    if run.assembled is not None:
        schema = run.schema or _lenient_schema(run.assembled, roots)
        symbols = Symbols(
            origin=origin,
            assembled=run.assembled,
            files=run.loader.files,
            sources=run.loader.sources,
            schema=schema,
            types=types_of(run.assembled, schema) if schema is not None else {},
            ruleset=run.ruleset,
        )
    file = run.loader.files.get(origin) or first.loader.files.get(origin)
    reached = {
        *first.loader.files,
        *first.loader.reached_from,
        *run.loader.files,
        *run.loader.reached_from,
    }
    return Analysis(origin, base_dir, roots, text, file, problems, symbols, reached)


def _place(
    diagnostic: Diagnostic, origin: str, loader: _TracingLoader, sources: Mapping[Source, str]
) -> Problem:
    """Where a problem shows: at its span in the document, or on the `use`
    (or `extends`) line through which the document reached its file."""
    span = diagnostic.span
    if span is None:
        return Problem(diagnostic, None)
    where = origin_of(span.source, sources)
    if where == origin or (where is None and origin == "<ruleset>"):
        return Problem(diagnostic, span)
    current, seen = where, set()
    while current is not None and current not in seen:
        seen.add(current)
        via = loader.reached_from.get(current)
        if via is None:
            break
        if origin_of(via.source, sources) == origin:
            return Problem(diagnostic, via, elsewhere=where)
        current = origin_of(via.source, sources)
    return Problem(diagnostic, None, elsewhere=where)


_DECLARATION_START = re.compile(r"^[^\s#]", re.MULTILINE)


def _blank_declaration(text: str, offset: int) -> str:
    """The text with the declaration around `offset` replaced by spaces
    (a declaration starts at a line that begins with a word)."""
    starts = [m.start() for m in _DECLARATION_START.finditer(text)]
    begin = max((s for s in starts if s <= offset), default=0)
    end = min((s for s in starts if s > offset), default=len(text))
    if begin == end:
        return text
    middle = re.sub(r"[^\r\n]", " ", text[begin:end])
    return text[:begin] + middle + text[end:]


def _lenient_schema(assembled: Any, roots: tuple[Path, ...]) -> Schema | None:
    try:
        return _Loader(roots).schema(assembled)
    except AntqError:
        return None


def _reference(checker: Checker, call: ast.Call, scope: Scope) -> ir.Node:
    return ir.Const(None, t.BOOL, span=call.span)


REFERENCES = {"passes": _reference, "applies": _reference}


def checker_for(
    schema: Schema, subject: str | None, names: Mapping[str, t.Type] | None = None
) -> Checker:
    """A checker over the schema (with a stand-in subject when there is none),
    whose names have the given types: for typing parts of expressions."""
    entity = schema.entities.get(subject) if subject else None
    if entity is None:
        entity = EntityDef(NO_SUBJECT, {})
        schema = Schema({**schema.entities, NO_SUBJECT: entity}, schema.enums)
    nodes = {name: ir.Const(None, type_) for name, type_ in (names or {}).items()}
    return Checker(schema, entity, nodes, REFERENCES)


def types_of(assembled: Any, schema: Schema) -> dict[str, t.Type]:
    """The type of every parameter and definition, as far as each checks."""
    header = assembled.header
    checker = checker_for(schema, None if header is None else header.subject)
    found: dict[str, t.Type] = {}
    for name, decl in assembled.params.items():
        found[name] = _type(checker, decl.default)
    checker.names = {n: ir.Const(None, ty) for n, ty in found.items()}
    for name, decl in assembled.defines.items():
        found[name] = _type(checker, decl.expr)
        checker.names[name] = ir.Const(None, found[name])
    return found


def _type(checker: Checker, expr: ast.Expr) -> t.Type:
    try:
        return checker.expr(expr, checker.root_scope()).type
    except Exception:  # a part the checker cannot type alone: unknown, not fatal
        return t.NOTHING
    finally:
        checker.problems = []


def shown_path(origin: str, base_dir: Path) -> str:
    """A path as the author sees it: relative to the document's folder when
    that is at most one folder up, `antq:…` in the shipped library, absolute
    otherwise."""
    library = rulesets_dir().resolve()
    path = Path(origin)
    if path.is_relative_to(library) and not base_dir.is_relative_to(library):
        return SHIPPED_PREFIX + path.relative_to(library).as_posix()
    try:
        relative = os.path.relpath(origin, base_dir)
    except ValueError:
        return origin
    far = os.path.join(os.pardir, os.pardir)
    return origin if relative.startswith(far) else relative
