"""`antq serve`: the command line's glue (`antq_rules.cli` adds the
sub-command with `add_parser` and calls `run`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..errors import AntqError, Diagnostic

EXAMPLES = """examples:
  antq serve                                   # http://127.0.0.1:8080, this machine only
  antq serve --rulesets /srv/antq/rulesets     # also offer an office's own rulesets
  ANTQ_TOKEN=… antq serve --host 0.0.0.0       # the office's network: a token is required
  (behind HTTPS: see docs/web.md, "Deployment on a LAN")"""


def add_parser(commands: Any) -> argparse.ArgumentParser:
    help_ = "Serve the web application: upload, judge, reports, dashboard, editor."
    p: argparse.ArgumentParser = commands.add_parser(
        "serve",
        help=help_,
        description=help_,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080)")
    p.add_argument(
        "--token",
        help="access token every request must carry (or ANTQ_TOKEN); required off loopback",
    )
    p.add_argument(
        "--max-upload-mb", type=int, default=20, help="largest upload in MB (default 20)"
    )
    p.add_argument(
        "--rulesets",
        type=Path,
        metavar="DIR",
        help="a folder of .antq rulesets to offer besides the shipped ones",
    )
    return p


def run(args: argparse.Namespace) -> int:
    try:  # (FastAPI, uvicorn, Jinja2… are the `web` extra)
        import uvicorn  # noqa: F401

        from .app import create_app  # noqa: F401
    except ImportError as error:
        raise AntqError(Diagnostic("needs-web", {"detail": str(error)})) from None
    from .server import serve

    serve(args.host, args.port, args.token, args.max_upload_mb, args.rulesets)
    return 0
