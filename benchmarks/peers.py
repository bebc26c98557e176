"""The benchmark's criteria in peer engines' languages, for those installed
(`pip install -e '.[bench]'`). Each returns a judge with the baseline's shape,
(verdict, outcomes), or None when its engine is not installed.

rule-engine has no aggregates: shares and "none of" are written with list
comprehensions, and dates are compared as ISO text (as the baseline does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from baseline import IDS

Judge = Callable[[dict[str, Any]], tuple[bool, tuple[bool, ...]]]

_PUBLIC = "u['kind'] in ['agency', 'school', 'health_station']"
_SERIOUS = "i['severity'] in ['serious', 'very_serious', 'especially_serious']"
_BANNED = (
    "(i['kind'] == 'anti_party' or (i['kind'] in ['crime', 'social_evil', 'drugs', "
    f"'fire_explosion', 'traffic_accident'] and {_SERIOUS})) "
    "and i['date'] >= '2021-01-01' and i['date'] <= '2021-12-15'"
)


def _none_anywhere(test: str) -> str:
    return (
        f"[i for i in incidents if {test}].is_empty and "
        f"[a for a in areas if not [i for i in a['incidents'] if {test}].is_empty].is_empty"
    )


RULE_ENGINE = {
    "TC1": "[a for a in areas if not a['legal_propaganda']].is_empty",
    "TC2": "[a for a in areas if not a['opinion_survey']].is_empty",
    "TC3": "areas.length > 0 and "
    "[a for a in areas if a['recognised_safe']].length * 100 > areas.length * 95",
    "TC4": f"[u for u in units if {_PUBLIC}].is_empty or "
    f"[u for u in units if {_PUBLIC} and u['recognised_safe']].length * 100 > "
    f"[u for u in units if {_PUBLIC}].length * 90",
    "TC5": "[m for m in models if m['mass']].length >= 1",
    "TC6": "[p for p in released_prisoners if not p['record_cleared']].is_empty",
    "TC7": _none_anywhere(_BANNED),
    "NS": _none_anywhere(_SERIOUS),
}


def rule_engine_judge() -> Judge | None:
    try:
        import rule_engine
    except ImportError:
        return None
    rules = [rule_engine.Rule(RULE_ENGINE[cid]) for cid in IDS]

    def judge(commune: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
        outcomes = tuple(bool(rule.evaluate(commune)) for rule in rules)
        return all(outcomes), outcomes

    return judge


PEERS: dict[str, Callable[[], Judge | None]] = {"rule-engine": rule_engine_judge}
