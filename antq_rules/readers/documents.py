"""JSON and YAML documents, read within the limits.

What a reader must not let through silently, and how it is caught:
* a key given twice in one object (JSON readers disagree on which one
  counts): a `duplicate-key` error, with the line in YAML;
* nesting deeper than `Limits.depth`, which would exhaust the stack of a
  later step: refused, never a RecursionError;
* YAML aliases that multiply work (300 areas sharing one anchored list of
  1,000 incidents judge as 300,000 incidents): the values are counted as if
  every alias were expanded, on the composed node graph and before any
  Python object is built, against `Limits.nodes`; an alias inside its own
  anchor is a cycle and is refused;
* integers of more digits than `Limits.digits` and texts longer than
  `Limits.text`: refused with their place;
* `NaN` and `Infinity`, which are not JSON: refused;
* numbers read through binary floating point (`0.49999999999999999` would
  read as 0.5, `1e-400` as 0): every number with a fraction or an exponent
  is read exactly, as a `Decimal` from its text, and one that would need
  more than `Limits.digits` digits written out is refused;
* YAML 1.1's readings of numbers that an office never means (`010` as 8,
  `1:30` as 90, `0b11` as 3): numbers are resolved as in YAML 1.2's core
  schema — decimal digits (`010` is 10), `0o17`, `0x1F`, and decimals read
  exactly; anything else is text, which a number field refuses by name;
* YAML 1.1's booleans (`code: NO` read as false, `y`, `on`, `off`): only
  `true`/`false` (`True`, `TRUE`…) are booleans, as in YAML 1.2's core schema;
  the rest is text (a bool field of a YAML file then reads the words a CSV cell
  may hold: `có`, `không`, `x`, `yes`, `no`…; see `records.office_bools`).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import AntqError, DataError, Diagnostic
from ..limits import DEFAULT, Limits
from ..messages import Phrase
from .text import over_limit


def json_decoder(where: str, limits: Limits = DEFAULT) -> json.JSONDecoder:
    """The standard decoder, with hooks that refuse duplicate keys, over-long
    integers and `NaN`/`Infinity` as they are read (they raise out of it)."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(items)
        if len(obj) != len(items):
            seen: set[str] = set()
            for key, _ in items:
                if key in seen:
                    at = _object_where(where, obj)
                    raise DataError(Diagnostic("duplicate-key", {"where": at, "key": key}))
                seen.add(key)
        return obj

    def whole(digits: str) -> int:
        if len(digits) > limits.digits + (digits[0] == "-"):
            count = len(digits.lstrip("-"))
            raise over_limit(where, Phrase("integer digits", count=count), "digits", limits)
        return int(digits)

    def exact(text: str) -> Decimal:
        # (float() would round `0.49999999999999999` to 0.5 and `1e-400` to 0)
        try:
            number = Decimal(text)
        except (InvalidOperation, ValueError):  # (an exponent beyond what Decimal holds)
            raise _too_long(where, limits) from None
        count = number_digits(number)
        if count > limits.digits:
            raise over_limit(where, Phrase("number digits", count=count), "digits", limits)
        return number

    def not_json(name: str) -> Any:
        detail = f"{name} is not JSON"
        raise DataError(Diagnostic("bad-json-at", {"where": where, "detail": detail}))

    return json.JSONDecoder(
        object_pairs_hook=pairs, parse_int=whole, parse_float=exact, parse_constant=not_json
    )


def _too_long(where: str, limits: Limits) -> DataError:
    count = f"more than {limits.digits:,}"
    return over_limit(where, Phrase("number digits", count=count), "digits", limits)


