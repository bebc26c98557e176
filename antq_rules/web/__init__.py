"""`antq serve`: the office's front door — a small web application that
embeds antq_rules as any tool would.

Commune police and the district and provincial teams work in a browser and
in Word: here they pick a ruleset, download its Excel template, upload the
filled workbook (or a province), read the report, download the official
.docx, filter a province's dashboard, and edit a ruleset with the checker's
diagnostics as they type. Pages are rendered on the server (Jinja2) with
one small script (the editor's live check); the JSON API is described by
FastAPI's OpenAPI document at `/api/openapi.json`.

It holds a commune's records, so it trusts neither its uploads nor the
network (see `security`): 127.0.0.1 by default, a token anywhere else,
limits on uploads and on judging time, ruleset text confined to the shipped
library and the server's rulesets folder, CSRF tokens and a strict
Content-Security-Policy. Nothing of an upload outlives its request but the
results, kept in memory for a while (`jobs.RunStore`).

A room of its own: it imports the core and is never imported by it;
FastAPI, uvicorn, Jinja2, python-multipart and python-docx are the `web`
extra, loaded only when this package is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Settings", "create_app", "serve"]

_LAZY = {"create_app": ".app", "serve": ".server", "Settings": ".settings"}


def __getattr__(name: str) -> Any:
    import importlib

    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'antq_rules.web' has no attribute {name!r}")
    return getattr(importlib.import_module(module, __name__), name)


if TYPE_CHECKING:
    from .app import create_app
    from .server import serve
    from .settings import Settings
