"""Result rows of a ruleset's query as the `Result`s `Ruleset.evaluate_many`
gives: the same statuses, verdict, level, score and counts; each criterion's
explanation made on demand by the Python explainer, from the subject's rows
read back. Records the query flags (`_deopt`) are judged by Python here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from .. import values as v
from ..data import label_of
from ..errors import AntqError, DataError, Diagnostic
from ..model import Status
from ..result import CriteriaView, CriterionResult, Lazy, Result
from ..source import normalize_text
from .fetch import fetch_records
from .query import SqlQuery, decode


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


def results(ctx: Context, rows: list[dict[str, Any]]) -> Iterator[Result]:
    """A Result per row, in order; flagged rows by the Python evaluator."""
    flagged = [row["id"] for row in rows if row.get("_deopt")]
    if flagged:
        docs = fetch_records(ctx.engine, ctx.layout, flagged)
        for key in flagged:
            if key in docs:
                ctx._python[key] = ctx.judge(docs[key])
    # (the columns a subject's label comes from, found once for every row)
    first = rows[0] if rows else {}
    labels = [(k, k[len("_label_") :]) for k in first if k.startswith("_label_")]
    for index, row in enumerate(rows):
        key = row["id"]
        if row.get("_deopt"):
            result = ctx._python.get(key)
            if result is None:
                error = DataError(Diagnostic("sql-no-record", {"id": str(key), "table": "?"}))
                result = ctx.ruleset.error_result(error)
            yield attrs.evolve(result, index=index)
            continue
        yield from_row(ctx, row, index, labels)


_STATUS = {status.name: status for status in Status}  # (faster than Status[name])


def from_row(
    ctx: Context,
    row: dict[str, Any],
    index: int | None,
    labels: list[tuple[str, str]] | None = None,
) -> Result:
    ruleset = ctx.ruleset
    outputs = ctx.query.outputs
    statuses = {cid: _STATUS[row[cid]] for cid in ruleset._ids}
    level = None
    candidates: tuple[str, ...] = ()
    names = outputs.get("levels") or []
    if names:
        chosen = row.get("_level")
        if chosen is not None:
            level = names[int(chosen)]
        else:
            candidates = tuple(n for i, n in enumerate(names) if row.get(f"_cand{i}"))
    score = decode(outputs["score"], row) if "score" in outputs else None
    max_score = decode(outputs["max_score"], row) if "max_score" in outputs else None
    if labels is None:
        labels = [(k, k[len("_label_") :]) for k in row if k.startswith("_label_")]
    label_doc = {
        field: normalize_text(x) if isinstance(x, str) else x
        for column, field in labels
        if (x := row[column]) is not None
    }
    criteria = CriteriaView(statuses, _criterion, (ctx, row))
    return Result(
        ruleset.about,
        _STATUS[row["verdict"]],
        criteria,
        level,
        candidates,
        score,
        max_score,
        int(row["met"]),
        int(row["applicable"]),
        label_of(label_doc),
        ctx.resolved,
        index,
    )


def _criterion(view: CriteriaView, cid: str) -> CriterionResult:
    ctx, row = view.args
    ruleset = ctx.ruleset
    info = ruleset._infos[cid]
    status = Status[row[cid]]
    spec = ctx.query.outputs.get(cid, {})
    value = None
    if status is not Status.NA and "value" in spec:
        value = decode(spec["value"], row)
    key = row["id"]
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


_ = v
