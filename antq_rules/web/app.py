"""`create_app(settings)`: the ASGI application — routes, middleware and
the answers to every error.

Middleware, outermost first: security headers (on every answer, errors
included), the host check, the refusal of other sites' requests, the token,
the upload limit. Errors: an
`AntqError` is the user's (its status by kind, its message in the
visitor's language); FastAPI's validation errors and Starlette's HTTP
errors are turned into one, so that a client never meets a traceback or a
different shape of error.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import HTTPConnection
from starlette.responses import Response
from starlette.types import Scope

from .. import __version__
from ..errors import AntqError, Diagnostic
from . import api, editor_page, pages, report_pages, session_pages
from .encoding import SafeJSONResponse
from .responses import error_response
from .security import (
    Authenticate,
    BodyLimit,
    HostCheck,
    SameOrigin,
    SecurityHeaders,
    TooLarge,
)
from .settings import Settings
from .state import HERE, AppState

log = logging.getLogger("antq.web")

DESCRIPTION = """Judge communes, residential areas, agencies and schools against the
ANTQ/ANTT rulesets of antq_rules. Send data as .xlsx, a .zip of CSV files,
JSON or YAML; results are `antq-result/1` (one subject) or `antq-batch/1`
(several). With a token, send `Authorization: Bearer TOKEN`."""


def create_app(settings: Settings | None = None, **options: Any) -> FastAPI:
    """The application; `settings`, or the options of `Settings` (checked)."""
    settings = (settings or Settings(**options)).checked()
    state = AppState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        state.workers.close()

    app = FastAPI(
        lifespan=lifespan,
        title="antq serve",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # (Swagger's page loads scripts from elsewhere: the CSP forbids it)
        redoc_url=None,
        openapi_url="/api/openapi.json",
        default_response_class=SafeJSONResponse,
    )
    app.state.antq = state
    _uploads_in_memory(settings.max_upload_bytes)
    app.include_router(api.router)
    for pages_of in (pages, report_pages, editor_page, session_pages):
        app.include_router(pages_of.router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")

    async def deny(
        scope: Scope, status: int, diagnostic: Diagnostic, headers: dict[str, str]
    ) -> Response:
        connection = HTTPConnection(scope)
        return error_response(connection, AntqError(diagnostic), status, headers)

    # (added innermost first)
    app.add_middleware(BodyLimit, max_bytes=settings.max_upload_bytes, deny=deny)
    app.add_middleware(Authenticate, guard=state.guard, deny=deny)
    app.add_middleware(SameOrigin, deny=deny)
    app.add_middleware(HostCheck, guard=state.guard, deny=deny)
    app.add_middleware(SecurityHeaders)
    _handlers(app, settings)

    return app


def _uploads_in_memory(max_bytes: int) -> None:
    """Starlette keeps an uploaded file in memory up to 1 MB and then in a
    temporary file on disk; a commune's records stay in memory instead (an
    upload is at most `max_bytes`, and the body limit holds before this)."""
    from starlette.formparsers import MultiPartParser

    if getattr(MultiPartParser, "spool_max_size", 0) < max_bytes + 1:
        MultiPartParser.spool_max_size = max_bytes + 1


def _handlers(app: FastAPI, settings: Settings) -> None:
    @app.exception_handler(AntqError)
    async def antq_error(request: Request, error: AntqError) -> Response:
        return error_response(request, error)

    @app.exception_handler(TooLarge)
    async def too_large(request: Request, error: TooLarge) -> Response:
        megabytes = max(1, error.limit >> 20)
        return error_response(request, AntqError(Diagnostic("web-too-large", {"limit": megabytes})))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            diagnostic = Diagnostic("web-not-found", {"path": request.url.path[:120]})
        elif error.status_code == 413:
            diagnostic = Diagnostic("web-too-large", {"limit": settings.max_upload_mb})
        else:
            detail = str(error.detail)[:200] if error.detail else str(error.status_code)
            diagnostic = Diagnostic("web-bad-request", {"detail": detail})
        headers = dict(error.headers or {})
        return error_response(request, AntqError(diagnostic), error.status_code, headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        fields = []
        for problem in error.errors()[:5]:
            where = ".".join(str(part) for part in problem.get("loc", ()) if part != "body")
            fields.append(f"`{where or '?'}`: {problem.get('msg', '')}"[:200])
        diagnostic = Diagnostic("web-bad-request", {"detail": "; ".join(fields)})
        return error_response(request, AntqError(diagnostic), 422)

    @app.exception_handler(Exception)
    async def bug(request: Request, error: Exception) -> Response:
        # A bug in antq_rules: said plainly, logged with its traceback, never shown.
        log.exception("internal error on %s", request.url.path)
        detail = f"`{type(error).__name__}`"
        diagnostic = Diagnostic("record-raised", {"detail": detail})
        return error_response(request, AntqError(diagnostic), 500)
