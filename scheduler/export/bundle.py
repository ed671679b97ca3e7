"""Every document of a schedule written into one folder, for the organiser to print and send:

    DIR/agendas/<id>.pdf   each active participant's agenda
    DIR/agendas/<id>.ics   their meetings as a calendar file
    DIR/agendas.pdf        every agenda in one PDF, one person per page
    DIR/plan.pdf           the master plan (slots × tables per day)
    DIR/table-signs.pdf    one page per table

The renderings are the API's (`agenda.py`, `plan.py`, `signs.py` through `pdf.py`, and
`calendar.py`). A schedule that breaks a hard rule is refused before anything is written: these
documents are what participants act on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scheduler.check.checker import Violation, check_schedule
from scheduler.domain import Event, ParticipantId, Schedule
from scheduler.export.agenda import build_agendas
from scheduler.export.calendar import agenda_ics
from scheduler.export.filenames import slug
from scheduler.export.history import ScheduleVersion
from scheduler.export.pdf import agenda_pdf, agendas_pdf, plan_pdf, table_signs_pdf
from scheduler.export.plan import build_plan
from scheduler.export.signs import build_table_signs
from scheduler.io.output import OutputError, write_atomically
from scheduler.problems import MatchdayError

ExportProgress = Callable[[int, int, str], None]
"""Called after each file: (files written, files in all, the path just written relative to DIR)."""

_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


class ScheduleBreaksRules(MatchdayError):
    """A schedule given to export breaks hard rules, so no document was written: bad input, unlike
    the gate's `InvalidScheduleError`, which is a bug of the solver. `violations` says which rules."""

    def __init__(self, violations: list[Violation]):
        self.violations = violations
        n = len(violations)
        super().__init__(
            f"the schedule breaks {n} hard rule{'s' if n != 1 else ''}; no document was written:\n"
            + "\n".join(f"  {v}" for v in violations)
        )


@dataclass(frozen=True)
class ExportedFiles:
    folder: Path
    files: tuple[Path, ...]  # relative to `folder`, in the order written


def participant_file_stem(pid: ParticipantId) -> str:
    """The id itself when it is a safe file name (P0042, anna.berg); otherwise its slug plus a short
    digest, so that two ids never share a file and no id can climb out of agendas/."""
    if _SAFE_ID.fullmatch(pid) and not set(pid) <= {"."}:
        return pid
    return f"{slug(pid, 'participant')}-{hashlib.sha256(pid.encode()).hexdigest()[:8]}"


def export_event(
    event: Event,
    schedule: Schedule,
    out_dir: str | os.PathLike[str],
    *,
    schedule_version: int | None = None,
    calendar_id: str | None = None,
    history_before: dt.datetime | None = None,
    progress: ExportProgress | None = None,
) -> ExportedFiles:
    """Write every document of `schedule` into `out_dir` (made if missing).

    Args:
        schedule_version: printed in the documents' footers when known.
        calendar_id: names the event in the calendar entries' UIDs, so that importing the files of
            a later schedule updates the same entries; the event's name by default.
        history_before: meetings before this local time are history (a re-solve's cut-off) and are
            judged as such by the check.
        progress: called after each file written.

    Raises:
        ScheduleBreaksRules: the schedule breaks a hard rule (nothing is written).
        OutputError: a folder or file cannot be written.
    """
    violations = check_schedule(event, schedule, history_before=history_before)
    if violations:
        raise ScheduleBreaksRules(violations)
    folder = Path(out_dir)
    agendas = build_agendas(event, schedule, schedule_version=schedule_version)
    total = 2 * len(agendas) + 3
    written: list[Path] = []

    def write(relative: str, data: bytes) -> None:
        write_atomically(folder / relative, data)
        written.append(Path(relative))
        if progress is not None:
            progress(len(written), total, relative)

    _make_folder(folder / "agendas")
    versions = [ScheduleVersion(schedule_version or 1, dt.datetime.now(dt.UTC), schedule)]
    uid_scope = calendar_id or event.name
    for agenda in agendas:
        stem = participant_file_stem(agenda.person.id)
        write(f"agendas/{stem}.pdf", agenda_pdf(agenda))
        write(f"agendas/{stem}.ics", agenda_ics(event, uid_scope, agenda.person.id, versions))
    write("agendas.pdf", agendas_pdf(event.name, agendas, schedule_version))
    write("plan.pdf", plan_pdf(build_plan(event, schedule, schedule_version)))
    write("table-signs.pdf", table_signs_pdf(event.name, build_table_signs(event, schedule)))
    return ExportedFiles(folder, tuple(written))


def _make_folder(path: Path) -> None:
    for p in (path, *path.parents):
        if p.exists() and not p.is_dir():
            raise OutputError(f"{p}: is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{path}: exists and is not a folder") from None
    except OSError as exc:
        raise OutputError(f"{path}: cannot be made ({exc.strerror or exc})") from None
