"""The report of a result as rows and notes, once, for every human format.

Text, Markdown and HTML differ in markup only; what they say — which rows,
which notes, in which words — is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from ..messages import word
from ..model import Status
from ..result import (
    CriterionResult,
    Drilldown,
    Explanation,
    Fact,
    Gap,
    ItemRef,
    Result,
    Witnesses,
)
from . import format as fmt

MAX_ITEMS = 10


@attrs.frozen
class DrillView:
    """An item another ruleset judged, and its criteria that did not pass."""

    heading: str
    lines: tuple[str, ...]


@attrs.frozen
class CriterionView:
    id: str
    title: str
    status: Status
    status_word: str
    points: str | None
    source: str | None
    test: str | None
    provisional: bool
    notes: tuple[str, ...]
    drilldown: tuple[DrillView, ...] = ()


@attrs.frozen
class GroupView:
    title: str | None
    criteria: tuple[CriterionView, ...]


@attrs.frozen
class ReportView:
    lang: str
    title: str
    rows: tuple[tuple[str, str], ...]
    verdict: Status | None
    verdict_word: str
    groups: tuple[GroupView, ...]
    error: str | None = None
    notices: tuple[str, ...] = ()  # the data file's notes and warnings, rendered


def status_word(status: Status | None, lang: str) -> str:
    return word("ERROR" if status is None else status.name, lang)


def build(result: Result, lang: str) -> ReportView:
    title = (
        result.ruleset_title_en
        if lang == "en" and result.ruleset_title_en
        else result.ruleset_title
    )
    ident = result.ruleset_id
    if result.ruleset_version:
        ident += f" · {word('version', lang)} {result.ruleset_version}"
    rows: list[tuple[str, str]] = [(word("ruleset", lang), ident)]
    for basis in result.basis:
        rows.append((word("basis", lang), basis))
    subject = result.subject or "—"
    if result.subject_entity:
        subject += f" ({result.subject_entity})"
    rows.append((word("subject", lang), subject))
    if result.period is not None:
        rows.append((word("period", lang), fmt.value(result.period, lang)))
    notices = tuple(n.render(lang) for n in result.notices)
    if result.error is not None:
        return ReportView(
            lang,
            title,
            tuple(rows),
            None,
            status_word(None, lang),
            (),
            result.error.render(lang),
            notices,
        )
    verdict_word = status_word(result.verdict, lang)
    rows.append((word("verdict", lang), verdict_word))
    if result.level is not None or result.level_candidates:
        level = (
            result.level or f"{word('level unknown', lang)} ({' / '.join(result.level_candidates)})"
        )
        rows.append((word("level", lang), level))
    if result.score is not None:
        rows.append(
            (
                word("score", lang),
                f"{fmt.value(result.score, lang)} / {fmt.value(result.max_score, lang)}",
            )
        )
    rows.append((word("criteria met", lang), result.summary_line()))
    groups = _groups(result, lang)
    return ReportView(lang, title, tuple(rows), result.verdict, verdict_word, groups, None, notices)


def _groups(result: Result, lang: str) -> tuple[GroupView, ...]:
    groups: list[GroupView] = []
    current: str | None = object()  # type: ignore[assignment]
    bucket: list[CriterionView] = []
    title: str | None = None
    for criterion in result.criteria.values():
        if criterion.group != current:
            if bucket:
                groups.append(GroupView(title, tuple(bucket)))
            bucket = []
            current = criterion.group
            title = (
                criterion.group_title_en
                if lang == "en" and criterion.group_title_en
                else criterion.group_title
            )
            if title is None and criterion.group is not None:
                title = criterion.group
        bucket.append(_criterion(criterion, lang))
    if bucket:
        groups.append(GroupView(title, tuple(bucket)))
    return tuple(groups)


def _criterion(c: CriterionResult, lang: str) -> CriterionView:
    title = c.title_en if lang == "en" and c.title_en else c.title
    points = None
    if c.points is not None:
        points = f"{fmt.value(c.points, lang)}/{fmt.value(c.max_points, lang)}"
    return CriterionView(
        c.id,
        title,
        c.status,
        status_word(c.status, lang),
        points,
        c.source,
        c.test_text,
        c.provisional,
        tuple(_role_note(c, lang) + notes(c.explanation, lang)),
        tuple(drill(d, lang) for d in c.explanation.drilldown) if c.status != Status.PASS else (),
    )


def drill(d: Drilldown, lang: str) -> DrillView:
    """`Xóm 7 (areas[6]) under tt124.kdc: FAIL` and why, criterion by criterion."""
    result = d.result
    heading = word("drilldown", lang).format(
        label=d.label or d.path,
        path=d.path,
        ruleset=d.ruleset_id,
        verdict=status_word(None if result.error else result.verdict, lang),
        met=result.summary_line(),
    )
    if result.error is not None:
        return DrillView(heading, (result.error.render(lang),))
    lines = []
    for c in result.criteria.values():
        if c.status in (Status.PASS, Status.NA):
            continue
        title = c.title_en if lang == "en" and c.title_en else c.title
        said = "; ".join(_role_note(c, lang) + notes(c.explanation, lang))
        line = f"{c.id} — {title}: {status_word(c.status, lang)}"
        lines.append(f"{line} — {said}" if said else line)
    return DrillView(heading, tuple(lines))


def _role_note(c: CriterionResult, lang: str) -> list[str]:
    """Why a criterion that did not pass does not change the verdict."""
    if c.role == "decides" or c.status in (Status.PASS, Status.NA):
        return []
    return [word("role " + c.role, lang)]


def notes(explanation: Explanation, lang: str) -> list[str]:
    out = [fact(f, lang) for f in explanation.facts]
    out += [witnesses(w, lang) for w in explanation.witnesses]
    if explanation.missing:
        out.append(f"{word('missing', lang)}: {paths(explanation.missing, lang)}")
    if explanation.applies_missing:
        out.append(f"{word('applies missing', lang)}: {paths(explanation.applies_missing, lang)}")
    if explanation.gap is not None and explanation.gap.change != 0:
        out.append(gap(explanation.gap, lang))
    return out


def witnesses(w: Witnesses, lang: str) -> str:
    label = {"failing": "failing", "counted": "counted", "unknown": "unknown items"}[w.role]
    return f"{word(label, lang)} ({w.text}): {items(w.items, lang)}"


def gap(g: Gap, lang: str) -> str:
    """How far from passing: `1 more Thôn must meet …`, or that it cannot."""
    if g.change is None:
        return word("gap none", lang).format(list=g.list_text)
    key = "gap more" if g.direction == "more" else "gap fewer"
    return word(key, lang).format(count=g.change, entity=g.entity_label, test=g.test_text)


def fact(f: Fact, lang: str) -> str:
    if f.op is None:
        return f"{f.text} = {fmt.value(f.value, lang)}"
    as_percent = f.percent
    # An enum value shows its label: `Tội phạm (crime)`, and `Tội phạm ("crime")`.
    threshold = f.label(f.threshold) or fmt.value(f.threshold, lang, as_percent)
    if f.threshold_text != threshold and not _is_literal(f.threshold_text):
        threshold += f" ({f.threshold_text})"
    shown = fmt.value(f.value, lang, as_percent)
    label = f.label(f.value)
    if label is not None:
        shown = f"{label} ({shown})"
    return f"{f.text} = {shown}; {word('needs', lang)} {f.op} {threshold}"


def _is_literal(text: str) -> bool:
    return not any(ch.isalpha() for ch in text) or text in ("true", "false")


def items(refs: Iterable[ItemRef], lang: str) -> str:
    refs = list(refs)
    shown = ", ".join(str(r) for r in refs[:MAX_ITEMS])
    if len(refs) > MAX_ITEMS:
        shown += ", " + word("and more", lang).format(count=len(refs) - MAX_ITEMS)
    return shown


def paths(found: Iterable[str], lang: str) -> str:
    found = list(found)
    shown = ", ".join(found[:MAX_ITEMS])
    if len(found) > MAX_ITEMS:
        shown += ", " + word("and more", lang).format(count=len(found) - MAX_ITEMS)
    return shown
