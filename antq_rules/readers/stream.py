"""Batches read one subject at a time: a JSON or YAML list of thousands of
communes never sits in memory whole.

A JSON array is read in chunks; each element is decoded by the standard
library's own decoder (`raw_decode`, with the same hooks as `load_json`:
duplicate keys, digits, `NaN`) as soon as its text is complete, checked
against the limits, and handed on — so memory holds one element and one
chunk, whatever the file's size. A YAML sequence is composed item by item
from the parser's events, each item measured (aliases expanded, depth,
duplicate keys) before it is built. Anything that is not a top-level list
is read whole, as one subject.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import AntqError, DataError, Diagnostic
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from .documents import BAD_SCALAR, check_values, json_decoder, load_json, load_yaml
from .text import decode, examine, human_size, over_limit

CHUNK = 1 << 20  # characters read at a time
WHITESPACE = " \t\r\n"


class Refused(Exception):
    """An element of a batch that was read to its end but refused (a duplicate
    key, a number or text over a limit, `NaN`, nesting too deep): it is that
    subject's error, and the elements after it are still read."""

    def __init__(self, error: AntqError) -> None:
        super().__init__(str(error))
        self.error = error


def iter_json(
    path: Path, encoding: str | None = None, limits: Limits = DEFAULT
) -> Iterator[tuple[int | None, Any]]:
    """(index, subject) for each element of a top-level array; (None, document)
    for any other document."""
    examine(path, limits)
    where = str(path)
    with open(path, "rb") as handle:
        head = handle.read(4096)
        decoder = _incremental(head, encoding)
        if decoder is None:  # (not UTF-8 or UTF-16: read whole, as before)
            raw = head + handle.read(limits.file_bytes + 1 - len(head))
            if len(raw) > limits.file_bytes:
                size = Phrase("size of file", size=human_size(len(raw)))
                raise over_limit(where, size, "file_bytes", limits)
            yield None, load_json(decode(raw, where, encoding), where, limits)
            return
        reader = _Chunks(handle, decoder, head, where, limits)
        text = reader.more("")
        start = _skip(text, 0)
        while start >= len(text) and not reader.done:
            text = reader.more(text)
            start = _skip(text, 0)
        if start >= len(text) or text[start] != "[":
            while not reader.done:
                text = reader.more(text)
            yield None, load_json(text, where, limits)
            return
        json_array = _Array(text, start + 1, reader, where, limits)
        yield from json_array.items()


class _Chunks:
    """Decoded text of a file, a chunk at a time, within the size limit."""

    def __init__(self, handle: Any, decoder: Any, head: bytes, where: str, limits: Limits):
        self.handle = handle
        self.decoder = decoder
        self.pending = head
        self.where = where
        self.limits = limits
        self.read = len(head)
        self.done = False

    def more(self, text: str) -> str:
        raw = self.pending or self.handle.read(CHUNK)
        self.pending = b""
        if not raw:
            self.done = True
            try:
                return text + self.decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                raise _encoding(self.where, error) from None
        self.read += len(raw) if raw is not None else 0
        if self.read > self.limits.file_bytes:
            raise over_limit(
                self.where, Phrase("size of file", size="…"), "file_bytes", self.limits
            )
        try:
            return text + self.decoder.decode(raw)
        except UnicodeDecodeError as error:
            raise _encoding(self.where, error) from None


