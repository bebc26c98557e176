"""Terminal text.

Text from the data goes to a terminal: control characters (an escape
sequence in a name could rewrite the screen) and the Unicode marks that
reorder text are shown as `\\uXXXX`, never passed through.
"""

from __future__ import annotations

import re

from ..messages import word
from ..model import Status
from .view import ReportView

MARKS = {Status.PASS: "✔", Status.FAIL: "✘", Status.UNKNOWN: "?", Status.NA: "–"}

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(value: str) -> str:
    """`value` with control and reordering characters made visible."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


_XML_UNSAFE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(value: str) -> str:
    """Text an XML document (.docx, .xlsx) can hold: control and reordering
    characters shown as `\\uXXXX`, lone surrogates and non-characters replaced."""
    return _XML_UNSAFE.sub("\ufffd", safe(value))


_BREAKS = re.compile("[\n\r\x85\u2028\u2029]")


def one_line(value: str) -> str:
    """Text from the data kept on its line: a line break in a name would
    otherwise start a line that looks like the report's own."""
    return _BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", value)


def render(view: ReportView) -> str:
    lang = view.lang
    lines = [f"{word('report title', lang)}: {view.title}"]
    width = max(len(label) for label, _ in view.rows)
    lines += [f"  {label:<{width}}  {one_line(str(value))}" for label, value in view.rows]
    if view.notices:
        lines += ["", word("notices", lang) + ":"]
        lines += [f"  • {n}" for n in view.notices]
    if view.error is not None:
        lines += ["", word("error in record", lang) + ":", view.error]
        return safe("\n".join(lines)) + "\n"
    for group in view.groups:
        lines.append("")
        if group.title:
            lines.append(f"== {group.title} ==")
        for c in group.criteria:
            head = f"{MARKS[c.status]} [{c.status_word}] {c.id} — {c.title}"
            if c.points is not None:
                head += f"  ({word('points', lang).lower()} {c.points})"
            if c.provisional:
                head += f"  ({word('provisional', lang)})"
            lines.append(head)
            if c.source:
                lines.append(f"    {word('source', lang)}: {c.source}")
            lines += [f"    • {one_line(note)}" for note in c.notes]
            for d in c.drilldown:
                lines.append(f"    ↳ {one_line(d.heading)}")
                lines += [f"        • {one_line(line)}" for line in d.lines]
    return safe("\n".join(lines)) + "\n"
