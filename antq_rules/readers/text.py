"""Files to bytes and bytes to text, within the limits.

A path is looked at (`os.stat`) before it is opened: a folder, a pipe or a
device is refused by name, so that reading never blocks on a FIFO nor runs
forever on `/dev/zero`, and a file over `Limits.file_bytes` is refused
before a byte is read. Text may be UTF-8 (with or without a byte-order
mark), UTF-16 with a mark, or Windows-1258 as older Excel saves it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import AntqError, DataError, Diagnostic
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from ..source import normalize_text


def human_size(size: int) -> str:
    """`1.2 MB`, `300 KB`, `512 bytes`: sizes as a person reads them."""
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def examine(path: Path, limits: Limits = DEFAULT) -> os.stat_result:
    """The file's status, after refusing what must not be opened."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise AntqError(Diagnostic("missing-file", {"path": str(path)})) from None
    except (OSError, ValueError) as error:  # a name too long, a NUL byte…
        detail = getattr(error, "strerror", None) or str(error)
        raise AntqError(
            Diagnostic("unreadable-file", {"path": str(path), "detail": detail})
        ) from None
    if stat.S_ISDIR(status.st_mode):
        raise DataError(Diagnostic("not-a-file", {"path": str(path), "kind": Phrase("a folder")}))
    if not stat.S_ISREG(status.st_mode):
        raise DataError(
            Diagnostic("not-a-file", {"path": str(path), "kind": Phrase("a special file")})
        )
    if status.st_size > limits.file_bytes:
        raise over_limit(
            str(path), Phrase("size of file", size=human_size(status.st_size)), "file_bytes", limits
        )
    return status


def over_limit(where: str, what: Phrase, name: str, limits: Limits) -> DataError:
    value = getattr(limits, name)
    shown = human_size(value) if name.endswith("bytes") else f"{value:,}"
    return DataError(
        Diagnostic("over-limit", {"where": where, "what": what, "name": name, "limit": shown})
    )


def read_bytes(path: Path, limits: Limits = DEFAULT) -> bytes:
    examine(path, limits)
    try:
        with open(path, "rb") as handle:
            # (read one byte more than allowed: a file may grow after stat)
            raw = handle.read(limits.file_bytes + 1)
    except OSError as error:
        raise AntqError(
            Diagnostic(
                "unreadable-file", {"path": str(path), "detail": error.strerror or str(error)}
            )
        ) from None
    if len(raw) > limits.file_bytes:
        raise over_limit(
            str(path), Phrase("size of file", size=human_size(len(raw))), "file_bytes", limits
        )
    return raw


def _problem(code: str, **params: object) -> DataError:
    return DataError(Diagnostic(code, params))


def decode(raw: bytes, where: str, encoding: str | None = None) -> str:
    """Bytes to NFC text: by a byte-order mark, as UTF-8, or as Windows-1258."""
    if encoding:
        try:
            return _checked(raw.decode(encoding), where)
        except (UnicodeDecodeError, LookupError) as error:
            raise _problem("bad-encoding", where=where, detail=str(error)) from None
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(codec), where)
            except UnicodeDecodeError as error:
                raise _problem("bad-encoding", where=where, detail=str(error)) from None
    head = raw[:400]
    if head.count(b"\x00") > len(head) // 4:
        # UTF-16 without a byte-order mark: the zero bytes tell the order.
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return _checked(raw.decode(codec), where)
        except UnicodeDecodeError:
            raise _problem(
                "bad-encoding", where=where, detail="looks like UTF-16 but is not"
            ) from None
    try:
        return normalize_text(raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    # Not UTF-8: Excel on Vietnamese Windows saves "CSV" in Windows-1258,
    # whose tone marks are combining characters; NFC joins them again.
    text = raw.decode("cp1258", errors="replace")
    if "\ufffd" in text:
        raise _problem("bad-encoding", where=where, detail="neither UTF-8 nor Windows-1258")
    return normalize_text(text)


def _checked(text: str, where: str) -> str:
    # UTF-16 may hold lone surrogates, which no later step can encode.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise _problem("bad-encoding", where=where, detail="unpaired UTF-16 surrogate") from None
    return normalize_text(text)


def read_text(path: Path, encoding: str | None = None, limits: Limits = DEFAULT) -> str:
    return decode(read_bytes(path, limits), str(path), encoding)
