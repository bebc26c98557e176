"""Loading rulesets: files, `use`, `extends`, checking and compiling, once.

`load(path_or_text, params=…)` parses the file and everything it uses or
extends (paths are relative to the file that names them), merges an
extension onto its base (override, replace, drop, add — naming something
that does not exist is an error), builds the schema, checks every
expression, orders the criteria by their dependencies, and compiles. Cycles
and missing files are errors at the position of the `use` or `extends`.

Which files a ruleset may read is decided here, before any is opened (ruleset
text may come from someone else): a `use` or `extends` names a `.antq` file
inside the folder tree of the ruleset being loaded (the current folder for
text), inside the shipped library (`antq:tt124/xa.antq`), or inside a folder
the caller allows (`allow=[…]`, `--allow`); symbolic links are followed
first, so a link cannot lead out. Anything else is refused by name, and no
message ever shows the content of a file that is not a ruleset.

Work is cached per process: parsed files by path and modification time,
finished rulesets by source and parameters, so loading the same ruleset
twice reuses everything.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from . import ir
from . import types as t
from .check import Checker, Scope
from .data import BadValue, scalar_reader, to_plain_period
from .errors import AntqError, CheckError, Diagnostic, ParseError, did_you_mean
from .interpret import Context, Obj
from .interpret import _eval as interpret_at
from .library import rulesets_dir
from .messages import Phrase
from .ruleset import Criterion, Group, Level, PeriodRule, Ruleset, ScoreItem, Tier, check_year
from .schema import _SchemaBuilder
from .source import Span, normalize_text
from .syntax import ast
from .syntax.parser import MAX_TEXT, parse_expression, parse_ruleset

_PARSED: dict[tuple[str, int, int], ast.RulesetFile] = {}
_LOADED: dict[tuple[Any, ...], Ruleset] = {}


def clear_cache() -> None:
    _PARSED.clear()
    _LOADED.clear()


# `use` and `extends` chains deeper than this are refused (no real ruleset
# comes near; it bounds the recursion of loading).
MAX_USE_DEPTH = 32
SHIPPED_PREFIX = "antq:"


def load(
    source: str | os.PathLike[str],
    params: Mapping[str, Any] | None = None,
    *,
    year: int | None = None,
    allow: Iterable[str | os.PathLike[str]] = (),
) -> Ruleset:
    """Load a ruleset from a `.antq` file (a path) or from its text.

    `params` sets parameters (`{"areas_min": "80%"}`); `year` fixes the
    evaluation year; `allow` names folders, besides the ruleset's own folder
    tree and the shipped library, that its `use` and `extends` may read."""
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(
            f"params must be a mapping of parameter names to values, not {type(params).__name__}"
        )
    if year is not None:
        check_year(year)
    text, origin, base_dir = _resolve(source)
    roots = _roots_for(base_dir, allow)
    key = (origin, _fingerprint(origin, text), _freeze(params), year, roots)
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    loader = _Loader(roots)
    try:
        ruleset = loader.build(origin, text, base_dir, params or {}, year)
    except RecursionError:
        raise CheckError(Diagnostic("too-deep", {"limit": MAX_USE_DEPTH})) from None
    _LOADED[key] = ruleset
    return ruleset


def _roots_for(base_dir: Path, allow: Iterable[str | os.PathLike[str]]) -> tuple[Path, ...]:
    """The folders a ruleset's `use` and `extends` may read."""
    if isinstance(allow, (str, os.PathLike)):
        allow = [allow]
    roots = [base_dir, rulesets_dir().resolve()]
    for folder in allow:
        try:
            roots.append(Path(folder).resolve())
        except (OSError, ValueError, TypeError):
            raise AntqError(Diagnostic("missing-file", {"path": str(folder)[:200]})) from None
    return tuple(dict.fromkeys(roots))


_TEXT_START = re.compile(r"\s*(#|(ruleset|use|entity|enum|define|param|criterion)\s)")


