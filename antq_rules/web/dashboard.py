"""A province at a glance: a row per subject, filtered and sorted by the
query (`?verdict=FAIL&failing=TC3&sort=met&order=desc&page=2`), and each
criterion's pass rate.

Rows come from each result's statuses, so a province of thousands is
listed without building any criterion's explanation.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs

from ..errors import AntqError, Diagnostic
from ..model import Status
from ..result import Result
from .i18n import t
from .jobs import Run

VERDICTS = ("PASS", "FAIL", "UNKNOWN", "NA", "ERROR")
SORTS = ("index", "subject", "verdict", "level", "met")
PAGE = 200
# (the worst first when sorting by verdict)
_VERDICT_ORDER = {"FAIL": 0, "ERROR": 1, "UNKNOWN": 2, "NA": 3, "PASS": 4}


@attrs.frozen
class Row:
    index: int
    subject: str
    verdict: str  # a Status name, or "ERROR"
    verdict_word: str
    level: str
    met: int
    applicable: int
    failing: tuple[str, ...]

    @property
    def met_text(self) -> str:
        return "" if self.verdict == "ERROR" else f"{self.met}/{self.applicable}"


@attrs.frozen
class Query:
    verdict: str | None = None
    failing: str | None = None
    sort: str = "index"
    desc: bool = False
    page: int = 1

    @classmethod
    def read(cls, params: Mapping[str, str], criteria: list[str]) -> Query:
        verdict = params.get("verdict") or None
        failing = params.get("failing") or None
        sort = params.get("sort") or "index"
        order = params.get("order") or "asc"
        _one_of("verdict", verdict, VERDICTS)
        _one_of("failing", failing, tuple(criteria))
        _one_of("sort", sort, SORTS)
        _one_of("order", order, ("asc", "desc"))
        page_text = params.get("page") or "1"
        if not page_text.isdigit() or not 1 <= int(page_text) <= 100_000:
            raise AntqError(Diagnostic("bad-format", {"name": page_text[:20], "known": "1, 2, …"}))
        return cls(verdict, failing, sort, order == "desc", int(page_text))

    def link(self, **changes: object) -> str:
        """The query string of this view with some parts changed."""
        from urllib.parse import urlencode

        query = attrs.evolve(self, **changes)  # type: ignore[arg-type]
        pairs = {
            "verdict": query.verdict or "",
            "failing": query.failing or "",
            "sort": query.sort if query.sort != "index" else "",
            "order": "desc" if query.desc else "",
            "page": str(query.page) if query.page != 1 else "",
        }
        return "?" + urlencode({k: v for k, v in pairs.items() if v})


def _one_of(name: str, value: str | None, known: tuple[str, ...]) -> None:
    if value is not None and value not in known:
        shown = ", ".join(known[:12]) + (", …" if len(known) > 12 else "")
        raise AntqError(Diagnostic("bad-format", {"name": value[:40], "known": shown}))


def rows(run: Run, lang: str) -> list[Row]:
    return [_row(result, position, lang) for position, result in enumerate(run.results)]


def _row(result: Result, position: int, lang: str) -> Row:
    index = result.index if result.index is not None else position
    if result.error is not None:
        return Row(index, result.subject or "", "ERROR", t("ERROR", lang), "", 0, 0, ())
    statuses = result.statuses
    failing = tuple(cid for cid, status in statuses.items() if status is Status.FAIL)
    level = result.level or ("?" if result.level_candidates else "")
    verdict = result.verdict.name
    return Row(
        index,
        result.subject or "",
        verdict,
        t(verdict, lang),
        level,
        result.met,
        result.applicable,
        failing,
    )


def select(found: list[Row], query: Query) -> list[Row]:
    chosen = [
        row
        for row in found
        if (query.verdict is None or row.verdict == query.verdict)
        and (query.failing is None or query.failing in row.failing)
    ]
    keys = {
        "index": lambda r: r.index,
        "subject": lambda r: (r.subject.casefold(), r.index),
        "verdict": lambda r: (_VERDICT_ORDER[r.verdict], r.index),
        "level": lambda r: (r.level.casefold(), r.index),
        "met": lambda r: (r.met / r.applicable if r.applicable else -1, r.index),
    }
    return sorted(chosen, key=keys[query.sort], reverse=query.desc)


def page_of(chosen: list[Row], query: Query) -> tuple[list[Row], int]:
    """The rows of the query's page, and the number of pages."""
    pages = max(1, -(-len(chosen) // PAGE))
    start = (min(query.page, pages) - 1) * PAGE
    return chosen[start : start + PAGE], pages


@attrs.frozen
class Rate:
    id: str
    title: str
    counts: tuple[int, int, int, int]  # PASS, FAIL, UNKNOWN, NA

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def applicable(self) -> int:
        return self.counts[0] + self.counts[1] + self.counts[2]


def rates(run: Run, lang: str) -> list[Rate]:
    """Each criterion's outcomes over the subjects that could be judged."""
    order = (Status.PASS, Status.FAIL, Status.UNKNOWN, Status.NA)
    tally = {c.id: [0, 0, 0, 0] for c in run.ruleset.criteria}
    for result in run.results:
        if result.error is not None:
            continue
        for cid, status in result.statuses.items():
            if cid in tally:
                tally[cid][order.index(status)] += 1
    out = []
    for c in run.ruleset.criteria:
        title = c.title_en if lang == "en" and c.title_en else c.title
        counts = tally[c.id]
        out.append(Rate(c.id, title, (counts[0], counts[1], counts[2], counts[3])))
    return out
