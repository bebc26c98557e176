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
* `NaN` and `Infinity`, which are not JSON: refused.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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

    def not_json(name: str) -> Any:
        detail = f"{name} is not JSON"
        raise DataError(Diagnostic("bad-json-at", {"where": where, "detail": detail}))

    return json.JSONDecoder(object_pairs_hook=pairs, parse_int=whole, parse_constant=not_json)


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


def load_yaml(text: str, where: str, limits: Limits = DEFAULT) -> Any:
    import yaml

    try:
        loader = yaml.SafeLoader(text)
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


_INT_TAG = "tag:yaml.org,2002:int"
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
