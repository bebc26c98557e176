"""Judging an upload, as both the pages and the API do it: the ruleset (a
catalog name, or text), the data file, the year, period and parameters —
read, checked and judged in a worker, within the server's bounds.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, BinaryIO

import attrs

from ..errors import AntqError, Diagnostic
from ..ruleset import Ruleset
from . import forms, uploads
from .jobs import Judged, Run, judge_file
from .state import AppState


@attrs.frozen
class Request:
    """What the user asked for, as given (text fields unparsed)."""

    ruleset_key: str | None
    ruleset_text: str | None
    data: BinaryIO | None
    data_name: str | None
    year: str | None = None
    period: str | None = None
    params: str | None = None
    param_fields: dict[str, str] = attrs.field(factory=dict)
    lang: str = "vi"


@attrs.frozen
class Judgement:
    ruleset: Ruleset
    judged: Judged
    data_name: str
    size: int  # bytes uploaded


def prepare(ask: Request) -> tuple[str, str, int | None, Any, dict[str, str]]:
    """Checks that need no work (said at once, before judging): the data's
    name and kind, the year, the period, the parameters."""
    if ask.data is None or not (ask.data_name or "").strip():
        raise AntqError(Diagnostic("web-no-data", {}))
    name = uploads.safe_name(ask.data_name)
    kind = uploads.kind_of(name)
    if kind is None:
        raise AntqError(Diagnostic("web-bad-upload", {"name": name}))
    if not (ask.ruleset_text or "").strip() and not (ask.ruleset_key or "").strip():
        raise AntqError(Diagnostic("web-no-ruleset", {}))
    year = forms.year_of(ask.year)
    period = forms.period_of(ask.period)
    params = forms.params_of(ask.params, ask.param_fields)
    return name, kind, year, period, params


def load_ruleset(state: AppState, ask: Request, params: dict[str, str]) -> Ruleset:
    if (ask.ruleset_text or "").strip():
        return state.sandbox.load(ask.ruleset_text or "", params)
    entry = state.catalog.find(ask.ruleset_key or "")
    return state.catalog.load(entry, params)


def judge_job(state: AppState, ask: Request) -> Callable[[threading.Event], Judgement]:
    """The work of judging an upload, to run in a worker (`Workers.run`)."""
    name, kind, year, period, params = prepare(ask)

    def job(cancel: threading.Event) -> Judgement:
        ruleset = load_ruleset(state, ask, params)
        settings = state.settings
        with uploads.workspace() as folder:
            assert ask.data is not None
            path = uploads.save(ask.data, name, folder, settings.max_upload_bytes)
            size = path.stat().st_size
            notices: tuple[Diagnostic, ...] = ()
            if kind == "zip":
                path, notices = uploads.unpack_csv(path, name, settings.unpacked_bytes)
            judged = judge_file(
                ruleset,
                path,
                year=year,
                period=period,
                limits=settings.reader_limits,
                cancel=cancel,
                notices=notices,
                hide=str(folder),
            )
        return Judgement(ruleset, judged, name, size)

    return job


def keep(state: AppState, ask: Request, judgement: Judgement) -> Run:
    """A judgement kept for the pages."""
    key = "" if (ask.ruleset_text or "").strip() else (ask.ruleset_key or "")
    run = Run(
        state.runs.new_id(),
        judgement.ruleset,
        key,
        judgement.judged.results,
        judgement.judged.summary,
        judgement.data_name,
        ask.lang,
        judgement.size,
    )
    state.runs.add(run)
    return run
