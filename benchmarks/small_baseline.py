"""The eight criteria of benchmarks/small.antq written by hand in Python, as a
competent programmer writes them for complete data: one expression per
criterion. Returns the outcome of each criterion as a boolean, in IDS order.
"""

from __future__ import annotations

from typing import Any

IDS = ("S1", "S2", "S3", "S4", "S5", "S6", "S7", "S8")
PUBLIC = frozenset({"agency", "school", "health_station"})
SERIOUS = frozenset({"serious", "very_serious", "especially_serious"})
START, END = "2021-01-01", "2021-12-31"  # ISO dates compare as text


def judge(c: dict[str, Any]) -> tuple[bool, ...]:
    areas = c["areas"]
    public = [u for u in c["units"] if u["kind"] in PUBLIC]
    # "more than 95 %" exactly: 100 * safe > 95 * total (no areas: no share, FAIL)
    safe = sum(1 for a in areas if a["recognised_safe"])
    recognised = sum(1 for u in public if u["recognised_safe"])
    return (
        all(a["legal_propaganda"] for a in areas),
        all(a["opinion_survey"] for a in areas),
        bool(areas) and 100 * safe > 95 * len(areas),
        not public or 100 * recognised >= 90 * len(public),
        any(m["mass"] for m in c["models"]),
        all(p["record_cleared"] for p in c["released_prisoners"]),
        not any(i["kind"] == "anti_party" for i in c["incidents"]),
        not any(START <= i["date"] <= END and i["severity"] in SERIOUS for i in c["incidents"]),
    )
