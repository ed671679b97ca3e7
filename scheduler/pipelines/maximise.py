"""The "maximise" pipeline: decide who meets, then when, then polish (steps 1-7 of
`scheduler.pipelines.solve`); each step keeps the best schedule so far, so stopping early is safe.

With `SolveOptions.cp_sat` off, step 4 (CP-SAT's search) is skipped: a heuristic-only path.
"""

from __future__ import annotations

from collections import Counter

from scheduler.heuristics.cover import cover_people, raise_to_minimum
from scheduler.heuristics.greedy import mutual_first
from scheduler.heuristics.insertion import insert_pairs
from scheduler.heuristics.selection import counting_limits, selection_lp
from scheduler.heuristics.state import Placement, ScheduleState, points
from scheduler.pipelines.cp_sat import restricted_search
from scheduler.pipelines.polish import polish, within_hole_caps
from scheduler.pipelines.run import Outcome, Run, by_value


def maximise(run: Run, quick: bool = False) -> Outcome:
    """The most wish points within the budget; `quick` stops after step 3 (a second or two), with
    the caps made to hold all the same (a repair's report compares with it)."""
    event, pairs, budget, clock = run.event, run.pairs, run.budget, run.clock
    # 1. the mutual-first greedy: the floor
    state = ScheduleState(event, run.locked)
    run.report("greedy", meetings=len(run.locked))
    greedy = mutual_first(
        event, [p for p in pairs if p.key not in state.met], state, on_progress=run.reporter("greedy")
    )
    best = run.locked + greedy
    run.report("greedy", points=points(best), meetings=len(best))
    # 2. who meets: the LP's bound and its rounded choice of pairs
    fixed = {run.index_of[p.pair.key] for p in run.locked}
    bound, chosen = selection_lp(pairs, counting_limits(event, pairs), fixed)
    chosen |= fixed
    run.report("bound", points=points(best), meetings=len(best), bound=bound)

    # 3. when: colour the chosen pairs, make room with Kempe swaps, fill with any pair that fits
    if run.improvable(best, bound) and not run.stopped():
        order = sorted((pairs[i] for i in chosen - fixed), key=lambda p: (len(p.slots), -p.points, p.key))
        on_progress = run.reporter("search", bound)
        state = ScheduleState(event, run.locked)
        placed = run.locked + mutual_first(event, pairs, state, order=order, on_progress=on_progress)
        if run.improvable(placed, bound):  # at the bound already (the trade exchange): nothing to insert
            placed = insert_pairs(
                event,
                placed,
                by_value(pairs[i] for i in chosen),
                clock.seconds(budget.insert_chosen_share),
                on_progress=on_progress,
            )
        if run.improvable(placed, bound):
            placed = insert_pairs(
                event, placed, by_value(pairs), clock.seconds(budget.insert_any_share), on_progress=on_progress
            )
        best = max(best, placed, key=run.value)
        run.report("search", points=points(best), meetings=len(best), bound=bound)
    if quick:
        best = within_hole_caps(run, best)
        return Outcome(best, points(best) >= bound, bound)
    # 4. CP-SAT's large-neighbourhood search on those pairs, where the model is small enough
    if run.options.cp_sat and run.improvable(best, bound) and not run.stopped():
        sub = sorted({run.index_of[p.pair.key] for p in best} | chosen | owed_pairs(run, best))
        variables = sum(len(pairs[i].slots) for i in sub)
        if variables <= budget.cp_sat_max_variables:
            placed = restricted_search(run, [pairs[i] for i in sub], best, bound)
            placed = insert_pairs(event, placed, by_value(pairs), clock.seconds(budget.insert_any_share))
            best = max(best, placed, key=run.value)
    # 5. a meeting for people left without one, never lowering points; or, with [fairness]
    # min_meetings, meetings up to each person's target, at the cost of points where need be
    if run.owed and not run.stopped():
        best = raise_to_minimum(event, best, pairs, run.owed, clock.seconds(budget.insert_any_share))
    elif not run.stopped():
        best = cover_people(event, best, pairs)
    optimal = points(best) >= bound
    # 6. remove holes; halfway, refill with the pairs still out that fit the slots the search freed
    # (the two polishes run one annealing's cooling: its first stretch, then the rest)
    if not run.stopped():
        halfway = budget.first_polish_share
        best = polish(
            run, best, bound, share=halfway, work=budget.first_polish_work, exchange=True, cooling=(0.0, halfway)
        )
        if run.improvable(best, bound):  # at the bound, a refill cannot add a pair
            refilled = insert_pairs(
                event, best, by_value(pairs), clock.seconds(budget.insert_any_share), max_tries=0, within_hole_caps=True
            )
            if points(refilled) > points(best):
                best = refilled
                run.report("search", points=points(best), meetings=len(best), bound=bound)
        best = polish(run, best, bound, work=budget.last_polish_work, exchange=True, cooling=(halfway, 1.0))
    # 7. the [fairness] caps
    capped = within_hole_caps(run, best)
    if capped != best:
        best, optimal = capped, points(capped) >= bound
    return Outcome(best, optimal, bound)


def owed_pairs(run: Run, placements: list[Placement]) -> set[int]:
    """The pairs of everyone below their [fairness] min_meetings target, for CP-SAT's search to use."""
    if not run.owed:
        return set()
    count = Counter(pid for p in placements for pid in p.pair.people)
    short = {pid for pid, target in run.owed.items() if count[pid] < target}
    return {i for i, pair in enumerate(run.pairs) if short.intersection(pair.people)}
