"""What judging a subject gives back: a frozen `Result`, one `CriterionResult`
per criterion, and the explanations behind them (computed when first asked
for, since a batch of thousands of communes rarely needs them all).

`Result.to_dict()` is the documented, versioned JSON form (`RESULT_SCHEMA`,
see docs/rulesets.md); `render()` draws text, Markdown or HTML in Vietnamese
or English (see `report`).
"""

from __future__ import annotations

import datetime
import importlib
import json
from collections.abc import Callable, Iterator, Mapping, ValuesView
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs

from .errors import AntqError, Diagnostic
from .model import Status
from .values import Period

RESULT_SCHEMA = "antq-result/1"


class Lazy:
    """A value computed on first use (kept out of equality and repr)."""

    __slots__ = ("_args", "_compute", "_done", "_value")

    def __init__(self, compute: Callable[..., Any], *args: Any) -> None:
        self._compute = compute
        self._args = args
        self._done = False
        self._value: Any = None

    def get(self) -> Any:
        if not self._done:
            self._value = self._compute(*self._args)
            self._done = True
            self._compute = self._args = None  # type: ignore[assignment]
        return self._value


def _read_only(
    *, hidden: tuple[str, ...] = (), private: tuple[str, ...] = ()
) -> Callable[[type], type]:
    """For an attrs class whose fields are private (`_status`): a public
    read-only property for each (`status`) but those the class reads its own
    way or keeps `private`, and a `repr` by them but `hidden`. Results are
    made per criterion of every subject of a batch: slotted attrs classes
    whose `__init__` stores plainly cost half what a frozen class costs (it
    stores through `object.__setattr__` or the instance dict), and stay
    immutable to their users."""

    def add(cls: type) -> type:
        names = [
            field.name[1:]
            for field in attrs.fields(cls)
            if field.name[1:] not in cls.__dict__ and field.name[1:] not in private
        ]
        for name in names:
            setattr(cls, name, property(attrgetter(f"_{name}")))
        shown = [name for name in names if name not in hidden]

        def __repr__(self: Any) -> str:
            fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
            return f"{type(self).__name__}({fields})"

        if "__repr__" not in cls.__dict__:
            cls.__repr__ = __repr__  # type: ignore[method-assign]
        return cls

    return add


@_read_only()
@attrs.define(unsafe_hash=True, repr=False)  # (made by the thousand: see `_read_only`)
class ItemRef:
    """An item of the data: its path (`hamlets[12]`) and a readable label."""

    _path: str
    _label: str | None = None

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        path: str
        label: str | None

    def __str__(self) -> str:
        return f"{self.path} ({self.label})" if self.label else self.path


@_read_only(hidden=("labels",))
@attrs.define(unsafe_hash=True, repr=False)  # (made by the thousand: see `_read_only`)
class Fact:
    """A comparison that decided a criterion: `ratio(hamlets.safe) = 12/13 … needs > 95%`."""

    _text: str
    _value: Any
    _op: str | None  # None: a true/false value on its own, such as `passes(X1)`
    _threshold_text: str | None
    _threshold: Any
    _holds: Any  # True, False or an unknown bool
    _percent: bool = False  # shown as a percentage (a ratio, or a threshold written as one)
    # (code, label) of the enum values compared, if they have labels: reports
    # show `Tội phạm (crime)` where `value` and `threshold` keep the code.
    _labels: tuple[tuple[str, str], ...] = attrs.field(default=(), eq=False, repr=False)

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        text: str
        value: Any
        op: str | None
        threshold_text: str | None
        threshold: Any
        holds: Any
        percent: bool
        labels: tuple[tuple[str, str], ...]

    def label(self, value: Any) -> str | None:
        """The label of an enum value of this fact, if it has one."""
        return next((label for code, label in self.labels if code == value), None)

    def sentence(self, lang: str = "vi") -> str:
        """As reports say it: `ratio(hamlets.safe) = 12/13 ≈ 92,3 %; cần > 95 %`."""
        said: str = _drawing("fact")(self, lang)
        return said

    def __str__(self) -> str:
        return self.sentence()


@_read_only()
@attrs.define(eq=False, repr=False)  # (made by the thousand: see `_read_only`)
class Witnesses:
    """Items of one aggregate that explain its value."""

    _text: str  # the aggregate, as written
    _role: str  # "failing" | "counted" | "unknown"
    # A tuple of `ItemRef`s; or, from a generated tracer, an object whose
    # `made()` gives them, called when they are first read.
    _items: Any = attrs.field(alias="items")

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        text: str
        role: str

    @property
    def items(self) -> tuple[ItemRef, ...]:
        items = self._items
        if type(items) is not tuple:
            items = self._items = items.made()  # (made once)
        return items  # type: ignore[no-any-return]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Witnesses)
        return (self.text, self.role, self.items) == (other.text, other.role, other.items)

    def __hash__(self) -> int:
        return hash((self.text, self.role, self.items))

    def __repr__(self) -> str:
        return f"Witnesses(text={self.text!r}, role={self.role!r}, items={self.items!r})"

    def sentence(self, lang: str = "vi") -> str:
        """As reports say it: `Không đạt (all(units.safe)): units[2] (Trường A)`."""
        said: str = _drawing("witnesses")(self, lang)
        return said

    def __str__(self) -> str:
        return self.sentence()


