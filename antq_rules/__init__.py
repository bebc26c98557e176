"""antq_rules: a checked, exact rules language for Vietnam's ANTQ/ANTT criteria.

The facade most users need:

    from antq_rules import Schema, compile_expression, AntqError
"""

from .cases import CasesReport, run_cases
from .errors import AntqError, CheckError, DataError, ParseError
from .expression import Expression, compile_expression
from .load import load
from .model import Outcome, Status
from .result import Batch, CriterionResult, Result, Summary
from .ruleset import Ruleset
from .schema import Schema
from .shipped import shipped
from .values import UNDEFINED, Period, Range

__version__ = "0.1.0"

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
    "run_cases",
    "shipped",
]
