"""Load and validate an event: event.toml, participants and wishes into a typed `Event`.

The entry points are `load_event_dir` (a folder) and `load_event_bytes` (the files' contents, as
uploaded to the API). The pieces live beside this module: `event_file` reads event.toml, `codec`
turns a table file's bytes into rows (CSV in any accepted encoding and delimiter, or an Excel or
OpenDocument workbook), `columns` names the columns and reads their cells; here the rows become
participants and wishes.

Every problem is collected before anything is raised, so an organiser fixes a file in one go:
a broken event.toml does not stop the tables from being checked for everything that can be
checked without the event (ids, names, caps, statuses, priorities, window syntax, ...), and a
missing file does not stop the others from being checked. Bad input never raises anything but
`EventError`.

Rows are numbered as a spreadsheet shows them (the header is row 1; blank lines count, a quoted
value spanning several lines is one row). A problem in a workbook names the file and sheet, and
its column by letter and name, e.g. `participants.xlsx, sheet 'People'`, row 7, column
`E (max_meetings)`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scheduler.domain import Event, Participant, ParticipantId, SlotIndex, Wish, host_ids
from scheduler.i18n.languages import parse_language, supported_list
from scheduler.io.codec import file_label, read_table
from scheduler.io.columns import (
    PARTICIPANT_COLUMNS,
    PRIORITY_WORDS,
    STATUS_ALIASES,
    STATUSES,
    WISH_COLUMNS,
    WISH_STATUSES,
    Column,
    column_letter,
    header_names,
    normalise_header,
    priority_of,
    whole_number,
)
from scheduler.io.event_file import EVENT_FILE, Grid, grid_of, read_settings
from scheduler.io.limits import TOO_LARGE, UNLIMITED, Limits
from scheduler.io.timegrid import WindowError, parse_windows, split_windows
from scheduler.problems import EventError, Problem, Problems

# Names other modules have imported from here since before the split.
__all__ = [
    "EVENT_FILE",
    "PARTICIPANTS_FILE",
    "PARTICIPANT_COLUMNS",
    "PRIORITY_WORDS",
    "TABLE_EXTENSIONS",
    "WISHES_FILE",
    "WISH_COLUMNS",
    "Column",
    "LoadedEvent",
    "load_event_bytes",
    "load_event_dir",
    "normalise_header",
    "whole_number",
]

PARTICIPANTS_FILE, WISHES_FILE = "participants.csv", "wishes.csv"
# What an event folder's participants and wishes may be saved as, besides .csv.
TABLE_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xls", ".ods")


@dataclass(frozen=True)
class LoadedEvent:
    event: Event
    warnings: list[Problem]


def load_event_dir(path: str | Path, limits: Limits = UNLIMITED) -> LoadedEvent:
    """Load an event folder: event.toml, and participants and wishes as .csv (or .tsv, .txt), .xlsx,
    .xls or .ods. Raises EventError listing every problem found, sizes beyond `limits` among them."""
    folder = Path(path)
    problems = Problems()
    if not folder.is_dir():
        problems.error(
            "missing_folder", f"'{folder}' is not a folder with {EVENT_FILE}, {PARTICIPANTS_FILE} and {WISHES_FILE}"
        )
        problems.raise_if_errors()
    files: dict[str, bytes | None] = {EVENT_FILE: _read_file(folder / EVENT_FILE, EVENT_FILE, problems)}
    names: dict[str, str] = {}
    for logical in (PARTICIPANTS_FILE, WISHES_FILE):
        found = _find_table(folder, logical, problems)
        files[logical] = None if found is None else _read_file(found, logical, problems)
        if found is not None:
            names[logical] = found.name
    return _load(files, folder.absolute().name or "B2B day", problems, names, limits)


def load_event_bytes(
    event_toml: bytes,
    participants_csv: bytes,
    wishes_csv: bytes,
    default_name: str = "B2B day",
    limits: Limits = UNLIMITED,
) -> LoadedEvent:
    """Load an event from the raw contents of its three files (as uploaded to the API); the
    participants and wishes may be CSV or workbooks, told apart by their bytes. A service passes
    its `limits`: sizes beyond them are errors, found before the event is built."""
    files = {EVENT_FILE: event_toml, PARTICIPANTS_FILE: participants_csv, WISHES_FILE: wishes_csv}
    return _load(files, default_name, Problems(), {}, limits)


def _find_table(folder: Path, logical: str, problems: Problems) -> Path | None:
    """The one file of `folder` holding a table (participants.csv, participants.xlsx, ...)."""
    stem = Path(logical).stem
    found = [folder / f"{stem}{ext}" for ext in TABLE_EXTENSIONS if (folder / f"{stem}{ext}").is_file()]
    if not found:
        problems.error(
            "missing_file",
            f"the file is missing from '{folder}' (saved as {stem}.csv, {stem}.xlsx or {stem}.ods)",
            file=logical,
        )
        return None
    if len(found) > 1:
        problems.error(
            "ambiguous_file",
            f"{' and '.join(p.name for p in found)} are both in '{folder}'; keep only the one to use",
            file=logical,
        )
        return None
    return found[0]


def _read_file(path: Path, logical: str, problems: Problems) -> bytes | None:
    if not path.is_file():
        problems.error("missing_file", f"the file is missing from '{path.parent}'", file=logical)
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        problems.error("unreadable_file", f"the file cannot be read: {exc.strerror or exc}", file=logical)
        return None


def _load(
    files: Mapping[str, bytes | None],
    default_name: str,
    problems: Problems,
    names: Mapping[str, str],
    limits: Limits = UNLIMITED,
) -> LoadedEvent:
    """Check every file that is there (None: missing), then build the event if nothing is wrong."""
    event_toml = files[EVENT_FILE]
    settings = None if event_toml is None else read_settings(event_toml, problems, default_name, limits)
    people_table = _read_table(
        files[PARTICIPANTS_FILE], PARTICIPANTS_FILE, PARTICIPANT_COLUMNS, problems, limits, limits.max_participants
    )
    wish_table = _read_table(
        files[WISHES_FILE], WISHES_FILE, WISH_COLUMNS, problems, limits, limits.max_wishes, allow_no_rows=True
    )
    # Over a limit nothing is built: the sizes are errors already, and the grid and rows wait.
    grid = None if _over_limits(problems) else grid_of(settings)
    labels = settings.table_labels if settings else None
    people = _participants(people_table, grid, labels, problems)
    wishes = _wishes(wish_table, people.rows if people_table is not None else None, grid, problems)
    places = {
        logical: _Place.of(table, files[logical], logical, names.get(logical))
        for logical, table in ((PARTICIPANTS_FILE, people_table), (WISHES_FILE, wish_table))
    }
    if problems.has_errors:
        raise EventError(_in_place(problems.items, places))
    if settings is None or grid is None:  # an unusable event.toml has always recorded an error
        raise AssertionError("event.toml gave no usable settings, yet no error was recorded")
    event = Event(
        days=grid.days, slots=grid.slots, participants=people.participants, wishes=tuple(wishes), **settings.fields
    )
    _warn_unmeetable(event, people.rows, problems)
    _warn_no_hosts(event, problems)
    return LoadedEvent(event=event, warnings=[p for p in _in_place(problems.items, places) if p.severity == "warning"])


@dataclass(frozen=True)
class _Place:
    """How the problems of one table file are named: its file (and sheet), and for a workbook
    its known columns by letter."""

    label: str
    letters: Mapping[str, str]

    @classmethod
    def of(cls, table: _Table | None, data: bytes | None, logical: str, name: str | None) -> _Place:
        if table is not None:
            label = table.label if table.sheet is not None else name or table.label
            return cls(label, table.letters if table.sheet is not None else {})
        return cls(file_label(data, logical) if data is not None else name or logical, {})


def _in_place(items: Sequence[Problem], places: Mapping[str, _Place]) -> list[Problem]:
    """The problems file by file, row by row (a stable sort: same-row problems keep the order
    they were found), each table's named as the organiser knows the file."""
    order = {EVENT_FILE: 0, PARTICIPANTS_FILE: 1, WISHES_FILE: 2}
    out = []
    for p in sorted(items, key=lambda p: (order.get(p.file or "", -1), p.row or 0)):
        place = places.get(p.file or "")
        if place is not None:
            column = p.column
            if column is not None and column in place.letters:
                column = f"{place.letters[column]} ({column})"
            p = dataclasses.replace(p, file=place.label, column=column)
        out.append(p)
    return out


