"""The package's shape, checked from the source: no import cycles between modules, each role folder of
compose_cloud imports only the roles below it, and compose_translate never imports compose_cloud."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("compose_translate", "compose_cloud")
# bottom first: a folder may import the folders before it in this list, never one after it
LAYERS = ("collector", "sdk_seams", "program", "preview", "account", "render", "cli")
ALONE = {"account": {"collector"}}  # the boto3 side needs no Pulumi program, preview or renderer


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Every module of ours this file imports, at its top or inside a function (a late import is still
    an edge: it runs whenever the function does)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from package import submodule` is an edge to the submodule, not to the package's __init__
            names = [
                f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names
            ]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                found.add(name)
    return found


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    files = {_module(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    files = {m: p for m, p in files.items() if "gateway_files" not in m}
    modules = set(files)
    return {m: _with_packages(m, _imports(p, modules), modules) - {m} for m, p in files.items()}


def _with_packages(module: str, targets: set[str], modules: set[str]) -> set[str]:
    """Importing `a.b.c` runs `a.b`'s __init__ first: an edge too (a cycle through it fails at import
    time in whichever order breaks it), except to the importer's own packages, already running."""
    found = set(targets)
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if package in modules and not module.startswith(package + "."):
                found.add(package)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycles(graph):
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_a_package_init_is_an_import_edge():
    modules = {"p", "p.a", "q", "q.b"}
    assert _with_packages("q", {"p.a"}, modules) == {"p.a", "p"}
    assert _with_packages("p.a", {"p.b"}, modules | {"p.b"}) == {"p.b"}  # its own package is running


def test_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "compose_cloud" and len(parts) > 1 else None


def test_role_folders_import_only_the_roles_below(graph):
    wrong = []
    for module, targets in sorted(graph.items()):
        layer = _layer(module)
        if layer is None:
            continue
        assert layer in LAYERS, f"{module}: a new role folder must be placed in LAYERS"
        allowed = ALONE.get(layer, set(LAYERS[: LAYERS.index(layer) + 1]))
        wrong += [f"{module} -> {t}" for t in sorted(targets) if _layer(t) and _layer(t) not in allowed | {layer}]
    assert not wrong, "\n".join(wrong)


def test_translate_never_imports_cloud(graph):
    assert not [(m, t) for m, ts in graph.items() if m.startswith("compose_translate") for t in ts if _layer(t)]


def test_layers_cover_every_folder():
    folders = {p.name for p in (ROOT / "compose_cloud").iterdir() if p.is_dir() and p.name != "__pycache__"}
    modules = {p.stem for p in (ROOT / "compose_cloud").glob("*.py")} - {"__init__"}
    assert folders | modules == set(LAYERS)


def _functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """(where, function, public) for every function of both packages; nested ones are not public."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "gateway_files" in path.parts:
                continue
            tree = ast.parse(path.read_text(), str(path))
            parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    parent = parents.get(node)
                    public = not node.name.startswith("_") and not isinstance(
                        parent, (ast.FunctionDef, ast.AsyncFunctionDef)
                    )
                    if isinstance(parent, ast.ClassDef) and parent.name.startswith("_"):
                        public = False
                    found.append((f"{path.relative_to(ROOT)}:{node.lineno} {node.name}", node, public))
    return found


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    return (node.end_lineno or node.lineno) - node.lineno + 1


def test_no_function_is_longer_than_80_lines():
    assert not [f"{where} ({_length(node)} lines)" for where, node, _ in _functions() if _length(node) > 80]


def test_public_and_long_functions_say_why_in_a_docstring():
    missing = [
        where for where, node, public in _functions() if (public or _length(node) > 30) and not ast.get_docstring(node)
    ]
    assert not missing, "\n".join(missing)
