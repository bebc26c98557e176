"""Test cases for rule authors: data and the outcome it must get.

A ruleset's cases live next to it in `<name>.cases.yaml`:

    ruleset: xa.antq              # optional: the .antq file of the same name
    year: 2021                    # optional, also per case
    cases:
      - name: Ngọc Đào meets every criterion
        data_file: examples/ngoc_dao_pass.json   # or `data:` inline
        expect:
          verdict: PASS
          level: Xuất sắc
          score: 85
          met: 7/7
          criteria: {TC1: PASS, TC3: FAIL}

`run_cases(path)` runs them (a cases file, a ruleset, or a folder of
either) and returns a `CasesReport` that, for each failing case, shows the
expected against the actual outcome of each criterion with the values that
decided it. The command line's `antq test` and the pytest plugin call this.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from .casefiles import (
    CASE_KEYS,
    check_keys,
    check_settings,
    data_of,
    find_case_files,
    read_cases,
    ruleset_of,
    settings_of,
    shape_error,
)
from .errors import AntqError
from .limits import DEFAULT, Limits
from .messages import word
from .model import Status
from .result import Result
from .ruleset import Ruleset
from .suggest import closest

STATUSES = {s.name for s in Status}


@attrs.frozen
class Mismatch:
    what: str  # "verdict", "level", "score", "met", or a criterion id
    expected: Any
    actual: Any
    explanation: Any = attrs.field(default=None, eq=False, repr=False)  # of a criterion


@attrs.frozen
class CaseOutcome:
    file: str
    name: str
    mismatches: tuple[Mismatch, ...] = ()
    error: AntqError | None = attrs.field(default=None, eq=False)
    result: Result | None = attrs.field(default=None, eq=False, repr=False)
    # With keep_data: (ruleset, data, year, period) — for coverage.
    run: tuple[Any, ...] | None = attrs.field(default=None, eq=False, repr=False)
    failure: str | None = None  # a property that does not hold: the counterexample

    @property
    def passed(self) -> bool:
        return self.error is None and not self.mismatches and self.failure is None


@attrs.frozen
class CasesReport:
    cases: tuple[CaseOutcome, ...]

    @property
    def passed(self) -> int:
        return sum(1 for c in self.cases if c.passed)

    @property
    def failed(self) -> int:
        return len(self.cases) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def __bool__(self) -> bool:
        return self.ok

    def render(self, lang: str = "en") -> str:
        return render_report(self, lang)


def run_cases(
    path: str | os.PathLike[str],
    *,
    keep_data: bool = False,
    allow: Iterable[str | os.PathLike[str]] = (),
    limits: Limits = DEFAULT,
) -> CasesReport:
    """Run the test cases of a cases file, of a ruleset, or of every ruleset in a
    folder. The rulesets may `use` files in `allow` (and, for a folder, in it);
    `limits` are the readers' (for cases files and their data files)."""
    outcomes: list[CaseOutcome] = []
    folders = [*allow, *([path] if Path(path).is_dir() else [])]
    for cases_file in find_case_files(Path(path)):
        outcomes.extend(run_file(cases_file, keep_data, tuple(folders), limits))
    return CasesReport(tuple(outcomes))


def run_file(
    cases_file: Path,
    keep_data: bool = False,
    allow: tuple[Any, ...] = (),
    limits: Limits = DEFAULT,
) -> Iterator[CaseOutcome]:
    document = read_cases(cases_file, limits)
    for index in range(len(document.get("cases", []))):
        yield run_case(cases_file, document, index, keep_data, allow, limits)
    for index in range(len(document.get("properties", []))):
        yield run_property(cases_file, document, index, allow)


def run_case(
    cases_file: Path,
    document: Mapping[str, Any],
    index: int,
    keep_data: bool = False,
    allow: tuple[Any, ...] = (),
    limits: Limits = DEFAULT,
) -> CaseOutcome:
    """One case of a cases file."""
    case = document["cases"][index]
    at = f"cases[{index}]"
    name = str(case.get("name", at)) if isinstance(case, Mapping) else at
    try:
        if not isinstance(case, Mapping):
            raise shape_error(cases_file, at, "each case is a mapping with `data` and `expect`")
        check_keys(cases_file, at, case, CASE_KEYS)
        settings = settings_of(document, case)
        check_settings(cases_file, at, document, case)
        ruleset = ruleset_of(cases_file, document, case, settings["params"], allow)
        data = data_of(case, cases_file.parent, cases_file, at, limits)
        result = ruleset.evaluate(data, year=settings["year"], period=settings["period"])
        expect = case.get("expect")
        if not isinstance(expect, Mapping):
            raise shape_error(cases_file, f"{at}.expect", "expected a mapping (verdict, criteria…)")
        mismatches = compare(ruleset, result, expect, cases_file, f"{at}.expect")
        run = (ruleset, data, settings["year"], settings["period"]) if keep_data else None
        return CaseOutcome(str(cases_file), name, tuple(mismatches), result=result, run=run)
    except AntqError as error:
        return CaseOutcome(str(cases_file), name, error=error)