# --- tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    """One data row: its spreadsheet row number and its cells, stripped, by canonical column."""

    row: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class _Table:
    records: list[_Record]
    extra_columns: list[str]  # columns not in the contract, in file order; kept in Participant.extra
    label: str  # the file (and sheet) problems name
    sheet: str | None  # the sheet read, for a workbook
    letters: dict[str, str]  # known column → its letter in the header


def _over_limits(problems: Problems) -> bool:
    return any(p.code == TOO_LARGE for p in problems.items)


def _read_table(
    data: bytes | None,
    file: str,
    columns: tuple[Column, ...],
    problems: Problems,
    limits: Limits,
    max_rows: int | None,
    allow_no_rows: bool = False,
) -> _Table | None:
    """Read a table file; None when it cannot be used at all, or holds more than `max_rows` data rows."""
    if data is None:
        return None
    # Reading stops one row past the limit (the header, the rows allowed, one more to tell).
    source = read_table(data, file, problems, None if max_rows is None else max_rows + 2)
    if source is None:
        return None
    rows = [(n, cells) for n, cells in enumerate(source.rows, start=1) if any(c.strip() for c in cells)]
    if not rows:
        problems.error("empty_file", "the file is empty; it needs a header row and data rows", file=file)
        return None
    if max_rows is not None and len(rows) - 1 > max_rows:
        what = "participants" if file == PARTICIPANTS_FILE else "wishes"
        problems.error(
            TOO_LARGE,
            f"the file has more than {max_rows:,} data rows; at most {max_rows:,} {what} are accepted",
            file,
            rows[-1][0],
        )
        return None
    header_row, header = rows[0]
    names = _header_names(header, header_row, file, columns, problems)
    if names is None:
        return None
    if limits.max_cell_chars is not None and not _cells_within(rows, names, file, limits.max_cell_chars, problems):
        return None
    records: list[_Record] = []
    for n, cells in rows[1:]:
        surplus = [i for i in range(len(header), len(cells)) if cells[i].strip()]
        if surplus:
            problems.error(
                "extra_values",
                f"the row has values up to column {column_letter(surplus[-1])} "
                f"but the header has only {len(header)} columns (is a value with a comma or ';' "
                "missing its quotes?)",
                file,
                n,
                column_letter(surplus[0]),
            )
        values = {name: cells[i].strip() for i, name in enumerate(names) if name and i < len(cells)}
        for i, name in enumerate(names):
            if not name and i < len(cells) and cells[i].strip():
                problems.warn(
                    "unnamed_column",
                    "this value is in a column without a header and is ignored",
                    file,
                    n,
                    column_letter(i),
                )
        records.append(_Record(n, values))
    if not records:
        if allow_no_rows:
            problems.warn("no_rows", "the file has a header but no data rows", file=file)
        else:
            problems.error("empty_file", "the file has a header but no data rows", file=file)
            return None
    canonical = {c.name for c in columns}
    letters = {name: column_letter(i) for i, name in enumerate(names) if name in canonical}
    extra = [n for n in names if n and n not in canonical]
    return _Table(records, extra, source.label, source.sheet, letters)


