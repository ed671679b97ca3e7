"""The keep-in-place re-solve ("maximise" mode with a previous schedule; `repair_plan` plans it):
history before a cut-off and locked rows stay; the other still-valid rows are kept in place first,
the freed time is refilled (moving a kept meeting only where the pair let in is worth more than
the move costs), CP-SAT weighs moves against `MoveCosts`, and only new meetings are re-timed to
remove holes."""

from __future__ import annotations

import dataclasses
from collections import Counter

from scheduler.candidates import pair_key
from scheduler.domain import ParticipantId, SlotIndex
from scheduler.heuristics.insertion import MovePrice, insert_pairs
from scheduler.heuristics.rules import FixedTableCapacity
from scheduler.heuristics.selection import counting_limits, selection_lp
from scheduler.heuristics.state import Placement, ScheduleState, points
from scheduler.pipelines.cp_sat import restricted_search
from scheduler.pipelines.maximise import maximise
from scheduler.pipelines.polish import polish, within_hole_caps
from scheduler.pipelines.run import Outcome, Run, by_value, slots_by_pair
from scheduler.results import MoveCosts


def repair(run: Run) -> Outcome:
    """Keep previous meetings where they are unless moving them pays; refill the freed time.

    The outcome's `fresh_points` is what a quick fresh solve of the same event reaches, for the
    repair report (None when the time ran out first).
    """
    event, pairs, budget, clock = run.event, run.pairs, run.budget, run.clock
    assert run.plan is not None
    preferred = slots_by_pair(run.plan.preferred)
    booth = {pair_key(m.a, m.b): m.table for m in run.plan.preferred}
    state = ScheduleState(event, run.locked)
    kept = list(run.locked)
    for pair in by_value(pairs[run.index_of[key]] for key in preferred):
        slot = preferred[pair.key]
        if state.can_place(pair, slot):
            location = booth[pair.key]  # the same booth as before, if it is one of theirs and free
            if location not in pair.locations or not FixedTableCapacity.free(state, location, slot):
                location = state.free_location(pair, slot)  # type: ignore[assignment]
            kept.append(state.place(pair, slot, location))
    best = insert_pairs(event, kept, by_value(pairs), clock.seconds(budget.repair_insert_share), max_tries=0)
    # Then let Kempe swaps make room by moving only the refill, never a kept meeting.
    best = insert_pairs(
        event, best, by_value(pairs), clock.seconds(budget.repair_insert_share), frozen={p.pair.key for p in kept}
    )
    # Then moving kept meetings too, where the pair let in is worth more than the moves cost.
    best = insert_pairs(
        event,
        best,
        by_value(pairs),
        clock.seconds(budget.repair_insert_share),
        max_tries=budget.repair_move_tries,
        price=move_price(run.options.move_costs, preferred),
    )
    run.report("search", points=points(best), meetings=len(best))
    fixed = {run.index_of[p.pair.key] for p in run.locked}
    bound, _chosen = selection_lp(pairs, counting_limits(event, pairs), fixed)
    run.report("bound", points=points(best), meetings=len(best), bound=bound)
    if run.options.cp_sat and run.improvable(best, bound) and not run.stopped():
        best = neighbourhood_search(run, best, preferred, bound)
        best = insert_pairs(event, best, by_value(pairs), clock.seconds(budget.insert_any_share), max_tries=0)
        run.report("search", points=points(best), meetings=len(best), bound=bound)
    in_place = {p.pair.key for p in best if preferred.get(p.pair.key) == p.slot}
    if not run.stopped():
        movable = sum(1 for p in best if p.pair.key not in in_place and not p.locked)
        best = polish(
            run,
            best,
            bound,
            share=budget.repair_polish_share,
            frozen=in_place,
            max_moves=budget.repair_polish_moves_per_meeting * movable,
        )
    best = within_hole_caps(run, best)
    fresh_points = None
    if not run.stopped():  # what a fresh solve of the same event would reach, for the report
        limit = min(clock.remaining(), budget.repair_fresh_seconds)
        options = dataclasses.replace(run.options, time_limit=limit, previous=None)
        fresh = Run(event, options, None, run.should_stop, pairs=pairs, budget=budget)
        fresh_points = points(maximise(fresh, quick=True).placements)
    return Outcome(best, points(best) >= bound, bound, fresh_points)


