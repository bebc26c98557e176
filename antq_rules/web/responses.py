"""Answers: an `AntqError` as JSON (API) or as a page (browser), with the
HTTP status its kind calls for, and pages rendered with what every page
needs (language, CSRF token, where it is).

Every problem a user can cause is an `AntqError` with a message in
Vietnamese and English; the status says its kind: 401 no token, 403 a
form without its CSRF token, 404 nothing there, 413 too large, 415 not a
data file, 429 busy, 422 for the rest (a ruleset or data that is wrong).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from ..errors import AntqError
from .encoding import SafeHTMLResponse, SafeJSONResponse
from .i18n import lang_of, translator
from .security import CSRF_COOKIE, new_csrf_cookie
from .state import state_of

STATUS = {
    "web-unauthorized": 401,
    "web-bad-token": 401,
    "web-csrf": 403,
    "web-cross-site": 403,
    "web-no-run": 404,
    "web-no-subject": 404,
    "web-not-found": 404,
    "web-unknown-ruleset": 404,
    "web-too-large": 413,
    "web-zip-too-big": 413,
    "web-bad-upload": 415,
    "web-busy": 429,
    "web-bad-request": 400,
    "web-bad-host": 400,
}


def status_for(error: AntqError) -> int:
    return STATUS.get(error.code, 422)


def is_api(connection: HTTPConnection) -> bool:
    return connection.url.path.startswith("/api/")


def error_payload(connection: HTTPConnection, error: AntqError, lang: str) -> dict[str, Any]:
    sandbox = state_of(connection).sandbox
    diagnostics = sandbox.diagnostics(error, lang)
    first = diagnostics[0]
    return {
        "error": {
            "code": error.code,
            "message": first["message"],
            "text": sandbox.render(error, lang),
            "path": sandbox.scrub(error.path) if error.path else error.path,
            "line": first["line"],
            "column": first["column"],
            "diagnostics": diagnostics,
        }
    }


def error_response(
    connection: HTTPConnection,
    error: AntqError,
    status: int | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    lang = lang_of(connection)
    status = status or status_for(error)
    if is_api(connection) or "text/html" not in connection.headers.get("accept", "text/html"):
        return SafeJSONResponse(error_payload(connection, error, lang), status, headers)
    if status == 401:
        return page(
            connection, "login.html", {"problem": None, "next_url": _here(connection)}, 401, headers
        )
    text = state_of(connection).sandbox.render(error, lang)
    return page(connection, "error.html", {"problem": text, "status": status}, status, headers)


def _here(connection: HTTPConnection) -> str:
    query = connection.url.query
    return connection.url.path + (f"?{query}" if query else "")


def csrf_cookie(connection: HTTPConnection) -> tuple[str, bool]:
    """The visitor's CSRF cookie, and whether it is new (to be set)."""
    found = connection.cookies.get(CSRF_COOKIE)
    if found and 16 <= len(found) <= 64:
        return found, False
    return new_csrf_cookie(), True


def page(
    connection: HTTPConnection,
    name: str,
    context: dict[str, Any],
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> SafeHTMLResponse:
    state = state_of(connection)
    lang = lang_of(connection)
    cookie, new = csrf_cookie(connection)
    auth = connection.scope.get("state", {}).get("auth")
    values = {
        "lang": lang,
        "t": translator(lang),
        "csrf": state.guard.csrf_for(cookie),
        "here": _here(connection),
        "signed_in": auth == "cookie",
        **context,
    }
    html = state.templates.get_template(name).render(values)
    response = SafeHTMLResponse(html, status, headers)
    if new:
        secure = connection.url.scheme == "https"
        response.set_cookie(
            CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure, path="/"
        )
    return response


async def form_of(request: Request) -> Any:
    """A page's form (multipart or urlencoded), within the server's limits."""
    return await request.form(max_files=4, max_fields=400, max_part_size=2 << 20)
