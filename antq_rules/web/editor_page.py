"""The editor page: ruleset text in a text area, checked as one types (the
script calls POST /api/check), formatted and its cases run on request (a
POST: the page works without the script too).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..errors import AntqError, Diagnostic
from ..source import normalize_text
from . import editor, forms
from .i18n import lang_of, t
from .responses import form_of, page
from .security import CSRF_FIELD
from .state import state_of

router = APIRouter(include_in_schema=False)

SAMPLE = """use "antq:common/schema.antq"

ruleset vi_du
  title "Ví dụ: xã có ít nhất 70% khu dân cư được công nhận an toàn về ANTT"
  subject commune

param areas_min = 70% "Tỉ lệ khu dân cư được công nhận tối thiểu"

criterion A "Ít nhất 70% khu dân cư được công nhận an toàn về ANTT"
  source "Ví dụ"
  ratio(areas.recognised_safe) >= areas_min
"""


def _editor_context(
    request: Request, key: str, text: str, cases: str, **extra: Any
) -> dict[str, Any]:
    state = state_of(request)
    entries = [(e.key, e.key) for e, r, _ in state.catalog.rulesets() if r is not None]
    return {
        "entries": entries,
        "key": key,
        "text": text,
        "cases": cases,
        "checked": None,
        "cases_run": None,
        "notice": None,
        **extra,
    }


@router.get("/editor")
def editor_page(request: Request, ruleset: str | None = None) -> Response:
    state = state_of(request)
    text, cases, key = SAMPLE, "", ""
    if ruleset:
        entry = state.catalog.find(ruleset)
        try:
            text = normalize_text(entry.path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError):
            raise AntqError(Diagnostic("web-unknown-ruleset", {"name": entry.key})) from None
        cases, key = state.catalog.cases_text(entry) or "", entry.key
    return page(request, "editor.html", _editor_context(request, key, text, cases))


@router.post("/editor")
async def editor_action(request: Request) -> Response:
    state = state_of(request)
    form = await form_of(request)
    forms.check_csrf(request, form.get(CSRF_FIELD))
    lang = lang_of(request)
    text = forms.text_of(form.get("ruleset_text"))
    cases = forms.text_of(form.get("cases_text"))
    key = forms.text_of(form.get("ruleset"))
    action = forms.text_of(form.get("action")) or "check"
    root = None
    if key:
        root = state.catalog.find(key).path.parent
    timeout = state.settings.check_timeout
    extra: dict[str, Any] = {}
    if action == "format":
        try:
            text = await state.workers.run(lambda _c: editor.format_text(text), timeout)
            extra["notice"] = t("formatted", lang)
        except AntqError as error:
            if error.code in ("web-busy", "web-timeout"):
                raise
            extra["checked"] = editor.Checked(False, tuple(state.sandbox.diagnostics(error, lang)))
    if "checked" not in extra:
        extra["checked"] = await state.workers.run(
            lambda _c: editor.check(state.sandbox, text, lang, root), timeout
        )
    if action == "cases" and extra["checked"].ok:
        limits = state.settings.reader_limits
        extra["cases_run"] = await state.workers.run(
            lambda cancel: editor.run_cases(state.sandbox, text, cases, lang, limits, cancel, root),
            state.settings.eval_timeout,
        )
    context = _editor_context(request, key, text, cases, **extra)
    status = 200 if extra["checked"].ok else 422
    return page(request, "editor.html", context, status)
