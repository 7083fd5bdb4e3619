"""The import graph of src/shegong against the rooms and arrows of README.md's ARCHITECTURE.

Every `import shegong.X…` / `from shegong.X… import` of every module (at module level or inside
a function: a lazy import is still an arrow) is read with `ast`; imports under
`if TYPE_CHECKING:` are annotations only and do not count. Tests and migrations are left out.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]  # src/shegong

# Who may import whom (lowest room first). "site" is what composes the rooms: settings,
# urls, wsgi, manage, the console commands (core/management), the start and account pages
# (core/views) and the import kit's page flow (core/imports/flow: it starts jobs and shows
# the upload form every area shares). Keep this table and the README's in step.
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "orgs": frozenset({"core"}),
    "tasks": frozenset({"core"}),
    "people": frozenset({"core", "orgs", "tasks"}),
    "pay": frozenset({"core", "orgs", "people", "tasks"}),
    "training": frozenset({"core", "orgs", "people", "tasks"}),
    "appraisal": frozenset({"core", "orgs", "people", "tasks"}),
    "resources": frozenset({"core", "orgs", "people", "tasks"}),
    "burden": frozenset(
        {"core", "orgs", "people", "tasks", "pay", "training", "appraisal", "resources"}
    ),
    "reports": frozenset(
        {"core", "orgs", "people", "tasks", "pay", "training", "appraisal", "burden", "resources"}
    ),
    "annual": frozenset(
        {
            "core",
            "orgs",
            "people",
            "tasks",
            "pay",
            "training",
            "appraisal",
            "burden",
            "resources",
            "reports",
        }
    ),
    "api": frozenset(
        {
            "core",
            "orgs",
            "people",
            "tasks",
            "pay",
            "training",
            "appraisal",
            "burden",
            "resources",
            "annual",
        }
    ),
}
ROOMS = frozenset(ALLOWED)
SITE = "site"
SITE_MODULES = ("core/management/", "core/views.py", "core/imports/flow.py")


def room_of(relative: str) -> str:
    """The room of a module by its path under src/shegong ("people/services.py")."""
    if relative.startswith(SITE_MODULES) or "/" not in relative:
        return SITE
    return relative.split("/", 1)[0]


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imported_rooms(tree: ast.AST) -> Iterator[tuple[str, int]]:
    """(room, line) of every run-time import of another shegong module."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            skipped.update(id(n) for child in node.body for n in ast.walk(child))
    for node in ast.walk(tree):
        if id(node) in skipped or not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "shegong":
                names = [f"shegong.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "shegong" and len(parts) > 1 and parts[1] in ROOMS:
                yield parts[1], node.lineno


def arrows() -> dict[tuple[str, str], list[str]]:
    """(from room, to room) → where, for every module outside tests and migrations."""
    found: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or relative == "conftest.py":
            continue
        source = room_of(relative)
        for target, line in imported_rooms(ast.parse(path.read_text(encoding="utf-8"))):
            if target != source:
                found.setdefault((source, target), []).append(f"{relative}:{line}")
    return found


def test_every_module_belongs_to_a_room_of_the_table() -> None:
    rooms = {
        room_of(p.relative_to(PACKAGE).as_posix())
        for p in PACKAGE.glob("*/*.py")
        if p.parent.name not in {"formats", "locale", "static", "templates"}
    }
    assert rooms - ROOMS - {SITE} == set()


def test_no_room_imports_a_room_it_may_not() -> None:
    wrong = {
        f"{source} -> {target}": where[:3]
        for (source, target), where in arrows().items()
        if source != SITE and target not in ALLOWED[source]
    }
    assert wrong == {}


def test_the_table_of_arrows_has_no_circle() -> None:
    done: set[str] = set()

    def visit(room: str, trail: tuple[str, ...]) -> None:
        assert room not in trail, " -> ".join((*trail, room))
        if room in done:
            return
        for lower in ALLOWED[room]:
            visit(lower, (*trail, room))
        done.add(room)

    for room in ALLOWED:
        visit(room, ())


def test_it_reads_lazy_imports_and_skips_type_checking_ones() -> None:
    """The reader itself: a lazy import inside a function counts, one under TYPE_CHECKING not."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from shegong.pay.models import Line\n"
        "def f():\n    from shegong.reports import selectors\n"
        "import shegong.training.rules\n"
        "from shegong import appraisal\n"
    )
    assert sorted(room for room, _line in imported_rooms(tree)) == [
        "appraisal",
        "reports",
        "training",
    ]


def test_no_function_in_the_rooms_is_longer_than_80_lines() -> None:
    """Modules of one job (README ARCHITECTURE): a function past 80 lines is doing several."""
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > 80:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines})")
    assert long == []
