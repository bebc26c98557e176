"""A loaded ruleset, and judging a subject with it.

The orchestration below (applicability, criteria in dependency order,
points, score, level, verdict) is shared by both evaluators: only the
evaluation of each expression differs — generated code (with the reference
interpreter where it gives up), or the reference interpreter alone. Most
records never come here: the whole ruleset's generated function (`fast`)
judges them in one call. Explanations are produced afterwards, on request,
by re-evaluating a criterion while noting its values (see `explain`).

Rules decided here:
* a criterion whose `applies when` is false is N/A: it counts neither for
  nor against (not in `met`, not in `applicable`, no points, no max points);
  when its applicability is unknown, its outcome is UNKNOWN;
* the default verdict is "every mandatory criterion passes" (Kleene `and`
  over them, N/A ones left out); criteria without points are mandatory,
  scored and provisional ones only when marked `mandatory`; `verdict EXPR`
  replaces it;
* a scored criterion with a test earns its points when it passes; one with
  items earns each item's points whose condition holds; one with tiers earns
  the points of the first tier that holds; without a test, it passes when it
  earns all its points;
* the level is the first whose condition holds; when an earlier condition is
  unknown the level is unknown, and the candidates are listed;
* `passes(X)` is true when X passed (N/A is not a pass); `applies(X)` is
  whether X applies.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple

import attrs

from . import ir
from . import values as v
from .data import check_call, label_of, subject_label, to_plain_period
from .errors import AntqError, DataError, Diagnostic, warning
from .explain import explain_criterion
from .explainer import FastExplainer, explain_plans, quick_explainer, results_builder
from .fast import Deopt, node_function, ruleset_function
from .fast_trace import TraceSpec, trace_spec
from .interpret import Context, Obj
from .interpret import _eval as interpret_at
from .model import Status, status_of
from .reads import (
    absent_notices,
    fields_read,
    nodes_reached,
    share_fields,
    share_notices,
)
from .result import (
    Batch,
    CriteriaView,
    CriterionInfo,
    CriterionResult,
    Lazy,
    Result,
    RulesetInfo,
)
from .schema import Schema
from .syntax import ast
from .values import Period, Range


@attrs.frozen
class ScoreItem:
    title: str
    points: Any
    condition: ir.Node


@attrs.frozen
class Tier:
    points: Any
    condition: ir.Node


@attrs.frozen(eq=False)
class Criterion:
    id: str
    title: str
    test: ir.Node | None
    applies: ir.Node | None = None
    title_en: str | None = None
    source: str | None = None
    group: str | None = None
    points: Any = None
    items: tuple[ScoreItem, ...] = ()
    tiers: tuple[Tier, ...] = ()
    mandatory: bool = True
    provisional: bool = False
    test_text: str | None = None
    span: Any = None

    @property
    def scored(self) -> bool:
        return self.points is not None or bool(self.items) or bool(self.tiers)

    @property
    def max_points(self) -> Any:
        if self.items:
            return sum(item.points for item in self.items)
        if self.tiers:
            return max(tier.points for tier in self.tiers)
        return self.points


@attrs.frozen
class Group:
    name: str
    title: str | None = None
    title_en: str | None = None


@attrs.frozen
class Level:
    name: str
    condition: ir.Node | None


@attrs.frozen
class PeriodRule:
    """Fixed dates, or an annual rule: from (day, month) of the previous year
    to (day, month) of the evaluation year when the start falls after the end."""

    spec: ast.PeriodSpec

    def period_for(self, year: int | None) -> Period | None:
        spec = self.spec
        if not spec.annual:
            return Period(spec.start, spec.end)
        if year is None:
            return None
        (start_day, start_month), (end_day, end_month) = spec.start, spec.end
        start_year = year - 1 if (start_month, start_day) > (end_month, end_day) else year
        return Period(
            _safe_date(start_year, start_month, start_day), _safe_date(year, end_month, end_day)
        )

    def __str__(self) -> str:
        spec = self.spec
        if spec.annual:
            (sd, sm), (ed, em) = spec.start, spec.end
            return f"{sd:02d}/{sm:02d} .. {ed:02d}/{em:02d}"
        return f"{spec.start.isoformat()} .. {spec.end.isoformat()}"


def _safe_date(year: int, month: int, day: int) -> datetime.date:
    try:
        return datetime.date(year, month, day)
    except ValueError:  # 29/02 in a common year
        return datetime.date(year, month, day - 1)


@attrs.define
class FastStats:
    """How many judgements the fast path gave (the whole ruleset in one
    function), how many needed the general path (criteria one by one: a
    value of the wrong type, an undefined one…), and on the latter how many
    expressions the reference interpreter had to evaluate."""

    fast: int = 0
    general: int = 0
    by_reference: int = 0


class Judgement(NamedTuple):
    """The raw outcome of judging (before it becomes a `Result`)."""

    applicable: Any
    outcomes: dict[str, tuple[Status, Any, Any, Any]]  # id -> (status, test value, points, applies)
    score: Any
    max_score: Any
    level: str | None
    level_candidates: tuple[str, ...]
    verdict: Status
    period: Period | None
    # Given by the fast path, which knows them already: {id: status}, and
    # (criteria met, criteria that apply).
    statuses: dict[str, Status] | None = None
    counts: tuple[int, int] | None = None


class Ruleset:
    """A checked and compiled ruleset. Build one with `antq_rules.load`."""

    def __init__(
        self,
        *,
        id: str,
        title: str,
        schema: Schema,
        subject: str,
        criteria: tuple[Criterion, ...],
        order: tuple[str, ...],
        groups: Mapping[str, Group],
        levels: tuple[Level, ...],
        verdict: ir.Node | None,
        applies: ir.Node | None,
        params: Mapping[str, Any],
        param_labels: Mapping[str, str | None],
        percent_params: frozenset[str] = frozenset(),
        period_rule: PeriodRule | None,
        title_en: str | None = None,
        version: str | None = None,
        effective: datetime.date | None = None,
        basis: tuple[str, ...] = (),
        path: str | None = None,
        year: int | None = None,
        extends: str | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.title_en = title_en
        self.version = version
        self.effective = effective
        self.basis = basis
        self.schema = schema
        self.subject = subject
        self.criteria = criteria
        self.order = order
        self.groups = dict(groups)
        self.levels = levels
        self.verdict_node = verdict
        self.applies = applies
        self.params = dict(params)
        self.param_labels = dict(param_labels)
        self.percent_params = percent_params
        self.period_rule = period_rule
        self.path = path
        self.year = year
        self.extends = extends
        self._by_id = {c.id: c for c in criteria}
        self._ids = tuple(c.id for c in criteria)
        self._verdict_uses_outcome, self._verdict_needs = self._verdict_dependencies()
        # The criteria a verdict-only judgement judges, in order (see `fast`).
        self._verdict_order = tuple(cid for cid in order if cid in self._verdict_needs)
        # Each expression's generated code for the general path (see `judge`),
        # made when a record first needs it.
        self._node_code: dict[int, Callable[..., Any] | None] = {}
        # The fast path: the whole ruleset in one function (see `fast`).
        self._fast = ruleset_function(self)
        self._fast_verdict = ruleset_function(self, verdict_only=True)
        self._periods: dict[int | None, Period | None] = {}
        self.fast_stats = FastStats()
        self._default_when = self._when(None, None)  # the usual call's, resolved once
        self.fast_verdict = self._verdict_fast if self._fast_verdict is not None else None
        self._trace_specs: dict[int, TraceSpec | None] = {}
        # Each criterion's group titles, which its results show, looked up once.
        self._group_titles: dict[str, tuple[str | None, str | None]] = {}
        for c in criteria:
            group = self.groups.get(c.group) if c.group else None
            self._group_titles[c.id] = (group.title, group.title_en) if group else (None, None)
        self.roles = {c.id: self._role(c) for c in criteria}
        self.about = RulesetInfo(id, title, title_en, version, basis, subject)
        self._infos = {
            c.id: CriterionInfo(
                c.id,
                c.title,
                c.mandatory,
                c.provisional,
                c.title_en,
                c.source,
                c.group,
                *self._group_titles[c.id],
                c.test_text,
                self.roles[c.id],
                c.scored,
                c.max_points,
            )
            for c in criteria
        }
        # What explaining each criterion needs that every record shares.
        self._plans = explain_plans(self)
        self._plan_of = {plan.criterion.id: plan for plan in self._plans}
        self._results_built: Callable[[tuple, Any], dict[str, CriterionResult]] | None = None
        self._quick_explained: Callable[[FastExplainer], dict[str, Any]] | None = None
        # (bound once: every result of the fast path holds it)
        self._make_all = self._fast_criteria

    # ------------------------------------------------------------- reading

    def criterion(self, criterion_id: str) -> Criterion:
        return self._by_id[criterion_id]

    def _code_of(self, node: ir.Node) -> Callable[..., Any] | None:
        """The generated code of one of this ruleset's expressions, made on first use."""
        key = builtins.id(node)
        code = self._node_code.get(key, _UNMADE)
        if code is _UNMADE:
            code = self._node_code[key] = node_function(node, self.params)
        return code  # type: ignore[return-value]

    def trace_spec(self, root: ir.Node) -> TraceSpec | None:
        """The generated tracing function of one of this ruleset's expressions
        (for explanations; see `fast_trace`), made on first use."""
        key = builtins.id(root)
        spec = self._trace_specs.get(key, _UNMADE)
        if spec is _UNMADE:
            spec = self._trace_specs[key] = trace_spec(self.params, root, self.percent_params)
        return spec  # type: ignore[return-value]

    def _role(self, c: Criterion) -> str:
        """How a criterion's outcome counts (see `CriterionResult.role`)."""
        if c.id in self._verdict_needs:
            return "decides"
        if c.provisional:
            return "provisional"
        if c.scored and self.verdict_node is None:
            return "score-only"
        return "not-in-verdict"

    def _verdict_dependencies(self) -> tuple[bool, set[str]]:
        """(whether the verdict reads score or level, the criteria it needs)."""
        if self.verdict_node is None:
            uses_outcome = False
            wanted = {c.id for c in self.criteria if c.mandatory}
        else:
            nodes = ir.walk(self.verdict_node)
            uses_outcome = any(isinstance(n, ir.OutcomeRef) for n in nodes)
            wanted = {n.id for n in nodes if isinstance(n, ir.CriterionRef)}
        if uses_outcome:
            wanted |= {c.id for c in self.criteria if c.scored}
            for level in self.levels:
                if level.condition is not None:
                    wanted |= {
                        n.id for n in ir.walk(level.condition) if isinstance(n, ir.CriterionRef)
                    }
        needed: set[str] = set()
        stack = list(wanted)
        while stack:
            cid = stack.pop()
            if cid in needed or cid not in self._by_id:
                continue
            needed.add(cid)
            c = self._by_id[cid]
            for root in (
                c.test,
                c.applies,
                *(i.condition for i in c.items),
                *(t.condition for t in c.tiers),
            ):
                if root is not None:
                    stack.extend(n.id for n in ir.walk(root) if isinstance(n, ir.CriterionRef))
        return uses_outcome, needed

    def _roots(self) -> Iterator[ir.Node]:
        if self.applies is not None:
            yield self.applies
        for c in self.criteria:
            yield from (n for n in (c.test, c.applies) if n is not None)
            yield from (item.condition for item in c.items)
            yield from (tier.condition for tier in c.tiers)
        yield from (level.condition for level in self.levels if level.condition is not None)
        if self.verdict_node is not None:
            yield self.verdict_node

    def period_for(self, year: int | None = None, period: Any = None) -> Period | None:
        if period is not None:
            return to_plain_period(period)
        if self.period_rule is None:
            return None
        year = year if year is not None else self.year
        if year not in self._periods:
            self._periods[year] = self.period_rule.period_for(year)
        return self._periods[year]

    def __repr__(self) -> str:
        return f"<Ruleset {self.id} ({len(self.criteria)} criteria)>"

    def _first_period_use(self) -> ir.PeriodRef | None:
        """Where this ruleset, or one it judges items by, reads `period`."""
        return next((n for n in nodes_reached(self) if isinstance(n, ir.PeriodRef)), None)

    def check_when(self, year: int | None = None, period: Any = None) -> None:
        """Raise an `AntqError` when the ruleset reads the evaluation period and
        this call gives none: the year of an annual period, or dates."""
        if year is not None:
            _same_year(year, self.period_for(year, period))
        if period is not None or self.period_for(year, None) is not None:
            return
        if "_period_use" not in self.__dict__:
            self._period_use = self._first_period_use()
        use = self._period_use
        if use is None:
            return
        example = datetime.date.today().year
        rule = self.period_rule
        if rule is not None and rule.spec.annual:
            (start_day, start_month), (end_day, end_month) = rule.spec.start, rule.spec.end
            shown = {
                "start": f"{start_day:02d}/{start_month:02d}",
                "end": f"{end_day:02d}/{end_month:02d}",
            }
            helps = (("help-give-year", {"year": example}),)
            raise AntqError(Diagnostic("needs-year", shown, rule.spec.span, helps=helps))
        helps = (("help-give-period", {"year": example}),)
        raise AntqError(Diagnostic("no-period", {}, use.span, helps=helps))

    # ------------------------------------------------------------- judging

    def evaluate(
        self,
        data: Any,
        *,
        year: int | None = None,
        period: Any = None,
        evaluator: str = "compiled",
        explain: bool = False,
    ) -> Result:
        """Judge one subject: a dict, an attrs instance or a dataclass.

        Explanations are made when first read, from the record as it is
        then; one that would contradict the result (the record was changed
        in between) raises an `AntqError` instead. `explain=True` makes
        every criterion's explanation now, for a record about to change."""
        fast = self._fast
        tried = (
            type(data) is dict
            and year is None
            and period is None
            and not explain
            and evaluator == "compiled"
            and fast is not None
        )
        if tried:
            # The usual call, in as few steps as can be: the generated function,
            # and a result that builds its criteria when they are looked at.
            resolved, when = self._default_when
            try:
                judged = fast(data, resolved, when)
            except Exception:  # anything unusual: the general path decides
                judged = None
            if judged is not None:
                self.fast_stats.fast += 1
                return self._fast_result(data, judged, resolved, when, None)
            self.fast_stats.general += 1
        try:
            result = self._evaluate(data, year, period, evaluator, try_fast=not tried)
        except AntqError:
            raise
        except RecursionError:
            raise DataError(Diagnostic("data-too-deep", {})) from None
        except Exception as error:  # the data's own code raised (a Mapping whose get fails…)
            raise _raised(error) from error
        if explain:
            for criterion in result.criteria.values():
                criterion.explanation  # noqa: B018 (made now, kept)
        return result

    def _evaluate(
        self,
        data: Any,
        year: int | None,
        period: Any,
        evaluator: str,
        index: int | None = None,
        try_fast: bool = True,
    ) -> Result:
        if type(data) is not dict or evaluator != "compiled":
            check_call(data, self.subject, evaluator)
        if year is None and period is None:
            resolved, year = self._default_when
        else:
            resolved, year = self._when(year, period)
        if resolved is None:
            self.check_when(year, period)
        if evaluator == "compiled" and try_fast:
            judged = self._try_fast(data, resolved, year)
            if judged is not None:
                return self._fast_result(data, judged, resolved, year, index)
        # (the fast path, when there is one, has just declined this record)
        judgement = self.judge(data, resolved, year, evaluator, try_fast=False)
        return self._result(data, judgement, year, index, evaluator == "reference")

    def _when(self, year: int | None, period: Any) -> tuple[Period | None, int | None]:
        """(the period, the evaluation year) of a call."""
        if year is not None:
            check_year(year)
        resolved = self.period_for(year, period)
        if year is not None:
            _same_year(year, resolved)
        if year is None:
            # The evaluation year: given, or fixed when loading, or the year
            # the period ends (rulesets this one uses take their periods from it).
            year = self.year if self.year is not None and period is None else None
            if year is None and resolved is not None:
                year = resolved.year
        return resolved, year

    def evaluate_many(
        self,
        records: Iterable[Any],
        *,
        year: int | None = None,
        period: Any = None,
        evaluator: str = "compiled",
    ) -> Batch:
        """Judge a stream of subjects; a bad record gives a result with `error`
        set (verdict UNKNOWN) and the rest are still judged. The returned
        `Batch` is an iterator; its `summary` counts verdicts and levels."""
        return Batch(self._judge_all(records, year, period, evaluator))

    def evaluate_file(
        self,
        *paths: Any,
        year: int | None = None,
        period: Any = None,
        encoding: str | None = None,
        limits: Any = None,
    ) -> Batch:
        """Judge every subject of data files or folders: JSON or YAML (a list
        is a batch), an .xlsx workbook, a folder of CSV files (the template's
        layout). A result carries what the reader noticed (`notices`); a
        record that cannot be read or judged gives an error result, and the
        rest are still judged. Raises at once only when the call itself is
        wrong (a year is needed and not given)."""
        from pathlib import Path

        from .limits import DEFAULT
        from .readers import iter_records

        self.check_when(year, period)
        files = [Path(p) for p in paths]
        records = iter_records(files, self.schema, self.subject, encoding, limits or DEFAULT)
        return Batch(
            self.judge_record(record, index, year, period) for index, record in enumerate(records)
        )

    def to_sql(
        self,
        dialect: str = "duckdb",
        tables: Mapping[str, str] | None = None,
        *,
        year: int | None = None,
        period: Any = None,
    ) -> str:
        """The SQL query (DuckDB, PostgreSQL or Spark) that judges every subject
        in tables of the template's layout — `tables` maps layout names to a
        database's own — as this ruleset does (docs/sql.md)."""
        from .sql import to_sql

        query: str = to_sql(self, dialect, tables, year, period)
        return query

    def evaluate_db(
        self,
        connection: Any,
        *,
        year: int | None = None,
        period: Any = None,
        tables: Mapping[str, str] | None = None,
    ) -> Batch:
        """Judge every subject in a database by one query: a DuckDB connection,
        a PostgreSQL one (psycopg) or a SparkSession; the same results as
        `evaluate_many`, explanations made from each subject's rows."""
        from .sql import evaluate_db

        batch: Batch = evaluate_db(self, connection, year=year, period=period, tables=tables)
        return batch

    def judge_record(
        self, record: Any, index: int, year: int | None, period: Any, explain: bool = False
    ) -> Result:
        """A record read from a file (`readers.Record`) judged: its result, or
        an error result when it could not be read or judged, with its place
        in the batch and what the reader noticed. `explain`: for a report
        that shows explanations, they are made here, where anything one
        raises is this record's error and not the batch's."""
        error = record.error
        if error is None:
            try:
                result = self.evaluate(record.data, year=year, period=period, explain=explain)
            except AntqError as problem:
                error = problem
            except RecursionError:
                error = DataError(Diagnostic("data-too-deep", {}))
            except Exception as problem:  # a bug: this record is lost, not the batch
                error = _raised(problem)
        if error is not None:
            result = self.error_result(error, record.data)
        # (a sheet left out of a workbook is said only if this ruleset reads its list)
        notices = (*record.notices, *result.notices, *absent_notices(record, fields_read(self)))
        shares = share_fields(self) if error is None else ()
        if shares:
            notices = (*notices, *share_notices(record.data, shares))
        return attrs.evolve(
            result, index=index, subject=result.subject or record.label, notices=notices
        )

    def _judge_all(
        self, records: Iterable[Any], year: int | None, period: Any, evaluator: str
    ) -> Iterator[Result]:
        for index, record in _guarded(records):
            if isinstance(record, _SourceRaised):  # (the iterator failed: nothing follows)
                yield attrs.evolve(self.error_result(_source_error(index, record)), index=index)
                return
            try:
                yield self._evaluate(record, year, period, evaluator, index)
                continue
            except AntqError as error:
                result = self.error_result(error, record)
            except RecursionError:
                error = DataError(Diagnostic("data-too-deep", {}))
                result = self.error_result(error, record)
            except Exception as error:  # one record's trouble never stops the batch
                result = self.error_result(_raised(error), record)
            yield attrs.evolve(result, index=index)

    def verdict_for(
        self,
        raw: Any,
        year: int | None,
        evaluator: str,
        path: str = "",
        missing: list[str] | None = None,
    ) -> tuple[Status, Any]:
        """(verdict, applicability) of an item judged by this ruleset (for `passes`)."""
        if raw is None:
            return Status.UNKNOWN, v.UNKNOWN_BOOL
        if missing is not None and self.fast_verdict is not None:
            # An explanation's tracer asks, to note the item's missing data:
            # when generated code reads every value known, there is none, and
            # its verdict is the reference's (tests/test_fast.py holds that).
            # (Judging by the reference interpreter never comes here.)
            try:
                verdict, applicable, unknown = self.fast_verdict(raw, year)
            except Exception:  # (anything unusual: the reference notes it all)
                unknown = True
            if not unknown:
                return verdict, applicable
        judgement = self.judge(
            raw, self.period_for(year), year, evaluator, path, missing, verdict_only=True
        )
        return judgement.verdict, judgement.applicable

    def judge(
        self,
        data: Any,
        period: Period | None,
        year: int | None,
        evaluator: str,
        path: str = "",
        missing: list[str] | None = None,
        verdict_only: bool = False,
        try_fast: bool = True,
    ) -> Judgement:
        """Judge one subject. With `verdict_only` (for `passes(R)`), skip the
        criteria, score and levels the verdict does not depend on."""
        if evaluator == "compiled" and missing is None and try_fast:
            judged = self._try_fast(data, period, year, verdict_only)
            if judged is not None:
                ids = self._verdict_order if verdict_only else self.order
                return _fast_judgement(judged, period, ids)
        context = Context(period, self.params, year)
        context.missing = missing
        env = (Obj(data, path),)
        if evaluator == "compiled":
            # Each expression by its generated code; where that stops (a value
            # of the wrong type, something it leaves to the general path), by
            # the reference interpreter, which also says where data is wrong.
            code_of, stats = self._code_of, self.fast_stats

            def ev(node: ir.Node) -> Any:
                code = code_of(node)
                if code is not None:
                    try:
                        return code(data, period, context)
                    except Exception:  # (anything unusual: the reference decides)
                        pass
                stats.by_reference += 1
                return interpret_at(node, env, context)
        else:

            def ev(node: ir.Node) -> Any:
                return interpret_at(node, env, context)

        needed = self._verdict_needs if verdict_only else None
        applicable = True if self.applies is None else ev(self.applies)
        outcomes: dict[str, tuple[Status, Any, Any, Any]] = {}
        for criterion_id in self.order:
            if needed is not None and criterion_id not in needed:
                continue
            c = self._by_id[criterion_id]
            if applicable is False:
                outcome = (Status.NA, None, None, False)
            else:
                outcome = self._judge_criterion(c, ev)
            outcomes[criterion_id] = outcome
            status, _, _, applies = outcome
            context.outcomes[criterion_id] = (_passes(status), applies)
        score = max_score = level = None
        candidates: tuple[str, ...] = ()
        if needed is None or self._verdict_uses_outcome:
            score, max_score = self._score(outcomes)
            context.score, context.max_score = score, max_score
            judged = self.levels and applicable is not False
            level, candidates = self._level(ev) if judged else (None, ())
            context.level = (
                level if level is not None else (v.UNKNOWN if candidates else v.UNDEFINED)
            )
        verdict = self._verdict(applicable, outcomes, ev)
        return Judgement(applicable, outcomes, score, max_score, level, candidates, verdict, period)

    def _try_fast(
        self, data: Any, period: Period | None, year: int | None, verdict_only: bool = False
    ) -> tuple | None:
        """The fast path's judgement, or None when the record needs the general path."""
        fast = self._fast_verdict if verdict_only else self._fast
        if fast is None:
            return None
        try:
            judged = fast(data, period, year)
        except Exception:  # anything unusual: the general path decides
            judged = None
        if judged is None:
            self.fast_stats.general += 1
        else:
            self.fast_stats.fast += 1
        return judged

    def _fast_result(
        self,
        data: Any,
        judged: tuple,
        period: Period | None,
        year: int | None,
        index: int | None,
    ) -> Result:
        """`_result` for a fast judgement, building the `Judgement` (for the
        criteria's results and explanations) only when it is asked for."""
        criteria = CriteriaView(judged[1], None, (data, judged, period, year), self._make_all)
        met, applicable = judged[2]
        result = Result(  # (positional: a call per record, and keywords cost)
            self.about, judged[6], criteria, judged[5], (), judged[3], judged[4],
            met, applicable, label_of(data), period, index,
        )  # fmt: skip
        if self.applies is not None and judged[6] is Status.UNKNOWN:
            return self._applies_unknown(result, data, period, year)
        return result

    def _applies_unknown(
        self, result: Result, data: Any, period: Period | None, year: int | None
    ) -> Result:
        """A verdict left UNKNOWN because the data does not say whether the
        ruleset applies (`applies when` in its header): a note saying so and
        what is missing, in every report."""
        context = Context(period, self.params, year)
        context.missing = []
        try:
            applicable = interpret_at(self.applies, (Obj(data, ""),), context)
        except AntqError:
            return result
        if applicable is True or applicable is False:
            return result
        assert self.applies is not None
        missing = ", ".join(dict.fromkeys(context.missing)) or "—"
        test = " ".join(self.applies.span.text().split()) if self.applies.span else "…"
        notice = warning("warn-applies-unknown", test=test, missing=missing)
        return attrs.evolve(result, notices=(*result.notices, notice))

    def _verdict_fast(self, data: Any, year: int | None) -> tuple[Status, Any, bool]:
        """(verdict, applicability, whether a value read was not known) by the
        fast path, for `passes(R)` inside another ruleset's fast path; raises
        when the record needs the general path."""
        assert self._fast_verdict is not None
        judged = self._fast_verdict(data, self.period_for(year), year)
        if judged is None:
            raise Deopt
        return judged[6], True, judged[7]

    def _judge_criterion(self, c: Criterion, ev: Callable[[ir.Node], Any]) -> tuple:
        applies = True if c.applies is None else ev(c.applies)
        if applies is False:
            return Status.NA, None, None, False
        value = None if c.test is None else ev(c.test)
        points = None
        if c.items:
            points = 0
            for item in c.items:
                points = v.arith("+", points, _earned(ev(item.condition), item.points))
        elif c.tiers:
            points = _tier_points(c.tiers, ev)
        if c.test is not None:
            status = status_of(value)
            if points is None and c.points is not None:
                points = _earned(value, c.points)
        else:
            full = c.max_points
            low, high = _bounds(points)
            status = Status.PASS if low == full else Status.FAIL if high < full else Status.UNKNOWN
        if applies is not True:
            status = Status.UNKNOWN
            if points is not None:
                points = v.hull(points, 0)
        return status, value, points, applies

    def _score(self, outcomes: Mapping[str, tuple]) -> tuple[Any, Any]:
        scored = [c for c in self.criteria if c.scored]
        if not scored:
            return None, None
        score: Any = 0
        max_score: Any = 0
        for c in scored:
            status, _, points, _ = outcomes[c.id]
            if status is Status.NA:
                continue
            score = v.arith("+", score, points if points is not None else 0)
            max_score = v.arith("+", max_score, c.max_points)
        return score, max_score

    def _level(self, ev: Callable[[ir.Node], Any]) -> tuple[str | None, tuple[str, ...]]:
        """The first level whose condition holds; unknown while an earlier
        condition is unknown (then every level it could be is a candidate)."""
        candidates: list[str] = []
        for level in self.levels:
            holds = True if level.condition is None else ev(level.condition)
            can_true, can_false, can_undefined = v.flags(holds)
            if can_true and not can_false and not can_undefined:
                if not candidates:
                    return level.name, ()
                candidates.append(level.name)
                break
            if can_true or can_undefined:
                candidates.append(level.name)
        return None, tuple(candidates)

    def _verdict(
        self, applicable: Any, outcomes: Mapping[str, tuple], ev: Callable[[ir.Node], Any]
    ) -> Status:
        if applicable is False:
            return Status.NA
        if self.verdict_node is not None:
            verdict = status_of(ev(self.verdict_node))
        else:
            result: Any = True
            for c in self.criteria:
                if not c.mandatory:
                    continue
                status = outcomes[c.id][0]
                if status is Status.NA:
                    continue
                result = v.logic_and(result, _passes(status))
            verdict = status_of(result)
        if applicable is not True:
            return Status.UNKNOWN
        return verdict

    # -------------------------------------------------------------- results

    def _result(
        self,
        data: Any,
        judgement: Judgement,
        year: int | None,
        index: int | None = None,
        reference: bool = False,
    ) -> Result:
        statuses = judgement.statuses
        if statuses is None or judgement.counts is None:
            outcomes = judgement.outcomes
            statuses = {cid: outcomes[cid][0] for cid in self._ids}
            met = applicable = 0
            for status in statuses.values():
                if status is not Status.NA:
                    applicable += 1
                    if status is Status.PASS:
                        met += 1
        else:
            met, applicable = judgement.counts
        # The reference evaluator explains by the reference interpreter alone.
        shared: dict[str, Any] = {"reference": reference}
        criteria = CriteriaView(
            statuses, None, (data, judgement, year, shared), self._judged_criteria
        )
        j = judgement
        result = Result(  # (positional: a call per record, and keywords cost)
            self.about, j.verdict, criteria, j.level, j.level_candidates, j.score, j.max_score,
            met, applicable, label_of(data), j.period, index,
        )  # fmt: skip
        if j.applicable is not True and j.applicable is not False:
            return self._applies_unknown(result, data, j.period, year)
        return result

    def _fast_criteria(self, view: CriteriaView) -> dict[str, CriterionResult]:
        """Every criterion's result of a record the fast path judged, at once."""
        build = self._results_built
        if build is None:
            build = self._results_built = results_builder(self)
        return build(view.args[1][0], self._explainer(view))

    def _quick_explanations(self, explainer: FastExplainer) -> dict[str, Any]:
        """The explanations of a fast judgement that need no tracing (see
        `explainer.quick_explainer`)."""
        quick = self._quick_explained
        if quick is None:
            quick = self._quick_explained = quick_explainer(self)
        return quick(explainer)

    def _explainer(self, view: CriteriaView) -> FastExplainer:
        """The explanations of a fast-judged result (one per result, kept in
        the view)."""
        explainer: FastExplainer | None = view.memo
        if explainer is None:
            explainer = view.memo = FastExplainer(self, *view.args)
        return explainer

    def _judgement_of(self, judged: tuple, period: Period | None) -> Judgement:
        """The `Judgement` of a fast judgement (for the general path's explanations)."""
        return _fast_judgement(judged, period, self.order)

    def _judged_criteria(self, view: CriteriaView) -> dict[str, CriterionResult]:
        """Every criterion's result of a record the general path judged, in file order."""
        data, judgement, year, shared = view.args
        built = {}
        infos, by_id, outcomes = self._infos, self._by_id, judgement.outcomes
        na = Status.NA
        for cid in self._ids:
            info = infos[cid]
            status, value, points, _ = outcomes[cid]
            lazy = Lazy(explain_criterion, self, by_id[cid], data, judgement, year, shared)
            if info.scored and status is not na:
                built[cid] = CriterionResult(info, status, value, points, info.max_points, lazy)
            else:
                built[cid] = CriterionResult(info, status, value, None, None, lazy)
        return built

    def error_result(self, error: AntqError, record: Any = None) -> Result:
        """The result of a record that could not be judged."""
        return Result(self.about, Status.UNKNOWN, {}, subject=subject_label(record), error=error)


