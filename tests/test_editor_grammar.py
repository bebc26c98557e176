"""The VS Code extension (editors/vscode): its manifest, its language configuration,
and its TextMate grammar, which must colour every shipped ruleset as the parser reads it.

The grammar is run as VS Code runs it, with the npm packages `vscode-textmate` and
`vscode-oniguruma` (`npm ci --prefix editors/vscode/test`), in one node process for
all the files. The parser's own lexer (grammar/antq.lark, with every token kept and
the comments collected) says what each piece of text is; each token's TextMate scopes
must agree. Without node or the packages the tests skip, unless ANTQ_REQUIRE_ALL=1.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import lark
import pytest
from lark import Token, Tree

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
NODE_TEST = VSCODE / "test"
TOKENIZE = NODE_TEST / "tokenize.js"
NODE_PACKAGES = ("vscode-textmate", "vscode-oniguruma")
RULESETS = sorted((ROOT / "rulesets").rglob("*.antq"))

KEYWORD = ("keyword.control.antq", "storage.type.antq")
# Lark terminals that are keywords of the declarations.
KEYWORD_TERMINALS = frozenset(
    {
        *("RULESET", "EXTENDS", "TITLE", "VERSION", "EFFECTIVE", "BASIS", "SUBJECT"),
        *("PERIOD_KW", "APPLIES", "WHEN", "USE", "AS", "PARAM", "OVERRIDE", "DEFINE"),
        *("GROUP", "CRITERION", "REPLACE", "DROP", "SOURCE", "POINTS", "MANDATORY"),
        *("PROVISIONAL", "ITEM", "VERDICT", "LEVEL", "ENTITY", "ENUM"),
    }
)
LOGICAL_TERMINALS = frozenset({"AND", "OR", "NOT", "IN", "WHERE"})
OPERATOR_TERMINALS = frozenset(
    {"COMP_OP", "QQ", "DOTDOT", "MINUS", "PLUS", "STAR", "SLASH", "EQUAL"}
)
PUNCTUATION_TERMINALS = frozenset({"LPAR", "RPAR", "LSQB", "RSQB", "COMMA", "COLON"})
AGGREGATES = frozenset(
    {"count", "ratio", "sum", "avg", "min", "max", "all", "any", "none", "passes", "applies"}
    | {"single"}
)
BUILTIN_TYPES = frozenset({"bool", "int", "decimal", "text", "date", "list"})
# Scopes that text inside a string or a comment must never get.
FOREIGN_IN_TEXT = ("keyword.", "storage.", "support.", "entity.", "variable.", "constant.language")
ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|.)")

# Every construct of the language, including the corners the shipped rulesets do
# not use: escapes, `92.5 %`, `≥ ≤ ≠`, keywords as field names and inside
# parentheses, `replace`/`drop`/`override`, items and tiers, levels, `verdict`.
SAMPLE = r"""# Mẫu: and or not in where "criterion" 95% 2021-01-01
ruleset mẫu.xã_thử extends "../tt124/xa.antq"
  title "Xã “thử” and \"trích\" \\ \n \t \u00e1 # không phải chú thích"
  title en "Sample: where criterion param"
  version "1"
  effective 2022-02-10
  basis "Điều 5 # and"
  subject commune
  period 2021-01-01 .. 2021-12-15
  applies when kind != "đặc khu"   # not and or "x"

use "kdc.antq" as kdc

entity commune "Xã"
  level: int "Cấp"
  source: text
  tỉ_lệ: decimal
  xóm_list: list[hamlet] "Các xóm"
  loại: enum["a", "b"]

enum mức ["thấp", "cao",]

override param ngưỡng = 92.5 % "Ngưỡng"
override define đơn_vị = units where kind in ["agency"] and not true
param p2 = 0.95

group g1 "Nhóm" title en "Group"
group g1

replace criterion C1a "Thay thế"
  title en "Replaced"
  source "Nguồn"
  provisional
  mandatory
  points 3
  (level) >= 1 and not (source == "x") or tỉ_lệ ≥ 95% and 2 ≠ 3 and 1 ≤ 2 and -1 < 0
  applies when applies(C1b) and passes(kdc) and single(xóm_list) != false

