"""Values and what is known about them.

A value the data decides is a plain Python value: bool, int, Fraction (for
decimals), str, datetime.date, `Period`. When data is missing, an evaluator
works with the *set of values the result could take* — over every way of
filling in the missing data — and this module represents such sets:

* `Range(low, high)`: some value between the bounds (None: unbounded). A
  missing bool is `Range(False, True)`; a missing number `Range(None, None)`.
* `UNDEFINED`: no value at all, as for the ratio of an empty list. It
  propagates through arithmetic and comparisons; `??` replaces it.
* `Range(…, undefined=True)`: some value in the range, or undefined.

For booleans this is exact: every subset of {true, false, undefined} has one
representation. For numbers and dates it is an interval, which may admit
values the data cannot produce but never leaves one out; so a result that is
decided (a plain value) is right for every completion of the data.

Both evaluators build their results from the operations here, so they agree
by construction on everything but aggregates, which each computes in its own
way and which the test suite compares.
"""

from __future__ import annotations

import datetime
from fractions import Fraction
from typing import Any

import attrs


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False

    def __reduce__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


@attrs.frozen
class Range:
    """A value not decided by the data: somewhere in [low, high] (None: unbounded),
    or undefined too when `undefined` is set."""

    low: Any = None
    high: Any = None
    undefined: bool = False

    def __str__(self) -> str:
        low = "…" if self.low is None else _show(self.low)
        high = "…" if self.high is None else _show(self.high)
        text = f"{low} .. {high}"
        return text + " (or undefined)" if self.undefined else text


@attrs.frozen
class Period:
    """A closed range of dates: the evaluation period, or `a .. b`."""

    start: datetime.date
    end: datetime.date

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    @property
    def year(self) -> int:
        return self.end.year

    def __str__(self) -> str:
        return f"{self.start.isoformat()} .. {self.end.isoformat()}"


UNKNOWN = Range()
UNKNOWN_BOOL = Range(False, True)


def _show(value: Any) -> str:
    if isinstance(value, Fraction):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return repr(value)


def is_known(value: Any) -> bool:
    return value is not UNDEFINED and type(value) is not Range


# ----------------------------------------------------------- decomposition


def parts(value: Any) -> tuple[bool, Any, Any, bool]:
    """(has a defined value, low, high, may be undefined)."""
    if type(value) is Range:
        return True, value.low, value.high, value.undefined
    if value is UNDEFINED:
        return False, None, None, True
    return True, value, value, False


def compose(defined: bool, low: Any, high: Any, undefined: bool) -> Any:
    """The canonical form of a set of possible values."""
    if not defined:
        return UNDEFINED
    if low is not None and not undefined and low == high:
        return low
    return Range(low, high, undefined)


def strip_undefined(value: Any) -> Any:
    defined, low, high, _ = parts(value)
    return compose(defined, low, high, False) if defined else UNDEFINED


def hull(a: Any, b: Any) -> Any:
    """The smallest set holding both (None bounds are unbounded)."""
    da, la, ha, ua = parts(a)
    db, lb, hb, ub = parts(b)
    if not da:
        return compose(db, lb, hb, True)
    if not db:
        return compose(da, la, ha, True)
    low = None if la is None or lb is None else min(la, lb)
    high = None if ha is None or hb is None else max(ha, hb)
    # Text has no order worth tracking: two different strings make "any text".
    if (isinstance(low, str) or isinstance(high, str)) and not (la == lb == ha == hb):
        low = high = None
    return compose(True, low, high, ua or ub)


# ------------------------------------------------------------------- logic


def flags(value: Any) -> tuple[bool, bool, bool]:
    """A boolean value as (can be true, can be false, can be undefined)."""
    if value is True:
        return True, False, False
    if value is False:
        return False, True, False
    if value is UNDEFINED:
        return False, False, True
    return value.high is not False, value.low is not True, value.undefined


def from_flags(can_true: bool, can_false: bool, can_undefined: bool) -> Any:
    if not can_true and not can_false:
        return UNDEFINED
    if not can_undefined and can_true != can_false:
        return can_true
    return Range(not can_false, can_true, can_undefined)


