"""Values as SQL computes them: the sets of possible values of `values`,
one SQL expression per part, and the operations of `values` on them.

A bool is three flags — can be true, can be false, can be undefined — as in
`values.flags`, so Kleene logic over unknown *and* undefined values is exact.
A number is (has a defined value, low, high, may be undefined); a bound is
an exact fraction `num / den` (den > 0) and a NULL numerator is unbounded,
so no float ever enters. Dates are like numbers with DATE bounds; text has
one value (NULL: any text), since two different texts make "any text" in
`values.hull`; a period is (start, end), both NULL when not known.

Every formula below is the one in `values`, written for columns; the tests
hold each against the reference interpreter.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import attrs
from sqlglot import exp

from . import build as b


@attrs.frozen
class Bool:
    t: Any
    f: Any
    u: Any

    @staticmethod
    def known(value: bool) -> Bool:
        return Bool(value, not value, False)


TRUE = Bool(True, False, False)
FALSE = Bool(False, True, False)
UNKNOWN_BOOL = Bool(True, True, False)
UNDEFINED_BOOL = Bool(False, False, True)


@attrs.frozen
class Rat:
    """An exact bound num / den (den > 0); a NULL num is unbounded."""

    num: Any
    den: Any = 1

    @staticmethod
    def of(value: Any) -> Rat:
        if isinstance(value, Fraction):
            return Rat(value.numerator, value.denominator)
        return Rat(value, 1)

    @property
    def integral(self) -> bool:
        return isinstance(self.den, int) and self.den == 1

    def constant(self) -> Fraction | None:
        if isinstance(self.num, exp.Expression) or isinstance(self.den, exp.Expression):
            return None
        if self.num is None:
            return None
        return Fraction(self.num, self.den)


def _rat(value: Any) -> Rat | None:
    return None if value is None else value


@attrs.frozen
class Num:
    """(defined, low, high, undefined); `point` says low and high are the
    same terms (a value read from a column: one number, or NULL for any)."""

    d: Any
    lo: Rat | None
    hi: Rat | None
    u: Any
    point: bool = False

    @staticmethod
    def const(value: Any) -> Num:
        r = Rat.of(value)
        return Num(True, r, r, False, True)

    @property
    def integral(self) -> bool:
        return all(r is None or r.integral for r in (self.lo, self.hi))

    def constant(self) -> Fraction | None:
        """The value, when it is one number known now."""
        if self.d is True and self.u is False and self.point and self.lo is not None:
            return self.lo.constant()
        return None


UNDEFINED_NUM = Num(False, None, None, True, True)


@attrs.frozen
class Date:
    d: Any
    lo: Any
    hi: Any
    u: Any
    point: bool = False


@attrs.frozen
class Text:
    d: Any
    v: Any  # NULL (or None): any text
    u: Any


@attrs.frozen
class Per:
    """A period: start and end when known (NULL both when not)."""

    d: Any
    start: Any
    end: Any
    u: Any


Value = Bool | Num | Date | Text | Per


# ------------------------------------------------------------------ logic


def from_flags(t: Any, f: Any, u: Any) -> Bool:
    # (no true and no false: undefined alone)
    return Bool(t, f, b.or_(u, b.and_(b.not_(t), b.not_(f))))


def logic_not(a: Bool) -> Bool:
    return Bool(a.f, a.t, a.u)


def logic_and(a: Bool, c: Bool) -> Bool:
    return Bool(
        b.and_(a.t, c.t),
        b.or_(a.f, c.f),
        b.or_(b.and_(a.u, b.or_(c.t, c.u)), b.and_(c.u, b.or_(a.t, a.u))),
    )


def logic_or(a: Bool, c: Bool) -> Bool:
    return Bool(
        b.or_(a.t, c.t),
        b.and_(a.f, c.f),
        b.or_(b.and_(a.u, b.or_(c.f, c.u)), b.and_(c.u, b.or_(a.f, a.u))),
    )


def exactly_true(a: Bool) -> Any:
    return b.and_(a.t, b.not_(a.f), b.not_(a.u))


def exactly_false(a: Bool) -> Any:
    return b.and_(a.f, b.not_(a.t), b.not_(a.u))


def with_undefined(a: Bool, flag: Any) -> Bool:
    return Bool(a.t, a.f, b.or_(a.u, flag))


# ------------------------------------------------------------- comparison


def rat_cmp(op: str, x: Rat | None, y: Rat | None) -> Any:
    """`x op y` (NULL when either is unbounded)."""
    if x is None or y is None:
        return None
    cx, cy = x.constant(), y.constant()
    if cx is not None and cy is not None:
        return b.cmp(op, cx, cy)
    if x.integral and y.integral:
        return b.cmp(op, x.num, y.num)
    return b.cmp(op, b.mul(x.num, y.den), b.mul(y.num, x.den))


def _flag(op: str, x: Any, y: Any, default: bool, dates: bool) -> Any:
    """`x op y` on bounds as a flag, `default` where one is unbounded."""
    if x is None or y is None:
        return default
    result = b.cmp(op, x, y) if dates else rat_cmp(op, x, y)
    if result is None:
        return default
    if isinstance(result, bool):
        return result
    return b.coalesce(result, default)


def compare(op: str, a: Any, c: Any) -> Bool:
    """`values.compare` for numbers, dates, bools and text."""
    if isinstance(a, Bool):
        a = bool_as_num(a)
    if isinstance(c, Bool):
        c = bool_as_num(c)
    if isinstance(a, Text) or isinstance(c, Text):
        return _compare_text(op, a, c)
    dates = isinstance(a, Date)
    la, ha, lc, hc = a.lo, a.hi, c.lo, c.hi
    both = b.and_(a.d, c.d)
    undefined = b.or_(a.u, c.u)

    def below(low: Any, high: Any) -> Any:
        return _flag("<", low, high, True, dates)

    def at_most(low: Any, high: Any) -> Any:
        return _flag("<=", low, high, True, dates)

    if op in ("==", "!="):
        can_equal = b.and_(at_most(la, hc), at_most(lc, ha))
        if la is None or ha is None or lc is None or hc is None:
            same_point: Any = False
        elif a.point and c.point:
            same_point = _flag("==", la, lc, False, dates)
        else:
            same_point = b.and_(
                _flag("==", la, ha, False, dates),
                _flag("==", ha, lc, False, dates),
                _flag("==", lc, hc, False, dates),
            )
        can_true, can_false = can_equal, b.not_(same_point)
        if op == "!=":
            can_true, can_false = can_false, can_true
    elif op == "<":
        can_true, can_false = below(la, hc), at_most(lc, ha)
    elif op == "<=":
        can_true, can_false = at_most(la, hc), below(lc, ha)
    elif op == ">":
        can_true, can_false = below(lc, ha), at_most(la, hc)
    else:
        can_true, can_false = at_most(lc, ha), below(la, hc)
    return Bool(b.and_(both, can_true), b.and_(both, can_false), b.or_(b.not_(both), undefined))


def _compare_text(op: str, a: Text, c: Text) -> Bool:
    both = b.and_(a.d, c.d)
    equal = b.cmp("==", a.v, c.v)  # NULL: one side is any text
    can_equal = True if equal is None else b.coalesce(equal, True)
    same = False if equal is None else b.coalesce(equal, False)
    can_true, can_false = can_equal, b.not_(same)
    if op == "!=":
        can_true, can_false = can_false, can_true
    return Bool(b.and_(both, can_true), b.and_(both, can_false), b.or_(b.not_(both), a.u, c.u))


def bool_as_num(a: Bool) -> Num:
    """A bool as `values.parts` sees it: false < true."""
    lo = Rat(b.when(a.f, 0, 1))
    hi = Rat(b.when(a.t, 1, 0))
    if isinstance(lo.num, int) and isinstance(hi.num, int) and lo.num == hi.num:
        return Num(b.or_(a.t, a.f), lo, lo, a.u, True)
    return Num(b.or_(a.t, a.f), lo, hi, a.u)


# ------------------------------------------------------------- arithmetic


def rat_add(x: Rat | None, y: Rat | None) -> Rat | None:
    if x is None or y is None:
        return None
    if x.integral and y.integral:
        return Rat(b.add(x.num, y.num))
    if b._same(x.den, y.den) and not isinstance(x.den, int):
        return Rat(b.add(x.num, y.num), x.den)
    return Rat(b.add(b.mul(x.num, y.den), b.mul(y.num, x.den)), b.mul(x.den, y.den))


def rat_neg(x: Rat | None) -> Rat | None:
    return None if x is None else Rat(b.neg(x.num), x.den)


def rat_mul(x: Rat, y: Rat) -> Rat:
    return Rat(b.mul(x.num, y.num), b.mul(x.den, y.den))


def rat_scale(x: Rat | None, c: Fraction) -> Rat | None:
    """x · c for a constant c ≥ 0 (NULL stays NULL: unbounded)."""
    if x is None:
        return None
    return Rat(b.mul(x.num, c.numerator), b.mul(x.den, c.denominator))


def add(a: Num, c: Num) -> Num:
    return Num(
        b.and_(a.d, c.d),
        rat_add(a.lo, c.lo),
        rat_add(a.hi, c.hi),
        b.or_(a.u, c.u),
        a.point and c.point,
    )


def negate(a: Num) -> Num:
    return Num(a.d, rat_neg(a.hi), rat_neg(a.lo), a.u, a.point)


def sub(a: Num, c: Num) -> Num:
    return add(a, negate(c))


def _times_constant(a: Num, k: Fraction) -> Num:
    if k == 0:
        return Num(a.d, Rat(0), Rat(0), a.u, True)  # 0 × anything is 0
    if k > 0:
        return Num(a.d, rat_scale(a.lo, k), rat_scale(a.hi, k), a.u, a.point)
    return Num(a.d, rat_scale(rat_neg(a.hi), -k), rat_scale(rat_neg(a.lo), -k), a.u, a.point)


def _is_zero(a: Num) -> Any:
    """The number is exactly 0 (both bounds 0)."""
    if a.lo is None or a.hi is None:
        return False
    lo0 = b.coalesce(b.cmp("==", a.lo.num, 0), False)
    if a.point:
        return lo0
    return b.and_(lo0, b.coalesce(b.cmp("==", a.hi.num, 0), False))


def multiply(a: Num, c: Num, let: Any) -> Num:
    """`values.arith("*")`: interval product, with 0 × unbounded = 0."""
    both, undefined = b.and_(a.d, c.d), b.or_(a.u, c.u)
    for x, y in ((a, c), (c, a)):
        k = y.constant()
        if k is not None:
            out = _times_constant(x, k)
            return Num(both, out.lo, out.hi, undefined, out.point)
    if c.point and c.lo is not None:
        lo, hi = _times_point(a, c.lo, let)
    elif a.point and a.lo is not None:
        lo, hi = _times_point(c, a.lo, let)
    else:
        lo, hi = _general_product(a, c, let)
    return Num(both, lo, hi, undefined, False)


def _times_point(a: Num, p: Rat, let: Any) -> tuple[Rat | None, Rat | None]:
    """a × p for p one number or NULL (any number)."""
    pn = let(p.num)
    sign = b.cmp(">", pn, 0)
    zero = b.or_(_is_zero(a), b.coalesce(b.cmp("==", pn, 0), False))
    lo_pos = None if a.lo is None else rat_mul(a.lo, Rat(pn, p.den))
    hi_pos = None if a.hi is None else rat_mul(a.hi, Rat(pn, p.den))

    def pick(first: Rat | None, second: Rat | None) -> Rat | None:
        # NULL p: unbounded unless a is 0 (then 0)
        num = b.cases(
            [
                (zero, 0),
                (b.is_null(pn), None),
                (b.truthy(sign), None if first is None else first.num),
            ],
            None if second is None else second.num,
        )
        den = b.cases(
            [(zero, 1), (b.truthy(sign), 1 if first is None else first.den)],
            1 if second is None else second.den,
        )
        return Rat(num, den)

    return pick(lo_pos, hi_pos), pick(hi_pos, lo_pos)


def _general_product(a: Num, c: Num, let: Any) -> tuple[Rat | None, Rat | None]:
    """The four products of the bounds, each −∞, finite or +∞, and their
    least and greatest (`values._mul`: 0 times an unbounded side is 0)."""
    products = []
    for x, x_side in ((a.lo, -1), (a.hi, 1)):
        for y, y_side in ((c.lo, -1), (c.hi, 1)):
            products.append(_extended_product(x, x_side, y, y_side, let))
    return _extreme(products, "min", let), _extreme(products, "max", let)


def _extended_product(x: Rat | None, xs: int, y: Rat | None, ys: int, let: Any) -> tuple:
    """(kind, value): kind −1 (−∞), 0 (finite) or 1 (+∞), as SQL ints."""
    xn = None if x is None else let(x.num)
    yn = None if y is None else let(y.num)
    x_inf = b.is_null(xn)
    y_inf = b.is_null(yn)
    x_zero = False if xn is None else b.coalesce(b.cmp("==", xn, 0), False)
    y_zero = False if yn is None else b.coalesce(b.cmp("==", yn, 0), False)
    zero = b.or_(x_zero, y_zero)
    x_sign = xs if xn is None else b.when(x_inf, xs, b.when(b.cmp(">", xn, 0), 1, -1))
    y_sign = ys if yn is None else b.when(y_inf, ys, b.when(b.cmp(">", yn, 0), 1, -1))
    infinite = b.and_(b.not_(zero), b.or_(x_inf, y_inf))
    kind = b.cases([(zero, 0), (infinite, b.mul(x_sign, y_sign))], 0)
    if xn is None or yn is None:
        value = Rat(0)
    else:
        # (named: each product is compared with the three others, twice)
        num = let(b.when(zero, 0, b.mul(xn, yn)))
        value = Rat(num, let(b.when(zero, 1, b.mul(x.den, y.den))))
    return let(kind), value


def _extreme(products: list[tuple], which: str, let: Any) -> Rat | None:
    """The least (or greatest) of extended values; NULL when it is infinite."""
    worst = -1 if which == "min" else 1
    op = "<=" if which == "min" else ">="
    infinite = b.or_(
        *[
            b.cmp("==", k, worst) if isinstance(k, exp.Expression) else k == worst
            for k, _ in products
        ]
    )
    finite = [
        (b.cmp("==", k, 0) if isinstance(k, exp.Expression) else k == 0, v) for k, v in products
    ]
    pairs_num, pairs_den = [], []
    for i, (fi, vi) in enumerate(finite):
        if fi is False:
            continue
        conds = [fi]
        for j, (fj, vj) in enumerate(finite):
            if j == i or fj is False:
                continue
            conds.append(b.or_(b.not_(fj), b.coalesce(rat_cmp(op, vi, vj), False)))
        cond = let(b.and_(*conds))
        pairs_num.append((cond, vi.num))
        pairs_den.append((cond, vi.den))
    inf = let(infinite)
    num = b.cases([(inf, None), *pairs_num], None)
    den = b.cases(pairs_den, 1)
    return Rat(num, den)


def divide(a: Num, c: Num, let: Any) -> Num:
    """`values.arith("/")`: exact; by exactly 0 undefined; by an interval
    holding 0 any number or undefined."""
    both, undefined = b.and_(a.d, c.d), b.or_(a.u, c.u)
    k = c.constant()
    if k is not None:
        if k == 0:
            return UNDEFINED_NUM
        out = _times_constant(a, 1 / k)
        return Num(both, out.lo, out.hi, undefined, out.point)
    lo_c = None if c.lo is None else c.lo.num
    hi_c = None if c.hi is None else c.hi.num
    zero = b.and_(
        b.coalesce(b.cmp("==", lo_c, 0), False) if lo_c is not None else False,
        b.coalesce(b.cmp("==", hi_c, 0), False) if hi_c is not None else False,
    )
    spans = b.and_(
        True if lo_c is None else b.coalesce(b.cmp("<=", lo_c, 0), True),
        True if hi_c is None else b.coalesce(b.cmp(">=", hi_c, 0), True),
    )
    zero, spans = let(zero), let(spans)
    if c.point and c.lo is not None:
        inverse = _inverse(c.lo, let)
        lo, hi = _times_point(a, inverse, let)
    else:
        inv_lo, inv_hi = _inverse(c.lo, let), _inverse(c.hi, let)
        inverted = Num(True, inv_hi, inv_lo, False)
        lo, hi = _general_product(a, inverted, let)
    d = b.and_(both, b.not_(zero))
    return Num(
        d,
        None if lo is None else Rat(b.when(spans, None, lo.num), b.when(spans, 1, lo.den)),
        None if hi is None else Rat(b.when(spans, None, hi.num), b.when(spans, 1, hi.den)),
        b.or_(b.not_(d), undefined, spans),
    )


def _inverse(x: Rat | None, let: Any) -> Rat:
    """1/x with a positive denominator; an unbounded x gives 0 (`values.arith`)."""
    if x is None:
        return Rat(0)
    n = let(x.num)
    # (a bound of 0: the divisor's interval holds 0, and `divide` says what
    # then; its inverse is never read, but must not be num/0)
    none = b.or_(b.is_null(n), b.coalesce(b.cmp("==", n, 0), False))
    positive = b.coalesce(b.cmp(">", n, 0), False)
    num = b.cases([(none, 0), (positive, x.den)], b.neg(x.den))
    den = b.cases([(none, 1), (positive, n)], b.neg(n))
    return Rat(let(num), let(den))


# --------------------------------------------------------- undefined, ??


def fallback(a: Any, c: Any) -> Any:
    """`a ?? c` for a that may be undefined (`values.fallback`)."""
    # (the invariant of every value here: not defined implies may be undefined)
    if isinstance(a, Bool):
        return Bool(b.or_(a.t, b.and_(a.u, c.t)), b.or_(a.f, b.and_(a.u, c.f)), b.and_(a.u, c.u))
    if isinstance(a, Text):
        same = b.cmp("==", a.v, c.v)
        hull_v = b.when(b.coalesce(same, False), a.v, None) if same is not None else None
        return Text(
            b.or_(a.d, b.and_(a.u, c.d)),
            b.cases([(b.not_(a.u), a.v), (b.not_(a.d), c.v), (b.not_(c.d), a.v)], hull_v),
            b.and_(a.u, c.u),
        )
    dates = isinstance(a, Date)

    def low(x: Any, y: Any) -> Any:
        return _bound_pick(x, y, "<=", dates)

    def high(x: Any, y: Any) -> Any:
        return _bound_pick(x, y, ">=", dates)

    pick_a, only_c, only_a = b.not_(a.u), b.not_(a.d), b.not_(c.d)
    lo = _choose([(pick_a, a.lo), (only_c, c.lo), (only_a, a.lo)], low(a.lo, c.lo), dates)
    hi = _choose([(pick_a, a.hi), (only_c, c.hi), (only_a, a.hi)], high(a.hi, c.hi), dates)
    d = b.or_(a.d, b.and_(a.u, c.d))
    u = b.and_(a.u, c.u)
    cls = Date if dates else Num
    return cls(d, lo, hi, u)


def _bound_pick(x: Any, y: Any, op: str, dates: bool) -> Any:
    """min (op <=) or max (op >=) of two bounds; NULL (unbounded) wins."""
    if x is None or y is None:
        return None
    if dates:
        first = b.cmp(op, x, y)
        return b.cases([(b.is_null(x), None), (b.is_null(y), None), (b.truthy(first), x)], y)
    first = rat_cmp(op, x, y)
    num = b.cases(
        [(b.is_null(x.num), None), (b.is_null(y.num), None), (b.truthy(first), x.num)], y.num
    )
    den = b.cases([(b.truthy(first), x.den)], y.den) if not (x.integral and y.integral) else 1
    return Rat(num, den)


def _choose(pairs: list[tuple[Any, Any]], otherwise: Any, dates: bool) -> Any:
    if dates:
        return b.cases(pairs, otherwise)
    if otherwise is None or any(v is None for _, v in pairs):
        # an unbounded choice somewhere: keep it unbounded where chosen
        nums = [(c, None if v is None else v.num) for c, v in pairs]
        dens = [(c, 1 if v is None else v.den) for c, v in pairs]
        return Rat(
            b.cases(nums, None if otherwise is None else otherwise.num),
            b.cases(dens, 1 if otherwise is None else otherwise.den),
        )
    return Rat(
        b.cases([(c, v.num) for c, v in pairs], otherwise.num),
        b.cases([(c, v.den) for c, v in pairs], otherwise.den),
    )


# ------------------------------------------------------------ date parts


def known_date(a: Date) -> Any:
    if a.lo is None or a.hi is None:
        return False
    same = b.not_null(a.lo) if a.point else b.coalesce(b.cmp("==", a.lo, a.hi), False)
    return b.and_(a.d, b.not_(a.u), same)


def part_of(part: str, day: Any) -> Any:
    """year, month, day or quarter of a DATE expression, as an integer."""
    if day is None:
        return None
    node = {"year": exp.Year, "month": exp.Month, "day": exp.Day}
    if part == "quarter":
        month = part_of("month", day)
        return b.cases(
            [(b.cmp("<=", month, 3), 1), (b.cmp("<=", month, 6), 2), (b.cmp("<=", month, 9), 3)],
            b.when(b.is_null(month), None, 4),
        )
    return exp.Cast(this=node[part](this=day), to=exp.DataType.build("BIGINT"))


_SPAN = {"month": (1, 12), "day": (1, 31), "quarter": (1, 4)}


def date_part(a: Date, part: str) -> Num:
    """`values.date_part`."""
    if part == "year":
        lo, hi = part_of("year", a.lo), part_of("year", a.hi)
        return Num(a.d, Rat(lo), Rat(hi), a.u, a.point)
    first, last = _SPAN[part]
    if part == "day":
        known = known_date(a)
        value = part_of("day", a.lo)
        return Num(a.d, Rat(b.when(known, value, first)), Rat(b.when(known, value, last)), a.u)
    if a.lo is None or a.hi is None:
        return Num(a.d, Rat(first), Rat(last), a.u)
    lo_v, hi_v = part_of(part, a.lo), part_of(part, a.hi)
    if a.point:
        same: Any = b.not_null(a.lo)
    else:
        same = b.and_(
            b.coalesce(b.cmp("==", part_of("year", a.lo), part_of("year", a.hi)), False),
            b.coalesce(b.cmp("==", lo_v, hi_v), False),
        )
    return Num(a.d, Rat(b.when(same, lo_v, first)), Rat(b.when(same, lo_v, last)), a.u)


def make_period(start: Date, end: Date) -> Per:
    known = b.and_(known_date(start), known_date(end))
    d = b.and_(start.d, end.d)
    return Per(
        d,
        b.when(known, start.lo, None),
        b.when(known, end.lo, None),
        b.or_(b.not_(d), b.and_(b.not_(known), b.or_(start.u, end.u))),
    )


def period_part(p: Per, part: str) -> Any:
    if part == "year":
        y = part_of("year", p.end)
        return Num(p.d, Rat(y), Rat(y), p.u, True)
    day = p.start if part == "start" else p.end
    return Date(p.d, day, day, p.u, True)


def in_period(day: Date, p: Per) -> Bool:
    """`values.in_period`."""
    start = Date(True, p.start, p.start, False, True)
    end = Date(True, p.end, p.end, False, True)
    result = logic_and(compare(">=", day, start), compare("<=", day, end))
    both = b.and_(day.d, p.d)
    return Bool(b.and_(both, result.t), b.and_(both, result.f), b.or_(b.not_(both), result.u, p.u))


def undefined_like(value: Any) -> Any:
    """Undefined alone, as a value of the same kind."""
    if isinstance(value, Bool):
        return UNDEFINED_BOOL
    if isinstance(value, Num):
        return UNDEFINED_NUM
    if isinstance(value, Date):
        return Date(False, None, None, True)
    if isinstance(value, Text):
        return Text(False, None, True)
    return Per(False, None, None, True)
