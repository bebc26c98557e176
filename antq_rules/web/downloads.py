"""A run's results as files: JSON (`antq-result/1`, `antq-batch/1`), the
printable HTML page, the official .docx and a table of results (.xlsx) —
the library's own renderers, as `antq eval` writes them.

Downloads are attachments, never pages: a browser saves them and does not
show them, so nothing uploaded ever comes back as a page of this site.
File names keep their Vietnamese letters (RFC 5987 `filename*`), with a
plain ASCII name for old clients.
"""

from __future__ import annotations

import io
import json
import urllib.parse
from collections.abc import Sequence

import attrs

from ..messages import word
from ..report import docx as official
from ..report import html, table, view
from ..report.batch import BatchWriter
from ..result import Result, Summary, _json_default
from ..source import normalize_text
from .encoding import utf8
from .uploads import ascii_name

MEDIA = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "zip": "application/zip",
}
FORMATS = ("json", "html", "docx", "xlsx")


@attrs.frozen
class File:
    data: bytes
    name: str
    media: str


def disposition(name: str) -> str:
    """`attachment` with the name as is (RFC 5987) and in ASCII."""
    plain = ascii_name(name).replace('"', "")
    encoded = urllib.parse.quote(name, safe="", errors="replace")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{encoded}"


def render(
    results: Sequence[Result],
    format: str,
    lang: str,
    criteria: list[str],
    stem: str,
    letterhead: official.Letterhead | None = None,
) -> File:
    """One result as its own report; several as a batch (summary first)."""
    name = f"{stem}.{format}"
    if format == "docx":
        if len(results) == 1:
            data = official.render(results[0], lang, letterhead)
        else:
            data = official.render_batch(results, lang, letterhead)
        return File(data, name, MEDIA["docx"])
    if format == "xlsx":
        return File(table.to_xlsx(results, lang), name, MEDIA["xlsx"])
    if format == "json" and len(results) == 1:
        text = json.dumps(
            results[0].to_dict(lang=lang), ensure_ascii=False, indent=2, default=_json_default
        )
        return File(utf8(text), name, MEDIA["json"])
    if format == "html" and len(results) > 1:
        return File(utf8(_batch_page(results, lang)), name, MEDIA["html"])
    out = io.StringIO()
    writer = BatchWriter(format, lang, out, criteria)
    for result in results:
        writer.add(result)
    writer.close()
    return File(utf8(out.getvalue()), name, MEDIA[format])


def _batch_page(results: Sequence[Result], lang: str) -> str:
    """The printable page of a batch, in memory (the batch writer of the
    command line spools to a temporary file, and an upload stays off disk)."""
    summary = Summary()
    for result in results:
        summary.add(result)
    parts = [html.page_head(word("report title", lang), lang), *html.summary(summary, lang)]
    for result in results:
        parts.append('<hr style="page-break-after: always">')
        parts += html.body(view.build(result, lang), heading="h2")
    parts.append(html.page_foot())
    return "\n".join(parts)


def stem_for(result_or_title: Result | str, prefix: str) -> str:
    """`bao-cao-Ngọc Đào` — a file name's stem from a subject."""
    title = (
        result_or_title
        if isinstance(result_or_title, str)
        else (result_or_title.subject or result_or_title.ruleset_id)
    )
    title = normalize_text(title)  # (a name typed with combining marks keeps its letters)
    cleaned = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in title).strip()
    return f"{prefix}-{cleaned[:60] or 'ket-qua'}"
