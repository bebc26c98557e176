"""Text to bytes for every answer, so that none can fail on the way out.

Uploaded data may hold a lone surrogate (JSON's `"\\ud800"`, YAML's
`"\\ud800"`): Python keeps it in a `str`, but UTF-8 cannot encode it. Such a
character reaches the page, the JSON answer or a download as U+FFFD (�),
never as a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import HTMLResponse, JSONResponse

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


def utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # (rare: the cleaning pass only then)
        return clean(text).encode("utf-8")


class SafeJSONResponse(JSONResponse):
    """Starlette's JSON answer, encoded with `utf8`."""

    def render(self, content: Any) -> bytes:
        text = json.dumps(
            content, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")
        )
        return utf8(text)


class SafeHTMLResponse(HTMLResponse):
    def render(self, content: Any) -> bytes:
        return utf8(content) if isinstance(content, str) else super().render(content)
