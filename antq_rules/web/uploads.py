"""An uploaded data file, put where the readers can read it for the length
of one request.

The readers take paths (a workbook is a zip, a CSV folder is a folder), so
an upload is written to a temporary folder — in memory (/dev/shm) where
the machine has one — that is removed when the request ends. Only the
kinds the readers know are accepted, under a name made safe (no folders,
no control characters). A .zip is a folder of CSV files: its members are
unpacked one by one, counting the bytes actually inflated (never trusting
the sizes its directory claims), flat, CSV files only; anything else in it
is left out with a note.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from ..errors import AntqError, Diagnostic, note
from ..source import normalize_text

KINDS = {".xlsx": "xlsx", ".xlsm": "xlsx", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
ZIP = ".zip"
CHUNK = 1 << 16
MAX_MEMBERS = 1000  # files in one .zip (a province's CSV folder has a dozen)
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


_made = threading.local()  # (the folders of the jobs of each worker thread)


@contextlib.contextmanager
def workspace() -> Iterator[Path]:
    """A private temporary folder for one request, removed afterwards."""
    folder = tempfile.mkdtemp(prefix="antq-web-", dir=_memory_dir())  # (mode 0o700)
    _folders().add(folder)
    try:
        yield Path(folder)
    finally:
        _remove(folder)


def sweep() -> None:
    """Remove what this thread's workspaces left: a job stopped in the middle
    of removing its folder (`jobs.Stopped`) leaves it to this."""
    for folder in list(_folders()):
        _remove(folder)


def _folders() -> set[str]:
    if not hasattr(_made, "folders"):
        _made.folders = set()
    found: set[str] = _made.folders
    return found


def _remove(folder: str) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    if not os.path.exists(folder):
        _folders().discard(folder)


def _memory_dir() -> str | None:
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def safe_name(name: str | None, default: str = "data") -> str:
    """A file name for the upload: its last part, printable, NFC, not too long."""
    name = normalize_text(name or "")
    name = PurePosixPath(name.replace("\\", "/")).name
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    if not name:
        name = default
    stem, dot, suffix = name.rpartition(".")
    if dot and len(name) > 120:
        name = stem[:110] + "." + suffix[:10]
    return name[:120]


def kind_of(name: str) -> str | None:
    suffix = Path(name).suffix.lower()
    return "zip" if suffix == ZIP else KINDS.get(suffix)


def save(source: BinaryIO, name: str, folder: Path, max_bytes: int) -> Path:
    """Write an upload into `folder` (at most `max_bytes`); its path. A .zip
    goes one level down, to leave its name to the folder it unpacks to."""
    if kind_of(name) == "zip":
        folder = folder / "zip"
        folder.mkdir()
    target = folder / name
    _copy(source, target, max_bytes, name)
    return target


def _copy(source: BinaryIO, target: Path, max_bytes: int, name: str) -> int:
    written = 0
    with open(target, "wb") as handle:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise AntqError(
                    Diagnostic("web-too-large", {"limit": max(1, max_bytes >> 20), "name": name})
                )
            handle.write(chunk)
    return written


def unpack_csv(archive: Path, shown: str, max_bytes: int) -> tuple[Path, tuple[Diagnostic, ...]]:
    """The CSV files of a .zip, flat in a folder named as the .zip (so that
    messages name `xã.zip/areas.csv`), beside it; what was left out, as notes."""
    folder = archive.parent.parent / archive.name
    folder.mkdir()
    notices: list[Diagnostic] = []
    total = 0
    seen: set[str] = set()
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > MAX_MEMBERS:
                raise _zip_problem("web-zip-too-many", shown, found=len(members), count=MAX_MEMBERS)
            for member in members:
                if member.is_dir():
                    continue
                inner = normalize_text(member.filename.replace("\\", "/"))
                base = PurePosixPath(inner).name
                if inner.startswith("__MACOSX/") or base.startswith("."):
                    continue  # (what archivers add: not the office's data)
                if not base.lower().endswith(".csv"):
                    notices.append(note("web-zip-ignored", where=shown, name=inner[:120]))
                    continue
                name = safe_name(base, "table.csv")
                if name.lower() in seen:
                    raise _zip_problem("web-zip-duplicate", shown, file=name)
                seen.add(name.lower())
                with bundle.open(member) as stream:
                    total += _copy(stream, folder / name, max_bytes - total, shown)
    except AntqError as error:
        if error.code == "web-too-large":
            raise _zip_problem("web-zip-too-big", shown, limit=max(1, max_bytes >> 20)) from None
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        OSError,
        ValueError,
    ):
        # (not a zip, damaged, encrypted, or packed in a way Python cannot unpack)
        raise _zip_problem("web-zip-bad", shown) from None
    if not seen:
        raise _zip_problem("web-zip-no-csv", shown)
    return folder, tuple(notices)


def _zip_problem(code: str, shown: str, **params: object) -> AntqError:
    return AntqError(Diagnostic(code, {"name": shown, **params}))


def ascii_name(name: str) -> str:
    """A file name in plain ASCII (`Ngọc Đào` → `Ngoc Dao`), for old clients."""
    name = name.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip() or "download"
    return plain
