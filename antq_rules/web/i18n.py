"""The pages' own words, in Vietnamese (the default) and English.

Words of reports and messages come from `antq_rules.messages`, as for every
other tool; these are the words of the pages around them. The language is
the `lang` of the request, else the one the visitor chose (a cookie), else
Vietnamese.
"""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import HTTPConnection

from ..messages import word as library_word
from .security import LANG_COOKIE

LANGS = ("vi", "en")

WORDS: dict[str, tuple[str, str]] = {
    # (vi, en)
    "app name": ("Đánh giá tiêu chí ANTT, ANTQ", "ANTT and ANTQ criteria"),
    "home": ("Trang chủ", "Home"),
    "editor": ("Soạn bộ tiêu chí", "Ruleset editor"),
    "api": ("API", "API"),
    "sign out": ("Đăng xuất", "Sign out"),
    "sign in": ("Đăng nhập", "Sign in"),
    "token": ("Mã truy cập", "Access token"),
    "sign in intro": (
        "Máy chủ này chứa hồ sơ của đơn vị: hãy nhập mã truy cập do người quản trị cung cấp.",
        "This server holds an office's records: enter the access token its administrator gave you.",
    ),
    "choose ruleset": ("1. Chọn bộ tiêu chí", "1. Choose a ruleset"),
    "ruleset": ("Bộ tiêu chí", "Ruleset"),
    "shipped": ("Bộ tiêu chí có sẵn", "Shipped rulesets"),
    "server folder": ("Bộ tiêu chí của đơn vị", "This office's rulesets"),
    "show": ("Xem", "Show"),
    "what it judges": ("2. Bộ tiêu chí đánh giá những gì", "2. What it judges"),
    "subject": ("Đối tượng đánh giá", "Subject"),
    "period": ("Kỳ đánh giá", "Evaluation period"),
    "annual": ("(theo năm: cần cho năm đánh giá)", "(annual: give the year)"),
    "version": ("Phiên bản", "Version"),
    "effective": ("Hiệu lực từ", "In force from"),
    "basis": ("Căn cứ", "Legal basis"),
    "params": ("Tham số", "Parameters"),
    "param": ("Tham số", "Parameter"),
    "value": ("Giá trị", "Value"),
    "description": ("Mô tả", "Description"),
    "criteria": ("Tiêu chí", "Criteria"),
    "criterion": ("Tiêu chí", "Criterion"),
    "kind": ("Loại", "Kind"),
    "source": ("Nguồn", "Source"),
    "kind mandatory": ("bắt buộc", "mandatory"),
    "kind scored": ("tính điểm", "scored"),
    "kind provisional": ("tạm thời", "provisional"),
    "kind other": ("không bắt buộc", "not mandatory"),
    "points": ("điểm", "points"),
    "template": ("3. Tải mẫu nhập liệu", "3. Download the data template"),
    "template intro": (
        "Điền số liệu vào mẫu (mỗi trang tính một danh sách), rồi tải lên ở bước 4.",
        "Fill in the template (one sheet a list), then upload it in step 4.",
    ),
    "template xlsx": ("Mẫu Excel (.xlsx)", "Excel template (.xlsx)"),
    "template csv": ("Mẫu CSV (.zip)", "CSV template (.zip)"),
    "upload": ("4. Tải dữ liệu lên và đánh giá", "4. Upload data and judge"),
    "data file": (
        "Tệp dữ liệu (.xlsx, .zip các tệp CSV, .json, .yaml)",
        "Data file (.xlsx, .zip of CSV files, .json, .yaml)",
    ),
    "year": ("Năm đánh giá", "Evaluation year"),
    "period field": (
        "hoặc kỳ đánh giá (YYYY-MM-DD..YYYY-MM-DD)",
        "or period (YYYY-MM-DD..YYYY-MM-DD)",
    ),
    "overrides": (
        "Thay đổi tham số (để trống: giữ mặc định)",
        "Change parameters (empty: keep the default)",
    ),
    "more params": (
        "Tham số khác (mỗi dòng một TÊN=GIÁ_TRỊ)",
        "Other parameters (one NAME=VALUE a line)",
    ),
    "own ruleset": (
        "Hoặc dùng bộ tiêu chí của bạn (dán văn bản hoặc tải tệp .antq)",
        "Or use your own ruleset (paste its text or upload a .antq file)",
    ),
    "ruleset text": ("Văn bản bộ tiêu chí", "Ruleset text"),
    "ruleset file": ("Tệp bộ tiêu chí (.antq)", "Ruleset file (.antq)"),
    "own ruleset note": (
        "Bộ tiêu chí dán vào chỉ được dùng (use) thư viện có sẵn (antq:…) và thư mục bộ tiêu chí "
        "của máy chủ.",
        "A pasted ruleset may `use` only the shipped library (antq:…) and the server's rulesets "
        "folder.",
    ),
    "judge": ("Đánh giá", "Judge"),
    "problem": ("Có lỗi", "There is a problem"),
    "report": ("Báo cáo", "Report"),
    "downloads": ("Tải về", "Downloads"),
    "download docx": ("Báo cáo chính thức (.docx)", "Official report (.docx)"),
    "download html": ("Trang HTML", "HTML page"),
    "download json": ("JSON", "JSON"),
    "download xlsx": ("Bảng kết quả (.xlsx)", "Table of results (.xlsx)"),
    "letterhead": (
        "Thông tin cho báo cáo .docx (không bắt buộc)",
        "Letterhead of the .docx (optional)",
    ),
    "parent body": ("Cơ quan chủ quản", "Parent body"),
    "issuer": ("Cơ quan ban hành", "Issuing body"),
    "doc number": ("Số văn bản", "Document number"),
    "place": ("Địa danh", "Place"),
    "signer title": ("Chức vụ người ký", "Signer's title"),
    "signer name": ("Họ tên người ký", "Signer's name"),
    "make docx": ("Tạo báo cáo .docx", "Make the .docx"),
    "back dashboard": ("← Bảng tổng hợp", "← Dashboard"),
    "dashboard": ("Bảng tổng hợp", "Dashboard"),
    "subjects": ("đối tượng", "subjects"),
    "filter": ("Lọc", "Filter"),
    "verdict": ("Kết quả", "Verdict"),
    "any": ("(tất cả)", "(any)"),
    "failing criterion": ("Không đạt tiêu chí", "Failing criterion"),
    "sort": ("Sắp xếp", "Sort"),
    "level": ("Xếp loại", "Level"),
    "met": ("Số tiêu chí đạt", "Criteria met"),
    "name": ("Tên", "Name"),
    "open": ("Xem báo cáo", "Open report"),
    "shown": ("Hiển thị {shown} trên {total} đối tượng", "Showing {shown} of {total} subjects"),
    "chart title": ("Tỉ lệ đạt theo tiêu chí", "Pass rate by criterion"),
    "chart note": (
        "Mỗi thanh: phần đạt (xanh), không đạt (đỏ), chưa xác định (vàng), không áp dụng (xám). "
        "Bấm vào một thanh để lọc các đối tượng không đạt tiêu chí đó.",
        "Each bar: passed (green), failed (red), unknown (amber), not applicable (grey). "
        "Click a bar to list the subjects that failed it.",
    ),
    "previous": ("← Trang trước", "← Previous"),
    "next": ("Trang sau →", "Next →"),
    "editor intro": (
        "Soạn hoặc dán bộ tiêu chí; lỗi được kiểm tra ngay khi gõ (dòng, cột và gợi ý sửa).",
        "Write or paste a ruleset; it is checked as you type (line, column and the suggestion).",
    ),
    "open ruleset": ("Mở bộ tiêu chí", "Open a ruleset"),
    "check": ("Kiểm tra", "Check"),
    "format": ("Định dạng", "Format"),
    "run cases": ("Chạy các ca kiểm thử", "Run the test cases"),
    "cases": (
        "Ca kiểm thử (YAML, như tệp .cases.yaml)",
        "Test cases (YAML, as in a .cases.yaml file)",
    ),
    "diagnostics": ("Kết quả kiểm tra", "Problems"),
    "no problems": ("Không có lỗi.", "No problems."),
    "line col": ("dòng {line}, cột {column}", "line {line}, column {column}"),
    "in file": ("trong {file}", "in {file}"),
    "cases result": ("Kết quả chạy ca kiểm thử", "Test cases run"),
    "case passed": ("đạt", "passed"),
    "case failed": ("KHÔNG ĐẠT", "FAILED"),
    "cases total": ("{passed} đạt, {failed} không đạt", "{passed} passed, {failed} failed"),
    "properties skipped": (
        "{count} thuộc tính (properties) không chạy ở đây; hãy dùng `antq test`.",
        "{count} properties are not run here; use `antq test`.",
    ),
    "checking": ("Đang kiểm tra…", "Checking…"),
    "formatted": ("Đã định dạng.", "Formatted."),
    "privacy": (
        "Dữ liệu tải lên chỉ được giữ trong bộ nhớ máy chủ một thời gian để xem báo cáo; "
        "không ghi ra đĩa.",
        "Uploaded data is kept in the server's memory for a while, for the reports; "
        "it is not written to disk.",
    ),
    "not found": ("Không tìm thấy", "Not found"),
    "uploaded": ("Tệp dữ liệu", "Data file"),
}


def t(key: str, lang: str, **params: object) -> str:
    pair = WORDS.get(key)
    if pair is None:
        return library_word(key, lang)
    text = pair[1] if lang == "en" else pair[0]
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    def translate(key: str, **params: object) -> str:
        return t(key, lang, **params)

    return translate


def lang_of(connection: HTTPConnection) -> str:
    given = connection.scope.get("state", {}).get("lang")  # (an API call's `lang` field)
    if given in LANGS:
        return str(given)
    asked = connection.query_params.get("lang")
    if asked in LANGS:
        return asked
    chosen = connection.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGS else "vi"