class _Array:
    """The elements of a JSON array whose text arrives in chunks."""

    def __init__(self, text: str, position: int, reader: _Chunks, where: str, limits: Limits):
        self.text = text
        self.position = position
        self.reader = reader
        self.where = where
        self.limits = limits
        self.lines_before = 0  # newlines in the text already dropped (for positions)
        self.decode = json_decoder(where, limits).raw_decode

    def items(self) -> Iterator[tuple[int, Any]]:
        index = 0
        expect_item = True  # after `[` or `,`
        while True:
            self.position = self._skip_more(self.position)
            if self.position >= len(self.text):
                raise self._error("Expecting value or ']'", self.position)
            char = self.text[self.position]
            if char == "]" and (index == 0 or not expect_item):
                self.position += 1
                self._only_whitespace_left()
                return
            if not expect_item:
                if char != ",":
                    raise self._error("Expecting ',' delimiter", self.position)
                self.position += 1
                expect_item = True
                continue
            try:
                value: Any = self._value()
                check_values(value, f"{self.where}[{index}]", self.limits)
            except Refused as refused:  # (the decoder stopped inside it: skip to its end)
                self.position = self._end_of_value(self.position)
                value = refused
            except AntqError as error:  # (read whole, then refused)
                value = Refused(error)
            yield index, value
            index += 1
            expect_item = False
            self._forget()

    def _value(self) -> Any:
        while True:
            try:
                value, end = self.decode(self.text, self.position)
            except json.JSONDecodeError as error:
                if self.reader.done:
                    raise self._error(error.msg, error.pos) from None
                self.text = self.reader.more(self.text)
                continue
            except RecursionError:
                depth = Phrase("nesting depth", count=self.limits.depth)
                raise Refused(over_limit(self.where, depth, "depth", self.limits)) from None
            except AntqError as error:  # (a hook: a duplicate key, too many digits, NaN)
                raise Refused(error) from None
            if end >= len(self.text) and not self.reader.done:
                # A number may go on in the next chunk (`12` of `123`).
                self.text = self.reader.more(self.text)
                continue
            self.position = end
            return value

    def _end_of_value(self, position: int) -> int:
        """Where the JSON value starting at `position` ends, found by its
        brackets and strings alone (the decoder refused it half way)."""
        depth, in_string, escaped = 0, False, False
        while True:
            while position < len(self.text):
                char = self.text[position]
                position += 1
                if in_string:
                    if escaped:
                        escaped = False
                    elif char == "\\":
                        escaped = True
                    elif char == '"':
                        in_string = False
                        if depth == 0:
                            return position
                elif char == '"':
                    in_string = True
                elif char in "[{":
                    depth += 1
                elif char in "]}":
                    if depth == 0:  # (the array's own end, after a bare word)
                        return position - 1
                    depth -= 1
                    if depth == 0:
                        return position
                elif depth == 0 and char in ", \t\r\n":
                    return position - 1
            if self.reader.done:
                raise self._error("Expecting ',' delimiter", position)
            self.text = self.reader.more(self.text)

    def _skip_more(self, position: int) -> int:
        position = _skip(self.text, position)
        while position >= len(self.text) and not self.reader.done:
            self.text = self.reader.more(self.text)
            position = _skip(self.text, position)
        return position

    def _only_whitespace_left(self) -> None:
        position = self._skip_more(self.position)
        if position < len(self.text):
            raise self._error("Extra data", position)

    def _forget(self) -> None:
        """Drop the text already decoded, keeping line numbers right."""
        if self.position > CHUNK:
            self.lines_before += self.text.count("\n", 0, self.position)
            self.text = self.text[self.position :]
            self.position = 0

    def _error(self, message: str, position: int) -> DataError:
        line = self.lines_before + self.text.count("\n", 0, position) + 1
        column = position - self.text.rfind("\n", 0, position)
        return DataError(
            Diagnostic("bad-json-at", {"where": f"{self.where}:{line}:{column}", "detail": message})
        )


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in WHITESPACE:
        position += 1
    return position


def _incremental(head: bytes, encoding: str | None) -> Any:
    """An incremental decoder for a file that starts with `head`, or None when
    only the whole file tells its encoding (not UTF-8 nor UTF-16)."""
    try:
        if encoding:
            return codecs.getincrementaldecoder(encoding)()
    except LookupError:
        return None
    if head.startswith(codecs.BOM_UTF8):
        return codecs.getincrementaldecoder("utf-8-sig")()
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return codecs.getincrementaldecoder("utf-16")()
    if head.count(b"\x00") > len(head) // 4:
        return None
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head)
    except UnicodeDecodeError:
        return None
    return codecs.getincrementaldecoder("utf-8")()


def _encoding(where: str, error: UnicodeDecodeError) -> AntqError:
    return DataError(Diagnostic("bad-encoding", {"where": where, "detail": str(error)}))


# ------------------------------------------------------------------- YAML


def iter_yaml(
    path: Path, encoding: str | None = None, limits: Limits = DEFAULT
) -> Iterator[tuple[int | None, Any]]:
    """(index, subject) for each item of a top-level sequence; (None, document)
    for any other document."""
    import yaml

    from .documents import check_graph, precount, yaml_error, yaml_loader
    from .text import read_text

    where = str(path)
    text = read_text(path, encoding, limits)
    over = precount(text, where, limits)  # (so that a huge item is refused quickly)
    if over is not None and over[0] is None:
        raise over[1]
    try:
        loader = yaml_loader(text, where, limits, items=True)
    except yaml.YAMLError as error:  # (characters YAML does not allow)
        raise yaml_error(error, where) from None
    try:
        try:
            loader.get_event()  # the stream's start
            if loader.check_event(yaml.StreamEndEvent):
                yield None, None
                return
            loader.get_event()  # the document's start
            if not loader.check_event(yaml.SequenceStartEvent):
                yield None, load_yaml(text, where, limits)
                return
            loader.get_event()
            index = 0
            while not loader.check_event(yaml.SequenceEndEvent):
                if over is not None and over[0] == index:
                    raise over[1]
                node = loader.compose_node(None, None)
                try:  # (the item is composed whole: one refused, the next are read)
                    check_graph(node, f"{where}[{index}]", limits)  # (each within the limits)
                    item: Any = loader.construct_document(node)
                except AntqError as error:
                    item = Refused(error)
                yield index, item
                index += 1
            loader.get_event()
            if not loader.check_event(yaml.DocumentEndEvent):
                raise AntqError(
                    Diagnostic("bad-yaml", {"where": where, "detail": "more than one document"})
                )
        except yaml.YAMLError as error:
            raise yaml_error(error, where) from None
        except RecursionError:
            raise over_limit(
                where, Phrase("nesting depth", count=limits.depth), "depth", limits
            ) from None
        except (ValueError, OverflowError, KeyError, AttributeError, IndexError, TypeError):
            # (PyYAML's constructors raise these for a scalar its tag cannot
            # read: `!!bool maybe`, `!!timestamp nope`, `!!int ""`)
            raise AntqError(
                Diagnostic("bad-yaml", {"where": where, "detail": BAD_SCALAR})
            ) from None
    finally:
        loader.dispose()