def number_digits(number: Decimal) -> int:
    """The digits a finite decimal needs written out without an exponent
    (`1e-400` needs 401; `1.5e3` needs 4)."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)
    significant = len(digits)
    if exponent >= 0:
        return significant + exponent
    return max(significant, -exponent + 1)


def load_json(text: str, where: str, limits: Limits = DEFAULT) -> Any:
    try:
        document = json_decoder(where, limits).decode(text)
    except json.JSONDecodeError as error:
        at = f"{where}:{error.lineno}:{error.colno}"
        raise DataError(Diagnostic("bad-json-at", {"where": at, "detail": error.msg})) from None
    except RecursionError:
        raise over_limit(
            where, Phrase("nesting depth", count=limits.depth), "depth", limits
        ) from None
    if type(document) is list:  # (a batch: each subject within the limits)
        for index, item in enumerate(document):
            check_values(item, f"{where}[{index}]", limits, depth=2)
    else:
        check_values(document, where, limits)
    return document


def _object_where(where: str, obj: dict[str, Any]) -> str:
    for key in ("name", "tên", "id", "code"):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return f"{where}, object {json.dumps(value[:60], ensure_ascii=False)}"
    return where


def check_values(document: Any, where: str, limits: Limits, depth: int = 1) -> None:
    """Depth, number of values and size of each value of a loaded document
    (iteratively: the document may be deeper than the stack)."""
    stack: list[tuple[Any, int]] = [(document, depth)]
    count = 0
    depth_limit, node_limit, text_limit = limits.depth, limits.nodes, limits.text
    while stack:
        value, depth = stack.pop()
        count += 1
        if type(value) is dict:
            children: Any = value.values()
        elif type(value) is list:
            children = value
        else:
            if type(value) is str:
                if len(value) > text_limit:
                    raise over_limit(where, Phrase("text length", count=len(value)), "text", limits)
            elif type(value) is int and value.bit_length() > limits.digits * 3.33 + 4:
                # (the exact count needs str(); bit_length bounds it without one)
                raise over_limit(
                    where, Phrase("integer digits", count=_digits(value)), "digits", limits
                )
            continue
        if depth > depth_limit:
            raise over_limit(where, Phrase("nesting depth", count=depth_limit), "depth", limits)
        if count > node_limit:
            raise over_limit(where, Phrase("value count", count=node_limit), "nodes", limits)
        for child in children:
            if type(child) is dict or type(child) is list:
                stack.append((child, depth + 1))
            else:
                stack.append((child, depth))
                # (scalars are checked when popped; they count as values too)


def _digits(value: int) -> int:
    """Decimal digits of a big integer, without converting it to text."""
    import math

    return int(abs(value).bit_length() * math.log10(2)) + 1


# ------------------------------------------------------------------- YAML


_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
# YAML 1.2's core schema: the only booleans (`yes`, `no`, `on`, `off`, `y`, `n`
# are YAML 1.1's, and `code: NO` is text; a bool field reads office words itself).
_BOOL_12 = re.compile(r"true|True|TRUE|false|False|FALSE")
# YAML 1.2's core schema: what reads as a number (anything else is text).
_INT_12 = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT_12 = re.compile(
    r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def yaml_loader(
    text: str, where: str = "<yaml>", limits: Limits = DEFAULT, *, items: bool = False
) -> Any:
    """A safe YAML loader that reads numbers as YAML 1.2 does (see above), and
    counts nodes as it composes them: a document (or an item of a top-level
    sequence; with `items`, each node composed from the top is an item) of more
    than `Limits.nodes` nodes, or nested far deeper than `Limits.depth`, is
    refused as soon as the count passes the limit, before the rest is composed.
    (Aliases count once here; `check_graph` then counts them as expanded.)"""
    loader = _loader_class()(text)
    loader.antq_where = where
    loader.antq_limits = limits
    loader.antq_items = items
    return loader


@functools.cache
def _loader_class() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        antq_where = "<yaml>"
        antq_limits = DEFAULT
        antq_items = False  # each node composed from the top is a subject of its own
        antq_batch = False  # the document is a sequence: each item is a subject of its own
        antq_count = 0  # nodes of the current document or item
        antq_depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            depth = self.antq_depth + 1
            if depth == 1:
                self.antq_count = 0
                self.antq_batch = not self.antq_items and self.check_event(yaml.SequenceStartEvent)
            elif depth == 2 and self.antq_batch:
                self.antq_count = 0
            self.antq_count += 1
            limits = self.antq_limits
            if self.antq_count > limits.nodes or depth > limits.depth + 2:
                mark = self.peek_event().start_mark
                at = f"{self.antq_where}:{mark.line + 1}:{mark.column + 1}"
                if depth > limits.depth + 2:
                    what = Phrase("nesting depth", count=limits.depth)
                    raise over_limit(at, what, "depth", limits)
                raise over_limit(at, Phrase("value count", count=limits.nodes), "nodes", limits)
            self.antq_depth = depth
            try:
                return super().compose_node(parent, index)
            finally:
                self.antq_depth = depth - 1

    replaced = (_INT_TAG, _FLOAT_TAG, _BOOL_TAG)
    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in replaced]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    Loader.add_implicit_resolver(_BOOL_TAG, re.compile(f"^(?:{_BOOL_12.pattern})$"), list("tTfF"))
    Loader.add_implicit_resolver(
        _INT_TAG, re.compile(f"^(?:{_INT_12.pattern})$"), list("-+0123456789")
    )
    Loader.add_implicit_resolver(
        _FLOAT_TAG, re.compile(f"^(?:{_FLOAT_12.pattern})$"), list("-+0123456789.")
    )
    Loader.add_constructor(_INT_TAG, _construct_int)
    Loader.add_constructor(_FLOAT_TAG, _construct_float)
    return Loader


def _construct_int(loader: Any, node: Any) -> int:
    text = loader.construct_scalar(node)
    if _INT_12.fullmatch(text) is None:  # (`!!int 0b11`, `!!int 1:30`)
        raise ValueError(text)
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text)  # (decimal even with a leading zero: `010` is 10)


def _construct_float(loader: Any, node: Any) -> Decimal | float:
    text = loader.construct_scalar(node)
    if _FLOAT_12.fullmatch(text) is None:
        raise ValueError(text)
    if text.lstrip("+-").startswith("."):
        lowered = text.lower()
        if lowered.endswith(("inf", "nan")):  # (kept as floats: no field takes them)
            return float(lowered.replace(".", ""))
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


def precount(text: str, where: str, limits: Limits) -> tuple[int | None, AntqError] | None:
    """With libyaml, count the nodes of the first document as they are parsed,
    building nothing (about 1 µs a node, where composing in Python costs 20 µs):
    (the index of the first item of a top-level sequence, or None for the whole
    document, that has more than `Limits.nodes` nodes or is nested far deeper than
    `Limits.depth`; the over-limit error), else None. A file that libyaml cannot
    parse is left to the Python reader, which says what is wrong."""
    try:
        import yaml
        from yaml._yaml import CParser
    except ImportError:
        return None
    scalar, alias = yaml.ScalarEvent, yaml.AliasEvent
    starts = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    parser = CParser(text)
    depth = count = 0
    batch = False
    index = -1
    try:
        while True:
            event = parser.get_event()
            kind = type(event)
            if kind is scalar or kind is alias or kind in starts:
                if depth == 0:
                    count = 0
                    batch = kind is yaml.SequenceStartEvent
                elif depth == 1 and batch:
                    count = 0
                    index += 1
                count += 1
                opens = kind in starts
                if count > limits.nodes or (opens and depth + 1 > limits.depth + 2):
                    mark = event.start_mark
                    at = f"{where}:{mark.line + 1}:{mark.column + 1}"
                    if count > limits.nodes:
                        what = Phrase("value count", count=limits.nodes)
                        error = over_limit(at, what, "nodes", limits)
                    else:
                        what = Phrase("nesting depth", count=limits.depth)
                        error = over_limit(at, what, "depth", limits)
                    return (index if batch and depth >= 1 else None), error
                if opens:
                    depth += 1
            elif kind in ends:
                depth -= 1
            elif kind is yaml.DocumentEndEvent or kind is yaml.StreamEndEvent:
                return None
    except yaml.YAMLError:
        return None
    finally:
        parser.dispose()


def load_yaml(text: str, where: str, limits: Limits = DEFAULT) -> Any:
    import yaml

    over = precount(text, where, limits)
    if over is not None:
        raise over[1]
    try:
        loader = yaml_loader(text, where, limits)
    except yaml.YAMLError as error:  # (characters YAML does not allow)
        raise yaml_error(error, where) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as error:
            raise yaml_error(error, where) from None
        except RecursionError:
            raise over_limit(
                where, Phrase("nesting depth", count=limits.depth), "depth", limits
            ) from None
        if node is None:
            return None
        if isinstance(node, yaml.SequenceNode):  # (a batch: each subject within the limits)
            for index, item in enumerate(node.value):
                check_graph(item, f"{where}[{index}]", limits)
        else:
            check_graph(node, where, limits)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as error:
            raise yaml_error(error, where) from None
        except (ValueError, OverflowError, KeyError, AttributeError, IndexError, TypeError):
            # (PyYAML's constructors raise these for a scalar its tag cannot
            # read: `!!bool maybe`, `!!timestamp nope`, `!!int ""`)
            raise AntqError(
                Diagnostic("bad-yaml", {"where": where, "detail": BAD_SCALAR})
            ) from None
    finally:
        loader.dispose()


def yaml_error(error: Any, where: str) -> AntqError:
    mark = getattr(error, "problem_mark", None)
    at = f"{where}:{mark.line + 1}:{mark.column + 1}" if mark else where
    detail = getattr(error, "problem", None) or str(error)
    return AntqError(Diagnostic("bad-yaml", {"where": at, "detail": detail}))


BAD_SCALAR = "a value its tag (`!!bool`, `!!int`, `!!timestamp`…) cannot read"
_MERGE_TAG = "tag:yaml.org,2002:merge"


def check_graph(root: Any, where: str, limits: Limits) -> int:
    """Walk the composed nodes as if every alias were expanded — but compute
    each shared node's expanded size once, so the walk itself stays linear.
    The number of values the root expands to."""
    import yaml

    def at(node: Any) -> str:
        mark = node.start_mark
        return f"{where}:{mark.line + 1}:{mark.column + 1}"

    sizes: dict[int, int] = {}  # id(node) -> values it expands to
    heights: dict[int, int] = {}  # id(node) -> nesting below it
    active: set[int] = set()
    # Post-order, iteratively: (node, children visited?)
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        key = id(node)
        if not expanded:
            if key in sizes:
                continue
            if key in active:
                raise DataError(Diagnostic("data-cycle", {"where": at(node)}))
            active.add(key)
            stack.append((node, True))
            if isinstance(node, yaml.ScalarNode):
                continue
            children = _children(node)
            if isinstance(node, yaml.MappingNode):
                _no_duplicate_keys(node, at)
            for child in children:
                if id(child) in active:
                    raise DataError(Diagnostic("data-cycle", {"where": at(child)}))
                if id(child) not in sizes:
                    stack.append((child, False))
            continue
        active.discard(key)
        if isinstance(node, yaml.ScalarNode):
            _check_scalar(node, at, limits)
            sizes[key], heights[key] = 1, 0
            continue
        children = _children(node)
        size = 1 + sum(sizes[id(c)] for c in children)
        height = 1 + max((heights[id(c)] for c in children), default=0)
        if height > limits.depth:
            raise over_limit(at(node), Phrase("nesting depth", count=limits.depth), "depth", limits)
        if size > limits.nodes:
            raise over_limit(at(node), Phrase("value count", count=limits.nodes), "nodes", limits)
        sizes[key], heights[key] = size, height
    return sizes[id(root)]


def _children(node: Any) -> list[Any]:
    import yaml

    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return [part for pair in node.value for part in pair]


def _no_duplicate_keys(node: Any, at: Callable[[Any], str]) -> None:
    import yaml

    seen: set[str] = set()
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE_TAG:
            continue  # (keys merged in with `<<` may be overridden: that is YAML's meaning)
        if key.value in seen:
            raise DataError(Diagnostic("duplicate-key", {"where": at(key), "key": key.value}))
        seen.add(key.value)


def _check_scalar(node: Any, at: Callable[[Any], str], limits: Limits) -> None:
    text = node.value
    if len(text) > limits.text:
        raise over_limit(at(node), Phrase("text length", count=len(text)), "text", limits)
    if node.tag == _INT_TAG:
        digits = sum(ch.isalnum() for ch in text)
        if digits > limits.digits:
            raise over_limit(at(node), Phrase("integer digits", count=digits), "digits", limits)
    elif node.tag == _FLOAT_TAG and _FLOAT_12.fullmatch(text) and text[-1:] not in "fFnN":
        try:
            digits = number_digits(Decimal(text))
        except InvalidOperation:  # (an exponent beyond what Decimal holds)
            raise _too_long(at(node), limits) from None
        if digits > limits.digits:
            raise over_limit(at(node), Phrase("number digits", count=digits), "digits", limits)
