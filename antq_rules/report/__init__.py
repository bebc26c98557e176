"""Rendering results: terminal text, JSON, Markdown, HTML and the official .docx
(bytes; python-docx, loaded only then), in Vietnamese or English."""

from __future__ import annotations

import json

from ..errors import AntqError, Diagnostic
from ..messages import LANGUAGES
from ..result import DRAWINGS, Result, _json_default
from . import html, markdown, text, view
from .json_form import result_to_dict

FORMATS = ("text", "json", "md", "html", "docx")


def render(result: Result, format: str = "text", lang: str = "vi") -> str | bytes:
    if format not in FORMATS:
        raise AntqError(Diagnostic("bad-format", {"name": format, "known": ", ".join(FORMATS)}))
    if lang not in LANGUAGES:
        raise AntqError(Diagnostic("bad-format", {"name": lang, "known": ", ".join(LANGUAGES)}))
    if format == "json":
        return (
            json.dumps(
                result.to_dict(lang=lang), ensure_ascii=False, indent=2, default=_json_default
            )
            + "\n"
        )
    if format == "docx":
        from . import docx

        return docx.render(result, lang)
    built = view.build(result, lang)
    return {"text": text.render, "md": markdown.render, "html": html.render}[format](built)


# (what `str()` of a fact, witnesses or gap says: the report's sentence)
DRAWINGS.update(
    render=render,
    to_dict=result_to_dict,
    fact=view.fact,
    witnesses=view.witnesses,
    gap=view.gap,
)
