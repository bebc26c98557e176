"""Every sentence antq_rules says to a user, in English and Vietnamese.

Messages are looked up by id and filled with parameters, so the two languages
are two tables rather than two code paths. Style (after Cedar's guide): one
sentence, lower-case start, no trailing period, user input in backticks.
"""

from __future__ import annotations

from collections.abc import Mapping

LANGUAGES = ("en", "vi")

MESSAGES: Mapping[str, Mapping[str, str]] = {
    # ---- parse errors
    "unexpected-char": {
        "en": "unexpected character `{char}`",
        "vi": "ký tự không hợp lệ `{char}`",
    },
    "unexpected-token": {
        "en": "unexpected {found}; expected {expected}",
        "vi": "gặp {found} không đúng chỗ; cần {expected}",
    },
    "unexpected-end": {
        "en": "the text ends too early; expected {expected}",
        "vi": "văn bản kết thúc quá sớm; cần {expected}",
    },
    "chained-comparison": {
        "en": "comparisons cannot be chained; join them with `and`",
        "vi": "không được nối liền các phép so sánh; hãy dùng `and`",
    },
    "single-equals": {
        "en": "`=` is not a comparison; write `==`",
        "vi": "`=` không phải phép so sánh; hãy viết `==`",
    },
    "too-deep": {
        "en": "the expression is nested too deeply (more than {limit} levels)",
        "vi": "biểu thức lồng nhau quá sâu (quá {limit} mức)",
    },
    "too-long": {
        "en": "the text is too long ({size} characters; the limit is {limit})",
        "vi": "văn bản quá dài ({size} ký tự; giới hạn là {limit})",
    },
    "bad-date": {
        "en": "`{text}` is not a valid date",
        "vi": "`{text}` không phải ngày hợp lệ",
    },
    "duplicate-option": {
        "en": "`{name}` is given twice",
        "vi": "`{name}` được khai báo hai lần",
    },
    "unknown-language": {
        "en": "unknown language `{name}`; use `en` (the default title is Vietnamese)",
        "vi": "không có ngôn ngữ `{name}`; dùng `en` (tiêu đề mặc định là tiếng Việt)",
    },
    "bad-day-month": {
        "en": '`{text}` is not a day and month (write DD/MM, as "16/11")',
        "vi": '`{text}` không phải ngày/tháng (hãy viết DD/MM, ví dụ "16/11")',
    },
    "bad-escape": {
        "en": "unknown escape `{text}` in a string",
        "vi": "chuỗi có ký tự thoát không hợp lệ `{text}`",
    },
    # ---- schema errors
    "unknown-type": {
        "en": "unknown type `{name}`",
        "vi": "không có kiểu `{name}`",
    },
    "duplicate-entity": {
        "en": "`{name}` is declared twice",
        "vi": "`{name}` được khai báo hai lần",
    },
    "duplicate-field": {
        "en": "field `{name}` is declared twice in `{entity}`",
        "vi": "trường `{name}` được khai báo hai lần trong `{entity}`",
    },
    "duplicate-enum-value": {
        "en": "value `{value}` is listed twice",
        "vi": "giá trị `{value}` bị liệt kê hai lần",
    },
    "bad-generic": {
        "en": "`{name}[…]` is not a type; only `list[…]` takes a type inside brackets",
        "vi": "`{name}[…]` không phải kiểu; chỉ `list[…]` nhận kiểu trong ngoặc",
    },
    "nested-list": {
        "en": "a list of lists is not supported; make the inner list a field of an entity",
        "vi": "không hỗ trợ danh sách lồng danh sách; hãy đặt danh sách trong một thực thể",
    },
    "unknown-subject": {
        "en": "the schema has no entity `{name}`",
        "vi": "lược đồ không có thực thể `{name}`",
    },
    "bad-schema-mapping": {
        "en": "{detail}",
        "vi": "{detail}",
    },
    "bad-class": {
        "en": "cannot derive a schema from `{name}`: {detail}",
        "vi": "không thể suy ra lược đồ từ `{name}`: {detail}",
    },
    # ---- check errors
    "unknown-name": {
        "en": "unknown name `{name}`",
        "vi": "không có tên `{name}`",
    },
    "unknown-field": {
        "en": "`{entity}` has no field `{name}`",
        "vi": "`{entity}` không có trường `{name}`",
    },
    "no-fields": {
        "en": "`{name}` is {type}, which has no fields",
        "vi": "`{name}` có kiểu {type}, không có trường nào",
    },
    "unknown-function": {
        "en": "unknown function `{name}`",
        "vi": "không có hàm `{name}`",
    },
    "needs-bool": {
        "en": "{what} needs true/false values, but this is {type}",
        "vi": "{what} cần giá trị đúng/sai, nhưng đây là {type}",
    },
    "needs-number": {
        "en": "{what} needs numbers, but this is {type}",
        "vi": "{what} cần số, nhưng đây là {type}",
    },
    "needs-list": {
        "en": "{what} needs a list, but this is {type}",
        "vi": "{what} cần một danh sách, nhưng đây là {type}",
    },
    "needs-item-value": {
        "en": "`{func}` over {type} needs a value for each item, as in `{func}(items, field)`",
        "vi": "`{func}` trên {type} cần một giá trị cho mỗi phần tử, ví dụ `{func}(items, field)`",
    },
    "bad-comparison": {
        "en": "cannot compare {left} with {right}",
        "vi": "không thể so sánh {left} với {right}",
    },
    "bad-ordering": {
        "en": "`{op}` needs numbers or dates on both sides, not {left} and {right}",
        "vi": "`{op}` cần số hoặc ngày ở cả hai vế, không phải {left} và {right}",
    },
    "bad-membership": {
        "en": "cannot look for {left} in {right}",
        "vi": "không thể tìm {left} trong {right}",
    },
    "not-enum-value": {
        "en": "`{value}` is not a value of {type}",
        "vi": "`{value}` không phải giá trị của {type}",
    },
    "mixed-list": {
        "en": "a list must hold one kind of value; found {first} and {other}",
        "vi": "danh sách phải cùng một kiểu giá trị; gặp {first} và {other}",
    },
    "bad-fallback": {
        "en": "both sides of `??` must have the same type, not {left} and {right}",
        "vi": "hai vế của `??` phải cùng kiểu, không phải {left} và {right}",
    },
    "bad-concat": {
        "en": "`+` joins two lists of the same kind of item, not {left} and {right}",
        "vi": "`+` nối hai danh sách cùng loại phần tử, không phải {left} và {right}",
    },
    "bad-range": {
        "en": "`..` needs dates on both sides, not {left} and {right}",
        "vi": "`..` cần ngày ở cả hai vế, không phải {left} và {right}",
    },
    "bad-arity": {
        "en": "`{name}` takes {expected}, not {given}",
        "vi": "`{name}` nhận {expected}, không phải {given}",
    },
    "needs-ordered": {
        "en": "`{func}` needs numbers or dates, but this is {type}",
        "vi": "`{func}` cần số hoặc ngày, nhưng đây là {type}",
    },
    "it-outside-aggregate": {
        "en": "`it` means the current item and can only be used inside an aggregate",
        "vi": "`it` là phần tử hiện tại, chỉ dùng được bên trong hàm tổng hợp",
    },
    "no-period": {
        "en": "`period` is used but no evaluation period was given",
        "vi": "dùng `period` nhưng chưa cho kỳ đánh giá",
    },
    "not-bool-expression": {
        "en": "this expression must be true or false, but it is {type}",
        "vi": "biểu thức này phải là đúng/sai, nhưng lại có kiểu {type}",
    },
    # ---- rulesets
    "missing-file": {
        "en": "cannot find the file `{path}`",
        "vi": "không tìm thấy tệp `{path}`",
    },
    "unreadable-file": {
        "en": "cannot read `{path}`: {detail}",
        "vi": "không đọc được `{path}`: {detail}",
    },
    "not-utf8": {
        "en": "`{path}` is not UTF-8 text; save it as UTF-8",
        "vi": "`{path}` không phải văn bản UTF-8; hãy lưu lại dạng UTF-8",
    },
    "import-cycle": {
        "en": "files use or extend each other in a circle: {chain}",
        "vi": "các tệp dùng hoặc mở rộng lẫn nhau thành vòng: {chain}",
    },
    "duplicate-header": {
        "en": "a file can declare only one `ruleset`",
        "vi": "mỗi tệp chỉ khai báo một `ruleset`",
    },
    "missing-header": {
        "en": "`{path}` has no `ruleset` header",
        "vi": "`{path}` không có phần khai báo `ruleset`",
    },
    "missing-subject": {
        "en": "ruleset `{id}` does not say what it judges; add `subject <entity>`",
        "vi": "bộ tiêu chí `{id}` chưa nói đối tượng đánh giá; hãy thêm `subject <thực thể>`",
    },
    "missing-title": {
        "en": 'ruleset `{id}` needs a Vietnamese title: `title "…"`',
        "vi": 'bộ tiêu chí `{id}` cần tiêu đề tiếng Việt: `title "…"`',
    },
    "unknown-param": {
        "en": "there is no parameter `{name}`",
        "vi": "không có tham số `{name}`",
    },
    "unknown-define": {
        "en": "there is no definition `{name}` to override",
        "vi": "không có định nghĩa `{name}` để ghi đè",
    },
    "unknown-group": {
        "en": "there is no group `{name}`; give it a title to declare it",
        "vi": "không có nhóm `{name}`; hãy thêm tiêu đề để khai báo nhóm",
    },
    "unknown-criterion": {
        "en": "there is no criterion `{name}`",
        "vi": "không có tiêu chí `{name}`",
    },
    "duplicate-param": {
        "en": "parameter `{name}` is declared twice",
        "vi": "tham số `{name}` được khai báo hai lần",
    },
    "duplicate-define": {
        "en": "definition `{name}` is declared twice",
        "vi": "định nghĩa `{name}` được khai báo hai lần",
    },
    "duplicate-group": {
        "en": "group `{name}` is declared twice",
        "vi": "nhóm `{name}` được khai báo hai lần",
    },
    "duplicate-criterion": {
        "en": "criterion `{name}` is declared twice",
        "vi": "tiêu chí `{name}` được khai báo hai lần",
    },
    "param-type": {
        "en": "parameter `{name}` is {expected}, not {got}",
        "vi": "tham số `{name}` có kiểu {expected}, không phải {got}",
    },
    "param-not-constant": {
        "en": "a parameter's value must be a constant such as `70%`; it cannot read data",
        "vi": "giá trị tham số phải là hằng số như `70%`; không được đọc dữ liệu",
    },
    "empty-criterion": {
        "en": "criterion `{id}` has no test, items or points tiers",
        "vi": "tiêu chí `{id}` chưa có điều kiện, mục chấm điểm hay mức điểm",
    },
    "points-twice": {
        "en": "criterion `{id}` gives `points` and also items or tiers; give one of them",
        "vi": "tiêu chí `{id}` vừa có `points` vừa có mục hoặc mức điểm; chỉ dùng một cách",
    },
    "level-otherwise-last": {
        "en": "level `{name}` has no condition, so it must be the last level",
        "vi": "mức `{name}` không có điều kiện nên phải là mức cuối cùng",
    },
    "criterion-cycle": {
        "en": "criteria depend on each other in a circle: {chain}",
        "vi": "các tiêu chí phụ thuộc lẫn nhau thành vòng: {chain}",
    },
    "bad-reference": {
        "en": "`{name}` takes the id of a criterion or a ruleset",
        "vi": "`{name}` nhận mã của một tiêu chí hoặc một bộ tiêu chí",
    },
    "unknown-reference": {
        "en": "there is no criterion or ruleset `{name}`",
        "vi": "không có tiêu chí hay bộ tiêu chí `{name}`",
    },
    "ruleset-subject": {
        "en": "ruleset `{name}` judges `{subject}`, but here the item is `{here}`",
        "vi": "bộ tiêu chí `{name}` đánh giá `{subject}`, nhưng ở đây phần tử là `{here}`",
    },
    "no-cases": {
        "en": "`{path}` has no test cases file next to it (`<name>.cases.yaml`)",
        "vi": "`{path}` không có tệp ca kiểm thử đi kèm (`<tên>.cases.yaml`)",
    },
    "bad-yaml": {
        "en": "{where}: this is not valid YAML: {detail}",
        "vi": "{where}: YAML không hợp lệ: {detail}",
    },
    "bad-cases": {
        "en": "{file}: {at}: {detail}",
        "vi": "{file}: {at}: {detail}",
    },
    "cases-unknown-key": {
        "en": "{file}: {at}: unknown key `{key}`; the keys here are {known}",
        "vi": "{file}: {at}: không có khóa `{key}`; các khóa ở đây là {known}",
    },
    "unknown-evaluator": {
        "en": "unknown evaluator `{name}`; use one of {known}",
        "vi": "không có bộ đánh giá `{name}`; hãy dùng một trong {known}",
    },
    "bad-encoding": {
        "en": "{where}: cannot read the text ({detail}); save it as UTF-8, or give --encoding",
        "vi": "{where}: không đọc được văn bản ({detail}); hãy lưu dạng UTF-8 hoặc dùng --encoding",
    },
    "bad-json-at": {
        "en": "{where}: this is not valid JSON: {detail}",
        "vi": "{where}: JSON không hợp lệ: {detail}",
    },
    "unknown-column": {
        "en": "{where}: no field matches the column `{column}`{hint}",
        "vi": "{where}: không có trường nào ứng với cột `{column}`{hint}",
    },
    "missing-table": {
        "en": "there is no table `{table}` (a `{table}.csv` file or sheet); found: {known}",
        "vi": "không có bảng `{table}` (tệp `{table}.csv` hoặc trang tính); đã thấy: {known}",
    },
    "unknown-table": {
        "en": "no list of the schema matches the table `{table}`{hint}",
        "vi": "không có danh sách nào của lược đồ ứng với bảng `{table}`{hint}",
    },
    "bad-cell": {
        "en": "{where}: expected {expected}, got {got}",
        "vi": "{where}: cần {expected}, nhận được {got}",
    },
    "duplicate-table": {
        "en": "{where}: a second table for the list `{table}`; keep one",
        "vi": "{where}: bảng thứ hai cho danh sách `{table}`; hãy giữ một bảng",
    },
    "duplicate-id": {
        "en": "{where}: the id `{id}` is used twice",
        "vi": "{where}: mã `{id}` bị dùng hai lần",
    },
    "missing-link": {
        "en": "{where}: the column `{column}` is needed to say which row this one belongs to",
        "vi": "{where}: cần cột `{column}` để biết dòng này thuộc về dòng nào",
    },
    "unknown-parent": {
        "en": "{where}: `{column}` is `{id}`, but no row of `{table}` has that id",
        "vi": "{where}: `{column}` là `{id}`, nhưng bảng `{table}` không có dòng nào mang mã đó",
    },
    "bad-csv": {
        "en": "{where}: this is not a readable CSV file: {detail}",
        "vi": "{where}: tệp CSV không đọc được: {detail}",
    },
    "csv-open-quote": {
        "en": '{where}: a quote (") opened in this row is never closed, so the rest of the '
        "file would be read as one cell; close the quote or remove it",
        "vi": '{where}: dấu ngoặc kép (") mở ở dòng này không được đóng, nên phần còn lại của '
        "tệp sẽ bị đọc thành một ô; hãy đóng hoặc xóa dấu ngoặc kép đó",
    },
    "duplicate-column": {
        "en": "{where}: columns {first} and {second} are both `{column}`; keep one "
        "(which one counts cannot be told)",
        "vi": "{where}: cột {first} và cột {second} đều là `{column}`; hãy giữ một cột "
        "(không thể biết cột nào được tính)",
    },
    "warn-orphan-rows": {
        "en": "{where}: rows {rows} belong to no row of `{parent}`, so no one can tell whose "
        "they are; the list `{table}` ({label}) is unknown for every subject of the file",
        "vi": "{where}: các dòng {rows} không thuộc dòng nào của `{parent}` nên không biết là "
        "của ai; "
        "danh sách `{table}` ({label}) được coi là chưa rõ với mọi đối tượng trong tệp",
    },
    "warn-ambiguous-rows": {
        "en": "{where}: rows {rows} link by `{column}` to {ids}, an id that more than one row "
        "of `{parent}` uses, so no one can tell whose they are; the list `{table}` ({label}) "
        "is unknown for this subject",
        "vi": "{where}: các dòng {rows} liên kết qua `{column}` tới {ids}, mã mà nhiều dòng "
        "của `{parent}` cùng dùng, nên không biết là của ai; danh sách `{table}` ({label}) "
        "được coi là chưa rõ với đối tượng này",
    },
    "empty-data-file": {
        "en": "`{path}` is empty: it holds no data (only blanks or comments)",
        "vi": "`{path}` rỗng: tệp không có dữ liệu (chỉ có khoảng trắng hoặc chú thích)",
    },
    "no-tables": {
        "en": "`{path}` holds no .csv file",
        "vi": "`{path}` không có tệp .csv nào",
    },
    "csv-needs-folder": {
        "en": "`{path}`: give the folder that holds the CSV files (one per list), not one file",
        "vi": "`{path}`: hãy chỉ ra thư mục chứa các tệp CSV (mỗi danh sách một tệp), "
        "không phải một tệp",
    },
    "needs-openpyxl": {
        "en": "reading and writing .xlsx needs openpyxl: pip install 'antq-rules[xlsx]'",
        "vi": "đọc và ghi .xlsx cần openpyxl: pip install 'antq-rules[xlsx]'",
    },
    "bad-xlsx": {
        "en": "`{path}` is not a readable Excel workbook: {detail}",
        "vi": "`{path}` không phải sổ tính Excel đọc được: {detail}",
    },
    "needs-lsp": {
        "en": "the language server needs pygls: pip install 'antq-rules[lsp]' ({detail})",
        "vi": "máy chủ ngôn ngữ cần pygls: pip install 'antq-rules[lsp]' ({detail})",
    },
    "needs-hypothesis": {
        "en": "antq_rules.testing needs Hypothesis: pip install 'antq-rules[testing]'",
        "vi": "antq_rules.testing cần Hypothesis: pip install 'antq-rules[testing]'",
    },
    "needs-subject": {
        "en": "give the subject entity: a schema alone does not say which entity is judged",
        "vi": "hãy cho biết thực thể đối tượng: riêng lược đồ không cho biết "
        "thực thể nào được đánh giá",
    },
    "no-threshold": {
        "en": "criterion `{id}` has no `ratio(…)` or `count(…)` threshold "
        "over a list of the subject",
        "vi": "tiêu chí `{id}` không có ngưỡng `ratio(…)` hay `count(…)` "
        "trên một danh sách của đối tượng",
    },
    "no-exemplars": {
        "en": "could not find items of `{list}` that meet the test and items that do not; "
        "give them in `base`",
        "vi": "không tìm được phần tử của `{list}` đạt và không đạt điều kiện; hãy đưa vào `base`",
    },
    "bad-format": {
        "en": "unknown format or language `{name}`; use one of {known}",
        "vi": "không có định dạng hay ngôn ngữ `{name}`; hãy dùng một trong {known}",
    },
    # ---- data errors
    "data-type": {
        "en": "expected {expected}, got {got}",
        "vi": "cần {expected}, nhận được {got}",
    },
    "data-enum": {
        "en": "`{value}` is not one of {values}",
        "vi": "`{value}` không thuộc {values}",
    },
    "data-date": {
        "en": "`{value}` is not a date (write YYYY-MM-DD)",
        "vi": "`{value}` không phải ngày (hãy viết YYYY-MM-DD)",
    },
    "bad-period": {
        "en": "bad period {value}: give two dates, start then end",
        "vi": "kỳ đánh giá {value} không hợp lệ: cần hai ngày, bắt đầu rồi kết thúc",
    },
    "bad-year": {
        "en": "the evaluation year must be a whole number from {low} to {high}, not {value}",
        "vi": "năm đánh giá phải là số nguyên từ {low} đến {high}, không phải {value}",
    },
    "param-not-enum-value": {
        "en": "parameter `{name}` is `{value}`, which is not a value of {type}",
        "vi": "tham số `{name}` bằng `{value}`, không phải giá trị của {type}",
    },
    "applies-uses-criterion": {
        "en": "the ruleset's `applies when` cannot use criterion `{name}`: criteria are "
        "judged only where the ruleset applies",
        "vi": "`applies when` của bộ tiêu chí không thể dùng tiêu chí `{name}`: các tiêu chí "
        "chỉ được đánh giá khi bộ tiêu chí được áp dụng",
    },
    "year-not-period": {
        "en": "the evaluation year {year} is not the year of the period {start} .. {end}; "
        "give the year or the period, not both (a ruleset with fixed dates needs neither)",
        "vi": "năm đánh giá {year} không phải năm của kỳ {start} .. {end}; hãy chỉ ghi năm "
        "hoặc kỳ, không ghi cả hai (bộ tiêu chí có ngày cố định thì không cần ghi)",
    },
    "period-reversed": {
        "en": "the period {start} .. {end} ends before it starts; give the start first",
        "vi": "kỳ {start} .. {end} kết thúc trước khi bắt đầu; hãy ghi ngày bắt đầu trước",
    },
    "single-many": {
        "en": "`{expr}` must give one item but gives {count}: {rows}; keep one of them",
        "vi": "`{expr}` phải cho đúng một phần tử nhưng cho {count}: {rows}; hãy giữ lại một",
    },
    "data-too-deep": {
        "en": "the data is nested too deeply",
        "vi": "dữ liệu lồng nhau quá sâu",
    },
    # ---- limits on what a data file may hold (antq_rules.limits)
    "unknown-limit": {
        "en": "there is no limit `{name}`; the limits are {known}",
        "vi": "không có giới hạn `{name}`; các giới hạn là {known}",
    },
    "bad-limit": {
        "en": "limit `{name}` needs a positive whole number (e.g. `cells=10000000`, "
        "`file_bytes=1GB`), not `{value}`",
        "vi": "giới hạn `{name}` cần một số nguyên dương (ví dụ `cells=10000000`, "
        "`file_bytes=1GB`), không phải `{value}`",
    },
    "limit-too-high": {
        "en": "limit `{name}` can be at most {most}, not `{value}`",
        "vi": "giới hạn `{name}` chỉ được tối đa {most}, không phải `{value}`",
    },
    "over-limit": {
        "en": "{where}: {what} is over the limit `{name}` ({limit}); "
        "if the file is genuine, raise it with `--limit {name}=…` or `Limits({name}=…)`",
        "vi": "{where}: {what} vượt giới hạn `{name}` ({limit}); "
        "nếu tệp là thật, hãy nâng giới hạn bằng `--limit {name}=…` hoặc `Limits({name}=…)`",
    },
    "unsafe-xml": {
        "en": "`{path}` declares XML entities or a DOCTYPE, which a workbook never has; "
        "it was not read",
        "vi": "`{path}` khai báo thực thể XML hoặc DOCTYPE, điều mà sổ tính không bao giờ có; "
        "tệp không được đọc",
    },
    "not-a-file": {
        "en": "`{path}` is {kind}, not a file",
        "vi": "`{path}` là {kind}, không phải tệp",
    },
    "link-out": {
        "en": "`{path}` is a link to a file outside `{folder}`, the folder being checked; "
        "it was not read",
        "vi": "`{path}` là liên kết tới tệp nằm ngoài `{folder}`, thư mục đang kiểm tra; "
        "tệp không được đọc",
    },
    "duplicate-key": {
        "en": "{where}: the key `{key}` is given twice in one object; "
        "keep one (JSON readers differ on which one counts)",
        "vi": "{where}: khóa `{key}` xuất hiện hai lần trong một đối tượng; "
        "hãy giữ một (các chương trình đọc JSON hiểu khác nhau về khóa nào được tính)",
    },
    "data-cycle": {
        "en": "{where}: the data refers to itself (a YAML alias inside its own anchor)",
        "vi": "{where}: dữ liệu tự tham chiếu (bí danh YAML nằm trong chính neo của nó)",
    },
    "formula-no-value": {
        "en": "{where}: the formula `{formula}` has no saved value (the file was written by "
        "a program that does not calculate); open it in Excel and save it again",
        "vi": "{where}: công thức `{formula}` chưa có giá trị được lưu (tệp do chương trình "
        "không tính công thức tạo ra); hãy mở tệp bằng Excel rồi lưu lại",
    },
    "excel-error": {
        "en": "{where}: the cell holds the Excel error `{code}`; correct the formula or the value",
        "vi": "{where}: ô chứa lỗi Excel `{code}`; hãy sửa công thức hoặc giá trị",
    },
    "not-a-date": {
        "en": "{where}: the cell holds `{value}` with a date or time format, but {why}; "
        "type the date again, or give the cell a number format",
        "vi": "{where}: ô chứa `{value}` với định dạng ngày hoặc giờ, nhưng {why}; "
        "hãy nhập lại ngày, hoặc đặt định dạng số cho ô",
    },
    "outside-roots": {
        "en": "`{path}` is outside the folders this ruleset may read ({roots}); it was not opened",
        "vi": "`{path}` nằm ngoài các thư mục mà bộ tiêu chí này được đọc ({roots}); "
        "tệp không được mở",
    },
    "not-antq": {
        "en": "`{path}` is not a ruleset file (a ruleset's name ends in `.antq`)",
        "vi": "`{path}` không phải tệp bộ tiêu chí (tên tệp bộ tiêu chí kết thúc bằng `.antq`)",
    },
    "use-too-deep": {
        "en": "`use` and `extends` are nested too deeply (more than {limit} files)",
        "vi": "`use` và `extends` lồng nhau quá sâu (quá {limit} tệp)",
    },
    "share-vs-number": {
        "en": "`{share}` is a share from 0 to 1 (0% to 100%); comparing it with `{value}` "
        "gives the same outcome for every subject",
        "vi": "`{share}` là một tỉ lệ từ 0 đến 1 (0% đến 100%); so sánh với `{value}` "
        "cho cùng một kết quả với mọi đối tượng",
    },
    "share-param": {
        "en": "parameter `{name}` is {value}, but `{share}` is a share from 0 to 1 "
        "(0% to 100%); the comparison would give the same outcome for every subject",
        "vi": "tham số `{name}` bằng {value}, nhưng `{share}` là một tỉ lệ từ 0 đến 1 "
        "(0% đến 100%); phép so sánh sẽ cho cùng một kết quả với mọi đối tượng",
    },
    "param-share": {
        "en": "parameter `{name}` is a share (its default is `{default}`); `{value}` is outside "
        "0..1 (0% to 100%)",
        "vi": "tham số `{name}` là một tỉ lệ (mặc định `{default}`); `{value}` nằm ngoài "
        "0..1 (0% đến 100%)",
    },
    "number-too-long": {
        "en": "this number has too many digits ({count}; at most {limit})",
        "vi": "số này có quá nhiều chữ số ({count}; tối đa {limit})",
    },
    "decimal-comma": {
        "en": "`{text}` has a decimal comma; write `{dot}` or `{percent}`",
        "vi": "`{text}` dùng dấu phẩy thập phân; hãy viết `{dot}` hoặc `{percent}`",
    },
    "cannot-write": {
        "en": "cannot write `{path}`: {detail}",
        "vi": "không ghi được `{path}`: {detail}",
    },
    "record-changed": {
        "en": "the record was changed after it was judged: criterion `{id}` was judged {then} "
        "but the record now gives {now}, so no explanation is given; judge it again, or "
        "evaluate with `explain=True` to keep explanations made when judging",
        "vi": "bản ghi đã bị thay đổi sau khi đánh giá: tiêu chí `{id}` được đánh giá {then} "
        "nhưng bản ghi hiện nay cho {now}, nên không đưa ra giải thích; hãy đánh giá lại, "
        "hoặc đánh giá với `explain=True` để giữ giải thích lập khi đánh giá",
    },
    "records-raised": {
        "en": "the records given raised {detail} after {count} of them; the rest were not judged",
        "vi": "nguồn bản ghi gây ra lỗi {detail} sau {count} bản ghi; các bản ghi còn lại "
        "không được đánh giá",
    },
    "record-raised": {
        "en": "reading this record raised {detail}; if the record is well formed, "
        "this is a bug in antq_rules: please report it",
        "vi": "đọc bản ghi này gây ra lỗi {detail}; nếu bản ghi đúng dạng thì đây là "
        "lỗi của antq_rules: xin hãy báo lại",
    },
    # ---- notes and warnings of the readers (shown with every report)
    "note-merged": {
        "en": "{where}: cells {range} are merged; the value of {first} was given to each",
        "vi": "{where}: các ô {range} được gộp; giá trị của ô {first} được dùng cho từng ô",
    },
    "note-sheet-ignored": {
        "en": "{where}: no list of the ruleset matches this table; it was not read{hint}",
        "vi": "{where}: không có danh sách nào của bộ tiêu chí ứng với bảng này; "
        "bảng không được đọc{hint}",
    },
    "warn-share-over": {
        "en": "`{path}` is {value}, and `{test}` compares it with a percentage: it reads as "
        "{percent}; if {value}% was meant, write {value}% or {meant}",
        "vi": "`{path}` bằng {value}, mà `{test}` so sánh nó với một tỉ lệ phần trăm: giá trị "
        "được hiểu là {percent}; nếu ý là {value}%, hãy ghi {value}% hoặc {meant}",
    },
    "warn-applies-unknown": {
        "en": "the data does not say whether this ruleset applies to the subject "
        "(`applies when {test}`), so the verdict is not known; missing: {missing}",
        "vi": "dữ liệu không cho biết bộ tiêu chí này có áp dụng cho đối tượng hay không "
        "(`applies when {test}`), nên chưa xác định được kết quả; thiếu: {missing}",
    },
    "warn-hidden-rows": {
        "en": "{where}: hidden rows {rows} were read and judged like the others",
        "vi": "{where}: các dòng bị ẩn {rows} vẫn được đọc và đánh giá như các dòng khác",
    },
    "warn-hidden-sheet": {
        "en": "{where}: this sheet is hidden; it was read and judged like the others",
        "vi": "{where}: trang tính này bị ẩn; trang vẫn được đọc và đánh giá như các trang khác",
    },
    "warn-unlabelled-column": {
        "en": "{where}: column {column} has values but no header; it was not read",
        "vi": "{where}: cột {column} có giá trị nhưng không có tiêu đề; cột không được đọc",
    },
    "warn-hidden-columns": {
        "en": "{where}: hidden columns {columns} were read and judged like the others",
        "vi": "{where}: các cột bị ẩn {columns} vẫn được đọc và đánh giá như các cột khác",
    },
    "warn-data-file-not-read": {
        "en": "{where}: only the .csv files of a folder are read; this data file was not "
        "read, so none of its subjects were judged: give it on its own",
        "vi": "{where}: chỉ các tệp .csv trong thư mục được đọc; tệp dữ liệu này không được "
        "đọc nên không đối tượng nào trong đó được đánh giá: hãy đưa riêng tệp này",
    },
    "note-files-not-read": {
        "en": "{where}: only the .csv files of a folder are read; not read: {names}{more}",
        "vi": "{where}: chỉ các tệp .csv trong thư mục được đọc; không được đọc: {names}{more}",
    },
    # ---- other
    "needs-year": {
        "en": "this ruleset judges one year at a time (its period runs {start} .. {end}) "
        "and no year was given",
        "vi": "bộ tiêu chí này đánh giá theo từng năm (kỳ đánh giá {start} .. {end}) "
        "nhưng chưa cho năm đánh giá",
    },
    "help-give-year": {
        "en": "give the year: `--year {year}` on the command line, `year={year}` in Python",
        "vi": "hãy cho năm đánh giá: `--year {year}` khi dùng dòng lệnh, "
        "`year={year}` trong Python",
    },
    "help-give-period": {
        "en": "give the period: `--period {year}-01-01..{year}-12-31` on the command line, "
        '`period=("{year}-01-01", "{year}-12-31")` in Python, or a `period` in the header',
        "vi": "hãy cho kỳ đánh giá: `--period {year}-01-01..{year}-12-31` khi dùng dòng lệnh, "
        '`period=("{year}-01-01", "{year}-12-31")` trong Python, hoặc `period` ở phần đầu',
    },
    "help-evaluate-file": {
        "en": "`evaluate` takes one subject's data; to judge a file or folder, use "
        "`ruleset.evaluate_file(path)` (or `antq_rules.read_data(path, ruleset)` for its records)",
        "vi": "`evaluate` nhận dữ liệu của một đối tượng; để đánh giá một tệp hoặc thư mục, "
        "dùng `ruleset.evaluate_file(path)` (hoặc `antq_rules.read_data(path, ruleset)`)",
    },
    "help-did-you-mean": {
        "en": "did you mean `{name}`?",
        "vi": "có phải ý bạn là `{name}`?",
    },
    "help-keyword": {
        "en": "`{name}` is a keyword here; to use a field called `{name}`, write `({name})`",
        "vi": "`{name}` là từ khóa ở đây; để dùng trường tên `{name}`, hãy viết `({name})`",
    },
    "help-unquote": {
        "en": '`"{text}"` in quotes is text; for the number, write `{text}` without quotes',
        "vi": '`"{text}"` trong ngoặc kép là văn bản; muốn là số, hãy viết `{text}` '
        "không có ngoặc kép",
    },
    "help-param-percent": {
        "en": "give it as a percentage: `{name} = {value}%` (or `--param {name}={value}%`)",
        "vi": "hãy ghi dạng phần trăm: `{name} = {value}%` (hoặc `--param {name}={value}%`)",
    },
    "help-allow": {
        "en": "if you trust it, allow its folder: `--allow {folder}` or "
        '`load(..., allow=["{folder}"])`',
        "vi": "nếu tin cậy, hãy cho phép thư mục của nó: `--allow {folder}` hoặc "
        '`load(..., allow=["{folder}"])`',
    },
    "help-override": {
        "en": "to change the base's one, write `{word} {name}`",
        "vi": "để thay đổi khai báo của bộ gốc, hãy viết `{word} {name}`",
    },
    "help-fields": {
        "en": "fields of `{entity}`: {names}",
        "vi": "các trường của `{entity}`: {names}",
    },
    # ---- web (`antq serve`, antq_rules.web) and the .docx report
    "needs-docx": {
        "en": "writing .docx reports needs python-docx: `pip install 'antq-rules[web]'`",
        "vi": "cần python-docx để xuất báo cáo .docx: `pip install 'antq-rules[web]'`",
    },
    "needs-web": {
        "en": "`antq serve` needs the web extra ({detail}): `pip install 'antq-rules[web]'`",
        "vi": "`antq serve` cần gói bổ sung web ({detail}): `pip install 'antq-rules[web]'`",
    },
    "web-needs-token": {
        "en": "serving on `{host}` lets other machines reach the data: give `--token` "
        "(or set ANTQ_TOKEN), or serve on 127.0.0.1",
        "vi": "chạy trên `{host}` thì máy khác truy cập được dữ liệu: hãy cho `--token` "
        "(hoặc đặt ANTQ_TOKEN), hoặc chạy trên 127.0.0.1",
    },
    "web-blank-token": {
        "en": "the access token (`--token` or ANTQ_TOKEN) is blank or begins or ends with a "
        "space, so no one could sign in with it; give at least {count} visible characters",
        "vi": "mã truy cập (`--token` hoặc ANTQ_TOKEN) để trống hoặc có khoảng trắng ở đầu "
        "hay cuối nên không ai đăng nhập được; hãy cho ít nhất {count} ký tự nhìn thấy được",
    },
    "web-bad-option": {
        "en": "`{name}` cannot be `{value}`: it must be {allowed}",
        "vi": "`{name}` không thể là `{value}`: giá trị phải là {allowed}",
    },
    "web-not-folder": {
        "en": "`{path}` is not a folder of rulesets",
        "vi": "`{path}` không phải thư mục chứa bộ tiêu chí",
    },
    "web-unauthorized": {
        "en": "this server needs its access token: sign in, or send `Authorization: Bearer …`",
        "vi": "máy chủ này cần mã truy cập: hãy đăng nhập, hoặc gửi `Authorization: Bearer …`",
    },
    "web-bad-token": {
        "en": "the access token is not right",
        "vi": "mã truy cập không đúng",
    },
    "web-csrf": {
        "en": "the form has expired or did not come from this server; reload the page and "
        "send it again",
        "vi": "biểu mẫu đã hết hạn hoặc không do máy chủ này tạo; hãy tải lại trang rồi gửi lại",
    },
    "web-too-large": {
        "en": "the upload is larger than this server accepts ({limit} MB); split the file or "
        "start the server with a larger `--max-upload-mb`",
        "vi": "tệp tải lên lớn hơn mức máy chủ nhận ({limit} MB); hãy chia nhỏ tệp hoặc "
        "chạy máy chủ với `--max-upload-mb` lớn hơn",
    },
    "web-timeout": {
        "en": "judging took longer than {seconds} seconds and was stopped; send less data "
        "at a time, or run `antq eval` on the command line",
        "vi": "việc đánh giá quá {seconds} giây nên đã dừng; hãy gửi ít dữ liệu hơn mỗi lần, "
        "hoặc dùng lệnh `antq eval`",
    },
    "web-busy": {
        "en": "the server is busy judging other uploads; try again in a moment",
        "vi": "máy chủ đang bận đánh giá dữ liệu khác; hãy thử lại sau giây lát",
    },
    "web-unknown-ruleset": {
        "en": "there is no ruleset `{name}` on this server",
        "vi": "máy chủ không có bộ tiêu chí `{name}`",
    },
    "web-no-ruleset": {
        "en": "choose a ruleset, or paste or upload one",
        "vi": "hãy chọn một bộ tiêu chí, hoặc dán hay tải lên một bộ",
    },
    "web-no-data": {
        "en": "choose a data file to upload (.xlsx, .zip of CSV files, .json or .yaml)",
        "vi": "hãy chọn tệp dữ liệu để tải lên (.xlsx, .zip các tệp CSV, .json hoặc .yaml)",
    },
    "web-empty": {
        "en": "nothing was judged: the data holds no subject",
        "vi": "không có gì được đánh giá: dữ liệu không có đối tượng nào",
    },
    "web-bad-upload": {
        "en": "`{name}` is not a data file this server reads; send .xlsx, a .zip of CSV files, "
        ".json, .yaml or .yml",
        "vi": "`{name}` không phải tệp dữ liệu máy chủ đọc được; hãy gửi .xlsx, .zip các tệp "
        "CSV, .json, .yaml hoặc .yml",
    },
    "web-zip-bad": {
        "en": "`{name}` is not a .zip file that can be opened (damaged, encrypted or packed "
        "in an unusual way); make it again with the system's own “compress” command",
        "vi": "`{name}` không phải tệp .zip mở được (hỏng, có mật khẩu hoặc nén kiểu lạ); "
        "hãy nén lại bằng chức năng nén sẵn có của máy",
    },
    "web-zip-too-big": {
        "en": "`{name}` unpacks to more than {limit} MB; send fewer or smaller CSV files",
        "vi": "`{name}` khi giải nén lớn hơn {limit} MB; hãy gửi ít tệp CSV hơn hoặc tệp nhỏ hơn",
    },
    "web-zip-too-many": {
        "en": "`{name}` holds {found} files, more than {count}; a folder of CSV files has "
        "one file for each list of the template",
        "vi": "`{name}` chứa {found} tệp, nhiều hơn {count}; thư mục CSV chỉ có mỗi danh sách "
        "của mẫu một tệp",
    },
    "web-zip-no-csv": {
        "en": "`{name}` holds no CSV file (`commune.csv`, `areas.csv`, … as in the template)",
        "vi": "`{name}` không chứa tệp CSV nào (`commune.csv`, `areas.csv`, … như trong mẫu)",
    },
    "web-zip-duplicate": {
        "en": "`{name}` holds two files named `{file}` in different folders; keep one",
        "vi": "`{name}` có hai tệp cùng tên `{file}` ở các thư mục khác nhau; hãy giữ một",
    },
    "web-zip-ignored": {
        "en": "{where}: `{name}` is not a CSV file; it was not read",
        "vi": "{where}: `{name}` không phải tệp CSV; tệp không được đọc",
    },
    "web-bad-text": {
        "en": "`{name}` is not UTF-8 text",
        "vi": "`{name}` không phải văn bản UTF-8",
    },
    "web-params-line": {
        "en": "parameters, line {line}: `{text}` is not `NAME=VALUE`",
        "vi": "tham số, dòng {line}: `{text}` không có dạng `TÊN=GIÁ_TRỊ`",
    },
    "web-params-json": {
        "en": "parameters must be a JSON object of names and values, such as "
        '`{{"hamlets_safe_min": "90%"}}`',
        "vi": "tham số phải là một đối tượng JSON gồm tên và giá trị, ví dụ "
        '`{{"hamlets_safe_min": "90%"}}`',
    },
    "web-cases-data-file": {
        "en": "{at}: `data_file: {name}` is not a data file beside a ruleset of this server; "
        "give the data inline with `data:`",
        "vi": "{at}: `data_file: {name}` không phải tệp dữ liệu nằm cạnh một bộ tiêu chí của "
        "máy chủ; hãy ghi dữ liệu trực tiếp bằng `data:`",
    },
    "web-no-run": {
        "en": "this report is no longer kept on the server (reports are kept in memory for "
        "a while only); upload the data again",
        "vi": "báo cáo này không còn được lưu trên máy chủ (báo cáo chỉ được giữ trong bộ nhớ "
        "một thời gian); hãy tải dữ liệu lên lại",
    },
    "web-no-subject": {
        "en": "this report has no subject number {index}",
        "vi": "báo cáo này không có đối tượng số {index}",
    },
    "web-not-found": {
        "en": "there is no page `{path}`",
        "vi": "không có trang `{path}`",
    },
    "web-bad-request": {
        "en": "the request is not well formed: {detail}",
        "vi": "yêu cầu không đúng dạng: {detail}",
    },
    "web-bad-host": {
        "en": "this server answers only requests addressed to this machine (localhost), "
        "not to `{host}`; to serve a network, start it with a token (docs/web.md)",
        "vi": "máy chủ này chỉ trả lời yêu cầu gửi tới chính máy này (localhost), không phải "
        "`{host}`; muốn phục vụ trong mạng, hãy chạy với mã truy cập (docs/web.md)",
    },
    "web-cross-site": {
        "en": "this request came from another site (`{origin}`) and was refused; use this "
        "server's own pages, or send it without a browser",
        "vi": "yêu cầu này đến từ một trang khác (`{origin}`) nên bị từ chối; hãy dùng các trang "
        "của chính máy chủ này, hoặc gửi không qua trình duyệt",
    },
    # ---- templates and labels
    "cell-one-of-labels": {
        "en": "one of {values} (a label or its code)",
        "vi": "một trong {values} (nhãn hoặc mã)",
    },
    "warn-missing-sheet": {
        "en": "{where}: sheet `{table}` ({label}) is missing, so its data is unknown; "
        "keep it, empty, if there are none",
        "vi": "{where}: thiếu trang tính `{table}` ({label}) nên dữ liệu này chưa rõ; "
        "nếu không có, hãy giữ trang tính đó và để trống",
    },
    "warn-missing-csv": {
        "en": "{where}: file `{table}` ({label}) is missing, so its data is unknown; "
        "keep it, empty, if there are none",
        "vi": "{where}: thiếu tệp `{table}` ({label}) nên dữ liệu này chưa rõ; "
        "nếu không có, hãy giữ tệp đó và để trống",
    },
    # ---- SQL (antq_rules.sql: rulesets run where the data is)
    "sql-unsupported": {
        "en": "the SQL engines cannot run {what} exactly; judge this ruleset with the Python "
        "engine (without `--engine`)",
        "vi": "bộ máy SQL không chạy được chính xác {what}; hãy đánh giá bộ tiêu chí này bằng "
        "bộ máy Python (bỏ `--engine`)",
    },
    "sql-bad-tables": {
        "en": "`tables` for `{table}` must be a table name or "
        '`{{"table": NAME, "columns": {{FIELD: COLUMN}}}}`',
        "vi": "`tables` cho `{table}` phải là tên bảng hoặc "
        '`{{"table": TÊN, "columns": {{TRƯỜNG: CỘT}}}}`',
    },
    "sql-no-table": {
        "en": "no table of the layout holds `{path}` (a list inside a nested entity)",
        "vi": "không bảng nào trong bố cục chứa `{path}` (danh sách nằm trong một thực thể lồng)",
    },
    "sql-column-type": {
        "en": "column `{column}` of table `{table}` is `{type}`, which cannot hold a {expected} "
        "exactly",
        "vi": "cột `{column}` của bảng `{table}` có kiểu `{type}`, không chứa chính xác được "
        "giá trị {expected}",
    },
    "sql-missing-id": {
        "en": "table `{table}` has no `id` column",
        "vi": "bảng `{table}` không có cột `id`",
    },
    "tables-clash": {
        "en": "a workbook or CSV folder cannot hold this schema: the tables `{first}` and "
        "`{second}` would be read as one; rename one in the schema, or give the data as "
        "JSON or YAML",
        "vi": "sổ tính hoặc thư mục CSV không chứa được lược đồ này: bảng `{first}` và bảng "
        "`{second}` sẽ bị đọc thành một; hãy đổi tên một trong hai trong lược đồ, hoặc đưa dữ "
        "liệu dạng JSON hay YAML",
    },
    "tables-kept-column": {
        "en": "a workbook or CSV folder cannot hold this schema: the field `{column}` of "
        "`{table}` is named like the column that holds each row's id or its parent's; rename "
        "it in the schema, or give the data as JSON or YAML",
        "vi": "sổ tính hoặc thư mục CSV không chứa được lược đồ này: trường `{column}` của "
        "`{table}` trùng tên cột giữ mã của dòng hoặc mã dòng cha; hãy đổi tên trường trong "
        "lược đồ, hoặc đưa dữ liệu dạng JSON hay YAML",
    },
    "parquet-needs-engine": {
        "en": "{path}: Parquet files are judged by a database engine: add `--engine duckdb` "
        "(Python: `antq_rules.sql.evaluate_files`), or give the data as a CSV folder, a "
        "workbook, JSON or YAML",
        "vi": "{path}: tệp Parquet được chấm bằng bộ máy cơ sở dữ liệu: hãy thêm `--engine "
        "duckdb` (Python: `antq_rules.sql.evaluate_files`), hoặc đưa dữ liệu dạng thư mục CSV, "
        "sổ tính, JSON hay YAML",
    },
    "parquet-marks": {
        "en": "{path}: its rows link to no row of their parent, share an id or have none, "
        "so the files must be read as a CSV folder is — but its column `{column}` says what a "
        "CSV folder cannot (a list not given, an item that is null); fix the ids, or give the "
        "data as JSON",
        "vi": "{path}: có dòng không thuộc dòng cha nào, trùng mã hoặc không có mã, nên các "
        "tệp phải được đọc như một thư mục CSV — nhưng cột `{column}` nói điều thư mục CSV "
        "không nói được (danh sách chưa có, phần tử rỗng); hãy sửa các mã, hoặc đưa dữ liệu "
        "dạng JSON",
    },
    "sql-layout-clash": {
        "en": "the tables of this ruleset's data cannot hold it for {engine}: the {kind}s "
        "`{first}` and `{second}` (of `{table}`) would be one name, and one could be read "
        "for the other; rename one in the schema, or judge with the Python engine (without "
        "`--engine`)",
        "vi": "các bảng dữ liệu của bộ tiêu chí này không dùng được với {engine}: {kind} "
        "`{first}` và `{second}` (của `{table}`) sẽ thành một tên, có thể đọc nhầm cái này "
        "thành cái kia; hãy đổi tên một trong hai trong lược đồ, hoặc đánh giá bằng bộ máy "
        "Python (bỏ `--engine`)",
    },
    "sql-missing-link": {
        "en": "table `{table}` has no `{column}` column linking its rows to their parent",
        "vi": "bảng `{table}` không có cột `{column}` liên kết mỗi dòng với dòng cha",
    },
    "sql-dialect": {
        "en": "unknown SQL dialect `{name}`; use one of {known}",
        "vi": "không có phương ngữ SQL `{name}`; hãy dùng một trong {known}",
    },
    "sql-engine-error": {
        "en": "the database could not run the query: {detail}",
        "vi": "cơ sở dữ liệu không chạy được truy vấn: {detail}",
    },
    "sql-fell-back": {
        "en": "{engine} could not judge these records ({detail}); the Python evaluator "
        "judged them, with the same results",
        "vi": "{engine} không chấm được các bản ghi này ({detail}); bộ chấm Python đã chấm "
        "chúng, cho cùng kết quả",
    },
    "sql-connection": {
        "en": "`{kind}` is not a connection antq can use; give a DuckDB connection, a psycopg "
        "connection or a SparkSession",
        "vi": "`{kind}` không phải kết nối antq dùng được; hãy đưa kết nối DuckDB, kết nối "
        "psycopg hoặc SparkSession",
    },
    "sql-needs": {
        "en": "the {engine} engine needs the Python package `{package}`; install it with "
        "`pip install 'antq-rules[{extra}]'`",
        "vi": "bộ máy {engine} cần gói Python `{package}`; hãy cài bằng "
        "`pip install 'antq-rules[{extra}]'`",
    },
    "sql-no-subject-table": {
        "en": "the database has no table `{table}` for the subjects",
        "vi": "cơ sở dữ liệu không có bảng `{table}` chứa các đối tượng được đánh giá",
    },
    "sql-engine": {
        "en": "unknown engine `{name}`; use one of {known}",
        "vi": "không có bộ máy `{name}`; hãy dùng một trong {known}",
    },
    "sql-parquet-only": {
        "en": "Parquet files are judged by DuckDB on their own: give only .parquet files, one "
        "a table, with `--engine duckdb`",
        "vi": "tệp Parquet được DuckDB đánh giá riêng: chỉ đưa các tệp .parquet, mỗi tệp một "
        "bảng, với `--engine duckdb`",
    },
    "sql-needs-connection": {
        "en": "the {engine} engine needs a connection (`--dsn` for PostgreSQL)",
        "vi": "bộ máy {engine} cần một kết nối (`--dsn` cho PostgreSQL)",
    },
    "sql-no-record": {
        "en": "the subject with id `{id}` is no longer in table `{table}`",
        "vi": "không còn đối tượng có id `{id}` trong bảng `{table}`",
    },
    "sql-duplicate-id": {
        "en": "more than one row of table `{table}` has id `{id}`: each subject needs its own id",
        "vi": "bảng `{table}` có nhiều dòng cùng id `{id}`: mỗi đối tượng cần một id riêng",
    },
}

