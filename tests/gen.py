"""Hypothesis strategies for the property tests: well-typed expressions over a
small schema, and data templates whose unknown slots can be filled in every way."""

from __future__ import annotations

import datetime
import itertools
from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from antq_rules import Schema

PROPERTY_SCHEMA_TEXT = """
entity commune
  name: text
  flag: bool
  n: int
  d: decimal
  day: date
  villages: list[village]
  tags: list[text]

entity village
  name: text
  safe: bool
  pop: int
  score: decimal
  day: date
  kind: enum["a", "b", "c"]
  households: list[household]

entity household
  registered: bool
  members: int
"""
PROPERTY_SCHEMA = Schema.from_text(PROPERTY_SCHEMA_TEXT, "property.schema")
PERIOD = ("2021-01-01", "2021-06-30")

DATES = [datetime.date(2020, 12, 31), datetime.date(2021, 3, 15), datetime.date(2021, 7, 1)]
DOMAINS: dict[str, list[Any]] = {
    "bool": [True, False],
    "int": [-1, 0, 3],
    "decimal": [Fraction(0), Fraction(1, 2), Fraction(2)],
    "date": DATES[:2],
    "text": ["x", "zz"],
    "enum": ["a", "c"],
}
VALUES: dict[str, list[Any]] = {
    "bool": [True, False],
    "int": [-2, -1, 0, 1, 2, 3, 5],
    "decimal": [Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(1), Fraction(3)],
    "date": DATES,
    "text": ["x", "y", "zz", ""],
    "enum": ["a", "b", "c"],
}

# Fields by entity: name -> kind
FIELDS = {
    "commune": {"name": "text", "flag": "bool", "n": "int", "d": "decimal", "day": "date"},
    "village": {
        "name": "text",
        "safe": "bool",
        "pop": "int",
        "score": "decimal",
        "day": "date",
        "kind": "enum",
    },
    "household": {"registered": "bool", "members": "int"},
}
LISTS = {"commune": {"villages": "village"}, "village": {"households": "household"}}


# ------------------------------------------------------------------ data


class Slot:
    """An unknown scalar in a data template: `None` in the data, or any value of its domain."""

    def __init__(self, kind: str, absent: bool = False) -> None:
        self.kind = kind
        self.absent = absent  # left out of the data rather than None


class OpenList:
    """A missing list in a template: absent in the data, or one of a few lists."""

    def __init__(self, entity: str) -> None:
        self.entity = entity


class MissingItem:
    """A list item given as None: an entity of which nothing is known."""

    def __init__(self, entity: str) -> None:
        self.entity = entity


class Bad:
    """A wrong-typed value (tests of data errors)."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw


@st.composite
def entity_template(
    draw: Any, entity: str, depth: int = 0, unknown: float = 0.2, bad: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, kind in FIELDS[entity].items():
        roll = draw(st.floats(0, 1))
        if roll < unknown / 2:
            out[name] = Slot(kind, absent=True)
        elif roll < unknown:
            out[name] = Slot(kind)
        elif bad and roll > 0.985:
            out[name] = Bad(draw(st.sampled_from(["oops", 1.5, [1]])) if kind != "text" else 7)
        else:
            out[name] = draw(st.sampled_from(VALUES[kind]))
    for name, child in LISTS.get(entity, {}).items():
        roll = draw(st.floats(0, 1))
        if roll < unknown / 3:
            out[name] = OpenList(child)
        else:
            size = draw(st.integers(0, 4 if depth == 0 else 3))
            items = []
            for _ in range(size):
                if draw(st.floats(0, 1)) < unknown / 6:
                    items.append(MissingItem(child))
                else:
                    items.append(draw(entity_template(child, depth + 1, unknown, bad)))
            out[name] = items
    if entity == "commune":
        tags = draw(
            st.lists(st.sampled_from(["x", "y", None] if unknown else ["x", "y"]), max_size=3)
        )
        out["tags"] = [Slot("text") if tag is None else tag for tag in tags]
    return out


def to_data(template: Any) -> Any:
    """The template as data: unknown slots and open lists become missing (None)."""
    if isinstance(template, dict):
        return {
            k: to_data(v)
            for k, v in template.items()
            if not isinstance(v, OpenList) and not (isinstance(v, Slot) and v.absent)
        }
    if isinstance(template, list):
        return [to_data(v) for v in template]
    if isinstance(template, (Slot, MissingItem)):
        return None
    if isinstance(template, Bad):
        return template.raw
    return template


def slots(template: Any) -> list[Any]:
    found: list[Any] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif isinstance(node, (Slot, OpenList, MissingItem)):
            found.append(node)

    walk(template)
    return found


def default_item(entity: str) -> dict[str, Any]:
    item: dict[str, Any] = {name: DOMAINS[kind][0] for name, kind in FIELDS[entity].items()}
    for name in LISTS.get(entity, {}):
        item[name] = []
    return item


def _other_item(entity: str) -> dict[str, Any]:
    item: dict[str, Any] = {name: DOMAINS[kind][-1] for name, kind in FIELDS[entity].items()}
    for name in LISTS.get(entity, {}):
        item[name] = []
    return item


def completions(template: Any, limit: int = 256) -> list[Any]:
    """Every filling of the template's unknowns from the small domains (or None if too many)."""
    holes = slots(template)
    choices = []
    for hole in holes:
        if isinstance(hole, Slot):
            choices.append(DOMAINS[hole.kind])
        elif isinstance(hole, MissingItem):
            choices.append([default_item(hole.entity), _other_item(hole.entity)])
        else:
            choices.append([[], [default_item(hole.entity)]])
    total = 1
    for c in choices:
        total *= len(c)
    if total > limit:
        return []
    out = []
    for combo in itertools.product(*choices):
        filling = {id(h): value for h, value in zip(holes, combo, strict=True)}
        out.append(_fill(template, filling))
    return out


