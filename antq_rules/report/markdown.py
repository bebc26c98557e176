"""Markdown, for people and for issue trackers."""

from __future__ import annotations

from ..messages import word
from .view import ReportView


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(view: ReportView) -> str:
    lang = view.lang
    lines = [f"# {word('report title', lang)}: {view.title}", ""]
    lines += [f"| {word('ruleset', lang)} | {_cell(view.rows[0][1])} |", "|---|---|"]
    lines += [f"| {_cell(label)} | {_cell(value)} |" for label, value in view.rows[1:]]
    if view.error is not None:
        lines += ["", f"**{word('error in record', lang)}:**", "", "```", view.error, "```"]
        return "\n".join(lines) + "\n"
    for group in view.groups:
        lines.append("")
        if group.title:
            lines += [f"## {group.title}", ""]
        for c in group.criteria:
            head = f"### {c.id} — {c.title} · **{c.status_word}**"
            if c.points is not None:
                head += f" · {word('points', lang)} {c.points}"
            if c.provisional:
                head += f" · _{word('provisional', lang)}_"
            lines += [head, ""]
            if c.source:
                lines.append(f"- {word('source', lang)}: {c.source}")
            if c.test:
                lines.append(f"- {word('test', lang)}: `{c.test}`")
            lines += [f"- {note}" for note in c.notes]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
