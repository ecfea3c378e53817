"""The layers of DESIGN.md "Layout and boundaries", read from the imports of every module.

Each rule names a set of modules and the imports they must not have. Imports inside functions
and under TYPE_CHECKING count too: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("knowledge", "storage", "handlers", "bot")
# Outside storage/, only the session types may come from SQLAlchemy: services open the
# transaction, storage writes the statements.
SESSION_MODULES = ("sqlalchemy.ext.asyncio",)


@dataclass(frozen=True)
class Import:
    """One imported module name, where it was imported."""

    module: str
    importer: str
    line: int


def module_name(path: Path) -> str:
    """The dotted module name of a file under ROOT."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> Iterator[Import]:
    """Every module `path` imports, with relative imports resolved and `from x import y`
    reported as both x and x.y (y may be a submodule)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield Import(base, name, node.lineno)
            for alias in node.names:
                yield Import(f"{base}.{alias.name}", name, node.lineno)


@cache
def project_imports() -> list[Import]:
    """The imports of every module in the four packages (migrations excluded)."""
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found.extend(imports_of(path))
    return found


def under(module: str, *prefixes: str) -> bool:
    """Whether `module` is one of `prefixes` or inside one of them."""
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def is_service(module: str) -> bool:
    """A feature's use-case module, a shared service module of handlers/, or a handlers module
    that one of those imports (its parts, e.g. handlers.checklist.refinement)."""
    return module.endswith(".service") or module in SHARED_SERVICES or module in _service_parts()


SHARED_SERVICES = ("handlers.audit_trail", "handlers.knowledge_store")
WEB_SIDE = ("bot.admin", "bot.stats_api", "bot.stats_cli", "bot.kb_cli", "bot.web")


def _is_views(module: str) -> bool:
    last = module.split(".")[-1]
    return last == "views" or last.endswith("_views")


def _telegram_adapter(module: str) -> bool:
    """A handlers module named telegram, or any other handlers module (views aside) that
    imports telegram: PTB callbacks and what they share (e.g. handlers.checklist.buttons)."""
    return under(module, "handlers") and (
        module.split(".")[-1] == "telegram"
        or (module in _telegram_importers() and not _is_views(module))
    )


@cache
def _modules() -> frozenset[str]:
    return frozenset(
        module_name(path)
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


@cache
def _telegram_importers() -> frozenset[str]:
    return frozenset(i.importer for i in project_imports() if under(i.module, "telegram"))


@cache
def _service_parts() -> frozenset[str]:
    """Every handlers module reachable from a service through imports inside handlers/."""
    modules = _modules()
    found = {m for m in modules if m.endswith(".service") or m in SHARED_SERVICES}
    imports = [i for i in project_imports() if i.module in modules and under(i.module, "handlers")]
    while True:
        more = {i.module for i in imports if i.importer in found} - found
        if not more:
            return frozenset(found)
        found |= more


RULES: dict[str, tuple[object, object]] = {
    "knowledge imports nothing but itself and pure libraries": (
        lambda m: under(m, "knowledge"),
        lambda i: under(
            i,
            "telegram",
            "aiohttp",
            "sqlalchemy",
            "sqlmodel",
            "jinja2",
            "handlers",
            "storage",
            "bot",
        ),
    ),
    "storage never imports Telegram, aiohttp, handlers or bot": (
        lambda m: under(m, "storage"),
        lambda i: under(i, "telegram", "aiohttp", "handlers", "bot"),
    ),
    "services import neither telegram nor aiohttp, nor a feature's adapter or views": (
        is_service,
        lambda i: (
            under(i, "telegram", "aiohttp")
            or _telegram_adapter(i)
            or (under(i, "handlers") and _is_views(i))
        ),
    ),
    "handlers never import aiohttp or bot": (
        lambda m: under(m, "handlers"),
        lambda i: under(i, "aiohttp", "bot"),
    ),
    "SQL only in storage: elsewhere only the session types": (
        lambda m: not under(m, "storage"),
        lambda i: under(i, "sqlalchemy", "sqlmodel") and not under(i, *SESSION_MODULES),
    ),
    "the web panel, stats API and CLI call services, never Telegram adapters": (
        lambda m: under(m, *WEB_SIDE),
        _telegram_adapter,
    ),
    "the Bot API emulator imports nothing from the project": (
        lambda m: under(m, "bot.emulator"),
        lambda i: (
            under(i, "knowledge", "storage", "handlers")
            or (under(i, "bot") and not under(i, "bot.emulator"))
        ),
    ),
}


def violations(rule: str, imports: list[Import]) -> list[str]:
    """The imports that break `rule`, as `importer:line imports module`."""
    applies, forbidden = RULES[rule]
    return sorted(
        {
            f"{i.importer}:{i.line} imports {i.module}"
            for i in imports
            if applies(i.importer) and forbidden(i.module)  # type: ignore[operator]
        }
    )


@pytest.mark.parametrize("rule", RULES)
def test_the_project_keeps_the_layer_rule(rule: str) -> None:
    assert violations(rule, project_imports()) == []


@pytest.mark.parametrize(
    ("rule", "importer", "module"),
    [
        ("knowledge imports nothing but itself and pure libraries", "knowledge.advisor", "jinja2"),
        ("storage never imports Telegram, aiohttp, handlers or bot", "storage.db", "bot.settings"),
        (
            "services import neither telegram nor aiohttp, nor a feature's adapter or views",
            "handlers.checklist.service",
            "telegram",
        ),
        (
            "services import neither telegram nor aiohttp, nor a feature's adapter or views",
            "handlers.knowledge_store",
            "handlers.checklist.views",
        ),
        ("handlers never import aiohttp or bot", "handlers.reminders.telegram", "bot.settings"),
        ("SQL only in storage: elsewhere only the session types", "handlers.x.service", "sqlmodel"),
        (
            "the web panel, stats API and CLI call services, never Telegram adapters",
            "bot.admin.pages",
            "handlers.kb_admin.telegram",
        ),
        (
            "the Bot API emulator imports nothing from the project",
            "bot.emulator.core",
            "bot.settings",
        ),
    ],
)
def test_each_rule_catches_a_violation(rule: str, importer: str, module: str) -> None:
    assert violations(rule, [Import(module, importer, 1)]) == [f"{importer}:1 imports {module}"]


def test_relative_and_from_imports_are_resolved(tmp_path: Path) -> None:
    assert {i.module for i in imports_of(ROOT / "handlers" / "i18n" / "__init__.py")} >= {
        "handlers.i18n.catalog",
        "handlers.i18n.renderer.Renderer",
    }


def test_a_services_parts_are_held_to_the_service_rule() -> None:
    # Checklist's use cases live in modules that service.py imports; they are services too.
    assert is_service("handlers.checklist.refinement")
    assert is_service("handlers.checklist.recheck")
    assert not is_service("handlers.checklist.buttons")
    assert _telegram_adapter("handlers.checklist.buttons")
    assert not _telegram_adapter("handlers.checklist.recheck_views")