def _fill(node: Any, filling: dict[int, Any]) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v, filling) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v, filling) for v in node]
    if isinstance(node, (Slot, OpenList, MissingItem)):
        return filling[id(node)]
    return node


# ------------------------------------------------------------ expressions


def _names(scopes: tuple[str, ...], kind: str) -> list[str]:
    """Unqualified names of the given kind visible in scope (inner scopes shadow)."""
    seen: set[str] = set()
    out = []
    for entity in reversed(scopes):
        for name, field_kind in FIELDS[entity].items():
            if name in seen:
                continue
            seen.add(name)
            if field_kind == kind:
                out.append(name)
    return out


def _lists(scopes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Visible list paths (text, item entity), including flattened ones."""
    out = []
    seen: set[str] = set()
    for entity in reversed(scopes):
        for name, child in LISTS.get(entity, {}).items():
            if name in seen:
                continue
            seen.add(name)
            out.append((name, child))
            for inner, grandchild in LISTS.get(child, {}).items():
                out.append((f"{name}.{inner}", grandchild))
    return out


def _literal(draw: Any, kind: str) -> str:
    if kind == "bool":
        return draw(st.sampled_from(["true", "false"]))
    if kind == "int":
        return str(draw(st.integers(-1, 5)))
    if kind == "decimal":
        return draw(st.sampled_from(["0.5", "70%", "100%", "0.25", "1.0", "0", "12.5%"]))
    if kind == "date":
        return draw(st.sampled_from([d.isoformat() for d in DATES]))
    return draw(st.sampled_from(['"x"', '"zz"', '""']))


@st.composite
def expressions(
    draw: Any,
    kind: str = "bool",
    scopes: tuple[str, ...] = ("commune",),
    depth: int = 0,
    single: bool = False,
) -> str:
    """A well-typed expression of `kind`. With `single`, `single(list)` too,
    which complete data can leave unknown (no item) or wrong (more than one)."""
    leaf = depth >= 3 or draw(st.integers(0, 3)) == 0
    options = ["literal"]
    if _names(scopes, kind):
        options += ["field"] * 3
    if not leaf:
        options += {
            "bool": ["not", "and", "or", "cmp", "eq", "member", "agg", "agg", "fallback", "period"],
            "int": ["arith", "count", "count", "sumint", "extreme", "neg", "part"],
            "decimal": ["arith", "ratio", "ratio", "avg", "div", "fallback"],
            "date": ["extreme"],
            "text": [],
        }[kind]
    if single and not leaf:
        options.append("single")
    choice = draw(st.sampled_from(options))
    sub = lambda k, sc=scopes: draw(expressions(k, sc, depth + 1, single))  # noqa: E731
    if choice == "literal":
        return _literal(draw, kind)
    if choice == "field":
        return draw(st.sampled_from(_names(scopes, kind)))
    if choice == "not":
        return f"not ({sub('bool')})"
    if choice in ("and", "or"):
        return f"({sub('bool')}) {choice} ({sub('bool')})"
    if choice == "cmp":
        operand = draw(st.sampled_from(["int", "decimal", "date"]))
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        other = "decimal" if operand == "int" and draw(st.booleans()) else operand
        return f"({sub(operand)}) {op} ({sub(other)})"
    if choice == "eq":
        if "village" in scopes and draw(st.booleans()):
            return (
                f'kind {draw(st.sampled_from(["==", "!="]))} "{draw(st.sampled_from(["a", "b"]))}"'
            )
        return f"({sub('text')}) {draw(st.sampled_from(['==', '!=']))} ({sub('text')})"
    if choice == "member":
        if "village" in scopes and draw(st.booleans()):
            return f'kind {draw(st.sampled_from(["in", "not in"]))} ["a", "c"]'
        if draw(st.booleans()):
            joined = draw(st.sampled_from(["", ' + ["zz"]', " + tags"]))
            return f"({sub('text')}) in tags{joined}"
        return f"({sub('int')}) in [0, 3]"
    if choice == "period":
        target = sub("date")
        if draw(st.booleans()):
            return f"({target}) in period"
        return f"({target}) in 2021-01-01 .. 2021-03-31"
    if choice == "fallback":
        if kind == "bool":
            return f"({sub('bool')}) ?? ({sub('bool')})"
        return f"({sub('decimal')}) ?? ({sub('decimal')})"
    if choice in ("agg", "count", "ratio"):
        func = {
            "agg": draw(st.sampled_from(["all", "any", "none"])),
            "count": "count",
            "ratio": "ratio",
        }[choice]
        return _bool_aggregate(draw, func, scopes, depth, single)
    if choice in ("sumint", "extreme", "avg"):
        lists = _lists(scopes)
        path, entity = draw(st.sampled_from(lists))
        func = {
            "sumint": "sum",
            "avg": draw(st.sampled_from(["avg", "sum"])),
            "extreme": draw(st.sampled_from(["min", "max"])),
        }[choice]
        value_kind = kind if choice != "avg" else draw(st.sampled_from(["int", "decimal"]))
        inner = (*scopes, entity)
        if not _names((entity,), value_kind):
            return _literal(draw, kind)
        where = f" where {sub('bool', inner)}" if draw(st.booleans()) else ""
        if not where and draw(st.integers(0, 3)) == 0:  # (two lists joined)
            other = draw(st.sampled_from([p for p, e in lists if e == entity]))
            path = f"({path} + {other})"
        body = draw(st.sampled_from(_names((entity,), value_kind)))
        if not where and draw(st.booleans()):
            return f"{func}({path}.{body})"
        return f"{func}({path}{where}, {body})"
    if choice == "single":
        path, entity = _source(draw, scopes, depth, single)
        fields = _names((entity,), kind)
        if not fields:
            return _literal(draw, kind)
        inner = (*scopes, entity)
        if draw(st.booleans()):
            condition = draw(expressions("bool", inner, depth + 2, single))
            path = f"({path} where {condition})"
        return f"single({path}).{draw(st.sampled_from(fields))}"
    if choice == "arith":
        op = draw(st.sampled_from(["+", "-", "*"]))
        return f"({sub(kind)}) {op} ({sub(kind)})"
    if choice == "div":
        return f"({sub('int')}) / ({sub(draw(st.sampled_from(['int', 'decimal'])))})"
    if choice == "neg":
        return f"-({sub('int')})"
    if choice == "part":
        part = draw(st.sampled_from(["year", "month", "quarter", "day"]))
        if draw(st.integers(0, 4)) == 0:
            return "period.year"
        return f"({sub('date')}).{part}"
    raise AssertionError(choice)


def _source(
    draw: Any, scopes: tuple[str, ...], depth: int, single: bool = False
) -> tuple[str, str]:
    """A list to aggregate over: a path, a filtered list (`(S where C)`,
    `(S where C).inner`) or two joined (`(S + T)`)."""
    path, entity = draw(st.sampled_from(_lists(scopes)))
    roll = draw(st.integers(0, 6))
    if roll == 2 and depth < 3:
        other = draw(st.sampled_from([p for p, e in _lists(scopes) if e == entity]))
        if draw(st.booleans()):
            condition = draw(expressions("bool", (*scopes, entity), depth + 2, single))
            other = f"({other} where {condition})"
        return f"({path} + {other})", entity
    if roll == 0 and depth < 3:
        condition = draw(expressions("bool", (*scopes, entity), depth + 2))
        return f"({path} where {condition})", entity
    if roll == 1 and depth < 3 and "." not in path and LISTS.get(entity):
        condition = draw(expressions("bool", (*scopes, entity), depth + 2))
        inner, child = next(iter(LISTS[entity].items()))
        return f"({path} where {condition}).{inner}", child
    return path, entity


def _bool_aggregate(
    draw: Any, func: str, scopes: tuple[str, ...], depth: int, single: bool = False
) -> str:
    path, entity = _source(draw, scopes, depth, single)
    inner = (*scopes, entity)
    sub = lambda k: draw(expressions(k, inner, depth + 1, single))  # noqa: E731
    form = draw(st.integers(0, 3))
    bool_fields = _names((entity,), "bool")
    if form == 0 and bool_fields:
        return f"{func}({path}.{draw(st.sampled_from(bool_fields))})"
    if form == 1:
        return f"{func}({path} where {sub('bool')})"
    if form == 2:
        return f"{func}({path} where {sub('bool')}, {sub('bool')})"
    if func == "count":
        return f"count({path})"
    return f"{func}({path}, {sub('bool')})"
