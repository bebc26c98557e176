"""Helpers of the web tests (tests/test_web*.py): an application, a client
addressed to loopback, the CSRF token of a page, a synthetic province, and a
real server on a free loopback port."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "rulesets" / "examples"
TC3 = EXAMPLES / "ngoc_dao_2021_fail_tc3.json"
NGOC_DAO = "plans/ngoc_dao_2021.antq"
XA = "tt124/xa.antq"


def client(app: Any, **headers: str) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(app, base_url="http://127.0.0.1", headers=headers or None)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF token"
    return found.group(1)


def province(path: Path, communes: int = 200, seed: int = 7) -> Path:
    """A synthetic province of the shared schema, as a JSON list."""
    from antq_rules.synthetic import province as make

    path.write_text(
        json.dumps(list(make(communes=communes, seed=seed)), ensure_ascii=False), encoding="utf-8"
    )
    return path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running(app: Any) -> Iterator[str]:
    """uvicorn serving `app` on loopback in a thread; its base URL. Stopped after."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="antq-serve-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
