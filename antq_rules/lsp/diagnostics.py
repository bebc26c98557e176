"""The analysis's problems as LSP diagnostics: exact ranges, the message in the
chosen language with its `help:` suggestions appended, the message id as
code, "antq" as source. A problem in another file is shown on the `use` or
`extends` line that reaches it, with the exact place as related information.
"""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types as lsp

from ..messages import message
from ..source import Span
from .documents import Analysis, Problem, shown_path
from .positions import TextMap
from .texts import say

SOURCE = "antq"

_SEVERITY = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "note": lsp.DiagnosticSeverity.Information,
}

Locate = Callable[[str, Span | None], "lsp.Location | None"]


def text_of(problem: Problem, lang: str) -> str:
    """The message, then each help, as one line."""
    diagnostic = problem.diagnostic
    parts = [diagnostic.message(lang)]
    parts.extend(message(code, params, lang) for code, params in diagnostic.helps)
    return " — ".join(parts)


def to_lsp(
    analysis: Analysis, text_map: TextMap, lang: str, locate: Locate
) -> list[tuple[lsp.Diagnostic, Problem]]:
    found: list[tuple[lsp.Diagnostic, Problem]] = []
    for problem in analysis.problems:
        span = problem.span
        if span is not None:
            where = text_map.range(span.start, span.end)
        else:
            start = lsp.Position(line=0, character=0)
            where = lsp.Range(start=start, end=start)
        text = text_of(problem, lang)
        related = None
        if problem.elsewhere is not None:
            shown = shown_path(problem.elsewhere, analysis.base_dir)
            text = say("in-file", lang, path=shown, message=text)
            location = locate(problem.elsewhere, problem.diagnostic.span)
            if location is not None:
                related = [
                    lsp.DiagnosticRelatedInformation(
                        location=location, message=say("problem-here", lang)
                    )
                ]
        diagnostic = lsp.Diagnostic(
            range=where,
            message=text,
            severity=_SEVERITY.get(problem.diagnostic.severity, lsp.DiagnosticSeverity.Error),
            code=problem.diagnostic.code,
            source=SOURCE,
            related_information=related,
        )
        found.append((diagnostic, problem))
    return found
