"""Source text and positions.

A `Source` holds one text once; a `Span` is a small value pointing into it.
Spans are kept out of equality everywhere (as Cedar does), so two trees that
differ only in layout compare equal and `parse(fmt(tree)) == tree` holds.
"""

from __future__ import annotations

import bisect
import unicodedata

import attrs


def normalize_text(text: str) -> str:
    """NFC, the one form every string takes inside antq_rules."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


_SNIPPET_WIDTH = 100


@attrs.frozen(eq=False)
class Source:
    """A named text (a file path or a label such as `<expression>`)."""

    name: str
    text: str
    _line_starts: tuple[int, ...] = attrs.field(init=False, repr=False)

    def __attrs_post_init__(self) -> None:
        starts = [0]
        starts.extend(i + 1 for i, ch in enumerate(self.text) if ch == "\n")
        object.__setattr__(self, "_line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in characters) of an offset."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]


@attrs.frozen
class Span:
    """Where a node or an error sits: [start, end) offsets into `source`."""

    source: Source = attrs.field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.source.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.source.line_col(self.start)[1]

    def location(self) -> str:
        line, col = self.source.line_col(self.start)
        return f"{self.source.name}:{line}:{col}"

    def snippet(self) -> str:
        """The source line with a caret under the span (first line only)."""
        line, col = self.source.line_col(self.start)
        text = self.source.line_text(line).rstrip("\r")
        end_line, end_col = self.source.line_col(self.end)
        width = (end_col - col) if end_line == line else len(text) - col + 1
        width = max(1, min(width, max(1, len(text) - col + 1)))
        if len(text) > _SNIPPET_WIDTH:
            # Show a window around the caret rather than a screenful of text.
            left = max(0, col - 1 - _SNIPPET_WIDTH // 3)
            cut = text[left : left + _SNIPPET_WIDTH]
            text = ("…" if left else "") + cut + ("…" if left + _SNIPPET_WIDTH < len(text) else "")
            col = col - left + (1 if left else 0)
            width = min(width, _SNIPPET_WIDTH)
        gutter = f"{line} | "
        pad = " " * (len(gutter) - 2) + "| "
        # Tabs keep their width under the caret.
        prefix = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
        return f"{gutter}{text}\n{pad}{prefix}{'^' * width}"

    def text(self) -> str:
        return self.source.text[self.start : self.end]

    def cover(self, other: Span | None) -> Span:
        if other is None:
            return self
        return Span(self.source, min(self.start, other.start), max(self.end, other.end))
