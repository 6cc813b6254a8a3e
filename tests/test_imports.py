"""The dependency direction of DESIGN.md §2, checked on the syntax tree of every module.

``cli.py`` → ``solvers`` → ``networks`` → ``logistics``: dependencies point down only,
only the engine adapters in ``solvers/engines/`` touch a solver library, and only
``cli.py`` touches typer. Every import counts: at module level, inside functions, under
``if TYPE_CHECKING:``, relative ones, and ``importlib.import_module("...")`` /
``__import__("...")`` with a literal name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOLVER_LIBRARIES = frozenset({"ortools", "pulp", "pyvrp"})


@dataclass(frozen=True, slots=True)
class Rule:
    """Modules under ``scope`` (minus those under ``exempt``) import none of ``forbidden``."""

    name: str
    scope: tuple[str, ...]
    forbidden: frozenset[str]
    exempt: tuple[str, ...] = ()


RULES = (
    Rule(
        "logistics imports nothing above it",
        ("logistics",),
        frozenset({"networks", "solvers", "cli", "networkx", "typer"}) | SOLVER_LIBRARIES,
    ),
    Rule(
        "networks never imports solvers",
        ("networks",),
        frozenset({"solvers", "cli", "typer"}) | SOLVER_LIBRARIES,
    ),
    Rule("solvers never imports the cli", ("solvers",), frozenset({"cli", "typer"})),
    Rule(
        "only solvers/engines imports a solver library",
        ("solvers",),
        SOLVER_LIBRARIES,
        exempt=("solvers/engines",),
    ),
    Rule(
        "only cli.py imports typer",
        ("logistics", "networks", "solvers", "benchmarks", "examples", "docs"),
        frozenset({"typer"}),
    ),
)


def module_name(path: Path, *, root: Path = ROOT) -> str:
    """``solvers/engines/mathopt.py`` → ``solvers.engines.mathopt``; packages drop ``__init__``.

    Examples
    --------
    >>> module_name(Path("/r/solvers/engines/__init__.py"), root=Path("/r"))
    'solvers.engines'
    """
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def find_imports(source: str, *, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module ``source`` imports, as ``(line, absolute dotted name)``.

    ``from a import b`` yields both ``a`` and ``a.b`` (``b`` may be a submodule).

    Examples
    --------
    >>> find_imports("def f():\\n    from .roads import x", module="networks.snap")
    [(2, 'networks.roads'), (2, 'networks.roads.x')]
    """
    package = module.split(".") if is_package else module.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                parent = ".".join([*base, *([node.module] if node.module else [])])
            else:
                parent = node.module or ""
            found.append((node.lineno, parent))
            found.extend((node.lineno, f"{parent}.{alias.name}") for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and _called_name(node.func) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    # ast.walk goes breadth first; report in source order.
    return sorted(found, key=lambda f: f[0])


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def forbidden_imports(
    source: str, *, module: str, forbidden: frozenset[str], is_package: bool = False
) -> list[str]:
    """``"line N: imports X"`` for each import of a ``forbidden`` top-level name or below it."""
    return [
        f"line {line}: imports {name}"
        for line, name in find_imports(source, module=module, is_package=is_package)
        if name.split(".")[0] in forbidden
    ]


def python_files(rule: Rule) -> list[Path]:
    files = [p for folder in rule.scope for p in sorted((ROOT / folder).rglob("*.py"))]
    exempt = [ROOT / e for e in rule.exempt]
    return [p for p in files if not any(p.is_relative_to(e) for e in exempt)]


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_dependency_direction(rule: Rule) -> None:
    violations = [
        f"{path.relative_to(ROOT)} {finding}"
        for path in python_files(rule)
        for finding in forbidden_imports(
            path.read_text(encoding="utf-8"),
            module=module_name(path),
            forbidden=rule.forbidden,
            is_package=path.name == "__init__.py",
        )
    ]
    assert violations == []


@pytest.mark.parametrize("folder", ["logistics", "networks", "solvers", "solvers/engines"])
def test_each_layer_has_modules_to_check(folder: str) -> None:
    """A renamed or moved package must not make the rules above pass vacuously."""
    assert len(list((ROOT / folder).glob("*.py"))) >= 2


def test_engines_are_where_the_solver_libraries_are_imported() -> None:
    """The exemption for ``solvers/engines/`` is used: the engines really import them."""
    engines = sorted((ROOT / "solvers" / "engines").glob("*.py"))
    imported = {
        name.split(".")[0]
        for path in engines
        for _, name in find_imports(path.read_text(encoding="utf-8"), module=module_name(path))
    }
    assert imported >= {"ortools", "pulp"}


def test_cli_is_where_typer_is_imported() -> None:
    source = (ROOT / "cli.py").read_text(encoding="utf-8")
    assert forbidden_imports(source, module="cli", forbidden=frozenset({"typer"}))


SYNTHETIC = """\
from __future__ import annotations

import numpy as np
from logistics.scenario import Scenario
from . import clock

if TYPE_CHECKING:
    from solvers.pipeline import plan_county

def solve(s: Scenario) -> None:
    import ortools.sat.python.cp_model as cp
    from pulp import LpProblem

class Model:
    def build(self) -> None:
        mod = importlib.import_module("pyvrp")
        __import__("networkx")

import ortoolsx  # a different package that merely starts with the same letters
"""


def test_checker_flags_forbidden_imports_anywhere() -> None:
    """The checker itself works: function bodies, methods, TYPE_CHECKING and dynamic imports."""
    found = forbidden_imports(
        SYNTHETIC,
        module="logistics.fake",
        forbidden=RULES[0].forbidden,
    )
    assert found == [
        "line 8: imports solvers.pipeline",
        "line 8: imports solvers.pipeline.plan_county",
        "line 11: imports ortools.sat.python.cp_model",
        "line 12: imports pulp",
        "line 12: imports pulp.LpProblem",
        "line 16: imports pyvrp",
        "line 17: imports networkx",
    ]


def test_checker_resolves_relative_imports() -> None:
    source = "from ..pipeline import plan_county\nfrom . import mathopt\n"
    assert find_imports(source, module="solvers.engines", is_package=True) == [
        (1, "solvers.pipeline"),
        (1, "solvers.pipeline.plan_county"),
        (2, "solvers.engines"),
        (2, "solvers.engines.mathopt"),
    ]
    assert find_imports(source, module="solvers.engines.mathopt")[0] == (1, "solvers.pipeline")
