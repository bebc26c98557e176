"""The rulesets that ship with antq_rules (rulesets/ in the repository, inside
the package once installed): `shipped("tt124/xa.antq")` is a path to load."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import AntqError, Diagnostic


def rulesets_dir() -> Path:
    try:
        packaged = Path(str(resources.files("antq_rules"))) / "rulesets"
        if packaged.is_dir():
            return packaged
    except (ModuleNotFoundError, TypeError):
        pass
    return Path(__file__).resolve().parent.parent / "rulesets"


def shipped(name: str) -> Path:
    """The path of a shipped ruleset or example, e.g. `shipped("plans/ngoc_dao_2021.antq")`."""
    path = rulesets_dir() / name
    if not path.exists():
        raise AntqError(Diagnostic("missing-file", {"path": name}))
    return path