def logic_not(a: Any) -> Any:
    if a is True or a is False:
        return not a
    t, f, u = flags(a)
    return from_flags(f, t, u)


def logic_and(a: Any, b: Any) -> Any:
    """Kleene conjunction, point by point: false and anything (even undefined) is false."""
    at, af, au = flags(a)
    bt, bf, bu = flags(b)
    return from_flags(
        at and bt,
        af or bf,
        (au and (bt or bu)) or (bu and (at or au)),
    )


def logic_or(a: Any, b: Any) -> Any:
    at, af, au = flags(a)
    bt, bf, bu = flags(b)
    return from_flags(
        at or bt,
        af and bf,
        (au and (bf or bu)) or (bu and (af or au)),
    )


# ------------------------------------------------------------- comparison


def _below(low: Any, high: Any) -> bool:
    """low < high with None as -inf for low and +inf for high."""
    return low is None or high is None or low < high


def _at_most(low: Any, high: Any) -> bool:
    return low is None or high is None or low <= high


def compare(op: str, a: Any, b: Any) -> Any:
    """`a op b` over possible values."""
    da, la, ha, ua = parts(a)
    db, lb, hb, ub = parts(b)
    undefined = ua or ub
    if not (da and db):
        return UNDEFINED
    if op == "==" or op == "!=":
        can_equal = _at_most(la, hb) and _at_most(lb, ha)
        same_point = la is not None and la == ha == lb == hb
        can_true, can_false = can_equal, not same_point
        if op == "!=":
            can_true, can_false = can_false, can_true
    elif op == "<":
        can_true, can_false = _below(la, hb), _at_most(lb, ha)
    elif op == "<=":
        can_true, can_false = _at_most(la, hb), _below(lb, ha)
    elif op == ">":
        can_true, can_false = _below(lb, ha), _at_most(la, hb)
    elif op == ">=":
        can_true, can_false = _at_most(lb, ha), _below(la, hb)
    else:  # pragma: no cover - the checker admits no other operator
        raise AssertionError(op)
    return from_flags(can_true, can_false, undefined)


def compare_known(op: str, a: Any, b: Any) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def member(element: Any, items: list[Any], open_: bool, members: list[Any] | None = None) -> Any:
    """`element in items`: equal to one of them (`or` over the items). An item
    may belong to the list only perhaps (`members`), and an open list (one whose
    extent is missing) may hold anything more."""
    result: Any = False
    for index, item in enumerate(items):
        equal = compare("==", element, item)
        if members is not None and members[index] is not True:
            equal = logic_and(members[index], equal)
        result = logic_or(result, equal)
        if result is True:
            return True
    if open_:
        result = logic_or(
            result, compare("==", element, UNKNOWN) if element is not UNDEFINED else UNDEFINED
        )
    return result


def in_period(day: Any, period: Any) -> Any:
    if is_known(day) and type(period) is Period:
        return period.start <= day <= period.end
    if period is UNDEFINED or day is UNDEFINED:
        return UNDEFINED
    if type(period) is Period:
        start, end, undefined = period.start, period.end, False
    else:
        start, end, undefined = None, None, period.undefined
    low = compare(">=", day, UNKNOWN if start is None else start)
    high = compare("<=", day, UNKNOWN if end is None else end)
    result = logic_and(low, high)
    return with_undefined(result) if undefined else result


def with_undefined(value: Any) -> Any:
    """The same set of values, with `undefined` added."""
    if value is True or value is False or (type(value) is Range and isinstance(value.low, bool)):
        can_true, can_false, _ = flags(value)
        return from_flags(can_true, can_false, True)
    defined, low, high, _ = parts(value)
    return compose(defined, low, high, True)


def make_period(start: Any, end: Any) -> Any:
    if is_known(start) and is_known(end):
        return Period(start, end)
    if start is UNDEFINED or end is UNDEFINED:
        return UNDEFINED
    return Range(None, None, parts(start)[3] or parts(end)[3])


# ------------------------------------------------------------- arithmetic

_INF = float("inf")


def _ext(value: Any, default: float) -> Any:
    return default if value is None else value


