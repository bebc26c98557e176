"""What keeps a commune's records on the server: the token, CSRF, the
Content-Security-Policy and the upload limit, as ASGI middleware so that
each applies to every route, before a route (or the form parser) runs.

* **Token.** With `--token`, every request but the login page and the
  static files must carry it: `Authorization: Bearer …` (tools), or the
  session cookie the login form sets (HttpOnly, SameSite=Strict; a random
  value made at that sign-in and known to this process only, never the
  token, ended on the server at sign-out). Otherwise 401, before the body
  is read.
* **Host.** Without a token the server listens on loopback only, and
  answers only requests addressed to a loopback name, so a web page cannot
  reach it through a DNS name that points at 127.0.0.1 (DNS rebinding).
* **Other sites.** A request that is not GET or HEAD is refused (403) when
  the browser says it comes from another site (`SameOrigin`), token or
  not; a tool that says nothing of where it comes from is served.
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
import threading
import time
import urllib.parse
from collections import OrderedDict
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
SESSION_TTL = 12 * 3600.0  # seconds a sign-in lasts (a working day)
MAX_SESSIONS = 1000  # sign-ins kept at once; more push out the oldest
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]", "::1")
SAFE_METHODS = ("GET", "HEAD")  # (no work for another site to ask for)

# A response for a refused request: (scope, status, diagnostic, extra headers).
Deny = Callable[[Scope, int, Diagnostic, dict[str, str]], Awaitable[Any]]


class Guard:
    """The token, the sessions signed in with it, and the key of CSRF
    tokens (made at start-up).

    A session is a random value made at each sign-in, kept in memory only
    (as its SHA-256, so that looking it up says nothing of it), for
    `SESSION_TTL` seconds at most, `MAX_SESSIONS` at once (the oldest go
    first), and ended on the server when its owner signs out: a cookie
    copied before then is worth nothing after."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.key = secrets.token_bytes(32)
        self._sessions: OrderedDict[str, float] = OrderedDict()  # digest → when it ends
        self._lock = threading.Lock()

    def _mac(self, *parts: str) -> str:
        return hmac.new(self.key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()

    def new_session(self) -> str:
        """A new session's cookie value."""
        value = secrets.token_urlsafe(32)
        with self._lock:
            self._expire()
            self._sessions[_digest(value)] = time.monotonic() + SESSION_TTL
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return value

    def session_ok(self, value: str) -> bool:
        with self._lock:
            self._expire()
            ends = self._sessions.get(_digest(value))
        return ends is not None and ends > time.monotonic()

    def end_session(self, value: str) -> None:
        with self._lock:
            self._sessions.pop(_digest(value), None)

    def _expire(self) -> None:
        now = time.monotonic()
        while self._sessions and next(iter(self._sessions.values())) <= now:
            self._sessions.popitem(last=False)

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
        if cookie and self.session_ok(cookie):
            return "cookie"
        return None

    def csrf_for(self, cookie: str) -> str:
        return self._mac("csrf", cookie)

    def csrf_ok(self, cookie: str | None, given: str | None) -> bool:
        if not cookie or not given:
            return False
        return hmac.compare_digest(self.csrf_for(cookie).encode(), given.encode("utf-8", "replace"))


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


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


class SameOrigin:
    """Work asked of this server by another site's page is refused (403),
    with or without a token: a request that changes or causes something
    (anything but GET and HEAD) must not come from another origin. A
    browser says where a request comes from (`Sec-Fetch-Site`, `Origin`,
    else `Referer`); tools that say nothing (curl, scripts) are let through.
    (This server's pages send `Origin: null`: their referrer policy is
    `no-referrer`; `Sec-Fetch-Site` still tells them apart.)"""

    def __init__(self, app: ASGIApp, deny: Deny) -> None:
        self.app = app
        self.deny = deny

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method", "GET") not in SAFE_METHODS:
            foreign = cross_site(HTTPConnection(scope).headers)
            if foreign is not None:
                diagnostic = Diagnostic("web-cross-site", {"origin": foreign[:80]})
                response = await self.deny(scope, 403, diagnostic, {})
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cross_site(headers: Any) -> str | None:
    """Where a request comes from when that is another site, else None."""
    fetch_site = headers.get("sec-fetch-site", "").lower()
    if fetch_site in ("cross-site", "same-site"):
        return headers.get("origin") or fetch_site
    if fetch_site in ("same-origin", "none"):  # (the browser's word: behind a proxy
        return None  # that rewrites Host, Origin and Host would differ)
    origin = headers.get("origin")
    if origin is None:
        origin = headers.get("referer")
    if origin is None or origin == "null":
        return None
    if _authority(origin) != _plain_host(headers.get("host", "")):
        return origin
    return None


def _authority(url: str) -> str | None:
    try:
        parts = urllib.parse.urlsplit(url.strip())
        if not parts.scheme or not parts.hostname:
            return None
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        port = parts.port
    except ValueError:
        return None
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    return host.lower() if port in (None, default) else f"{host.lower()}:{port}"


def _plain_host(host: str) -> str:
    """The Host header without a default port (`x:80`, `x:443` are `x`)."""
    host = host.strip().lower()
    for default in (":80", ":443"):
        if host.endswith(default):
            return host[: -len(default)]
    return host


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
