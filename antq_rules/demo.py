"""`make demo`: judge the shipped demo commune with a few criteria of the Ngọc Đào plan."""

from __future__ import annotations

import json
from pathlib import Path

from . import Schema, compile_expression

ROOT = Path(__file__).resolve().parent.parent / "rulesets" / "demo"

CRITERIA = [
    ("Trên 95% xóm đạt “An toàn về ANTT”", "ratio(hamlets.recognised_safe) > 95%"),
    ("Ít nhất 90% xóm đạt “An toàn về ANTT”", "ratio(hamlets.recognised_safe) >= 90%"),
    ("Không có hoạt động chống Đảng, chính quyền", 'none(incidents where kind == "anti_party")'),
    (
        "Không có tai nạn giao thông nghiêm trọng",
        'count(incidents where kind == "traffic_accident" and serious) == 0',
    ),
    ("Tỉ lệ xóm đạt", "ratio(hamlets.recognised_safe)"),
]


def main() -> None:
    schema = Schema.from_text(
        (ROOT / "commune.schema").read_text(encoding="utf-8"), "commune.schema"
    )
    data = json.loads((ROOT / "ngoc_dao.json").read_text(encoding="utf-8"))
    print(f"Xã {data['name']} — {len(data['hamlets'])} xóm")
    for title, text in CRITERIA:
        outcome = compile_expression(text, schema=schema, subject="commune").evaluate(data)
        print(f"  {outcome!s:<24} {title}\n  {'':<24} {text}")


if __name__ == "__main__":
    main()
