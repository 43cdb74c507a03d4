"""The package's layers hold: no module imports from a layer above its own, and no modules import in a cycle.

Imports inside functions count too (a lazy import still ties the modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mmgym"
LAYERS = ("core", "envs", "agents", "tasks", "results", "runners", "views", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    """Each mmgym module -> the mmgym modules it imports (`from package import submodule` counts as the submodule)."""
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                submodules = {f"{node.module}.{alias.name}" for alias in node.names} & set(modules)
                names_only = len(submodules) < len(node.names)  # some names are the package's own, not submodules
                found |= submodules | ({node.module} if names_only else set())
        graph[name] = {target for target in found if target in modules and target != name}
    return graph


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_the_graph_sees_top_level_and_lazy_imports() -> None:
    graph = imports()
    assert "mmgym.tasks.suite" in graph["mmgym.runners.evaluate"]  # from mmgym.tasks.suite import Suite
    assert "mmgym.cli.configs" in graph["mmgym.cli.main"]  # imported inside a function
    assert layer("mmgym.cli.main") > layer("mmgym.tasks.suite") > layer("mmgym.core.spec")


def test_no_module_imports_from_a_layer_above_its_own() -> None:
    upward = [
        f"{source} -> {target}"
        for source, targets in imports().items()
        for target in targets
        if layer(source) is not None and layer(target) is not None and layer(target) > layer(source)
    ]
    assert upward == []


def test_no_modules_import_in_a_cycle() -> None:
    graph, done, cycles = imports(), set(), []

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycles.append(" -> ".join([*path[path.index(module) :], module]))
            return
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert cycles == []
