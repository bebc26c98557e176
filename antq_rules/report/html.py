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


def _page(title: str, lang: str, body: list[str]) -> str:
    body = [safe(part) for part in body]
    head = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
    ]
    return "\n".join([*head, *body, "</body></html>"]) + "\n"


def render(view: ReportView) -> str:
    return _page(view.title, view.lang, _body(view))


def render_many(views: list[ReportView], summary: Any, lang: str) -> str:
    """One page for a batch: the summary, then each subject's report."""
    e = escape
    title = views[0].title if views else word("report title", lang)
    body = [f"<h1>{e(word('report title', lang))}: {e(title)}</h1>", "<table>"]
    for name, count in summary.verdicts.items():
        body.append(f'<tr><th class="{name}">{e(word(name, lang))}</th><td>{count}</td></tr>')
    body.append(f"<tr><th>{e(word('ERROR', lang))}</th><td>{summary.errors}</td></tr>")
    body.append(f"<tr><th>{e(word('total', lang))}</th><td>{summary.total}</td></tr></table>")
    for view in views:
        body.append('<hr style="page-break-after: always">')
        body += _body(view, heading="h2")
    return _page(title, lang, body)


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