@attrs.frozen
class Gap:
    """How far a failing or unknown threshold is from passing."""

    change: int | None  # items whose test must change; None: cannot pass
    direction: str  # "more" (must meet the test) | "fewer" (must stop meeting it)
    list_text: str
    test_text: str
    entity_label: str

    def sentence(self, lang: str = "vi") -> str:
        """As reports say it: `cần thêm 1 Thôn đạt …`, or that no change can pass."""
        said: str = _drawing("gap")(self, lang)
        return said

    def __str__(self) -> str:
        return self.sentence()


@attrs.frozen
class ListSummary:
    """A list in a trace: how many items (and whether more may exist)."""

    count: int
    open: bool = False


@attrs.frozen
class TraceStep:
    depth: int
    text: str
    value: Any


def _resolved(value: Any) -> Any:
    return value.get() if isinstance(value, Lazy) else value


@_read_only(private=("source",))
@attrs.define(eq=False, repr=False)  # (one per criterion explained: see `_read_only`)
class Explanation:
    _facts: tuple[Fact, ...] = ()
    _witnesses: tuple[Witnesses, ...] = ()
    _missing: tuple[str, ...] = ()
    _gap: Gap | None = None
    # Every value at the subject's level, in evaluation order (only `antq why`
    # shows it, so it is built when first read): a tuple once made; until
    # then a `Lazy`, or a token that `source.steps_of(token)` makes them from
    # (one object less per explanation, where one source explains many).
    _trace: Any = ()
    _applies_missing: tuple[str, ...] = ()
    # Items judged by another ruleset (`passes(tt124.kdc)`) that did not pass
    # it, each with its own result under that ruleset: made when first read.
    _drilldown: tuple[Drilldown, ...] | Lazy = ()
    _source: Any = None

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        facts: tuple[Fact, ...]
        witnesses: tuple[Witnesses, ...]
        missing: tuple[str, ...]
        gap: Gap | None
        applies_missing: tuple[str, ...]

    @property
    def trace(self) -> tuple[TraceStep, ...]:
        steps = self._trace
        if type(steps) is not tuple:
            steps = steps.get() if type(steps) is Lazy else self._source.steps_of(steps)
            self._trace = steps  # (made once)
        return steps  # type: ignore[no-any-return]

    def _compared(self) -> tuple[Any, ...]:
        return (self._facts, self._witnesses, self._missing, self._gap, self._applies_missing)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Explanation)
        return self._compared() == other._compared() and self.trace == other.trace

    def __hash__(self) -> int:
        return hash(self._compared())

    @property
    def drilldown(self) -> tuple[Drilldown, ...]:
        found: tuple[Drilldown, ...] = _resolved(self._drilldown)
        return found


@attrs.frozen
class Drilldown:
    """An item a criterion judged by another ruleset, and why it did not pass
    there: its own result (`Xóm 7` under `tt124.kdc`)."""

    path: str
    label: str | None
    ruleset_id: str
    result: Any  # Result


@attrs.frozen
class CriterionInfo:
    """What every result of one criterion shares: its words, its place in the
    ruleset and how its outcome counts (made once per ruleset)."""

    id: str
    title: str
    mandatory: bool = True
    provisional: bool = False
    title_en: str | None = None
    source: str | None = None
    group: str | None = None
    group_title: str | None = None
    group_title_en: str | None = None
    test_text: str | None = None
    # How the outcome counts: "decides" the verdict; or does not, being
    # "provisional", "score-only" (points without being mandatory), or
    # "not-in-verdict" (a `verdict` expression that does not name it).
    role: str = "decides"
    scored: bool = False
    max_points: Any = None


