"""The schedule version the people, unscheduled and statistics pages show (the latest, draft or
published), with what a reader must know about it: whether it is published and whether it was
made before the latest change of the participants or wishes. Also the addresses of a person's
pages, built once here so that an id with spaces or accents is quoted the same everywhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from api import service
from api.storage import EventRow, ScheduleRow
from scheduler.domain import Event, ParticipantId, Schedule

PAGE_SIZE = 100  # rows per page of the long lists: 1,500 people stay 15 quick pages


@dataclass(frozen=True)
class ShownVersion:
    """The event and its latest schedule version (row and schedule None before the first solve)."""

    event: Event
    row: ScheduleRow | None
    schedule: Schedule | None
    published: bool  # participants see this very version
    current: bool  # made from the event's current participants and wishes

    @property
    def version(self) -> int | None:
        return self.row.version if self.row is not None else None


def shown_version(session: Session, row: EventRow) -> ShownVersion:
    event = service.load_event(row)
    srow = service.schedule_row(session, row.id)
    if srow is None:
        return ShownVersion(event, None, None, published=False, current=True)
    made_from = (srow.result or {}).get("event_revision", 1)
    return ShownVersion(
        event,
        srow,
        service.parse_schedule(event, srow),
        published=row.published_version == srow.version,
        current=made_from == (row.revision or 1),
    )


def person_path(event_id: str, pid: ParticipantId) -> str:
    """`/events/<id>/people/<pid>`, the id quoted as one path segment."""
    return f"/events/{event_id}/people/{quote(pid, safe='')}"


@dataclass(frozen=True)
class Pages:
    """One page of a long list: which rows, and the addresses of the pages around it."""

    number: int  # 1-based
    count: int  # pages in all (at least 1)
    total: int  # rows in all
    first: int  # index of the first row shown (0-based)
    last: int  # index after the last row shown
    path: str
    query: tuple[tuple[str, str], ...]  # kept in every page's address (empty values left out)

    def href(self, number: int) -> str:
        params = list(self.query) + ([("page", str(number))] if number > 1 else [])
        return f"{self.path}?{urlencode(params)}" if params else self.path

    @property
    def nearby(self) -> list[int]:
        """The page numbers a pager lists: the first, the last, and two either side of this one."""
        return sorted({1, self.count} | set(range(max(1, self.number - 2), min(self.count, self.number + 2) + 1)))


def paged(total: int, page: int, path: str, query: Iterable[tuple[str, str]] = ()) -> Pages:
    """Page `page` (clamped to those that exist) of `total` rows; its addresses keep `query`."""
    count = max(1, -(-total // PAGE_SIZE))
    number = min(max(page, 1), count)
    first = (number - 1) * PAGE_SIZE
    kept = tuple((k, v) for k, v in query if v)
    return Pages(number, count, total, first, min(first + PAGE_SIZE, total), path, kept)


def matches(query: str, *texts: str) -> bool:
    """Whether every word of `query` occurs (any case) in one of `texts`: "jānis rīga" finds Jānis of Rīgas Ūdens."""
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in query.casefold().split())
