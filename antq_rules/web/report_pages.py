"""A judged upload's pages: one subject's report (the library's HTML report),
the province dashboard, and the downloads (.docx, HTML, JSON, .xlsx).

Results live in memory (`jobs.RunStore`) under an unguessable id.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..errors import AntqError, Diagnostic
from ..report import html, view
from ..report.docx import Letterhead
from ..source import normalize_text
from . import dashboard, downloads
from .chart import svg
from .i18n import lang_of, t
from .jobs import Run
from .responses import page
from .state import state_of

router = APIRouter(include_in_schema=False)

# (the .docx letterhead's fields, and the words of their labels)
LETTERHEAD_FIELDS = (
    ("parent_body", "parent body"),
    ("issuer", "issuer"),
    ("number", "doc number"),
    ("place", "place"),
    ("signer_title", "signer title"),
    ("signer_name", "signer name"),
)


@router.get("/runs/{run_id}")
async def run_page(request: Request, run_id: str) -> Response:
    run = state_of(request).runs.get(run_id)
    if run.batch:
        return _dashboard(request, run)
    return await _report(request, run, 0)


@router.get("/runs/{run_id}/subjects/{index}")
async def subject_page(request: Request, run_id: str, index: int) -> Response:
    run = state_of(request).runs.get(run_id)
    return await _report(request, run, index)


def _result(run: Run, index: int) -> Any:
    if not 0 <= index < len(run.results):
        raise AntqError(Diagnostic("web-no-subject", {"index": index}))
    return run.results[index]


async def _report(request: Request, run: Run, index: int) -> Response:
    state = state_of(request)
    lang = lang_of(request)
    result = _result(run, index)

    def draw(_cancel: Any) -> str:
        return "\n".join(html.body(view.build(result, lang)))

    body = await state.workers.run(draw, state.settings.eval_timeout)
    context = {
        "run": run,
        "index": index,
        "result": result,
        "body": body,
        "subject": result.subject or "—",
        "verdict": None if result.error is not None else result.verdict.name,
        "letterhead_fields": LETTERHEAD_FIELDS,
    }
    return page(request, "report.html", context)


def _letterhead(request: Request) -> Letterhead:
    given = {}
    for name, _ in LETTERHEAD_FIELDS:
        value = normalize_text(request.query_params.get(name, "").strip())[:200]
        given[name] = value or None
    return Letterhead(**given)


@router.get("/runs/{run_id}/subjects/{index}/report.{fmt}")
async def subject_download(request: Request, run_id: str, index: int, fmt: str) -> Response:
    run = state_of(request).runs.get(run_id)
    result = _result(run, index)
    if fmt not in ("docx", "html", "json"):
        raise AntqError(Diagnostic("bad-format", {"name": fmt[:20], "known": "docx, html, json"}))
    stem = downloads.stem_for(result, "bao-cao")
    return await _download(request, run, [result], fmt, stem)


@router.get("/runs/{run_id}/results.{fmt}")
async def run_download(request: Request, run_id: str, fmt: str) -> Response:
    run = state_of(request).runs.get(run_id)
    if fmt not in downloads.FORMATS:
        known = ", ".join(downloads.FORMATS)
        raise AntqError(Diagnostic("bad-format", {"name": fmt[:20], "known": known}))
    stem = downloads.stem_for(run.ruleset.id, "ket-qua")
    return await _download(request, run, list(run.results), fmt, stem)


async def _download(
    request: Request, run: Run, results: list[Any], fmt: str, stem: str
) -> Response:
    state = state_of(request)
    lang = lang_of(request)
    letterhead = _letterhead(request)
    file = await state.workers.run(
        lambda _cancel: downloads.render(results, fmt, lang, run.criteria, stem, letterhead),
        state.settings.eval_timeout,
    )
    headers = {"content-disposition": downloads.disposition(file.name)}
    return Response(file.data, media_type=file.media, headers=headers)


def _dashboard(request: Request, run: Run) -> Response:
    lang = lang_of(request)
    query = dashboard.Query.read(request.query_params, run.criteria)
    found = dashboard.rows(run, lang)
    chosen = dashboard.select(found, query)
    shown, pages = dashboard.page_of(chosen, query)
    rates = dashboard.rates(run, lang)
    context = {
        "run": run,
        "query": query,
        "rows": shown,
        "matched": len(chosen),
        "pages": pages,
        "total": len(found),
        "summary": run.summary,
        "verdicts": dashboard.VERDICTS,
        "criteria": [(r.id, r.title) for r in rates],
        "chart": svg(rates, lang, query, t("chart title", lang)),
        "sorts": dashboard.SORTS,
    }
    return page(request, "dashboard.html", context)


@router.get("/runs/{run_id}/dashboard")
def dashboard_page(request: Request, run_id: str) -> Response:
    return _dashboard(request, state_of(request).runs.get(run_id))
