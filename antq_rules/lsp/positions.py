"""Offsets into analysed text ↔ LSP positions in the editor's text.

The core works on NFC text and character offsets; an editor counts lines and,
by default, UTF-16 code units in the text as it holds it (which may be NFD,
or use CRLF line breaks). A `TextMap` converts both ways, so every range the
server sends lands on the characters the editor shows.
"""

from __future__ import annotations

import bisect
import re
import unicodedata

from lsprotocol import types as lsp

from ..source import normalize_text

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _units(text: str, encoding: str) -> int:
    """The length of `text` in the code units of a position encoding."""
    if encoding == lsp.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == lsp.PositionEncodingKind.Utf32:
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Normalisation:
    """Offsets in a text ↔ offsets in its NFC form, segment by segment (a
    segment starts at a character that does not combine with the one before)."""

    def __init__(self, raw: str) -> None:
        self.identity = normalize_text(raw) == raw
        self.raw_starts: list[int] = [0]
        self.norm_starts: list[int] = [0]
        if self.identity:
            return
        norm_at = 0
        start = 0
        for index in range(1, len(raw) + 1):
            if index < len(raw) and unicodedata.combining(raw[index]):
                continue
            segment = unicodedata.normalize("NFC", raw[start:index])
            norm_at += len(segment)
            self.raw_starts.append(index)
            self.norm_starts.append(norm_at)
            start = index

    def to_raw(self, offset: int) -> int:
        if self.identity:
            return offset
        i = bisect.bisect_right(self.norm_starts, offset) - 1
        inside = offset - self.norm_starts[i]
        if i + 1 < len(self.raw_starts):
            return min(self.raw_starts[i] + inside, self.raw_starts[i + 1])
        return self.raw_starts[i] + inside

    def to_norm(self, offset: int) -> int:
        if self.identity:
            return offset
        i = bisect.bisect_right(self.raw_starts, offset) - 1
        inside = offset - self.raw_starts[i]
        if i + 1 < len(self.norm_starts):
            return min(self.norm_starts[i] + inside, self.norm_starts[i + 1])
        return self.norm_starts[i] + inside


class TextMap:
    """Positions in `raw` (the editor's text) for offsets into its NFC form."""

    def __init__(self, raw: str, encoding: str = lsp.PositionEncodingKind.Utf16) -> None:
        self.raw = raw
        self.encoding = encoding
        self.starts = [0, *(m.end() for m in _LINE_BREAK.finditer(raw))]
        self._norm = _Normalisation(raw)

    # ---- raw offsets

    def raw_position(self, offset: int) -> lsp.Position:
        offset = max(0, min(offset, len(self.raw)))
        line = bisect.bisect_right(self.starts, offset) - 1
        start = self.starts[line]
        return lsp.Position(line=line, character=_units(self.raw[start:offset], self.encoding))

    def raw_offset(self, position: lsp.Position) -> int:
        if position.line >= len(self.starts):
            return len(self.raw)
        start = self.starts[max(0, position.line)]
        end = self.starts[position.line + 1] if position.line + 1 < len(self.starts) else None
        line = self.raw[start:end]
        line = line.rstrip("\r\n") if end is not None else line
        count = 0
        for index, ch in enumerate(line):
            if count >= position.character:
                return start + index
            count += _units(ch, self.encoding)
        return start + len(line)

    # ---- offsets into the NFC text

    def position(self, offset: int) -> lsp.Position:
        return self.raw_position(self._norm.to_raw(offset))

    def offset(self, position: lsp.Position) -> int:
        return self._norm.to_norm(self.raw_offset(position))

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(start=self.position(start), end=self.position(max(start, end)))

    def whole(self) -> lsp.Range:
        """The range of the whole text."""
        return lsp.Range(
            start=lsp.Position(line=0, character=0), end=self.raw_position(len(self.raw))
        )
