"""Explanations at the speed of the fast path.

To explain a criterion we need what the reference interpreter's `Tracer`
notes: the value of every node evaluated at the subject's level, in
evaluation order, and for each aggregate there which items it counted or
found failing. For records the fast path can read (every value read present
and valid) this module generates, per expression, a Python function that
notes the same things while computing plain values:

* `V[i]`: the value of the i-th node at the subject's level, in the order
  the reference interpreter enters them (a node skipped by `and`, `or` or
  `??` keeps the `_SKIP` mark; a list keeps its number of items, an entity
  its raw object);
* `A[i]`: for an aggregate among them, (items whose test held, items whose
  test failed), from which a gap is drawn;
* `F` and `W`: the facts and witnesses an explanation states, built as the
  values are found (texts, operators and data paths passed in as constants).

Where the reference interpreter would carry an undefined value on (any
undefined value not caught at once by `??`), or anything else unusual
happens, the function gives up and the explanation is traced by the
reference interpreter instead. Tests check that both give the same
explanations. The generated source never holds text from a ruleset or data
(see `fast`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import ir
from . import types as t
from . import values as v
from .data import label_of
from .fast import _NOT_GENERATED, Env, Unsupported, _build, _Generator
from .result import Fact, ItemRef, Witnesses
from .statements import fact_labels, fact_sides, is_fact, text_of


class _Skip:
    __slots__ = ()

    def __repr__(self) -> str:
        return "_SKIP"


SKIP = _Skip()

# How a noted value is shown: as it is, as a list's size, as an entity.
VALUE, LIST, ENTITY = "value", "list", "entity"


UNPLANNED = object()  # (a `TraceSpec`'s gap plan before it is made)


class TraceSpec:
    """A generated tracing function and what its slots stand for. The
    function returns (V, A, F, W): the values noted; per aggregate (items
    whose test held, items whose test failed); the facts, in the order of
    their nodes (None for a node not evaluated); the witnesses."""

    # How a gap is drawn from what the function noted (`explain.GapPlan`),
    # made when first needed; `UNPLANNED` until then.
    gap_plan: Any = UNPLANNED

    def __init__(
        self,
        function: Callable[..., tuple[list[Any], dict[int, Any], list[Any], list[Any]]],
        nodes: list[tuple[int, ir.Node, str, Any]],
        uses_outcomes: bool,
    ) -> None:
        self.function = function
        # (depth, node, how its value is shown, the entity's path parts)
        self.nodes = nodes
        self.uses_outcomes = uses_outcomes
        self.index_of: dict[int, int] = {}
        for index, (_, node, _, _) in enumerate(nodes):
            self.index_of.setdefault(id(node), index)
        # The slot of the expression's own value (the first noted).
        self.root_slot = 0


class _TraceGenerator(_Generator):
    """The fast path's generator, noting values at the subject's level."""

    # The tracer notes values for explanations of complete records only: a
    # value not known sends the record to the reference tracer.
    tolerant = False

    def __init__(self, params: Any, percent_params: frozenset[str]) -> None:
        super().__init__(params)
        self.percent_params = percent_params
        self.nodes: list[tuple[int, ir.Node, str, Any]] = []
        self.facts = 0  # fact nodes met so far: the next one's place in F
        self.values_of: dict[int, str] = {}  # slot -> the variable holding its value
        self.depth = 0
        self.slots: list[int] = []  # the slots of the nodes being generated
        self.caught: ir.Node | None = None  # the left side of the `??` being generated
        self.uses_outcomes = False
        self.children: dict[int, list[int]] = {}

    def allocate(self, node: ir.Node, kind: str = VALUE, extra: Any = None) -> int:
        self.nodes.append((self.depth, node, kind, extra))
        return len(self.nodes) - 1

    def expr(self, node: ir.Node, env: Env) -> str:
        if len(env) != 1 or isinstance(node, ir.Var):
            return super().expr(node, env)
        caught, self.caught = self.caught is node, None
        if isinstance(node.type, t.List) and isinstance(node, (ir.Get, ir.Filter, ir.Concat)):
            return super().expr(node, env)  # noted as it is iterated (`iterate`)
        out = self.out
        kind, extra = VALUE, None
        if isinstance(node.type, t.Entity):
            kind, extra = ENTITY, _static_path(node)
        elif isinstance(node.type, t.List):
            if not isinstance(node, (ir.ListOf, ir.Const, ir.Param)):
                raise Unsupported("a list that is not read from the data")
            kind = LIST
        elif isinstance(node, ir.Compare) and _not_scalar(node):
            raise Unsupported("a comparison of lists or entities")
        slot = self.allocate(node, kind, extra)
        fact = self.facts if is_fact(node) else None
        self.facts += fact is not None
        if self.slots:
            self.children.setdefault(self.slots[-1], []).append(slot)
        self.depth += 1
        self.slots.append(slot)
        try:
            value = super().expr(node, env)
        finally:
            self.depth -= 1
            self.slots.pop()
        if isinstance(node, ir.Compare) and len(self.children.get(slot, ())) != 2:
            raise Unsupported("a comparison whose sides are not noted")
        x = out.var("y")
        if ir.may_be_undefined(node):
            # Undefined here: only a `??` right above may catch it, else the
            # reference interpreter would carry it on (and read more).
            with out.block("try:"):
                out.line(f"{x} = {value}")
            with out.block("except Undef:"):
                out.line(f"V[{slot}] = _UNDEFINED")
                out.line("raise" if caught else "raise Deopt")
        else:
            out.line(f"{x} = {value}")
        out.line(f"V[{slot}] = len({x})" if kind == LIST else f"V[{slot}] = {x}")
        self.values_of[slot] = x
        if fact is not None:
            out.line(f"F[{fact}] = {self.fact(node, slot, x)}")
        return x

    def fact(self, node: ir.Node, slot: int, x: str) -> str:
        """The expression building the fact a node states, from its value."""
        c = self.out.const
        if not isinstance(node, ir.Compare):
            return f"_Fact({c(text_of(node))}, {x}, None, None, None, {x})"
        left, right, op, percent = fact_sides(node, self.percent_params)
        left_slot, right_slot = self.children[slot]
        if left is not node.left:
            left_slot, right_slot = right_slot, left_slot
        left_value, right_value = self.values_of[left_slot], self.values_of[right_slot]
        return (
            f"_Fact({c(text_of(left))}, {left_value}, {c(op)}, {c(text_of(right))}, "
            f"{right_value}, {x}, {percent!r}, {c(fact_labels(left, right))})"
        )

    # What the fast path shortcuts, the trace must see.

    def ratio_comparison(self, node: ir.Compare, env: Env) -> str | None:
        return None if len(env) == 1 else super().ratio_comparison(node, env)

    def _fallback(self, node: ir.Fallback, env: Env) -> str:
        if len(env) == 1:
            self.caught = node.left
        return super()._fallback(node, env)

    def _member(self, node: ir.Member, env: Env) -> str:
        if len(env) != 1:
            return super()._member(node, env)
        element = self.expr(node.element, env)
        container = self.expr(node.container, env)
        if node.container.type == t.PERIOD:
            test = f"({container}.start <= {element} <= {container}.end)"
        else:
            test = f"({element} in {container})"
        return f"(not {test})" if node.negate else test

    def _criterionref(self, node: ir.CriterionRef, env: Env) -> str:
        self.uses_outcomes = True
        x = self.out.var("x")
        self.out.line(f"{x} = o[{self.out.const(node.id)}][{0 if node.kind == 'passes' else 1}]")
        self.out.line(f"if type({x}) is not bool: raise Deopt")
        return x

    def _outcomeref(self, node: ir.OutcomeRef, env: Env) -> str:
        raise Unsupported("the score or level in an explanation")

    # ----------------------------------------------------------- lists

    def iterate(self, source: ir.Node, env: Env, on_item: Callable[[str], None]) -> None:
        if len(env) != 1:
            super().iterate(source, env, on_item)
            return
        self.trace_iterate(source, env, lambda item, origin: on_item(item), False)

    def trace_iterate(
        self,
        source: ir.Node,
        env: Env,
        on_item: Callable[[str, tuple[str, tuple[str, ...], tuple[tuple[str, bool], ...]]], None],
        need_origin: bool,
    ) -> int:
        """`iterate` for a list read at the subject's level: notes the size of
        each list on the way (its slot is returned), and gives each item with
        its origin (the entity it is or was read from: its variable, index
        variables, path)."""
        out = self.out
        if isinstance(source, (ir.ListOf, ir.Const, ir.Param)):  # (a list written out)
            if need_origin:
                raise Unsupported("items of a list written out, as witnesses")
            slot = len(self.nodes)  # (noted by `expr`, its items after it)
            values = self.expr(source, env)
            x = out.var("i")
            with out.block(f"for {x} in {values}:"):
                on_item(x, None)
            return slot
        slot = self.allocate(source, LIST)
        self.depth += 1
        count: str | None = None  # a running count, where lengths do not tell
        if isinstance(source, ir.Get):
            field, ftype = source.field, source.field_type
            nested = isinstance(source.base.type, t.List)
            if nested and isinstance(ftype, t.List):
                count = out.var("n")
                out.line(f"{count} = 0")

            def project(obj: str, origin: tuple[str, tuple[str, ...], tuple[Any, ...]]) -> None:
                _, indexes, parts = origin
                value = self.read(obj, field, ftype)
                if not isinstance(ftype, t.List):
                    if isinstance(ftype, t.Entity):
                        origin = (value, indexes, (*parts, (field, False)))
                    on_item(value, origin)
                    return
                out.line(f"{count} += len({value})" if nested else f"V[{slot}] = len({value})")
                item_type = ftype.item
                x = out.var("i")
                entity = isinstance(item_type, t.Entity)
                if need_origin and entity:
                    k = out.var("k")
                    header = f"for {k}, {x} in enumerate({value}):"
                    item_origin = (x, (*indexes, k), (*parts, (field, True)))
                else:
                    header = f"for {x} in {value}:"
                    item_origin = (x, (), ()) if entity else origin
                with out.block(header):
                    self.check(x, item_type)
                    on_item(x, item_origin)

            if nested:
                base_slot = self.trace_iterate(source.base, env, project, need_origin)
                if count is None:  # one value per item of the base
                    count = f"V[{base_slot}]"
            else:
                parts = _static_path(source.base)
                obj = self.expr(source.base, env)
                project(obj, (obj, (), parts))
        elif isinstance(source, ir.Filter):
            count = out.var("n")
            out.line(f"{count} = 0")

            def keep(item: str, origin: Any) -> None:
                test = self.condition(source.condition, {**env, source.level: item})
                with out.block(f"if {test}:"):
                    out.line(f"{count} += 1")
                    on_item(item, origin)

            self.trace_iterate(source.source, env, keep, need_origin)
        elif isinstance(source, ir.Concat):
            left = self.trace_iterate(source.left, env, on_item, need_origin)
            right = self.trace_iterate(source.right, env, on_item, need_origin)
            count = f"V[{left}] + V[{right}]"
        else:
            raise Unsupported("a list that is not read from the data")
        self.depth -= 1
        if count is not None:
            out.line(f"V[{slot}] = {count}")
        return slot

    def _aggregate(self, node: ir.Aggregate, env: Env) -> str:
        if len(env) != 1 or node.func not in ir.BOOL_AGGREGATES:
            return super()._aggregate(node, env)
        out, slot = self.out, self.slots[-1]
        role = None
        if node.filter is not None or node.body is not None:
            role = "counted" if node.func in ("count", "any", "none") else "failing"
        hits, misses = out.var("h"), out.var("m")
        witnesses = out.var("w") if role else "None"
        out.line(f"{hits} = 0")
        out.line(f"{misses} = 0")
        if role:
            out.line(f"{witnesses} = []")

        def witness(origin: tuple[str, tuple[str, ...], tuple[Any, ...]]) -> str:
            # (its path's template, indexes and raw item: see `WitnessItems`)
            entity, indexes, path = origin
            noted = ", ".join((out.const(path_template(path)), *indexes, entity))
            return f"{witnesses}.append(({noted}))"

        # Without a filter every item takes part: count only the side that is
        # usually rare (failing items of `all` and `ratio`, hits of the others)
        # and take the other from the list's size.
        both = node.filter is not None or node.body is None
        rare = "misses" if node.func in ("all", "ratio") else "hits"

        def tally(side: str, origin: Any) -> list[str]:
            """The statements for an item on one side: its count, its witness."""
            lines = []
            if both or side == rare:
                lines.append(f"{hits if side == 'hits' else misses} += 1")
            if role == ("counted" if side == "hits" else "failing"):
                lines.append(witness(origin))
            return lines

        def emit(header: str, lines: list[str]) -> None:
            with out.block(header):
                for line in lines or ["pass"]:
                    out.line(line)

        def counted(item: str, origin: Any) -> None:
            inner = {**env, node.level: item}
            if node.body is None:
                for line in tally("hits", origin):
                    out.line(line)
                return
            if ir.may_be_undefined(node.body):
                holds = self.condition(node.body, inner)
            else:
                holds = self.raw_expr(node.body, inner)
            on_hit, on_miss = tally("hits", origin), tally("misses", origin)
            if holds in out.unchecked[-1]:
                # A bool just read: checked by the branches themselves.
                out.unchecked[-1].discard(holds)
                if not on_hit:  # (in the order that costs least for a true test)
                    with out.block(f"if {holds} is not True:"):
                        emit(f"if {holds} is False:", on_miss)
                        out.line("else: raise Deopt")
                    return
                emit(f"if {holds} is True:", on_hit)
                if on_miss:
                    emit(f"elif {holds} is False:", on_miss)
                    out.line("else: raise Deopt")
                else:
                    out.line(f"elif {holds} is not False: raise Deopt")
            elif not on_hit:
                emit(f"if not {holds}:", on_miss)
            else:
                emit(f"if {holds}:", on_hit)
                if on_miss:
                    emit("else:", on_miss)

        def on_item(item: str, origin: Any) -> None:
            if node.filter is None:
                counted(item, origin)
                return
            keep = self.condition(node.filter, {**env, node.level: item})
            with out.block(f"if {keep}:"):
                counted(item, origin)

        source_slot = self.trace_iterate(node.source, env, on_item, role is not None)
        if not both:
            other = misses if rare == "hits" else hits
            out.line(f"{other} = V[{source_slot}] - {hits if rare == 'hits' else misses}")
        out.line(f"A[{slot}] = ({hits}, {misses})")
        if role:
            text, kind = out.const(text_of(node)), out.const(role)
            found = f"_WitnessItems({witnesses})"
            out.line(f"if {witnesses}: W.append(_Witnesses({text}, {kind}, {found}))")
        return {
            "count": hits,
            "ratio": f"_ratio({hits}, {hits} + {misses})",
            "all": f"({misses} == 0)",
            "any": f"({hits} > 0)",
            "none": f"({hits} == 0)",
        }[node.func]


def _static_path(node: ir.Node) -> tuple[tuple[str, bool], ...]:
    """The path of an entity read at the subject's level (`police.chief`)."""
    if isinstance(node, ir.Var) and node.level == 0:
        return ()
    if isinstance(node, ir.Get) and isinstance(node.field_type, t.Entity):
        return (*_static_path(node.base), (node.field, False))
    raise Unsupported("an entity that is not read from the data")


