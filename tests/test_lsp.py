"""`antq lsp`: a real client speaking JSON-RPC to the server in a subprocess.

One server serves the whole module (start-up is about half a second); each
test opens its own documents (in its own temporary folder) and closes them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from antq_rules.library import rulesets_dir
from antq_rules.syntax.fmt import format_ruleset

pytest.importorskip("pygls")

from lsp_client import Client

SCHEMA = rulesets_dir() / "common" / "schema.antq"

DOC = """\
ruleset demo.lsp
  title "Thử máy chủ ngôn ngữ"
  subject commune

use "antq:common/schema.antq"

param areas_min = 70% "Tỉ lệ khu dân cư được công nhận"
define safe_areas = areas where recognised_safe

group g1 "Nhóm một"

criterion C1 "Khu dân cư được công nhận"
  source "Điều 5, khoản 3"
  ratio(areas.recognised_safe) >= areas_min

criterion C2 "Có khu dân cư an toàn"
  count(safe_areas) >= 1 and passes(C1)
"""

# (the document with one more criterion being typed: it does not parse)
TYPING = DOC + '\ncriterion C3 "Đang viết"\n  '


@pytest.fixture(scope="module")
def server():
    client = Client()
    try:
        client.initialize()
        yield client
    finally:
        client.shutdown()


@pytest.fixture(scope="module")
def english():
    client = Client()
    try:
        client.initialize({"lang": "en"})
        yield client
    finally:
        client.shutdown()


class Document:
    """A document open in the server, closed at the end of the test."""

    def __init__(self, client: Client, path: Path, text: str | None = None) -> None:
        if text is not None:
            path.write_text(text, encoding="utf-8")
        self.client = client
        self.path = path
        self.text = path.read_text(encoding="utf-8")
        self.uri = client.open(path, self.text)
        self.diagnostics = client.diagnostics(self.uri)

    def position(self, needle: str, delta: int = 0) -> dict[str, int]:
        """The LSP position of `needle` (plus `delta` characters) in the text."""
        return self.at(self.text.index(needle) + delta)

    def at(self, offset: int) -> dict[str, int]:
        line = self.text.count("\n", 0, offset)
        character = offset - (self.text.rfind("\n", 0, offset) + 1)
        return {"line": line, "character": character}

    def end(self) -> dict[str, int]:
        return self.at(len(self.text))

    def change(self, text: str) -> list[dict]:
        self.text = text
        self.client.change(self.uri, text)
        self.diagnostics = self.client.diagnostics(self.uri)
        return self.diagnostics

    def ask(self, method: str, position: dict[str, int], **more: object) -> object:
        params = {"textDocument": {"uri": self.uri}, "position": position, **more}
        return self.client.request(method, params)

    def close(self) -> None:
        self.client.close_document(self.uri)
        self.client.diagnostics(self.uri)  # (cleared on close)


@pytest.fixture
def opened(server, tmp_path):
    documents: list[Document] = []

    def open_(text: str | None = None, name: str = "doc.antq", path: Path | None = None):
        document = Document(server, path or tmp_path / name, text)
        documents.append(document)
        return document

    yield open_
    for document in documents:
        document.close()


def _labels(result) -> dict[str, dict]:
    items = result["items"] if isinstance(result, dict) else result
    return {item["label"]: item for item in items}


def _apply(text: str, edits: list[dict]) -> str:
    """Apply LSP text edits (positions in UTF-16 units; the test texts are in the BMP)."""
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: dict[str, int]) -> int:
        if position["line"] >= len(lines):
            return len(text)
        return min(starts[position["line"]] + position["character"], len(text))

    for edit in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        start, end = offset(edit["range"]["start"]), offset(edit["range"]["end"])
        text = text[:start] + edit["newText"] + text[end:]
    return text


# ------------------------------------------------------------------ tests


def test_initialize_advertises_the_capabilities(tmp_path):
    client = Client()
    try:
        result = client.initialize(locale="en-GB")
        capabilities = result["capabilities"]
        sync = capabilities["textDocumentSync"]
        assert (sync["change"] if isinstance(sync, dict) else sync) == 1  # full text
        assert "." in capabilities["completionProvider"]["triggerCharacters"]
        for name in (
            "hoverProvider",
            "definitionProvider",
            "documentSymbolProvider",
            "documentFormattingProvider",
        ):
            assert capabilities[name]
        assert "quickfix" in capabilities["codeActionProvider"]["codeActionKinds"]
        assert result["serverInfo"]["name"] == "antq"
        # An English locale gives English messages.
        document = Document(client, tmp_path / "doc.antq", DOC.replace("areas_min\n", "area_min\n"))
        (diagnostic,) = document.diagnostics
        assert diagnostic["message"] == "unknown name `area_min` — did you mean `areas_min`?"
    finally:
        client.shutdown()
    assert client.process.returncode == 0


def test_diagnostics_on_open_and_cleared_when_fixed(opened):
    document = opened(DOC.replace("areas.recognised_safe", "areas.recognized_safe"))
    (diagnostic,) = document.diagnostics
    start = document.position("recognized_safe")
    assert diagnostic["range"] == {
        "start": start,
        "end": {"line": start["line"], "character": start["character"] + len("recognized_safe")},
    }
    assert diagnostic["code"] == "unknown-field"
    assert diagnostic["source"] == "antq"
    assert diagnostic["severity"] == 1
    # Vietnamese by default, with the help's suggestion appended.
    assert diagnostic["message"] == (
        "`area` không có trường `recognized_safe` — có phải ý bạn là `recognised_safe`?"
    )
    assert document.change(DOC) == []


def test_a_parse_error_is_a_diagnostic(opened):
    document = opened(DOC.replace(">= areas_min", ">= 0,7"))
    (diagnostic,) = document.diagnostics
    assert diagnostic["code"] == "decimal-comma"
    start = document.position("0,7")
    assert diagnostic["range"]["start"] == start
    assert diagnostic["range"]["end"]["character"] == start["character"] + 3
    assert "`0.7`" in diagnostic["message"]

    (diagnostic,) = document.change(DOC + 'criterion C3 "x"\n  count(areas) >=\n')
    assert diagnostic["code"] == "unexpected-end"
    assert diagnostic["range"]["start"]["line"] == DOC.count("\n") + 1


def test_a_problem_in_a_used_file_is_shown_on_the_use_line(opened, tmp_path):
    (tmp_path / "lib.antq").write_text(
        "entity commune\n  areas: list[aera]\n\nentity area\n  safe: bool\n", encoding="utf-8"
    )
    document = opened('ruleset r\n  title "t"\n  subject commune\n\nuse "lib.antq"\n')
    (diagnostic,) = document.diagnostics
    assert diagnostic["code"] == "unknown-type"
    assert diagnostic["range"]["start"] == document.position('"lib.antq"')
    assert "lib.antq" in diagnostic["message"] and "`area`" in diagnostic["message"]
    (related,) = diagnostic["relatedInformation"]
    assert related["location"]["uri"] == (tmp_path / "lib.antq").resolve().as_uri()
    assert related["location"]["range"]["start"] == {"line": 1, "character": 14}


def test_a_library_is_checked_like_antq_check(opened):
    document = opened('enum kind ["a", "b"]\n\nentity x\n  k: kind\n  y: nothing_here\n')
    (diagnostic,) = document.diagnostics
    assert diagnostic["code"] == "unknown-type"
    assert document.change('enum kind ["a", "b"]\n\nentity x\n  k: kind\n') == []


def test_completion_after_a_dot(opened):
    document = opened(TYPING + "ratio(areas.")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["recognised_safe"]["detail"] == "bool"
    assert "Được công nhận" in items["recognised_safe"]["documentation"]["value"]
    assert items["incidents"]["detail"] == "list[incident]"
    assert "areas_min" not in items

    document.change(TYPING + "ratio(areas.incidents.")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["kind"]["detail"] == "event_kind"

    document.change(TYPING + "party_resolution.")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert set(items) == {"number", "issued", "date", "dedicated"}

    # the one item of `single(…)`: the fields of the list's items
    document.change(TYPING + 'single(areas where name == "Xóm 1").')
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["recognised_safe"]["detail"] == "bool"
    document.change(TYPING + "single(incidents + areas.incidents).ki")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["kind"]["detail"] == "event_kind"
    document.change(TYPING + "count((incidents + areas.incidents).")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["kind"]["detail"] == "event_kind"


def test_completion_of_names_in_scope(opened):
    document = opened(TYPING + "count(areas where le")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["legal_propaganda"]["detail"] == "bool"  # the item's fields …
    assert "party_resolution" in items  # … the subject's …
    assert items["areas_min"]["detail"] == "decimal"  # … parameters, definitions
    assert items["safe_areas"]["detail"] == "list[area]"
    assert "period" in items
    assert "it" not in items or items["it"]["sortText"] > items["legal_propaganda"]["sortText"]
    edit = items["legal_propaganda"]["textEdit"]
    assert edit["range"]["start"] == document.at(len(TYPING + "count(areas where "))

    document.change(TYPING + "count(areas.recognised_safe where ")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["it"]["detail"] == "bool"  # an aggregate over plain values


def test_completion_of_enum_values(opened):
    document = opened(TYPING + "kind == ")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert list(items) == ['"xã"', '"phường"', '"thị trấn"', '"đặc khu"']
    assert items['"thị trấn"']["detail"] == "Thị trấn"  # the value's label

    document.change(TYPING + 'kind in ["xã", "ph')
    items = _labels(document.ask("textDocument/completion", document.end()))
    edit = items['"phường"']["textEdit"]
    assert edit["newText"] == '"phường"'
    assert edit["range"]["start"] == document.position('"ph')


def test_completion_of_functions_and_keywords(opened):
    document = opened(TYPING + "co")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert items["count"]["textEdit"]["newText"] == "count($1)"
    assert items["count"]["insertTextFormat"] == 2  # a snippet
    assert "ratio(list where condition, test)" in items["ratio"]["detail"]
    assert "source" in items  # an option of the criterion

    document.change(DOC + "\ncri")
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert {"criterion", "param", "define", "group", "replace criterion", "level"} <= set(items)
    assert items["criterion"]["kind"] == 14  # keyword


def test_completion_inside_passes(opened):
    text = DOC.replace(
        'use "antq:common/schema.antq"', 'use "antq:common/schema.antq"\nuse "antq:tt124/kdc.antq"'
    )
    document = opened(text + '\ncriterion C3 "x"\n  ratio(areas where passes(')
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert {"C1", "C2", "tt124.kdc"} <= set(items)
    assert items["C1"]["documentation"]["value"] == "Khu dân cư được công nhận"

    document.change(text + '\ncriterion C3 "x"\n  ratio(areas where passes(tt124.')
    items = _labels(document.ask("textDocument/completion", document.end()))
    assert list(items) == ["kdc"]


def test_hover(opened):
    document = opened(DOC)
    hover = document.ask("textDocument/hover", document.position("recognised_safe) >="))
    value = hover["contents"]["value"]
    assert "recognised_safe: bool" in value and "`area`" in value and "Được công nhận" in value
    assert hover["range"]["start"] == document.position("recognised_safe) >=")

    value = document.ask("textDocument/hover", document.position("areas_min\n", 2))
    value = value["contents"]["value"]
    assert "`70%`" in value and "Tỉ lệ khu dân cư được công nhận" in value

    value = document.ask("textDocument/hover", document.position("C1)"))["contents"]["value"]
    assert "Khu dân cư được công nhận" in value and "Điều 5, khoản 3" in value

    value = document.ask("textDocument/hover", document.position("ratio("))["contents"]["value"]
    assert "ratio(list where condition, test)" in value

    value = document.ask("textDocument/hover", document.position("safe_areas) >="))
    assert "areas where recognised_safe" in value["contents"]["value"]
    assert "list[area]" in value["contents"]["value"]


def test_definition(opened):
    document = opened(DOC)

    def where(needle: str, delta: int = 1) -> list[dict]:
        found = document.ask("textDocument/definition", document.position(needle, delta))
        return found if isinstance(found, list) else [found]

    (param,) = where("areas_min\n")
    assert param["uri"] == document.uri
    assert param["range"]["start"] == document.position("areas_min =")

    (define,) = where("safe_areas) >=")
    assert define["range"]["start"] == document.position("safe_areas =")

    (field,) = where("recognised_safe) >=")
    assert field["uri"] == SCHEMA.resolve().as_uri()
    schema_lines = SCHEMA.read_text(encoding="utf-8").split("\n")
    line = field["range"]["start"]["line"]
    assert schema_lines[line].strip().startswith("recognised_safe: bool")
    assert field["range"]["start"]["character"] == 2

    (used,) = where('"antq:common/schema.antq"')
    assert used["uri"] == SCHEMA.resolve().as_uri()
    assert used["range"]["start"] == {"line": 0, "character": 0}

    (criterion,) = where("C1)")
    assert criterion["range"]["start"] == document.position("C1 ")


def test_document_symbols_of_a_shipped_ruleset(server):
    path = rulesets_dir() / "plans" / "ngoc_dao_2021.antq"
    document = Document(server, path)
    try:
        assert document.diagnostics == []
        symbols = document.client.request(
            "textDocument/documentSymbol", {"textDocument": {"uri": document.uri}}
        )
        by_name = {s["name"]: s for s in symbols}
        assert by_name["ngoc_dao_2021"]["kind"] == 2  # module: the header
        group = by_name["dien_hinh"]
        assert group["detail"].startswith("Tiêu chí xã điển hình")
        children = [c["name"] for c in group["children"]]
        assert children == ["TC1", "TC2", "TC3", "TC4", "TC5", "TC6", "TC7"]
        assert group["children"][2]["detail"].startswith("Trên 95% xóm")
        assert by_name["hamlets_safe_min"]["kind"] == 14  # constant
        assert by_name["public_units"]["kind"] == 13  # variable
    finally:
        document.close()


def test_document_symbols_of_entities_and_enums(opened):
    document = opened('enum kind ["a", "b"]\n\nentity x "X"\n  k: kind "Loại"\n  n: int\n')
    symbols = document.client.request(
        "textDocument/documentSymbol", {"textDocument": {"uri": document.uri}}
    )
    by_name = {s["name"]: s for s in symbols}
    assert [c["name"] for c in by_name["kind"]["children"]] == ["a", "b"]
    assert [c["name"] for c in by_name["x"]["children"]] == ["k", "n"]
    assert by_name["x"]["children"][0]["detail"] == "kind “Loại”"


def test_formatting(opened):
    messy = (
        'ruleset   demo.fmt\n title "T"\n    subject commune\nuse "antq:common/schema.antq"\n'
        'criterion C1 "x" ratio( areas.recognised_safe )>=70%   # ngưỡng\n'
    )
    document = opened(messy)
    edits = document.client.request(
        "textDocument/formatting",
        {"textDocument": {"uri": document.uri}, "options": {"tabSize": 2, "insertSpaces": True}},
    )
    assert edits
    assert _apply(messy, edits) == format_ruleset(messy)

    document.change(messy + "criterion (")
    edits = document.client.request(
        "textDocument/formatting",
        {"textDocument": {"uri": document.uri}, "options": {"tabSize": 2, "insertSpaces": True}},
    )
    assert not edits  # a parse error: nothing to do


def test_quick_fix_for_a_misspelt_name(opened):
    text = DOC.replace("areas where recognised_safe", "areas where recognized_safe")
    document = opened(text)
    (diagnostic,) = document.diagnostics
    assert diagnostic["code"] == "unknown-name"
    actions = document.client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": document.uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        },
    )
    (action,) = actions
    assert action["kind"] == "quickfix"
    assert "`recognised_safe`" in action["title"]
    edits = action["edit"]["changes"][document.uri]
    fixed = _apply(text, edits)
    assert fixed == DOC
    assert document.change(fixed) == []


def test_quick_fix_for_a_decimal_comma(opened):
    text = DOC.replace(">= areas_min", ">= 0,7")
    document = opened(text)
    (diagnostic,) = document.diagnostics
    actions = document.client.request(
        "textDocument/codeAction",
        {
            "textDocument": {"uri": document.uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]},
        },
    )
    fixes = [_apply(text, a["edit"]["changes"][document.uri]) for a in actions]
    assert fixes == [DOC.replace(">= areas_min", ">= 0.7"), DOC.replace(">= areas_min", ">= 70%")]


def test_english_messages(english, tmp_path):
    document = Document(
        english, tmp_path / "en.antq", DOC.replace("areas.recognised_safe", "areas.recognized_safe")
    )
    try:
        (diagnostic,) = document.diagnostics
        assert diagnostic["message"] == (
            "`area` has no field `recognized_safe` — did you mean `recognised_safe`?"
        )
        hover = document.ask("textDocument/hover", document.position("ratio("))
        assert "the share of items that meet the test" in hover["contents"]["value"]
    finally:
        document.close()


def test_hover_and_definition_while_a_declaration_is_broken(opened):
    document = opened(TYPING + "ratio(areas.")
    assert document.diagnostics[0]["code"] == "unexpected-end"
    hover = document.ask("textDocument/hover", document.position("areas_min\n", 1))
    assert "`70%`" in hover["contents"]["value"]
    (define,) = document.ask("textDocument/definition", document.position("safe_areas) >=", 1))
    assert define["range"]["start"] == document.position("safe_areas =")


def test_positions_count_utf16_units_and_lines_end_with_crlf(opened):
    # (an emoji is two UTF-16 units; the editor's text keeps its CRLF line breaks)
    text = DOC.replace(">= areas_min", '>= areas_min and "😀" != naem').replace("\n", "\r\n")
    document = opened(text)
    (diagnostic,) = document.diagnostics
    line = text.split("\r\n")[diagnostic["range"]["start"]["line"]]
    units = line.encode("utf-16-le")
    start, end = diagnostic["range"]["start"]["character"], diagnostic["range"]["end"]["character"]
    assert units[2 * start : 2 * end].decode("utf-16-le") == "naem"


def test_a_used_file_open_in_the_editor_is_read_from_the_editor(opened, tmp_path):
    library = opened("entity commune\n  safe: bool\n", name="lib.antq")
    assert library.diagnostics == []
    document = opened(
        'ruleset r\n  title "t"\n  subject commune\nuse "lib.antq"\ncriterion C "c"\n  safe\n'
    )
    assert document.diagnostics == []
    library.client.change(library.uri, "entity commune\n  sure: bool\n")
    assert library.client.diagnostics(library.uri) == []
    (diagnostic,) = document.client.diagnostics(document.uri)  # analysed again
    assert diagnostic["code"] == "unknown-name"
    assert "`safe`" in diagnostic["message"]


@pytest.mark.parametrize(
    "params",
    [
        {"foo": 1},
        None,
        {"textDocument": {"uri": "file:///x.antq"}, "position": {"line": -1, "character": 0}},
    ],
)
def test_a_request_whose_parameters_do_not_fit_is_answered_with_an_error(server, opened, params):
    """(pygls alone drops such a request: the editor would wait for ever)"""
    from lsp_client import LspError

    with pytest.raises(LspError, match="-32602"):
        server.request("textDocument/hover", params, timeout=10)
    document = opened(DOC)  # the server goes on answering
    assert document.ask("textDocument/hover", document.position("areas_min"))
