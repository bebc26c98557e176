"""The pygls wiring: documents in, diagnostics and answers out.

Every document is analysed when it opens and on every change (full-text
sync), and its diagnostics published. Requests (completion, hover,
definition, symbols, formatting, quick fixes) read the latest analysis; a
document that no longer parses keeps the symbols of its last analysis that
got that far, so completion goes on working while the author types. When a
document changes, the open documents that read it are analysed again.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path, uri_scheme

from .. import __version__
from ..errors import AntqError
from ..source import Span
from ..syntax.fmt import format_ruleset
from .actions import quick_fixes
from .completion import complete
from .definition import definitions
from .diagnostics import to_lsp
from .documents import Analysis, Problem, Symbols, analyse
from .hover import hover_text
from .outline import outline
from .positions import TextMap
from .resolve import find_target

log = logging.getLogger(__name__)

TRIGGER_CHARACTERS = [".", '"', "(", "["]


@dataclass
class _State:
    analysis: Analysis
    symbols: Symbols | None  # this analysis's, or the last one's that had some
    text_map: TextMap
    diagnostics: list[tuple[lsp.Diagnostic, Problem]]


@dataclass(frozen=True)
class _Refused:
    """A request whose parameters could not be read: answered with its error."""

    id: Any
    error: JsonRpcException


class _Protocol(LanguageServerProtocol):
    """pygls drops a request whose parameters do not fit their type, and its
    client waits for ever; here it is answered with the JSON-RPC error."""

    def structure_message(self, data: dict[str, Any]) -> Any:
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            if "method" in data and isinstance(data.get("id"), (int, str)):
                return _Refused(data["id"], error)
            raise

    def handle_message(self, message: Any) -> None:
        if isinstance(message, _Refused):
            self._send_response(message.id, error=message.error.to_response_error())
            return
        super().handle_message(message)


class AntqServer(LanguageServer):
    def __init__(self, allow: Iterable[Path | str] = ()) -> None:
        super().__init__(
            "antq",
            __version__,
            text_document_sync_kind=lsp.TextDocumentSyncKind.Full,
            protocol_cls=_Protocol,
        )
        self.allow = [Path(folder) for folder in allow]
        self.lang = "vi"
        self.snippets = True
        self.states: dict[str, _State] = {}

    # ---- configuration

    def configure(self, params: lsp.InitializeParams) -> None:
        options = params.initialization_options
        lang = options.get("lang") if isinstance(options, dict) else None
        if lang in ("en", "vi"):
            self.lang = lang
        elif (params.locale or "").lower().startswith("en"):
            self.lang = "en"
        completion = (
            params.capabilities.text_document and params.capabilities.text_document.completion
        )
        item = completion.completion_item if completion else None
        self.snippets = bool(item and item.snippet_support)

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16

    # ---- analysis

    def refresh(self, uri: str, dependents: bool = True) -> None:
        document = self.workspace.get_text_document(uri)
        raw = document.source
        path = _path_of(uri)
        overlay = {
            state.analysis.origin: self.workspace.get_text_document(other).source
            for other, state in self.states.items()
            if other != uri and state.analysis.origin != "<ruleset>"
        }
        try:
            analysis = analyse(raw, path, self.allow, overlay)
        except Exception:  # (a bug must not take the editor's server down)
            log.exception("analysing %s", uri)
            return
        previous = self.states.get(uri)
        symbols = analysis.symbols
        if previous is not None and previous.symbols is not None:
            if symbols is None:
                symbols = previous.symbols
            elif symbols.schema is None:
                symbols.schema = previous.symbols.schema
        text_map = TextMap(raw, self.encoding)
        state = _State(analysis, symbols, text_map, [])
        self.states[uri] = state
        state.diagnostics = to_lsp(analysis, text_map, self.lang, self.location)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[d for d, _ in state.diagnostics],
                version=document.version,
            )
        )
        if dependents:
            self.refresh_readers(analysis.origin, uri)

    def refresh_readers(self, origin: str, uri: str) -> None:
        """Analyse again the other open documents that read `origin`."""
        for other, state in list(self.states.items()):
            if other != uri and origin in state.analysis.reached:
                self.refresh(other, dependents=False)

    def state(self, uri: str) -> _State | None:
        if uri not in self.states:
            try:
                self.refresh(uri)
            except Exception:  # (not an open document)
                return None
        return self.states.get(uri)

    def location(self, origin: str, span: Span | None) -> lsp.Location | None:
        """Where a span of any file is, for the editor."""
        uri = next((u for u, s in self.states.items() if s.analysis.origin == origin), None)
        state = self.states.get(uri) if uri is not None else None
        if uri is None:
            if origin.startswith("<"):
                return None
            uri = from_fs_path(origin)
        if span is None:
            start = lsp.Position(line=0, character=0)
            return lsp.Location(uri=uri, range=lsp.Range(start=start, end=start))
        text_map = state.text_map if state is not None else TextMap(span.source.text, self.encoding)
        return lsp.Location(uri=uri, range=text_map.range(span.start, span.end))


def _guarded(default: Any) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """A request handler that logs its own failure and answers `default`: a
    bug in one answer must not take the author's editor session down."""

    def wrap(handler: Callable[[Any], Any]) -> Callable[[Any], Any]:
        @functools.wraps(handler)
        def run(params: Any) -> Any:
            try:
                return handler(params)
            except Exception:
                log.exception("%s failed", handler.__name__)
                return default

        return run

    return wrap


