"""Shared schemas and helpers for the test suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from antq_rules import Schema, compile_expression

# Hypothesis profiles: `ci` keeps the suite inside its time budget;
# ANTQ_HYPOTHESIS_PROFILE=deep runs many more examples.
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "deep", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("ANTQ_HYPOTHESIS_PROFILE", "ci"))

DESIGN_SCHEMA_TEXT = """
entity commune "Xã"
  name: text
  villages: list[village]
  units: list[unit]
  incidents: list[incident]
  released_prisoners: list[released_prisoner]
  mass_models: list[mass_model]
  resolution_date: date
  police: police

entity village "Thôn"
  name: text
  safe: bool
  population: int
  households: list[household]

entity household
  registered: bool
  members: int

entity unit
  name: text
  kind: enum["agency", "school", "health_station", "enterprise"]
  safe: bool

entity incident
  kind: text
  serious: bool
  year: int
  date: date
  damage: decimal

entity released_prisoner
  name: text
  record_cleared: bool

entity mass_model
  name: text
  effective: bool

entity police
  disciplined: int
"""

DESIGN_SCHEMA = Schema.from_text(DESIGN_SCHEMA_TEXT, "design.schema")

# The mapping schema (households is a number here).
SIMPLE_SCHEMA = Schema.from_mapping(
    {
        "commune": {"name": "text", "villages": "list[village]", "incidents": "list[incident]"},
        "village": {"name": "text", "safe": "bool", "households": "int"},
        "incident": {"kind": "text", "serious": "bool", "date": "date"},
    }
)

EVALUATORS = ("compiled", "reference")
ROOT = Path(__file__).resolve().parent.parent


def antq(*args: Any, cwd: Any = None, input_: str | None = None) -> tuple[int, str, str]:
    """Run the `antq` command line through its real entry point: (exit code, stdout, stderr)."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-m", "antq_rules.cli", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        input=input_,
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(params=EVALUATORS)
def evaluator(request: pytest.FixtureRequest) -> str:
    return request.param


def run(
    text: str,
    data: Any,
    evaluator: str = "compiled",
    schema: Schema = DESIGN_SCHEMA,
    period: Any = None,
) -> Any:
    """Evaluate `text` on commune `data`; return the Outcome."""
    expr = compile_expression(text, schema=schema, subject="commune")
    return expr.evaluate(data, evaluator=evaluator, period=period)


def villages(*safe: Any) -> dict[str, Any]:
    return {"villages": [{"safe": s} for s in safe]}


# ------------------------------------------------ ANTQ_REQUIRE_ALL=1 (CI)
# A test that needs something absent (node's packages, a server, an optional
# extra) skips with its reason on a developer's machine; in CI, where
# `.ci/run` installs everything, such a skip is a failure.


def _required() -> bool:
    return os.environ.get("ANTQ_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Any:
    outcome = yield
    report = outcome.get_result()
    if _required() and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but ANTQ_REQUIRE_ALL=1 requires it: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Any:
    outcome = yield
    report = outcome.get_result()
    if _required() and report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped, but ANTQ_REQUIRE_ALL=1 requires it: {reason}"