def _unext(value: Any) -> Any:
    return None if isinstance(value, float) else value


def _mul(x: Any, y: Any) -> Any:
    if x == 0 or y == 0:
        return 0
    return x * y


def arith_known(op: str, a: Any, b: Any) -> Any:
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if b == 0:
        return UNDEFINED
    return Fraction(a) / b


def arith(op: str, a: Any, b: Any) -> Any:
    """Interval arithmetic, exact, with division by zero undefined."""
    if is_known(a) and is_known(b):
        return arith_known(op, a, b)
    da, la, ha, ua = parts(a)
    db, lb, hb, ub = parts(b)
    if not (da and db):
        return UNDEFINED
    undefined = ua or ub
    la, ha, lb, hb = _ext(la, -_INF), _ext(ha, _INF), _ext(lb, -_INF), _ext(hb, _INF)
    if op == "+":
        low, high = la + lb, ha + hb
    elif op == "-":
        low, high = la - hb, ha - lb
    elif op == "*":
        products = [_mul(la, lb), _mul(la, hb), _mul(ha, lb), _mul(ha, hb)]
        low, high = min(products), max(products)
    else:
        if lb == 0 and hb == 0:
            return UNDEFINED
        if lb <= 0 <= hb:
            return compose(True, None, None, True)
        inverses = [Fraction(1) / v if not isinstance(v, float) else 0 for v in (lb, hb)]
        products = [_mul(x, y) for x in (la, ha) for y in inverses]
        low, high = min(products), max(products)
        if not isinstance(low, float):
            low = Fraction(low)
        if not isinstance(high, float):
            high = Fraction(high)
    return compose(True, _unext(low), _unext(high), undefined)


def negate(a: Any) -> Any:
    if is_known(a):
        return -a
    defined, low, high, undefined = parts(a)
    if not defined:
        return UNDEFINED
    return compose(True, None if high is None else -high, None if low is None else -low, undefined)


def fallback(a: Any, b: Any) -> Any:
    """`a ?? b` once `b` is known to be needed (a may be undefined)."""
    if a is UNDEFINED:
        return b
    return hull(strip_undefined(a), b)


def may_be_undefined(value: Any) -> bool:
    return value is UNDEFINED or (type(value) is Range and value.undefined)


# ------------------------------------------------------------ date parts


