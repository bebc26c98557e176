"""The editor's three actions on ruleset text: check it (the loader's own
diagnostics, with line, column and suggestion), format it (`antq fmt`),
and run its test cases.

Cases come as the text of a `.cases.yaml`. Their data is given inline
(`data:`), or — for a ruleset opened from the server's catalog — as a
`data_file` beside it inside the server's folders; any other file is
refused by name, never opened.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..casefiles import check_settings, settings_of
from ..cases import compare
from ..errors import AntqError, Diagnostic
from ..limits import Limits
from ..readers.documents import load_yaml
from ..readers.records import JSON_SUFFIXES, YAML_SUFFIXES, read_json, read_yaml
from ..report.view import notes
from ..syntax.fmt import format_ruleset
from .jobs import Cancelled, stoppable
from .sandbox import TEXT_ORIGIN, Sandbox

CASES_ORIGIN = "<cases>"


@attrs.frozen
class Checked:
    ok: bool
    diagnostics: tuple[dict[str, Any], ...]
    ruleset_id: str | None = None
    criteria: int = 0


def check(sandbox: Sandbox, text: str, lang: str, base_dir: Path | None = None) -> Checked:
    try:
        ruleset = sandbox.load(text, base_dir=base_dir)
    except AntqError as error:
        return Checked(False, tuple(sandbox.diagnostics(error, lang)))
    return Checked(True, (), ruleset.id, len(ruleset.criteria))


def format_text(text: str) -> str:
    return format_ruleset(text, TEXT_ORIGIN)


@attrs.frozen
class CaseRun:
    name: str
    passed: bool
    lines: tuple[str, ...]  # what differed, or the error


@attrs.frozen
class CasesRun:
    cases: tuple[CaseRun, ...]
    properties: int  # properties in the file, which `antq test` runs

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed


def run_cases(
    sandbox: Sandbox,
    text: str,
    cases_text: str,
    lang: str,
    limits: Limits,
    cancel: threading.Event,
    data_root: Path | None = None,
) -> CasesRun:
    document = load_yaml(cases_text, CASES_ORIGIN, limits)
    if not isinstance(document, Mapping) or not isinstance(document.get("cases", []), list):
        raise _shape("(top)", "expected a mapping with a `cases` list")
    properties = document.get("properties", [])
    out: list[CaseRun] = []
    for index, case in enumerate(document.get("cases", [])):
        if cancel.is_set():
            raise Cancelled
        at = f"cases[{index}]"
        name = str(case.get("name", at)) if isinstance(case, Mapping) else at
        try:
            if not isinstance(case, Mapping):
                raise _shape(at, "each case is a mapping with `data` and `expect`")
            check_settings(Path(CASES_ORIGIN), at, document, case)
            settings = settings_of(document, case)
            params = settings["params"] or None
            ruleset = sandbox.load(text, params, base_dir=data_root)
            data = _data(case, at, sandbox, data_root, limits)
            with stoppable():  # (a pasted ruleset may judge for hours)
                result = ruleset.evaluate(data, year=settings["year"], period=settings["period"])
            expect = case.get("expect")
            if not isinstance(expect, Mapping):
                raise _shape(f"{at}.expect", "expected a mapping (verdict, criteria…)")
            mismatches = compare(ruleset, result, expect, Path(CASES_ORIGIN), f"{at}.expect")
            lines: list[str] = []
            for m in mismatches:
                lines.append(
                    f"{m.what}: {_w('expected', lang)} {m.expected}, {_w('got', lang)} {m.actual}"
                )
                if m.explanation is not None:
                    lines += [f"  • {note}" for note in notes(m.explanation, lang)]
            out.append(CaseRun(name, not mismatches, tuple(lines)))
        except AntqError as error:
            out.append(CaseRun(name, False, (sandbox.render(error, lang),)))
    count = len(properties) if isinstance(properties, list) else 0
    return CasesRun(tuple(out), count)


def _w(key: str, lang: str) -> str:
    from ..messages import word

    return word(key, lang)


def _data(
    case: Mapping[str, Any], at: str, sandbox: Sandbox, root: Path | None, limits: Limits
) -> Any:
    if "data" in case and "data_file" in case:
        raise _shape(at, "give `data` or `data_file`, not both")
    if "data" in case:
        return case["data"]
    if "data_file" not in case:
        raise _shape(at, "a case needs `data` or `data_file`")
    name = str(case["data_file"])
    refused = AntqError(Diagnostic("web-cases-data-file", {"at": at, "name": name[:120]}))
    if root is None:
        raise refused
    try:
        path = (root / name).resolve()
    except (OSError, ValueError, RuntimeError):
        raise refused from None
    inside = any(path.is_relative_to(r) for r in sandbox.roots)
    suffix = path.suffix.lower()
    if not inside or suffix not in (*JSON_SUFFIXES, *YAML_SUFFIXES) or not path.is_file():
        raise refused
    return (
        read_yaml(path, None, limits) if suffix in YAML_SUFFIXES else read_json(path, None, limits)
    )


def _shape(at: str, detail: str) -> AntqError:
    return AntqError(Diagnostic("bad-cases", {"file": CASES_ORIGIN, "at": at, "detail": detail}))
