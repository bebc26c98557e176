"""The criteria of benchmarks/ngoc_dao.antq written by hand in Python: the
baseline every engine is measured against.

Two versions, as a programmer would write them for complete data (no field
missing): one expression per criterion, and one loop per list that decides
every criterion reading that list (the fastest plain Python we know).
Both return the verdict and the outcome of each criterion as booleans.
"""

from __future__ import annotations

from typing import Any

START, END = "2021-01-01", "2021-12-15"  # ISO dates compare as text
PUBLIC = frozenset({"agency", "school", "health_station"})
SERIOUS_KINDS = frozenset({"crime", "social_evil", "drugs", "fire_explosion", "traffic_accident"})
SERIOUS_LEVELS = frozenset({"serious", "very_serious", "especially_serious"})
IDS = ("TC1", "TC2", "TC3", "TC4", "TC5", "TC6", "TC7", "NS")


def _banned(incident: dict[str, Any]) -> bool:
    return START <= incident["date"] <= END and (
        incident["kind"] == "anti_party"
        or (incident["kind"] in SERIOUS_KINDS and incident["severity"] in SERIOUS_LEVELS)
    )


def judge(c: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
    """One expression per criterion."""
    areas = c["areas"]
    public = [u for u in c["units"] if u["kind"] in PUBLIC]
    area_incidents = [i for a in areas for i in a["incidents"]]
    # "more than 95 %" exactly: 100 * safe > 95 * total
    safe = sum(1 for a in areas if a["recognised_safe"])
    recognised = sum(1 for u in public if u["recognised_safe"])
    outcomes = (
        all(a["legal_propaganda"] for a in areas),
        all(a["opinion_survey"] for a in areas),
        bool(areas) and 100 * safe > 95 * len(areas),
        not public or 100 * recognised > 90 * len(public),
        any(m["mass"] for m in c["models"]),
        all(p["record_cleared"] for p in c["released_prisoners"]),
        not any(_banned(i) for i in c["incidents"]) and not any(_banned(i) for i in area_incidents),
        not any(i["severity"] in SERIOUS_LEVELS for i in c["incidents"])
        and not any(i["severity"] in SERIOUS_LEVELS for i in area_incidents),
    )
    return all(outcomes), outcomes


def judge_fused(c: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
    """One loop per list, deciding every criterion that reads it."""
    tc1 = tc2 = tc7 = ns = True
    safe = 0
    areas = c["areas"]
    for a in areas:
        if not a["legal_propaganda"]:
            tc1 = False
        if not a["opinion_survey"]:
            tc2 = False
        if a["recognised_safe"]:
            safe += 1
        for i in a["incidents"]:
            if i["severity"] in SERIOUS_LEVELS:
                ns = False
            if tc7 and _banned(i):
                tc7 = False
    for i in c["incidents"]:
        if i["severity"] in SERIOUS_LEVELS:
            ns = False
        if tc7 and _banned(i):
            tc7 = False
    public = recognised = 0
    for u in c["units"]:
        if u["kind"] in PUBLIC:
            public += 1
            if u["recognised_safe"]:
                recognised += 1
    tc5 = False
    for m in c["models"]:
        if m["mass"]:
            tc5 = True
            break
    tc6 = True
    for p in c["released_prisoners"]:
        if not p["record_cleared"]:
            tc6 = False
            break
    outcomes = (
        tc1,
        tc2,
        bool(areas) and 100 * safe > 95 * len(areas),
        not public or 100 * recognised > 90 * public,
        tc5,
        tc6,
        tc7,
        ns,
    )
    return all(outcomes), outcomes
