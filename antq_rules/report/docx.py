"""The official report: a Word document in the layout of Vietnamese
administrative documents (Nghị định 30/2020/NĐ-CP, Phụ lục I).

An office prints, signs and files it, so it follows the decree rather than
the look of the HTML report: A4 with the decree's margins (top and bottom
20 mm, left 30 mm, right 15 mm), Times New Roman 13 pt (14 pt for the
title), the issuing body on the left and the national motto on the right,
the place and date line, the title, then the criteria as a table (STT,
tiêu chí, kết quả, căn cứ — the facts that decided each one), the
conclusion, the readers' notes on the data, and the signature blocks. Page
numbers stand centred at the top from the second page, as the decree asks.
Where a criterion rests on another ruleset (`passes(tt124.kdc)`), each item
that did not pass is named in its grounds with its own criteria that failed
(the drill-down `view` gives every format).

What it says comes from `view` (the same rows and words as every other
human format); only the layout is decided here. The letterhead (issuing
body, number, place, signers) is the office's, so it is given by the caller
(`Letterhead`) and otherwise left as dotted lines to fill by hand.
python-docx is the `web` extra; without it `render` is an `AntqError`.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable
from typing import Any

import attrs

from ..errors import AntqError, Diagnostic
from ..messages import word
from ..result import Result, Summary
from . import view as views
from .text import xml_text

# (decree 30, Phụ lục I: top 20–25 mm, bottom 20–25 mm, left 30–35 mm, right 15–20 mm)
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
PAGE_MM = (210, 297)
FONT = "Times New Roman"
BODY_PT = 13
TITLE_PT = 14
DOTS = "……………………"

_LABELS: dict[str, dict[str, str]] = {
    "nation": {"vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "en": "SOCIALIST REPUBLIC OF VIET NAM"},
    "motto": {"vi": "Độc lập - Tự do - Hạnh phúc", "en": "Independence - Freedom - Happiness"},
    "number": {"vi": "Số: {number}", "en": "No.: {number}"},
    "dated": {
        "vi": "{place}, ngày {day} tháng {month} năm {year}",
        "en": "{place}, {month_name} {day}, {year}",
    },
    "title": {"vi": "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ", "en": "REPORT ON THE EVALUATION RESULTS"},
    "title batch": {
        "vi": "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ",
        "en": "SUMMARY REPORT ON THE EVALUATION RESULTS",
    },
    "general": {"vi": "I. THÔNG TIN CHUNG", "en": "I. GENERAL INFORMATION"},
    "by criterion": {
        "vi": "II. KẾT QUẢ ĐÁNH GIÁ TỪNG TIÊU CHÍ",
        "en": "II. RESULTS CRITERION BY CRITERION",
    },
    "conclusion": {"vi": "III. KẾT LUẬN", "en": "III. CONCLUSION"},
    "summary": {"vi": "I. TỔNG HỢP", "en": "I. SUMMARY"},
    "subjects": {"vi": "II. KẾT QUẢ TỪNG ĐỐI TƯỢNG", "en": "II. RESULTS SUBJECT BY SUBJECT"},
    "no": {"vi": "STT", "en": "No."},
    "criterion": {"vi": "Tiêu chí", "en": "Criterion"},
    "outcome": {"vi": "Kết quả", "en": "Outcome"},
    "grounds": {"vi": "Căn cứ", "en": "Grounds (facts)"},
    "subject": {"vi": "Đối tượng", "en": "Subject"},
    "concluded": {
        "vi": "{subject}: {verdict} ({met} tiêu chí đạt trên tổng số tiêu chí áp dụng).",
        "en": "{subject}: {verdict} ({met} criteria met of those that apply).",
    },
    "recipients": {"vi": "Nơi nhận:", "en": "Recipients:"},
    "filing": {"vi": "- Lưu: VT.", "en": "- Filed: Records office."},
    "preparer": {"vi": "NGƯỜI LẬP BÁO CÁO", "en": "PREPARED BY"},
    "signer": {"vi": "THỦ TRƯỞNG CƠ QUAN", "en": "HEAD OF THE AGENCY"},
    "sign": {"vi": "(Ký, ghi rõ họ tên)", "en": "(Signature and full name)"},
    "sign seal": {
        "vi": "(Ký tên, đóng dấu, ghi rõ họ tên)",
        "en": "(Signature, seal and full name)",
    },
    "of": {"vi": "{title} — {subject}", "en": "{title} — {subject}"},
    "generated": {
        "vi": "Báo cáo do antq_rules lập từ bộ tiêu chí {ruleset}.",
        "en": "Report produced by antq_rules from the ruleset {ruleset}.",
    },
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

@attrs.frozen
class Letterhead:
    """The office's own lines; what is not given is left dotted, to fill by hand."""

    parent_body: str | None = None  # cơ quan chủ quản: "CÔNG AN TỈNH CAO BẰNG"
    issuer: str | None = None  # cơ quan ban hành: "CÔNG AN HUYỆN HÀ QUẢNG"
    number: str | None = None  # "12/BC-CAH"
    place: str | None = None  # "Hà Quảng"
    date: datetime.date | None = None  # the day of signing (today when not given)
    signer_title: str | None = None  # "TRƯỞNG CÔNG AN HUYỆN"
    signer_name: str | None = None
    preparer_name: str | None = None
    recipients: tuple[str, ...] = ()


