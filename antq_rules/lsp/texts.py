"""What the language server says that the core's messages do not: hover texts,
completion details, quick-fix titles — in English and Vietnamese.

(These are candidates for `antq_rules/messages.py`; they live here while the
server is the only one to say them.)
"""

from __future__ import annotations

from collections.abc import Mapping

TEXTS: Mapping[str, Mapping[str, str]] = {
    # ---- hover
    "field-of": {
        "en": "field of `{entity}`{label}",
        "vi": "trường của `{entity}`{label}",
    },
    "param": {"en": "parameter", "vi": "tham số"},
    "param-value": {"en": "value: `{value}`", "vi": "giá trị: `{value}`"},
    "param-overridden": {
        "en": "value: `{value}` (set by `override param`; declared as `{base}`)",
        "vi": "giá trị: `{value}` (đặt lại bằng `override param`; khai báo là `{base}`)",
    },
    "define": {"en": "definition", "vi": "định nghĩa"},
    "type": {"en": "type: `{type}`", "vi": "kiểu: `{type}`"},
    "criterion": {"en": "criterion", "vi": "tiêu chí"},
    "source": {"en": "source: {source}", "vi": "nguồn: {source}"},
    "group": {"en": "group: `{name}` {title}", "vi": "nhóm: `{name}` {title}"},
    "points": {"en": "points: {points}", "vi": "điểm: {points}"},
    "entity": {"en": "entity", "vi": "thực thể"},
    "fields": {"en": "{count} fields", "vi": "{count} trường"},
    "enum": {"en": "enum", "vi": "kiểu liệt kê"},
    "ruleset": {"en": "ruleset", "vi": "bộ tiêu chí"},
    "subject": {"en": "subject: `{name}`", "vi": "đối tượng: `{name}`"},
    "declared-in": {"en": "declared in `{path}`", "vi": "khai báo tại `{path}`"},
    "file": {"en": "file `{path}`", "vi": "tệp `{path}`"},
    "builtin-period": {
        "en": "`period`: the evaluation period (`start`, `end`, `year`)",
        "vi": "`period`: kỳ đánh giá (`start`, `end`, `year`)",
    },
    "builtin-it": {
        "en": "`it`: the current item of the aggregate, of type `{type}`",
        "vi": "`it`: phần tử đang xét của hàm tổng hợp, kiểu `{type}`",
    },
    "builtin-score": {
        "en": "`score`: the points earned by the criteria that apply",
        "vi": "`score`: tổng điểm đạt được của các tiêu chí được áp dụng",
    },
    "builtin-max_score": {
        "en": "`max_score`: the most points the criteria that apply can earn",
        "vi": "`max_score`: tổng điểm tối đa của các tiêu chí được áp dụng",
    },
    "builtin-level": {
        "en": "`level`: the level reached (in `verdict`)",
        "vi": "`level`: mức xếp loại đạt được (dùng trong `verdict`)",
    },
    "date-part": {
        "en": "`{name}`: part of a date (`int`)",
        "vi": "`{name}`: thành phần của ngày (`int`)",
    },
    "period-part": {
        "en": "`{name}`: part of a period (`{type}`)",
        "vi": "`{name}`: thành phần của kỳ (`{type}`)",
    },
    # ---- aggregate functions: one line each
    "fn-count": {
        "en": "the number of items that meet the condition (or of true values in a list of "
        "`bool`); 0 for no items",
        "vi": "số phần tử thỏa điều kiện (hoặc số giá trị đúng của danh sách `bool`); "
        "bằng 0 khi không có phần tử nào",
    },
    "fn-ratio": {
        "en": "the share of items that meet the test, exactly; undefined for no items "
        "(use ?? to give a fallback)",
        "vi": "tỉ lệ phần tử đạt phép thử, tính chính xác; không xác định khi không có "
        "phần tử nào (dùng ?? để cho giá trị thay thế)",
    },
    "fn-all": {
        "en": "true when every item meets the test; true for no items",
        "vi": "đúng khi mọi phần tử đạt phép thử; đúng khi không có phần tử nào",
    },
    "fn-any": {
        "en": "true when at least one item meets the test; false for no items",
        "vi": "đúng khi có ít nhất một phần tử đạt phép thử; sai khi không có phần tử nào",
    },
    "fn-none": {
        "en": "true when no item meets the test; true for no items",
        "vi": "đúng khi không phần tử nào đạt phép thử; đúng khi không có phần tử nào",
    },
    "fn-sum": {
        "en": "the sum of a number per item; 0 for no items",
        "vi": "tổng của một số theo từng phần tử; bằng 0 khi không có phần tử nào",
    },
    "fn-avg": {
        "en": "the average of a number per item, exactly; undefined for no items "
        "(use ?? to give a fallback)",
        "vi": "trung bình của một số theo từng phần tử, tính chính xác; không xác định khi "
        "không có phần tử nào (dùng ?? để cho giá trị thay thế)",
    },
    "fn-min": {
        "en": "the smallest number or date of the items; undefined for no items",
        "vi": "số hoặc ngày nhỏ nhất của các phần tử; không xác định khi không có phần tử nào",
    },
    "fn-single": {
        "en": "the one item of the list; no item: not known (a row is missing); more: a data error",
        "vi": "phần tử duy nhất của danh sách; không có: chưa rõ (thiếu một dòng); "
        "nhiều hơn một: lỗi dữ liệu",
    },
    "fn-max": {
        "en": "the largest number or date of the items; undefined for no items",
        "vi": "số hoặc ngày lớn nhất của các phần tử; không xác định khi không có phần tử nào",
    },
    "fn-passes": {
        "en": "true when the criterion was judged and passed (N/A is not a pass); for "
        "another ruleset, whether the item it judges meets it",
        "vi": "đúng khi tiêu chí được đánh giá và đạt (N/A không tính là đạt); với bộ "
        "tiêu chí khác: phần tử mà bộ đó đánh giá có đạt hay không",
    },
    "fn-applies": {
        "en": "true when the criterion applies (it was judged, not N/A)",
        "vi": "đúng khi tiêu chí được áp dụng (được đánh giá, không phải N/A)",
    },
    # ---- keywords (completion details)
    "kw-ruleset": {"en": "a ruleset's header", "vi": "phần đầu của bộ tiêu chí"},
    "kw-criterion": {"en": "a criterion", "vi": "một tiêu chí"},
    "kw-replace criterion": {
        "en": "a new definition of a criterion of the base",
        "vi": "định nghĩa lại một tiêu chí của bộ gốc",
    },
    "kw-drop criterion": {
        "en": "remove a criterion of the base",
        "vi": "bỏ một tiêu chí của bộ gốc",
    },
    "kw-param": {"en": "a parameter with its default", "vi": "tham số và giá trị mặc định"},
    "kw-override param": {
        "en": "change a parameter of the base",
        "vi": "đặt lại tham số của bộ gốc",
    },
    "kw-define": {"en": "a named expression", "vi": "biểu thức được đặt tên"},
    "kw-override define": {
        "en": "change a definition of the base",
        "vi": "định nghĩa lại một định nghĩa của bộ gốc",
    },
    "kw-group": {"en": "a group of the criteria below", "vi": "nhóm các tiêu chí bên dưới"},
    "kw-entity": {"en": "an entity of the schema", "vi": "thực thể của lược đồ dữ liệu"},
    "kw-enum": {"en": "a list of allowed values", "vi": "danh sách giá trị cho phép"},
    "kw-use": {"en": "use another file", "vi": "dùng một tệp khác"},
    "kw-level": {"en": "a level, best first", "vi": "mức xếp loại, mức cao nhất trước"},
    "kw-verdict": {"en": "the verdict's expression", "vi": "biểu thức kết luận"},
    "kw-option": {"en": "an option", "vi": "tùy chọn"},
    "kw-operator": {"en": "an operator", "vi": "toán tử"},
    # ---- completion details
    "scalar-type": {"en": "a type", "vi": "kiểu dữ liệu"},
    "value-of": {"en": "a value of `{type}`", "vi": "giá trị của `{type}`"},
    "shipped-file": {"en": "a shipped ruleset file", "vi": "tệp có sẵn trong thư viện"},
    # ---- diagnostics and quick fixes
    "in-file": {"en": "in `{path}`: {message}", "vi": "trong `{path}`: {message}"},
    "problem-here": {"en": "the problem is here", "vi": "vị trí của lỗi"},
    "replace-with": {"en": "Replace with `{text}`", "vi": "Thay bằng `{text}`"},
}


def say(key: str, lang: str, **params: object) -> str:
    """A text in `lang` (English when that language lacks it), filled in."""
    entry = TEXTS[key]
    template = entry.get(lang) or entry["en"]
    return template.format(**params) if params else template


FUNCTION_SIGNATURES: Mapping[str, str] = {
    "count": "count(list where condition)",
    "ratio": "ratio(list where condition, test)",
    "all": "all(list where condition, test)",
    "any": "any(list where condition, test)",
    "none": "none(list where condition, test)",
    "sum": "sum(list where condition, value)",
    "avg": "avg(list where condition, value)",
    "min": "min(list where condition, value)",
    "max": "max(list where condition, value)",
    "single": "single(list where condition)",
    "passes": "passes(criterion or ruleset)",
    "applies": "applies(criterion)",
}


def function_doc(name: str, lang: str) -> str:
    """`ratio(list where condition, test) — the share …`"""
    return f"{FUNCTION_SIGNATURES[name]} — {say('fn-' + name, lang)}"
