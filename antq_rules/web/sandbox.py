"""Ruleset text from a browser: loaded with only the shipped library and the
server's rulesets folder to `use` or `extend`, and problems as an editor
shows them.

`antq_rules.load(text)` lets text read the current folder's tree (a rule
author at a terminal wants that); text from a form must not read the
server's working folder, so it is loaded here with the loader's own roots
check and no current folder: a `use "../../x.antq"` or a `use
"/etc/passwd"` is refused by name before anything is opened, and messages
quote only ruleset files. Paths of the server's folders are shown as
`antq:…` and `dir:…`, never as the machine's own paths.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from .. import loader
from ..errors import AntqError, CheckError, Diagnostic
from ..messages import message
from ..ruleset import Ruleset

TEXT_ORIGIN = "<ruleset>"
_CACHED = 32
SERVER_HELPS = ("help-allow",)


class Sandbox:
    """Loads ruleset text within `roots` (the shipped library first)."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        self.roots = tuple(root.resolve() for root in roots)
        # (relative `use` paths of text start in the server's folder, else the library)
        self.base_dir = self.roots[-1]
        self._cache: OrderedDict[tuple[Any, ...], Ruleset] = OrderedDict()
        self._lock = threading.Lock()

    def load(
        self,
        text: str,
        params: Mapping[str, Any] | None = None,
        year: int | None = None,
        base_dir: Path | None = None,
    ) -> Ruleset:
        """`base_dir`: where its relative `use` paths start (the folder of the
        catalog's ruleset being edited); inside the roots, else the default."""
        text = loader._encodable(text)
        base = self.base_dir
        if base_dir is not None and any(base_dir.is_relative_to(r) for r in self.roots):
            base = base_dir
        key = (
            hashlib.sha256(text.encode("utf-8")).hexdigest(),
            tuple(sorted((str(k), repr(v)) for k, v in (params or {}).items())),
            year,
            base,
        )
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        confined = loader._Loader(self.roots)
        try:
            ruleset = confined.build(TEXT_ORIGIN, text, base, params or {}, year)
        except RecursionError:
            raise CheckError(Diagnostic("too-deep", {"limit": loader.MAX_USE_DEPTH})) from None
        with self._lock:
            self._cache[key] = ruleset
            while len(self._cache) > _CACHED:
                self._cache.popitem(last=False)
        return ruleset

    def scrub(self, text: str) -> str:
        """A message with the server's folders named as a user names them:
        `antq:…`, `dir:…`, whether the message has them absolute or, as the
        loader shows a file, relative to the server's working folder."""
        out = text
        for root, prefix in zip(self.roots, ("antq:", "dir:"), strict=False):
            for form in _forms(root):
                out = _path_at(form).sub(prefix, out)
        return out

    def file_name(self, name: str) -> str:
        """A ruleset file as a user names it (`dir:xa.antq`), however the
        loader wrote it (absolute, or relative to the working folder)."""
        path = Path(os.path.abspath(name))
        for root, prefix in zip(self.roots, ("antq:", "dir:"), strict=False):
            if path.is_relative_to(root):
                return prefix + path.relative_to(root).as_posix()
        return self.scrub(name)

    def render(self, error: AntqError, lang: str) -> str:
        """An error as text, for a page or an API answer."""
        return "\n\n".join(self.diagnostic(d, lang)["text"] for d in error.diagnostics)

    def diagnostics(self, error: AntqError, lang: str) -> list[dict[str, Any]]:
        """Each problem as the editor shows it: where, what, and the suggestion."""
        return [self.diagnostic(d, lang) for d in error.diagnostics]

    def diagnostic(self, d: Diagnostic, lang: str) -> dict[str, Any]:
        # (`--allow DIR` is the command line's way in; a browser has none, and
        # the folder it names is the server's)
        d = attrs.evolve(d, helps=tuple(h for h in d.helps if h[0] not in SERVER_HELPS))
        entry: dict[str, Any] = {
            "severity": d.severity,
            "code": d.code,
            "message": self.scrub(d.message(lang)),
            "help": [self.scrub(message(code, params, lang)) for code, params in d.helps],
            "file": None,
            "line": None,
            "column": None,
            "end_line": None,
            "end_column": None,
            "text": self.scrub(d.render(lang)),
        }
        if d.span is not None:
            source = d.span.source
            line, column = source.line_col(d.span.start)
            end_line, end_column = source.line_col(d.span.end)
            entry.update(line=line, column=column, end_line=end_line, end_column=end_column)
            if source.name != TEXT_ORIGIN:
                entry["file"] = self.file_name(source.name)
        return entry


def _forms(root: Path) -> list[str]:
    """A folder as messages may name it: absolute, or relative to the
    working folder (longest first, so that one is not left half replaced)."""
    forms = {str(root)}
    with contextlib.suppress(ValueError):  # (another drive, on Windows)
        forms.add(os.path.relpath(root))
    return sorted((f for f in forms if f not in (".", "")), key=len, reverse=True)


def _path_at(form: str) -> re.Pattern[str]:
    """`form` where a path starts and ends (not part of a longer name), with
    the `/` after it."""
    return re.compile(r"(?<![\w./\\-])" + re.escape(form) + r"(?:/|(?![\w.-]))")
