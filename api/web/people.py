"""People: the list (search by name or organisation, paged for 1,500 people) and one person's view
(their day, holes, wishes met and not met both ways, their links), where the organiser marks them
cancelled or absent (or registered again) through the same change as the API's PATCH."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api import changes
from api.deps import SecretDep, SessionDep, SettingsDep
from api.routes._common import agenda_links, commit
from api.service import active_job, agenda_token, load_event
from api.settings import Settings
from api.storage import EventRow, ParticipantRow
from api.web.deps import CSRF, IdleWebEventDep, WebEventDep
from api.web.pages import PAGE_HEADERS, render
from api.web.unscheduled import reason_label, unmet_wishes
from api.web.version_view import ShownVersion, matches, paged, person_path, shown_version
from scheduler import edits
from scheduler.candidates import pair_key, wished_pairs
from scheduler.domain import Event, Meeting, Participant, ParticipantId
from scheduler.export.agenda import build_agenda
from scheduler.problems import EventError, summarised
from scheduler.report import holes_by_person
from scheduler.unmet import UnmetWish

router = APIRouter(include_in_schema=False)

STATUSES = ("registered", "cancelled", "absent")
SHOW = {
    "": "Everyone",
    "active": "Taking part",
    "inactive": "Cancelled or absent",
    "none": "Taking part, without meetings",
}


# --- the list -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: ParticipantId
    name: str
    organisation: str
    role: str
    country: str
    status: str
    active: bool
    meetings: int
    holes: int
    href: str


def people_rows(event_id: str, shown: ShownVersion) -> list[PersonRow]:
    """Everybody in participants.csv order, with their meetings and holes in the shown version."""
    count: Counter[ParticipantId] = Counter()
    for m in shown.schedule.meetings if shown.schedule else ():
        count[m.a] += 1
        count[m.b] += 1
    holes = holes_by_person(shown.event, shown.schedule) if shown.schedule else {}
    return [
        PersonRow(
            p.id,
            p.name,
            p.organisation,
            p.role,
            p.country,
            p.status or "registered",
            p.active,
            count[p.id],
            holes.get(p.id, 0),
            person_path(event_id, p.id),
        )
        for p in shown.event.participants.values()
    ]


def _shown(person: PersonRow, show: str) -> bool:
    if show == "active":
        return person.active
    if show == "inactive":
        return not person.active
    if show == "none":
        return person.active and person.meetings == 0
    return True


@router.get("/events/{event_id}/people", response_class=HTMLResponse)
def people(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=200),
    show: str = Query("", max_length=20),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    """Everyone, with organisation, role, country, status, meetings and holes; searchable and paged."""
    shown = shown_version(session, row)
    q, show = q.strip(), show if show in SHOW else ""
    everyone = people_rows(row.id, shown)
    found = [p for p in everyone if _shown(p, show) and (not q or matches(q, p.name, p.organisation, p.id))]
    path = f"/events/{row.id}/people"
    pages = paged(len(found), page, path, (("q", q), ("show", show)))
    return render(
        request,
        "people.html",
        event=row,
        section="people",
        shown=shown,
        people=found[pages.first : pages.last],
        total=len(everyone),
        pages=pages,
        q=q,
        show=show,
        show_options=SHOW,
        path=path,
    )


# --- one person ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Other:
    """The other person of a meeting or a wish, as the page names and links them."""

    id: ParticipantId
    name: str
    organisation: str
    href: str
    known: bool  # the event still lists them


def _other(event_id: str, event: Event, pid: ParticipantId) -> Other:
    p = event.participants.get(pid)
    if p is None:
        return Other(pid, pid, "", person_path(event_id, pid), False)
    return Other(pid, p.name, p.organisation, person_path(event_id, pid), True)


@dataclass(frozen=True)
class DayLine:
    """One line of a person's day: a meeting, a hole (free time between two meetings), other free
    time, time they are not available, or a break."""

    kind: str  # "meeting", "hole", "free", "unavailable", "break"
    start: dt.time
    end: dt.time
    slot: int | None
    table: str | None = None
    partner: Other | None = None
    asked: str = ""  # "mutual", "<first name> asked" (the partner or this person), "" (nobody asked)
    priority: str = ""
    locked: bool = False
    away: bool = False  # a hole in time they said they are not available


@dataclass(frozen=True)
class PersonDay:
    date: dt.date
    lines: tuple[DayLine, ...]

    @property
    def meetings(self) -> int:
        return sum(1 for line in self.lines if line.kind == "meeting")

    @property
    def holes(self) -> int:
        """Runs of empty slots between two meetings (as `scheduler.report.holes_in` counts them)."""
        runs, previous = 0, ""
        for line in self.lines:
            if line.kind == "break":
                continue
            if line.kind == "hole" and previous != "hole":
                runs += 1
            previous = line.kind
        return runs


def person_days(event_id: str, event: Event, shown: ShownVersion, pid: ParticipantId) -> list[PersonDay]:
    """The person's every slot, day by day, in the shown version; empty slots between two of their
    meetings on a day are holes, available or not (as `scheduler.report.holes_in` counts them)."""
    if shown.schedule is None:
        return []
    agenda = build_agenda(event, shown.schedule, pid, shown.version)
    asked = wished_pairs(event)
    mine: dict[tuple[int, int], Meeting] = {}
    for m in shown.schedule.for_person(pid):
        s = event.slots[m.slot]
        mine[(s.day, s.number)] = m
    days = []
    for day_index, day in enumerate(agenda.days):
        numbers = [e.slot for e in day.entries if e.kind == "meeting" and e.slot is not None]
        first, last = (min(numbers), max(numbers)) if numbers else (0, 0)
        lines = []
        for e in day.entries:
            if e.kind == "meeting" and e.partner is not None:
                who = asked.get(pair_key(pid, e.partner.id), {})
                meeting = mine.get((day_index, e.slot or 0))
                lines.append(
                    DayLine(
                        "meeting",
                        e.start,
                        e.end,
                        e.slot,
                        e.table,
                        _other(event_id, event, e.partner.id),
                        _asked(event, pid, e.partner.id, who),
                        _priorities(pid, who),
                        meeting.locked if meeting else False,
                    )
                )
            else:
                hole = e.kind != "break" and e.slot is not None and first < e.slot < last
                lines.append(DayLine("hole" if hole else e.kind, e.start, e.end, e.slot, away=e.kind == "unavailable"))
        days.append(PersonDay(day.date, tuple(lines)))
    return days


def _asked(event: Event, pid: ParticipantId, partner: ParticipantId, who: dict[ParticipantId, int]) -> str:
    """Who asked for the meeting, as "mutual" or "Anna asked" (this person or their partner, by
    first name: "they" and "you" would be ambiguous on the organiser's page)."""
    if len(who) == 2:
        return "mutual"
    if not who:
        return ""
    asker = pid if pid in who else partner
    p = event.participants.get(asker)
    name = p.name.split()[0] if p is not None and p.name.strip() else asker
    return f"{name} asked"


def _priorities(pid: ParticipantId, who: dict[ParticipantId, int]) -> str:
    if not who:
        return ""
    if len(who) == 2:
        other = next(p for p in who if p != pid)
        return f"priorities {who[pid]} and {who[other]}"
    return f"priority {next(iter(who.values()))}"


@dataclass(frozen=True)
class WishLine:
    """A wish of or for the person: with whom, its priority, and whether and where they meet."""

    other: Other
    priority: int
    mutual: bool
    declined: bool
    met: str  # when and where they meet ("" when they do not)
    reason: str  # why not, when the library says
    detail: str


def person_wishes(
    event_id: str, event: Event, shown: ShownVersion, pid: ParticipantId, unmet: tuple[UnmetWish, ...]
) -> tuple[list[WishLine], list[WishLine]]:
    """(the wishes this person made, the wishes others made for them), in wishes.csv order."""
    meetings = {pair_key(m.a, m.b): m for m in shown.schedule.meetings} if shown.schedule else {}
    why = {(u.requester, u.target): u for u in unmet if pid in (u.requester, u.target)}
    several_days = len(event.days) > 1
    asked = {(w.requester, w.target) for w in event.wishes if not w.declined}
    made: list[WishLine] = []
    received: list[WishLine] = []
    for w in event.wishes:
        if pid not in (w.requester, w.target):
            continue
        other = w.target if w.requester == pid else w.requester
        m = meetings.get(pair_key(w.requester, w.target))
        u = why.get((w.requester, w.target))
        line = WishLine(
            _other(event_id, event, other),
            w.priority,
            (w.target, w.requester) in asked and not w.declined,
            w.declined,
            _when_where(event, m, several_days) if m else "",
            reason_label(u.reason) if u is not None and u.reason else "",
            u.detail if u is not None else "",
        )
        (made if w.requester == pid else received).append(line)
    return made, received


def _when_where(event: Event, m: Meeting, several_days: bool) -> str:
    s = event.slots[m.slot]
    day = f"{s.date:%a %d %b}, " if several_days else ""
    table = f"Table {m.table}" if m.table.isdigit() or len(m.table) <= 3 else m.table
    return f"{day}{s.start:%H:%M} at {table}"


def _participant_row(session: Session, event_id: str, pid: ParticipantId) -> ParticipantRow | None:
    return session.scalar(select(ParticipantRow).where(ParticipantRow.event_id == event_id, ParticipantRow.pid == pid))


def person_context(
    request: Request,
    session: Session,
    settings: Settings,
    secret: str,
    row: EventRow,
    pid: ParticipantId,
) -> dict[str, Any]:
    shown = shown_version(session, row)
    event = shown.event
    person: Participant | None = event.participants.get(pid)
    if person is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail="There is no such participant in this event.")
    p_row = _participant_row(session, row.id, pid)
    link = agenda_links(request, settings, agenda_token(secret=secret, participant=p_row))["html"] if p_row else ""
    days = person_days(row.id, event, shown, pid)
    made, received = person_wishes(row.id, event, shown, pid, unmet_wishes(row.id, shown))
    return {
        "event": row,
        "section": "people",
        "shown": shown,
        "person": person,
        "status": person.status or "registered",
        "statuses": STATUSES,
        "href": person_path(row.id, pid),
        "agenda_link": link,
        "several_days": len(event.days) > 1,
        "days": days,
        "meetings": sum(d.meetings for d in days),
        "holes": sum(d.holes for d in days),
        "made": made,
        "received": received,
        "busy": active_job(session, row.id) is not None,  # status changes wait for the solve
        "changed": "",
        "problems": [],
    }


