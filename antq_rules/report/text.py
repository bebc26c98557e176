"""Terminal text."""

from __future__ import annotations

from ..messages import word
from ..model import Status
from .view import ReportView

MARKS = {Status.PASS: "✔", Status.FAIL: "✘", Status.UNKNOWN: "?", Status.NA: "–"}


def render(view: ReportView) -> str:
    lang = view.lang
    lines = [f"{word('report title', lang)}: {view.title}"]
    width = max(len(label) for label, _ in view.rows)
    lines += [f"  {label:<{width}}  {value}" for label, value in view.rows]
    if view.error is not None:
        lines += ["", word("error in record", lang) + ":", view.error]
        return "\n".join(lines) + "\n"
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
            lines += [f"    • {note}" for note in c.notes]
    return "\n".join(lines) + "\n"