def _cells_within(
    rows: list[tuple[int, list[str]]], names: list[str], file: str, limit: int, problems: Problems
) -> bool:
    """Whether every cell holds at most `limit` characters; the first few that do not are errors,
    each named by its column (`names`: the header's column names, "" for a column not known)."""
    found = 0
    for n, cells in rows:
        for i, cell in enumerate(cells):
            if len(cell) > limit:
                problems.error(
                    TOO_LARGE,
                    f"this value has {len(cell):,} characters; at most {limit:,} are accepted in a cell",
                    file,
                    n,
                    names[i] if i < len(names) and names[i] else column_letter(i),
                )
                found += 1
                if found >= 10:  # enough to see the pattern; the rest are not read
                    return False
    return not found


def _header_names(
    header: list[str], row: int, file: str, columns: tuple[Column, ...], problems: Problems
) -> list[str] | None:
    """The column name of each header cell (`columns.header_names`); None when a required column
    is missing or a name is repeated."""
    names = header_names(header, columns)
    ok = True
    for i, name in enumerate(names):
        if name and name in names[:i]:
            problems.error(
                "duplicate_column",
                f"the column '{name}' appears twice in the header (as "
                f"'{header[names.index(name)].strip()}' and '{header[i].strip()}')",
                file,
                row,
                name,
            )
            ok = False
    for c in columns:
        if c.required and c.name not in names:
            found = ", ".join(f"'{n}'" for n in header if n.strip())
            problems.error(
                "missing_column",
                f"the required column '{c.name}' is missing (found: {found}; "
                f"also accepted: {', '.join(c.aliases) or 'no other name'})",
                file,
                row,
                c.name,
            )
            ok = False
    return names if ok else None


