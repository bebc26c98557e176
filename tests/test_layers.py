"""The module graph: each stage imports only the stages below it (no cycle,
function-level imports included), and start-up imports only what it uses."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "antq_rules"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module of the package that `name` imports, anywhere in its text."""
    out = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
            module = ".".join([*base, node.module] if node.module else base)
            if not node.level:
                module = node.module or ""
            targets = [module, *(f"{module}.{a.name}" for a in node.names)]
        for target in targets:
            while target and target not in modules and "." in target:
                target = target.rpartition(".")[0]
            # (a module's own package __init__ is not an import of a stage)
            own = name.startswith(target + ".")
            if target in modules and target not in (name, "antq_rules") and not own:
                out.add(target)
    return out


def test_the_module_graph_has_no_cycle():
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            cycle = " → ".join([*trail[trail.index(name) :], name])
            raise AssertionError(f"import cycle: {cycle}")
        if name in done:
            return
        for target in sorted(graph[name]):
            visit(target, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])


def _imported_by(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys; print(' '.join(sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(done.stdout.split())


HEAVY = {"lark", "yaml", "openpyxl", "hypothesis", "antq_rules.readers", "antq_rules.fast"}


def test_start_up_imports_only_what_it_uses():
    assert not HEAVY & _imported_by("import antq_rules")
    assert not HEAVY & _imported_by(
        "import sys; sys.argv = ['antq', '--version']\n"
        "from antq_rules.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass"
    )
    loaded = _imported_by("import antq_rules; antq_rules.load(antq_rules.shipped('tt124/xa.antq'))")
    assert "lark" in loaded and not {"openpyxl", "hypothesis", "antq_rules.readers"} & loaded
