"""Code in README.md and docs/*.md runs, so the documentation stays true."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_doc_code_runs(path, monkeypatch, tmp_path):
    """The Python blocks of one document run in order, sharing their names, from
    the repository's root (as a reader following along would)."""
    monkeypatch.chdir(ROOT)
    namespace = {"__name__": "__doc_example__"}
    for index, match in enumerate(BLOCK.finditer(path.read_text(encoding="utf-8"))):
        exec(compile(match.group(1), f"<{path.name} block {index}>", "exec"), namespace)
