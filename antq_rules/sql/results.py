"""Result rows of a ruleset's query as the `Result`s `Ruleset.evaluate_many`
gives: the same statuses, verdict, level, score and counts; each criterion's
explanation made on demand by the Python explainer, from the subject's rows
read back. Records the query flags (`_deopt`) are judged by Python here."""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Iterator
from typing import Any

import attrs

from ..data import label_of
from ..errors import AntqError, DataError, Diagnostic
from ..model import Status
from ..result import CriteriaView, CriterionResult, Lazy, Result
from ..source import normalize_text
from .fetch import fetch_records
from .query import SqlQuery, decode, status_code, status_column
from .rules import WORDS


@attrs.define
class Context:
    ruleset: Any
    engine: Any
    layout: Any
    query: SqlQuery
    year: int | None
    period: Any
    resolved: Any
    _python: dict[Any, Result] = attrs.field(factory=dict)

    def python_result(self, key: Any) -> Result:
        """The Python evaluator's result for one subject (from its rows)."""
        found = self._python.get(key)
        if found is None:
            docs = fetch_records(self.engine, self.layout, [key])
            if key not in docs:
                raise AntqError(
                    Diagnostic(
                        "sql-no-record", {"id": str(key), "table": self.layout.table("").name}
                    )
                )
            found = self._python[key] = self.judge(docs[key])
        return found

    def judge(self, doc: Any) -> Result:
        try:
            return self.ruleset.evaluate(doc, year=self.year, period=self.period)
        except AntqError as error:
            return self.ruleset.error_result(error, doc)


@attrs.frozen
class Columns:
    """Where each part of a Result is in a result row: positions found once
    for all the rows (a row is a tuple, read by position)."""

    names: tuple[str, ...]
    key: int
    deopt: int | None
    verdict: int
    met: int | None  # (None: counted from the statuses)
    applicable: int | None
    statuses: Any  # row -> the criteria's statuses as a tuple (operator.itemgetter)
    labels: tuple[tuple[int, str], ...]
    name: int | None  # the `name` label column's position (the usual label)
    level: int | None
    candidates: tuple[tuple[int, str], ...]
    status_of: dict[Any, Status]  # a status column's value -> its Status

    @staticmethod
    def of(ctx: Context, names: list[str]) -> Columns:
        # (by the query's own names, not the engine's: an engine may fold
        # their case, and would then confuse `C2` with `c2`)
        names = list(ctx.query.outputs.get("_columns") or names)
        at = {name: i for i, name in enumerate(names)}
        ids = list(ctx.ruleset._ids)
        levels = ctx.query.outputs.get("levels") or []
        positions = [at[status_column(cid)] for cid in ids] + [at["verdict"]]
        return Columns(
            tuple(names),
            at["id"],
            at.get("_deopt"),
            at["verdict"],
            at.get("met"),
            at.get("applicable"),
            _getter(positions),
            tuple((i, n[len("_label_") :]) for n, i in at.items() if n.startswith("_label_")),
            at.get("_label_name"),
            at.get("_level"),
            tuple((at[f"_cand{i}"], n) for i, n in enumerate(levels) if f"_cand{i}" in at),
            _CODES if ctx.query.outputs.get("_compact") else _STATUS,
        )

    def as_dict(self, row: Any) -> dict[str, Any]:
        return dict(zip(self.names, row, strict=True))


def _getter(positions: list[int]) -> Any:
    """row -> the items at `positions`, as a tuple (itemgetter of one position
    gives the item alone)."""
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return operator.itemgetter(*positions)


def results(ctx: Context, names: list[str], rows: list[Any]) -> Iterator[Result]:
    """A Result per row (a tuple of the columns `names`), in order; flagged
    rows by the Python evaluator."""
    cols = Columns.of(ctx, names)
    twice = _duplicates(rows, cols.key)
    flagged = [row[cols.key] for row in rows if cols.deopt is not None and row[cols.deopt]]
    if flagged:
        docs = fetch_records(ctx.engine, ctx.layout, flagged)
        for key in flagged:
            if key in docs:
                ctx._python[key] = ctx.judge(docs[key])
    # (subjects share few combinations of statuses: one dict for each, read-only
    # in a CriteriaView, which copies it when asked for it)
    shared: dict[tuple, Shared] = {}
    # (a view's args are its row alone: one object fewer a subject for the
    # collector to walk)
    make = functools.partial(_criterion, ctx, cols)
    for index, row in enumerate(rows):
        if twice and row[cols.key] in twice:
            yield _duplicate(ctx, row[cols.key], index)
            continue
        if cols.deopt is not None and row[cols.deopt]:
            key = row[cols.key]
            result = ctx._python.get(key)
            if result is None:
                error = DataError(Diagnostic("sql-no-record", {"id": str(key), "table": "?"}))
                result = ctx.ruleset.error_result(error)
            yield attrs.evolve(result, index=index)
            continue
        yield from_row(ctx, cols, row, index, shared, make)


