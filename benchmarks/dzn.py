"""Import the published B2B benchmark (Bofill et al., JAIR 74, 2022) from its MiniZinc .dzn data.

The files are read where they lie (they carry no licence and are never copied into the project).
`load_dzn` parses the small subset of MiniZinc data they use into a typed `DznInstance` that keeps
the raw fields; `dzn_to_event` turns one into an `Event` in "all" mode so that matchday's optimiser
and checker can be compared with the published optimal numbers of breaks.

How breaks are counted, and hence how the two sessions are mapped
-----------------------------------------------------------------
The published objective counts breaks over the WHOLE day, not per session. Evidence, all in the
OCR'd JAIR text stored in github.com/vudangducminh/B2B-Meeting-Scheduling-Problem, file
`orca_share_media1775724962958_7447930315038374251.tex`:

* Definition 2.3: H_S(p) counts the i with time(S, L_S(p)[i]) + 1 != time(S, L_S(p)[i+1]), over
  slots "consecutively numbered, starting at one", with T = T_AM ⊎ T_PM (slots 1..nMorningSlots
  are the morning). So meetings in the last morning slot and the first afternoon slot are
  consecutive (no break), and an idle run that spans the lunch boundary is ONE break.
* The three models agree: the CP model applies cost_regular to the participant's whole sequence
  <s_p*> over T (constraint 9); MaxSAT defines endHole_{p,j} for every j in T \\ {|T|} with no
  session exception (constraint 35); the MIP links h_pt for every t <= |T| - 1 (constraint 57).
  Sessions appear only as the meeting-to-session restriction (constraints 11-12, 22-25, 51-52).
* The same repository's `maxsat.py` (a re-implementation) counts h[p][t] for t in 1..T-1 likewise.

matchday counts holes per day as maximal runs of empty slots between two meetings, and a break
between slots is not a hole by itself (formats.md). So ONE event day with the morning slots, a
lunch break, then the afternoon slots gives exactly the published count: slots A and A+1 stay
neighbours in the day's slot list, and the break (a multiple of the slot length) creates no slot.
Two days, one per session, would under-count whenever an idle run spans lunch.

Other modelling notes
---------------------
* Every meeting must take place ("all" mode); fairness d = 2 becomes max_hole_spread = 2 and the
  per-person cap max_holes = 2. The papers' fairness (constraint 18) ranges over all participants,
  and every one of the 20 originals has someone with at most one meeting (0 breaks), so d = 2 is
  exactly "at most 2 breaks each"; matchday's spread need not count meeting-less people.
* Locations only cap meetings per slot in the papers; here they are nTables shared tables "1".."L".
* forum-13crafb and ticf-13crafb list one pair twice. A pair meets at most once in matchday, so the
  first meeting becomes the wish and the repeat is recorded in `DznInstance.duplicate_pairs`
  (meetings 55 = (30, 53, AM) and 112 = (53, 30, AM)). The papers schedule both, so the published
  optima of those two instances are not directly comparable.
* `meetingsxBusiness` stores meeting ids + 1 plus a dummy 1, `forbidden` a dummy 0 (README of the
  data folder); both are checked against `requested` on loading, so a parse slip cannot pass.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeAlias

from scheduler.domain import Event, Meeting, Participant, Schedule, Wish
from scheduler.io.timegrid import build_grid

DznValue: TypeAlias = int | frozenset[int] | list["DznValue"]

SLOT_MINUTES = 20
DAY_START = dt.time(9, 0)
LUNCH_MINUTES = 60  # a multiple of SLOT_MINUTES, so the afternoon stays on the day's grid

_TOKEN = re.compile(r"\s*(\[\||\|\]|\.\.|-?\d+|[A-Za-z_]\w*|[\[\]{}|,=]|\S)")


class DznError(ValueError):
    """A .dzn file outside the supported subset, or inconsistent with itself."""


# --- the tiny parser ------------------------------------------------------------------------


def parse_dzn(text: str) -> dict[str, DznValue]:
    """Parse `name = value;` items; values are ints, int sets, 1-D arrays and 2-D `[| .. |]`."""
    text = "\n".join(line.split("%", 1)[0] for line in text.splitlines())
    out: dict[str, DznValue] = {}
    for statement in text.split(";"):
        if not statement.strip():
            continue
        name, eq, rest = statement.partition("=")
        name = name.strip()
        if not eq or not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise DznError(f"expected 'name = value;', got {statement.strip()[:60]!r}")
        tokens = _TOKEN.findall(rest)
        try:
            value, pos = _value(tokens, 0)
        except IndexError:
            raise DznError(f"{name}: the value is not closed") from None
        if pos != len(tokens):
            raise DznError(f"{name}: unexpected {tokens[pos]!r} after the value")
        out[name] = value
    return out


def _value(tokens: list[str], pos: int) -> tuple[DznValue, int]:
    if pos >= len(tokens):
        raise DznError("a value is missing")
    tok = tokens[pos]
    if re.fullmatch(r"-?\d+", tok):
        return int(tok), pos + 1
    if tok == "{":
        return _set(tokens, pos + 1)
    if tok == "[|":
        return _rows(tokens, pos + 1)
    if tok == "[":
        items: list[DznValue] = []
        pos += 1
        while tokens[pos] != "]":
            if tokens[pos] == ",":
                pos += 1
                continue
            item, pos = _value(tokens, pos)
            items.append(item)
        return items, pos + 1
    raise DznError(f"unsupported value starting with {tok!r}")


def _set(tokens: list[str], pos: int) -> tuple[frozenset[int], int]:
    items: set[int] = set()
    while tokens[pos] != "}":
        tok = tokens[pos]
        if tok == ",":
            pos += 1
        elif re.fullmatch(r"-?\d+", tok) and tokens[pos + 1] == "..":
            items.update(range(int(tok), int(tokens[pos + 2]) + 1))
            pos += 3
        elif re.fullmatch(r"-?\d+", tok):
            items.add(int(tok))
            pos += 1
        else:
            raise DznError(f"unexpected {tok!r} in a set")
    return frozenset(items), pos + 1


def _rows(tokens: list[str], pos: int) -> tuple[list[DznValue], int]:
    rows: list[DznValue] = []
    row: list[DznValue] = []
    while True:
        tok = tokens[pos]
        if tok in ("|", "|]"):
            if row:
                rows.append(row)
            row = []
            if tok == "|]":
                return rows, pos + 1
        elif re.fullmatch(r"-?\d+", tok):
            row.append(int(tok))
        elif tok != ",":
            raise DznError(f"unexpected {tok!r} in a 2-D array")
        pos += 1


# --- the typed instance ---------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicatePair:
    """A meeting whose pair was already requested earlier (ids are the file's, 1-based)."""

    meeting: int
    first: int
    pair: tuple[int, int]


@dataclass(frozen=True)
class DznInstance:
    """The raw fields of one benchmark file, with 1-based ids exactly as written."""

    name: str
    n_business: int
    n_meetings: int
    n_tables: int
    n_total_slots: int
    n_morning_slots: int
    requested: tuple[tuple[int, int, int], ...]  # (p1, p2, session 1=AM 2=PM 3=either)
    meetings_x_business: tuple[frozenset[int], ...]  # meeting id + 1, plus the dummy 1
    n_meetings_business: tuple[int, ...]
    forbidden: tuple[frozenset[int], ...]  # slots 1..T, plus a dummy 0 in most sets
    fixed: tuple[int, ...]  # per meeting: 0 or the slot it must take
    precedences: tuple[frozenset[int], ...]  # per meeting: meetings (1-based) held earlier
    duplicate_pairs: tuple[DuplicatePair, ...] = field(default=())

    def forbidden_slots(self, business: int) -> frozenset[int]:
        """Real forbidden slots of a 1-based business (the dummy 0 dropped)."""
        return self.forbidden[business - 1] - {0}

    @property
    def forbidden_cells(self) -> int:
        return sum(len(self.forbidden_slots(b)) for b in range(1, self.n_business + 1))


def load_dzn(path: str | Path) -> DznInstance:
    """Read and cross-check one benchmark .dzn file. Raises DznError when it does not fit."""
    path = Path(path)
    raw = parse_dzn(path.read_text(encoding="utf-8"))
    name = path.name.removesuffix(".dzn")
    ints = {k: _int(raw, k) for k in ("nBusiness", "nMeetings", "nTables", "nTotalSlots", "nMorningSlots")}
    n_b, n_m, n_t = ints["nBusiness"], ints["nMeetings"], ints["nTotalSlots"]
    requested = tuple(_triple(r) for r in _list(raw, "requested", n_m))
    by_business = tuple(_aset(v, "meetingsxBusiness") for v in _list(raw, "meetingsxBusiness", n_b))
    counts = tuple(_aint(v, "nMeetingsBusiness") for v in _list(raw, "nMeetingsBusiness", n_b))
    forbidden = tuple(_aset(v, "forbidden") for v in _list(raw, "forbidden", n_b))
    fixed = tuple(_aint(v, "fixed") for v in _list(raw, "fixed", n_m)) if "fixed" in raw else (0,) * n_m
    precedences = (
        tuple(_aset(v, "precedences") for v in _list(raw, "precedences", n_m))
        if "precedences" in raw
        else (frozenset(),) * n_m
    )
    inst = DznInstance(
        name,
        n_b,
        n_m,
        ints["nTables"],
        n_t,
        ints["nMorningSlots"],
        requested,
        by_business,
        counts,
        forbidden,
        fixed,
        precedences,
    )
    _check(inst)
    seen: dict[frozenset[int], int] = {}
    dupes: list[DuplicatePair] = []
    for m, (p1, p2, _) in enumerate(requested, start=1):
        key = frozenset((p1, p2))
        if key in seen:
            dupes.append(DuplicatePair(meeting=m, first=seen[key], pair=(p1, p2)))
        else:
            seen[key] = m
    return replace(inst, duplicate_pairs=tuple(dupes))


def _check(inst: DznInstance) -> None:
    """Catch parse slips: the redundant fields must agree with `requested`."""
    if not 0 < inst.n_morning_slots <= inst.n_total_slots:
        raise DznError(f"{inst.name}: nMorningSlots must lie in 1..nTotalSlots")
    mine: list[set[int]] = [set() for _ in range(inst.n_business)]
    for m, (p1, p2, s) in enumerate(inst.requested, start=1):
        if not (1 <= p1 <= inst.n_business and 1 <= p2 <= inst.n_business) or p1 == p2 or s not in (1, 2, 3):
            raise DznError(f"{inst.name}: meeting {m} = {(p1, p2, s)} is not two businesses and a session")
        mine[p1 - 1].add(m)
        mine[p2 - 1].add(m)
    for b, ms in enumerate(mine):
        if inst.meetings_x_business[b] != {1} | {m + 1 for m in ms} or inst.n_meetings_business[b] != len(ms):
            raise DznError(f"{inst.name}: business {b + 1}'s meeting list disagrees with requested")
        if not inst.forbidden[b] - {0} <= set(range(1, inst.n_total_slots + 1)):
            raise DznError(f"{inst.name}: business {b + 1} forbids a slot outside 1..nTotalSlots")
    for m in range(inst.n_meetings):
        if not 0 <= inst.fixed[m] <= inst.n_total_slots:
            raise DznError(f"{inst.name}: meeting {m + 1} is fixed to an unknown slot")
        if not inst.precedences[m] <= set(range(1, inst.n_meetings + 1)):
            raise DznError(f"{inst.name}: meeting {m + 1} has an unknown predecessor")


def _int(raw: dict[str, DznValue], key: str) -> int:
    if key not in raw:
        raise DznError(f"'{key}' is missing")
    return _aint(raw[key], key)


def _aint(value: DznValue, key: str) -> int:
    if not isinstance(value, int):
        raise DznError(f"'{key}' must hold integers")
    return value


def _aset(value: DznValue, key: str) -> frozenset[int]:
    if not isinstance(value, frozenset):
        raise DznError(f"'{key}' must be an array of sets")
    return value


def _list(raw: dict[str, DznValue], key: str, length: int) -> list[DznValue]:
    value = raw.get(key)
    if not isinstance(value, list) or len(value) != length:
        size = len(value) if isinstance(value, list) else "no"
        raise DznError(f"'{key}' must be an array of {length} items, found {size}")
    return value


def _triple(row: DznValue) -> tuple[int, int, int]:
    if not isinstance(row, list) or len(row) != 3 or not all(isinstance(x, int) for x in row):
        raise DznError("'requested' rows must be 'p1, p2, session'")
    a, b, c = (_aint(x, "requested") for x in row)
    return a, b, c


# --- to a matchday Event --------------------------------------------------------------------


def dzn_to_event(inst: DznInstance, name: str | None = None, date: dt.date = dt.date(2022, 6, 1)) -> Event:
    """One day: slots 1..A in the morning, a lunch break, then A+1..T (see the module docstring)."""
    am, total = inst.n_morning_slots, inst.n_total_slots

    def at(minutes: int) -> dt.time:
        return dt.time(minutes // 60, minutes % 60)

    start = DAY_START.hour * 60 + DAY_START.minute
    lunch0 = start + am * SLOT_MINUTES
    breaks = [(at(lunch0), at(lunch0 + LUNCH_MINUTES))] if am < total else []
    end = lunch0 + (LUNCH_MINUTES if am < total else 0) + (total - am) * SLOT_MINUTES
    days, slots = build_grid([(date, at(start), at(end), breaks)], SLOT_MINUTES)
    assert len(slots) == total, "the grid must hold exactly nTotalSlots slots"
    width = max(2, len(str(inst.n_business)))

    def pid(b: int) -> str:
        return f"b{b:0{width}d}"

    everything = frozenset(range(total))
    participants = {
        pid(b): Participant(
            id=pid(b), name=f"Business {b}", available=everything - {t - 1 for t in inst.forbidden_slots(b)}
        )
        for b in range(1, inst.n_business + 1)
    }
    windows = {1: frozenset(range(am)), 2: frozenset(range(am, total)), 3: None}
    repeats = {d.meeting for d in inst.duplicate_pairs}
    wishes = tuple(
        Wish(requester=pid(p1), target=pid(p2), priority=2, window=windows[s])
        for m, (p1, p2, s) in enumerate(inst.requested, start=1)
        if m not in repeats
    )
    return Event(
        name=name or inst.name,
        timezone="Europe/Madrid",
        slot_minutes=SLOT_MINUTES,
        table_labels=tuple(str(i) for i in range(1, inst.n_tables + 1)),
        days=days,
        slots=slots,
        participants=participants,
        wishes=wishes,
        objective="all",
        max_holes=2,
        max_hole_spread=2,
    )


def fixed_rows(inst: DznInstance, event: Event) -> Schedule:
    """The file's fixed meetings (`fixed[m] > 0`) as locked rows of a previous schedule: what
    formats.md offers for "this meeting must stay in this slot". Tables are labelled 1, 2, … in
    each slot in file order (shared tables are interchangeable, so any labelling will do).

    Raises:
        DznError: more fixed meetings in one slot than tables (the file would be infeasible as
            written; the papers' instances never do this).
    """
    width = max(2, len(str(inst.n_business)))
    repeats = {d.meeting for d in inst.duplicate_pairs}
    used: dict[int, int] = {}
    rows = []
    for m, ((p1, p2, _s), slot) in enumerate(zip(inst.requested, inst.fixed, strict=True), start=1):
        if slot == 0 or m in repeats:
            continue
        used[slot] = used.get(slot, 0) + 1
        if used[slot] > inst.n_tables:
            raise DznError(f"{inst.name}: more fixed meetings in slot {slot} than the {inst.n_tables} tables")
        rows.append(
            Meeting(
                slot=slot - 1,
                table=event.table_labels[used[slot] - 1],
                a=f"b{p1:0{width}d}",
                b=f"b{p2:0{width}d}",
                locked=True,
            )
        )
    return Schedule.of(rows)
