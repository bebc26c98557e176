"""A pytest plugin: rulesets' `*.cases.yaml` files are collected by plain `pytest`.

Each case and each property becomes a test item; a failing case reports,
per criterion, the expected and the actual outcome with the values that
decided it. Registered through the `pytest11` entry point; disable it with
`pytest -p no:antq`.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .casefiles import CASES_SUFFIXES, read_cases
from .cases import CasesReport, run_case, run_property


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    if file_path.name.endswith(CASES_SUFFIXES):
        return CasesFile.from_parent(parent, path=file_path)
    return None


class CaseFailure(Exception):
    """A case or property that did not come out as expected (the report says how)."""


class CasesFile(pytest.File):
    def collect(self) -> Iterator[Any]:
        document = read_cases(self.path)
        for index, case in enumerate(document.get("cases", [])):
            name = (
                str(case.get("name", f"cases[{index}]"))
                if isinstance(case, dict)
                else f"cases[{index}]"
            )
            yield CaseItem.from_parent(self, name=name, document=document, index=index, kind="case")
        for index, prop in enumerate(document.get("properties", [])):
            name = (
                str(prop.get("name", f"properties[{index}]"))
                if isinstance(prop, dict)
                else f"properties[{index}]"
            )
            yield CaseItem.from_parent(
                self, name=f"property: {name}", document=document, index=index, kind="property"
            )


class CaseItem(pytest.Item):
    def __init__(self, *, document: Any, index: int, kind: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.document = document
        self.index = index
        self.kind = kind

    def runtest(self) -> None:
        runner = run_case if self.kind == "case" else run_property
        outcome = runner(self.path, self.document, self.index)
        if not outcome.passed:
            raise CaseFailure(CasesReport((outcome,)).render("en"))

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        if isinstance(excinfo.value, CaseFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int, str]:
        return self.path, 0, f"{self.kind}: {self.name}"
