"""A small synchronous LSP client for the tests: JSON-RPC with Content-Length
framing over a subprocess's stdin and stdout.

A reader thread parses the server's messages into a queue, so every wait has
a timeout: a server that hangs fails the test instead of blocking it.
Requests the server sends to the client are answered with `null`.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

COMMAND = [sys.executable, "-m", "antq_rules.cli", "lsp"]
TIMEOUT = 20.0


class LspError(AssertionError):
    pass


class Client:
    def __init__(self, command: list[str] | None = None, cwd: str | None = None) -> None:
        self.process = subprocess.Popen(
            command or COMMAND,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=cwd,
        )
        self.messages: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.stderr: list[bytes] = []
        self.next_id = 0
        self.versions: dict[str, int] = {}
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # ---- the wire

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.lower() == "content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = stream.read(length)
                self.messages.put(json.loads(body.decode("utf-8")))
        finally:
            self.messages.put(None)

    def _drain_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        with self.lock:
            self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.process.stdin.flush()

    def _next(self, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LspError(f"no answer from the server in time; stderr: {self.stderr_text()}")
        try:
            message = self.messages.get(timeout=remaining)
        except queue.Empty:
            raise LspError(
                f"no answer from the server in time; stderr: {self.stderr_text()}"
            ) from None
        if message is None:
            self.messages.put(None)
            raise LspError(f"the server closed its output; stderr: {self.stderr_text()}")
        if "method" in message and "id" in message:  # a request to the client
            self._send({"id": message["id"], "result": None})
        return message

    def stderr_text(self) -> str:
        return b"".join(self.stderr).decode("utf-8", "replace")[-3000:]

    # ---- requests and notifications

    def request(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            message = self._next(deadline)
            if message.get("id") == ident and "method" not in message:
                if "error" in message:
                    raise LspError(f"{method}: {message['error']}")
                return message.get("result")
            if "method" in message and "id" not in message:
                self.notifications.append(message)

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def wait_for(
        self, method: str, predicate: Any = None, timeout: float = TIMEOUT
    ) -> dict[str, Any]:
        """The first notification `method` (already received or coming) that
        satisfies `predicate(params)`; it is consumed."""
        deadline = time.monotonic() + timeout
        while True:
            for index, note in enumerate(self.notifications):
                if note["method"] == method and (predicate is None or predicate(note["params"])):
                    del self.notifications[index]
                    return note["params"]
            message = self._next(deadline)
            if "method" in message and "id" not in message:
                self.notifications.append(message)

    def diagnostics(self, uri: str, timeout: float = TIMEOUT) -> list[dict[str, Any]]:
        """The next diagnostics published for `uri`."""
        params = self.wait_for(
            "textDocument/publishDiagnostics", lambda p: p["uri"] == uri, timeout
        )
        return params["diagnostics"]

    # ---- life

    def initialize(self, options: Any = None, locale: str | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {
            "processId": None,
            "rootUri": None,
            "capabilities": {
                "textDocument": {
                    "completion": {"completionItem": {"snippetSupport": True}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]},
                    "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                },
            },
        }
        if options is not None:
            params["initializationOptions"] = options
        if locale is not None:
            params["locale"] = locale
        result = self.request("initialize", params)
        self.notify("initialized", {})
        return result

    def open(self, path: Path, text: str | None = None) -> str:
        uri = path.resolve().as_uri()
        self.versions[uri] = 1
        content = path.read_text(encoding="utf-8") if text is None else text
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "antq", "version": 1, "text": content}},
        )
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": self.versions[uri]},
                "contentChanges": [{"text": text}],
            },
        )

    def close_document(self, uri: str) -> None:
        self.notify("textDocument/didClose", {"textDocument": {"uri": uri}})

    def shutdown(self) -> None:
        """`shutdown` then `exit`; the process is killed if it does not end."""
        try:
            if self.process.poll() is None:
                self.request("shutdown", None, timeout=5)
                self.notify("exit")
                self.process.wait(timeout=5)
        except (LspError, OSError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait(timeout=5)
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                try:
                    if stream is not None:
                        stream.close()
                except OSError:
                    pass
