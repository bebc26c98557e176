"""Each CTE keeps only the columns read after it.

Layers are written as `SELECT r.*, <new columns> FROM <previous layer>`, so
every column would be carried to the end: hundreds of columns a layer in a
large ruleset. DuckDB prunes them itself; Spark's analyser and optimiser pay
for every column of every layer (a ruleset's query took seconds to plan), and
PostgreSQL stores every column of a materialised CTE. Here each `x.*` becomes
the list of the columns that later CTEs and the final select read, and
computed columns nobody reads are dropped. Every column name is unique in the
query (`relation.Query.fresh`), so a name read anywhere is the one column of
that name.
"""

from __future__ import annotations

from sqlglot import exp


def _star(item: exp.Expression) -> str | None:
    """The alias `x` of an `x.*` in a select list."""
    if isinstance(item, exp.Column) and isinstance(item.this, exp.Star):
        return item.table
    return None


def _branches(node: exp.Expression) -> list[exp.Select]:
    if isinstance(node, exp.Union):
        return _branches(node.this) + _branches(node.expression)
    assert isinstance(node, exp.Select)
    return [node]


def _sources(select: exp.Select, ctes: set[str]) -> dict[str, str]:
    """alias -> CTE name, for the CTEs a select reads."""
    out: dict[str, str] = {}
    tables = [select.args.get("from_"), *(select.args.get("joins") or [])]
    for holder in tables:
        if holder is None:
            continue
        table = holder.this
        if isinstance(table, exp.Table) and table.name in ctes:
            out[table.alias_or_name] = table.name
    return out


def _reads(node: exp.Expression) -> set[str]:
    return {c.name for c in node.find_all(exp.Column) if not isinstance(c.this, exp.Star)}


def prune(ctes: list[tuple[str, exp.Expression]], final: exp.Select) -> None:
    """Narrow the CTEs (changed in place) to what `final` reads through them."""
    names = {name for name, _ in ctes}
    outputs: dict[str, list[str]] = {}
    for name, node in ctes:
        select = _branches(node)[0]
        sources = _sources(select, names)
        cols: list[str] = []
        for item in select.expressions:
            alias = _star(item)
            if alias is not None:
                cols.extend(outputs.get(sources.get(alias, ""), []))
            else:
                cols.append(item.alias_or_name)
        outputs[name] = list(dict.fromkeys(cols))
    needed: dict[str, set[str]] = {name: set() for name in names}

    def consume(select: exp.Select, wanted: set[str] | None) -> None:
        sources = _sources(select, names)
        reads: set[str] = set()
        for item in select.expressions:
            alias = _star(item)
            if alias is not None:
                source = sources.get(alias)
                if source is not None:
                    have = outputs[source]
                    needed[source].update(have if wanted is None else wanted.intersection(have))
            elif wanted is None or item.alias_or_name in wanted:
                reads |= _reads(item)
        for key, value in select.args.items():
            if key in ("expressions", "with_") or value is None:
                continue
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, exp.Expression):
                    reads |= _reads(part)
        for source in sources.values():
            needed[source].update(reads.intersection(outputs[source]))

    consume(final, None)
    for name, node in reversed(ctes):
        wanted = needed[name]
        for select in _branches(node):
            consume(select, wanted)
            _narrow(select, wanted, outputs, names)


def _narrow(
    select: exp.Select, wanted: set[str], outputs: dict[str, list[str]], names: set[str]
) -> None:
    sources = _sources(select, names)
    kept: list[exp.Expression] = []
    seen: set[str] = set()
    for item in select.expressions:
        alias = _star(item)
        source = sources.get(alias or "")
        if alias is not None and source is not None:
            for col in outputs[source]:
                if col in wanted and col not in seen:
                    seen.add(col)
                    kept.append(exp.column(col, table=alias, quoted=True))
        elif alias is not None or item.alias_or_name in wanted:
            seen.add(item.alias_or_name)
            kept.append(item)
    if not kept:  # (read for its rows alone: one column keeps the SQL valid)
        first = select.expressions[0]
        alias = _star(first)
        source = sources.get(alias or "")
        if alias is not None and source is not None and outputs[source]:
            first = exp.column(outputs[source][0], table=alias, quoted=True)
        kept = [first]
    select.set("expressions", kept)
