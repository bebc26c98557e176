"""The JSON API, described by FastAPI's OpenAPI document (`/api/openapi.json`).

    GET  /api/rulesets                      the rulesets this server offers
    POST /api/evaluate                      judge an upload: antq-result/1 or antq-batch/1,
                                            or the HTML page, the .docx, the .xlsx table
    POST /api/check                         ruleset text → diagnostics
    POST /api/format                        ruleset text → the canonical layout
    GET  /api/template?ruleset=…&format=…   the Excel template (or CSV files in a .zip)

With a token, send `Authorization: Bearer TOKEN`. Errors are
`{"error": {"code", "message", "text", "path", "line", "column", "diagnostics"}}`
in the language asked for (`lang`), with the status of their kind.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from ..errors import AntqError, Diagnostic
from ..readers.template import write_template
from ..result import _json_default
from . import downloads, editor, uploads
from .catalog import describe
from .encoding import SafeJSONResponse, utf8
from .security import CSRF_COOKIE, CSRF_HEADER
from .service import Request as Ask
from .service import judge_job
from .state import state_of

Lang = Literal["vi", "en"]


def guard_api(request: Request) -> None:
    """An API call made with the session cookie (the pages' script) must
    carry the CSRF token too; with a bearer token it is not a browser's."""
    if request.method == "POST" and request.scope.get("state", {}).get("auth") == "cookie":
        state = state_of(request)
        if not state.guard.csrf_ok(
            request.cookies.get(CSRF_COOKIE), request.headers.get(CSRF_HEADER)
        ):
            raise AntqError(Diagnostic("web-csrf", {}))


router = APIRouter(
    prefix="/api",
    tags=["api"],
    dependencies=[Depends(guard_api)],
    default_response_class=SafeJSONResponse,
)

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text}
    for status, text in {
        401: "the token is missing or wrong",
        404: "no such ruleset",
        413: "the upload is over the limit",
        415: "not a data file",
        422: "the ruleset, the data or a field is wrong (see `error`)",
        429: "busy: too many uploads being judged",
    }.items()
}


@router.get("/rulesets", summary="The rulesets this server offers")
def rulesets(request: Request, lang: Lang = "vi") -> dict[str, Any]:
    state = state_of(request)
    request.scope.setdefault("state", {})["lang"] = lang
    out = []
    for entry, ruleset, error in state.catalog.rulesets():
        item: dict[str, Any] = {"ruleset": entry.key, "origin": entry.origin}
        if ruleset is None:
            assert error is not None
            item["error"] = state.sandbox.render(error, lang)
        else:
            about = describe(entry.key, ruleset, lang)
            item.update(
                id=ruleset.id,
                title=ruleset.title,
                title_en=ruleset.title_en,
                version=ruleset.version,
                subject=ruleset.subject,
                period=about.period,
                annual=about.annual,
                criteria=about.criteria_count,
                params=[
                    {"name": p.name, "value": p.literal, "description": p.description}
                    for p in about.params
                ],
            )
        out.append(item)
    return {"rulesets": out}


