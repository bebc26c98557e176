"""Self-contained, printable HTML (no scripts, no external files)."""

from __future__ import annotations

from html import escape
from typing import Any

from ..messages import word
from .text import safe
from .view import ReportView

STYLE = """
body { font-family: "Noto Sans", "Segoe UI", Arial, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .35em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
.PASS { color: #0a6b2a; font-weight: bold; } .FAIL { color: #b00020; font-weight: bold; }
.UNKNOWN { color: #9a6700; font-weight: bold; } .NA { color: #666; }
.ERROR { color: #b00020; font-weight: bold; }
ul { margin: .2em 0 .2em 1.2em; padding: 0; } code { font-size: .92em; }
.muted { color: #666; font-size: .9em; }
@media print {
  body { margin: 1cm; } h2 { page-break-after: avoid; } tr { page-break-inside: avoid; }
}
"""


def page_head(title: str, lang: str) -> str:
    return (
        "\n".join(
            [
                "<!DOCTYPE html>",
                f'<html lang="{lang}"><head><meta charset="utf-8">',
                f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
            ]
        )
        + "\n"
    )


def page_foot() -> str:
    return "</body></html>\n"


def render(view: ReportView) -> str:
    return page_head(view.title, view.lang) + "\n".join(body(view)) + "\n" + page_foot()


def summary(counts: Any, lang: str) -> list[str]:
    """The head of a batch's page: how many subjects got which verdict."""
    e = escape
    out = [f"<h1>{e(word('report title', lang))}</h1>", "<table>"]
    for name, count in counts.verdicts.items():
        out.append(f'<tr><th class="{name}">{e(word(name, lang))}</th><td>{count}</td></tr>')
    out.append(f"<tr><th>{e(word('ERROR', lang))}</th><td>{counts.errors}</td></tr>")
    out.append(f"<tr><th>{e(word('total', lang))}</th><td>{counts.total}</td></tr></table>")
    return out


def body(view: ReportView, heading: str = "h1") -> list[str]:
    """The page's content for one subject (each line made safe)."""
    return [safe(line) for line in _body(view, heading)]


def _body(view: ReportView, heading: str = "h1") -> list[str]:
    lang = view.lang
    e = escape
    sub = "h3" if heading == "h2" else "h2"
    out = [
        f"<{heading}>{e(word('report title', lang))}: {e(view.title)}</{heading}>",
        "<table>",
    ]
    for label, value in view.rows:
        css = ""
        if label == word("verdict", lang) and view.verdict is not None:
            css = f' class="{view.verdict.name}"'
        out.append(f"<tr><th>{e(label)}</th><td{css}>{e(value)}</td></tr>")
    out.append("</table>")
    if view.notices:
        out.append(f"<p><b>{e(word('notices', lang))}:</b></p><ul>")
        out += [f"<li>{e(n)}</li>" for n in view.notices]
        out.append("</ul>")
    if view.error is not None:
        out.append(
            f'<p class="ERROR">{e(word("error in record", lang))}</p><pre>{e(view.error)}</pre>'
        )
    for group in view.groups:
        if group.title:
            out.append(f"<{sub}>{e(group.title)}</{sub}>")
        out.append(
            f"<table><tr><th>{e(word('criterion', lang))}</th><th>{e(word('status', lang))}</th>"
            f"<th>{e(word('points', lang))}</th></tr>"
        )
        for c in group.criteria:
            details = []
            if c.source:
                details.append(f'<div class="muted">{e(word("source", lang))}: {e(c.source)}</div>')
            if c.test:
                details.append(f'<div class="muted"><code>{e(c.test)}</code></div>')
            if c.notes:
                details.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in c.notes) + "</ul>")
            for d in c.drilldown:
                items = "".join(f"<li>{e(line)}</li>" for line in d.lines)
                details.append(f'<div class="drill">↳ <b>{e(d.heading)}</b><ul>{items}</ul></div>')
            provisional = (
                f' <span class="muted">({e(word("provisional", lang))})</span>'
                if c.provisional
                else ""
            )
            out.append(
                f"<tr><td><b>{e(c.id)}</b> — {e(c.title)}{provisional}{''.join(details)}</td>"
                f'<td class="{c.status.name}">{e(c.status_word)}</td>'
                f"<td>{e(c.points or '')}</td></tr>"
            )
        out.append("</table>")
    return out
