"""What keeps a commune's records on the server: the token, CSRF, the
Content-Security-Policy and the upload limit, as ASGI middleware so that
each applies to every route, before a route (or the form parser) runs.

* **Token.** With `--token`, every request but the login page and the
  static files must carry it: `Authorization: Bearer …` (tools), or the
  session cookie the login form sets (HttpOnly, SameSite=Strict; it holds
  an HMAC of the token under a key made at start-up, never the token).
  Otherwise 401, before the body is read.
* **Host.** Without a token the server listens on loopback only, and
  answers only requests addressed to a loopback name, so a web page cannot
  reach it through a DNS name that points at 127.0.0.1 (DNS rebinding).
* **CSRF.** Forms carry a token derived from a random cookie
  (`csrf_for`); the API, when it is called with the session cookie rather
  than a bearer token, wants the same in an `X-CSRF-Token` header.
* **Uploads.** A request whose `Content-Length` is over the limit is
  refused with 413 before anything is read; one that does not say its
  length is counted as it streams, and refused when it passes the limit.
* **Headers.** A strict Content-Security-Policy (no inline script or
  style, nothing from elsewhere), no framing, no sniffing, no referrer,
  and no caching of pages that show data.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import Diagnostic

SESSION_COOKIE = "antq_session"
CSRF_COOKIE = "antq_csrf"
LANG_COOKIE = "antq_lang"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
PUBLIC = ("/static/", "/login", "/lang/")  # (no data behind these)
WRONG_TOKEN_DELAY = 0.25  # seconds before a wrong token is answered
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")

# A response for a refused request: (scope, status, diagnostic, extra headers).
Deny = Callable[[Scope, int, Diagnostic, dict[str, str]], Awaitable[Any]]


class Guard:
    """The token, and the keys of sessions and CSRF tokens (made at start-up)."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.key = secrets.token_bytes(32)

    def _mac(self, *parts: str) -> str:
        return hmac.new(self.key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def session_value(self) -> str:
        assert self.token is not None
        return self._mac("session", self.token)

    def token_ok(self, given: str) -> bool:
        return self.token is not None and hmac.compare_digest(
            given.encode("utf-8", "replace"), self.token.encode("utf-8")
        )

    def how(self, connection: HTTPConnection) -> str | None:
        """How a request is authenticated: "open" (no token), "bearer",
        "cookie", or None when it is not."""
        if self.token is None:
            return "open"
        scheme, _, given = connection.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.token_ok(given.strip()):
            return "bearer"
        cookie = connection.cookies.get(SESSION_COOKIE, "")
        if cookie and hmac.compare_digest(cookie.encode(), self.session_value().encode()):
            return "cookie"
        return None

    def csrf_for(self, cookie: str) -> str:
        return self._mac("csrf", cookie)

    def csrf_ok(self, cookie: str | None, given: str | None) -> bool:
        if not cookie or not given:
            return False
        return hmac.compare_digest(self.csrf_for(cookie).encode(), given.encode("utf-8", "replace"))


def new_csrf_cookie() -> str:
    return secrets.token_urlsafe(24)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if not static and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


class HostCheck:
    """Only loopback host names, when the server is open (no token)."""

    def __init__(self, app: ASGIApp, guard: Guard, deny: Deny) -> None:
        self.app = app
        self.guard = guard
        self.deny = deny

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.guard.token is None:
            host = HTTPConnection(scope).headers.get("host", "")
            name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
            if name.lower() not in LOOPBACK_NAMES:
                diagnostic = Diagnostic("web-bad-host", {"host": host[:80]})
                response = await self.deny(scope, 400, diagnostic, {})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


class Authenticate:
    def __init__(self, app: ASGIApp, guard: Guard, deny: Deny) -> None:
        self.app = app
        self.guard = guard
        self.deny = deny

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        how = self.guard.how(connection)
        scope.setdefault("state", {})["auth"] = how
        path = scope.get("path", "")
        if how is None and not path.startswith(PUBLIC):
            if "authorization" in connection.headers:
                await asyncio.sleep(WRONG_TOKEN_DELAY)  # (guessing tokens is slow)
            headers = {"www-authenticate": 'Bearer realm="antq"'}
            response = await self.deny(scope, 401, Diagnostic("web-unauthorized", {}), headers)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class TooLarge(HTTPException):
    """Raised from the request's stream when the body passes the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413)
        self.limit = limit


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, deny: Deny) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.deny = deny

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        declared = HTTPConnection(scope).headers.get("content-length")
        if declared is not None and (not declared.strip().isdigit() or int(declared) > limit):
            await self._refuse(scope, receive, send)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        megabytes = max(1, self.max_bytes >> 20)
        diagnostic = Diagnostic("web-too-large", {"limit": megabytes})
        response = await self.deny(scope, 413, diagnostic, {"connection": "close"})
        await response(scope, receive, send)
