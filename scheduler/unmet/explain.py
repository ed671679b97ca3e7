"""One reason for every wish whose pair does not meet, from the event and the schedule alone.

The reasons, most specific first; a wish gets the first that is true:

- `not_both_present`: the organiser declined the request, or one of them is cancelled or absent
  (blockers: their ids);
- `not_allowed`: they work for the same organisation and the event keeps colleagues apart;
- `no_common_time`: their availability and the wish windows (and the re-plan cut-off) share no
  slot;
- `cap_reached`: one side's `max_meetings` is used up (blockers: that person's meetings);
- `no_table`: in each common slot where both are free, every table they could use is taken
  (blockers: those slots);
- `busy`: in each common slot one of them already meets someone else (blockers: those meetings;
  the detail names the cheapest change found that would let them meet, `search.ChangeSearch`);
- `hole_cap`: they are both free with a table free, but meeting then would break a [fairness]
  hole cap (blockers: the people whose idle gaps would grow);
- `still_possible`: none of these: they could be added as things stand (blockers: the slots);
  an optimal solve never leaves this, a hand edit or a time-limited solve may.

The questions asked of the schedule are the heuristics' rule units (`OneMeetingPerSlot`,
`PersonalCaps`, `free_location`, `HoleCaps`) over a `ScheduleState`; the tests check every reason
with a separate writing from the event and the schedule alone.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from scheduler.candidates import Pair, colleagues, pair_key
from scheduler.domain import Event, Meeting, ParticipantId, Schedule, SlotIndex, Wish
from scheduler.heuristics.rules import OneMeetingPerSlot, PersonalCaps, free_location
from scheduler.unmet.scene import Scene
from scheduler.unmet.search import Change, ChangeSearch
from scheduler.unmet.words import join, name, partner, plural, times, when

REASONS = (
    "not_both_present",
    "not_allowed",
    "no_common_time",
    "cap_reached",
    "no_table",
    "busy",
    "hole_cap",
    "still_possible",
)
"""Every reason, most specific first: a wish gets the first one that is true."""


@dataclass(frozen=True)
class UnmetWish:
    """One wish whose pair does not meet, and why (each direction of a pair is its own wish)."""

    requester: str
    target: str
    priority: int
    mutual: bool  # the target asked for the requester too
    reason: str  # one of REASONS
    detail: str  # the reason in a sentence for the organiser
    blockers: tuple[str, ...]  # what stands in the way, in the forms of `words`


def explain_unmet(
    event: Event,
    schedule: Schedule,
    *,
    search_seconds: float = 0.5,
    history_before: dt.datetime | None = None,
) -> list[UnmetWish]:
    """A reason for every wish of `event` whose pair does not meet in `schedule`, in wishes.csv order.

    `search_seconds` bounds the search for the cheapest change behind the `busy` wishes, done
    for the most valuable wishes first; the wishes it has no time for say so. `history_before` is a
    re-solve's cut-off: slots that started before it are past, and meetings then cannot change.
    """
    scene = Scene(event, schedule, history_before)
    out: list[UnmetWish | None] = []
    busy: list[tuple[int, Wish, Pair, list[int]]] = []
    for w in event.wishes:
        key = pair_key(w.requester, w.target)
        if key in scene.met:
            continue
        found = _reason(scene, w)
        if isinstance(found, tuple):  # busy: worded once the search is done
            busy.append((len(out), w, *found))
            out.append(None)
        else:
            out.append(found)
    _explain_busy(scene, busy, out, search_seconds)
    return [u for u in out if u is not None]


def _unmet(scene: Scene, w: Wish, reason: str, detail: str, blockers: tuple[str, ...] = ()) -> UnmetWish:
    mutual = w.target in scene.asked.get(pair_key(w.requester, w.target), {})  # the target asked too
    return UnmetWish(w.requester, w.target, w.priority, mutual, reason, detail, blockers)


def _reason(scene: Scene, w: Wish) -> UnmetWish | tuple[Pair, list[int]]:
    """The wish's reason, or for a busy one its pair and the indices of the meetings in the way
    (worded after the search)."""
    event = scene.event
    r, t = w.requester, w.target
    both = f"{name(event, r)} and {name(event, t)}"
    absent = [pid for pid in (r, t) if not scene.present(pid)]
    if w.declined or absent:
        return _unmet(scene, w, "not_both_present", _absence(scene, w, absent), tuple(absent))
    if not event.same_organisation_meetings and colleagues(event, r, t):
        org = event.participants[r].organisation.strip()
        return _unmet(scene, w, "not_allowed", f"{both} both work for {org}, and colleagues do not meet at this event.")
    pair = scene.pair(pair_key(r, t))
    if not pair.slots:
        return _unmet(scene, w, "no_common_time", _no_time(scene, w, pair))
    state = scene.state
    full = [pid for pid in (r, t) if PersonalCaps.full(state, pid)]
    if full:
        mine = sorted({i for pid in full for i in scene.meetings_of(pid)})
        blockers = tuple(scene.blockers[i] for i in mine)
        return _unmet(scene, w, "cap_reached", _capped(scene, pair, full), blockers)
    busy_slots, no_table, capped, open_slots = [], [], [], []
    over: set[ParticipantId] = set()
    for slot in sorted(pair.slots):
        if not OneMeetingPerSlot.allows(state, pair, slot):
            busy_slots.append(slot)
        elif free_location(state, pair, slot) is False:
            no_table.append(slot)
        else:
            grow = scene.over_cap({pid: (set(), {slot}) for pid in pair.people}) if scene.hole_caps else []
            if grow:
                capped.append(slot)
                over.update(grow)
            else:
                open_slots.append(slot)
    if open_slots:
        detail = (
            f"{both} are both free at {times(event, open_slots)} and a table is free then: "
            "the meeting can still be added."
        )
        return _unmet(scene, w, "still_possible", detail, tuple(scene.slot_labels[s] for s in open_slots))
    if capped:
        return _unmet(scene, w, "hole_cap", _hole_capped(scene, capped, sorted(over)), tuple(sorted(over)))
    if no_table:
        detail = f"{both} are both free at {times(event, no_table)}, but every table they could use is taken then."
        return _unmet(scene, w, "no_table", detail, tuple(scene.slot_labels[s] for s in no_table))
    at = state.at
    in_way = [at[(pid, s)] for s in busy_slots for pid in pair.people if (pid, s) in at]
    return pair, list(dict.fromkeys(in_way))


def _absence(scene: Scene, w: Wish, absent: list[ParticipantId]) -> str:
    event = scene.event
    if w.declined:
        return "The organiser declined this request."
    words = []
    for pid in absent:
        person = event.participants.get(pid)
        words.append(f"{name(event, pid)} is {person.status if person else 'not on the participant list'}")
    return join(words) + "."


def _no_time(scene: Scene, w: Wish, pair: Pair) -> str:
    event = scene.event
    both = f"{name(event, w.requester)} and {name(event, w.target)}"
    pa, pb = event.participants[w.requester], event.participants[w.target]
    common = pa.available & pb.available
    if not common:
        return f"{both} are never available at the same time."
    key = pair_key(w.requester, w.target)
    if key in scene.windows and not common & scene.windows[key]:
        return f"{both} are never both available within the time asked for in the request."
    return f"{both} were only both available before the re-plan; no common time is left."


def _capped(scene: Scene, pair: Pair, full: list[ParticipantId]) -> str:
    event, state = scene.event, scene.state
    words = []
    for pid in full:
        cap = event.participants[pid].max_meetings
        if not cap:
            words.append(f"{name(event, pid)} takes no meetings (at most 0).")
            continue
        worth = sorted((state.meetings[i].pair.points for i in scene.meetings_of(pid)), reverse=True)
        cheaper = sum(1 for p in worth if p < pair.points)
        value = (
            "all worth at least as much as this one"
            if not cheaper
            else f"{plural(cheaper, 'meeting')} of them worth less than this one"
        )
        words.append(
            f"{name(event, pid)} may have at most {plural(cap, 'meeting')} and has {len(worth)} "
            f"({value}: {_listed(worth)} points against {pair.points})."
        )
    return " ".join(words)


def _listed(numbers: list[int], most: int = 8) -> str:
    words = [str(n) for n in numbers[:most]]
    return join(words) if len(numbers) <= most else ", ".join(words) + f" and {len(numbers) - most} more"


def _hole_capped(scene: Scene, capped: list[SlotIndex], over: list[ParticipantId]) -> str:
    event = scene.event
    limits = []
    if event.max_holes is not None:
        limits.append(f"at most {plural(event.max_holes, 'idle gap')} per person")
    if event.max_hole_spread is not None:
        limits.append(f"a difference of at most {event.max_hole_spread} between people")
    who = join([name(event, pid) for pid in over]) or "someone"
    return (
        f"They are both free with a table free at {times(event, capped)}, but meeting then would give "
        f"{who} more idle gaps than the event's fairness limits allow ({join(limits)})."
    )


def _explain_busy(
    scene: Scene,
    busy: list[tuple[int, Wish, Pair, list[int]]],
    out: list[UnmetWish | None],
    seconds: float,
) -> None:
    """Word the busy wishes, searching a change for the most valuable first until time is up."""
    search = ChangeSearch(scene)
    deadline = time.monotonic() + seconds
    order = sorted(busy, key=lambda b: (b[1].priority, -b[2].mutual, -b[2].points, b[0]))
    found: dict[tuple[str, str], Change | None] = {}
    for index, w, pair, blockers in order:
        if pair.key not in found and time.monotonic() < deadline:
            found[pair.key] = search.cheapest(pair)
        searched = pair.key in found
        detail = _busy(scene, w, pair, found.get(pair.key), searched)
        out[index] = _unmet(scene, w, "busy", detail, tuple(scene.blockers[i] for i in blockers))


def _busy(scene: Scene, w: Wish, pair: Pair, change: Change | None, searched: bool) -> str:
    event = scene.event
    n = len(pair.slots)
    first = (
        f"At {'their one common time' if n == 1 else f'each of their {n} common times'} "
        f"{name(event, w.requester)} or {name(event, w.target)} already meets someone else."
    )
    if not searched:
        return first + " No change was looked for: the short search ran out of time."
    if change is None:
        return first + " The short search found no change that would let them meet."
    return first + " " + describe_change(scene, change)


def describe_change(scene: Scene, change: Change) -> str:
    """The change in words: what moves or is cancelled, then what the pair gains."""
    event = scene.event
    steps = []
    for mv in change.moves:
        m = mv.meeting
        who = m.a if m.a in (change.a, change.b) else m.b
        steps.append(
            f"move {name(event, who)}'s meeting with {partner(event, m, who)} "
            f"from {when(event, m.slot)} to {when(event, mv.slot)}"
        )
    for m in change.drops:
        who = m.a if m.a in (change.a, change.b) else m.b
        steps.append(
            f"cancel {name(event, who)}'s meeting with {partner(event, m, who)} at {when(event, m.slot)} "
            f"({plural(_points(scene, m), 'point')})"
        )
    text = (
        f"Cheapest change found: {join(steps)}; then they can meet at {when(event, change.slot)} "
        f"({plural(change.gained, 'point')})"
    )
    if not change.drops:
        return text + f", {plural(change.net, 'point')} more in all."
    if change.net >= 0:
        return text + f": {plural(change.net, 'point')} more in all."
    return text + f": {plural(-change.net, 'point')} fewer in all."


def _points(scene: Scene, m: Meeting) -> int:
    return scene.meeting_pair(m).points
