"""The "Unscheduled" tray: every wished pair that did not get a meeting in the latest version, with
the library's reason, grouped by reason, searchable and paged (a 1,500-person event leaves
thousands).

The reasons come from `scheduler.unmet.explain_unmet`, computed once per version (`api.unmet`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api import unmet as reasons
from api.deps import SessionDep
from api.version_cache import VersionCache
from api.web.deps import WebEventDep
from api.web.pages import render
from api.web.version_view import ShownVersion, matches, paged, person_path, shown_version
from scheduler.candidates import pair_key, pair_points, wished_pairs
from scheduler.domain import Event, ParticipantId
from scheduler.unmet import UnmetWish

router = APIRouter(include_in_schema=False)

# --- the tray ---------------------------------------------------------------------------------

REASON_LABELS = {
    "not_both_present": "Not both present",
    "not_allowed": "Colleagues do not meet",
    "no_common_time": "No common time",
    "cap_reached": "Meeting limit reached",
    "no_table": "No table free",
    "busy": "Busy at every common time",
    "hole_cap": "Would break the gap limit",
    "still_possible": "Could still be added",
    "": "No reason given",
}
REASON_ORDER = {reason: n for n, reason in enumerate(REASON_LABELS)}


def reason_label(reason: str) -> str:
    return REASON_LABELS.get(reason, reason.replace("_", " ").capitalize())


@dataclass(frozen=True)
class Side:
    """One person of an unmet pair, and what they asked for."""

    id: ParticipantId
    name: str
    organisation: str
    href: str
    priority: int | None  # their wish's priority; None when they did not ask


@dataclass(frozen=True)
class UnmetPair:
    """A wished pair without a meeting: both people, what the pair is worth, and the reason (the
    most specific of its wishes' reasons; both details when its two wishes differ)."""

    a: Side
    b: Side
    points: int
    reason: str
    details: tuple[str, ...]

    @property
    def mutual(self) -> bool:
        return self.a.priority is not None and self.b.priority is not None

    @property
    def asked(self) -> str:
        """Who asked, short enough for a phone: "priorities 1 and 2" (mutual) or "Anna asked, priority 2"."""
        if self.mutual:
            return f"priorities {self.a.priority} and {self.b.priority}"
        asker = self.a if self.a.priority is not None else self.b
        first = asker.name.split()[0] if asker.name.strip() else asker.id
        return f"{first} asked, priority {asker.priority}"


def _side(event_id: str, event: Event, pid: ParticipantId, priority: int | None) -> Side:
    p = event.participants.get(pid)
    return Side(pid, p.name if p else pid, p.organisation if p else "", person_path(event_id, pid), priority)


def unmet_pairs(event_id: str, event: Event, unmet: Sequence[UnmetWish]) -> list[UnmetPair]:
    """The unmet wishes as pairs, by reason (most specific first), then worth, then names."""
    by_pair: dict[tuple[ParticipantId, ParticipantId], list[UnmetWish]] = {}
    for u in unmet:
        by_pair.setdefault(pair_key(u.requester, u.target), []).append(u)
    asked = wished_pairs(event)
    out = []
    for (a, b), wishes in by_pair.items():
        wishes.sort(key=lambda u: REASON_ORDER.get(u.reason, len(REASON_ORDER)))
        priority = {u.requester: u.priority for u in wishes}
        # Both directions of a pair with the same reason say the same in another order: one is enough.
        same = len({u.reason for u in wishes}) == 1
        details = tuple(dict.fromkeys(u.detail for u in wishes[: 1 if same else None] if u.detail))
        out.append(
            UnmetPair(
                _side(event_id, event, a, priority.get(a)),
                _side(event_id, event, b, priority.get(b)),
                pair_points(event, asked.get((a, b), {})),
                wishes[0].reason,
                details,
            )
        )
    out.sort(key=lambda p: (REASON_ORDER.get(p.reason, len(REASON_ORDER)), p.reason, -p.points, p.a.name, p.b.name))
    return out


_PAIRS: VersionCache[tuple[UnmetPair, ...]] = VersionCache(16)


def tray_pairs(event_id: str, shown: ShownVersion) -> tuple[UnmetPair, ...]:
    """The tray's rows for the shown version, in its order (none before the first solve)."""
    if shown.row is None or shown.schedule is None:
        return ()
    row, event, schedule = shown.row, shown.event, shown.schedule
    return _PAIRS.get(
        event_id,
        row.version,
        event,
        schedule,
        lambda: tuple(unmet_pairs(event_id, event, reasons.version_unmet(event, row, schedule))),
    )


def unmet_wishes(event_id: str, shown: ShownVersion) -> tuple[UnmetWish, ...]:
    """The unmet wishes of the shown version (each direction of a pair its own), with reasons."""
    if shown.row is None or shown.schedule is None:
        return ()
    return reasons.version_unmet(shown.event, shown.row, shown.schedule)


def _context(row: Any, shown: ShownVersion, q: str, reason: str | None, page: int) -> dict[str, Any]:
    pairs = tray_pairs(row.id, shown)
    counts = Counter(p.reason for p in pairs)
    shown_pairs = [
        p
        for p in pairs
        if (reason is None or p.reason == reason)
        and (not q or matches(q, p.a.name, p.a.organisation, p.a.id, p.b.name, p.b.organisation, p.b.id))
    ]
    path = f"/events/{row.id}/unscheduled"
    pages = paged(len(shown_pairs), page, path, (("q", q), ("reason", reason or "")))
    return {
        "event": row,
        "section": "unscheduled",
        "shown": shown,
        "counts": [(r, reason_label(r), counts[r]) for r in sorted(counts, key=lambda r: REASON_ORDER.get(r, 99))],
        "total": len(pairs),
        "pairs": shown_pairs[pages.first : pages.last],
        "pages": pages,
        "q": q,
        "reason": reason,
        "reason_label": reason_label,
        "path": path,
    }


@router.get("/events/{event_id}/unscheduled", response_class=HTMLResponse)
def unscheduled(
    row: WebEventDep,
    request: Request,
    session: SessionDep,
    q: str = Query("", max_length=200),
    reason: str | None = Query(None, max_length=40),
    page: int = Query(1, ge=1, le=100_000),
) -> HTMLResponse:
    """Wished pairs without a meeting in the latest version, and why."""
    context = _context(row, shown_version(session, row), q.strip(), reason or None, page)
    return render(request, "unscheduled.html", **context)