def _label(key: str, lang: str, **params: Any) -> str:
    text = _LABELS[key]["en" if lang == "en" else "vi"]
    return text.format(**params) if params else text


def _clean(value: Any) -> str:
    """Text a Word document can hold (see `xml_text`)."""
    return xml_text(str(value))


def _modules() -> Any:
    try:
        import docx
        from docx.enum.section import WD_ORIENT
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Mm, Pt
    except ImportError:
        raise AntqError(Diagnostic("needs-docx", {})) from None
    return _Docx(
        docx, WD_ORIENT, WD_TABLE_ALIGNMENT, WD_ALIGN_PARAGRAPH, WD_BREAK, OxmlElement, qn, Mm, Pt
    )


@attrs.frozen
class _Docx:
    docx: Any
    orient: Any
    table_align: Any
    align: Any
    brk: Any
    element: Any
    qn: Any
    mm: Any
    pt: Any


# --------------------------------------------------------------- public


def render(result: Result, lang: str = "vi", letterhead: Letterhead | None = None) -> bytes:
    """One subject's official report, as the bytes of a .docx file."""
    m = _modules()
    writer = _Writer(m, lang, letterhead or Letterhead())
    report = views.build(result, lang)
    writer.heading_block()
    writer.title(_label("title", lang), _about(report, result))
    writer.subject(report, result)
    writer.signatures()
    return writer.save()


def render_batch(
    results: Iterable[Result], lang: str = "vi", letterhead: Letterhead | None = None
) -> bytes:
    """Several subjects in one document: a summary table, then each subject's
    criteria (a new page each), then the signatures."""
    m = _modules()
    results = list(results)
    writer = _Writer(m, lang, letterhead or Letterhead())
    summary = Summary()
    for result in results:
        summary.add(result)
    title = results[0].ruleset_title if results else ""
    if results and lang == "en" and results[0].ruleset_title_en:
        title = results[0].ruleset_title_en
    writer.heading_block()
    writer.title(_label("title batch", lang), title)
    writer.batch_summary(results, summary)
    writer.section_heading(_label("subjects", lang))
    for index, result in enumerate(results):
        report = views.build(result, lang)
        if index:
            writer.page_break()
        writer.subject_heading(f"{index + 1}. {result.subject or '—'}")
        writer.subject(report, result, numbered=False)
    writer.signatures()
    return writer.save()


def _about(report: views.ReportView, result: Result) -> str:
    subject = result.subject or ""
    return (
        _label("of", report.lang, title=report.title, subject=subject) if subject else report.title
    )


# --------------------------------------------------------------- layout