def _path_of(uri: str) -> Path | None:
    if uri_scheme(uri) != "file":
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def build_server(allow: Iterable[Path | str] = ()) -> AntqServer:
    server = AntqServer(allow)

    @server.feature(lsp.INITIALIZE)
    def initialize(params: lsp.InitializeParams) -> None:
        server.configure(params)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: lsp.DidOpenTextDocumentParams) -> None:
        server.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: lsp.DidChangeTextDocumentParams) -> None:
        server.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: lsp.DidSaveTextDocumentParams) -> None:
        server.refresh(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        state = server.states.pop(uri, None)
        server.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        )
        if state is not None:  # (the others now read it from disk)
            server.refresh_readers(state.analysis.origin, uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS),
    )
    @_guarded(lsp.CompletionList(is_incomplete=False, items=[]))
    def completion(params: lsp.CompletionParams) -> lsp.CompletionList:
        state = server.state(params.text_document.uri)
        items: list[lsp.CompletionItem] = []
        if state is not None:
            offset = state.text_map.offset(params.position)
            items = complete(
                state.analysis,
                state.symbols,
                state.analysis.text,
                offset,
                state.text_map,
                server.lang,
                server.snippets,
            )
        return lsp.CompletionList(is_incomplete=False, items=items)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    @_guarded(None)
    def hover(params: lsp.HoverParams) -> lsp.Hover | None:
        state = server.state(params.text_document.uri)
        if state is None:
            return None
        offset = state.text_map.offset(params.position)
        target = find_target(state.analysis, state.symbols, offset)
        if target is None:
            return None
        text = hover_text(state.analysis, state.symbols, target, server.lang)
        if not text:
            return None
        span = target.span
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
            range=None if span is None else state.text_map.range(span.start, span.end),
        )

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    @_guarded(None)
    def definition(params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        state = server.state(params.text_document.uri)
        if state is None:
            return None
        offset = state.text_map.offset(params.position)
        target = find_target(state.analysis, state.symbols, offset)
        if target is None:
            return None
        found = [
            server.location(o, s) for o, s in definitions(state.analysis, state.symbols, target)
        ]
        return [f for f in found if f is not None] or None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @_guarded([])
    def document_symbol(params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        state = server.state(params.text_document.uri)
        if state is None or state.analysis.file is None:
            return []
        return outline(state.analysis.file, state.analysis.text, state.text_map)

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    @_guarded([])
    def formatting(params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
        uri = params.text_document.uri
        raw = server.workspace.get_text_document(uri).source
        path = _path_of(uri)
        try:
            formatted = format_ruleset(raw, str(path) if path else "<ruleset>")
        except AntqError:
            return []  # (a text that does not parse is left as it is)
        if formatted == raw:
            return []
        return [lsp.TextEdit(range=TextMap(raw, server.encoding).whole(), new_text=formatted)]

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    @_guarded([])
    def code_action(params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        only = params.context.only
        if only and not any(getattr(k, "value", k) in ("", "quickfix") for k in only):
            return []
        uri = params.text_document.uri
        state = server.state(uri)
        if state is None:
            return []
        return quick_fixes(uri, state.diagnostics, params.range, server.lang)

    return server


def serve(allow: Iterable[Any] = ()) -> None:
    """Speak LSP on stdin and stdout until the client says `exit`."""
    build_server(allow).start_io()
