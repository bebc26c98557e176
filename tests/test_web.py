"""`antq serve` without a browser: the JSON API (every endpoint), the pages'
forms, the official .docx, and what keeps a commune's records on the server
(token, CSRF, limits, the sandbox for ruleset text, headers). Hostile
uploads get a 4xx with a message, never a 500. The browser's side is
tests/test_web_browser.py."""

from __future__ import annotations

import datetime
import io
import json
import subprocess
import sys
import textwrap
import zipfile

import pytest

pytest.importorskip("fastapi", reason="the `web` extra (FastAPI) is not installed")
pytest.importorskip("docx", reason="the `web` extra (python-docx) is not installed")
pytest.importorskip("multipart", reason="the `web` extra (python-multipart) is not installed")
pytest.importorskip("jinja2", reason="the `web` extra (Jinja2) is not installed")

import docx
import openpyxl
from web_support import NGOC_DAO, TC3, XA, client, csrf_of, province

import antq_rules
from antq_rules import AntqError
from antq_rules.report.docx import Letterhead
from antq_rules.report.docx import render as render_docx
from antq_rules.web import Settings, create_app
from antq_rules.web.settings import from_options

pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx`", "ignore::DeprecationWarning")

TOKEN = "to-ngoc-dao-2021"


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture()
def web(app):
    return client(app)


def evaluate(web, path=TC3, name=None, **fields):
    fields.setdefault("ruleset", NGOC_DAO)
    with open(path, "rb") as handle:
        return web.post("/api/evaluate", data=fields, files={"data": (name or path.name, handle)})


def upload_page(web, path=TC3, name=None, **fields):
    """The home page's form, as a browser sends it; the answer (not followed)."""
    fields.setdefault("ruleset", NGOC_DAO)
    fields.setdefault("csrf", csrf_of(web.get("/").text))
    with open(path, "rb") as handle:
        return web.post(
            "/evaluate",
            data=fields,
            files={"data": (name or path.name, handle)},
            follow_redirects=False,
        )


# ------------------------------------------------------------------- API


def test_rulesets_lists_the_shipped_library_with_parameters(web):
    answer = web.get("/api/rulesets", params={"lang": "en"})
    assert answer.status_code == 200
    found = {r["ruleset"]: r for r in answer.json()["rulesets"]}
    assert "common/schema.antq" not in found  # (a schema library judges nothing)
    plan = found[NGOC_DAO]
    assert plan["id"] == "ngoc_dao_2021" and plan["criteria"] == 15 and plan["subject"] == "commune"
    params = {p["name"]: p for p in plan["params"]}
    assert params["hamlets_safe_min"]["value"] == "95%"
    assert "xóm" in params["hamlets_safe_min"]["description"]
    assert found[XA]["annual"] is True


def test_evaluate_gives_the_result_document_naming_tc3_and_xom_7(web):
    answer = evaluate(web, lang="en")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["schema"] == "antq-result/1" and result["verdict"] == "FAIL"
    tc3 = next(c for c in result["criteria"] if c["id"] == "TC3")
    assert tc3["status"] == "FAIL"
    witnesses = tc3["explanation"]["witnesses"][0]["items"]
    assert [w["label"] for w in witnesses] == ["Xóm 7"]


def test_evaluate_a_batch_gives_the_batch_document(web, tmp_path):
    answer = evaluate(web, province(tmp_path / "tỉnh.json", 6), ruleset=XA, year="2021")
    assert answer.status_code == 200, answer.text
    batch = answer.json()
    assert batch["schema"] == "antq-batch/1" and len(batch["results"]) == 6
    assert batch["summary"]["total"] == 6


@pytest.mark.parametrize("fmt", ["html", "docx", "xlsx"])
def test_evaluate_other_formats_are_attachments(web, fmt):
    answer = evaluate(web, format=fmt)
    assert answer.status_code == 200, answer.text
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    # (RFC 5987: the Vietnamese name survives, with an ASCII one for old clients)
    assert "filename*=UTF-8''bao-cao-Ng%E1%BB%8Dc%20%C4%90%C3%A0o." + fmt in disposition
    assert 'filename="bao-cao-Ngoc Dao.' + fmt + '"' in disposition
    if fmt == "html":
        assert "KHÔNG ĐẠT" in answer.text and "Xóm 7" in answer.text
    elif fmt == "docx":
        document = docx.Document(io.BytesIO(answer.content))
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].rows[0].cells[1].text
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(answer.content)).active
        assert sheet["B2"].value == "Ngọc Đào" and sheet["C2"].value == "KHÔNG ĐẠT"


def test_evaluate_with_parameters_and_errors_in_english(web):
    relaxed = evaluate(web, params="hamlets_safe_min=90%")
    assert relaxed.json()["verdict"] == "PASS"
    as_json = evaluate(web, params='{"hamlets_safe_min": "90%"}')
    assert as_json.json()["verdict"] == "PASS"
    wrong = evaluate(web, params="hamlets_safe_min=90", lang="en")
    assert wrong.status_code == 422
    error = wrong.json()["error"]
    assert error["code"] and "90%" in error["text"]  # (the suggestion of a share)
    bad = evaluate(web, params="no equals sign", lang="en")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "web-params-line"
    year = evaluate(web, ruleset=XA, lang="en")  # an annual ruleset and no year
    assert year.status_code == 422 and year.json()["error"]["code"] == "needs-year"
    assert evaluate(web, ruleset=XA, year="1800").json()["error"]["code"] == "bad-year"


def test_ruleset_text_may_use_the_shipped_library_only(web, tmp_path):
    text = (
        'use "antq:common/schema.antq"\n\nruleset web.test\n  title "Thử"\n  subject commune\n\n'
        'criterion A "Có mô hình"\n  count(models) >= 1\n'
    )
    answer = evaluate(web, ruleset=None, ruleset_text=text)
    assert answer.status_code == 200 and answer.json()["criteria"][0]["id"] == "A"
    secret = tmp_path / "secret.antq"
    secret.write_text('ruleset s\n  title "BÍ MẬT-42"\n  subject commune\n', encoding="utf-8")
    for target in (
        str(secret),
        "../../pyproject.toml",
        "/etc/passwd",
        "../../tests/rulesets/xa.antq",
    ):
        sneaky = f'use "{target}"\n' + text.split("\n", 1)[1]
        answer = evaluate(web, ruleset=None, ruleset_text=sneaky, lang="en")
        assert answer.status_code == 422, target
        error = answer.json()["error"]
        assert error["code"] == "outside-roots"
        assert "BÍ MẬT" not in answer.text and "root:" not in answer.text
        assert "--allow" not in answer.text  # (no way in from a browser)
        assert "/work" not in error["message"] and "antq:" in error["message"]


def test_check_gives_line_column_and_the_suggestion(web):
    text = (
        'use "antq:common/schema.antq"\n\nruleset web.check\n  title "Thử"\n  subject commune\n\n'
        'criterion A "Khu an toàn"\n  all(areas.recognized_safe)\n'
    )
    answer = web.post("/api/check", data={"ruleset_text": text, "lang": "en"})
    assert answer.status_code == 200
    checked = answer.json()
    assert checked["ok"] is False
    (problem,) = checked["diagnostics"]
    assert (problem["line"], problem["column"]) == (8, 13)
    assert problem["help"] == ["did you mean `recognised_safe`?"]
    good = web.post("/api/check", data={"ruleset_text": text.replace("recognized", "recognised")})
    assert good.json() == {"ok": True, "ruleset": "web.check", "criteria": 1, "diagnostics": []}


def test_check_an_edit_of_a_catalog_ruleset_resolves_its_relative_use(web):
    text = (antq_rules.shipped(NGOC_DAO)).read_text(encoding="utf-8")
    alone = web.post("/api/check", data={"ruleset_text": text}).json()
    assert not alone["ok"]  # `extends "../tt124/xa.antq"` from the library's root is outside
    beside = web.post("/api/check", data={"ruleset_text": text, "ruleset": NGOC_DAO}).json()
    assert beside["ok"], beside


def test_format_gives_the_canonical_layout(web):
    text = 'use "antq:common/schema.antq"\nruleset f\n  title "F"\n  subject commune\ncriterion A "a"\n    count(models)>=1\n'
    answer = web.post("/api/format", data={"ruleset_text": text})
    assert answer.status_code == 200 and "count(models) >= 1" in answer.json()["text"]
    broken = web.post("/api/format", data={"ruleset_text": "ruleset (", "lang": "en"})
    assert broken.status_code == 422 and broken.json()["error"]["line"] == 1


def test_template_downloads_and_the_filled_workbook_round_trip(web):
    answer = web.get("/api/template", params={"ruleset": NGOC_DAO, "format": "xlsx"})
    assert answer.status_code == 200
    assert "mau-ngoc_dao_2021.xlsx" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    sheet = book["commune"]
    headers = [cell.value for cell in sheet[1]]
    row = [None] * len(headers)
    row[headers.index(next(h for h in headers if h == "id" or h.endswith("(id)")))] = "ND"
    row[headers.index(next(h for h in headers if h.endswith("(name)")))] = "Ngọc Đào"
    sheet.append(row)
    filled = io.BytesIO()
    book.save(filled)
    judged = web.post(
        "/api/evaluate",
        data={"ruleset": NGOC_DAO},
        files={"data": ("mẫu đã điền.xlsx", filled.getvalue())},
    )
    assert judged.status_code == 200, judged.text
    assert judged.json()["subject"]["label"] == "Ngọc Đào"
    csv = web.get("/api/template", params={"ruleset": NGOC_DAO, "format": "csv"})
    names = zipfile.ZipFile(io.BytesIO(csv.content)).namelist()
    assert "commune.csv" in names and "areas.csv" in names
    assert web.get("/api/template", params={"ruleset": "../../pyproject.toml"}).status_code == 404


def test_a_zip_of_csv_files_is_a_folder_and_other_members_get_a_note(web, tmp_path):
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("du-lieu/commune.csv", "id,name\nND,Ngọc Đào\n")
        archive.writestr("du-lieu/ghi chú.txt", "không phải dữ liệu")
        archive.writestr("__MACOSX/._commune.csv", "rác")
    path = tmp_path / "xã.zip"
    path.write_bytes(bundle.getvalue())
    answer = evaluate(web, path, lang="en")
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["subject"]["label"] == "Ngọc Đào"
    notes = [n["message"] for n in result["notices"]]
    assert any("ghi chú.txt" in n and "not a CSV" in n for n in notes), notes
    assert not any("/tmp" in n or "/dev/shm" in n for n in notes)  # (no server paths)


# -------------------------------------------------------- hostile uploads


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as entry,
    ):
        for _ in range(700):
            entry.write(b"\0" * (1 << 20))
    return buffer.getvalue()


def _csv_bomb() -> bytes:
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb,
        bomb.open("commune.csv", "w", force_zip64=True) as entry,
    ):
        for _ in range(400):
            entry.write(b"a," * (1 << 19))
    return buffer.getvalue()


HOSTILE = {
    "not-a-workbook.xlsx": b"PK\x03\x04 not really a zip",
    "bomb.xlsx": _zip_bomb(),
    "bomb.zip": _csv_bomb(),
    "empty.zip": b"",
    "no-csv.zip": b"PK\x05\x06" + b"\0" * 18,
    "deep.json": b"[" * 100_000 + b"]" * 100_000,
    "nan.json": b'{"name": NaN}',
    "digits.json": b'{"name": ' + b"9" * 5000 + b"}",
    "dup.json": b'{"name": "a", "name": "b"}',
    "binary.json": bytes(range(256)) * 20,
    "latin1.json": '{"name": "Ngọc Đào"}'.encode("utf-16")[:-1],
    "tags.yaml": b"name: !!python/object/apply:os.system ['echo hi']\n",
    "cycle.yaml": b"areas: &a\n  - *a\n",
    "aliases.yaml": b"a: &a [" + b"x," * 1000 + b"]\nb: [" + b"*a, " * 2000 + b"]\n",
    "script.html": b"<script>alert(1)</script>",
    "../../etc/passwd.json": b"{}",
    "nul\x00name.json": b"{}",
    ".json": b"[]",
}


@pytest.mark.parametrize("name", list(HOSTILE), ids=lambda n: n.encode("unicode_escape").decode())
def test_hostile_uploads_get_a_4xx_with_a_message_never_a_500(web, name):
    answer = web.post(
        "/api/evaluate",
        data={"ruleset": NGOC_DAO, "lang": "en"},
        files={"data": (name, HOSTILE[name])},
    )
    assert 200 <= answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        error = answer.json()["error"]
        assert error["code"] and error["message"]
        assert "Traceback" not in answer.text and "/dev/shm" not in answer.text
    else:  # (read, and judged: each record's problem is in its result)
        assert answer.json()["schema"] in ("antq-result/1", "antq-batch/1")


def test_an_unknown_kind_of_file_is_415_and_no_data_is_422(web):
    answer = web.post("/api/evaluate", data={"ruleset": NGOC_DAO}, files={"data": ("x.exe", b"MZ")})
    assert answer.status_code == 415 and answer.json()["error"]["code"] == "web-bad-upload"
    answer = web.post("/api/evaluate", data={"ruleset": NGOC_DAO}, files={"data": ("", b"")})
    assert answer.status_code in (400, 422)
    answer = web.post(
        "/api/evaluate", data={"ruleset": "nope.antq"}, files={"data": ("a.json", b"{}")}
    )
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "web-unknown-ruleset"
    answer = web.post("/api/evaluate", data={"format": "pdf"}, files={"data": ("a.json", b"{}")})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "web-bad-request"


def test_uploads_over_the_limit_are_413_before_they_are_read():
    small = client(create_app(max_upload_mb=1))
    payload = b"{" + b" " * (2 << 20) + b"}"
    answer = small.post(
        "/api/evaluate", data={"ruleset": NGOC_DAO}, files={"data": ("big.json", payload)}
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "web-too-large"

    def chunks():  # (no Content-Length: counted as it streams)
        for _ in range(40):
            yield b"x" * 65536

    answer = small.post(
        "/api/check",
        content=chunks(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 413
    assert (
        small.post("/api/check", content=b"", headers={"content-length": "99999999999"}).status_code
        == 413
    )


def test_judging_time_is_bounded_and_a_busy_server_says_so(tmp_path):
    province_file = province(tmp_path / "p.json", 30)
    slow = client(create_app(Settings(eval_timeout=0.0005)))
    answer = evaluate(slow, province_file, ruleset=XA, year="2021", lang="en")
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "web-timeout"
    busy = client(create_app(Settings(max_pending=0)))
    answer = evaluate(busy, lang="en")
    assert answer.status_code == 429 and answer.json()["error"]["code"] == "web-busy"


# ------------------------------------------------------------- security


def test_off_loopback_a_server_refuses_to_start_without_a_token(monkeypatch):
    monkeypatch.delenv("ANTQ_TOKEN", raising=False)
    with pytest.raises(AntqError) as info:
        from_options(host="0.0.0.0")
    assert info.value.code == "web-needs-token" and "--token" in info.value.render("en")
    monkeypatch.setenv("ANTQ_TOKEN", TOKEN)
    assert from_options(host="0.0.0.0").token == TOKEN
    assert from_options(host="::1", token=None).loopback
    with pytest.raises(AntqError):
        from_options(token="short")
    with pytest.raises(AntqError):
        from_options(max_upload_mb=0)


def test_the_command_line_glue_refuses_an_open_network_server(monkeypatch):
    import argparse

    from antq_rules.web.cli import add_parser, run

    monkeypatch.delenv("ANTQ_TOKEN", raising=False)
    parser = argparse.ArgumentParser(prog="antq")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["serve", "--host", "0.0.0.0", "--max-upload-mb", "5"])
    assert (args.port, args.max_upload_mb, args.rulesets) == (8080, 5, None)
    with pytest.raises(AntqError) as info:
        run(args)  # (refused before anything listens)
    assert info.value.code == "web-needs-token"
    args = parser.parse_args(["serve", "--rulesets", "/no/such/folder"])
    with pytest.raises(AntqError) as info:
        run(args)
    assert info.value.code == "missing-file"


@pytest.fixture(scope="module")
def guarded():
    return create_app(Settings(host="0.0.0.0", token=TOKEN))


def test_with_a_token_every_request_needs_it(guarded):
    web = client(guarded)
    page = web.get("/", headers={"accept": "text/html"})
    assert page.status_code == 401 and 'name="token"' in page.text
    api = web.get("/api/rulesets")
    assert api.status_code == 401 and api.headers["www-authenticate"].startswith("Bearer")
    assert api.json()["error"]["code"] == "web-unauthorized"
    assert web.get("/api/openapi.json").status_code == 401
    wrong = client(guarded, authorization="Bearer not-the-token")
    assert wrong.get("/api/rulesets").status_code == 401
    right = client(guarded, authorization=f"Bearer {TOKEN}")
    assert right.get("/api/rulesets").status_code == 200
    assert evaluate(right).json()["verdict"] == "FAIL"  # (a bearer is not a browser: no CSRF)
    # An unauthenticated upload is refused before its body is read.
    assert evaluate(web).status_code == 401
    assert web.get("/static/style.css").status_code == 200  # (no data behind it)


def test_the_login_form_sets_an_httponly_cookie_and_api_calls_from_pages_need_csrf(guarded):
    web = client(guarded)
    login = web.get("/login")
    csrf = csrf_of(login.text)
    refused = web.post("/login", data={"token": "wrong", "csrf": csrf}, follow_redirects=False)
    assert refused.status_code == 401 and "mã truy cập không đúng" in refused.text
    signed = web.post(
        "/login",
        data={"token": TOKEN, "csrf": csrf, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "antq_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert TOKEN not in cookie
    assert web.get("/").status_code == 200
    text = 'ruleset x\n  title "x"\n  subject commune\n'
    assert web.post("/api/check", data={"ruleset_text": text}).status_code == 403
    with_header = web.post(
        "/api/check", data={"ruleset_text": text}, headers={"x-csrf-token": csrf}
    )
    assert with_header.status_code == 200
    out = web.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    assert web.get("/", headers={"accept": "text/html"}).status_code == 401


def test_forms_need_their_csrf_token(web):
    with open(TC3, "rb") as handle:
        answer = web.post(
            "/evaluate",
            data={"ruleset": NGOC_DAO},
            files={"data": ("a.json", handle)},
            headers={"accept": "text/html"},
        )
    assert answer.status_code == 403 and "tải lại trang" in answer.text
    assert upload_page(web, csrf="forged").status_code == 403
    assert web.post("/editor", data={"ruleset_text": "x", "csrf": "forged"}).status_code == 403


def test_only_loopback_names_reach_an_open_server(app):
    from fastapi.testclient import TestClient

    rebound = TestClient(app, base_url="http://attacker.example")
    answer = rebound.get("/api/rulesets")
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "web-bad-host"
    assert client(app).get("/api/rulesets", headers={"host": "localhost:8080"}).status_code == 200


def test_headers_forbid_inline_script_framing_and_sniffing(web):
    for answer in (web.get("/"), web.get("/nowhere"), web.get("/api/rulesets")):
        policy = answer.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
    assert web.get("/").headers["cache-control"] == "no-store"
    assert "<script>" not in web.get("/").text  # (the only script is a file, on the editor)


def test_an_upload_is_never_served_back_as_a_page(web, tmp_path):
    hostile = tmp_path / "x.json"
    hostile.write_text(
        json.dumps({"name": "<script>alert('xã')</script>", "areas": []}), encoding="utf-8"
    )
    answer = upload_page(web, hostile, name="<img src=x onerror=alert(1)>.json")
    assert answer.status_code == 303
    report = web.get(answer.headers["location"])
    assert "<script>alert" not in report.text and "&lt;script&gt;" in report.text
    assert "<img src=x" not in report.text
    download = web.get(answer.headers["location"] + "/subjects/0/report.html")
    assert download.headers["content-disposition"].startswith("attachment")


# ----------------------------------------------------------------- pages


def test_the_home_page_says_what_a_ruleset_judges(web):
    page = web.get("/", params={"ruleset": NGOC_DAO})
    assert page.status_code == 200
    text = page.text
    assert "Kế hoạch số 2166/KH-CAT" in text  # the basis
    assert "hamlets_safe_min" in text and "95 %" in text  # a parameter, its value
    assert "Tỉ lệ xóm được công nhận" in text  # and its description
    assert "TC3" in text and "Khoản 1: lãnh đạo, kế hoạch, mô hình" in text  # criteria by group
    assert "/api/template?ruleset=plans/ngoc_dao_2021.antq&amp;format=xlsx" in text
    english = web.get("/", params={"ruleset": NGOC_DAO, "lang": "en"}).text
    assert "What it judges" in english and "Ngọc Đào, a model commune" in english


def test_upload_then_report_then_docx(web):
    answer = upload_page(web)
    assert answer.status_code == 303
    report = web.get(answer.headers["location"])
    assert report.status_code == 200
    assert "KHÔNG ĐẠT" in report.text and "TC3" in report.text and "Xóm 7" in report.text
    official = web.get(
        answer.headers["location"] + "/subjects/0/report.docx",
        params={"issuer": "Công an huyện Hà Quảng", "place": "Hà Quảng"},
    )
    document = docx.Document(io.BytesIO(official.content))
    head = document.tables[0].rows[0].cells
    assert "CÔNG AN HUYỆN HÀ QUẢNG" in head[0].text
    assert any(p.text.startswith("Hà Quảng, ngày") for p in document.paragraphs)
    as_json = web.get(answer.headers["location"] + "/subjects/0/report.json").json()
    assert as_json["schema"] == "antq-result/1"


def test_a_bad_upload_on_the_page_keeps_the_form_and_says_why(web, tmp_path):
    bad = tmp_path / "sai.json"
    bad.write_text('{"name": "a", "name": "b"}', encoding="utf-8")
    answer = upload_page(web, bad, year="2021", params="hamlets_safe_min=90%")
    assert answer.status_code == 422
    assert "khóa `name` xuất hiện hai lần" in answer.text
    assert 'value="2021"' in answer.text and "hamlets_safe_min=90%" in answer.text


def test_the_dashboard_filters_by_verdict_and_failing_criterion(web, tmp_path):
    answer = upload_page(web, province(tmp_path / "tỉnh.json", 40), ruleset=XA, year="2021")
    assert answer.status_code == 303
    run = answer.headers["location"]
    board = web.get(run)
    assert board.status_code == 200 and "<svg" in board.text and 'id="subjects"' in board.text
    batch = evaluate(web, tmp_path / "tỉnh.json", ruleset=XA, year="2021").json()
    failing_c3 = [
        r
        for r in batch["results"]
        if any(c["id"] == "C3" and c["status"] == "FAIL" for c in r["criteria"])
    ]
    filtered = web.get(run, params={"failing": "C3", "sort": "met", "order": "desc"})
    assert filtered.text.count('href="' + run + "/subjects/") == len(failing_c3)
    fails = web.get(run, params={"verdict": "FAIL"})
    rows = fails.text.split('id="subjects"', 1)[1]
    assert rows.count('class="FAIL">KHÔNG ĐẠT') == batch["summary"]["verdicts"]["FAIL"]
    assert web.get(run, params={"verdict": "MAYBE"}).status_code == 422
    assert web.get(run, params={"failing": "Z9"}).status_code == 422
    table = web.get(run + "/results.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(table.content)).active
    assert sheet.max_row == 41
    assert web.get(run + "/subjects/999").status_code == 404
    assert web.get("/runs/not-a-run").status_code == 404


def test_the_editor_checks_formats_and_runs_the_cases(web):
    page = web.get("/editor", params={"ruleset": NGOC_DAO})
    assert page.status_code == 200 and "ngoc_dao_2021" in page.text
    csrf = csrf_of(page.text)
    text = antq_rules.shipped(NGOC_DAO).read_text(encoding="utf-8")
    cases = antq_rules.shipped("plans/ngoc_dao_2021.cases.yaml").read_text(encoding="utf-8")
    ran = web.post(
        "/editor",
        data={
            "csrf": csrf,
            "ruleset": NGOC_DAO,
            "ruleset_text": text,
            "cases_text": cases,
            "action": "cases",
        },
    )
    assert ran.status_code == 200
    assert "4 đạt, 0 không đạt" in ran.text, ran.text[-3000:]
    sneaky = cases.replace("../examples/ngoc_dao_2021_pass.json", "../../../pyproject.toml")
    ran = web.post(
        "/editor",
        data={
            "csrf": csrf,
            "ruleset": NGOC_DAO,
            "ruleset_text": text,
            "cases_text": sneaky,
            "action": "cases",
        },
    )
    assert "3 đạt, 1 không đạt" in ran.text and "data_file" in ran.text
    misspelt = web.post(
        "/editor",
        data={
            "csrf": csrf,
            "ruleset_text": text.replace("recognised_safe", "recognized_safe"),
            "ruleset": NGOC_DAO,
            "action": "check",
        },
    )
    assert misspelt.status_code == 422 and "có phải ý bạn là `recognised_safe`?" in misspelt.text
    messy = web.post(
        "/editor",
        data={
            "csrf": csrf,
            "ruleset_text": text.replace(
                "count(models where mass) >= 1", "count( models where mass )>=1"
            ),
            "ruleset": NGOC_DAO,
            "action": "format",
        },
    )
    assert "count(models where mass) &gt;= 1" in messy.text


def test_the_language_switch_remembers_the_choice(web):
    switched = web.get("/lang/en", params={"next": "/editor"}, follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/editor"
    assert "antq_lang=en" in switched.headers["set-cookie"]
    assert "Ruleset editor" in web.get("/editor").text
    assert (
        web.get(
            "/lang/en", params={"next": "https://evil.example"}, follow_redirects=False
        ).headers["location"]
        == "/"
    )
    web.get("/lang/vi")


# ------------------------------------------------------------- the .docx


def test_docx_follows_decree_30_layout():
    rs = antq_rules.load(antq_rules.shipped(NGOC_DAO))
    result = rs.evaluate(json.loads(TC3.read_text(encoding="utf-8")))
    data = result.render("docx")
    assert isinstance(data, bytes)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    mm = 36000  # EMU a millimetre
    assert (round(section.page_width / mm), round(section.page_height / mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin, section.right_margin]
    assert [round(m / mm) for m in margins] == [20, 20, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert document.styles["Normal"].font.size.pt == 13
    motto = document.tables[0].rows[0].cells[1].text
    assert motto == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    paragraphs = [p.text for p in document.paragraphs]
    assert "BÁO CÁO KẾT QUẢ ĐÁNH GIÁ" in paragraphs
    assert any("KHÔNG ĐẠT" in p and "14/15" in p for p in paragraphs)
    criteria = document.tables[1]
    assert [c.text for c in criteria.rows[0].cells] == ["STT", "Tiêu chí", "Kết quả", "Căn cứ"]
    tc3 = next(row for row in criteria.rows if row.cells[1].text.startswith("TC3."))
    assert tc3.cells[2].text == "KHÔNG ĐẠT" and "Xóm 7" in tc3.cells[3].text
    # (the drill-down: why Xóm 7 is not recognised, under its own ruleset)
    assert "↳ Xóm 7 (areas[6]) theo `tt124.kdc`: KHÔNG ĐẠT" in tc3.cells[3].text
    assert "KDC1a" in tc3.cells[3].text
    signatures = document.tables[-1].rows[0].cells
    assert "NGƯỜI LẬP BÁO CÁO" in signatures[0].text and "THỦ TRƯỞNG" in signatures[1].text
    english = docx.Document(io.BytesIO(result.render("docx", "en")))
    assert "SOCIALIST REPUBLIC OF VIET NAM" in english.tables[0].rows[0].cells[1].text
    assert "REPORT ON THE EVALUATION RESULTS" in [p.text for p in english.paragraphs]


def test_docx_carries_the_readers_notes_a_letterhead_and_survives_control_characters():
    from antq_rules.errors import warning

    rs = antq_rules.load(antq_rules.shipped(NGOC_DAO))
    data = json.loads(TC3.read_text(encoding="utf-8"))
    data["name"] = "Ngọc\x1bĐào\ud800"
    result = rs.evaluate(data).with_notices(
        (warning("warn-hidden-rows", where="x.xlsx, sheet 'areas'", rows="3–5"),)
    )
    head = Letterhead(
        issuer="Công an xã Ngọc Đào",
        place="Ngọc Đào",
        number="7/BC-CAX",
        date=datetime.date(2021, 3, 5),
    )
    document = docx.Document(io.BytesIO(render_docx(result, "vi", head)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "các dòng bị ẩn 3–5" in text
    assert "Ngọc Đào, ngày 05 tháng 3 năm 2021" in text
    assert "Số: 7/BC-CAX" in document.tables[0].rows[0].cells[0].text
    assert "Ngọc\\u001bĐào" in text


def test_a_batch_docx_has_a_summary_and_each_subject(tmp_path):
    from antq_rules.report.docx import render_batch

    rs = antq_rules.load(antq_rules.shipped(XA))
    records = json.loads(province(tmp_path / "p.json", 3).read_text(encoding="utf-8"))
    results = [rs.evaluate(r, year=2021) for r in records]
    document = docx.Document(io.BytesIO(render_batch(results, "vi")))
    summary = document.tables[1]
    assert len(summary.rows) == 4 and summary.rows[0].cells[0].text == "STT"
    assert "BÁO CÁO TỔNG HỢP KẾT QUẢ ĐÁNH GIÁ" in [p.text for p in document.paragraphs]


# -------------------------------------------------------- the OpenAPI


def test_the_openapi_document_describes_every_endpoint(web):
    document = web.get("/api/openapi.json").json()
    paths = document["paths"]
    assert {"/api/rulesets", "/api/evaluate", "/api/check", "/api/format", "/api/template"} <= set(
        paths
    )
    assert not any(p in paths for p in ("/", "/evaluate", "/editor"))  # (pages are not API)


def test_schemathesis_finds_no_server_error(app):
    schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
    from hypothesis import HealthCheck, given, settings
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error

    async def on_loopback(scope, receive, send):  # (schemathesis calls itself `testserver`)
        if scope["type"] == "http":
            headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
            scope = {**scope, "headers": [*headers, (b"host", b"127.0.0.1")]}
        await app(scope, receive, send)

    schema = schemathesis.openapi.from_asgi("/api/openapi.json", on_loopback)
    tried = []
    for found in schema.get_all_operations():
        operation = found.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=10,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                case.call_and_validate(checks=[not_a_server_error])

            check()
        tried.append(operation.path)
    assert len(tried) == 5


def test_the_servers_rulesets_folder_is_offered_and_may_be_used(tmp_path):
    folder = tmp_path / "bộ tiêu chí"
    folder.mkdir()
    (folder / "chung.antq").write_text(
        'use "antq:common/schema.antq"\n\ndefine co_mo_hinh = count(models) >= 1\n',
        encoding="utf-8",
    )
    (folder / "xa_2024.antq").write_text(
        'use "antq:common/schema.antq"\n\nruleset tinh.xa_2024\n  title "Xã 2024 của tỉnh"\n'
        '  subject commune\n\ncriterion M "Có mô hình"\n  count(models) >= 1\n',
        encoding="utf-8",
    )
    web = client(create_app(Settings(rulesets_dir=folder)))
    listed = {r["ruleset"]: r for r in web.get("/api/rulesets").json()["rulesets"]}
    assert listed["dir:xa_2024.antq"]["title"] == "Xã 2024 của tỉnh"
    assert NGOC_DAO in listed
    judged = evaluate(web, ruleset="dir:xa_2024.antq")
    assert judged.status_code == 200 and judged.json()["ruleset"]["id"] == "tinh.xa_2024"
    text = (
        'use "antq:common/schema.antq"\nuse "xa_2024.antq"\n\nruleset t\n  title "T"\n'
        '  subject commune\n\ncriterion A "a"\n  count(models) >= 1\n'
    )
    for used in ("xa_2024.antq", "chung.antq"):  # (relative to the server's folder)
        relative = text.replace("xa_2024.antq", used)
        checked = web.post("/api/check", data={"ruleset_text": relative, "lang": "en"}).json()
        assert checked["ok"], checked
    outside = web.post(
        "/api/check", data={"ruleset_text": text.replace("xa_2024.antq", "../x.antq"), "lang": "en"}
    ).json()
    (problem,) = outside["diagnostics"]
    assert problem["code"] == "outside-roots"
    assert str(folder) not in problem["message"] and "dir:" in problem["message"]


def test_vietnamese_typed_in_combining_marks_reads_as_one(web, tmp_path):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "Ngọc Đào")
    data = json.loads(TC3.read_text(encoding="utf-8"))
    data["name"] = decomposed
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    answer = evaluate(web, path, name=f"{decomposed}.json", format="docx")
    assert answer.status_code == 200, answer.text
    assert (
        "filename*=UTF-8''Ng%E1%BB%8Dc%20%C4%90%C3%A0o" not in answer.headers["content-disposition"]
    )
    assert "bao-cao-Ng%E1%BB%8Dc%20%C4%90%C3%A0o.docx" in answer.headers["content-disposition"]
    page = upload_page(web, path, name=f"{decomposed}.json")
    report = web.get(page.headers["location"]).text
    assert "Ngọc Đào.json" in report


def test_results_are_kept_in_memory_for_a_while_only():
    from antq_rules.result import Summary
    from antq_rules.web.jobs import Run, RunStore

    rs = antq_rules.load(antq_rules.shipped(NGOC_DAO))
    store = RunStore(kept=3, ttl=3600, budget=100)

    def run(size):
        return Run(store.new_id(), rs, NGOC_DAO, (), Summary(), "x.json", "vi", size)

    runs = [run(10) for _ in range(4)]
    for one in runs:
        store.add(one)
    with pytest.raises(AntqError) as info:
        store.get(runs[0].id)  # (the oldest of four, three kept)
    assert info.value.code == "web-no-run"
    assert store.get(runs[3].id) is runs[3]
    big = run(95)
    store.add(big)  # (over the budget with the others: they go)
    assert store.get(big.id) is big
    with pytest.raises(AntqError):
        store.get(runs[3].id)
    store.ttl = -1
    with pytest.raises(AntqError):
        store.get(big.id)


def test_an_application_started_twice_still_judges():
    app = create_app()
    for _ in range(2):
        with client(app) as web:  # (each `with` runs the start-up and the shutdown)
            assert evaluate(web).json()["verdict"] == "FAIL"


def test_a_ruleset_file_uploaded_on_the_page_is_used(web, tmp_path):
    own = tmp_path / "của tôi.antq"
    own.write_text(
        '\ufeffuse "antq:common/schema.antq"\n\nruleset cua_toi\n  title "Của tôi"\n'
        '  subject commune\n\ncriterion M "Có mô hình"\n  count(models) >= 99\n',
        encoding="utf-8",
    )
    csrf = csrf_of(web.get("/").text)
    with open(TC3, "rb") as data, open(own, "rb") as ruleset:
        answer = web.post(
            "/evaluate",
            data={"csrf": csrf, "ruleset": NGOC_DAO},
            files={"data": ("x.json", data), "ruleset_file": (own.name, ruleset)},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    report = web.get(answer.headers["location"]).text
    assert "Của tôi" in report and "cua_toi" in report and "KHÔNG ĐẠT" in report
    with open(TC3, "rb") as data:
        answer = web.post(
            "/evaluate",
            data={"csrf": csrf, "ruleset": NGOC_DAO},
            files={"data": ("x.json", data), "ruleset_file": ("x.antq", b"\xff\xfe bad")},
        )
    assert answer.status_code == 422 and "không phải văn bản UTF-8" in answer.text


def test_uploads_stay_off_disk(web, monkeypatch, tmp_path):
    import tempfile

    spilled = []
    rollover = tempfile.SpooledTemporaryFile.rollover

    def to_disk(spool):  # (a spooled upload going to a temporary file on disk)
        spilled.append(spool)
        return rollover(spool)

    monkeypatch.setattr(tempfile.SpooledTemporaryFile, "rollover", to_disk)
    big = tmp_path / "big.json"
    data = json.loads(TC3.read_text(encoding="utf-8"))
    data["_padding"] = ["x" * 50_000] * 64  # (3 MB, each text within the limits)
    big.write_text(json.dumps(data), encoding="utf-8")
    answer = evaluate(web, big)
    assert answer.status_code == 200, answer.text[:300]
    assert spilled == []


# ------------------------------------------------- bounds that really hold


def _nested_counts(depth: int) -> str:
    """Ruleset text whose one criterion takes 40**depth steps over 40 areas."""
    inner = "households > 0"
    for _ in range(depth):
        inner = f"count(areas where {inner}) > 0"
    return (
        'use "antq:common/schema.antq"\n\nruleset slow\n  title "slow"\n  subject commune\n\n'
        f'criterion A "a"\n  {inner}\n'
    )


def test_a_job_over_its_time_is_stopped_and_the_server_answers_again(tmp_path, monkeypatch):
    import time

    import attrs

    from antq_rules.web import uploads

    shm = tmp_path / "shm"
    shm.mkdir()
    monkeypatch.setattr(uploads, "_memory_dir", lambda: str(shm))
    data = json.dumps({"name": "x", "areas": [{"households": 0}] * 40}).encode()
    app = create_app(Settings(eval_timeout=0.5, workers=1))
    state = app.state.antq
    with client(app) as web:
        started = time.monotonic()
        answer = web.post(
            "/api/evaluate",
            data={"ruleset_text": _nested_counts(8), "lang": "en"},
            files={"data": ("slow.json", data)},
        )
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "web-timeout"
        assert time.monotonic() - started < 10
        # The one worker is free at once: the next upload is judged, not queued behind it.
        state.settings = attrs.evolve(state.settings, eval_timeout=60.0)
        started = time.monotonic()
        assert evaluate(web).json()["verdict"] == "FAIL"
        assert time.monotonic() - started < 10
        deadline = time.monotonic() + 5
        while state.workers.pending and time.monotonic() < deadline:
            time.sleep(0.02)
        assert state.workers.pending == 0
    assert list(shm.iterdir()) == []  # (the stopped job's temporary folder is gone)


def test_stops_never_reach_a_worker_after_its_job():
    """Jobs that end as their time runs out: a stop must hit the job or
    nothing, never the pool's thread afterwards."""
    import asyncio
    import time

    from antq_rules.web.jobs import Workers

    workers = Workers(2, 100)

    def busy(cancel):
        end = time.perf_counter() + 0.004
        while time.perf_counter() < end:
            pass
        return "done"

    async def many():
        tries = [workers.run(busy, 0.004) for _ in range(60)]
        return await asyncio.gather(*tries, return_exceptions=True)

    outcomes = asyncio.run(many())
    assert all(o == "done" or getattr(o, "code", "") == "web-timeout" for o in outcomes)
    time.sleep(0.2)
    assert asyncio.run(workers.run(lambda _cancel: 42, 5)) == 42
    assert workers.pending == 0
    workers.close()


def test_after_stops_the_process_runs_at_full_speed():
    """Taking back a stop (PyThreadState_SetAsyncExc with NULL) after it was
    raised left CPython's eval breaker set: the next traced function call
    (Hypothesis traces in its `explain` phase) spun for ever. Jobs stopped
    in the middle and at the edge of their end, then traced calls."""
    script = textwrap.dedent(
        """
        import asyncio, sys, time
        from antq_rules.web.jobs import Workers, stoppable

        workers = Workers(2, 100)

        def busy(seconds):
            end = time.perf_counter() + seconds
            with stoppable():
                while time.perf_counter() < end:
                    pass

        async def many():
            tries = [workers.run(lambda c: busy(60), 0.2) for _ in range(2)]
            tries += [workers.run(lambda c: busy(0.004), 0.004) for _ in range(30)]
            await asyncio.gather(*tries, return_exceptions=True)

        asyncio.run(many())
        time.sleep(0.3)

        def f(x):
            return x + 1

        def tracer(frame, event, arg):
            return tracer

        sys.settrace(tracer)
        for i in range(1000):
            f(i)
        sys.settrace(None)
        workers.close()
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]


LONE = "A\ud800B"


@pytest.mark.parametrize("fmt", ["json", "html", "docx", "xlsx"])
def test_a_lone_surrogate_in_the_data_never_breaks_an_answer(web, tmp_path, fmt):
    raw = TC3.read_text(encoding="utf-8").replace('"Ngọc Đào"', '"A\\ud800B"', 1)
    path = tmp_path / "x.json"
    path.write_text(raw, encoding="utf-8")
    answer = evaluate(web, path, format=fmt)
    assert answer.status_code == 200, answer.text[:300]
    if fmt in ("json", "html"):
        assert "A\ufffdB" in answer.content.decode("utf-8")
    yaml_file = tmp_path / "x.yaml"
    yaml_file.write_text('name: "A\\ud800B"\nareas: []\n', encoding="utf-8")
    assert evaluate(web, yaml_file).status_code == 200


def test_a_lone_surrogate_reaches_pages_and_downloads_as_a_replacement(web, tmp_path):
    raw = TC3.read_text(encoding="utf-8")
    odd = raw.replace('"Ngọc Đào"', '"A\\ud800B"', 1)
    for name, text in (("one.json", odd), ("batch.json", f"[{raw},{odd}]")):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        run = upload_page(web, path).headers["location"]
        page = web.get(run)
        assert page.status_code == 200
        last = run + ("/subjects/1" if name == "batch.json" else "")
        assert "A\ufffdB" in web.get(last).text
        for download in ("/results.json", "/results.html", "/results.xlsx", "/results.docx"):
            assert web.get(run + download).status_code == 200, download
        for download in ("report.json", "report.html", "report.docx"):
            assert web.get(f"{last.split('/subjects')[0]}/subjects/0/{download}").status_code == 200
    csrf = csrf_of(web.get("/editor").text)
    text = (
        'use "antq:common/schema.antq"\n\nruleset x\n  title "x"\n  subject commune\n\n'
        'criterion A "a"\n  policy_implemented\n'
    )
    cases = 'cases:\n  - name: "a\\ud800"\n    data: {policy_implemented: "\\ud800"}\n'
    cases += '    expect: {verdict: "\\ud800"}\n'
    ran = web.post(
        "/editor",
        data={"csrf": csrf, "ruleset_text": text, "cases_text": cases, "action": "cases"},
    )
    assert ran.status_code == 200 and "a\ufffd" in ran.text


@pytest.mark.parametrize(
    ("expect", "at"),
    [
        ("{verdict: [PASS]}", "cases[0].expect.verdict"),
        ("{verdict: {a: 1}}", "cases[0].expect.verdict"),
        ("{criteria: {A: [1]}}", "cases[0].expect.criteria.A"),
        ("{criteria: {A: {x: 1}}}", "cases[0].expect.criteria.A"),
        ("{verdict: PASS}\n    params: [1]", "cases[0].params"),
        ("{verdict: PASS}\n    year: [2021]", "cases[0].year"),
        ("{verdict: PASS}\n    period: {a: 1}", "cases[0].period"),
    ],
)
def test_a_cases_file_of_the_wrong_shape_is_a_bad_cases_error(tmp_path, web, expect, at):
    (tmp_path / "r.antq").write_text(
        'ruleset r\n  title "R"\n  subject c\nentity c\n  ok: bool\ncriterion A "a"\n  ok\n',
        encoding="utf-8",
    )
    text = f"cases:\n  - name: a\n    data: {{ok: true}}\n    expect: {expect}\n"
    (tmp_path / "r.cases.yaml").write_text(text, encoding="utf-8")
    (case,) = antq_rules.run_cases(tmp_path / "r.cases.yaml").cases
    assert case.error is not None and case.error.code == "bad-cases"
    assert f"r.cases.yaml: {at}:" in case.error.render("en")
    # The editor's "Run cases" says the same, with its place in the text.
    ruleset = (
        'use "antq:common/schema.antq"\n\nruleset x\n  title "x"\n  subject commune\n\n'
        'criterion A "a"\n  policy_implemented\n'
    )
    csrf = csrf_of(web.get("/editor").text)
    ran = web.post(
        "/editor",
        data={
            "csrf": csrf,
            "ruleset_text": ruleset,
            "cases_text": text.replace("ok: true", "policy_implemented: true"),
            "action": "cases",
        },
    )
    assert ran.status_code == 200 and at in ran.text


def test_the_servers_folder_is_named_dir_even_from_a_working_folder_beside_it(
    tmp_path, monkeypatch
):
    folder = tmp_path / "rs"
    folder.mkdir()
    header = 'use "antq:common/schema.antq"\n\nruleset mine extends "../other.antq"\n'
    (folder / "mine.antq").write_text(header + '  title "m"\n  subject commune\n', "utf-8")
    elsewhere = tmp_path / "work"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # (the loader names files relative to it: ../rs/mine.antq)
    web = client(create_app(Settings(rulesets_dir=folder)))
    listed = {r["ruleset"]: r for r in web.get("/api/rulesets").json()["rulesets"]}
    assert listed["dir:mine.antq"]["error"].startswith("dir:mine.antq:3:"), listed["dir:mine.antq"]
    home = web.get("/", params={"ruleset": "dir:mine.antq"}).text
    assert "dir:mine.antq:3:" in home and "../rs" not in home
    text = 'use "antq:common/schema.antq"\nuse "mine.antq"\n\nruleset t\n  title "T"\n'
    checked = web.post("/api/check", data={"ruleset_text": text + "  subject commune\n"}).json()
    (problem,) = checked["diagnostics"]
    assert problem["file"] == "dir:mine.antq" and problem["text"].startswith("dir:mine.antq:3:")
    assert "rs/" not in json.dumps(checked) and str(tmp_path) not in json.dumps(checked)


def test_work_asked_by_another_site_is_refused_even_without_a_token(web):
    text = 'ruleset x\n  title "x"\n  subject commune\n'
    for headers in (
        {"origin": "http://evil.example"},
        {"origin": "http://127.0.0.1:9999"},
        {"referer": "http://evil.example/page"},
        {"sec-fetch-site": "cross-site", "origin": "null"},
    ):
        answer = web.post("/api/check", data={"ruleset_text": text}, headers=headers)
        assert answer.status_code == 403, headers
        assert answer.json()["error"]["code"] == "web-cross-site"
        with open(TC3, "rb") as handle:
            judged = web.post(
                "/api/evaluate",
                data={"ruleset": NGOC_DAO},
                files={"data": ("a.json", handle)},
                headers=headers,
            )
        assert judged.status_code == 403
    # This server's own pages, and tools that do not say where they come from:
    for headers in (
        {},
        {"origin": "http://127.0.0.1"},
        {"origin": "http://127.0.0.1:80", "referer": "http://127.0.0.1/editor"},
        {"origin": "null", "sec-fetch-site": "same-origin"},
    ):
        answer = web.post("/api/check", data={"ruleset_text": text}, headers=headers)
        assert answer.status_code == 200, headers
    page = web.post(
        "/editor",
        data={"ruleset_text": text, "csrf": "x"},
        headers={"origin": "http://evil.example", "accept": "text/html"},
    )
    assert page.status_code == 403 and "evil.example" in page.text


def test_a_blank_token_or_one_with_spaces_at_its_ends_is_refused_at_start_up(monkeypatch):
    monkeypatch.delenv("ANTQ_TOKEN", raising=False)
    for token in ("        ", " " * 8 + TOKEN, TOKEN + "\t", "\n" * 12):
        with pytest.raises(AntqError) as info:
            from_options(host="0.0.0.0", token=token)
        assert info.value.code == "web-blank-token"
        assert "\n" not in info.value.render("en").strip()
        assert "--token" in info.value.render("vi")
    monkeypatch.setenv("ANTQ_TOKEN", " " * 10)
    with pytest.raises(AntqError):
        from_options(host="0.0.0.0")


def test_a_bad_period_and_a_crowded_zip_are_said_in_words_quoting_what_was_given(web):
    for lang, said in (("en", 'bad period "2021-13-01..2021-14-01"'), ("vi", "kỳ đánh giá")):
        answer = evaluate(web, period="2021-13-01..2021-14-01", lang=lang)
        message = answer.json()["error"]["message"]
        assert answer.status_code == 422 and said in message, message
        assert "2021-13-01..2021-14-01" in message and "a list" not in message
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        for number in range(1001):
            archive.writestr(f"t{number}.csv", "a\n")
    for lang, said in (("en", "holds 1001 files, more than 1000"), ("vi", "chứa 1001 tệp")):
        answer = web.post(
            "/api/evaluate",
            data={"ruleset": NGOC_DAO, "lang": lang},
            files={"data": ("nhiều.zip", bundle.getvalue())},
        )
        message = answer.json()["error"]["message"]
        assert answer.status_code == 422 and said in message and "a list" not in message, message


def test_each_sign_in_is_its_own_session_and_signing_out_ends_it_on_the_server(guarded):
    def sign_in():
        web = client(guarded)
        csrf = csrf_of(web.get("/login").text)
        signed = web.post("/login", data={"token": TOKEN, "csrf": csrf}, follow_redirects=False)
        assert signed.status_code == 303
        return web, csrf, web.cookies.get("antq_session")

    web, csrf, session = sign_in()
    _, _, other = sign_in()
    assert session and other and session != other  # (random, not the same HMAC each time)
    copied = client(guarded)
    copied.cookies.set("antq_session", session)
    assert copied.get("/api/rulesets").status_code == 200
    assert web.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert copied.get("/api/rulesets").status_code == 401  # (the old cookie is refused)
    still = client(guarded)
    still.cookies.set("antq_session", other)
    assert still.get("/api/rulesets").status_code == 200  # (another sign-in goes on)


def test_sessions_expire_and_are_bounded():
    from antq_rules.web import security

    guard = security.Guard(TOKEN)
    first = guard.new_session()
    for _ in range(security.MAX_SESSIONS):
        guard.new_session()
    assert not guard.session_ok(first)  # (pushed out by newer ones)
    last = guard.new_session()
    assert guard.session_ok(last)
    guard._sessions[security._digest(last)] = 0.0  # (as if its time had passed)
    assert not guard.session_ok(last)


def test_parameters_as_json_are_read_exactly_and_lists_are_allowed():
    from antq_rules.web.forms import params_of

    read = params_of('{"share": 0.70000000000000000001, "n": 3, "kinds": ["xã", "phường"]}')
    assert read == {"share": "0.70000000000000000001", "n": "3", "kinds": '["xã", "phường"]'}
    text = (
        'ruleset t\n  title "t"\n  subject commune\nentity commune\n  name: text\n  d: decimal\n'
        '  kind: enum["xã", "phường"]\nparam share = 0.7\nparam kinds = ["xã"]\n'
        'criterion A "a"\n  d >= share\ncriterion B "b"\n  kind in kinds\n'
    )
    rs = antq_rules.load(text, params={k: read[k] for k in ("share", "kinds")})
    result = rs.evaluate({"name": "x", "d": 0.7, "kind": "phường"})
    assert [s.name for s in result.statuses.values()] == ["FAIL", "PASS"]
