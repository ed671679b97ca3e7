"""The library's facade: `import scheduler` gives load, solve, check, diff and export."""

from __future__ import annotations

from pathlib import Path

import scheduler
from tests.factories import event_files, wish

PEOPLE = ["ann", "ben", "cat", "dan"]
WISHES = [wish("ann", "ben", 1), wish("ben", "ann", 2), wish("cat", "dan", 1), wish("ann", "cat", 3)]


def _event_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "event"
    folder.mkdir()
    for name, data in zip(("event.toml", "participants.csv", "wishes.csv"), event_files(PEOPLE, WISHES), strict=True):
        (folder / name).write_bytes(data)
    return folder


def test_the_facade_runs_the_whole_pipeline(tmp_path: Path) -> None:
    loaded = scheduler.load(_event_dir(tmp_path))
    result = scheduler.solve(loaded.event, scheduler.SolveOptions(time_limit=2, deterministic=True, seed=1))
    assert scheduler.check(loaded.event, result.schedule) == []
    assert {m.pair for m in result.schedule.meetings} >= {frozenset({"ann", "ben"}), frozenset({"cat", "dan"})}
    changes = scheduler.diff(loaded.event, result.schedule, result.schedule)
    assert changes.people_affected == []
    written = scheduler.export(loaded.event, result.schedule, tmp_path / "print")
    names = {p.as_posix() for p in written.files}
    assert {"agendas/ann.pdf", "agendas/ann.ics", "agendas.pdf", "plan.pdf", "table-signs.pdf"} <= names
    assert all((written.folder / p).stat().st_size > 0 for p in written.files)


def test_facade_names_stay_callable_whatever_loads_first() -> None:
    """`check`, `diff` and `export` share names with a subpackage or module: both uses must work."""
    import scheduler.check.checker as checker
    import scheduler.export.agenda as agenda

    assert callable(scheduler.check) and scheduler.check.checker is checker
    assert callable(scheduler.export) and scheduler.export.agenda is agenda
    assert callable(scheduler.diff) and scheduler.diff.diff_schedules is not None
    loaded_event = scheduler.load
    assert callable(loaded_event)