@router.post(
    "/evaluate",
    summary="Judge an uploaded data file",
    responses={
        **ERRORS,
        200: {
            "description": "`antq-result/1` for one subject, `antq-batch/1` for several; "
            "or the report as HTML, .docx or .xlsx (`format`)",
            "content": {
                "application/json": {},
                "text/html": {},
                downloads.MEDIA["docx"]: {},
                downloads.MEDIA["xlsx"]: {},
            },
        },
    },
)
async def evaluate(
    request: Request,
    data: Annotated[UploadFile, File(description=".xlsx, a .zip of CSV files, .json or .yaml")],
    ruleset: Annotated[
        str | None,
        Form(description="a ruleset of GET /api/rulesets, e.g. `plans/ngoc_dao_2021.antq`"),
    ] = None,
    ruleset_text: Annotated[
        str | None, Form(description="ruleset text (instead of `ruleset`)", max_length=250_000)
    ] = None,
    year: Annotated[str | None, Form(description="the evaluation year (annual rulesets)")] = None,
    period: Annotated[str | None, Form(description="`YYYY-MM-DD..YYYY-MM-DD`")] = None,
    params: Annotated[str | None, Form(description="`NAME=VALUE` lines, or a JSON object")] = None,
    lang: Annotated[Lang, Form()] = "vi",
    format: Annotated[Literal["json", "html", "docx", "xlsx"], Form()] = "json",
) -> Response:
    state = state_of(request)
    request.scope.setdefault("state", {})["lang"] = lang  # (its errors in that language)
    ask = Ask(ruleset, ruleset_text, data.file, data.filename, year, period, params, {}, lang)
    job = judge_job(state, ask)

    def judge_and_draw(cancel: Any) -> downloads.File:
        judgement = job(cancel)
        results = judgement.judged.results
        criteria = [c.id for c in judgement.ruleset.criteria]
        if format == "json" and len(results) > 1:
            document = {
                "schema": "antq-batch/1",
                "results": [r.to_dict(lang=lang) for r in results],
                "summary": judgement.judged.summary.to_dict(),
            }
            text = json.dumps(document, ensure_ascii=False, default=_json_default)
            return downloads.File(utf8(text), "ket-qua.json", downloads.MEDIA["json"])
        stem = downloads.stem_for(results[0] if len(results) == 1 else "tong-hop", "bao-cao")
        return downloads.render(results, format, lang, criteria, stem)

    drawn = await state.workers.run(judge_and_draw, state.settings.eval_timeout)
    headers = {} if format == "json" else {"content-disposition": downloads.disposition(drawn.name)}
    return Response(drawn.data, media_type=drawn.media, headers=headers)


@router.post("/check", summary="Check ruleset text: its problems, with line, column and help")
async def check(
    request: Request,
    ruleset_text: Annotated[str, Form(max_length=250_000)],
    lang: Annotated[Lang, Form()] = "vi",
    ruleset: Annotated[
        str | None,
        Form(description="the catalog's ruleset this text is an edit of (its relative `use`)"),
    ] = None,
) -> dict[str, Any]:
    state = state_of(request)
    request.scope.setdefault("state", {})["lang"] = lang
    base = state.catalog.find(ruleset).path.parent if ruleset else None
    checked = await state.workers.run(
        lambda _cancel: editor.check(state.sandbox, ruleset_text, lang, base),
        state.settings.check_timeout,
    )
    return {
        "ok": checked.ok,
        "ruleset": checked.ruleset_id,
        "criteria": checked.criteria,
        "diagnostics": list(checked.diagnostics),
    }


@router.post("/format", summary="Ruleset text in the canonical layout (as `antq fmt`)")
async def format_text(
    request: Request,
    ruleset_text: Annotated[str, Form(max_length=250_000)],
    lang: Annotated[Lang, Form()] = "vi",
) -> dict[str, Any]:
    state = state_of(request)
    request.scope.setdefault("state", {})["lang"] = lang
    text = await state.workers.run(
        lambda _cancel: editor.format_text(ruleset_text), state.settings.check_timeout
    )
    return {"text": text}


@router.get(
    "/template",
    summary="The data template of a ruleset: an Excel workbook, or CSV files in a .zip",
    responses={
        **ERRORS,
        200: {"content": {downloads.MEDIA["xlsx"]: {}, downloads.MEDIA["zip"]: {}}},
    },
)
def template(
    request: Request,
    ruleset: Annotated[str, Query(description="a ruleset of GET /api/rulesets")],
    format: Literal["xlsx", "csv"] = "xlsx",
) -> Response:
    state = state_of(request)
    entry = state.catalog.find(ruleset)
    loaded = state.catalog.load(entry)
    stem = f"mau-{loaded.id}"
    with uploads.workspace() as folder:
        if format == "xlsx":
            path = folder / f"{stem}.xlsx"
            write_template(loaded.schema, loaded.subject, path, "xlsx")
            file = downloads.File(path.read_bytes(), path.name, downloads.MEDIA["xlsx"])
        else:
            written = write_template(loaded.schema, loaded.subject, folder / stem, "csv")
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
                for path in written:
                    bundle.write(path, path.name)
            file = downloads.File(buffer.getvalue(), f"{stem}-csv.zip", downloads.MEDIA["zip"])
    return Response(
        file.data,
        media_type=file.media,
        headers={"content-disposition": downloads.disposition(file.name)},
    )
