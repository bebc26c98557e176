"""Pass rate per criterion as an SVG drawn on the server: a stacked bar a
criterion (passed, failed, unknown, not applicable), each a link to the
subjects that failed it. Presentation attributes only — no script, no
style — so the page's Content-Security-Policy holds.
"""

from __future__ import annotations

from fractions import Fraction
from html import escape

from ..report import format as fmt
from .dashboard import Query, Rate

COLOURS = ("#2e7d32", "#c62828", "#f9a825", "#9e9e9e")  # PASS, FAIL, UNKNOWN, NA
LABEL_W, BAR_W, TEXT_W, ROW_H, PAD = 90, 520, 130, 22, 8


def svg(found: list[Rate], lang: str, query: Query, title: str) -> str:
    height = PAD * 2 + ROW_H * max(1, len(found))
    width = LABEL_W + BAR_W + TEXT_W
    e = escape
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{e(title)}" class="chart">',
        f"<title>{e(title)}</title>",
    ]
    for row, rate in enumerate(found):
        y = PAD + row * ROW_H
        link = query.link(failing=rate.id, verdict=None, page=1)
        share = Fraction(rate.counts[0], rate.applicable) if rate.applicable else None
        shown = "—" if share is None else fmt.percent(share, lang).split(" ≈ ")[-1]
        words = (
            f"{rate.id} — {rate.title}: {rate.counts[0]}/{rate.applicable}"
            f" ({shown}); {rate.counts[1]} ✘, {rate.counts[2]} ?, {rate.counts[3]} –"
        )
        parts.append(f'<a href="{e(link)}"><g><title>{e(words)}</title>')
        parts.append(
            f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end" font-size="12" '
            f'fill="#222">{e(rate.id[:12])}</text>'
        )
        x = float(LABEL_W)
        total = rate.total or 1
        parts.append(
            f'<rect x="{LABEL_W}" y="{y + 3}" width="{BAR_W}" height="{ROW_H - 6}" fill="#eee"/>'
        )
        for count, colour in zip(rate.counts, COLOURS, strict=True):
            if not count:
                continue
            w = BAR_W * count / total
            parts.append(
                f'<rect x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{ROW_H - 6}" '
                f'fill="{colour}"/>'
            )
            x += w
        parts.append(
            f'<text x="{LABEL_W + BAR_W + 6}" y="{y + 15}" font-size="12" fill="#222">'
            f"{e(shown)} ({rate.counts[0]}/{rate.applicable})</text></g></a>"
        )
    parts.append("</svg>")
    return "\n".join(parts)
