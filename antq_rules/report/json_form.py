"""The JSON form of a result: `antq-result/1` (schema in result.schema.json).

Values are encoded so that tools never meet an ambiguous number:
an int is a JSON integer; an exact fraction is
`{"numerator": 12, "denominator": 13, "approx": 0.923…}`; a value the data
does not decide is `{"low": …, "high": …, "undefined": false}` (null bounds
are unbounded); an undefined value is `{"undefined": true}`; a date is
`"YYYY-MM-DD"`. A whole number too long for Python to print (over 4,300
digits) is its order of magnitude as text, `"≈ 10^5000"`.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

from ..result import RESULT_SCHEMA, Explanation, Fact, Result
from ..values import UNDEFINED, Period, Range
from .format import int_text


def _whole(value: int) -> int | str:
    """A whole number, or its order of magnitude as text where JSON writers
    (Python's own) cannot print it (over 4,300 digits)."""
    if value.bit_length() < 14_000:  # (fewer than 4,215 digits: the usual case, at once)
        return value
    text = int_text(value)
    return value if "≈" not in text else text


def encode(value: Any) -> Any:
    if value is UNDEFINED:
        return {"undefined": True}
    if isinstance(value, Range):
        return {"low": encode(value.low), "high": encode(value.high), "undefined": value.undefined}
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return _whole(value)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return _whole(value.numerator)
        try:
            approx: float | None = float(value)
        except OverflowError:
            approx = None
        return {
            "numerator": _whole(value.numerator),
            "denominator": _whole(value.denominator),
            "approx": approx,
        }
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Period):
        return {"start": value.start.isoformat(), "end": value.end.isoformat()}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return str(value)


def explanation_to_dict(x: Explanation, lang: str = "en") -> dict[str, Any]:
    found = explanation_fields(x)
    if x.drilldown:  # (items judged by another ruleset: each one's own result)
        found["drilldown"] = [
            {
                "path": d.path,
                "label": d.label,
                "ruleset": d.ruleset_id,
                "result": result_to_dict(d.result, True, lang),
            }
            for d in x.drilldown
        ]
    return found


def _fact(f: Fact) -> dict[str, Any]:
    out = {
        "expression": f.text,
        "value": encode(f.value),
        "op": f.op,
        "threshold_expression": f.threshold_text,
        "threshold": encode(f.threshold),
        "holds": encode(f.holds),
    }
    # Enum values keep their codes; their labels, as reports show them, beside.
    for key, value in (("value_label", f.value), ("threshold_label", f.threshold)):
        label = f.label(value) if f.labels else None
        if label is not None:
            out[key] = label
    return out


def explanation_fields(x: Explanation) -> dict[str, Any]:
    return {
        "facts": [_fact(f) for f in x.facts],
        "witnesses": [
            {
                "expression": w.text,
                "role": w.role,
                "items": [{"path": i.path, "label": i.label} for i in w.items],
            }
            for w in x.witnesses
        ],
        "missing": list(x.missing),
        "applies_missing": list(x.applies_missing),
        "gap": None
        if x.gap is None
        else {
            "change": x.gap.change,
            "direction": x.gap.direction,
            "list": x.gap.list_text,
            "test": x.gap.test_text,
            "entity": x.gap.entity_label,
        },
    }


def result_to_dict(result: Result, explain: bool = True, lang: str = "en") -> dict[str, Any]:
    error = None
    if result.error is not None:
        first = result.error.first
        error = {
            "code": first.code,
            "message": first.message(lang),
            "path": first.path,
            "line": result.error.line,
            "column": result.error.column,
            "text": result.error.render(lang),
        }
    criteria = []
    for c in result.criteria.values():
        entry: dict[str, Any] = {
            "id": c.id,
            "title": c.title,
            "title_en": c.title_en,
            "status": c.status.name,
            "group": c.group,
            "group_title": c.group_title,
            "mandatory": c.mandatory,
            "provisional": c.provisional,
            "decides_verdict": c.decides_verdict,
            "role": c.role,
            "source": c.source,
            "test": c.test_text,
            "value": encode(c.value),
            "points": encode(c.points),
            "max_points": encode(c.max_points),
        }
        if explain:
            entry["explanation"] = explanation_to_dict(c.explanation, lang)
        criteria.append(entry)
    return {
        "schema": RESULT_SCHEMA,
        "ruleset": {
            "id": result.ruleset_id,
            "title": result.ruleset_title,
            "title_en": result.ruleset_title_en,
            "version": result.ruleset_version,
            "basis": list(result.basis),
        },
        "subject": {"entity": result.subject_entity, "label": result.subject},
        "index": result.index,
        "period": encode(result.period),
        "verdict": None if result.error is not None else result.verdict.name,
        "level": result.level,
        "level_candidates": list(result.level_candidates),
        "score": encode(result.score),
        "max_score": encode(result.max_score),
        "met": result.met,
        "applicable": result.applicable,
        "criteria": criteria,
        "notices": [
            {"severity": n.severity, "code": n.code, "message": n.render(lang)}
            for n in result.notices
        ],
        "error": error,
    }
