"""Values as people read them, in Vietnamese or English.

Vietnamese readers write 92,3 % (decimal comma, a space before %) and
13.013 (a dot between thousands); English readers 92.3% and 13,013. Numbers
of four digits are not split, so that years read as years. Exact
fractions that do not end as decimals are shown with an approximation:
12/13 ≈ 92,3 %.
"""

from __future__ import annotations

import datetime
import math
from fractions import Fraction
from typing import Any

from ..messages import word
from ..values import UNDEFINED, Period, Range


def _group(digits: str, lang: str) -> str:
    # Four-digit numbers stay whole: they are most often years (2021).
    if len(digits) <= 4:
        return digits
    sep = "." if lang == "vi" else ","
    out = []
    for index, ch in enumerate(reversed(digits)):
        if index and index % 3 == 0:
            out.append(sep)
        out.append(ch)
    return "".join(reversed(out))


def int_text(value: int) -> str:
    """Digits of a whole number; one too long for Python to print (over
    4,300 digits, a guard of Python's own) as its order of magnitude."""
    try:
        return str(value)
    except ValueError:
        sign = "-" if value < 0 else ""
        exponent = int(abs(value).bit_length() * math.log10(2))
        if 10**exponent > abs(value):  # (the estimate is at most one too many)
            exponent -= 1
        return f"≈ {sign}10^{exponent}"


def number(value: int | Fraction, lang: str, places: int = 1) -> str:
    """An exact number: `12`, `3.013` (vi) / `3,013` (en), `0,5`, `≈ 0,333`."""
    negative = value < 0
    value = -value if negative else value
    sign = "-" if negative else ""
    if isinstance(value, int) or (isinstance(value, Fraction) and value.denominator == 1):
        text = int_text(int(value))
        return text.replace("≈ ", "≈ " + sign) if "≈" in text else sign + _group(text, lang)
    point = "," if lang == "vi" else "."
    whole, rest = divmod(value, 1)
    for digits in range(1, 5):
        scaled = rest * 10**digits
        if scaled.denominator == 1:
            return f"{sign}{_group(int_text(int(whole)), lang)}{point}{int(scaled):0{digits}d}"
    # Cut, not rounded: 69.99…% shown beside "needs >= 70%" must not read 70.0%.
    rounded = math.floor(value * 10**places)
    whole, frac = divmod(rounded, 10**places)
    return f"{sign}≈ {_group(int_text(whole), lang)}{point}{frac:0{places}d}"


def exact(value: int | Fraction, lang: str) -> str:
    """A number for a reader who must not be misled: `2/3 ≈ 0,667` when it does not end."""
    text = number(value, lang)
    if "≈" not in text or Fraction(value).denominator == 1:
        return text
    frac = Fraction(value)
    fraction = f"{int_text(frac.numerator)}/{int_text(frac.denominator)}"
    return f"{fraction} {number(value, lang, places=3)}"


def percent(value: Fraction | int, lang: str) -> str:
    """`92,3 %` (vi) / `92.3%` (en), with the exact fraction when it is not exact."""
    pct = Fraction(value) * 100
    text = number(pct, lang)
    approximate = text.startswith("≈") or text.startswith("-≈")
    text = text.replace("≈ ", "")
    suffix = " %" if lang == "vi" else "%"
    if approximate:
        frac = Fraction(value)
        return f"{int_text(frac.numerator)}/{int_text(frac.denominator)} ≈ {text}{suffix}"
    return f"{text}{suffix}"


def date(value: datetime.date, lang: str) -> str:
    return value.strftime("%d/%m/%Y") if lang == "vi" else value.isoformat()


def value(item: Any, lang: str, as_percent: bool = False) -> str:
    """Any value an evaluation gives, including ranges and `undefined`."""
    if item is UNDEFINED:
        return word("undefined", lang)
    if isinstance(item, Range):
        return _range(item, lang, as_percent)
    if item is True or item is False:
        return word("true" if item else "false", lang)
    if isinstance(item, (int, Fraction)):
        return percent(item, lang) if as_percent else exact(item, lang)
    if isinstance(item, datetime.date):
        return date(item, lang)
    if isinstance(item, Period):
        return f"{date(item.start, lang)} – {date(item.end, lang)}"
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(i, lang, as_percent) for i in item) + "]"
    if item is None:
        return "—"
    if type(item).__name__ == "ListSummary":
        text = word("one item" if item.count == 1 else "items", lang).format(count=item.count)
        return word("at least", lang).format(low=text) if item.open else text
    return str(item)


def _range(item: Range, lang: str, as_percent: bool) -> str:
    unbounded = item.low is None and item.high is None
    if isinstance(item.low, bool) or isinstance(item.high, bool) or unbounded:
        text = word("unknown", lang)
    elif item.low is None:
        text = word("at most", lang).format(high=value(item.high, lang, as_percent))
    elif item.high is None:
        text = word("at least", lang).format(low=value(item.low, lang, as_percent))
    elif item.low == item.high:
        text = value(item.low, lang, as_percent)
    else:
        text = word("between", lang).format(
            low=value(item.low, lang, as_percent), high=value(item.high, lang, as_percent)
        )
    if item.undefined:
        text += " " + word("or undefined", lang)
    return text
