"""Properties in a cases file, checked by `antq test` and the pytest plugin.

    properties:
      - name: an area that implements policy never hurts
        monotone: {set: "areas[0].policy_implemented", to: true}
        criterion: C2a               # optional: one criterion, else the verdict
        sizes: {areas: [1, 6]}       # optional: list sizes for the generated data
      - name: never looser than the national commune set
        not_looser_than: ../tt124/xa.antq
      - name: agrees with the national set on its own criteria
        agrees_with: ../tt124/xa.antq
        criteria: [C1a, C1b]

Each property runs on documents from `testing.data_for` (Hypothesis,
deterministic: the same run finds the same counterexample); `examples`
sets how many (100 by default), `missing` the share of missing fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .casefiles import data_of, read_cases
from .errors import AntqError, Diagnostic

KINDS = ("monotone", "not_looser_than", "not_stricter_than", "agrees_with")


def _problem(file: Path, at: str, detail: str) -> AntqError:
    return AntqError(Diagnostic("bad-cases", {"file": str(file), "at": at, "detail": detail}))


def _base_document(spec: Mapping[str, Any], file: Path, settings: Mapping[str, Any]) -> Any:
    """The data of the case named by `around` (default: the first case)."""

    document = read_cases(file)
    cases = [c for c in document.get("cases", []) if isinstance(c, Mapping)]
    wanted = spec.get("around")
    if wanted is not None:
        cases = [c for c in cases if c.get("name") == wanted]
        if not cases:
            raise _problem(file, "around", f"no case is named `{wanted}`")
    for case in cases:
        if case.get("params", settings.get("params")) == settings.get("params"):
            return data_of(case, file.parent, file, "around")
    return None


def check_property(
    ruleset: Any,
    spec: Mapping[str, Any],
    file: Path,
    at: str,
    settings: Mapping[str, Any],
    allow: tuple[Any, ...] = (),
) -> str | None:
    """None if the property holds on every generated document; else the failure, shrunk."""
    from . import testing
    from .loader import SHIPPED_PREFIX, load

    try:
        from hypothesis import HealthCheck, given
        from hypothesis import settings as hsettings
        from hypothesis import strategies as st
    except ImportError:
        raise AntqError(Diagnostic("needs-hypothesis", {})) from None
    kinds = [k for k in KINDS if k in spec]
    if len(kinds) != 1:
        raise _problem(file, at, "give one of " + ", ".join(KINDS))
    kind = kinds[0]
    year, period = settings.get("year"), settings.get("period")
    sizes = {k: tuple(v) for k, v in (spec.get("sizes") or {}).items()}
    strategy = testing.data_for(
        ruleset,
        sizes=sizes,
        missing=float(spec.get("missing", 0.1)),
        fixed=spec.get("fixed") or None,
    )
    base = _base_document(spec, file, settings)
    if base is not None:
        # Near a case's data the edges of criteria are within reach.
        near = testing.variants_of(ruleset, base, max_changes=2)
        strategy = st.sampled_from([0, 0, 0, 1]).flatmap(lambda pick: strategy if pick else near)
    if kind == "monotone":
        change_spec = spec["monotone"]
        if isinstance(change_spec, Mapping) and "set" in change_spec:
            change = testing.set_field(str(change_spec["set"]), change_spec.get("to", True))
        elif isinstance(change_spec, Mapping) and "remove" in change_spec:
            change = testing.remove_item(
                str(change_spec["remove"]), int(change_spec.get("index", 0))
            )
        else:
            raise _problem(
                file, f"{at}.monotone", "expected {set: PATH, to: VALUE} or {remove: LIST}"
            )

        def check(document: Any) -> None:
            testing.assert_monotone(
                ruleset, document, change, criterion=spec.get("criterion"), year=year, period=period
            )
    else:
        named = str(spec[kind])
        # (`antq:tt124/xa.antq`: the shipped library, as in `use`; else beside the file)
        source = named if named.startswith(SHIPPED_PREFIX) else file.parent / named
        other = load(source, allow=allow)
        if kind == "not_looser_than":

            def check(document: Any) -> None:
                testing.assert_not_looser(ruleset, other, document, year=year, period=period)
        elif kind == "not_stricter_than":

            def check(document: Any) -> None:
                testing.assert_not_stricter(ruleset, other, document, year=year, period=period)
        else:
            criteria = spec.get("criteria")

            def check(document: Any) -> None:
                testing.assert_agree(ruleset, other, document, criteria, year=year, period=period)

    @hsettings(
        max_examples=int(spec.get("examples", 100)),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def run(document: Any) -> None:
        check(document)

    try:
        run()
    except testing.PropertyFailure as failure:
        return str(failure)
    return None