def _quarter(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


_PART_SPAN = {"month": (1, 12), "day": (1, 31), "quarter": (1, 4)}


def date_part(day: Any, part: str) -> Any:
    if type(day) is datetime.date or (is_known(day) and isinstance(day, datetime.date)):
        return _quarter(day) if part == "quarter" else getattr(day, part)
    defined, low, high, undefined = parts(day)
    if not defined:
        return UNDEFINED
    if part == "year":
        return compose(
            True, None if low is None else low.year, None if high is None else high.year, undefined
        )
    if low is not None and high is not None and low.year == high.year:
        if part == "quarter" and _quarter(low) == _quarter(high):
            return compose(True, _quarter(low), _quarter(low), undefined)
        if part == "month" and low.month == high.month:
            return compose(True, low.month, low.month, undefined)
    first, last = _PART_SPAN[part]
    return compose(True, first, last, undefined)


def period_part(period: Any, part: str) -> Any:
    if type(period) is Period:
        return period.year if part == "year" else getattr(period, part)
    if period is UNDEFINED:
        return UNDEFINED
    return Range(None, None, period.undefined)


# -------------------------------------------------------------- aggregates
#
# Each evaluator reduces the items of an aggregate to a few counts or bounds
# (how it does so is its own affair); the functions below turn those into
# the set of possible results. `open_` says the list itself is missing
# somewhere, so unknown further items may exist.


def count_result(sure: int, possible: int, undefined: bool, open_: bool) -> Any:
    """`sure` items certainly counted, `possible` perhaps counted (sure ≤ possible)."""
    return compose(True, sure, None if open_ else possible, undefined)


def ratio_result(
    true_in: int,
    false_in: int,
    unknown_in: int,
    maybe_true: int,
    maybe_false: int,
    undefined: bool,
    open_: bool,
) -> Any:
    """Items surely taking part split by their test (true, false, unknown), and
    items that may or may not take part counted by whether the test can be
    true or can be false. Bounds: the least ratio counts every doubtful test
    as false and takes in every doubtful item that can be false; the greatest
    does the opposite."""
    sure = true_in + false_in + unknown_in
    if open_:
        return compose(True, 0, 1, undefined or sure == 0)
    if sure == 0:
        if not (maybe_true or maybe_false):
            return UNDEFINED
        low = 0 if maybe_false else 1
        high = 1 if maybe_true else 0
        return compose(True, low, high, True)
    low = Fraction(true_in, sure + maybe_false)
    high = Fraction(true_in + unknown_in + maybe_true, sure + maybe_true)
    return compose(True, low, high, undefined)


# When some item of a `count`, `ratio`, `all`, `any` or `none` is not decided
# by the data, the evaluator's tallies (items surely in with a true test,
# surely in with a false one) are completed by these, from the doubtful
# items' possible (keep, test) values — each evaluator gathers them its own
# way, and both finish them here.


def _doubtful(slow: list[tuple[Any, Any]]) -> list[tuple[tuple, tuple]]:
    rows = []
    for keep, body in slow:
        k = flags(keep)
        b = flags(body) if body is not None else (False, False, False)
        rows.append((k, b))
    return rows


def _hit(k: tuple, b: tuple) -> tuple[bool, bool, bool]:
    """Flags of `keep and body` for one item (Kleene, point by point)."""
    kt, kf, ku = k
    bt, bf, bu = b
    return kt and bt, kf or bf, (ku and (bt or bu)) or (bu and (kt or ku))


def finish_count(true: int, false: int, slow: list, open_: bool, phantom: bool) -> Any:
    hits = [_hit(k, b) for k, b in _doubtful(slow)]
    if any(h == (False, False, True) for h in hits):
        return UNDEFINED
    sure = true + sum(1 for h in hits if h[0] and not h[1])
    possible = true + sum(1 for h in hits if h[0])
    return count_result(sure, possible, phantom or any(h[2] for h in hits), open_)


def finish_any(true: int, false: int, slow: list, open_: bool, phantom: bool) -> Any:
    if true:
        return True
    hits = [_hit(k, b) for k, b in _doubtful(slow)]
    can_true = open_ or any(h[0] for h in hits)
    can_false = all(h[1] for h in hits)
    can_undefined = all(h[1] or h[2] for h in hits) and (phantom or any(h[2] for h in hits))
    return from_flags(can_true, can_false, can_undefined)


def finish_none(true: int, false: int, slow: list, open_: bool, phantom: bool) -> Any:
    return logic_not(finish_any(true, false, slow, open_, phantom))


def finish_all(true: int, false: int, slow: list, open_: bool, phantom: bool) -> Any:
    if false:
        return False
    oks = []
    for k, b in _doubtful(slow):
        kt, kf, ku = k
        bt, bf, bu = b
        # ok = not keep or body, point by point
        oks.append((kf or bt, kt and bf, (ku and (bf or bu)) or (bu and (kt or ku))))
    can_false = open_ or any(o[1] for o in oks)
    can_true = all(o[0] for o in oks)
    can_undefined = all(o[0] or o[2] for o in oks) and (phantom or any(o[2] for o in oks))
    return from_flags(can_true, can_false, can_undefined)


def finish_ratio(true: int, false: int, slow: list, open_: bool, phantom: bool) -> Any:
    t_in, f_in, u_in, maybe_true, maybe_false = true, false, 0, 0, 0
    undefined = phantom
    for (kt, kf, ku), (bt, bf, bu) in _doubtful(slow):
        can_in = kt and (bt or bf)
        if not can_in and not kf:
            return UNDEFINED
        undefined = undefined or ku or (kt and bu)
        if can_in and not kf:
            if bt and bf:
                u_in += 1
            elif bt:
                t_in += 1
            else:
                f_in += 1
        elif can_in:
            maybe_true += bt
            maybe_false += bf
    return ratio_result(t_in, f_in, u_in, maybe_true, maybe_false, undefined, open_)


BOOL_FINISH = {
    "count": finish_count,
    "any": finish_any,
    "none": finish_none,
    "all": finish_all,
    "ratio": finish_ratio,
}


def ratio_value(numerator: int, denominator: int) -> Any:
    return UNDEFINED if denominator == 0 else Fraction(numerator, denominator)


def _low_min(values: list[Any]) -> Any:
    """The least low bound (None, unbounded, wins)."""
    lows = [parts(v)[1] for v in values]
    return None if any(v is None for v in lows) else min(lows)


def _high_max(values: list[Any]) -> Any:
    highs = [parts(v)[2] for v in values]
    return None if any(v is None for v in highs) else max(highs)


def _high_min(values: list[Any]) -> Any:
    """The least high bound; unbounded ones do not lower it."""
    highs = [parts(v)[2] for v in values if parts(v)[2] is not None]
    return min(highs) if highs else None


def _low_max(values: list[Any]) -> Any:
    lows = [parts(v)[1] for v in values if parts(v)[1] is not None]
    return max(lows) if lows else None


def sum_result(sure: list[Any], maybe: list[Any], undefined: bool, open_: bool) -> Any:
    """Values of items surely taking part, and of items that may (each adds 0 or its value)."""
    if open_:
        return compose(True, None, None, undefined)
    total: Any = 0
    for value in sure:
        total = arith("+", total, value)
    for value in maybe:
        total = arith("+", total, hull(0, value))
    defined, low, high, _ = parts(total)
    return compose(defined, low, high, undefined)


def avg_result(sure: list[Any], maybe: list[Any], undefined: bool, open_: bool) -> Any:
    if open_:
        return compose(True, None, None, True if not sure else undefined)
    if not sure and not maybe:
        return UNDEFINED
    if maybe:
        # Which items take part is unknown: the mean lies between the extremes.
        values = sure + maybe
        return compose(True, _low_min(values), _high_max(values), undefined or not sure)
    total: Any = 0
    for value in sure:
        total = arith("+", total, value)
    mean = arith("/", total, len(sure))
    defined, low, high, _ = parts(mean)
    return compose(defined, low, high, undefined)


def extreme_result(
    func: str, sure: list[Any], maybe: list[Any], undefined: bool, open_: bool
) -> Any:
    """`min` or `max`: an item that may take part can only push the result outwards."""
    if not sure and not maybe and not open_:
        return UNDEFINED
    undefined = undefined or not sure
    everything = sure + maybe
    if func == "min":
        low = None if open_ or not everything else _low_min(everything)
        if sure:
            high = _high_min(sure)
        else:
            high = None if open_ or not maybe else _high_max(maybe)
    else:
        high = None if open_ or not everything else _high_max(everything)
        if sure:
            low = _low_max(sure)
        else:
            low = None if open_ or not maybe else _low_min(maybe)
    return compose(True, low, high, undefined)


def value_aggregate(
    func: str,
    known: list[Any],
    rows: list[tuple[Any, Any]],
    open_: bool,
    unknown_item_undefined: bool,
) -> Any:
    """`sum`, `avg`, `min` or `max` from the values of items surely taking part
    (`known`) and (keep, value) rows for the others; a value of None was not
    read because the item surely does not take part. An open list may hold
    unknown items, which may be undefined if `unknown_item_undefined`."""
    sure = list(known)
    maybe: list[Any] = []
    undefined = open_ and unknown_item_undefined
    for keep, value in rows:
        can_keep, can_drop, keep_undefined = flags(keep)
        has_value = value is not None and value is not UNDEFINED
        can_in = can_keep and has_value
        if not can_in and not can_drop:
            return UNDEFINED
        undefined = undefined or keep_undefined or (can_keep and may_be_undefined(value))
        if can_in:
            (maybe if can_drop else sure).append(strip_undefined(value))
    if func == "sum":
        return sum_result(sure, maybe, undefined, open_)
    if func == "avg":
        return avg_result(sure, maybe, undefined, open_)
    return extreme_result(func, sure, maybe, undefined, open_)