def neighbourhood_search(
    run: Run, placed: list[Placement], preferred: dict[tuple[str, str], SlotIndex], bound: int
) -> list[Placement]:
    """CP-SAT on the neighbourhood of the change (large-neighbourhood repair): every previous
    meeting kept in place, and every meeting of someone the change did not touch, stays exactly
    where it is; the people who lost a previous meeting may have their new meetings re-timed and
    gain more in the slots both people of a pair have free. For someone below their [fairness]
    minimum, their wished partners' kept meetings may move too (at the move cost): the minimum
    outweighs keeping a meeting in place. The model is a small fraction of the whole day's, so
    CP-SAT builds it in a blink and usually proves it optimal long before the time is up
    (measured in benchmarks/README.md)."""
    free = affected_people(run, placed)
    if not free:
        return placed
    short = below_target(run, placed)
    loose = short | {pid for pair in run.pairs if short.intersection(pair.people) for pid in pair.people}
    free |= loose
    fixed = [
        p
        for p in placed
        if p.locked
        or (
            not loose.intersection(p.pair.people)
            and (preferred.get(p.pair.key) == p.slot or not free.intersection(p.pair.people))
        )
    ]
    fixed_keys = {p.pair.key for p in fixed}
    movable = {p.pair.key for p in placed} - fixed_keys
    busy = {(pid, p.slot) for p in fixed for pid in p.pair.people}
    pinned = [
        dataclasses.replace(p, pair=dataclasses.replace(p.pair, slots=frozenset({p.slot}), locations=(p.location,)))
        for p in fixed
    ]
    open_pairs = []
    for pair in run.pairs:
        if pair.key in fixed_keys or not (pair.key in movable or free.intersection(pair.people)):
            continue
        slots = frozenset(s for s in pair.slots if (pair.a, s) not in busy and (pair.b, s) not in busy)
        if slots:
            open_pairs.append(dataclasses.replace(pair, slots=slots))
    sub = [p.pair for p in pinned] + open_pairs
    if sum(len(p.slots) for p in sub) > run.budget.cp_sat_max_variables:
        return placed
    found = restricted_search(run, sub, placed, bound, preferred, fixed=pinned, lns_only=False)
    return [dataclasses.replace(p, pair=run.pairs[run.index_of[p.pair.key]]) for p in found]


def below_target(run: Run, placed: list[Placement]) -> set[ParticipantId]:
    """Everyone below their [fairness] minimum (none when the event sets none)."""
    count = Counter(pid for p in placed for pid in p.pair.people)
    return {pid for pid, target in run.owed.items() if count[pid] < target}


def affected_people(run: Run, placed: list[Placement]) -> set[ParticipantId]:
    """Who the change touched: everyone with a previous meeting (after the cut-off) that is not
    where it was, and everyone below their [fairness] minimum."""
    assert run.plan is not None and run.options.previous is not None
    here = {(p.pair.key, p.slot) for p in placed} | {(pair_key(m.a, m.b), m.slot) for m in run.plan.history}
    future = run.plan.future
    out: set[ParticipantId] = set()
    for m in run.options.previous.meetings:
        if (pair_key(m.a, m.b), m.slot) in here:
            continue
        out.update(pid for pid in (m.a, m.b) if pid in future.participants)
    out.update(below_target(run, placed))
    return out


def move_price(costs: MoveCosts, preferred: dict[tuple[str, str], SlotIndex]) -> MovePrice:
    """Leaving a previous meeting's slot costs the move cost; going back to it earns it back."""
    cost = costs.move_slot

    def price(p: Placement, new: SlotIndex) -> int:
        old = preferred.get(p.pair.key)
        if old is None:
            return 0
        return cost * ((p.slot == old) - (new == old))

    return price
