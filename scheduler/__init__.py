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

`check` and `diff` are bound here, eagerly (both light): they share their names with the
subpackage `scheduler.check` and the module `scheduler.diff`, and importing a submodule sets the
package's attribute of that name, so binding them lazily would leave the module there whenever it
was imported first. (So write `from scheduler.check.checker import …`, never
`import scheduler.check.checker as …`.) `load` and `solve` pull in pandas and OR-Tools: they are
imported on first use (PEP 562), so that `import scheduler` stays cheap and `python -m scheduler`
reads its clock before they load.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"  # before anything else: modules of the package import it

from scheduler.check.checker import check_schedule as check  # noqa: E402
from scheduler.diff import diff_schedules as diff  # noqa: E402

# The names imported on first use: name -> (module, attribute).
_LAZY: dict[str, tuple[str, str]] = {
    "load": ("scheduler.io.loading", "load_event_dir"),
    "solve": ("scheduler.pipelines.solve", "solve"),
    "SolveOptions": ("scheduler.results", "SolveOptions"),
}

# `export` shares its name with the subpackage `scheduler.export`: that (light) package is imported
# first, then the name is rebound to the function, which loads Jinja2 and WeasyPrint on first use.
importlib.import_module("scheduler.export")


def export(event: Event, schedule: Schedule, out_dir: str | os.PathLike[str], **options: Any) -> ExportedFiles:
    """Write every agenda (PDF and .ics), agendas.pdf, plan.pdf and table-signs.pdf into `out_dir`;
    the options are `scheduler.export.bundle.export_event`'s."""
    from scheduler.export.bundle import export_event

    return export_event(event, schedule, out_dir, **options)


__all__ = ["__version__", "check", "diff", "export", "load", "solve", "SolveOptions"]

if TYPE_CHECKING:  # the lazy names, eagerly, for type checkers and editors
    from scheduler.domain import Event, Schedule
    from scheduler.export.bundle import ExportedFiles
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