def _check_windows(text: str, grid: Grid | None) -> frozenset[SlotIndex] | None:
    """The slots of `text` (None: empty, no restriction); without a grid only the syntax is checked."""
    if grid is None:
        split_windows(text)
        return None
    return parse_windows(text, grid.days, grid.slots)


@dataclass(frozen=True)
class _People:
    participants: dict[ParticipantId, Participant] = field(default_factory=dict)  # valid rows, in file order
    rows: dict[ParticipantId, int] = field(default_factory=dict)  # every id given, with its first row


def _participants(
    table: _Table | None, grid: Grid | None, shared_labels: tuple[str, ...] | None, problems: Problems
) -> _People:
    people = _People()
    if table is None:
        return people
    f = PARTICIPANTS_FILE
    all_slots = frozenset(range(len(grid.slots))) if grid else frozenset()
    for rec in table.records:
        row, pid = rec.row, rec["id"]
        ok = True
        if not pid:
            problems.error("empty_id", "the id is empty; every participant needs a unique id", f, row, "id")
            ok = False
        elif pid in people.rows:
            problems.error("duplicate_id", f"the id '{pid}' is already used on row {people.rows[pid]}", f, row, "id")
            ok = False
        else:
            people.rows[pid] = row
        if not rec["name"]:
            problems.error("empty_name", "the name is empty; it is shown on agendas", f, row, "name")
        available = all_slots
        try:
            windows = _check_windows(rec["available"], grid)
            if windows is not None:
                available = windows
        except WindowError as exc:
            problems.error("bad_window", str(exc), f, row, "available")
        cap: int | None = None
        if rec["max_meetings"]:
            cap = whole_number(rec["max_meetings"])
            if cap is None:
                problems.error(
                    "bad_number",
                    f"max_meetings must be a whole number of 0 or more (or empty "
                    f"for no cap), not '{rec['max_meetings']}'",
                    f,
                    row,
                    "max_meetings",
                )
        status = rec["status"].lower()
        status = STATUS_ALIASES.get(status, status)
        if status not in STATUSES:
            problems.error(
                "bad_status",
                f"status must be empty, registered, cancelled or absent, not '{rec['status']}'",
                f,
                row,
                "status",
            )
        table_label = rec["table"] or None
        if table_label is not None and shared_labels is not None and table_label in shared_labels:
            problems.error(
                "table_clash",
                f"the fixed table '{table_label}' has the label of a shared table; give the booth its own label",
                f,
                row,
                "table",
            )
        language = _language(rec, problems)
        if not ok:
            continue
        person = Participant(
            id=pid,
            name=rec["name"],
            available=available,
            organisation=rec["organisation"],
            email=rec["email"],
            role=rec["role"],
            country=rec["country"],
            max_meetings=cap,
            status=status or "registered",
            table=table_label,
            extra={c: rec[c] for c in table.extra_columns if rec[c]},
            language=language,
        )
        people.participants[pid] = person
        if grid is not None and not available and person.active:
            problems.warn(
                "no_availability",
                f"{rec['name'] or pid} is available in no slot of the event and will get no meeting",
                f,
                row,
                "available",
            )
    return people


def _language(rec: _Record, problems: Problems) -> str | None:
    """A person's agenda language; None (the event's) when empty or unknown, an unknown one warned
    about: a wrong language is no reason to refuse the event."""
    text = rec["language"]
    if not text:
        return None
    code = parse_language(text)
    if code is None:
        problems.warn(
            "unknown_language",
            f"'{text}' is not a language agendas can be written in (supported: {supported_list()}, "
            "as an ISO 639-1 code such as fr or fr-FR); this person gets the event's language",
            PARTICIPANTS_FILE,
            rec.row,
            "language",
        )
    return code


