"""Signing in (a server with a token), signing out, and the language switch."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from ..errors import AntqError, Diagnostic
from . import forms
from .i18n import LANGS, lang_of
from .responses import form_of, page
from .security import CSRF_FIELD, LANG_COOKIE, SESSION_COOKIE, WRONG_TOKEN_DELAY
from .state import state_of

router = APIRouter(include_in_schema=False)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    if state_of(request).guard.token is None:
        return RedirectResponse("/", status_code=303)
    return page(request, "login.html", {"problem": None, "next_url": forms.local(next)})


@router.post("/login")
async def login(request: Request) -> Response:
    state = state_of(request)
    form = await form_of(request)
    forms.check_csrf(request, form.get(CSRF_FIELD))
    next_url = forms.local(forms.text_of(form.get("next")))
    if state.guard.token is None:
        return RedirectResponse(next_url, status_code=303)
    if not state.guard.token_ok(forms.text_of(form.get("token")).strip()):
        await asyncio.sleep(WRONG_TOKEN_DELAY)  # (guessing tokens is slow)
        problem = state.sandbox.render(AntqError(Diagnostic("web-bad-token", {})), lang_of(request))
        return page(request, "login.html", {"problem": problem, "next_url": next_url}, 401)
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        state.guard.new_session(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    form = await form_of(request)
    forms.check_csrf(request, form.get(CSRF_FIELD))
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        state_of(request).guard.end_session(session)  # (a copy of the cookie ends with it)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/lang/{code}")
def choose_language(request: Request, code: str, next: str | None = None) -> Response:
    if code not in LANGS:
        raise AntqError(Diagnostic("bad-format", {"name": code[:20], "known": ", ".join(LANGS)}))
    response = RedirectResponse(forms.local(next), status_code=303)
    response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax", path="/")
    return response
