"""The home page: choose a ruleset, read what it judges, get its template,
and upload data to judge (a POST answered with 303 to the report).

Forms work without script. Every form carries its CSRF token.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import AntqError
from . import forms
from .catalog import Description, describe
from .i18n import lang_of
from .responses import form_of, page, status_for
from .security import CSRF_FIELD
from .service import Request as Ask
from .service import judge_job, keep
from .state import AppState, state_of

router = APIRouter(include_in_schema=False)

DEFAULT_RULESET = "plans/ngoc_dao_2021.antq"


def _home_context(state: AppState, request: Request, key: str | None) -> dict[str, Any]:
    lang = lang_of(request)
    shipped, own = [], []
    for entry, ruleset, _ in state.catalog.rulesets():
        title = entry.key
        if ruleset is not None:
            shown = ruleset.title_en if lang == "en" and ruleset.title_en else ruleset.title
            title = f"{shown} ({entry.key})"
        (shipped if entry.origin == "shipped" else own).append((entry.key, title))
    keys = [k for k, _ in shipped + own]
    chosen = key if key in keys else (DEFAULT_RULESET if DEFAULT_RULESET in keys else keys[0])
    about: Description | None = None
    problem = None
    try:
        entry = state.catalog.find(chosen)
        about = describe(entry.key, state.catalog.load(entry), lang)
    except AntqError as error:
        problem = state.sandbox.render(error, lang)
    return {
        "shipped": shipped,
        "own": own,
        "chosen": chosen,
        "about": about,
        "problem": problem,
        "values": {},
        "max_upload_mb": state.settings.max_upload_mb,
    }


@router.get("/")
def home(request: Request, ruleset: str | None = None) -> Response:
    state = state_of(request)
    return page(request, "home.html", _home_context(state, request, ruleset))


@router.post("/evaluate")
async def evaluate(request: Request) -> Response:
    state = state_of(request)
    form = await form_of(request)
    forms.check_csrf(request, form.get(CSRF_FIELD))
    lang = lang_of(request)
    text = forms.text_of(form.get("ruleset_text"))
    upload = form.get("ruleset_file")
    if not text.strip() and upload is not None and getattr(upload, "filename", None):
        raw = await upload.read(forms.MAX_RULESET_BYTES + 1)
        if raw:
            try:
                text = forms.ruleset_text(raw, str(upload.filename))
            except AntqError as error:
                return _home_problem(request, error, form)
    data = form.get("data")
    has_data = data is not None and not isinstance(data, str)
    fields = {
        key[len("param:") :]: forms.text_of(value)
        for key, value in form.multi_items()
        if key.startswith("param:") and isinstance(value, str)
    }
    ask = Ask(
        forms.text_of(form.get("ruleset")) or None,
        text or None,
        data.file if has_data else None,
        data.filename if has_data else None,
        forms.text_of(form.get("year")),
        forms.text_of(form.get("period")),
        forms.text_of(form.get("params")),
        fields,
        lang,
    )
    try:
        judgement = await state.workers.run(judge_job(state, ask), state.settings.eval_timeout)
    except AntqError as error:
        return _home_problem(request, error, form)
    run = keep(state, ask, judgement)
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


def _home_problem(request: Request, error: AntqError, form: Any) -> Response:
    state = state_of(request)
    context = _home_context(state, request, forms.text_of(form.get("ruleset")))
    context["problem"] = state.sandbox.render(error, lang_of(request))
    context["values"] = {
        key: forms.text_of(form.get(key)) for key in ("year", "period", "params", "ruleset_text")
    }
    return page(request, "home.html", context, status_for(error))