def _resolve(source: str | os.PathLike[str]) -> tuple[str | None, str, Path]:
    """(text if given as text, origin name, directory for relative paths)."""
    if not isinstance(source, (str, os.PathLike)):
        raise AntqError(
            Diagnostic(
                "data-type", {"expected": "a path or ruleset text", "got": type(source).__name__}
            )
        )
    looks_like_text = isinstance(source, str) and (
        "\n" in source or _TEXT_START.match(source) is not None
    )
    if looks_like_text:
        return _encodable(str(source)), "<ruleset>", Path.cwd().resolve()
    if isinstance(source, str) and source.startswith(SHIPPED_PREFIX):
        path = _shipped_path(source, None)
    else:
        try:
            path = Path(source)
        except (TypeError, ValueError):
            raise AntqError(Diagnostic("missing-file", {"path": _shown(source)})) from None
    _examine(path, _shown(source), None)
    if path.suffix.lower() != ".antq":
        # (a message may quote the text it failed to parse: only a ruleset's)
        raise AntqError(Diagnostic("not-antq", {"path": _shown(source)}))
    path = path.resolve()
    return None, str(path), path.parent


def _shown(source: Any) -> str:
    """A path as a message may show it (short, printable)."""
    text = os.fspath(source) if isinstance(source, os.PathLike) else str(source)
    text = text if isinstance(text, str) else repr(text)
    text = "".join(
        ch if ch.isprintable() and not 0xD800 <= ord(ch) < 0xE000 else "�" for ch in text
    )
    return text if len(text) <= 120 else text[:120] + "…"


def _encodable(text: str) -> str:
    """Ruleset text that every later step can encode (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        from .source import Source

        source = Source("<ruleset>", text.encode("utf-8", "replace").decode("utf-8"))
        span = Span(source, error.start, error.start + 1)
        char = f"\\u{ord(text[error.start]):04x}"
        raise ParseError(Diagnostic("unexpected-char", {"char": char}, span)) from None
    return text


def _examine(path: Path, shown: str, span: Span | None) -> None:
    """Refuse what is not a regular file, by name, before opening it."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise AntqError(Diagnostic("missing-file", {"path": shown}, span)) from None
    except OSError as error:
        if error.errno != errno.ELOOP:  # too long, not allowed…
            raise AntqError(Diagnostic("missing-file", {"path": shown}, span)) from None
        kind = Phrase("a loop of links")
        raise AntqError(Diagnostic("not-a-file", {"path": shown, "kind": kind}, span)) from None
    except (ValueError, UnicodeError):  # a NUL byte, not encodable…
        raise AntqError(Diagnostic("missing-file", {"path": shown}, span)) from None
    if stat.S_ISDIR(status.st_mode):
        raise AntqError(Diagnostic("not-a-file", {"path": shown, "kind": Phrase("a folder")}, span))
    if not stat.S_ISREG(status.st_mode):
        raise AntqError(
            Diagnostic("not-a-file", {"path": shown, "kind": Phrase("a special file")}, span)
        )


def _shipped_path(reference: str, span: Span | None) -> Path:
    """`antq:tt124/xa.antq` → the file in the installed package's library."""
    library = rulesets_dir().resolve()
    try:
        path = (library / reference[len(SHIPPED_PREFIX) :]).resolve()
    except (OSError, ValueError):
        raise AntqError(Diagnostic("missing-file", {"path": _shown(reference)}, span)) from None
    if not path.is_relative_to(library):
        raise AntqError(
            Diagnostic("outside-roots", {"path": _shown(reference), "roots": str(library)}, span)
        )
    return path


def _fingerprint(origin: str, text: str | None) -> Any:
    if text is not None:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()
    stat = os.stat(origin)
    return (stat.st_mtime_ns, stat.st_size)


def _freeze(params: Mapping[str, Any] | None) -> Any:
    if not params:
        return ()
    return tuple(sorted((str(k), repr(v)) for k, v in params.items()))


# ---------------------------------------------------------------- assembling


@attrs.define
class _Assembled:
    """The declarations of a ruleset after `extends` is applied."""

    header: ast.RulesetHeader | None = None
    path: str = "<ruleset>"
    entities: list[tuple[Any, str]] = attrs.field(factory=list)  # (decl, origin path)
    params: dict[str, ast.ParamDecl] = attrs.field(factory=dict)
    overrides: dict[str, ast.ParamDecl] = attrs.field(factory=dict)
    defines: dict[str, ast.DefineDecl] = attrs.field(factory=dict)
    groups: dict[str, ast.GroupDecl] = attrs.field(factory=dict)
    criteria: dict[str, ast.CriterionDecl] = attrs.field(factory=dict)
    levels: list[ast.LevelDecl] = attrs.field(factory=list)
    verdict: ast.VerdictDecl | None = None
    rulesets: dict[str, Ruleset] = attrs.field(factory=dict)  # id or alias -> ruleset used
    base_id: str | None = None


