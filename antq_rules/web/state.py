"""What one server holds while it runs: its settings, the token and keys,
the catalog of rulesets, the sandbox for ruleset text, the workers, the
results kept in memory and the page templates."""

from __future__ import annotations

from pathlib import Path

import jinja2
from starlette.requests import HTTPConnection

from .catalog import Catalog
from .jobs import RunStore, Workers
from .sandbox import Sandbox
from .security import Guard
from .settings import Settings

HERE = Path(__file__).resolve().parent


class AppState:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.guard = Guard(settings.token)
        self.catalog = Catalog(settings.rulesets_dir)
        self.sandbox = Sandbox(self.catalog.roots)
        self.workers = Workers(settings.workers, settings.max_pending)
        self.runs = RunStore(settings.runs_kept, settings.run_ttl, settings.runs_budget)
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=jinja2.select_autoescape(("html", "svg")),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )


def state_of(connection: HTTPConnection) -> AppState:
    found: AppState = connection.app.state.antq
    return found