def _not_scalar(node: ir.Compare) -> bool:
    return any(isinstance(side.type, (t.List, t.Entity)) for side in (node.left, node.right))


def trace_spec(
    params: Any, root: ir.Node, percent_params: frozenset[str] = frozenset()
) -> TraceSpec | None:
    """The tracing function of one expression of a ruleset, or None when it
    uses something this module does not generate."""
    gen = _TraceGenerator(params, percent_params)
    out = gen.out
    try:
        gen.prologue([root])
        out.line("A = {}")
        out.line("W = []")
        gen.expr(root, {0: "d"})
        out.line("return V, A, F, W")
        out.lines[:0] = [f"    V = [_SKIP] * {len(gen.nodes)}", f"    F = [None] * {gen.facts}"]
        function = _build_trace(out)
    except _NOT_GENERATED:
        return None
    if not gen.nodes or gen.nodes[0][1] is not root:  # (its value is read from slot 0)
        return None
    return TraceSpec(function, gen.nodes, gen.uses_outcomes)


def path_of(parts: tuple[tuple[str, bool], ...]) -> str:
    """The data path of an entity reached through no list (`police.chief`)."""
    return ".".join(field for field, _ in parts) or "(subject)"


def path_template(parts: tuple[tuple[str, bool], ...]) -> str:
    """`areas[%d].incidents[%d]`: a data path with a slot for each index."""
    names = [field.replace("%", "%%") + ("[%d]" if indexed else "") for field, indexed in parts]
    return ".".join(names) or "(subject)"


class WitnessItems:
    """The items a generated tracer found, made into `ItemRef`s when first
    read (`Witnesses.items`): a report reads them, a batch that asks only
    which criteria have witnesses does not. Each noted as (the path's
    template, its indexes…, the raw item)."""

    __slots__ = ("noted",)

    def __init__(self, noted: list[tuple[Any, ...]]) -> None:
        self.noted = noted

    def made(self) -> tuple[ItemRef, ...]:
        return tuple(ItemRef(n[0] % n[1:-1], label_of(n[-1])) for n in self.noted)


def _build_trace(out: Any) -> Callable[..., Any]:
    out.constants.update(
        _SKIP=SKIP,
        _UNDEFINED=v.UNDEFINED,
        _Fact=Fact,
        _Witnesses=Witnesses,
        _WitnessItems=WitnessItems,
    )
    return _build("trace", "d, period, year, o", out)
