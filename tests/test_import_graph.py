"""The import graph of worker/ and analysis/: one-way, and each process loads only its rooms;
and in tests/, no module imports a test module: what tests share lives in tests/support.

Imports are read from the source (every ``import`` statement, inside functions too), so an
import hidden in a function to dodge a cycle counts like any other.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGES = ("worker", "analysis")
#: Commands that start the sandbox: the only modules outside it that may import it.
SANDBOX_STARTERS = frozenset({"worker.cli"})
#: What the web process must never load: the worker's services and the sandbox.
NOT_FOR_WEB = ("worker.sync", "worker.backfill", "worker.tasks", "worker.sandbox")
#: The path a webhook event takes through the web process, which must answer Strava in well
#: under 2 s: it reaches no analysis (only the athletes' pages draw on it; ARCHITECTURE.md).
#: What no process loads as it starts, only at its first Strava request (worker.strava): about
#: half a second of CPU that migrate, the dead-letter commands and web until an OAuth callback
#: never need.
NOT_AT_START = ("stravalib",)
INTAKE = ("worker.web.webhook", "worker.web.intake", "worker.web.limits", "worker.web.health")


def within(module: str, *packages: str) -> bool:
    """Whether ``module`` is one of ``packages`` or inside one."""
    return any(module == p or module.startswith(p + ".") for p in packages)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES
            for path in sorted((REPO_ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path) -> Iterator[str]:
    """The modules of ours that ``path`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from package import module`` imports the module, anything else the package.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules():
                target = target.rpartition(".")[0]
            if target and target != name:
                yield target


@cache
def graph() -> dict[str, frozenset[str]]:
    return {name: frozenset(imported(name, path)) for name, path in modules().items()}


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in graph()[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph()[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph()):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_both_packages() -> None:
    assert {"worker.inbox", "worker.web.webhook", "analysis.engine"} <= set(graph())
    assert "worker.inbox" in graph()["worker.web.intake"]


def test_no_module_of_worker_or_analysis_is_part_of_an_import_cycle() -> None:
    assert cycles() == []


def test_analysis_imports_nothing_of_worker() -> None:
    leaks = {name: sorted(t for t in targets if within(t, "worker"))
             for name, targets in graph().items() if within(name, "analysis")}
    assert {name: found for name, found in leaks.items() if found} == {}


@pytest.mark.parametrize("web_module", sorted(n for n in modules() if within(n, "worker.web")))
def test_the_web_process_reaches_neither_sync_nor_the_sandbox(web_module: str) -> None:
    assert sorted(t for t in reachable(web_module) if within(t, *NOT_FOR_WEB)) == []


@pytest.mark.parametrize("intake_module", INTAKE)
def test_the_webhook_intake_path_reaches_no_analysis(intake_module: str) -> None:
    assert sorted(t for t in reachable(intake_module) if within(t, "analysis")) == []

def test_no_product_module_imports_the_sandbox() -> None:
    importers = sorted(name for name, targets in graph().items()
                       if not within(name, "worker.sandbox") and name not in SANDBOX_STARTERS
                       and any(within(t, "worker.sandbox") for t in targets))
    assert importers == []


def test_metrics_counters_are_a_leaf() -> None:
    assert graph()["worker.metrics"] == frozenset()


def test_config_does_not_load_the_sandbox() -> None:
    assert not any(within(t, "worker.sandbox") for t in reachable("worker.config"))


@pytest.mark.parametrize(("entry", "banned"), [
    ("worker.web", NOT_FOR_WEB + ("uvicorn", *NOT_AT_START)),
    ("worker.config", ("worker.sandbox", "uvicorn")),
    ("worker.runtime", NOT_AT_START),
    ("worker.tasks", NOT_AT_START),
])
def test_a_fresh_interpreter_loading_the_entry_loads_none_of_the_banned(
    entry: str, banned: tuple[str, ...]
) -> None:
    probe = (f"import sys, {entry}; "
             "print('\\n'.join(sorted(m for m in sys.modules)))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, cwd=REPO_ROOT).stdout.split()
    assert sorted(m for m in loaded if within(m, *banned)) == []


# -- the test suite ------------------------------------------------------------------------------


def is_test_module(name: str) -> bool:
    return name.rpartition(".")[2].startswith("test_")


@cache
def suite_modules() -> dict[str, Path]:
    """The modules of tests/ (the browser tests' node_modules aside), by name."""
    return {module_name(path): path for path in sorted((REPO_ROOT / "tests").rglob("*.py"))
            if "node_modules" not in path.parts}


def imported_names(name: str, path: Path) -> set[str]:
    """What ``path`` (the module ``name``) imports, anywhere in the file, relative imports
    resolved: for ``from a import b`` both ``a`` and ``a.b``, which may be a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found |= {base} | {f"{base}.{alias.name}" for alias in node.names}
    return found


def test_modules_of_the_suite_import_no_test_module() -> None:
    """A helper, constant or fixture two test modules share lives in tests/support (a fixture
    in the nearest conftest.py), never in one of the test modules."""
    found = {name: sorted(t for t in imported_names(name, path)
                          if is_test_module(t) and t != name and t in suite_modules())
             for name, path in suite_modules().items()}
    assert {name: targets for name, targets in found.items() if targets} == {}


def test_the_suites_check_reads_every_kind_of_import(tmp_path: Path) -> None:
    assert {"tests.worker.test_tasks", "tests.support.tasks", "tests.conftest"} <= set(
        suite_modules())
    module = tmp_path / "test_example.py"
    module.write_text("import tests.e2e.test_cache\n"
                      "from . import test_pages\n"
                      "def helper() -> None:\n"
                      "    from .test_tasks import WAIT_S\n"
                      "    from tests.browser import test_every_page\n")
    tests = {t for t in imported_names("tests.worker.test_example", module) if is_test_module(t)}
    assert tests == {"tests.e2e.test_cache", "tests.worker.test_pages",
                     "tests.worker.test_tasks", "tests.browser.test_every_page"}
