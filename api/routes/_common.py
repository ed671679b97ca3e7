"""Helpers shared by the route modules."""

from __future__ import annotations

import re
import unicodedata

from fastapi import HTTPException, Request, status
from sqlalchemy.orm import Session

from scheduler.domain import Event, Schedule

from ..service import load_event, parse_schedule, schedule_row
from ..settings import Settings
from ..storage import EventRow, ScheduleRow

NO_SCHEDULE = "No schedule yet: start a solve with POST /api/events/{id}/solve"


def base_url(request: Request, settings: Settings) -> str:
    return (settings.public_base_url or str(request.base_url)).rstrip("/")


def agenda_links(request: Request, settings: Settings, token: str) -> dict[str, str]:
    root = f"{base_url(request, settings)}/agenda/{token}"
    return {"html": root, "pdf": f"{root}.pdf", "ics": f"{root}.ics"}


def current_schedule(
    session: Session, row: EventRow, version: int | None = None, required: bool = True
) -> tuple[Event, ScheduleRow | None, Schedule | None]:
    """The event and one version of its schedule (the latest by default); 404 when required and absent."""
    event = load_event(row)
    srow = schedule_row(session, row.id, version)
    if srow is None:
        if required:
            detail = NO_SCHEDULE if version is None else f"Schedule version {version} not found"
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=detail)
        return event, None, None
    return event, srow, parse_schedule(event, srow)


def slug(text: str, fallback: str = "event") -> str:
    """An ASCII file-name fragment ("Jānis Bērziņš" → "janis-berzins")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or fallback


def disposition(filename: str, inline: bool = False) -> dict[str, str]:
    kind = "inline" if inline else "attachment"
    return {"Content-Disposition": f'{kind}; filename="{filename}"'}


PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}