class _Loader:
    def __init__(self, roots: tuple[Path, ...] = ()) -> None:
        self.problems: list[Diagnostic] = []
        self.stack: list[str] = []
        self.roots = roots

    # ---- files

    def parse(self, origin: str, text: str | None) -> ast.RulesetFile:
        if text is not None:
            return parse_ruleset(text, origin)
        stat = os.stat(origin)
        key = (origin, stat.st_mtime_ns, stat.st_size)
        parsed = _PARSED.get(key)
        if parsed is None:
            try:
                raw = Path(origin).read_bytes()
                if len(raw) > MAX_TEXT * 4:  # (UTF-8: at most 4 bytes a character)
                    raise AntqError(Diagnostic("too-long", {"size": len(raw), "limit": MAX_TEXT}))
                content = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise AntqError(Diagnostic("not-utf8", {"path": origin})) from None
            except OSError as error:
                raise AntqError(
                    Diagnostic(
                        "unreadable-file", {"path": origin, "detail": error.strerror or str(error)}
                    )
                ) from None
            parsed = parse_ruleset(content, _display(origin))
            _PARSED[key] = parsed
        return parsed

    def locate(self, reference: str, base_dir: Path, span: Span | None) -> str:
        """The file a `use` or `extends` names, after checking it may be read."""
        shown = _shown(reference)
        if len(self.stack) >= MAX_USE_DEPTH:
            raise AntqError(Diagnostic("use-too-deep", {"limit": MAX_USE_DEPTH}, span))
        if reference.startswith(SHIPPED_PREFIX):
            path = _shipped_path(reference, span)
        else:
            try:
                path = (base_dir / normalize_text(reference)).resolve()
            except RuntimeError:  # (a loop of links, in Python before 3.13)
                loop = {"path": shown, "kind": Phrase("a loop of links")}
                raise AntqError(Diagnostic("not-a-file", loop, span)) from None
            except (OSError, ValueError):  # a NUL byte, a loop of links (3.13)…
                _examine(base_dir / normalize_text(reference), shown, span)
                raise AntqError(Diagnostic("missing-file", {"path": shown}, span)) from None
        if self.roots and not any(path.is_relative_to(root) for root in self.roots):
            raise AntqError(
                Diagnostic(
                    "outside-roots",
                    {"path": shown, "roots": ", ".join(str(r) for r in self.roots)},
                    span,
                    helps=(("help-allow", {"folder": str(path.parent)}),),
                )
            )
        if path.suffix.lower() != ".antq":
            raise AntqError(Diagnostic("not-antq", {"path": shown}, span))
        _examine(path, shown, span)
        origin = str(path)
        if origin in self.stack:
            loop = [*self.stack[self.stack.index(origin) :], origin]
            common = os.path.commonpath(loop) if len(set(loop)) > 1 else os.path.dirname(origin)
            chain = " → ".join(os.path.relpath(p, common) for p in loop)
            raise AntqError(Diagnostic("import-cycle", {"chain": chain}, span))
        return origin

    # ---- building

    def build(
        self,
        origin: str,
        text: str | None,
        base_dir: Path,
        params: Mapping[str, Any],
        year: int | None,
    ) -> Ruleset:
        assembled = self.assemble(origin, text, base_dir)
        return self.finish(assembled, params, year)

    def assemble(self, origin: str, text: str | None, base_dir: Path) -> _Assembled:
        self.stack.append(origin)
        try:
            file = self.parse(origin, text)
            headers = [i for i in file.items if isinstance(i, ast.RulesetHeader)]
            if len(headers) > 1:
                raise CheckError(Diagnostic("duplicate-header", {}, headers[1].span))
            header = headers[0] if headers else None
            if header is not None and header.extends is not None:
                base_origin = self.locate(header.extends, base_dir, header.extends_span)
                result = self.assemble(base_origin, None, Path(base_origin).parent)
                result.base_id = result.header.id if result.header else None
                result = attrs.evolve(
                    result,
                    header=_merge_header(result.header, header),
                    criteria=dict(result.criteria),
                    params=dict(result.params),
                    defines=dict(result.defines),
                    groups=dict(result.groups),
                    entities=list(result.entities),
                    rulesets=dict(result.rulesets),
                    overrides=dict(result.overrides),
                    levels=list(result.levels),
                )
                extending = True
            else:
                result = _Assembled(header=header)
                extending = False
            result.path = origin
            self.apply(result, file, origin, base_dir, extending)
            return result
        finally:
            self.stack.pop()

    def apply(
        self,
        result: _Assembled,
        file: ast.RulesetFile,
        origin: str,
        base_dir: Path,
        extending: bool,
    ) -> None:
        own_levels: list[ast.LevelDecl] = []
        for item in file.items:
            if isinstance(item, (ast.EntityDecl, ast.EnumDecl)):
                result.entities.append((item, origin))
            elif isinstance(item, ast.UseDecl):
                self.use(result, item, base_dir)
            elif isinstance(item, ast.ParamDecl):
                if item.override:
                    if item.name not in result.params:
                        self.unknown("param", item.name, item.span, result.params)
                    result.overrides[item.name] = item
                elif item.name in result.params:
                    self.duplicate("param", item.name, item.span, extending)
                else:
                    result.params[item.name] = item
            elif isinstance(item, ast.DefineDecl):
                if item.override and item.name not in result.defines:
                    self.unknown("define", item.name, item.span, result.defines)
                elif not item.override and item.name in result.defines:
                    self.duplicate("define", item.name, item.span, extending)
                result.defines[item.name] = item
            elif isinstance(item, ast.GroupDecl):
                known = result.groups.get(item.name)
                if item.title is None and known is None:
                    self.unknown("group", item.name, item.span, result.groups)
                elif item.title is not None and known is not None and known.span is not item.span:
                    self.duplicate("group", item.name, item.span, extending)
                if item.title is not None:
                    result.groups[item.name] = item
            elif isinstance(item, ast.CriterionDecl):
                if item.replace:
                    previous = result.criteria.get(item.id)
                    if previous is None:
                        self.unknown("criterion", item.id, item.span, result.criteria)
                    elif item.group is None:
                        item = attrs.evolve(item, group=previous.group)
                elif item.id in result.criteria:
                    self.duplicate("criterion", item.id, item.span, extending)
                result.criteria[item.id] = item
            elif isinstance(item, ast.DropDecl):
                if item.id not in result.criteria:
                    self.unknown("criterion", item.id, item.span, result.criteria)
                else:
                    del result.criteria[item.id]
            elif isinstance(item, ast.VerdictDecl):
                result.verdict = item
            elif isinstance(item, ast.LevelDecl):
                own_levels.append(item)
        if own_levels:
            result.levels = own_levels  # levels are replaced as a whole

    def use(self, result: _Assembled, item: ast.UseDecl, base_dir: Path) -> None:
        origin = self.locate(item.path, base_dir, item.span)
        used = self.assemble(origin, None, Path(origin).parent)
        result.entities.extend(used.entities)
        if used.header is None:
            # A library: its definitions become ours.
            for name, define in used.defines.items():
                if name in result.defines and result.defines[name] is not define:
                    self.duplicate("define", name, item.span, False)
                result.defines[name] = define
            for name, param in used.params.items():
                result.params.setdefault(name, param)
            return
        ruleset = self.finish(used, {}, None)
        for name in (ruleset.id, item.alias):
            if name:
                result.rulesets[name] = ruleset
        result.rulesets.update({k: r for k, r in used.rulesets.items() if k not in result.rulesets})

    def unknown(self, kind: str, name: str, span: Span | None, known: Mapping[str, Any]) -> None:
        self.problems.append(
            Diagnostic(
                "unknown-" + kind, {"name": name}, span, helps=did_you_mean(name, list(known))
            )
        )

    def duplicate(self, kind: str, name: str, span: Span | None, extending: bool) -> None:
        helps: tuple = ()
        if extending and kind in ("param", "criterion", "define"):
            word = {
                "param": "override param",
                "criterion": "replace criterion",
                "define": "override define",
            }[kind]
            helps = (("help-override", {"word": word, "name": name}),)
        self.problems.append(Diagnostic("duplicate-" + kind, {"name": name}, span, helps=helps))

    # ---- checking

    def finish(self, a: _Assembled, params: Mapping[str, Any], year: int | None) -> Ruleset:
        if self.problems:
            problems, self.problems = self.problems, []
            raise CheckError(problems)
        header = a.header
        if header is None:
            raise CheckError(Diagnostic("missing-header", {"path": _display(a.path)}))
        schema = self.schema(a)
        if header.subject is None:
            raise CheckError(Diagnostic("missing-subject", {"id": header.id}, header.span))
        if header.subject not in schema.entities:
            raise CheckError(
                Diagnostic(
                    "unknown-subject",
                    {"name": header.subject},
                    header.subject_span,
                    helps=did_you_mean(header.subject, list(schema.entities)),
                )
            )
        if header.title is None:
            self.problems.append(Diagnostic("missing-title", {"id": header.id}, header.span))
        subject = schema.entities[header.subject]
        empty = Checker(schema, subject)

        # Parameters: constant defaults, then overrides from extensions and from the caller.
        values: dict[str, Any] = {}
        names: dict[str, ir.Node] = {}
        labels: dict[str, str | None] = {}
        percent: set[str] = set()  # parameters written as percentages, shown as such
        spans: dict[str, dict[Any, Span | None]] = {}  # where each text value is written
        for name, decl in a.params.items():
            node = _constant(empty, decl.default, self.problems)
            if node is None:
                continue
            values[name] = _value_of(node)
            spans[name] = _value_spans(decl.default)
            labels[name] = decl.label
            if isinstance(decl.default, ast.Literal) and decl.default.kind == "percent":
                percent.add(name)
            names[name] = ir.Param(name, node.type, span=decl.span)
        for name, decl in a.overrides.items():
            if name not in names:
                continue
            node = _constant(empty, decl.default, self.problems)
            if node is not None and _fits(node.type, names[name].type, node.value):
                values[name] = _value_of(node)
                spans[name] = _value_spans(decl.default)
                if name in percent and not _is_share_value(node.value):
                    self.problems.append(
                        _param_share(
                            name, a.params[name], decl.default.span, node.value, _written(decl)
                        )
                    )
            elif node is not None:
                self.problems.append(
                    Diagnostic(
                        "param-type",
                        {"name": name, "expected": str(names[name].type), "got": str(node.type)},
                        decl.default.span,
                    )
                )
        for name, given in params.items():
            if name not in names:
                raise AntqError(
                    Diagnostic(
                        "unknown-param", {"name": name}, helps=did_you_mean(str(name), list(names))
                    )
                )
            values[name] = _param_value(name, given, names[name].type)
            spans.pop(name, None)  # (given by the caller: written nowhere in the text)
            if name in percent and not _is_share_value(values[name]):
                written = given if isinstance(given, str) else str(given)
                raise AntqError(_param_share(name, a.params[name], None, values[name], written))

        # Definitions, in order; each may use the ones before it.
        functions = {"passes": self._ref_function(a), "applies": self._ref_function(a)}
        checker = Checker(schema, subject, names, functions)
        checker.shares, checker.param_values = frozenset(percent), values
        checker.param_spans = spans
        for name, decl in a.defines.items():
            node = checker.expr(decl.expr, checker.root_scope())
            # Its own node, spanning the name: explanations then say
            # `public_units` rather than repeating the definition.
            names[name] = attrs.evolve(node, span=decl.span) if decl.span else node
            checker.names = names
        self.problems.extend(checker.problems)
        checker.problems = []

        # Criteria.
        criteria: list[Criterion] = []
        for decl in a.criteria.values():
            criteria.append(self.criterion(checker, decl))
        self.problems.extend(checker.problems)
        checker.problems = []
        order = self.order(criteria, a)

        # Levels and verdict see the score, the maximum and (verdict only) the level.
        outcome_names = dict(names)
        outcome_names["score"] = ir.OutcomeRef("score", t.DECIMAL)
        outcome_names["max_score"] = ir.OutcomeRef("max_score", t.DECIMAL)
        checker.names = outcome_names
        levels = tuple(
            Level(
                decl.name, None if decl.condition is None else self.boolean(checker, decl.condition)
            )
            for decl in a.levels
        )
        self.check_levels(a.levels)
        outcome_names["level"] = ir.OutcomeRef("level", t.TEXT)
        verdict = None if a.verdict is None else self.boolean(checker, a.verdict.expr)
        # The header's `applies when` is checked like a criterion's (it sees
        # parameters and definitions, not outcomes).
        header_checker = Checker(schema, subject, names, functions)
        header_checker.shares, header_checker.param_values = frozenset(percent), values
        header_checker.param_spans = spans
        applies = None if header.applies is None else self.boolean(header_checker, header.applies)
        for node in ir.walk(applies) if applies is not None else ():
            if isinstance(node, ir.CriterionRef):  # (judged only where the ruleset applies)
                header_checker.problem("applies-uses-criterion", node.span, name=node.id)
        self.problems.extend(header_checker.problems)
        self.problems.extend(checker.problems)
        spec = header.period
        if spec is not None and not spec.annual and spec.end < spec.start:
            self.problems.append(
                Diagnostic(
                    "period-reversed",
                    {"start": spec.start.isoformat(), "end": spec.end.isoformat()},
                    spec.span or header.span,
                )
            )
        if self.problems:
            problems, self.problems = self.problems, []
            raise CheckError(problems)
        groups = {name: Group(name, decl.title, decl.title_en) for name, decl in a.groups.items()}
        return Ruleset(
            id=header.id,
            title=header.title or header.id,
            title_en=header.title_en,
            version=header.version,
            effective=header.effective,
            basis=header.basis,
            schema=schema,
            subject=header.subject,
            criteria=tuple(criteria),
            order=order,
            groups=groups,
            levels=levels,
            verdict=verdict,
            applies=applies,
            params=values,
            param_labels=labels,
            percent_params=frozenset(percent),
            period_rule=PeriodRule(header.period) if header.period else None,
            path=a.path if a.path != "<ruleset>" else None,
            year=year,
            extends=a.base_id,
        )

    def schema(self, a: _Assembled) -> Any:
        """The schema of every file reached. Declaring an entity again adds its
        fields (a ruleset may add fields to a shared schema); a field declared
        twice must keep its type."""
        merged: dict[str, Any] = {}
        for decl, _origin in a.entities:
            previous = merged.get(decl.name)
            if previous is None or previous == decl:
                merged[decl.name] = previous or decl
                continue
            if isinstance(decl, ast.EnumDecl) or isinstance(previous, ast.EnumDecl):
                self.problems.append(Diagnostic("duplicate-entity", {"name": decl.name}, decl.span))
                continue
            fields = {f.name: f for f in previous.fields}
            for field in decl.fields:
                known = fields.get(field.name)
                if known is not None and _unlabelled(known.type) != _unlabelled(field.type):
                    self.problems.append(
                        Diagnostic(
                            "duplicate-field", {"name": field.name, "entity": decl.name}, field.span
                        )
                    )
                elif known is None:
                    fields[field.name] = field
            merged[decl.name] = attrs.evolve(previous, fields=tuple(fields.values()))
        return _SchemaBuilder().build(ast.SchemaDecl(tuple(merged.values())))

    def boolean(self, checker: Checker, expr: ast.Expr) -> ir.Node:
        node = checker.expr(expr, checker.root_scope())
        if node.type not in (t.BOOL, t.NOTHING):
            checker.problem("not-bool-expression", expr.span, type=t.describe(node.type))
        return node

    def criterion(self, checker: Checker, decl: ast.CriterionDecl) -> Criterion:
        test = None if decl.test is None else self.boolean(checker, decl.test)
        applies = None if decl.applies is None else self.boolean(checker, decl.applies)
        items = tuple(
            ScoreItem(i.title, i.points, self.boolean(checker, i.condition)) for i in decl.items
        )
        tiers = tuple(Tier(i.points, self.boolean(checker, i.condition)) for i in decl.tiers)
        if test is None and not items and not tiers:
            self.problems.append(Diagnostic("empty-criterion", {"id": decl.id}, decl.span))
        if (items or tiers) and decl.points is not None:
            self.problems.append(Diagnostic("points-twice", {"id": decl.id}, decl.span))
        scored = decl.points is not None or bool(items) or bool(tiers)
        return Criterion(
            decl.id,
            decl.title,
            test,
            applies=applies,
            title_en=decl.title_en,
            source=decl.source,
            group=decl.group,
            points=decl.points,
            items=items,
            tiers=tiers,
            mandatory=decl.mandatory or not (scored or decl.provisional),
            provisional=decl.provisional,
            test_text=None
            if decl.test is None or decl.test.span is None
            else " ".join(decl.test.span.text().split()),
            span=decl.span,
        )

    def check_levels(self, levels: list[ast.LevelDecl]) -> None:
        for decl in levels[:-1]:
            if decl.condition is None:
                self.problems.append(
                    Diagnostic("level-otherwise-last", {"name": decl.name}, decl.span)
                )

    def order(self, criteria: list[Criterion], a: _Assembled) -> tuple[str, ...]:
        """Criteria in an order where each comes after those it refers to."""
        depends = {
            c.id: {
                n.id for root in _roots(c) for n in ir.walk(root) if isinstance(n, ir.CriterionRef)
            }
            for c in criteria
        }
        done: list[str] = []
        state: dict[str, int] = {}

        def visit(cid: str, trail: list[str]) -> None:
            if state.get(cid) == 2:
                return
            if state.get(cid) == 1:
                chain = " → ".join([*trail[trail.index(cid) :], cid])
                span = a.criteria[cid].span
                raise CheckError(Diagnostic("criterion-cycle", {"chain": chain}, span))
            state[cid] = 1
            for dep in sorted(depends[cid]):
                visit(dep, [*trail, cid])
            state[cid] = 2
            done.append(cid)

        for c in criteria:
            visit(c.id, [])
        return tuple(done)

    def _ref_function(self, a: _Assembled) -> Any:
        def handler(checker: Checker, call: ast.Call, scope: Scope) -> ir.Node:
            kind = call.func
            if len(call.args) != 1:
                checker.problem(
                    "bad-arity",
                    call.span,
                    name=kind,
                    expected="one criterion or ruleset",
                    given=f"{len(call.args)} arguments",
                )
                return checker.failed(call.span)
            target = _dotted(call.args[0])
            if target is None:
                checker.problem("bad-reference", call.args[0].span, name=kind)
                return checker.failed(call.span)
            if target in a.criteria:
                return ir.CriterionRef(target, kind, span=call.span)
            ruleset = a.rulesets.get(target)
            if ruleset is None:
                candidates = [*a.criteria, *a.rulesets]
                checker.problem(
                    "unknown-reference",
                    call.args[0].span,
                    did_you_mean(target, candidates),
                    name=target,
                )
                return checker.failed(call.span)
            for level in range(scope.level, -1, -1):
                level_type = scope.levels[level]
                if isinstance(level_type, t.Entity) and level_type.name == ruleset.subject:
                    return ir.RulesetRef(ruleset, kind, level, span=call.span)
            checker.problem(
                "ruleset-subject",
                call.span,
                name=target,
                subject=ruleset.subject,
                here=str(scope.levels[-1]),
            )
            return checker.failed(call.span)

        return handler


