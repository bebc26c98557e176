"""Quick fixes: the edits a diagnostic's own help already spells out.

* "did you mean `X`?" (`help-did-you-mean`) → replace the diagnostic's range
  with X (quoted when the range is a quoted value, as for an enum value);
* a decimal comma (`0,7`) → `0.7`, or the same as a percentage (`70%`);
* `=` where a comparison was meant → `==`;
* a number in quotes compared with a number (`help-unquote`) → the number.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from .documents import Problem
from .texts import say


def _touches(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _replacements(problem: Problem) -> list[str]:
    diagnostic = problem.diagnostic
    written = problem.span.text() if problem.span is not None else ""
    found: list[str] = []
    if diagnostic.code == "decimal-comma":
        found += [str(diagnostic.params["dot"]), str(diagnostic.params["percent"])]
    elif diagnostic.code == "single-equals":
        found.append("==")
    for code, params in diagnostic.helps:
        if code == "help-did-you-mean":
            name = str(params["name"])
            quoted = len(written) >= 2 and written[0] == written[-1] == '"'
            found.append(f'"{name}"' if quoted else name)
        elif code == "help-unquote":
            found.append(str(params["text"]))
    return list(dict.fromkeys(found))


def quick_fixes(
    uri: str,
    diagnostics: list[tuple[lsp.Diagnostic, Problem]],
    where: lsp.Range,
    lang: str,
) -> list[lsp.CodeAction]:
    actions: list[lsp.CodeAction] = []
    for diagnostic, problem in diagnostics:
        if problem.elsewhere is not None or problem.span is None:
            continue
        if not _touches(diagnostic.range, where):
            continue
        for index, text in enumerate(_replacements(problem)):
            edit = lsp.TextEdit(range=diagnostic.range, new_text=text)
            actions.append(
                lsp.CodeAction(
                    title=say("replace-with", lang, text=text),
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic],
                    edit=lsp.WorkspaceEdit(changes={uri: [edit]}),
                    is_preferred=index == 0,
                )
            )
    return actions
