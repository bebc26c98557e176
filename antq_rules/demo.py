"""`make demo`: judge the Ngọc Đào 2021 examples with the shipped plan ruleset
and print the Vietnamese report of the one that fails a criterion."""

from __future__ import annotations

import json

from . import load
from .shipped import shipped

EXAMPLES = ("ngoc_dao_2021_pass.json", "ngoc_dao_2021_fail_tc3.json", "ngoc_dao_2021_unknown.json")


def main() -> None:
    ruleset = load(shipped("plans/ngoc_dao_2021.antq"))
    results = {}
    for name in EXAMPLES:
        data = json.loads(shipped(f"examples/{name}").read_text(encoding="utf-8"))
        results[name] = ruleset.evaluate(data)
    print(f"Bộ tiêu chí: {ruleset.title}\n")
    for name, result in results.items():
        print(f"  {result.verdict.name:<8} {result.summary_line():>6}  {name}")
    print()
    print(results["ngoc_dao_2021_fail_tc3.json"].render("text", lang="vi"))


if __name__ == "__main__":
    main()
