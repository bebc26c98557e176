"""Limits on what a data file may make antq_rules do.

Data files come from communes, and a crafted one must not take the machine
down: every reader checks these before (or while) it reads, and refuses with
a `DataError` naming the limit and how to raise it. The defaults are far
above what a province's real files hold (docs/security.md has the table);
`Limits(cells=…)` in Python and `--limit cells=…` on the command line raise
one for a run.
"""

from __future__ import annotations

from typing import Any

import attrs

from .errors import AntqError, Diagnostic

MIB = 1024 * 1024


@attrs.frozen
class Limits:
    """The most a data file may hold. Sizes are in bytes, counts in items."""

    file_bytes: int = 256 * MIB  # a file as stored on disk
    # a workbook's parts once unpacked (zip bombs); 100,000 rows of 50 cells take ~200 MB
    xlsx_bytes: int = 256 * MIB
    cells: int = 5_000_000  # cells of one workbook or CSV folder, merged ranges included
    rows: int = 100_000  # rows of one workbook or CSV folder, rows filled by merged ranges included
    depth: int = 64  # nesting of objects and lists in JSON and YAML
    nodes: int = 250_000  # values of one subject in JSON/YAML, YAML aliases counted as expanded
    digits: int = 100  # digits of one integer
    text: int = 100_000  # characters of one text value

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in attrs.fields(cls))

    def but(self, **changes: Any) -> Limits:
        """These limits with some changed (`NAME=VALUE` pairs from a user)."""
        known = self.names()
        for name, value in changes.items():
            if name not in known:
                from .errors import did_you_mean

                raise AntqError(
                    Diagnostic(
                        "unknown-limit",
                        {"name": name, "known": ", ".join(known)},
                        helps=did_you_mean(name, list(known)),
                    )
                )
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise AntqError(Diagnostic("bad-limit", {"name": name, "value": str(value)}))
            most = _MOST.get(name, lambda: None)()
            if most is not None and value > most:
                params = {"name": name, "most": f"{most:,}", "value": str(value)}
                raise AntqError(Diagnostic("limit-too-high", params))
        return attrs.evolve(self, **changes)

    def parse(self, items: list[str]) -> Limits:
        """`["cells=10000000", "file_bytes=1GB"]` → these limits, changed."""
        changes: dict[str, Any] = {}
        for item in items:
            name, sep, text = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep:
                raise AntqError(Diagnostic("bad-limit", {"name": item, "value": ""}))
            changes[name] = _size(text.strip(), name)
        return self.but(**changes)


DEFAULT = Limits()


def _most_digits() -> int | None:
    """Python converts text to int only up to `sys.get_int_max_str_digits()`
    digits (4300 unless set otherwise; 0 means no cap); a larger `digits`
    limit could not be honoured, so it is refused when it is asked for."""
    import sys

    getter = getattr(sys, "get_int_max_str_digits", None)
    most = getter() if getter is not None else 0
    return most or None


_MOST = {"digits": _most_digits}

_UNITS = {"": 1, "k": 1000, "kb": 1024, "m": 10**6, "mb": MIB, "g": 10**9, "gb": 1024 * MIB}


def _size(text: str, name: str) -> int:
    """`5000000`, `5_000_000`, `512MB`, `1GB`."""
    lowered = text.lower().replace("_", "")
    digits = lowered.rstrip("kmgb")
    unit = lowered[len(digits) :]
    if digits.isdigit() and len(digits) <= 15 and unit in _UNITS:
        return int(digits) * _UNITS[unit]
    raise AntqError(Diagnostic("bad-limit", {"name": name, "value": text}))
