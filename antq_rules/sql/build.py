"""Small builders of sqlglot expression trees, folding what is known when the
query is compiled.

A *flag* is a Python bool (known now) or a SQL boolean expression that is
never NULL; a *term* is a Python int (known now), None (statically absent:
an unbounded bound) or a SQL expression that may be NULL. Every composite
operand is wrapped in parentheses here, since sqlglot prints a tree built by
hand as it is, without regard to precedence.
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

Flag = "bool | exp.Expression"
Term = Any  # int | exp.Expression | None


def wrap(e: exp.Expression) -> exp.Expression:
    """`e` as an operand: parenthesised unless it is a name, a literal or a call.
    (sqlglot counts AND and OR among functions: operators are told by kind.)"""
    if isinstance(e, exp.Paren) or not isinstance(e, (exp.Binary, exp.Unary, exp.Predicate)):
        return e
    return exp.Paren(this=e)


def sql(value: Any) -> exp.Expression:
    """A Python constant (bool, int, None) or an expression, as an expression."""
    if isinstance(value, exp.Expression):
        return value
    if value is True:
        return exp.true()
    if value is False:
        return exp.false()
    if value is None:
        return exp.null()
    if isinstance(value, int):
        return number(value)
    raise TypeError(f"not a SQL constant: {value!r}")


# Beyond 18 digits an integer literal could be read as a float by some
# engine: those are written as a cast of exact text.
_BIG = 10**18


def number(value: int) -> exp.Expression:
    if -_BIG < value < _BIG:
        if value < 0:
            return exp.Paren(this=exp.Neg(this=exp.Literal.number(-value)))
        return exp.Literal.number(value)
    return exp.Cast(this=exp.Literal.string(str(value)), to=exp.DataType.build("DECIMAL(38, 0)"))


def named(e: exp.Expression, name: str) -> exp.Alias:
    """`e AS "name"` (built in place: sqlglot's helpers copy their operands)."""
    return exp.Alias(this=e, alias=exp.to_identifier(name, quoted=True))


def select(
    items: list[exp.Expression],
    source: exp.Expression,
    joins: list[exp.Join] | None = None,
    where: Any = None,
    group: list[exp.Expression] | None = None,
    order: list[exp.Expression] | None = None,
) -> exp.Select:
    """A SELECT built in one piece (sqlglot's builder methods copy the whole
    select at every call: quadratic in its columns)."""
    node = exp.Select(expressions=items, from_=exp.From(this=source))
    if joins:
        node.set("joins", joins)
    if where is not None and where is not True:
        node.set("where", exp.Where(this=sql(where)))
    if group:
        node.set("group", exp.Group(expressions=group))
    if order:
        node.set("order", exp.Order(expressions=[exp.Ordered(this=o) for o in order]))
    return node


def col(name: str, table: str | None = None) -> exp.Column:
    return exp.column(name, table=table, quoted=True)


# ------------------------------------------------------------------ flags


# A nullable boolean column is in one of three states (TRUE, FALSE, NULL);
# `c IS TRUE`, `c IS NOT FALSE`, `c IS NULL`… each say a set of them. Flags
# made of such tests on one column are folded to one test (the three flags
# of a column read through Kleene formulas become `c IS TRUE` and the like,
# or a constant), so the query computes per row only what can differ.
_T, _F, _N = 1, 2, 4
_ALL = _T | _F | _N


def _state(e: Any) -> tuple[exp.Expression, int] | None:
    """(column, states) when `e` tests the state of one column."""
    negate = False
    while isinstance(e, (exp.Not, exp.Paren)):
        if isinstance(e, exp.Not):
            negate = not negate
        e = e.this
    if not isinstance(e, exp.Is) or not isinstance(e.this, exp.Column):
        return None
    what = e.expression
    if isinstance(what, exp.Boolean):
        states = _T if what.this else _F
    elif isinstance(what, exp.Null):
        states = _N
    else:
        return None
    return e.this, (_ALL & ~states) if negate else states


def _test(column: exp.Expression, states: int) -> Any:
    if states == 0:
        return False
    if states == _ALL:
        return True
    single = {_T: exp.true(), _F: exp.false(), _N: exp.null()}
    if states in single:
        return exp.Is(this=column.copy(), expression=single[states])
    return exp.Not(
        this=exp.Paren(this=exp.Is(this=column.copy(), expression=single[_ALL & ~states]))
    )


def _terms(e: exp.Expression, kind: type) -> list[exp.Expression]:
    """The operands of a chain of AND (or OR), parentheses looked through."""
    while isinstance(e, exp.Paren):
        e = e.this
    if isinstance(e, kind):
        return _terms(e.this, kind) + _terms(e.expression, kind)
    return [e]


def _combine(flags: tuple, conj: bool) -> Any:
    absorbing, neutral = (False, True) if conj else (True, False)
    kind = exp.And if conj else exp.Or
    parts: list[Any] = []  # terms, and (column,) where its tests are folded
    tests: dict[exp.Expression, int] = {}
    seen: set[exp.Expression] = set()
    for f in flags:
        if f is absorbing:
            return absorbing
        if f is neutral:
            continue
        for term in _terms(f, kind):
            found = _state(term)
            if found is None:
                if term not in seen:
                    seen.add(term)
                    parts.append(term)
                continue
            column, states = found
            if column in tests:
                before = tests[column]
                tests[column] = (before & states) if conj else (before | states)
            else:
                tests[column] = states
                parts.append((column,))
    out: list[exp.Expression] = []
    for p in parts:
        if isinstance(p, tuple):
            test = _test(p[0], tests[p[0]])
            if test is absorbing:
                return absorbing
            if test is not neutral:
                out.append(test)
        else:
            out.append(p)
    if not conj:
        out = _fold_in(out)
    if not out:
        return neutral
    return _balanced(kind, [wrap(p) for p in out])


def _balanced(kind: type, terms: list[Any]) -> Any:
    """`t1 op t2 op …` for an associative `op`, as a balanced tree: a
    ruleset of hundreds of criteria nests only as deep as their logarithm
    (engines refuse deep expressions: DuckDB past 1,000 levels)."""
    while len(terms) > 1:
        pairs = zip(terms[::2], terms[1::2], strict=False)  # (an odd one out waits)
        # (a right side in parentheses, or the text would parse left-deep again)
        paired = [kind(this=a, expression=_grouped(b, kind)) for a, b in pairs]
        terms = paired + terms[len(paired) * 2 :]
    return terms[0]


# `COALESCE(x = a, d) OR COALESCE(x = b, d)` is `COALESCE(x IN (a, b), d)`
# when a and b are constants (never NULL): x NULL gives d either way, and
# otherwise x IN (…) is x = a OR x = b. One IN is cheaper than the chain a
# list written in the ruleset unrolls to (`kind in ["agency", "school"]`).


def _constant(e: exp.Expression) -> bool:
    """A bound parameter or a literal: never NULL."""
    inner = e.this if isinstance(e, exp.Cast) else e
    return isinstance(inner, exp.Placeholder) or (
        isinstance(inner, exp.Literal) and not isinstance(e, exp.Null)
    )


def _in_part(term: exp.Expression) -> tuple[exp.Expression, list[exp.Expression], bool] | None:
    """(x, constants, d) when `term` is COALESCE(x = k, d) or COALESCE(x IN (k…), d)."""
    if not isinstance(term, exp.Coalesce) or len(term.expressions) != 1:
        return None
    default = term.expressions[0]
    if not isinstance(default, exp.Boolean):
        return None
    test = term.this
    while isinstance(test, exp.Paren):
        test = test.this
    if isinstance(test, exp.EQ):
        x, k = test.this, test.expression
        if _constant(x) and not _constant(k):
            x, k = k, x
        while isinstance(x, exp.Paren):
            x = x.this
        if isinstance(x, exp.Column) and _constant(k):
            return x, [k], bool(default.this)
    elif (
        isinstance(test, exp.In)
        and isinstance(test.this, exp.Column)
        and not test.args.get("query")
    ):
        ks = list(test.expressions)
        if ks and all(_constant(k) for k in ks):
            return test.this, ks, bool(default.this)
    return None


def _fold_in(terms: list[exp.Expression]) -> list[exp.Expression]:
    """The terms of an OR, tests of one column against constants made one IN."""
    parts = [_in_part(term) for term in terms]
    groups: dict[tuple[exp.Expression, bool], list[int]] = {}
    for i, part in enumerate(parts):
        if part is not None:
            groups.setdefault((part[0], part[2]), []).append(i)
    if all(len(members) == 1 for members in groups.values()):
        return terms
    out: list[exp.Expression] = []
    for i, term in enumerate(terms):
        part = parts[i]
        if part is None:
            out.append(term)
            continue
        members = groups[(part[0], part[2])]
        if len(members) == 1:
            out.append(term)
        elif members[0] == i:
            ks: list[exp.Expression] = []
            for j in members:
                ks.extend(k for k in parts[j][1] if k not in ks)  # type: ignore[index]
            test = exp.In(this=part[0].copy(), expressions=[k.copy() for k in ks])
            out.append(exp.Coalesce(this=test, expressions=[exp.Boolean(this=part[2])]))
    return out


def and_(*flags: Any) -> Any:
    return _combine(flags, True)


def or_(*flags: Any) -> Any:
    return _combine(flags, False)


def not_(flag: Any) -> Any:
    if flag is True or flag is False:
        return not flag
    found = _state(flag)
    if found is not None:
        return _test(found[0], _ALL & ~found[1])
    inner = flag
    while isinstance(inner, exp.Paren):
        inner = inner.this
    if isinstance(inner, exp.Not):
        inner = inner.this
        return inner.this if isinstance(inner, exp.Paren) else inner
    return exp.Not(this=wrap(flag))


def when(cond: Any, then: Any, otherwise: Any) -> Any:
    """CASE WHEN cond THEN then ELSE otherwise END, folded when cond is known."""
    if cond is True:
        return then
    if cond is False:
        return otherwise
    if _same(then, otherwise):
        return then
    return exp.Case(ifs=[exp.If(this=sql(cond), true=sql(then))], default=sql(otherwise))


def cases(pairs: list[tuple[Any, Any]], otherwise: Any) -> Any:
    """CASE WHEN c1 THEN v1 WHEN c2 THEN v2 … ELSE otherwise END, folded."""
    kept: list[tuple[Any, Any]] = []
    for cond, value in pairs:
        if cond is False:
            continue
        if cond is True:
            otherwise = value
            break
        kept.append((cond, value))
    if not kept:
        return otherwise
    if all(_same(v, otherwise) for _, v in kept):
        # (every branch the same: a product's denominator 1, or NULL — which
        # PostgreSQL would type as text in `CASE … THEN NULL ELSE NULL END`)
        return otherwise
    return exp.Case(ifs=[exp.If(this=sql(c), true=sql(v)) for c, v in kept], default=sql(otherwise))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, exp.Expression) or isinstance(b, exp.Expression):
        return isinstance(a, exp.Expression) and isinstance(b, exp.Expression) and a == b
    return type(a) is type(b) and a == b