WORDS: Mapping[str, Mapping[str, str]] = {
    "error": {"en": "error", "vi": "lỗi"},
    "note": {"en": "note", "vi": "lưu ý"},
    "warning": {"en": "warning", "vi": "cảnh báo"},
    "notices": {"en": "Notes on the data", "vi": "Lưu ý về dữ liệu"},
    "end of text": {"en": "the end of the text", "vi": "cuối văn bản"},
    "a name": {"en": "a name", "vi": "một tên"},
    "a number": {"en": "a number", "vi": "một số"},
    "a string": {"en": "a string", "vi": "một chuỗi"},
    "a date": {"en": "a date", "vi": "một ngày"},
    "a comparison": {"en": "a comparison", "vi": "một phép so sánh"},
    "an expression": {"en": "an expression", "vi": "một biểu thức"},
    "or": {"en": "or", "vi": "hoặc"},
    "help": {"en": "help", "vi": "gợi ý"},
    # ---- reports
    "PASS": {"en": "PASS", "vi": "ĐẠT"},
    "FAIL": {"en": "FAIL", "vi": "KHÔNG ĐẠT"},
    "UNKNOWN": {"en": "UNKNOWN", "vi": "CHƯA XÁC ĐỊNH"},
    "NA": {"en": "N/A", "vi": "KHÔNG ÁP DỤNG"},
    "ERROR": {"en": "ERROR", "vi": "LỖI"},
    "ruleset": {"en": "Ruleset", "vi": "Bộ tiêu chí"},
    "version": {"en": "version", "vi": "phiên bản"},
    "basis": {"en": "Legal basis", "vi": "Căn cứ"},
    "subject": {"en": "Subject", "vi": "Đối tượng"},
    "period": {"en": "Evaluation period", "vi": "Kỳ đánh giá"},
    "verdict": {"en": "Verdict", "vi": "Kết quả"},
    "level": {"en": "Level", "vi": "Xếp loại"},
    "level unknown": {"en": "not yet decided", "vi": "chưa xác định"},
    "score": {"en": "Score", "vi": "Điểm"},
    "criteria met": {"en": "Criteria met", "vi": "Số tiêu chí đạt"},
    "criterion": {"en": "Criterion", "vi": "Tiêu chí"},
    "status": {"en": "Outcome", "vi": "Kết quả"},
    "points": {"en": "Points", "vi": "Điểm"},
    "source": {"en": "Source", "vi": "Nguồn"},
    "test": {"en": "Test", "vi": "Điều kiện"},
    "provisional": {"en": "provisional", "vi": "tạm thời"},
    "mandatory": {"en": "mandatory", "vi": "bắt buộc"},
    "other criteria": {"en": "Other criteria", "vi": "Các tiêu chí khác"},
    "needs": {"en": "needs", "vi": "cần"},
    "failing": {"en": "Not meeting it", "vi": "Chưa đạt"},
    "counted": {"en": "Counted", "vi": "Được tính"},
    "unknown items": {"en": "Not known", "vi": "Chưa rõ"},
    "missing": {"en": "Missing data", "vi": "Thiếu dữ liệu"},
    "applies missing": {
        "en": "Missing data for applicability",
        "vi": "Thiếu dữ liệu để xét áp dụng",
    },
    "undefined": {
        "en": "undefined (nothing to measure)",
        "vi": "không xác định (không có gì để tính)",
    },
    "unknown": {"en": "unknown", "vi": "chưa rõ"},
    "or undefined": {"en": "or undefined", "vi": "hoặc không xác định"},
    "true": {"en": "true", "vi": "đúng"},
    "false": {"en": "false", "vi": "sai"},
    "between": {"en": "between {low} and {high}", "vi": "từ {low} đến {high}"},
    "at least": {"en": "at least {low}", "vi": "ít nhất {low}"},
    "at most": {"en": "at most {high}", "vi": "nhiều nhất {high}"},
    "gap more": {
        "en": "{count} more {entity} must meet `{test}`",
        "vi": "cần thêm {count} {entity} thỏa `{test}`",
    },
    "gap fewer": {
        "en": "{count} fewer {entity} may meet `{test}`",
        "vi": "cần bớt {count} {entity} thỏa `{test}`",
    },
    "gap none": {
        "en": "cannot pass by changing the items of `{list}`",
        "vi": "không thể đạt chỉ bằng thay đổi các phần tử của `{list}`",
    },
    "error in record": {
        "en": "This record could not be judged",
        "vi": "Không đánh giá được bản ghi này",
    },
    "report title": {"en": "Evaluation report", "vi": "Báo cáo đánh giá"},
    "expected": {"en": "expected", "vi": "mong đợi"},
    "total": {"en": "Total", "vi": "Tổng số"},
    "got": {"en": "got", "vi": "thực tế"},
    "passed": {"en": "passed", "vi": "đạt"},
    "failed": {"en": "failed", "vi": "lỗi"},
    "items": {"en": "{count} items", "vi": "{count} phần tử"},
    "one item": {"en": "{count} item", "vi": "{count} phần tử"},
    "a whole number": {"en": "a whole number", "vi": "một số nguyên"},
    "a cell number": {"en": "a number (0,95 or 95%)", "vi": "một số (0,95 hoặc 95%)"},
    "true/false": {"en": "true/false (có/không)", "vi": "đúng/sai (có/không)"},
    "a cell date": {
        "en": "a date (15/11/2021 or 2021-11-15)",
        "vi": "một ngày (15/11/2021 hoặc 2021-11-15)",
    },
    "one of": {"en": "one of {values}", "vi": "một trong {values}"},
    "and more": {"en": "and {count} more", "vi": "và {count} phần tử khác"},
    # ---- what a limit measured (antq_rules.limits)
    "size of file": {"en": "the file's size ({size})", "vi": "kích thước tệp ({size})"},
    "unpacked size": {
        "en": "the workbook's unpacked size (more than {size})",
        "vi": "kích thước sổ tính khi giải nén (hơn {size})",
    },
    "cell count": {"en": "the number of cells (more than {count})", "vi": "số ô (hơn {count})"},
    "row count": {"en": "the number of rows (more than {count})", "vi": "số dòng (hơn {count})"},
    # ---- what two names of the SQL layout are (antq_rules.sql.layout)
    "layout table": {"en": "table", "vi": "bảng"},
    "layout column": {"en": "column", "vi": "cột"},
    "element count": {
        "en": "the number of XML elements for the values it holds (more than {count})",
        "vi": "số phần tử XML so với số giá trị chứa trong đó (hơn {count})",
    },
    "nesting depth": {
        "en": "the nesting of objects and lists (more than {count} levels)",
        "vi": "độ lồng nhau của đối tượng và danh sách (hơn {count} mức)",
    },
    "value count": {
        "en": "the number of values (more than {count}, aliases counted as expanded)",
        "vi": "số giá trị (hơn {count}, bí danh tính như khi đã mở rộng)",
    },
    "integer digits": {
        "en": "an integer of {count} digits",
        "vi": "một số nguyên có {count} chữ số",
    },
    "number digits": {
        "en": "a number of {count} digits when written out",
        "vi": "một số có {count} chữ số khi viết đầy đủ",
    },
    "text length": {
        "en": "a text of {count} characters",
        "vi": "một văn bản dài {count} ký tự",
    },
    "a folder": {"en": "a folder", "vi": "một thư mục"},
    "standard output": {"en": "standard output", "vi": "đầu ra chuẩn"},
    "results sheet": {"en": "Results", "vi": "Kết quả"},
    "progress": {
        "en": "{count} subjects judged · {rate:.0f} a second",
        "vi": "đã đánh giá {count} đối tượng · {rate:.0f} mỗi giây",
    },
    "nothing judged": {
        "en": "nothing was judged: the data holds no subject (exit code 4)",
        "vi": "không có gì được đánh giá: dữ liệu không có đối tượng nào (mã thoát 4)",
    },
    "drilldown": {
        "en": "{label} ({path}) under `{ruleset}`: {verdict}, {met} criteria met",
        "vi": "{label} ({path}) theo `{ruleset}`: {verdict}, đạt {met} tiêu chí",
    },
    "role provisional": {
        "en": "provisional: this outcome does not decide the verdict",
        "vi": "tạm thời: kết quả tiêu chí này không quyết định kết quả chung",
    },
    "role score-only": {
        "en": "scored: this outcome adds points and does not decide the verdict",
        "vi": "tính điểm: kết quả tiêu chí này chỉ cộng điểm, không quyết định kết quả chung",
    },
    "role not-in-verdict": {
        "en": "the ruleset's verdict does not use this criterion",
        "vi": "kết quả chung của bộ tiêu chí không dùng tiêu chí này",
    },
    "sheet hint": {"en": "; did you mean `{name}`?", "vi": "; có phải ý bạn là `{name}`?"},
    "and more files": {"en": " and {count} more", "vi": " và {count} mục khác"},
    "date 1900-02-29": {
        "en": "serial 60 is 29 February 1900, a day Excel shows but that never existed",
        "vi": "số 60 là ngày 29/02/1900, ngày Excel hiển thị nhưng không hề có",
    },
    "date negative": {
        "en": "a date cannot be a negative number",
        "vi": "ngày không thể là số âm",
    },
    "date after-9999": {
        "en": "that is after the year 9999",
        "vi": "đó là sau năm 9999",
    },
    "date duration": {
        "en": "that is not a plausible duration",
        "vi": "đó không phải một khoảng thời gian hợp lý",
    },
    "date not-iso": {
        "en": "it is not an ISO 8601 date (such as 2021-05-01)",
        "vi": "đó không phải ngày theo ISO 8601 (như 2021-05-01)",
    },
    "a special file": {
        "en": "a special file (a pipe, a device or a socket)",
        "vi": "một tệp đặc biệt (ống dẫn, thiết bị hoặc socket)",
    },
    "a loop of links": {
        "en": "a link in a loop of links (it leads back to itself)",
        "vi": "một liên kết trong vòng liên kết (dẫn ngược về chính nó)",
    },
}


class OneOf(tuple):
    """Alternatives in a message, joined with the language's "or"; an item that
    is a key of WORDS ("an expression") is translated too."""

    def render(self, lang: str) -> str:
        items = [word(i, lang) if i in WORDS else i for i in self]
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {word('or', lang)} " + items[-1]


class Phrase:
    """A phrase of WORDS inside a message, translated when the message is shown."""

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params

    def render(self, lang: str) -> str:
        return word(self.key, lang).format(**self.params)

    def __str__(self) -> str:
        return self.render("en")


def message(code: str, params: Mapping[str, object], lang: str = "en") -> str:
    table = MESSAGES.get(code)
    if table is None:
        return code
    template = table.get(lang) or table["en"]
    params = {k: v.render(lang) if hasattr(v, "render") else v for k, v in params.items()}
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def word(key: str, lang: str = "en") -> str:
    entry = WORDS.get(key)
    return key if entry is None else entry.get(lang, entry["en"])