_UNMADE = object()


YEARS = (1900, 2100)


def _same_year(year: int, period: Period | None) -> None:
    """A year given with a period of another year (a fixed period in the
    ruleset, or `period=`): the report would show one and the rulesets this
    one uses (`passes(tt124.kdc)`) would judge by the other."""
    if period is not None and period.year != year:
        raise AntqError(
            Diagnostic(
                "year-not-period",
                {"year": year, "start": period.start.isoformat(), "end": period.end.isoformat()},
            )
        )


def check_year(year: Any) -> None:
    """An evaluation year: a whole number from 1900 to 2100."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEARS[0] <= year <= YEARS[1]:
        from .data import describe_value

        raise AntqError(
            Diagnostic(
                "bad-year", {"value": describe_value(year), "low": YEARS[0], "high": YEARS[1]}
            )
        )


@attrs.frozen
class _SourceRaised:
    """What an iterator of records raised (a generator, a database cursor)."""

    error: BaseException


def _guarded(records: Iterable[Any]) -> Iterator[tuple[int, Any]]:
    """`enumerate(records)`, where an iterator that raises ends with a
    `_SourceRaised` instead of taking the results already made with it."""
    index = 0
    try:
        for record in records:
            yield index, record
            index += 1
    except Exception as error:
        yield index, _SourceRaised(error)


def _source_error(index: int, raised: _SourceRaised) -> AntqError:
    error = raised.error
    if isinstance(error, AntqError):
        return error
    try:
        detail = f"`{type(error).__name__}: {str(error)[:200]}`"
    except Exception:  # (its str() may raise too)
        detail = f"`{type(error).__name__}`"
    return DataError(Diagnostic("records-raised", {"detail": detail, "count": index}))


def _raised(error: BaseException) -> AntqError:
    """What a record raised that is not an `AntqError`, as one."""
    try:
        detail = f"`{type(error).__name__}: {str(error)[:200]}`"
    except Exception:  # (its str() may raise too)
        detail = f"`{type(error).__name__}`"
    return DataError(Diagnostic("record-raised", {"detail": detail}))


def _fast_judgement(judged: tuple, period: Period | None, ids: tuple[str, ...]) -> Judgement:
    """The `Judgement` of a fast judgement, whose first element holds (status,
    test value, points) of each criterion of `ids`, flat."""
    flat, statuses, counts, score, max_score, level, verdict = judged[:7]
    na, unknown = Status.NA, Status.UNKNOWN
    outcomes = {
        # (generated code says None for "not known"; the values of `values` say a set)
        cid: (s, v.UNKNOWN_BOOL if value is None and s is unknown else value, p, s is not na)
        for cid, s, value, p in zip(ids, flat[0::3], flat[1::3], flat[2::3], strict=True)
    }
    return Judgement(True, outcomes, score, max_score, level, (), verdict, period, statuses, counts)


def _passes(status: Status) -> Any:
    return {Status.PASS: True, Status.FAIL: False, Status.NA: False}.get(status, v.UNKNOWN_BOOL)


def _earned(holds: Any, points: Any) -> Any:
    can_true, can_false, can_undefined = v.flags(holds)
    if can_true and not can_false and not can_undefined:
        return points
    if not can_true:
        return 0 if not can_undefined else Range(0, points)
    return Range(0, points)


def _tier_points(tiers: tuple[Tier, ...], ev: Callable[[ir.Node], Any]) -> Any:
    possible: list[Any] = []
    for tier in tiers:
        can_true, can_false, can_undefined = v.flags(ev(tier.condition))
        if can_true or can_undefined:
            possible.append(tier.points)
        if can_true and not can_false and not can_undefined:
            break
    else:
        possible.append(0)
    return v.compose(True, min(possible), max(possible), False)


def _bounds(value: Any) -> tuple[Any, Any]:
    _, low, high, _ = v.parts(value)
    return low, high