@router.get("/events/{event_id}/people/{participant_id}", response_class=HTMLResponse)
def person_page(
    row: WebEventDep,
    participant_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    changed: str = Query("", max_length=20),
) -> HTMLResponse:
    """One person's day, holes and wishes, their links, and their status."""
    context = person_context(request, session, settings, secret, row, participant_id)
    context["changed"] = changed if changed in STATUSES else ""
    return render(request, "person.html", **context)


@router.post("/events/{event_id}/people/{participant_id}/status", dependencies=CSRF)
def change_status(
    row: IdleWebEventDep,
    participant_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    secret: SecretDep,
    new_status: Annotated[str, Form(alias="status")],
) -> Response:
    """Mark a person cancelled, absent or registered again: a new revision of the event, like the
    API's PATCH; the schedule changes with the next re-solve."""
    if new_status not in STATUSES:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="Choose registered, cancelled or absent.")
    href = person_path(row.id, participant_id)
    person = load_event(row).participants.get(participant_id)
    if person is not None and person.status == new_status:  # nothing to change: no new revision
        return RedirectResponse(href, status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
    try:
        changes.update_participant(
            session=session, secret=secret, row=row, pid=participant_id, values={"status": new_status}
        )
    except edits.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=str(exc)) from None
    except EventError as exc:
        session.rollback()
        context = person_context(request, session, settings, secret, row, participant_id)
        context["problems"] = [p.as_dict() for p in summarised(exc.problems)]
        return render(request, "person.html", status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, **context)
    commit(session)
    return RedirectResponse(f"{href}?changed={new_status}", status_code=status.HTTP_303_SEE_OTHER, headers=PAGE_HEADERS)
