"""A smoke run of the benchmark (tiny sizes): it runs, checks agreement
before timing, and writes its table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parent.parent


def test_the_benchmark_runs_on_tiny_sizes(tmp_path):
    out = tmp_path / "results.md"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "| hand-written Python, one expression per criterion |" in text
    assert "antq_rules compiled" in text and "second load" in text
