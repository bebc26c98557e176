"""`antq serve` in a real browser: Playwright driving Debian's Chromium
(/usr/bin/chromium, headless, no network of its own) against the server on
a free loopback port, as a commune officer and a provincial officer use it.

Screenshots of each page are written under pytest's temporary folder (the
path is printed); with ANTQ_SCREENSHOTS=DIR they are also copied there (the
ones in docs/img were made so). Without playwright or Chromium these tests
skip, saying which is missing; in CI (ANTQ_REQUIRE_ALL=1) that is a failure.
"""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi", reason="the `web` extra (FastAPI) is not installed")
pytest.importorskip("uvicorn", reason="the `web` extra (uvicorn) is not installed")
docx = pytest.importorskip("docx", reason="the `web` extra (python-docx) is not installed")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
)

from web_support import NGOC_DAO, TC3, XA, province, running  # noqa: E402

import antq_rules  # noqa: E402
from antq_rules.model import Status  # noqa: E402
from antq_rules.web import Settings, create_app  # noqa: E402

CHROMIUM = Path(os.environ.get("ANTQ_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TOKEN = "ngoc-dao-2021-token"

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    print(f"\nscreenshots: {folder}")
    yield folder
    copy_to = os.environ.get("ANTQ_SCREENSHOTS")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        for picture in folder.glob("*.png"):
            shutil.copy(picture, Path(copy_to) / picture.name)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=ARGS,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
            locale="vi-VN",
        )
        context.set_default_timeout(20_000)
        yield context
        context.close()


@pytest.fixture(scope="module")
def server():
    with running(create_app()) as base:
        yield base


@pytest.fixture()
def page(browser):
    tab = browser.new_page()
    problems: list[str] = []
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    yield tab
    tab.close()
    browser.clear_cookies()
    # (a script error, or a resource the Content-Security-Policy refused, shows here)
    assert problems == []


def upload(page, base, path, ruleset, year=""):
    page.goto(f"{base}/?ruleset={ruleset}")
    page.set_input_files("#data-file", str(path))
    if year:
        page.fill("input[name=year]", year)
    with page.expect_navigation():
        page.click("#judge")


def test_a_commune_officer_uploads_ngoc_dao_and_reads_why_it_fails(page, server, shots):
    page.goto(server + "/")
    assert page.locator("#about").get_by_text("Kế hoạch số 2166/KH-CAT").count() == 1
    page.screenshot(path=str(shots / "trang-chu.png"))
    upload(page, server, TC3, NGOC_DAO)
    report = page.locator("#report")
    assert "/runs/" in page.url
    assert report.locator("td.FAIL").first.inner_text() == "KHÔNG ĐẠT"
    text = report.inner_text()
    assert "KHÔNG ĐẠT" in text and "Xóm 7" in text
    tc3 = report.locator("tr", has_text="TC3 —")
    assert "KHÔNG ĐẠT" in tc3.inner_text() and "Xóm 7" in tc3.inner_text()
    drill = tc3.locator(".drill")  # (why Xóm 7 is not recognised: its own criteria)
    assert drill.count() == 1 and "KDC1a" in drill.inner_text()
    page.screenshot(path=str(shots / "bao-cao.png"), full_page=False)
    tc3.screenshot(path=str(shots / "bao-cao-tc3.png"))

    with page.expect_download() as waiting:
        page.click("#download-docx")
    download = waiting.value
    assert download.suggested_filename == "bao-cao-Ngọc Đào.docx"
    document = docx.Document(io.BytesIO(Path(download.path()).read_bytes()))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].rows[0].cells[1].text
    criteria = document.tables[1]
    tc3_row = next(row for row in criteria.rows if row.cells[1].text.startswith("TC3."))
    assert tc3_row.cells[2].text == "KHÔNG ĐẠT" and "Xóm 7" in tc3_row.cells[3].text


def test_a_provincial_officer_filters_200_communes_by_a_failing_criterion(
    page, server, shots, tmp_path
):
    path = province(tmp_path / "tỉnh-200-xã.json", 200)
    ruleset = antq_rules.load(antq_rules.shipped(XA))
    results = [ruleset.evaluate(r, year=2021) for r in json.loads(path.read_text("utf-8"))]
    counts = {
        c.id: sum(1 for r in results if r.statuses[c.id] is Status.FAIL) for c in ruleset.criteria
    }
    criterion = max(counts, key=lambda cid: counts[cid])  # (the one most communes fail)

    upload(page, server, path, XA, year="2021")
    assert page.locator("#subjects tbody tr").count() == 200
    assert page.locator("svg.chart").count() == 1
    page.screenshot(path=str(shots / "bang-tong-hop.png"))

    page.select_option("#filter-failing", criterion)
    with page.expect_navigation():
        page.click("#filter-apply")
    rows = page.locator("#subjects tbody tr")
    assert rows.count() == counts[criterion]
    assert page.inner_text("#shown") == f"Hiển thị {counts[criterion]} trên 200 đối tượng"
    for index in range(rows.count()):
        assert criterion in rows.nth(index).locator("td").last.inner_text().split(", ")
    page.screenshot(path=str(shots / "bang-tong-hop-loc.png"))

    with page.expect_navigation():
        rows.first.locator("a").click()
    assert page.locator("#report").count() == 1 and page.locator("#back-dashboard").count() == 1


def test_the_editor_shows_a_misspelt_field_with_its_suggestion_as_one_types(page, server, shots):
    page.goto(f"{server}/editor?ruleset={NGOC_DAO}")
    source = page.locator("#source")
    text = source.input_value()
    assert "recognised_safe" in text
    source.fill(text.replace("public_units.recognised_safe", "public_units.recognized_safe"))
    problem = page.locator("#diagnostics li.error")
    problem.wait_for()
    said = problem.inner_text()
    assert "recognized_safe" in said and "có phải ý bạn là `recognised_safe`?" in said
    assert "dòng 45, cột 22" in said
    page.screenshot(path=str(shots / "soan-thao.png"))
    source.fill(text)
    page.locator("#diagnostics li.ok").wait_for()


def test_switching_to_english(page, server, shots):
    page.goto(server + "/")
    with page.expect_navigation():
        page.click("#lang-switch")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h2", has_text="Choose a ruleset").count() == 1
    upload(page, server, TC3, NGOC_DAO)
    assert "FAIL" in page.locator("#report").inner_text()
    assert page.locator("#download-docx").inner_text() == "Official report (.docx)"
    page.screenshot(path=str(shots / "report-en.png"))


def test_with_a_token_the_browser_signs_in_first(browser, shots):
    with running(create_app(Settings(host="0.0.0.0", token=TOKEN))) as base:
        tab = browser.new_page()
        try:
            answer = tab.goto(base + "/")
            assert answer is not None and answer.status == 401
            tab.fill("input[name=token]", "wrong")
            with tab.expect_navigation():
                tab.click("button[type=submit]")
            assert "mã truy cập không đúng" in tab.inner_text("#problem")
            tab.fill("input[name=token]", TOKEN)
            with tab.expect_navigation():
                tab.click("button[type=submit]")
            assert tab.locator("#about").count() == 1
            tab.screenshot(path=str(shots / "dang-nhap.png"))
        finally:
            tab.close()
            browser.clear_cookies()