def _duplicates(rows: list[Any], key: int) -> set[Any]:
    """The subject ids of more than one row (the rows come ordered by id):
    neither row can be told from the other, in a verdict or a record."""
    return {row[key] for row, after in itertools.pairwise(rows) if row[key] == after[key]}


def _duplicate(ctx: Context, key: Any, index: int) -> Result:
    """The error result of a subject whose id more than one row has."""
    table = ctx.layout.table("").name
    error = DataError(Diagnostic("sql-duplicate-id", {"id": str(key), "table": table}))
    return attrs.evolve(ctx.ruleset.error_result(error), index=index)


_STATUS = {status.name: status for status in Status}  # (faster than Status[name])
# a compact status column's values: the code, and a value's flags above it
_CODES = {packed: Status[WORDS[status_code(packed)]] for packed in range(32)}


@attrs.frozen
class Shared:
    """What the subjects of one combination of statuses share (read-only)."""

    statuses: dict[str, Status]
    verdict: Status
    met: int
    applicable: int

    @staticmethod
    def of(ids: Any, codes: tuple, status_of: dict[Any, Status]) -> Shared:
        statuses = {cid: status_of[x] for cid, x in zip(ids, codes, strict=False)}
        met = sum(1 for x in statuses.values() if x is Status.PASS)
        applicable = sum(1 for x in statuses.values() if x is not Status.NA)
        return Shared(statuses, status_of[codes[-1]], met, applicable)


def from_row(
    ctx: Context,
    cols: Columns,
    row: Any,
    index: int | None,
    shared: dict[tuple, Shared],
    make: Any,
) -> Result:
    ruleset = ctx.ruleset
    outputs = ctx.query.outputs
    codes = cols.statuses(row)
    found = shared.get(codes)
    if found is None:
        found = shared[codes] = Shared.of(ruleset._ids, codes, cols.status_of)
    level = None
    candidates: tuple[str, ...] = ()
    if cols.level is not None or cols.candidates:
        names = outputs["levels"]
        chosen = None if cols.level is None else row[cols.level]
        if chosen is not None:
            level = names[int(chosen)]
        else:
            candidates = tuple(n for i, n in cols.candidates if row[i])
    score = max_score = None
    if "score" in outputs:
        by_name = cols.as_dict(row)
        score = decode(outputs["score"], by_name)
        max_score = decode(outputs["max_score"], by_name)
    # (the usual label, a name, at once; else as label_of picks one, in NFC)
    label = None
    if cols.name is not None:
        name = row[cols.name]
        if type(name) is str and name and not name.isspace():
            label = normalize_text(name)
    if label is None:
        label_doc = {field: x for i, field in cols.labels if (x := row[i]) is not None}
        label = label_of(label_doc) if label_doc else None
    criteria = CriteriaView(found.statuses, make, row)
    return Result(
        ruleset.about,
        found.verdict,
        criteria,
        level,
        candidates,
        score,
        max_score,
        found.met if cols.met is None else int(row[cols.met]),
        found.applicable if cols.applicable is None else int(row[cols.applicable]),
        label,
        ctx.resolved,
        index,
    )


def _criterion(ctx: Context, cols: Columns, view: CriteriaView, cid: str) -> CriterionResult:
    values = view.args
    if view.memo is None:  # (the row by name, made once for the criteria looked at)
        view.memo = cols.as_dict(values)
    row = view.memo
    ruleset = ctx.ruleset
    info = ruleset._infos[cid]
    status = cols.status_of[row[status_column(cid)]]
    spec = ctx.query.outputs["criteria"].get(cid, {})
    value = None
    if status is not Status.NA and "value" in spec:
        value = decode(spec["value"], row)
    key = values[cols.key]
    lazy = Lazy(_explanation, ctx, key, cid)
    if info.scored and status is not Status.NA:
        points = decode(spec["points"], row) if "points" in spec else None
        return CriterionResult(info, status, value, points, info.max_points, lazy)
    return CriterionResult(info, status, value, None, None, lazy)


def _explanation(ctx: Context, key: Any, cid: str) -> Any:
    result = ctx.python_result(key)
    if result.error is not None:
        raise result.error
    return result.criteria[cid].explanation
