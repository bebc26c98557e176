"""The rulesets a server offers: the shipped library, and the `--rulesets`
folder when one is given — and what each one judges, for the home page.

A ruleset is named by its path inside its folder: `plans/ngoc_dao_2021.antq`
(shipped; `antq:plans/ngoc_dao_2021.antq` is the same one) or
`dir:xa_2024.antq` (the server's folder). Only names found by listing the
folders are ever opened: a name from a request is looked up, never joined
to a path.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import AntqError, Diagnostic
from ..library import rulesets_dir
from ..loader import SHIPPED_PREFIX, load
from ..report import format as fmt
from ..ruleset import Ruleset

DIR_PREFIX = "dir:"
MAX_FILES = 500  # (a folder of thousands of rulesets is not a catalog)


@attrs.frozen
class Entry:
    key: str  # `plans/ngoc_dao_2021.antq`, or `dir:…` for the server's folder
    path: Path
    origin: str  # "shipped" | "dir"


@attrs.frozen
class ParamInfo:
    name: str
    value: str  # as people read it (`95 %`)
    literal: str  # as a form takes it back (`95%`)
    description: str | None


@attrs.frozen
class CriterionLine:
    id: str
    title: str
    source: str | None
    kind: str  # "mandatory" | "scored" | "provisional" | "other"
    points: str | None


@attrs.frozen
class GroupLines:
    title: str | None
    criteria: tuple[CriterionLine, ...]


@attrs.frozen
class Description:
    """What a ruleset judges, as the home page shows it."""

    key: str
    id: str
    title: str
    version: str | None
    effective: str | None
    basis: tuple[str, ...]
    subject: str
    subject_label: str | None
    period: str | None
    annual: bool
    groups: tuple[GroupLines, ...]
    params: tuple[ParamInfo, ...]
    criteria_count: int


class Catalog:
    def __init__(self, folder: Path | None = None) -> None:
        self.shipped = rulesets_dir().resolve()
        self.folder = folder.resolve() if folder is not None else None

    @property
    def roots(self) -> tuple[Path, ...]:
        """The folders ruleset text from a browser may `use`."""
        return (self.shipped,) if self.folder is None else (self.shipped, self.folder)

    @property
    def allow(self) -> list[Path]:
        return [] if self.folder is None else [self.folder]

    def entries(self) -> list[Entry]:
        found = _listed(self.shipped, "", "shipped")
        if self.folder is not None:
            found += _listed(self.folder, DIR_PREFIX, "dir")
        return found

    def find(self, key: str) -> Entry:
        """The entry a request names, or an `AntqError` (only listed files are found)."""
        wanted = key.strip()
        if wanted.startswith(SHIPPED_PREFIX):
            wanted = wanted[len(SHIPPED_PREFIX) :]
        for entry in self.entries():
            if entry.key == wanted:
                return entry
        raise AntqError(Diagnostic("web-unknown-ruleset", {"name": _shown(key)}))

    def load(
        self, entry: Entry, params: Mapping[str, Any] | None = None, year: int | None = None
    ) -> Ruleset:
        return load(entry.path, params or None, year=year, allow=self.allow)

    def rulesets(self) -> list[tuple[Entry, Ruleset | None, AntqError | None]]:
        """Every entry with its ruleset, or the error that stops it loading
        (schema libraries, which judge nothing, are left out)."""
        out: list[tuple[Entry, Ruleset | None, AntqError | None]] = []
        for entry in self.entries():
            try:
                out.append((entry, self.load(entry), None))
            except AntqError as error:
                if error.code != "missing-header":
                    out.append((entry, None, error))
        return out

    def cases_text(self, entry: Entry) -> str | None:
        """The text of the entry's `.cases.yaml`, when it has one."""
        sibling = entry.path.with_name(entry.path.name[: -len(".antq")] + ".cases.yaml")
        try:
            return sibling.read_text(encoding="utf-8") if sibling.is_file() else None
        except (OSError, UnicodeDecodeError):
            return None


def _listed(root: Path, prefix: str, origin: str) -> list[Entry]:
    found: list[Entry] = []
    try:
        paths = sorted(root.rglob("*.antq"))
    except OSError:
        return found
    for path in paths[:MAX_FILES]:
        try:
            resolved = path.resolve()
            if not resolved.is_relative_to(root) or not resolved.is_file():
                continue  # (a link that leads out of the folder is not offered)
        except OSError:
            continue
        key = prefix + path.relative_to(root).as_posix()
        found.append(Entry(key, resolved, origin))
    return found


def _shown(name: str) -> str:
    name = "".join(ch if ch.isprintable() else "�" for ch in name)
    return name if len(name) <= 120 else name[:120] + "…"


def describe(entry_key: str, ruleset: Ruleset, lang: str) -> Description:
    en = lang == "en"
    groups: list[GroupLines] = []
    current: Any = object()
    bucket: list[CriterionLine] = []
    title: str | None = None
    for c in ruleset.criteria:
        if c.group != current:
            if bucket:
                groups.append(GroupLines(title, tuple(bucket)))
            bucket, current = [], c.group
            group = ruleset.groups.get(c.group) if c.group else None
            title = None
            if group is not None:
                title = (group.title_en if en and group.title_en else group.title) or group.name
        kind = (
            "provisional"
            if c.provisional
            else "scored"
            if c.scored
            else "mandatory"
            if c.mandatory
            else "other"
        )
        points = None if c.max_points is None else fmt.value(c.max_points, lang)
        shown = c.title_en if en and c.title_en else c.title
        bucket.append(CriterionLine(c.id, shown, c.source, kind, points))
    if bucket:
        groups.append(GroupLines(title, tuple(bucket)))
    params = tuple(
        ParamInfo(
            name,
            fmt.value(value, lang, name in ruleset.percent_params),
            _literal(value, name in ruleset.percent_params),
            ruleset.param_labels.get(name),
        )
        for name, value in ruleset.params.items()
    )
    try:
        subject_label = ruleset.schema.entity(ruleset.subject).label
    except Exception:  # (a schema without the entity: the name is enough)
        subject_label = None
    rule = ruleset.period_rule
    return Description(
        key=entry_key,
        id=ruleset.id,
        title=ruleset.title_en if en and ruleset.title_en else ruleset.title,
        version=ruleset.version,
        effective=None if ruleset.effective is None else fmt.date(ruleset.effective, lang),
        basis=tuple(ruleset.basis),
        subject=ruleset.subject,
        subject_label=subject_label,
        period=None if rule is None else str(rule),
        annual=bool(rule is not None and rule.spec.annual),
        groups=tuple(groups),
        params=params,
        criteria_count=len(ruleset.criteria),
    )


def _literal(value: Any, percent: bool) -> str:
    """A parameter's value written as `--param` takes it (`95%`, `0.7`, `2021-01-01`)."""
    from fractions import Fraction

    if isinstance(value, bool):
        return "true" if value else "false"
    if percent and isinstance(value, (int, Fraction)):
        pct = Fraction(value) * 100
        if pct.denominator == 1:
            return f"{pct.numerator}%"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, str):
        return '"' + value.replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_literal(v, False) for v in value) + "]"
    return str(value)
