"""The wheel carries the grammar: a non-editable install works from anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contains_grammar_and_works_elsewhere(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--disable-pip-version-check",
            "-w",
            str(wheels),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = wheels.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "antq_rules/grammar/antq.lark" in names
    assert "antq_rules/rulesets/tt124/xa.antq" in names
    assert "antq_rules/result.schema.json" in names
    # (the web front door's pages, and the shipped examples the docs judge)
    assert "antq_rules/web/templates/report.html" in names
    assert "antq_rules/web/static/style.css" in names
    assert "antq_rules/rulesets/qd9745/examples/sung_phai_2025.json" in names
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    script = (
        "import antq_rules, pathlib\n"
        "from antq_rules import Schema, compile_expression\n"
        f"assert pathlib.Path(antq_rules.__file__).is_relative_to({str(site)!r}), antq_rules.__file__\n"
        "s = Schema.from_mapping({'c': {'vs': 'list[v]'}, 'v': {'safe': 'bool'}})\n"
        "e = compile_expression('ratio(vs.safe) >= 70%', schema=s, subject='c')\n"
        "print(e.evaluate({'vs': [{'safe': True}] * 7 + [{'safe': False}] * 3}).status.name)\n"
        "rs = antq_rules.load(antq_rules.shipped('plans/ngoc_dao_2021.antq'))\n"
        "import json\n"
        "data = json.loads(antq_rules.shipped('examples/ngoc_dao_2021_pass.json').read_text(encoding='utf-8'))\n"
        "print(rs.evaluate(data).verdict.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["PASS", "PASS"]
