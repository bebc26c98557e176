"""Markdown, for people and for issue trackers.

Everything a report quotes — names from the data, titles and tests from the
ruleset — is escaped for Markdown: an area called `<img src=x onerror=…>`
must reach the page as text, not as HTML most viewers would render, and a
`|` or a backtick must not break a table or a code span.
"""

from __future__ import annotations

import re

from ..messages import word
from .text import safe
from .view import ReportView

# What can start Markdown syntax inside a line, and nothing else, so that
# `ratio(areas.safe) >= 90%` and `areas[6]` stay readable in the raw file:
# backslashes, backticks, `*`, `|` and `~` anywhere; `_` except inside a word
# (where CommonMark reads it literally); `<` before what starts a tag or an
# autolink; `]` before `(` or `[` (a link or an image); `&` before an entity.
_SPECIAL = re.compile(r"[\\`*|~]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])|\](?=[(\[])|&(?=#?\w+;)")


def text(value: str) -> str:
    """Inline text, escaped, on one line."""
    return _SPECIAL.sub(lambda m: "\\" + m.group(), " ".join(value.split()))


def code(value: str) -> str:
    """An inline code span that holds `value` whatever backticks it has."""
    value = " ".join(value.split())
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") or longest else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def block(value: str) -> list[str]:
    """A fenced code block that holds `value` whatever it has."""
    longest = max((len(run) for run in re.findall(r"`{3,}", value)), default=2)
    fence = "`" * (longest + 1)
    return [fence, *value.splitlines(), fence]


def render(view: ReportView) -> str:
    lang = view.lang
    lines = [f"# {text(word('report title', lang))}: {text(view.title)}", ""]
    lines += [f"| {text(word('ruleset', lang))} | {text(view.rows[0][1])} |", "|---|---|"]
    lines += [f"| {text(label)} | {text(value)} |" for label, value in view.rows[1:]]
    if view.notices:
        lines += ["", f"**{text(word('notices', lang))}:**", ""]
        lines += [f"- {text(n)}" for n in view.notices]
    if view.error is not None:
        lines += ["", f"**{text(word('error in record', lang))}:**", "", *block(view.error)]
        return safe("\n".join(lines)) + "\n"
    for group in view.groups:
        lines.append("")
        if group.title:
            lines += [f"## {text(group.title)}", ""]
        for c in group.criteria:
            head = f"### {text(c.id)} — {text(c.title)} · **{text(c.status_word)}**"
            if c.points is not None:
                head += f" · {text(word('points', lang))} {text(c.points)}"
            if c.provisional:
                head += f" · _{text(word('provisional', lang))}_"
            lines += [head, ""]
            if c.source:
                lines.append(f"- {text(word('source', lang))}: {text(c.source)}")
            if c.test:
                lines.append(f"- {text(word('test', lang))}: {code(c.test)}")
            lines += [f"- {text(note)}" for note in c.notes]
            for d in c.drilldown:
                lines.append(f"- ↳ **{text(d.heading)}**")
                lines += [f"  - {text(line)}" for line in d.lines]
            lines.append("")
    return safe("\n".join(lines).rstrip()) + "\n"
