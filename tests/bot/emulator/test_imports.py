"""The emulator is a self-contained package: no import cycle, nothing from the project.

Every import statement counts, wherever it stands: at module level, inside a function or
under ``if TYPE_CHECKING:`` (an annotation-only import still ties the modules together).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = "bot.emulator"
PACKAGE_DIR = ROOT / "bot" / "emulator"


def project_packages(root: Path) -> frozenset[str]:
    """Return the top-level names importable from the repository root (bot, handlers, ...)."""
    names = {path.parent.name for path in root.glob("*/__init__.py")}
    names |= {path.stem for path in root.glob("*.py")}
    return frozenset(names)


def module_name(path: Path, root: Path) -> str:
    """Return the dotted name of a module file (``bot/emulator/core.py`` -> bot.emulator.core)."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(module: str, source: str, *, is_package: bool = False) -> set[str]:
    """Return every module (and ``from`` target) that ``source`` imports, relative ones resolved."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            found.add(target)
            # ``from bot.emulator import core`` imports the submodule bot.emulator.core.
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def import_graph(sources: dict[str, tuple[str, bool]], package: str) -> dict[str, set[str]]:
    """Map each module of ``package`` to the modules of ``package`` it imports."""
    graph: dict[str, set[str]] = {}
    for module, (source, is_package) in sources.items():
        targets = imported_modules(module, source, is_package=is_package)
        graph[module] = {t for t in targets if t in sources and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def project_imports(
    sources: dict[str, tuple[str, bool]], package: str, project: frozenset[str]
) -> list[str]:
    """Return "module imports target" for every import of the project outside ``package``."""
    violations = []
    for module, (source, is_package) in sorted(sources.items()):
        for target in sorted(imported_modules(module, source, is_package=is_package)):
            inside = target == package or target.startswith(f"{package}.")
            if target.split(".")[0] in project and not inside:
                violations.append(f"{module} imports {target}")
    return violations


def emulator_sources() -> dict[str, tuple[str, bool]]:
    """Return {module name: (source, is a package)} for every module of bot.emulator."""
    paths = sorted(PACKAGE_DIR.rglob("*.py"))
    assert paths, f"no modules found under {PACKAGE_DIR}"
    return {
        module_name(path, ROOT): (path.read_text(encoding="utf-8"), path.name == "__init__.py")
        for path in paths
    }


# ------------------------------------------------------------------ the package itself


def test_emulator_modules_form_no_import_cycle() -> None:
    graph = import_graph(emulator_sources(), PACKAGE)
    assert len(graph) > 10  # the whole package was read
    found = cycles(graph)
    assert not found, f"import cycle(s) among emulator modules: {found}"


def test_emulator_imports_nothing_from_the_project() -> None:
    project = project_packages(ROOT)
    assert {"bot", "handlers", "knowledge", "storage"} <= project
    found = project_imports(emulator_sources(), PACKAGE, project)
    assert not found, f"the emulator imports the project: {found}"


# ------------------------------------------------------------------ the checks can fail


def _sources(**modules: str) -> dict[str, tuple[str, bool]]:
    """Build a fake package ``pkg`` from keyword sources (``init`` is its __init__)."""
    return {
        ("pkg" if name == "init" else f"pkg.{name}"): (source, name == "init")
        for name, source in modules.items()
    }


def test_a_type_checking_back_import_is_a_cycle() -> None:
    sources = _sources(
        init="from pkg.a import A\n",
        a="from pkg.b import B\n",
        b="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n",
        c="from pkg import b\n",
    )
    assert cycles(import_graph(sources, "pkg")) == [["pkg.a", "pkg.b"]]


@pytest.mark.parametrize(
    "statement",
    ["from . import a", "from .a import A", "import pkg.a", "def f():\n    from pkg.a import A"],
)
def test_every_import_form_counts(statement: str) -> None:
    sources = _sources(a="from pkg.b import B\n", b=statement + "\n")
    assert cycles(import_graph(sources, "pkg")) == [["pkg.a", "pkg.b"]]


def test_a_project_import_is_reported() -> None:
    sources = _sources(
        a="from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from bot.settings import S\n",
        b="import storage\nimport aiohttp\nfrom pkg.a import A\n",
    )
    project = frozenset({"bot", "pkg", "storage"})
    assert project_imports(sources, "pkg", project) == [
        "pkg.a imports bot.settings",
        "pkg.a imports bot.settings.S",
        "pkg.b imports storage",
    ]
