"""antq_rules: a checked, exact rules language for Vietnam's ANTQ/ANTT criteria.

The facade most users need:

    from antq_rules import Schema, compile_expression, AntqError

Names are imported on first use (PEP 562), so `import antq_rules` and
`antq --version` do not pay for the parser, the evaluators or the readers
until something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_LAZY = {
    "CasesReport": ".cases",
    "run_cases": ".cases",
    "AntqError": ".errors",
    "CheckError": ".errors",
    "DataError": ".errors",
    "ParseError": ".errors",
    "Expression": ".expression",
    "compile_expression": ".expression",
    "load": ".loader",
    "read_data": ".readers",
    "Outcome": ".model",
    "Status": ".model",
    "Batch": ".result",
    "CriterionResult": ".result",
    "Result": ".result",
    "Summary": ".result",
    "Ruleset": ".ruleset",
    "Schema": ".schema",
    "shipped": ".library",
    "UNDEFINED": ".values",
    "Period": ".values",
    "Range": ".values",
}

__all__ = [
    "UNDEFINED",
    "AntqError",
    "Batch",
    "CasesReport",
    "CheckError",
    "CriterionResult",
    "DataError",
    "Expression",
    "Outcome",
    "ParseError",
    "Period",
    "Range",
    "Result",
    "Ruleset",
    "Schema",
    "Status",
    "Summary",
    "__version__",
    "compile_expression",
    "load",
    "read_data",
    "run_cases",
    "shipped",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'antq_rules' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # (the next lookup is a plain one)
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


if TYPE_CHECKING:  # for type checkers and editors, which do not run __getattr__
    from .cases import CasesReport, run_cases
    from .errors import AntqError, CheckError, DataError, ParseError
    from .expression import Expression, compile_expression
    from .library import shipped
    from .loader import load
    from .model import Outcome, Status
    from .readers import read_data
    from .result import Batch, CriterionResult, Result, Summary
    from .ruleset import Ruleset
    from .schema import Schema
    from .values import UNDEFINED, Period, Range
