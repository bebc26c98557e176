"""Nearest-name suggestions, tolerant of missing Vietnamese diacritics.

Authors often type `an_toan` for `an_toàn` or `xom` for `xóm`; comparing the
names with their marks stripped catches those, and a plain edit-distance
ratio catches ordinary typos.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """Lower case without diacritics (`Đ` becomes `d`)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.replace("đ", "d")


def closest(name: str, candidates: Iterable[str]) -> str | None:
    pool = sorted(set(candidates))
    if not pool:
        return None
    folded = fold(name)
    for candidate in pool:
        if fold(candidate) == folded and candidate != name:
            return candidate
    by_fold = {fold(c): c for c in pool}
    matches = difflib.get_close_matches(folded, list(by_fold), n=1, cutoff=0.6)
    return by_fold[matches[0]] if matches else None
