"""`python -m scheduler standby EVENT_DIR schedule.csv --absent ID --at 2027-03-10T11:00`.

The command's own module, so that `cli` stays a list of commands: its arguments (`add_parser`),
and its output, a readable table per freed meeting or the same as JSON (`--json`). The answers
are the library's (`scheduler.standby`); nothing is written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scheduler.domain import Event
from scheduler.problems import EventError
from scheduler.standby import TOP, FreedMeeting, StandbyError, standby


def add_parser(
    sub: Any, epilog: str, paragraph: Callable[[str], str], local_datetime: Callable[[str], dt.datetime]
) -> None:
    """Register the command on the CLI's subparsers (`sub`), with the CLI's epilog and helpers."""
    parser = sub.add_parser(
        "standby",
        help="who can take a no-show's place: replacement meetings for their partners",
        description=paragraph(
            "A person does not turn up. For each of their meetings still to come at --at (a local "
            "time; a meeting running then counts), list the best replacement meetings for their "
            "partner in that slot: someone free then whom the partner wished to meet or who wished "
            "to meet them, at a free table (the freed one first), ranked by points. Every "
            "suggestion, applied alone, passes the independent checker. Nothing is written."
        ),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("event_dir", metavar="EVENT_DIR", help="the event folder")
    parser.add_argument("schedule", metavar="SCHEDULE_CSV", help="the schedule of the day")
    parser.add_argument("--absent", required=True, metavar="ID", help="the participant id of the person absent")
    parser.add_argument(
        "--at",
        required=True,
        type=local_datetime,
        metavar="YYYY-MM-DDTHH:MM",
        help="the local time they are marked absent",
    )
    parser.add_argument(
        "--top", type=int, default=TOP, metavar="N", help=f"suggestions per freed meeting (default {TOP})"
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, started: float) -> int:
    """Answer the question; exit 0 (even when nothing fits), 2 on bad input."""
    del started  # no time limit: the answer takes well under a second
    from scheduler.cli import EXIT_OK, UserError, _bad_input, _read_bytes
    from scheduler.io.loading import load_event_dir
    from scheduler.io.schedule_files import read_schedule_csv

    notes = sys.stderr if args.json else sys.stdout  # keep stdout pure JSON
    if args.top < 1:
        return _bad_input(UserError(f"--top must be 1 or more, not {args.top}"))
    try:
        loaded = load_event_dir(args.event_dir)
        path = Path(args.schedule)
        schedule, warnings = read_schedule_csv(_read_bytes(path), loaded.event, file=path.name)
        for p in [*loaded.warnings, *warnings]:
            print(p, file=notes)
        freed = standby(loaded.event, schedule, args.absent, args.at, top=args.top)
    except (UserError, EventError, StandbyError) as exc:
        return _bad_input(exc)
    event = loaded.event
    if args.json:
        sys.stdout.write(json.dumps(as_dict(event, args.absent, args.at, freed), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(as_text(event, args.absent, args.at, freed) + "\n")
    return EXIT_OK


def _person(event: Event, pid: str) -> dict[str, str]:
    p = event.participants[pid]
    return {"id": p.id, "name": p.name, "organisation": p.organisation}


def as_dict(event: Event, absent: str, at: dt.datetime, freed: list[FreedMeeting]) -> dict[str, Any]:
    """The answer as JSON-ready data: per freed meeting, its slot, table, partner and suggestions."""
    out = []
    for f in freed:
        slot = event.slots[f.meeting.slot]
        out.append(
            {
                "date": slot.date.isoformat(),
                "slot": slot.number,
                "start": f"{slot.start:%H:%M}",
                "end": f"{slot.end:%H:%M}",
                "table": f.meeting.table,
                "partner": _person(event, f.partner),
                "suggestions": [
                    {
                        "rank": rank,
                        "with": _person(event, s.other),
                        "points": s.points,
                        "mutual": s.mutual,
                        "asked_by": list(s.asked_by),
                        "table": s.meeting.table,
                        "freed_table": s.freed_table,
                        "added_holes": s.added_holes,
                    }
                    for rank, s in enumerate(f.suggestions, 1)
                ],
            }
        )
    return {"absent": _person(event, absent), "at": at.isoformat(timespec="minutes"), "freed": out}


def as_text(event: Event, absent: str, at: dt.datetime, freed: list[FreedMeeting]) -> str:
    """The answer for reading: a heading per freed meeting, then a table of its suggestions."""
    who = event.participants[absent]
    lines = [f"{who.name} ({who.id}) absent from {at:%Y-%m-%d %H:%M}: {len(freed)} meeting(s) still to come"]
    if not freed:
        return "\n".join(lines)
    for f in freed:
        slot = event.slots[f.meeting.slot]
        partner = event.participants[f.partner]
        lines += ["", f"{slot.date} {slot.start:%H:%M}-{slot.end:%H:%M}, table {f.meeting.table}: "]
        lines[-1] += f"{partner.name} ({partner.id}) was to meet them"
        if not f.suggestions:
            lines.append("  no replacement fits: nobody they wished (or who wished them) is free with a table")
            continue
        rows = [("#", "with", "organisation", "points", "wished by", "table")]
        for rank, s in enumerate(f.suggestions, 1):
            other = event.participants[s.other]
            asked = "both" if s.mutual else event.participants[s.asked_by[0]].name
            table = s.meeting.table + ("" if s.freed_table else " (other)")
            rows.append((str(rank), f"{other.name} ({other.id})", other.organisation, str(s.points), asked, table))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for r in rows:
            cells = [c.rjust(w) if i in (0, 3) else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))]
            lines.append("  " + "  ".join(cells).rstrip())
    return "\n".join(lines)