def run_property(
    cases_file: Path, document: Mapping[str, Any], index: int, allow: tuple[Any, ...] = ()
) -> CaseOutcome:
    """One property of a cases file, checked with Hypothesis on generated data."""
    from .properties import check_property

    spec = document["properties"][index]
    at = f"properties[{index}]"
    name = str(spec.get("name", at)) if isinstance(spec, Mapping) else at
    try:
        if not isinstance(spec, Mapping):
            raise shape_error(cases_file, at, "each property is a mapping")
        settings = settings_of(document, spec)
        check_settings(cases_file, at, document, spec)
        ruleset = ruleset_of(cases_file, document, spec, settings["params"], allow)
        failure = check_property(ruleset, spec, cases_file, at, settings, allow)
        return CaseOutcome(str(cases_file), f"property: {name}", failure=failure)
    except AntqError as error:
        return CaseOutcome(str(cases_file), f"property: {name}", error=error)


def compare(
    ruleset: Ruleset, result: Result, expect: Mapping[str, Any], file: Path, at: str
) -> list[Mismatch]:
    out: list[Mismatch] = []
    for key, expected in expect.items():
        if key == "verdict":
            _status(expected, file, f"{at}.verdict")
            if result.verdict.name != expected:
                out.append(Mismatch("verdict", expected, result.verdict.name))
        elif key == "level":
            if result.level != expected:
                actual = result.level or (list(result.level_candidates) or None)
                out.append(Mismatch("level", expected, actual))
        elif key in ("score", "max_score"):
            actual = getattr(result, key)
            if not _same_number(expected, actual):
                out.append(Mismatch(key, expected, actual))
        elif key == "met":
            if str(expected) != result.summary_line():
                out.append(Mismatch("met", str(expected), result.summary_line()))
        elif key == "criteria":
            if not isinstance(expected, Mapping):
                raise shape_error(
                    file, f"{at}.criteria", "expected a mapping of criterion ids to outcomes"
                )
            for cid, status in expected.items():
                cid = str(cid)
                _status(status, file, f"{at}.criteria.{cid}")
                got = result.criteria.get(cid)
                if got is None:
                    hint = closest(cid, list(result.criteria))
                    detail = f"there is no criterion `{cid}`" + (
                        f" (did you mean `{hint}`?)" if hint else ""
                    )
                    raise shape_error(file, f"{at}.criteria.{cid}", detail)
                if got.status.name != status:
                    out.append(Mismatch(cid, status, got.status.name, got.explanation))
        else:
            hint = closest(str(key), ["verdict", "level", "score", "max_score", "met", "criteria"])
            raise shape_error(
                file, f"{at}.{key}", "unknown key" + (f" (did you mean `{hint}`?)" if hint else "")
            )
    return out


def _status(value: Any, file: Path, at: str) -> None:
    # (YAML gives lists and mappings too, which cannot be looked up in a set)
    if not isinstance(value, str) or value not in STATUSES:
        raise shape_error(file, at, f"`{value}` is not an outcome; use PASS, FAIL, UNKNOWN or NA")


def _same_number(expected: Any, actual: Any) -> bool:
    try:
        if isinstance(expected, float):
            expected = Fraction(repr(expected))
        elif isinstance(expected, str):
            expected = Fraction(expected.strip().replace(",", "."))
    except (ValueError, ZeroDivisionError):
        return False
    try:
        return expected == actual
    except TypeError:
        return False


def render_report(report: CasesReport, lang: str = "en") -> str:
    from .report.view import notes

    lines: list[str] = []
    for case in report.cases:
        mark = "ok  " if case.passed else "FAIL"
        lines.append(f"{mark} {case.file} :: {case.name}")
        if case.error is not None:
            lines += ["     " + line for line in case.error.render(lang).splitlines()]
        if case.failure is not None:
            lines += ["     " + line for line in case.failure.splitlines()]
        for m in case.mismatches:
            expected, got = word("expected", lang), word("got", lang)
            lines.append(f"     {m.what}: {expected} {m.expected}, {got} {m.actual}")
            if m.explanation is not None:
                lines += [f"         • {note}" for note in notes(m.explanation, lang)]
    lines.append(f"{report.passed} {word('passed', lang)}, {report.failed} {word('failed', lang)}")
    return "\n".join(lines) + "\n"
