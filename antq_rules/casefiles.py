"""Rule authors' cases files (`<name>.cases.yaml`): finding them and reading
their parts — the data of a case, its year, period and parameters, the
ruleset it judges with. Running them is `cases`; generated properties over
them are `properties`; both build on this module, as `testing` does when it
looks for a passing example.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .errors import AntqError, Diagnostic, did_you_mean
from .limits import DEFAULT, Limits
from .loader import load
from .readers.records import YAML_SUFFIXES, read_json, read_yaml

CASES_SUFFIXES = (".cases.yaml", ".cases.yml")
# The keys of a cases file, and of each case. (`templates` holds YAML anchors
# that cases reuse — `data: {<<: *ok, …}` — and is otherwise not read.)
FILE_KEYS = ("ruleset", "year", "period", "params", "cases", "properties", "templates")
CASE_KEYS = ("name", "data", "data_file", "expect", "ruleset", "year", "period", "params")


def find_case_files(path: Path) -> list[Path]:
    if path.is_dir():
        found = sorted(p for suffix in CASES_SUFFIXES for p in path.rglob("*" + suffix))
        return [p for p in found if ".venv" not in p.parts]
    if path.name.endswith(CASES_SUFFIXES):
        if not path.is_file():
            raise AntqError(Diagnostic("missing-file", {"path": str(path)}))
        return [path]
    if path.suffix == ".antq":
        for suffix in CASES_SUFFIXES:
            sibling = path.with_name(path.name[: -len(".antq")] + suffix)
            if sibling.is_file():
                return [sibling]
        raise AntqError(Diagnostic("no-cases", {"path": str(path)}))
    raise AntqError(Diagnostic("missing-file", {"path": str(path)}))


def shape_error(file: Path, at: str, detail: str) -> AntqError:
    return AntqError(Diagnostic("bad-cases", {"file": str(file), "at": at, "detail": detail}))


def check_keys(file: Path, at: str, entry: Mapping[str, Any], known: tuple[str, ...]) -> None:
    """A key no one reads is a mistake (`case:` for `cases:`): say which."""
    for key in entry:
        if key not in known:
            helps = did_you_mean(str(key), known)
            shown = ", ".join(f"`{k}`" for k in known)
            params = {"file": str(file), "at": at, "key": str(key), "known": shown}
            raise AntqError(Diagnostic("cases-unknown-key", params, helps=helps))


def read_cases(cases_file: Path, limits: Limits = DEFAULT) -> Mapping[str, Any]:
    document = read_yaml(cases_file, limits=limits)
    if isinstance(document, Mapping):
        check_keys(cases_file, "(top)", document, FILE_KEYS)
    if not isinstance(document, Mapping) or not isinstance(document.get("cases", []), list):
        raise shape_error(cases_file, "(top)", "expected a mapping with a `cases` list")
    if not isinstance(document.get("properties", []), list):
        raise shape_error(cases_file, "properties", "expected a list of properties")
    if "cases" not in document and "properties" not in document:
        raise shape_error(cases_file, "(top)", "expected a mapping with a `cases` list")
    return document


def settings_of(document: Mapping[str, Any], entry: Mapping[str, Any]) -> dict[str, Any]:
    return {k: entry.get(k, document.get(k)) for k in ("year", "period", "params")}


def check_settings(
    file: Path, at: str, document: Mapping[str, Any], entry: Mapping[str, Any]
) -> None:
    """A setting of the wrong kind is the cases file's mistake, said where it
    is written (not a `TypeError` from deep inside loading)."""
    wrong = {
        "params": lambda v: not isinstance(v, Mapping),
        "year": lambda v: isinstance(v, (bool, list, Mapping)),
        "period": lambda v: not isinstance(v, (str, list, datetime.date)),
    }
    wanted = {
        "params": "expected a mapping of parameter names to values",
        "year": "expected a year, such as 2021",
        "period": "expected two dates, such as 2021-01-01..2021-12-31",
    }
    for key, is_wrong in wrong.items():
        value = entry.get(key, document.get(key))
        if value is not None and is_wrong(value):
            where = f"{at}.{key}" if key in entry else key
            raise shape_error(file, where, wanted[key])


def ruleset_of(
    cases_file: Path,
    document: Mapping[str, Any],
    entry: Mapping[str, Any],
    params: Any,
    allow: tuple[Any, ...] = (),
) -> Any:
    name = entry.get("ruleset", document.get("ruleset") or default_ruleset(cases_file))
    return load(cases_file.parent / str(name), params or None, allow=allow)


def default_ruleset(cases_file: Path) -> str:
    for suffix in CASES_SUFFIXES:
        if cases_file.name.endswith(suffix):
            return cases_file.name[: -len(suffix)] + ".antq"
    return cases_file.stem + ".antq"


def data_of(
    case: Mapping[str, Any], here: Path, file: Path, at: str, limits: Limits = DEFAULT
) -> Any:
    if "data" in case and "data_file" in case:
        raise shape_error(file, at, "give `data` or `data_file`, not both")
    if "data_file" in case:
        path = here / str(case["data_file"])
        read = read_yaml if path.suffix in YAML_SUFFIXES else read_json
        return read(path, limits=limits)
    if "data" not in case:
        raise shape_error(file, at, "a case needs `data` or `data_file`")
    return case["data"]
