"""The independent checker imports nothing but the domain types (and the standard library).

That is what makes it independent: a bug in the solver's preprocessing (`candidates`), model or
heuristics cannot reach it. The contract is read from the source with `ast`, so it holds for
imports inside functions and under `if TYPE_CHECKING:` too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parents[1] / "scheduler" / "check"
PACKAGE = "scheduler.check"
ALLOWED = ("scheduler.domain", PACKAGE)  # the domain types, and the checker's own modules


def imports(source: str, package: str) -> list[tuple[int, list[str]]]:
    """Each import statement of `source` (a module of `package`) as (line, the absolute names it
    may refer to): `from a import b` may import the module `a` or the module `a.b`."""
    out: list[tuple[int, list[str]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.extend((node.lineno, [alias.name]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the package
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            out.extend((node.lineno, [module, f"{module}.{alias.name}"]) for alias in node.names)
    return out


def _allowed(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names or any(
        name == allowed or name.startswith(allowed + ".") for allowed in ALLOWED
    )


def forbidden(source: str, package: str = PACKAGE) -> list[str]:
    """The imports of `source` that break the contract, as "line N: module"."""
    return [f"line {line}: {names[-1]}" for line, names in imports(source, package) if not any(map(_allowed, names))]


def test_the_checker_imports_only_the_domain_types() -> None:
    files = sorted(CHECKER.rglob("*.py"))
    assert files, f"no checker modules under {CHECKER}"
    broken = {
        str(f.relative_to(CHECKER.parent.parent)): bad
        for f in files
        if (bad := forbidden(f.read_text(encoding="utf-8")))
    }
    assert broken == {}, f"the independent checker must import only scheduler.domain: {broken}"


@pytest.mark.parametrize(
    "line",
    [
        "from scheduler.candidates import pair_key",
        "import scheduler.report",
        "from scheduler import candidates",
        "from .. import candidates",
        "from ..heuristics.state import ScheduleState",
        "import numpy as np",
        "def f():\n    from scheduler.model.rules import HARD_RULES",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from scheduler.pipelines.run import Run",
    ],
)
def test_an_import_of_the_solver_side_breaks_the_contract(line: str) -> None:
    source = (CHECKER / "checker.py").read_text(encoding="utf-8") + "\n" + line + "\n"
    assert forbidden(source), f"not caught: {line!r}"


@pytest.mark.parametrize(
    "line",
    [
        "from scheduler.domain import Event",
        "from scheduler import domain",
        "from . import checker",
        "from .checker import holes",
        "from ..domain import Schedule",
        "import datetime",
        "from collections.abc import Iterable",
    ],
)
def test_the_domain_the_standard_library_and_the_checker_itself_are_allowed(line: str) -> None:
    assert forbidden(line) == []


def test_the_domain_types_import_only_the_standard_library() -> None:
    """So the contract holds transitively: what the checker imports brings nothing else in."""
    domain = CHECKER.parent / "domain.py"
    names = [n for _, ns in imports(domain.read_text(encoding="utf-8"), "scheduler") for n in ns[:1]]
    assert names and all(n.split(".")[0] in sys.stdlib_module_names for n in names), names