@_read_only(private=("lazy",))
@attrs.define(unsafe_hash=True, repr=False)  # (one per criterion of each result: `_read_only`)
class CriterionResult:
    """One criterion's outcome for one subject. Its words (`title`, `source`,
    `group_title`…) come from the criterion's `info`, shared by all results."""

    _info: CriterionInfo
    _status: Status
    _value: Any  # what the test gave (a bool, or the set of bools it could be)
    _points: Any = None  # awarded (a number, a Range when unsure); None if not scored
    _max_points: Any = None
    # How the explanation is made: a `Lazy`, or an object with
    # `explanation_of(criterion_id)` (one per result, e.g. `FastExplainer`).
    _lazy: Any = attrs.field(default=None, eq=False)

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        info: CriterionInfo
        status: Status
        value: Any
        points: Any
        max_points: Any

    id = property(lambda self: self.info.id)
    title = property(lambda self: self.info.title)
    mandatory = property(lambda self: self.info.mandatory)
    provisional = property(lambda self: self.info.provisional)
    title_en = property(lambda self: self.info.title_en)
    source = property(lambda self: self.info.source)
    group = property(lambda self: self.info.group)
    group_title = property(lambda self: self.info.group_title)
    group_title_en = property(lambda self: self.info.group_title_en)
    test_text = property(lambda self: self.info.test_text)
    role = property(lambda self: self.info.role)

    @property
    def decides_verdict(self) -> bool:
        return self.info.role == "decides"

    @property
    def explanation(self) -> Explanation:
        """Deciding values, witnesses, missing data and the gap (computed on first use)."""
        source = self._lazy
        if source is None:
            return Explanation()
        if type(source) is Lazy:
            explained: Explanation = source.get()
            return explained
        # (an object that explains every criterion of one result, and keeps them)
        explained = source.explanation_of(self.info.id)
        return explained


class CriteriaView(Mapping[str, CriterionResult]):
    """`Result.criteria`: a read-only mapping of criterion ids to results,
    built when first looked at (a batch often needs only the verdict and the
    statuses): all at once by `make_all(view)` when given (one generated call
    costs less than a lookup each), else one by one by `make(view, id)`;
    both read `view.args` (and may keep what criteria share in `view.memo`)."""

    __slots__ = ("_built", "_make", "_make_all", "_statuses", "args", "memo")

    def __init__(
        self,
        statuses: Mapping[str, Status],
        make: Callable[[CriteriaView, str], CriterionResult] | None = None,
        args: tuple[Any, ...] = (),
        make_all: Callable[[CriteriaView], dict[str, CriterionResult]] | None = None,
    ) -> None:
        self._statuses = statuses
        self._make = make
        self._make_all = make_all  # (every criterion's result, in file order)
        self.args = args
        self.memo: Any = None
        self._built: dict[str, CriterionResult] | None = None

    def _results(self) -> dict[str, CriterionResult]:
        """The results built so far (all of them, where `make_all` builds them)."""
        built = self._built
        if built is None:
            built = self._built = {} if self._make_all is None else self._make_all(self)
        return built

    def __getitem__(self, key: str) -> CriterionResult:
        built = self._results()
        result = built.get(key)
        if result is None:
            if key not in self._statuses or self._make is None:
                raise KeyError(key)
            result = built[key] = self._make(self, key)
        return result

    def __iter__(self) -> Iterator[str]:
        return iter(self._statuses)

    def __len__(self) -> int:
        return len(self._statuses)

    def __contains__(self, key: object) -> bool:
        return key in self._statuses

    def statuses(self) -> dict[str, Status]:
        return dict(self._statuses)

    def values(self) -> ValuesView[CriterionResult]:
        if self._make_all is not None:  # (all built, in order: the dict's own view)
            return self._results().values()
        return _Values(self)

    def _all(self) -> Iterator[CriterionResult]:
        """Every criterion's result in order, built as reached (one loop, not a
        lookup per key)."""
        built, make = self._results(), self._make
        for key in self._statuses:
            result = built.get(key)
            if result is None:
                result = built[key] = make(self, key)
            yield result

    def __repr__(self) -> str:
        return repr(dict(self.items()))


class _Values(ValuesView[CriterionResult]):
    _mapping: CriteriaView

    def __iter__(self) -> Iterator[CriterionResult]:
        return self._mapping._all()


@attrs.frozen
class RulesetInfo:
    """What every result of one ruleset shares (made once per ruleset)."""

    id: str
    title: str
    title_en: str | None = None
    version: str | None = None
    basis: tuple[str, ...] = ()
    subject_entity: str | None = None


