"""Code in README.md and docs/*.md runs, so the documentation stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def blocks():
    for path in DOCS:
        for index, match in enumerate(BLOCK.finditer(path.read_text(encoding="utf-8"))):
            yield pytest.param(match.group(1), id=f"{path.name}-{index}")


@pytest.mark.parametrize("code", list(blocks()))
def test_doc_code_runs(code, capsys):
    exec(compile(code, "<doc>", "exec"), {"__name__": "__doc_example__"})