def _roots(c: Criterion) -> list[ir.Node]:
    roots = [n for n in (c.test, c.applies) if n is not None]
    roots += [i.condition for i in c.items] + [i.condition for i in c.tiers]
    return roots


def _dotted(node: ast.Expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.name
    if isinstance(node, ast.Attribute):
        base = _dotted(node.obj)
        return None if base is None else f"{base}.{node.name}"
    return None


def _merge_header(base: ast.RulesetHeader | None, child: ast.RulesetHeader) -> ast.RulesetHeader:
    if base is None:
        return child
    inherited = {
        field: getattr(child, field)
        if getattr(child, field) not in (None, ())
        else getattr(base, field)
        for field in (
            "title",
            "title_en",
            "version",
            "effective",
            "basis",
            "subject",
            "period",
            "applies",
        )
    }
    if child.title is not None:
        # (a ruleset of its own: the base's English title and version are not its)
        inherited["title_en"] = child.title_en
        inherited["version"] = child.version
    return attrs.evolve(child, **inherited)


def _display(origin: str) -> str:
    try:
        return os.path.relpath(origin)
    except ValueError:
        return origin


def _constant(checker: Checker, expr: ast.Expr, problems: list[Diagnostic]) -> ir.Const | None:
    """A parameter's value: a constant expression, evaluated now."""
    node = checker.expr(expr, checker.root_scope())
    problems.extend(checker.problems)
    checker.problems = []
    if node.type == t.NOTHING:
        return None
    if any(isinstance(n, (ir.Var, ir.Get, ir.PeriodRef, ir.Aggregate)) for n in ir.walk(node)):
        problems.append(Diagnostic("param-not-constant", {}, expr.span))
        return None
    value = interpret_at(node, (Obj({}, ""),), Context())
    if isinstance(node.type, t.List):
        value = tuple(value.items)
    return ir.Const(value, node.type, span=expr.span)


def _value_of(node: ir.Const) -> Any:
    return list(node.value) if isinstance(node.type, t.List) else node.value


def _fits(given: t.Type, declared: t.Type, value: Any) -> bool:
    if given == declared or t.join(given, declared) == declared:
        return True
    return (
        t.is_number(given)
        and t.is_number(declared)
        and (declared == t.DECIMAL or isinstance(value, int))
    )


def _param_value(name: str, given: Any, declared: t.Type) -> Any:
    """A parameter value from Python: `"95%"` (read as a literal), a number, a bool…"""

    def wrong() -> AntqError:
        return AntqError(
            Diagnostic("param-type", {"name": name, "expected": str(declared), "got": repr(given)})
        )

    if declared == t.PERIOD:
        try:  # (`"2021-01-01 .. 2021-12-31"`, a pair of dates, a `Period`)
            return to_plain_period(given)
        except AntqError as error:
            if error.code == "period-reversed":
                raise
            raise wrong() from None
    try:
        if isinstance(given, str) and not t.is_textual(declared):
            if re.fullmatch(r"\s*[+-]?\d+,\d+\s*%?\s*", given):
                given = given.replace(",", ".")  # 0,7 as a spreadsheet reads it
            value = _literal_value(parse_expression(given, f"<param {name}>"))
        elif isinstance(declared, t.List):
            value = [scalar_reader(declared.item)(x) for x in given]
        else:
            value = scalar_reader(declared)(given)
    except (BadValue, AntqError, TypeError, ValueError):
        raise wrong() from None
    if isinstance(value, bool) != (declared == t.BOOL):
        raise wrong()
    if declared == t.INT and not isinstance(value, int):
        raise wrong()
    if t.is_number(declared) and not isinstance(value, (int, Fraction)):
        raise wrong()
    return value


def _is_share_value(value: Any) -> bool:
    """A value a percentage parameter may take: a number from 0 to 1."""
    return isinstance(value, bool) or not isinstance(value, (int, Fraction)) or 0 <= value <= 1


def _param_share(
    name: str, decl: ast.ParamDecl, span: Span | None, value: Any, written: str
) -> Diagnostic:
    default = " ".join(decl.default.span.text().split()) if decl.default.span else "…%"
    shown = str(value) if isinstance(value, int) else f"{float(value):g}"
    helps: tuple = ()
    if "%" not in written and 1 < value <= 100:  # (`70` meant as 70%; `150%` is just too much)
        helps = (("help-param-percent", {"name": name, "value": shown}),)
    given = " ".join(written.split()) or shown  # (as the user wrote it: `150%`)
    return Diagnostic(
        "param-share", {"name": name, "default": default, "value": given}, span, helps=helps
    )


def _value_spans(default: ast.Expr) -> dict[Any, Span | None]:
    """Where each text value of a parameter's default is written (for
    messages about one of them, and the editor's quick fix)."""
    items = default.items if isinstance(default, ast.ListLiteral) else [default]
    found: dict[Any, Span | None] = {}
    for item in items:
        if isinstance(item, ast.Literal) and isinstance(item.value, str):
            found.setdefault(item.value, item.span)
    return found


def _written(decl: ast.ParamDecl) -> str:
    return decl.default.span.text() if decl.default.span else ""


def _literal_value(expr: ast.Expr) -> Any:
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.Unary) and expr.op == "neg" and isinstance(expr.operand, ast.Literal):
        return -expr.operand.value
    if isinstance(expr, ast.ListLiteral):
        return [_literal_value(item) for item in expr.items]
    raise ValueError("not a literal")


def check_file(path: str | os.PathLike[str], allow: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Check one file: a ruleset is loaded in full; a library (no `ruleset`
    header) is parsed and its schema built. Raises the `AntqError` found."""
    text, origin, base_dir = _resolve(path)
    loader = _Loader(_roots_for(base_dir, allow))
    try:
        assembled = loader.assemble(origin, text, base_dir)
    except RecursionError:
        raise CheckError(Diagnostic("too-deep", {"limit": MAX_USE_DEPTH})) from None
    if assembled.header is not None:
        load(path, allow=allow)
        return
    loader.schema(assembled)
    if loader.problems:
        raise CheckError(loader.problems)


def _unlabelled(node: ast.TypeExpr) -> ast.TypeExpr:
    """A type as written, without its enum labels: a field declared again with
    other labels (or none) keeps its type; the first labels are kept."""
    if isinstance(node, ast.EnumTypeExpr):
        return attrs.evolve(node, labels=())
    if node.args:
        return attrs.evolve(node, args=tuple(_unlabelled(a) for a in node.args))
    return node
