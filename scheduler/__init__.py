"""matchday's scheduling library: load an event, solve it, check any schedule, diff two versions.

    import scheduler

    loaded = scheduler.load("sample_events/cluster-day")  # problems name file, row and column
    result = scheduler.solve(loaded.event, scheduler.SolveOptions(time_limit=10))
    scheduler.check(loaded.event, result.schedule)  # [] always: solve() returns nothing the checker rejects
    changes = scheduler.diff(loaded.event, old_schedule, result.schedule)
    scheduler.export(loaded.event, result.schedule, "print/")  # agendas, plan, signs, calendars

What lives where: `io/` reads and writes the files (event folder, schedule files, time grid);
`check/` is the independent checker; `model/` the CP-SAT model (variables, rules, objective,
diagnosis); `heuristics/` the LP selection, greedy placement and local search; `pipelines/` runs
them in order within one time `Budget` and gates the result; `export/` builds agendas, plans,
signs and calendars.

`check`, `diff` and `export` are the package `scheduler.check`, the module `scheduler.diff` and
the package `scheduler.export` themselves, made callable: a submodule import sets its package's
attribute of that name, so a plain function bound here would be replaced by the module whenever
that module loads first; a callable module is both, so `scheduler.check(event, schedule)` and
`import scheduler.export.agenda as agenda` work in any order. `load`, `solve` and `export`'s
work pull in pandas, OR-Tools or WeasyPrint: they are imported on first use (PEP 562), so that
`import scheduler` stays cheap and `python -m scheduler` reads its clock before they load.
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # before anything else: modules of the package import it


class _CallableModule(types.ModuleType):
    """A module that is also the facade function of its name: calling it calls `__facade__`."""

    __facade__: Callable[..., Any]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__facade__(*args, **kwargs)


def _facade(module_name: str, function: Callable[..., Any]) -> types.ModuleType:
    module = importlib.import_module(module_name)
    module.__class__ = _CallableModule
    module.__facade__ = function  # type: ignore[attr-defined]  # set on the class just assigned
    return module


def _check(*args: Any, **kwargs: Any) -> Any:
    from scheduler.check.checker import check_schedule

    return check_schedule(*args, **kwargs)


def _diff(*args: Any, **kwargs: Any) -> Any:
    from scheduler.diff import diff_schedules

    return diff_schedules(*args, **kwargs)


def _export(*args: Any, **kwargs: Any) -> Any:
    """`scheduler.export.bundle.export_event`: every agenda (PDF and .ics), agendas.pdf, plan.pdf
    and table-signs.pdf into one folder."""
    from scheduler.export.bundle import export_event

    return export_event(*args, **kwargs)


check = _facade("scheduler.check", _check)
diff = _facade("scheduler.diff", _diff)
export = _facade("scheduler.export", _export)

# The names imported on first use: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "load": ("scheduler.io.loading", "load_event_dir"),
    "solve": ("scheduler.pipelines.solve", "solve"),
    "SolveOptions": ("scheduler.results", "SolveOptions"),
}

__all__ = ["__version__", "check", "diff", "export", "load", "solve", "SolveOptions"]

if TYPE_CHECKING:  # the lazy names, eagerly, for type checkers and editors
    from scheduler.io.loading import load_event_dir as load
    from scheduler.pipelines.solve import solve
    from scheduler.results import SolveOptions


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'scheduler' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # once imported, a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
