"""Reading the data a ruleset judges: dicts and lists, attrs instances, dataclasses.

Fields are read one at a time, as an evaluation needs them, and each value
is checked against its declared type as it is read; a missing key and a
`None` both mean "not known" (never an error, never a silent zero). The
conversions are exact: a float becomes the decimal it prints as (0.1 is
1/10), a `Decimal` becomes a `Fraction`, text is NFC-normalised.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum as py_enum
import json
import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import PurePath
from typing import Any
from unicodedata import is_normalized

import attrs

from . import types as t
from .errors import AntqError, DataError, Diagnostic
from .source import normalize_text
from .values import UNKNOWN, UNKNOWN_BOOL

MISSING: Any = None


class BadValue(Exception):
    """Internal: a value of the wrong type, before its path is known."""

    def __init__(self, code: str, params: dict[str, object]) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def at(self, path: str) -> DataError:
        return DataError(Diagnostic(self.code, self.params, path=path or "(the data)"))


def describe_value(raw: Any) -> str:
    """A value as a message shows it (short, whatever the value)."""
    try:
        return _describe(raw)
    except Exception:  # (a value whose str() fails or is too big to convert)
        return f"a {type(raw).__name__}"


def _describe(raw: Any) -> str:
    if isinstance(raw, str):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        return json.dumps(shown, ensure_ascii=False)
    if raw is True or raw is False:
        return "true" if raw else "false"
    if isinstance(raw, int) and abs(raw).bit_length() > 200:
        return f"an integer of about {int(abs(raw).bit_length() * 0.30103) + 1} digits"
    if isinstance(raw, (int, float, Fraction, decimal.Decimal)):
        text = str(raw)
        return text if len(text) <= 40 else text[:40] + "…"
    if isinstance(raw, (list, tuple)):
        return "a list"
    if isinstance(raw, Mapping):
        return "an object"
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    return f"a {type(raw).__name__}"


def _bad(expected: str, raw: Any) -> BadValue:
    return BadValue("data-type", {"expected": expected, "got": describe_value(raw)})


# ------------------------------------------------------------------ objects


def is_object(raw: Any) -> bool:
    return (
        type(raw) is dict  # (the usual case, before the slower checks)
        or isinstance(raw, Mapping)
        or attrs.has(type(raw))
        or (dataclasses.is_dataclass(raw) and not isinstance(raw, type))
    )


EVALUATORS = ("compiled", "reference")


def check_call(data: Any, subject: str, evaluator: str) -> None:
    """What every `evaluate` checks first: the evaluator's name and the data's shape."""
    if evaluator not in EVALUATORS:
        raise AntqError(
            Diagnostic("unknown-evaluator", {"name": evaluator, "known": ", ".join(EVALUATORS)})
        )
    if not is_object(data):
        # A file name where a subject's data belongs: say how files are judged.
        helps = (("help-evaluate-file", {}),) if isinstance(data, (str, PurePath)) else ()
        raise DataError(
            Diagnostic(
                "data-type",
                {"expected": f"an object for `{subject}`", "got": describe_value(data)},
                path="(the data)",
                helps=helps,
            )
        )


def get_raw(obj: Any, name: str) -> Any:
    """The raw value of a field, or None when it is missing."""
    if type(obj) is dict or isinstance(obj, Mapping):
        value = obj.get(name)
        if value is None and not name.isascii():
            # The data may spell a Vietnamese key in another normal form.
            for key, candidate in obj.items():
                if isinstance(key, str) and normalize_text(key) == name:
                    return candidate
        return value
    return getattr(obj, name, None)


LABEL_FIELDS = ("name", "tên", "ten", "title", "id", "mã", "ma", "code")
_LABEL_SET = frozenset(LABEL_FIELDS)


def subject_label(data: Any) -> str | None:
    """A readable name for a subject or item: its `name` (or `tên`, `id`…) field."""
    if not is_object(data):
        return None
    for field in LABEL_FIELDS:
        try:
            value = get_raw(data, field)
        except Exception:  # a label is a courtesy; odd objects get none
            return None
        if _shown_as_label(value):
            return normalize_text(str(value))
    return None


def label_of(data: Any) -> str | None:
    """`subject_label`, with the usual cases first."""
    if type(data) is dict:
        name = data.get("name")
        if type(name) is str and name and not name.isspace():
            # (NFC in every report; a name is usually in NFC already)
            if name.isascii() or is_normalized("NFC", name):
                return name
            return normalize_text(name)
        try:
            plain = "".join(data).isascii()  # no key in another normal form
        except TypeError:  # a key that is not text
            plain = False
        if plain:
            if _LABEL_SET.isdisjoint(data):
                return None
            for field in LABEL_FIELDS:
                value = data.get(field)
                if value is not None and _shown_as_label(value):
                    return normalize_text(str(value))
            return None
    return subject_label(data)


def _shown_as_label(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    # (an int of thousands of digits cannot even be converted to text)
    return isinstance(value, int) and not isinstance(value, bool) and value.bit_length() <= 64


def check_object(raw: Any, expected: str) -> Any:
    """An entity value: an object, or None when missing."""
    if raw is None or is_object(raw):
        return raw
    raise _bad(expected, raw)


def check_list(raw: Any, expected: str) -> list[Any] | None:
    """A list value, or None when missing (an open list)."""
    if raw is None:
        return None
    if type(raw) is list:
        return raw
    if isinstance(raw, (tuple, list)):
        return list(raw)
    raise _bad(f"list of {expected}", raw)


# ------------------------------------------------------------------ scalars


def to_bool(raw: Any) -> Any:
    if raw is True or raw is False:
        return raw
    if raw is None:
        return UNKNOWN_BOOL
    raise _bad("bool", raw)


def to_int(raw: Any) -> Any:
    if type(raw) is int:
        return raw
    if raw is None:
        return UNKNOWN
    if isinstance(raw, (float, decimal.Decimal, Fraction)) and not isinstance(raw, bool):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise _bad("int", raw)
        if isinstance(raw, decimal.Decimal) and not _reasonable(raw):
            raise _bad("int", raw)
        if raw == int(raw):
            return int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return int(raw)
    raise _bad("int", raw)


def to_decimal(raw: Any) -> Any:
    if type(raw) is int or type(raw) is Fraction:
        return raw
    if raw is None:
        return UNKNOWN
    if isinstance(raw, bool):
        raise _bad("decimal", raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):
            raise _bad("decimal", raw)
        return _simplify(Fraction(repr(raw)))
    if isinstance(raw, decimal.Decimal):
        if not _reasonable(raw):
            raise _bad("decimal", raw)
        return _simplify(Fraction(raw))
    if isinstance(raw, (int, Fraction)):
        return raw
    raise _bad("decimal", raw)


# Digits a number from Python (not read from a file, whose readers have
# `Limits.digits`) may take written out: `Decimal("1e9999999")` would
# otherwise become an int of ten million digits, a minute's work.
MAX_DIGITS = 4300


def _reasonable(raw: decimal.Decimal) -> bool:
    """A finite Decimal written out in at most `MAX_DIGITS` digits."""
    return raw.is_finite() and (raw.is_zero() or abs(raw.adjusted()) <= MAX_DIGITS)


def _simplify(value: Fraction) -> int | Fraction:
    return value.numerator if value.denominator == 1 else value


def to_text(raw: Any) -> Any:
    if type(raw) is str:
        return normalize_text(raw)
    if raw is None:
        return UNKNOWN
    if isinstance(raw, str):
        return normalize_text(str(raw))
    raise _bad("text", raw)


def to_date(raw: Any) -> Any:
    if type(raw) is datetime.date:
        return raw
    if raw is None:
        return UNKNOWN
    if isinstance(raw, datetime.datetime):
        return raw.date()
    if isinstance(raw, datetime.date):
        return datetime.date(raw.year, raw.month, raw.day)
    if isinstance(raw, str):
        text = raw.strip()
        try:
            if len(text) == 10:
                return datetime.date.fromisoformat(text)
            return datetime.datetime.fromisoformat(text).date()
        except ValueError:
            pass
        raise BadValue("data-date", {"value": raw})
    raise _bad("date", raw)


def enum_reader(enum_type: t.Enum) -> Any:
    allowed = frozenset(enum_type.values)
    shown = ", ".join(f"`{v}`" for v in enum_type.values)

    def to_enum(raw: Any) -> Any:
        if raw is None:
            return UNKNOWN
        if isinstance(raw, py_enum.Enum):
            raw = raw.value if isinstance(raw.value, str) else raw.name
        if isinstance(raw, str):
            value = normalize_text(raw)
            if value in allowed:
                return value
            raise BadValue("data-enum", {"value": raw, "values": shown})
        raise _bad(str(enum_type), raw)

    return to_enum


_SCALAR_READERS = {
    "bool": to_bool,
    "int": to_int,
    "decimal": to_decimal,
    "text": to_text,
    "date": to_date,
}


def scalar_reader(type_: t.Type) -> Any:
    """The function that checks and converts a raw value of this scalar type."""
    if isinstance(type_, t.Enum):
        return enum_reader(type_)
    assert isinstance(type_, t.Scalar), type_
    return _SCALAR_READERS[type_.name]


def to_plain_period(value: Any) -> Any:
    """A period given by a user: a `Period`, a pair of dates, or `"a .. b"` text."""
    from .values import Period

    if value is None or isinstance(value, Period):
        return value
    given = value  # (as the user wrote it, for the message)
    try:
        if isinstance(value, str) and ".." in value:
            value = [v.strip() for v in value.split("..", 1)]
        start, end = value
        start, end = to_date(start), to_date(end)
    except (BadValue, TypeError, ValueError):
        raise DataError(Diagnostic("bad-period", {"value": describe_value(given)})) from None
    if not isinstance(start, datetime.date) or not isinstance(end, datetime.date):
        raise DataError(Diagnostic("bad-period", {"value": describe_value(given)}))
    if end < start:
        raise DataError(
            Diagnostic("period-reversed", {"start": start.isoformat(), "end": end.isoformat()})
        )
    return Period(start, end)


# --------------------------------------------------------- full validation


def validate_document(schema: Any, entity: Any, data: Any) -> None:
    """Check every declared field of every object (iteratively: data may be deep)."""
    stack: list[tuple[Any, Any, str]] = [(entity, data, "")]
    if not is_object(data):
        raise _bad(entity.name, data).at("")
    seen: set[tuple[int, str]] = set()  # data may refer to itself; check each object once
    while stack:
        current, obj, path = stack.pop()
        key = (id(obj), current.name)
        if key in seen:
            continue
        seen.add(key)
        for field in current.fields.values():
            raw = get_raw(obj, field.name)
            here = f"{path}.{field.name}" if path else field.name
            ftype = field.type
            try:
                if isinstance(ftype, t.List):
                    items = check_list(raw, str(ftype.item))
                    for index, item in enumerate(items or ()):
                        at = f"{here}[{index}]"
                        if isinstance(ftype.item, t.Entity):
                            if check_object(item, ftype.item.name) is not None:
                                stack.append((schema.entities[ftype.item.name], item, at))
                        else:
                            try:
                                scalar_reader(ftype.item)(item)
                            except BadValue as bad:
                                raise bad.at(at) from None
                elif isinstance(ftype, t.Entity):
                    if check_object(raw, ftype.name) is not None:
                        stack.append((schema.entities[ftype.name], raw, here))
                elif not isinstance(ftype, t.Nothing):
                    scalar_reader(ftype)(raw)
            except BadValue as bad:
                raise bad.at(here) from None
