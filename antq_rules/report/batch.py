"""Reports of a batch, written as the results come: a province of thousands
of communes never sits in memory, as results or as text.

`BatchWriter(format, lang, out, criteria)` takes each result with `add` and
writes it at once (JSON: one element of `results`; text and Markdown: the
subject's report; CSV and xlsx: a row), keeping only what the closing
summary needs — a short row per subject. HTML puts the summary first, so
its subjects wait in a temporary file (on disk past a few megabytes) until
the summary is known. A batch of one subject is written as that subject's
own report, as before: the first result is held until a second one comes.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO, Any

from ..messages import word
from ..result import Result, Summary, _json_default
from . import html, table, text, view
from . import markdown as md

FORMATS = ("text", "json", "md", "html", "csv", "xlsx", "docx")


class BatchWriter:
    def __init__(
        self, format: str, lang: str, out: IO[str] | IO[bytes], criteria: list[str]
    ) -> None:
        self.format = format
        self.lang = lang
        self.out = out
        self.criteria = criteria
        self.summary = Summary()
        self.rows: list[tuple[str, ...]] = []  # (index, subject, verdict, met, level)
        self.first: Result | None = None
        self.started = False
        self.count = 0
        self.elements = 0  # JSON elements written
        self._html: IO[str] | None = None
        self._sheet: Any = None
        self._docx: list[Result] = []  # (one document: written at the end)

    # ----------------------------------------------------------------- API

    def add(self, result: Result) -> None:
        self.summary.add(result)
        self.count += 1
        if self.count == 1:
            self.first = result  # (one subject alone gets its own report)
            return
        if not self.started:
            self._begin()
            assert self.first is not None
            self._write(self.first)
            self.first = None
        self._write(result)

    def close(self) -> None:
        if not self.started:
            if self.first is not None:
                self._single(self.first)
            elif self.format in ("csv", "xlsx", "json", "html"):
                self._begin()
                self._end()
            return
        self._end()

    # ------------------------------------------------------------ formats

    def _single(self, result: Result) -> None:
        if self.format == "csv":
            self._put("\ufeff" + table.to_csv([result], self.lang))
        elif self.format == "xlsx":
            self._put(table.to_xlsx([result], self.lang))
        else:
            self._put(result.render(self.format, self.lang))

    def _begin(self) -> None:
        self.started = True
        if self.format == "json":
            self._put('{\n  "schema": "antq-batch/1",\n  "results": [')
        elif self.format == "csv":
            self._put("\ufeff" + table.csv_line(table.header_for(self.criteria, self.lang)))
        elif self.format == "xlsx":
            self._sheet = table.XlsxRows(self.lang)
            self._sheet.append(table.header_for(self.criteria, self.lang))
        elif self.format == "html":
            self._html = tempfile.SpooledTemporaryFile(  # noqa: SIM115 (closed in _end)
                max_size=8 << 20, mode="w+", encoding="utf-8", errors="replace"
            )

    def _write(self, result: Result) -> None:
        lang = self.lang
        if self.format == "json":
            # One result a line (JSON's C encoder writes no indentation; a
            # province's report is for tools, each line one subject).
            element = json.dumps(
                result.to_dict(lang=lang), ensure_ascii=False, default=_json_default
            )
            lead = ",\n" if self.elements else "\n"
            self.elements += 1
            self._put(lead + "    " + element)
        elif self.format == "csv":
            self._put(table.csv_line(table.row_of(result, self.criteria, lang)))
        elif self.format == "xlsx":
            self._sheet.append(table.row_of(result, self.criteria, lang))
        elif self.format == "docx":
            self._docx.append(result)
        elif self.format == "html":
            assert self._html is not None
            self._html.write('<hr style="page-break-after: always">\n')
            self._html.write("\n".join(html.body(view.build(result, lang), heading="h2")) + "\n")
        else:
            rule = "\n---\n\n" if self.format == "md" else "\n" + "═" * 72 + "\n\n"
            self._put(result.render(self.format, lang) + rule)
            self.rows.append(_row(result, lang))

    def _end(self) -> None:
        lang = self.lang
        if self.format == "json":
            summary = json.dumps(self.summary.to_dict(), ensure_ascii=False, indent=2)
            closing = "\n  " if self.elements else ""
            summary = "\n".join("  " + line for line in summary.splitlines()).lstrip()
            self._put(f'{closing}],\n  "summary": {summary}\n}}\n')
        elif self.format == "xlsx":
            self._put(self._sheet.save())
        elif self.format == "docx":
            from .docx import render_batch

            self._put(render_batch(self._docx, lang))
        elif self.format == "html":
            self._put(html.page_head(word("report title", lang), lang))
            self._put("\n".join(html.summary(self.summary, lang)) + "\n")
            if self._html is not None:
                self._html.seek(0)
                while chunk := self._html.read(1 << 20):
                    self._put(chunk)
                self._html.close()
            self._put(html.page_foot())
        elif self.format in ("text", "md"):
            self._put(summary_table(self.rows, lang, markdown=self.format == "md"))
            self._put("\n" + self.summary.render(lang))

    def _put(self, data: str | bytes) -> None:
        if isinstance(data, bytes):
            buffer = getattr(self.out, "buffer", self.out)
            buffer.write(data)
        else:
            self.out.write(data)  # type: ignore[arg-type]


def _row(result: Result, lang: str) -> tuple[str, ...]:
    verdict = word("ERROR" if result.error is not None else result.verdict.name, lang)
    level = result.level or ("?" if result.level_candidates else "")
    return (str(result.index), result.subject or "", verdict, result.summary_line(), level)


def summary_table(rows: list[tuple[str, ...]], lang: str, markdown: bool = False) -> str:
    """The closing table of a batch: a row per subject."""
    head = (
        "#",
        word("subject", lang),
        word("verdict", lang),
        word("criteria met", lang),
        word("level", lang),
    )
    if markdown:
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(md.text(cell) for cell in row) + " |" for row in rows]
        return text.safe("\n".join(lines)) + "\n"
    rows = [tuple(text.one_line(str(cell)) for cell in row) for row in rows]
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return text.safe("\n".join(lines)) + "\n"