def _wishes(
    table: _Table | None, known: Mapping[ParticipantId, int] | None, grid: Grid | None, problems: Problems
) -> list[Wish]:
    """The first wish of each (requester, target); `known` is None when the ids cannot be checked."""
    if table is None:
        return []
    f = WISHES_FILE
    seen: dict[tuple[str, str], int] = {}
    out: list[Wish] = []
    for rec in table.records:
        row = rec.row
        ok = True
        for col in ("requester", "target"):
            pid = rec[col]
            if not pid:
                problems.error(
                    "empty_id", f"the {col} is empty; it must be an id from {PARTICIPANTS_FILE}", f, row, col
                )
                ok = False
            elif known is not None and pid not in known:
                problems.error(
                    "unknown_participant",
                    f"'{pid}' is not an id in {PARTICIPANTS_FILE}" + _did_you_mean(pid, known),
                    f,
                    row,
                    col,
                )
                ok = False
        if ok and rec["requester"] == rec["target"]:
            problems.error("self_wish", f"'{rec['requester']}' asks to meet themselves", f, row, "target")
            ok = False
        priority = priority_of(rec["priority"]) or 0
        if not priority:
            problems.error(
                "bad_priority",
                f"priority must be 1 (high), 2 (normal) or 3 (low), not '{rec['priority']}'",
                f,
                row,
                "priority",
            )
            ok = False
        window = None
        try:
            window = _check_windows(rec["window"], grid)
        except WindowError as exc:
            problems.error("bad_window", str(exc), f, row, "window")
            ok = False
        wish_status = rec["status"].strip().lower()
        if wish_status not in WISH_STATUSES:
            problems.error(
                "bad_status",
                f"a wish's status must be empty, requested or declined, not '{rec['status']}'",
                f,
                row,
                "status",
            )
            ok = False
        if not ok:
            continue
        key = (rec["requester"], rec["target"])
        if key in seen:
            problems.warn(
                "duplicate_wish",
                f"'{key[0]}' already asked to meet '{key[1]}' on row {seen[key]}; only that first row counts",
                f,
                row,
                "target",
            )
            continue
        seen[key] = row
        if window is not None and not window:
            problems.warn(
                "empty_window",
                f"the window '{rec['window']}' holds no whole slot, so this meeting can never take place",
                f,
                row,
                "window",
            )
        out.append(
            Wish(requester=key[0], target=key[1], priority=priority, window=window, declined=wish_status == "declined")
        )
    return out


def _did_you_mean(pid: str, known: Mapping[ParticipantId, int]) -> str:
    near = [k for k in known if k.casefold() == pid.casefold()]
    return f" (did you mean '{near[0]}'? ids are case-sensitive)" if near else ""


def _warn_no_hosts(event: Event, problems: Problems) -> None:
    """Warn when the `hosts` setting names nobody (most likely a misspelt value or column)."""
    if event.hosts is None or host_ids(event):
        return
    rule = event.hosts
    problems.warn(
        "no_hosts",
        f"hosts: no active participant has {rule.column} = '{rule.value}'; nobody is kept at one table",
        EVENT_FILE,
        None,
        "hosts",
    )


def _warn_unmeetable(event: Event, rows: Mapping[ParticipantId, int], problems: Problems) -> None:
    """Warn about active people who appear in wishes yet can meet none of their partners."""
    from scheduler.candidates import candidate_pairs  # local: candidates depends on the domain only

    involved = {p for w in event.wishes for p in (w.requester, w.target)}
    meetable = {p for pair in candidate_pairs(event) for p in pair.people}
    for pid in sorted(involved - meetable, key=lambda p: rows.get(p, 0)):
        person = event.participants[pid]
        if person.active:
            problems.warn(
                "unmeetable",
                f"{person.name} ({pid}) cannot meet anyone they asked for or "
                "who asked for them: no common free slot, or only colleagues",
                PARTICIPANTS_FILE,
                rows.get(pid),
                "id",
            )
