"""The errors a user can cause, and nothing else.

One base class, `AntqError`; `ParseError`, `CheckError` and `DataError` below
it. Each carries where it happened (a span in the ruleset text, or a data
path such as `villages[3].safe`) and a message id with parameters, so it can
be rendered in English or Vietnamese. No exception from Lark or from inside
the library is meant to reach a caller; the API boundary turns anything
unexpected into an `AntqError` too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from .messages import message, word
from .source import Span


@attrs.frozen
class Diagnostic:
    """One problem: a message id, its parameters, and where it is."""

    code: str
    params: Mapping[str, object] = attrs.field(factory=dict)
    span: Span | None = None
    path: str | None = None
    helps: tuple[tuple[str, Mapping[str, object]], ...] = ()
    # "error"; or, for what a reader noticed but still read, "note" or "warning"
    severity: str = "error"

    def message(self, lang: str = "en") -> str:
        return message(self.code, self.params, lang)

    def render(self, lang: str = "en") -> str:
        head = self.message(lang)
        if self.path is not None:
            head = f"{self.path}: {head}"
        kind = word(self.severity, lang)
        if self.span is not None:
            lines = [f"{self.span.location()}: {kind}: {head}", self.span.snippet()]
        else:
            lines = [f"{kind}: {head}"]
        for code, params in self.helps:
            lines.append(f"{word('help', lang)}: {message(code, params, lang)}")
        return "\n".join(lines)


class AntqError(Exception):
    """Base of every error antq_rules raises for something a user did."""

    def __init__(self, diagnostics: Diagnostic | Sequence[Diagnostic]) -> None:
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        super().__init__(self.render())

    @property
    def first(self) -> Diagnostic:
        return self.diagnostics[0]

    @property
    def code(self) -> str:
        return self.first.code

    @property
    def span(self) -> Span | None:
        return self.first.span

    @property
    def path(self) -> str | None:
        return self.first.path

    @property
    def line(self) -> int | None:
        return None if self.span is None else self.span.line

    @property
    def column(self) -> int | None:
        return None if self.span is None else self.span.column

    @property
    def message(self) -> str:
        """The first problem's sentence, without position or help."""
        return self.first.message()

    def render(self, lang: str = "en") -> str:
        return "\n\n".join(d.render(lang) for d in self.diagnostics)

    def __str__(self) -> str:
        return self.render()


class ParseError(AntqError):
    """The text is not in the language: a stray character, a missing `)`…"""


class CheckError(AntqError):
    """The text parses but does not make sense: an unknown field, a type clash…"""


class DataError(AntqError):
    """The data does not fit the schema: `villages[3].safe: expected bool, got "yes"`."""


def note(code: str, **params: object) -> Diagnostic:
    """Something a reader noticed and handled as the office meant (a merged cell…)."""
    return Diagnostic(code, params, severity="note")


def warning(code: str, **params: object) -> Diagnostic:
    """Something a reader read but a person should know (hidden rows…)."""
    return Diagnostic(code, params, severity="warning")


def did_you_mean(
    name: str, candidates: Sequence[str]
) -> tuple[tuple[str, Mapping[str, object]], ...]:
    """A `did you mean` help for the closest candidate, if one is close enough."""
    from .suggest import closest

    best = closest(name, candidates)
    return (("help-did-you-mean", {"name": best}),) if best else ()