def is_null(term: Any) -> Any:
    if term is None:
        return True
    if not isinstance(term, exp.Expression):
        return False
    return exp.Is(this=wrap(term), expression=exp.null())


def not_null(term: Any) -> Any:
    return not_(is_null(term))


def truthy(e: Any) -> Any:
    """A nullable SQL boolean as a flag: NULL counts as false."""
    if e is True or e is False:
        return e
    if e is None:
        return False
    return exp.Is(this=wrap(e), expression=exp.true())


def coalesce(e: Any, default: Any) -> Any:
    if not isinstance(e, exp.Expression):
        return e if e is not None else default
    return exp.Coalesce(this=e, expressions=[sql(default)])


def cmp(op: str, a: Any, b: Any) -> Any:
    """`a op b` on terms (NULL in, NULL out), folded when both are known."""
    if a is None or b is None:
        return None
    if not isinstance(a, exp.Expression) and not isinstance(b, exp.Expression):
        return {
            "<": a < b,
            "<=": a <= b,
            ">": a > b,
            ">=": a >= b,
            "==": a == b,
            "!=": a != b,
        }[op]
    node = {"<": exp.LT, "<=": exp.LTE, ">": exp.GT, ">=": exp.GTE, "==": exp.EQ, "!=": exp.NEQ}[op]
    return node(this=wrap(sql(a)), expression=wrap(sql(b)))


