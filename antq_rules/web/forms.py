"""What a form or an API call says, read into what `antq_rules` takes: the
year, the period, parameter overrides, ruleset text.

Every field is text from a user: each problem is an `AntqError` that names
the field, in the words the command line uses for the same mistake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.requests import HTTPConnection

from ..data import to_plain_period
from ..errors import AntqError, Diagnostic
from ..ruleset import check_year
from ..source import normalize_text
from .security import CSRF_COOKIE
from .state import state_of

MAX_PARAMS = 200
MAX_RULESET_BYTES = 1 << 20  # (the loader refuses text over 250,000 characters anyway)


def year_of(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        check_year(text)  # (raises, naming the value)
    year = int(text)
    check_year(year)
    return year


def period_of(text: str | None) -> Any:
    text = normalize_text((text or "").strip())
    return to_plain_period(text) if text else None


def params_of(text: str | None, fields: Mapping[str, str] | None = None) -> dict[str, str]:
    """Overrides from `NAME=VALUE` lines or a JSON object, then from one
    field a parameter (`param:NAME`, left empty to keep the default)."""
    params: dict[str, str] = {}
    text = normalize_text((text or "").strip())
    if text.startswith("{"):
        try:
            # (numbers kept as written: `0.70000000000000000001` is not a float)
            document = json.loads(text, parse_float=_Number, parse_int=_Number)
        except (ValueError, RecursionError):
            raise AntqError(Diagnostic("web-params-json", {})) from None
        if not isinstance(document, dict):
            raise AntqError(Diagnostic("web-params-json", {}))
        for name, value in document.items():
            if isinstance(value, list):  # (a list parameter: written as the language writes it)
                if any(isinstance(item, (dict, list)) or item is None for item in value):
                    raise AntqError(Diagnostic("web-params-json", {}))
                text_value = "[" + ", ".join(_literal(item) for item in value) + "]"
            elif isinstance(value, dict) or value is None:
                raise AntqError(Diagnostic("web-params-json", {}))
            else:
                text_value = _value_text(value)
            params[normalize_text(str(name)).strip()] = text_value
    elif text:
        for number, line in enumerate(text.splitlines(), 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, sep, value = line.partition("=")
            if not sep or not name.strip():
                raise AntqError(Diagnostic("web-params-line", {"line": number, "text": line[:80]}))
            params[name.strip()] = value.strip()
    for name, value in (fields or {}).items():
        if value.strip():
            params[normalize_text(name)] = normalize_text(value.strip())
    if len(params) > MAX_PARAMS:
        raise AntqError(Diagnostic("web-params-line", {"line": MAX_PARAMS + 1, "text": "…"}))
    return params


class _Number(str):
    """A JSON number, as its text."""


def _value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return normalize_text(str(value))


def _literal(item: Any) -> str:
    """An item of a list parameter as the language writes it."""
    if isinstance(item, str) and not isinstance(item, _Number):
        return json.dumps(normalize_text(item), ensure_ascii=False)
    return _value_text(item)


def ruleset_text(raw: bytes, name: str) -> str:
    """An uploaded ruleset file's text (UTF-8, with or without a byte-order mark)."""
    if len(raw) > MAX_RULESET_BYTES:
        raise AntqError(Diagnostic("too-long", {"size": len(raw), "limit": MAX_RULESET_BYTES}))
    try:
        return normalize_text(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise AntqError(Diagnostic("web-bad-text", {"name": name})) from None


def check_csrf(connection: HTTPConnection, given: Any) -> None:
    """A form's CSRF token must be the one its page was given."""
    state = state_of(connection)
    cookie = connection.cookies.get(CSRF_COOKIE)
    if not state.guard.csrf_ok(cookie, given if isinstance(given, str) else None):
        raise AntqError(Diagnostic("web-csrf", {}))


def local(next_url: str | None) -> str:
    """A place on this site to go back to (never another site's)."""
    if not next_url or not next_url.startswith("/") or next_url.startswith(("//", "/\\")):
        return "/"
    return next_url


def text_of(value: Any) -> str:
    """A form field's text (NFC); "" for a missing field or a file."""
    return normalize_text(value) if isinstance(value, str) else ""