drop criterion C2a

criterion X1 "Điểm"
  item "Một" points 1 when sum(xóm_list where true, 1) > 0
  points 2 when ratio(xóm_list.recognised_safe) ?? 100% >= 90%

level "Tốt" when score >= 3 and max_score > 0
level "Đạt"
verdict passes(X1) or count(xóm_list) * 2 / 1 - 1 + 0 == 0 and period.year > 2020
"""

ANNUAL_SAMPLE = """ruleset annual
  title "Hằng năm"
  period "16/11" .. "15/11"
"""


class TmToken(NamedTuple):
    start: int  # in characters of its line
    end: int
    text: str
    scopes: tuple[str, ...]


class Tokenized(NamedTuple):
    text: str
    lines: list[list[TmToken]]


def _unavailable(reason: str) -> None:
    if os.environ.get("ANTQ_REQUIRE_ALL") == "1":
        pytest.fail(f"{reason} (ANTQ_REQUIRE_ALL=1)")
    pytest.skip(reason)


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not on PATH: the editor grammar tests need Node.js")
    missing = [p for p in NODE_PACKAGES if not (NODE_TEST / "node_modules" / p).is_dir()]
    if missing:
        _unavailable(
            f"editors/vscode/test/node_modules lacks {', '.join(missing)}: "
            "run `npm ci --prefix editors/vscode/test`"
        )
    assert node is not None
    return node


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8-sig")


@functools.lru_cache(maxsize=1)
def _lark() -> tuple[lark.Lark, list[Token]]:
    comments: list[Token] = []
    parser = lark.Lark(
        _read(ROOT / "grammar" / "antq.lark"),
        parser="lalr",
        lexer="contextual",
        start="start_ruleset",
        keep_all_tokens=True,
        maybe_placeholders=False,
        lexer_callbacks={"COMMENT": comments.append},
    )
    return parser, comments


@pytest.fixture(scope="module")
def tokenized(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Tokenized]:
    """Every shipped ruleset (by path) and the samples ("sample", "annual"), tokenized
    in one node run."""
    node = _node()
    folder = tmp_path_factory.mktemp("antq-samples")
    (folder / "sample.antq").write_text(SAMPLE, encoding="utf-8")
    (folder / "annual.antq").write_text(ANNUAL_SAMPLE, encoding="utf-8")
    keys = {str(p): str(p) for p in RULESETS}
    keys[str(folder / "sample.antq")] = "sample"
    keys[str(folder / "annual.antq")] = "annual"
    done = subprocess.run(
        [node, str(TOKENIZE)],
        input="\n".join(keys),
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["grammar"] == "source.antq"
    result: dict[str, Tokenized] = {}
    for name, lines in out["files"].items():
        whole = _read(Path(name))
        text_lines = whole.split("\n")
        assert len(lines) == len(text_lines), name
        converted = []
        for number, (line, text) in enumerate(zip(lines, text_lines, strict=True), start=1):
            tokens, at = [], 0
            for tok in line:
                tokens.append(TmToken(at, at + len(tok["text"]), tok["text"], tuple(tok["scopes"])))
                at += len(tok["text"])
            assert "".join(t.text for t in tokens) == text.rstrip("\r"), f"{name}:{number}"
            converted.append(tokens)
        result[keys[name]] = Tokenized(whole, converted)
    assert set(result) == set(keys.values())
    return result


def _walk(tree: Tree) -> Iterator[tuple[Tree, int, Token]]:
    for i, child in enumerate(tree.children):
        if isinstance(child, Token):
            yield tree, i, child
        else:
            yield from _walk(child)


def _expectations(tree: Tree) -> Iterator[tuple[Token, Any]]:
    """(token, what its scopes must be) for every token the parser kept: a tuple of
    acceptable scope prefixes, "string", or "no-keyword"."""
    for parent, i, tok in _walk(tree):
        kind, rule = tok.type, parent.data
        before = parent.children[i - 1] if i else None
        after_title = isinstance(before, Token) and before.type == "TITLE"
        if kind in KEYWORD_TERMINALS:
            yield tok, KEYWORD
        elif kind in LOGICAL_TERMINALS:
            yield tok, ("keyword.operator.logical.antq",)
        elif kind in OPERATOR_TERMINALS:
            yield tok, ("keyword.operator.antq",)
        elif kind in {"INT", "DECIMAL", "PERCENT"}:
            yield tok, ("constant.numeric.antq",)
        elif kind == "DATE":
            yield tok, ("constant.numeric.date.antq",)
        elif kind in {"TRUE", "FALSE"}:
            yield tok, ("constant.language.antq",)
        elif kind == "STRING":
            yield tok, "annual" if rule == "h_period_annual" else "string"
        elif kind == "FIELD_NAME":
            yield tok, ("variable.other.property.antq",)
        elif kind in PUNCTUATION_TERMINALS:
            yield tok, ("punctuation.",)
        elif kind == "DOT":
            yield (
                tok,
                ("entity.name.type.antq",)
                if rule == "dotted_name"
                else ("punctuation.accessor.antq",),
            )
        elif kind != "NAME":
            raise AssertionError(f"no expectation for {kind} {tok!r}")
        elif rule == "call":
            yield tok, ("support.function.antq" if tok in AGGREGATES else "variable.function.antq",)
        elif rule in {"criterion_decl", "drop_decl"}:
            yield tok, ("entity.name.function.antq",)
        elif rule in {"dotted_name", "entity_decl", "enum_decl", "h_subject"}:
            yield tok, ("entity.name.type.antq",)
        elif rule in {"named_type", "generic_type"}:
            yield tok, ("support.type.antq" if tok in BUILTIN_TYPES else "entity.name.type.antq",)
        elif rule in {"h_title", "c_title"} or (rule == "group_decl" and after_title):
            yield tok, KEYWORD  # the language of a title: `title en "…"`
        elif rule == "group_decl":
            yield tok, ("entity.name.section.antq",)
        elif rule == "param_decl":
            yield tok, ("variable.other.constant.antq",)
        elif rule == "define_decl":
            yield tok, ("entity.name.variable.antq",)
        elif rule == "use_decl":
            yield tok, ("entity.name.namespace.antq",)
        elif rule == "attr":
            yield tok, ("variable.other.member.antq",)
        elif rule == "name":
            yield tok, ("variable.other.antq", "variable.language.antq")
        else:
            yield tok, "no-keyword"


def _overlapping(lines: list[list[TmToken]], tok: Token) -> list[TmToken]:
    start = tok.column - 1
    end = start + len(tok)
    return [t for t in lines[tok.line - 1] if t.start < end and t.end > start]


def _show(tokens: list[TmToken]) -> str:
    return "; ".join(f"{t.text!r} {' '.join(t.scopes[1:])}" for t in tokens)


def _text_problems(
    lines: list[list[TmToken]], tok: Token, scope: str, numbers_allowed: bool = False
) -> list[str]:
    """A comment or string: all of it has `scope`, none of it a scope of code."""
    problems = []
    over = _overlapping(lines, tok)
    start = tok.column - 1
    if not over or over[0].start > start or over[-1].end < start + len(tok):
        problems.append(f"{tok!r}: not covered by the tokens {_show(over)}")
    for t in over:
        foreign = [
            s
            for s in t.scopes
            if s.startswith(FOREIGN_IN_TEXT)
            or (s.startswith("constant.numeric") and not numbers_allowed)
        ]
        if scope not in t.scopes or foreign:
            problems.append(f"{tok!r}: {t.text!r} has {' '.join(t.scopes[1:])}, wants {scope}")
    return problems


def _problems(name: str, text: str, lines: list[list[TmToken]]) -> tuple[list[str], dict[str, int]]:
    """Where the TextMate scopes disagree with the parser's tokens; and how many
    tokens of each kind were checked."""
    parser, comments = _lark()
    comments.clear()
    tree = parser.parse(text)
    problems: list[str] = []
    seen: dict[str, int] = {}

    def count(kind: str) -> None:
        seen[kind] = seen.get(kind, 0) + 1

    for tok in comments:
        count("comment")
        problems += [
            f"{name}:{tok.line}:{tok.column}: {p}"
            for p in _text_problems(lines, tok, "comment.line.number-sign.antq")
        ]
    for tok, want in _expectations(tree):
        where = f"{name}:{tok.line}:{tok.column}"
        over = _overlapping(lines, tok)
        if want in {"string", "annual"}:
            count("string")
            if re.search(r"[^\x00-\x7f“”]", tok) and re.search(r"[“”]", tok):
                count("vietnamese string with curly quotes")
            problems += [
                f"{where}: {p}"
                for p in _text_problems(
                    lines, tok, "string.quoted.double.antq", numbers_allowed=want == "annual"
                )
            ]
            for escape in ESCAPE.finditer(tok):
                count("escape")
                at = tok.column - 1 + escape.start()
                inside = [t for t in over if t.start < at + len(escape[0]) and t.end > at]
                if any("constant.character.escape.antq" not in t.scopes for t in inside):
                    problems.append(f"{where}: escape {escape[0]!r}: {_show(inside)}")
            if want == "annual":
                count("annual period")
                body = [t for t in over if t.text != '"']
                if any("constant.numeric.date.antq" not in t.scopes for t in body):
                    problems.append(f"{where}: day/month {tok!r}: {_show(body)}")
            continue
        if want == "no-keyword":
            count("no-keyword name")
            if any(s.startswith(("keyword.", "storage.")) for t in over for s in t.scopes):
                problems.append(f"{where}: name {tok!r} is coloured as a keyword: {_show(over)}")
            continue
        count(tok.type if tok.type != "NAME" else want[0])
        if not over or any(not any(s.startswith(want) for s in t.scopes) for t in over):
            problems.append(f"{where}: {tok.type} {tok!r} wants {' or '.join(want)}: {_show(over)}")
    return problems, seen


def _check(tokenized: dict[str, Tokenized], key: str) -> dict[str, int]:
    name = Path(key).relative_to(ROOT).as_posix() if key.startswith(str(ROOT)) else key
    problems, seen = _problems(name, tokenized[key].text, tokenized[key].lines)
    if problems:
        pytest.fail(f"{len(problems)} problems:\n" + "\n".join(problems[:40]), pytrace=False)
    return seen


@pytest.mark.parametrize("path", RULESETS, ids=lambda p: str(p.relative_to(ROOT / "rulesets")))
def test_shipped_ruleset_is_coloured_as_the_parser_reads_it(tokenized, path):
    seen = _check(tokenized, str(path))
    assert seen.get("comment", 0) > 0, "every shipped ruleset starts with a comment"
    assert seen.get("string", 0) > 0


def test_shipped_rulesets_exercise_every_kind_of_token(tokenized):
    seen: dict[str, int] = {}
    for path in RULESETS:
        for kind, n in _check(tokenized, str(path)).items():
            seen[kind] = seen.get(kind, 0) + n
    for kind in (
        "comment",
        "string",
        "vietnamese string with curly quotes",
        "annual period",
        "RULESET",
        "CRITERION",
        "PARAM",
        "DEFINE",
        "ENTITY",
        "ENUM",
        "GROUP",
        "USE",
        "TITLE",
        "SOURCE",
        "AND",
        "OR",
        "NOT",
        "WHERE",
        "IN",
        "INT",
        "PERCENT",
        "DATE",
        "support.function.antq",
        "entity.name.function.antq",
        "FIELD_NAME",
        "support.type.antq",
    ):
        assert seen.get(kind, 0) > 0, f"no {kind} checked in the shipped rulesets"


def test_sample_of_every_construct(tokenized):
    seen = _check(tokenized, "sample")
    for kind in (
        "escape",
        "DECIMAL",
        "COMP_OP",
        "QQ",
        "REPLACE",
        "DROP",
        "OVERRIDE",
        "ITEM",
        "LEVEL",
    ):
        assert seen.get(kind, 0) > 0, kind
    lines = tokenized["sample"].lines

    def scopes_of(text: str) -> list[tuple[str, ...]]:
        return [t.scopes for line in lines for t in line if t.text == text]

    assert all("constant.numeric.antq" in s for s in scopes_of("92.5 %")), scopes_of("92.5 %")
    assert scopes_of("0.95") == [("source.antq", "constant.numeric.antq")]
    assert ("source.antq", "support.function.antq") in scopes_of("applies")
    assert ("source.antq", "keyword.control.antq") in scopes_of("applies")
    for op in ("≥", "≤", "≠", "??", ".."):
        assert ("source.antq", "keyword.operator.antq") in scopes_of(op), op
    # `level` and `source`: keywords, field names, and names in parentheses.
    for word in ("level", "source"):
        assert ("source.antq", "keyword.control.antq") in scopes_of(word)
        assert ("source.antq", "variable.other.antq") in scopes_of(word)
        assert ("source.antq", "meta.field.antq", "variable.other.property.antq") in scopes_of(word)


def test_annual_period_dates(tokenized):
    seen = _check(tokenized, "annual")
    assert seen.get("annual period") == 2


def test_package_json():
    manifest = json.loads(_read(VSCODE / "package.json"))
    assert manifest["name"] == "antq-rules"
    assert manifest["publisher"] == "antq-rules"
    assert manifest["displayName"]
    assert manifest["engines"]["vscode"].startswith("^1.")
    assert "onLanguage:antq" in manifest["activationEvents"]
    assert (VSCODE / manifest["main"]).is_file()
    assert manifest["dependencies"]["vscode-languageclient"].startswith("^9")

    (language,) = [lang for lang in manifest["contributes"]["languages"] if lang["id"] == "antq"]
    assert language["extensions"] == [".antq"]
    assert language["aliases"] == ["ANTQ rules", "antq"]
    assert (VSCODE / language["configuration"]).is_file()

    (grammar,) = manifest["contributes"]["grammars"]
    assert grammar["language"] == "antq"
    assert grammar["scopeName"] == "source.antq"
    tm_path = VSCODE / grammar["path"]
    assert tm_path.is_file()
    assert json.loads(_read(tm_path))["scopeName"] == "source.antq"

    settings = manifest["contributes"]["configuration"]["properties"]
    assert settings["antq.server.command"]["default"] == ["antq", "lsp"]
    assert settings["antq.server.enabled"]["default"] is True


def test_language_configuration():
    config = json.loads(_read(VSCODE / "language-configuration.json"))
    assert config["comments"]["lineComment"] == "#"
    assert ["(", ")"] in config["brackets"]
    assert ["[", "]"] in config["brackets"]
    assert ["{", "}"] in config["brackets"]
    pairs = {(p["open"], p["close"]) for p in config["autoClosingPairs"]}
    assert {("(", ")"), ("[", "]"), ('"', '"'), ("“", "”")} <= pairs
    surrounding = {
        tuple(p) if isinstance(p, list) else (p["open"], p["close"])
        for p in config["surroundingPairs"]
    }
    assert ("“", "”") in surrounding
    rules = config["indentationRules"]
    increase = re.compile(rules["increaseIndentPattern"])
    for line in (
        'criterion C1 "x"',
        "entity commune",
        "  ruleset a.b",
        "define x = y",
        'group g "G"',
        "param p = 1",
        'level "Tốt" when x',
        "enum e [",
        'replace criterion C1 "x"',
        "override param p = 2",
    ):
        assert increase.search(line), line
    for line in ("  level: int", '  source "x"', "  ratio(x) > 1", "# criterion"):
        assert not increase.search(line), line


def test_word_pattern_accepts_vietnamese_names():
    node = _node()
    script = """
const config = require(process.argv[1]);
const wp = config.wordPattern;
const re = new RegExp(typeof wp === 'string' ? wp : wp.pattern, (wp.flags || '') + 'g');
const words = ['xóm_an_toàn', 'Đạt', 'tỉ_lệ2', 'ratio'];
console.log(JSON.stringify(words.map((w) => (w.match(re) || []).join('|'))));
"""
    done = subprocess.run(
        [node, "-e", script, str(VSCODE / "language-configuration.json")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["xóm_an_toàn", "Đạt", "tỉ_lệ2", "ratio"]