class _Writer:
    """One document being written, top to bottom."""

    def __init__(self, m: _Docx, lang: str, letterhead: Letterhead) -> None:
        self.m = m
        self.lang = lang
        self.head = letterhead
        self.doc = m.docx.Document()
        self._page()
        self._styles()
        self._page_numbers()

    # ---- set-up

    def _page(self) -> None:
        m = self.m
        section = self.doc.sections[0]
        section.orientation = m.orient.PORTRAIT
        section.page_width, section.page_height = m.mm(PAGE_MM[0]), m.mm(PAGE_MM[1])
        section.top_margin = m.mm(MARGINS_MM["top"])
        section.bottom_margin = m.mm(MARGINS_MM["bottom"])
        section.left_margin = m.mm(MARGINS_MM["left"])
        section.right_margin = m.mm(MARGINS_MM["right"])
        section.header_distance = m.mm(10)

    def _styles(self) -> None:
        m = self.m
        for name in ("Normal", "Table Grid"):
            style = self.doc.styles[name]
            style.font.name = FONT
            style.font.size = m.pt(BODY_PT)
            # (Word picks the font of each script from rFonts; set them all)
            fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(m.qn(attr), FONT)
        normal = self.doc.styles["Normal"].paragraph_format
        normal.space_before = m.pt(0)
        normal.space_after = m.pt(6)
        normal.line_spacing = 1.1
        core = self.doc.core_properties
        core.author = "antq_rules"
        core.language = "vi-VN" if self.lang == "vi" else "en-GB"

    def _page_numbers(self) -> None:
        """Centred at the top, from the second page (decree 30, Phụ lục I)."""
        m = self.m
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = m.align.CENTER
        field = m.element("w:fldSimple")
        field.set(m.qn("w:instr"), "PAGE")
        run = m.element("w:r")
        text = m.element("w:t")
        text.text = "2"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    # ---- pieces

    def para(
        self,
        text: str = "",
        *,
        bold: bool = False,
        italic: bool = False,
        size: int = BODY_PT,
        align: str = "justify",
        target: Any = None,
        after: int | None = None,
        indent_first: bool = False,
    ) -> Any:
        m = self.m
        container = target if target is not None else self.doc
        paragraph = container.add_paragraph()
        paragraph.alignment = {
            "left": m.align.LEFT,
            "center": m.align.CENTER,
            "right": m.align.RIGHT,
            "justify": m.align.JUSTIFY,
        }[align]
        if after is not None:
            paragraph.paragraph_format.space_after = m.pt(after)
        if indent_first:
            paragraph.paragraph_format.first_line_indent = m.mm(10)
        if text:
            self.run(paragraph, text, bold=bold, italic=italic, size=size)
        return paragraph

    def run(
        self, paragraph: Any, text: str, *, bold: bool = False, italic: bool = False, size: int = 0
    ) -> Any:
        run = paragraph.add_run(_clean(text))
        run.bold = bold
        run.italic = italic
        run.font.size = self.m.pt(size or BODY_PT)
        return run

    def _cell_text(self, cell: Any, lines: list[tuple[str, dict[str, Any]]]) -> None:
        """Fill a table cell: one paragraph a line, each with its own look."""
        first = True
        for text, look in lines:
            if first:
                paragraph = cell.paragraphs[0]
                first = False
            else:
                paragraph = cell.add_paragraph()
            paragraph.alignment = {
                "left": self.m.align.LEFT,
                "center": self.m.align.CENTER,
                "justify": self.m.align.JUSTIFY,
            }[look.get("align", "center")]
            paragraph.paragraph_format.space_after = self.m.pt(look.get("after", 0))
            if look.get("rule"):
                self._rule_below(paragraph, look["rule"])
            self.run(
                paragraph,
                text,
                bold=look.get("bold", False),
                italic=look.get("italic", False),
                size=look.get("size", BODY_PT),
            )

    def _rule_below(self, paragraph: Any, inset_mm: int) -> None:
        """The short solid line under the issuing body and under the motto."""
        m = self.m
        properties = paragraph._p.get_or_add_pPr()
        border = m.element("w:pBdr")
        bottom = m.element("w:bottom")
        for key, value in (
            ("w:val", "single"),
            ("w:sz", "6"),
            ("w:space", "1"),
            ("w:color", "000000"),
        ):
            bottom.set(m.qn(key), value)
        border.append(bottom)
        properties.append(border)
        paragraph.paragraph_format.left_indent = m.mm(inset_mm)
        paragraph.paragraph_format.right_indent = m.mm(inset_mm)

    def _widths(self, table: Any, widths_mm: tuple[float, ...]) -> None:
        m = self.m
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = m.mm(width)

    def heading_block(self) -> None:
        """Issuing body (left) and the national motto (right), then place and date."""
        head, lang = self.head, self.lang
        table = self.doc.add_table(rows=1, cols=2)
        table.alignment = self.m.table_align.CENTER
        self._widths(table, (70, 95))
        left, right = table.rows[0].cells
        parent = head.parent_body or DOTS
        issuer = head.issuer or DOTS
        self._cell_text(
            left,
            [
                (parent.upper(), {"size": BODY_PT}),
                (issuer.upper(), {"bold": True, "size": BODY_PT, "rule": 18, "after": 6}),
                (_label("number", lang, number=head.number or "……/BC-……"), {"size": BODY_PT}),
            ],
        )
        self._cell_text(
            right,
            [
                (_label("nation", lang), {"bold": True, "size": 12}),
                (_label("motto", lang), {"bold": True, "size": BODY_PT, "rule": 18, "after": 6}),
            ],
        )
        day = head.date or datetime.date.today()
        place = head.place or DOTS
        dated = _label(
            "dated",
            lang,
            place=place,
            day=f"{day.day:02d}",
            month=f"{day.month:02d}" if day.month < 3 else str(day.month),
            month_name=_MONTHS[day.month - 1],
            year=day.year,
        )
        paragraph = self.para(dated, italic=True, align="right", after=12)
        paragraph.paragraph_format.space_before = self.m.pt(6)

    def title(self, title: str, about: str) -> None:
        self.para(title, bold=True, size=TITLE_PT, align="center", after=0)
        self.para(about, bold=True, size=TITLE_PT, align="center", after=12)

    def section_heading(self, text: str) -> None:
        paragraph = self.para(text, bold=True, align="left", after=6)
        paragraph.paragraph_format.space_before = self.m.pt(6)
        paragraph.paragraph_format.keep_with_next = True

    def subject_heading(self, text: str) -> None:
        paragraph = self.para(text, bold=True, align="left", after=6)
        paragraph.paragraph_format.keep_with_next = True

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(self.m.brk.PAGE)

    def subject(self, report: views.ReportView, result: Result, numbered: bool = True) -> None:
        """One subject: its facts, the criteria table, the conclusion, the notes."""
        lang = self.lang
        if numbered:
            self.section_heading(_label("general", lang))
        outcome_labels = {word(k, lang) for k in ("verdict", "level", "score", "criteria met")}
        for label, value in report.rows:
            if label not in outcome_labels or report.error is not None:
                self.rows([(label, value)])
        if report.notices:
            self.para(word("notices", lang) + ":", bold=True, align="left", after=2)
            for notice in report.notices:
                self.para(f"- {notice}", align="justify", after=2)
        if report.error is not None:
            self.para(word("error in record", lang) + ":", bold=True, align="left", after=2)
            for line in report.error.splitlines():
                self.para(line, align="left", after=0, size=11)
            return
        if numbered:
            self.section_heading(_label("by criterion", lang))
        self.criteria_table(report)
        if numbered:
            self.section_heading(_label("conclusion", lang))
        self.para(
            _label(
                "concluded",
                lang,
                subject=result.subject or "—",
                verdict=report.verdict_word,
                met=result.summary_line(),
            ),
            bold=True,
            indent_first=True,
        )
        self.rows([(label, value) for label, value in report.rows if label in outcome_labels])

    def rows(self, rows: list[tuple[str, str]]) -> None:
        """`Label: value` lines."""
        for label, value in rows:
            paragraph = self.para(align="left", after=2)
            self.run(paragraph, f"{label}: ", bold=True)
            self.run(paragraph, value)

    def criteria_table(self, report: views.ReportView) -> None:
        lang = self.lang
        table = self.doc.add_table(rows=1, cols=4)
        table.style = self.doc.styles["Table Grid"]
        heads = (_label("no", lang), _label("criterion", lang), _label("outcome", lang))
        for cell, text in zip(table.rows[0].cells, (*heads, _label("grounds", lang)), strict=True):
            self._cell_text(cell, [(text, {"bold": True})])
        _repeat_header(self.m, table.rows[0])
        number = 0
        for group in report.groups:
            if group.title:
                row = table.add_row()
                merged = row.cells[0].merge(row.cells[3])
                self._cell_text(
                    merged, [(group.title, {"bold": True, "italic": True, "align": "left"})]
                )
            for c in group.criteria:
                number += 1
                cells = table.add_row().cells
                title = f"{c.id}. {c.title}"
                lines: list[tuple[str, dict[str, Any]]] = [(title, {"align": "left"})]
                if c.source:
                    lines.append(
                        (
                            f"({word('source', lang)}: {c.source})",
                            {"italic": True, "align": "left", "size": 11},
                        )
                    )
                self._cell_text(cells[0], [(str(number), {})])
                self._cell_text(cells[1], lines)
                outcome = c.status_word + (f" ({c.points})" if c.points else "")
                self._cell_text(cells[2], [(outcome, {"bold": True})])
                grounds = [(f"- {note}", {"align": "left", "size": 11}) for note in c.notes]
                # (the items judged by another ruleset that did not pass, and why)
                for drill in c.drilldown:
                    grounds.append(
                        (f"↳ {drill.heading}", {"align": "left", "size": 11, "bold": True})
                    )
                    grounds += [
                        (f"  • {line}", {"align": "left", "size": 11}) for line in drill.lines
                    ]
                self._cell_text(cells[3], grounds or [("", {})])
        self._widths(table, (12, 62, 28, 63))

    def batch_summary(self, results: list[Result], summary: Summary) -> None:
        lang = self.lang
        self.section_heading(_label("summary", lang))
        for name, count in summary.verdicts.items():
            if count:
                self.para(f"- {word(name, lang)}: {count}", align="left", after=0)
        if summary.errors:
            self.para(f"- {word('ERROR', lang)}: {summary.errors}", align="left", after=0)
        self.para(f"- {word('total', lang)}: {summary.total}", align="left", after=6)
        table = self.doc.add_table(rows=1, cols=5)
        table.style = self.doc.styles["Table Grid"]
        heads = (
            _label("no", lang),
            _label("subject", lang),
            word("verdict", lang),
            word("criteria met", lang),
            word("level", lang),
        )
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            self._cell_text(cell, [(text, {"bold": True})])
        _repeat_header(self.m, table.rows[0])
        for index, result in enumerate(results):
            cells = table.add_row().cells
            verdict = views.status_word(None if result.error is not None else result.verdict, lang)
            level = result.level or ("?" if result.level_candidates else "")
            met = "" if result.error is not None else result.summary_line()
            values = (str(index + 1), result.subject or "—", verdict, met, level)
            for cell, text in zip(cells, values, strict=True):
                align = "left" if cell is cells[1] else "center"
                self._cell_text(cell, [(text, {"align": align})])
        self._widths(table, (12, 63, 35, 25, 30))

    def signatures(self) -> None:
        """Recipients and the preparer on the left, the head of the agency on the right."""
        head, lang = self.head, self.lang
        self.para(after=6)
        table = self.doc.add_table(rows=1, cols=2)
        self._widths(table, (75, 90))
        left, right = table.rows[0].cells
        self._cell_text(
            left,
            [
                (_label("preparer", lang), {"bold": True}),
                (_label("sign", lang), {"italic": True, "after": 60}),
                (head.preparer_name or "", {"bold": True}),
            ],
        )
        self._cell_text(
            right,
            [
                ((head.signer_title or _label("signer", lang)).upper(), {"bold": True}),
                (_label("sign seal", lang), {"italic": True, "after": 60}),
                (head.signer_name or "", {"bold": True}),
            ],
        )
        paragraph = self.para(
            _label("recipients", lang), bold=True, italic=True, size=12, align="left", after=0
        )
        paragraph.paragraph_format.space_before = self.m.pt(12)
        for recipient in head.recipients:
            self.para(f"- {recipient};", size=11, align="left", after=0)
        self.para(_label("filing", lang), size=11, align="left", after=0)

    def save(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()


def _repeat_header(m: _Docx, row: Any) -> None:
    """The table's first row repeats on every page it runs onto."""
    properties = row._tr.get_or_add_trPr()
    repeat = m.element("w:tblHeader")
    repeat.set(m.qn("w:val"), "true")
    properties.append(repeat)
