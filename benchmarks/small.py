"""Small communes for the second benchmark (benchmarks/small.antq), as an
independent reviewer measured antq_rules: plain dicts exactly as `json.loads`
gives them (str keys; str, int, bool or None values; ISO date strings), with
5–30 areas, 2–15 units, 0–3 models, 0–20 released prisoners and 0–10
incidents, named as in the shared schema (rulesets/common/schema.antq).

Mostly passing data, with a realistic share of failures: every one of the
eight criteria passes on most communes and fails on some. The same seed
always gives the same records; `missing` sets that share of the items'
fields (all but names) to None — the same records otherwise.
"""

from __future__ import annotations

import random
from typing import Any

UNIT_KINDS = ["agency", "enterprise", "school", "health_station", "armed_forces"]
# Common kinds first; the rest (see rulesets/common/events.antq) are rarer.
COMMON_KINDS = ["traffic_accident", "crime", "social_evil", "fire_explosion", "other"]
RARE_KINDS = ["anti_party", "prolonged_dispute", "mass_complaint", "drugs", "labour_accident"]
LISTS = ("areas", "units", "models", "released_prisoners", "incidents")


def _date(rng: random.Random) -> str:
    # Late 2020 to the end of 2021: some incidents fall before the period.
    year, month = (2020, rng.randint(10, 12)) if rng.random() < 0.15 else (2021, rng.randint(1, 12))
    return f"{year}-{month:02d}-{rng.randint(1, 28):02d}"


def _commune(rng: random.Random, index: int) -> dict[str, Any]:
    areas = [
        {
            "name": f"Thôn {i + 1}",
            "households": rng.randint(30, 300),
            "recognised_safe": rng.random() > 0.004,
            "legal_propaganda": rng.random() > 0.003,
            "opinion_survey": rng.random() > 0.003,
            "policy_implemented": rng.random() > 0.02,
        }
        for i in range(rng.randint(5, 30))
    ]
    units = [
        {
            "name": f"Đơn vị {i + 1}",
            "kind": rng.choice(UNIT_KINDS),
            "recognised_safe": rng.random() > 0.012,
        }
        for i in range(rng.randint(2, 15))
    ]
    models = [
        {"name": f"Mô hình {i + 1}", "mass": rng.random() < 0.85, "effective": rng.random() < 0.9}
        for i in range(rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 3, 3]))
    ]
    prisoners = [
        {"name": f"Người {i + 1}", "record_cleared": rng.random() > 0.005}
        for i in range(rng.randint(0, 20))
    ]
    incidents = [
        {
            "kind": rng.choice(RARE_KINDS) if rng.random() < 0.04 else rng.choice(COMMON_KINDS),
            "date": _date(rng),
            "severity": rng.choice(["serious", "very_serious", "especially_serious"])
            if rng.random() < 0.012
            else "minor",
        }
        for _ in range(rng.randint(0, 10))
    ]
    return {
        "code": f"S{index:05d}",
        "name": f"Xã {index}",
        "kind": rng.choice(["xã", "xã", "xã", "phường", "thị trấn"]),
        "areas": areas,
        "units": units,
        "models": models,
        "released_prisoners": prisoners,
        "incidents": incidents,
    }


def communes(count: int, *, seed: int = 2024, missing: float = 0.0) -> list[dict[str, Any]]:
    """`count` small communes; with `missing`, that share of item fields is None."""
    rng = random.Random(seed)
    records = [_commune(rng, i + 1) for i in range(count)]
    if missing:
        holes = random.Random(seed + 1)
        for record in records:
            for name in LISTS:
                for item in record[name]:
                    for field in item:
                        if field != "name" and holes.random() < missing:
                            item[field] = None
    return records
