"""The benchmark's criteria in peer engines' languages, for those installed
(`pip install -e '.[bench]'`). Each returns a judge with the baseline's shape,
(verdict, outcomes), or None when its engine is not installed.

rule-engine has no aggregates: shares and "none of" are written with list
comprehensions, and dates are compared as ISO text (as the baseline does).
CEL has the `all`, `exists` and `filter` macros; the same CEL text runs on
cel-python (pure Python, Lark-based; the data converted with
`celpy.json_to_cel`, which its users must do too) and on
common-expression-language (a Rust interpreter with Python bindings).
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


_CEL_PUBLIC = "u.kind in ['agency', 'school', 'health_station']"
_CEL_SERIOUS = "i.severity in ['serious', 'very_serious', 'especially_serious']"
_CEL_BANNED = (
    "(i.kind == 'anti_party' || (i.kind in ['crime', 'social_evil', 'drugs', "
    f"'fire_explosion', 'traffic_accident'] && {_CEL_SERIOUS})) "
    "&& i.date >= '2021-01-01' && i.date <= '2021-12-15'"
)


def _cel_none_anywhere(test: str) -> str:
    return f"!incidents.exists(i, {test}) && !areas.exists(a, a.incidents.exists(i, {test}))"


CEL = {
    "TC1": "areas.all(a, a.legal_propaganda)",
    "TC2": "areas.all(a, a.opinion_survey)",
    "TC3": "size(areas) > 0 && size(areas.filter(a, a.recognised_safe)) * 100 > size(areas) * 95",
    "TC4": f"size(units.filter(u, {_CEL_PUBLIC})) == 0 || "
    f"size(units.filter(u, {_CEL_PUBLIC} && u.recognised_safe)) * 100 > "
    f"size(units.filter(u, {_CEL_PUBLIC})) * 90",
    "TC5": "models.exists(m, m.mass)",
    "TC6": "released_prisoners.all(p, p.record_cleared)",
    "TC7": _cel_none_anywhere(_CEL_BANNED),
    "NS": _cel_none_anywhere(_CEL_SERIOUS),
}


def cel_python_judge() -> Judge | None:
    try:
        import celpy
    except ImportError:
        return None
    env = celpy.Environment()
    programs = [env.program(env.compile(CEL[cid])) for cid in IDS]

    def judge(commune: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
        activation = {name: celpy.json_to_cel(value) for name, value in commune.items()}
        outcomes = tuple(bool(program.evaluate(activation)) for program in programs)
        return all(outcomes), outcomes

    return judge


def cel_rust_judge() -> Judge | None:
    try:
        import cel
    except ImportError:
        return None
    programs = [cel.compile(CEL[cid]) for cid in IDS]

    def judge(commune: dict[str, Any]) -> tuple[bool, tuple[bool, ...]]:
        outcomes = tuple(bool(program.execute(commune)) for program in programs)
        return all(outcomes), outcomes

    return judge


PEERS: dict[str, Callable[[], Judge | None]] = {
    "rule-engine": rule_engine_judge,
    "cel-python": cel_python_judge,
    "CEL, Rust interpreter (common-expression-language)": cel_rust_judge,
}
