"""A synthetic province: deterministic, realistic commune records for demos,
tests and benchmarks.

`province(communes=300, seed=2021)` yields commune documents of the shared
schema (rulesets/common/schema.antq): 5–25 residential areas of 30–300
households, a handful of agencies, enterprises and schools, movement models,
a few incidents, commune police, released prisoners and yearly figures. A
small share of areas and units fall short of one criterion or another, and
`missing` of the fields are left out, as in real spreadsheets. The same seed
always gives the same province.

    python -m antq_rules.synthetic --communes 500 --seed 7 > province.json
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import sys
from collections.abc import Iterator
from typing import Any

AREA_WORDS = ["Thôn", "Xóm", "Bản", "Tổ dân phố", "Ấp", "Khu phố"]
COMMUNE_WORDS = [
    "Tân",
    "Phước",
    "Hòa",
    "An",
    "Bình",
    "Ngọc",
    "Đào",
    "Thạnh",
    "Lộc",
    "Hưng",
    "Phú",
    "Quang",
    "Sơn",
    "Trung",
    "Đông",
    "Tây",
    "Nam",
    "Bắc",
    "Minh",
    "Long",
]
EVENT_KINDS = [
    "traffic_accident",
    "crime",
    "social_evil",
    "fire_explosion",
    "prolonged_dispute",
    "anti_party",
    "mass_complaint",
    "drugs",
]
SEVERITIES = ["minor", "minor", "minor", "serious", "very_serious"]


def _day(rng: random.Random, year: int, first_month: int = 1, last_month: int = 12) -> str:
    month = rng.randint(first_month, last_month)
    return datetime.date(year, month, rng.randint(1, 28)).isoformat()


class _Maker:
    def __init__(self, rng: random.Random, year: int, missing: float, trouble: float) -> None:
        self.rng = rng
        self.year = year
        self.missing = missing
        self.trouble = trouble

    def maybe(self, value: Any) -> Any:
        """The value, or None (unknown) for a share `missing` of fields."""
        return None if self.rng.random() < self.missing else value

    def bad(self) -> bool:
        return self.rng.random() < self.trouble

    def document(self, quarter_one: bool = True) -> dict[str, Any]:
        late = not quarter_one or self.bad()
        return {
            "issued": self.maybe(True),
            "date": self.maybe(_day(self.rng, self.year, 4 if late else 1, 6 if late else 3)),
        }

    def incident(self, year: int | None = None) -> dict[str, Any]:
        return {
            "kind": self.rng.choice(EVENT_KINDS if self.bad() else EVENT_KINDS[:3]),
            "date": self.maybe(_day(self.rng, year or self.year, 1, 10)),
            "severity": self.rng.choice(SEVERITIES),
            "by_resident": self.maybe(self.rng.random() < 0.7),
        }

    def area(self, index: int) -> dict[str, Any]:
        rng = self.rng
        households = rng.randint(30, 300)
        registered = households if not self.bad() else households - rng.randint(1, 5)
        return {
            "name": f"{rng.choice(AREA_WORDS)} {index}",
            "party_cell_resolution": self.document(),
            "board_plan": self.document(),
            "registration": self.document(),
            "households": self.maybe(households),
            "households_registered": self.maybe(max(registered, 0)),
            "policy_implemented": self.maybe(not self.bad()),
            "recognised_safe": self.maybe(not self.bad()),
            "legal_propaganda": self.maybe(True),
            "opinion_survey": self.maybe(True),
            "incidents": [self.incident() for _ in range(rng.choice([0, 0, 0, 0, 1]))],
            "models": [],
        }

    def unit(self, index: int) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice(["agency", "agency", "school", "school", "enterprise", "health_station"])
        unit: dict[str, Any] = {
            "name": f"Đơn vị {index}",
            "kind": kind,
            "registered": self.maybe(True),
            "recognised_safe": self.maybe(not self.bad()),
        }
        if kind == "school":
            unit["school_level"] = rng.choice(
                ["kindergarten", "primary", "lower_secondary", "upper_secondary"]
            )
        if kind == "enterprise":
            unit["enterprise_size"] = rng.choice(["micro", "small", "medium", "large"])
        return unit

    def commune(self, index: int) -> dict[str, Any]:
        rng = self.rng
        name = " ".join(rng.sample(COMMUNE_WORDS, 2))
        areas = [self.area(i + 1) for i in range(rng.randint(5, 25))]
        crimes_before = rng.randint(0, 20)
        return {
            "code": f"X{index:05d}",
            "name": name,
            "kind": rng.choice(["xã", "xã", "xã", "phường", "thị trấn"]),
            "party_resolution": self.document(),
            "antt_plan": {"issued": self.maybe(True)},
            "registration": {"issued": self.maybe(True)},
            "policy_implemented": self.maybe(not self.bad()),
            "areas": areas,
            "units": [self.unit(i + 1) for i in range(rng.randint(2, 10))],
            "models": [
                {
                    "name": f"Mô hình {i + 1}",
                    "effective": self.maybe(rng.random() < 0.9),
                    "mass": rng.random() < 0.7,
                }
                for i in range(rng.randint(0, 4))
            ],
            "incidents": [self.incident() for _ in range(rng.choice([0, 0, 1, 2]))],
            "police_members": [
                {"disciplined": self.maybe(self.bad() and rng.random() < 0.3)}
                for _ in range(rng.randint(3, 8))
            ],
            "released_prisoners": [
                {"record_cleared": self.maybe(not self.bad())} for _ in range(rng.randint(0, 4))
            ],
            "yearly": [
                {
                    "year": self.year - 1,
                    "crimes": crimes_before,
                    "social_evils": rng.randint(0, 10),
                },
                {
                    "year": self.year,
                    "crimes": max(0, crimes_before + rng.randint(-5, 2)),
                    "social_evils": rng.randint(0, 10),
                },
            ],
        }


def province(
    communes: int = 300,
    *,
    seed: int = 2021,
    year: int = 2021,
    missing: float = 0.01,
    trouble: float = 0.05,
) -> Iterator[dict[str, Any]]:
    """`communes` commune documents, the same for the same arguments."""
    maker = _Maker(random.Random(seed), year, missing, trouble)
    for index in range(communes):
        yield maker.commune(index + 1)


def commune_with_areas(areas: int, *, seed: int = 1, year: int = 2021) -> dict[str, Any]:
    """One commune with exactly `areas` residential areas (for cost-vs-size measures)."""
    maker = _Maker(random.Random(seed), year, 0.0, 0.05)
    commune = maker.commune(1)
    commune["areas"] = [maker.area(i + 1) for i in range(areas)]
    return commune


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=300)
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--missing", type=float, default=0.01)
    args = parser.parse_args(argv)
    records = list(province(args.communes, seed=args.seed, year=args.year, missing=args.missing))
    try:
        json.dump(records, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
        sys.stdout.flush()
    except BrokenPipeError:
        from .console import closed_pipe

        return closed_pipe()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