@_read_only()
@attrs.define(unsafe_hash=True, repr=False)  # (one per record judged: see `_read_only`)
class Result:
    """The judgement of one subject by one ruleset. What every result of the
    ruleset shares (its id, titles, version, basis) comes from `about`."""

    _about: RulesetInfo
    _verdict: Status
    _criteria: Mapping[str, CriterionResult]
    _level: str | None = None
    _level_candidates: tuple[str, ...] = ()
    _score: Any = None
    _max_score: Any = None
    _met: int = 0
    _applicable: int = 0
    _subject: str | None = None
    _period: Period | None = None
    _index: int | None = None  # position in a batch
    _error: AntqError | None = attrs.field(default=None, eq=False)
    # What the reader of a data file noticed (merged cells, hidden rows…):
    # `Diagnostic`s of severity "note" or "warning", shown by every report.
    _notices: tuple[Diagnostic, ...] = attrs.field(default=(), eq=False)

    if TYPE_CHECKING:  # (the read-only properties `_read_only` adds)
        about: RulesetInfo
        verdict: Status
        criteria: Mapping[str, CriterionResult]
        level: str | None
        level_candidates: tuple[str, ...]
        score: Any
        max_score: Any
        met: int
        applicable: int
        subject: str | None
        period: Period | None
        index: int | None
        error: AntqError | None
        notices: tuple[Diagnostic, ...]

    ruleset_id = property(lambda self: self.about.id)
    ruleset_title = property(lambda self: self.about.title)
    ruleset_title_en = property(lambda self: self.about.title_en)
    ruleset_version = property(lambda self: self.about.version)
    basis = property(lambda self: self.about.basis)
    subject_entity = property(lambda self: self.about.subject_entity)

    @property
    def ok(self) -> bool:
        """False for a record that could not be judged (see `error`)."""
        return self.error is None

    def __iter__(self) -> Iterator[CriterionResult]:
        return iter(self.criteria.values())

    @property
    def statuses(self) -> dict[str, Status]:
        """`{criterion id: Status}`, without building the criteria's results."""
        criteria = self._criteria
        if type(criteria) is CriteriaView:
            return criteria._statuses.copy()
        return {cid: c.status for cid, c in criteria.items()}

    def summary_line(self) -> str:
        """`28/34`: criteria met over criteria that apply."""
        return f"{self.met}/{self.applicable}"

    def with_notices(self, notices: tuple[Diagnostic, ...]) -> Result:
        """This result with the notices of the file its record came from."""
        return attrs.evolve(self, notices=self.notices + tuple(notices)) if notices else self

    def to_dict(self, explain: bool = True, lang: str = "en") -> dict[str, Any]:
        """The `antq-result/1` JSON form, as a dict."""
        form: dict[str, Any] = _drawing("to_dict")(self, explain=explain, lang=lang)
        return form

    def to_json(self, *, explain: bool = True, indent: int | None = 2) -> str:
        return json.dumps(
            self.to_dict(explain), ensure_ascii=False, indent=indent, default=_json_default
        )

    def render(self, format: str = "text", lang: str = "vi") -> str | bytes:
        """`text`, `json`, `md` or `html` (text), or `docx` (bytes: the official
        report), in `vi` or `en`."""
        drawn: str | bytes = _drawing("render")(self, format, lang)
        return drawn


# How results are drawn belongs to the report layer, which sits above this
# one: it registers its functions here when it is imported (`antq_rules.report`),
# so that `Result.render` is a convenience without this module importing it.
DRAWINGS: dict[str, Callable[..., Any]] = {}
REPORT_LAYER = "antq_rules.report"


def _drawing(name: str) -> Callable[..., Any]:
    if name not in DRAWINGS:
        importlib.import_module(REPORT_LAYER)  # (registers itself)
    return DRAWINGS[name]


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@attrs.define
class Summary:
    """Counts over a batch: verdicts, levels, records that could not be judged."""

    total: int = 0
    verdicts: dict[str, int] = attrs.field(factory=lambda: {s.name: 0 for s in Status})
    levels: dict[str, int] = attrs.field(factory=dict)
    errors: int = 0

    def add(self, result: Result) -> None:
        self.total += 1
        if result.error is not None:
            self.errors += 1
            return
        # (`_name_`, the enum's own attribute: `.name` and hashing a member are
        # Python-level calls, once per result of a batch)
        self.verdicts[result.verdict._name_] += 1
        level = (
            result.level if result.level is not None else ("?" if result.level_candidates else None)
        )
        if level is not None:
            self.levels[level] = self.levels.get(level, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "verdicts": dict(self.verdicts),
            "levels": dict(self.levels),
            "errors": self.errors,
        }

    def render(self, lang: str = "vi") -> str:
        from .messages import word

        rows = [(word(name, lang), count) for name, count in self.verdicts.items()]
        rows += [(f"{word('level', lang)}: {name}", count) for name, count in self.levels.items()]
        rows.append((word("ERROR", lang), self.errors))
        rows.append((word("total", lang), self.total))
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {count:>7}" for label, count in rows) + "\n"


class Batch:
    """The results of `evaluate_many`, streamed; `summary` counts what has passed by."""

    def __init__(self, results: Iterator[Result]) -> None:
        self._results = results
        self.summary = Summary()

    def __iter__(self) -> Batch:
        return self

    def __next__(self) -> Result:
        result = next(self._results)
        self.summary.add(result)
        return result
