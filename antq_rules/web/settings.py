"""What a server is started with, checked once before it listens.

A server bound to anything but the loopback interface can be reached by
other machines of the office's network, so it refuses to start without a
token (`--token`, or `ANTQ_TOKEN` in the environment).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import attrs

from ..errors import AntqError, Diagnostic
from ..limits import DEFAULT, Limits

MIB = 1024 * 1024
TOKEN_ENV = "ANTQ_TOKEN"
MIN_TOKEN = 8  # (a token is typed by people; shorter ones are guessed)


@attrs.frozen
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    max_upload_mb: int = 20
    rulesets_dir: Path | None = None
    limits: Limits | None = None  # the readers' limits; None: sized from the upload limit
    eval_timeout: float = 60.0  # seconds one upload may be judged for
    check_timeout: float = 15.0  # seconds for checking, formatting or a case run
    workers: int = 2  # judgements at once (the machines are small)
    max_pending: int = 6  # judgements running or waiting; more → 429
    runs_kept: int = 20  # reports kept in memory for the pages and downloads
    run_ttl: float = 4 * 3600.0  # seconds a report is kept
    runs_budget_mb: int = 200  # uploads' bytes whose results are kept, summed

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * MIB

    @property
    def runs_budget(self) -> int:
        return self.runs_budget_mb * MIB

    @property
    def unpacked_bytes(self) -> int:
        """What an upload may unpack to: a workbook's parts, a .zip's CSV files."""
        return min(DEFAULT.xlsx_bytes, max(64 * MIB, 16 * self.max_upload_bytes))

    @property
    def reader_limits(self) -> Limits:
        """The readers' limits for uploads: the library's, with sizes scaled to
        the upload limit (a 20 MB upload has no business unpacking to 1 GB)."""
        if self.limits is not None:
            return self.limits
        unpacked = self.unpacked_bytes
        return DEFAULT.but(xlsx_bytes=unpacked, file_bytes=unpacked)

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def checked(self) -> Settings:
        """These settings, or the `AntqError` that says why a server cannot start with them."""
        if not 1 <= self.max_upload_mb <= 4096:
            raise _bad("--max-upload-mb", self.max_upload_mb, "1 .. 4096")
        if not 0 <= self.port <= 65535:
            raise _bad("--port", self.port, "0 .. 65535")
        if self.token is not None and (not self.token.strip() or self.token != self.token.strip()):
            # (sign-in strips what is typed: such a token could never be matched)
            raise AntqError(Diagnostic("web-blank-token", {"count": MIN_TOKEN}))
        if self.token is not None and len(self.token) < MIN_TOKEN:
            raise _bad("--token", "…", f">= {MIN_TOKEN}")
        if self.token is None and not self.loopback:
            raise AntqError(Diagnostic("web-needs-token", {"host": self.host}))
        folder = self.rulesets_dir
        if folder is not None:
            if not folder.exists():
                raise AntqError(Diagnostic("missing-file", {"path": str(folder)}))
            if not folder.is_dir():
                raise AntqError(Diagnostic("web-not-folder", {"path": str(folder)}))
            return attrs.evolve(self, rulesets_dir=folder.resolve())
        return self


def from_options(
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str | None = None,
    max_upload_mb: int = 20,
    rulesets_dir: str | os.PathLike[str] | None = None,
) -> Settings:
    """Settings from the command line's options (the token may come from ANTQ_TOKEN)."""
    token = token or os.environ.get(TOKEN_ENV) or None
    folder = Path(rulesets_dir) if rulesets_dir is not None else None
    return Settings(host, port, token, max_upload_mb, folder).checked()


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bad(name: str, value: object, allowed: str) -> AntqError:
    return AntqError(
        Diagnostic("web-bad-option", {"name": name, "value": str(value), "allowed": allowed})
    )