def cmp_or(op: str, a: Any, b: Any, default: bool) -> Any:
    """`a op b` as a flag; `default` where either side is NULL (unbounded)."""
    if a is None or b is None:
        return default
    result = cmp(op, a, b)
    if isinstance(result, bool):
        return result
    if not _nullable(a) and not _nullable(b):
        return result
    return exp.Coalesce(this=result, expressions=[sql(default)])


def _nullable(term: Any) -> bool:
    return isinstance(term, exp.Expression)


# ------------------------------------------------------------- arithmetic


def add(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if not isinstance(a, exp.Expression) and not isinstance(b, exp.Expression):
        return a + b
    if isinstance(b, int) and b == 0:
        return a
    if isinstance(a, int) and a == 0:
        return b
    return exp.Add(this=wrap(sql(a)), expression=wrap(sql(b)))


def _grouped(e: Any, kind: type) -> Any:
    return exp.Paren(this=e) if isinstance(e, kind) else e


def total(terms: list[Any]) -> Any:
    """`add` of many terms: the constants folded, the rest a balanced sum
    (see `_balanced`)."""
    constant = 0
    parts: list[Any] = []
    for term in terms:
        if term is None:
            return None
        if isinstance(term, exp.Expression):
            parts.append(wrap(sql(term)))
        else:
            constant += term
    if not parts:
        return constant
    if constant:
        parts.append(wrap(sql(constant)))
    return _balanced(exp.Add, parts)


def sub(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if not isinstance(a, exp.Expression) and not isinstance(b, exp.Expression):
        return a - b
    if isinstance(b, int) and b == 0:
        return a
    return exp.Sub(this=wrap(sql(a)), expression=wrap(sql(b)))


def mul(a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if not isinstance(a, exp.Expression) and not isinstance(b, exp.Expression):
        return a * b
    if isinstance(a, int) and a == 1:
        return b
    if isinstance(b, int) and b == 1:
        return a
    # Not folded for a constant 0: 0 × NULL stays NULL in SQL, and callers
    # decide what an unbounded side means.
    return exp.Mul(this=wrap(sql(a)), expression=wrap(sql(b)))


def neg(a: Any) -> Any:
    if a is None:
        return None
    if not isinstance(a, exp.Expression):
        return -a
    return exp.Neg(this=wrap(a))


def size(e: Any) -> int:
    """How big an expression is (to decide when to name it in a column)."""
    if not isinstance(e, exp.Expression):
        return 1
    return sum(1 for _ in e.walk())
