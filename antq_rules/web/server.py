"""`serve(...)`: check the settings, then run the application with uvicorn
until interrupted. A server on anything but loopback refuses to start
without a token (`settings.Settings.checked`)."""

from __future__ import annotations

import os
from pathlib import Path

from .settings import from_options


def serve(
    host: str = "127.0.0.1",
    port: int = 8080,
    token: str | None = None,
    max_upload_mb: int = 20,
    rulesets_dir: str | os.PathLike[str] | Path | None = None,
) -> None:
    import uvicorn

    from .app import create_app

    settings = from_options(host, port, token, max_upload_mb, rulesets_dir)
    app = create_app(settings)
    # (behind a reverse proxy for TLS, uvicorn trusts its X-Forwarded-* from loopback only)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="info",
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        # (at SIGTERM, requests still running are given up after this: their
        # jobs are then stopped, instead of the process waiting for them)
        timeout_graceful_shutdown=5,
    )
