"""The steps that end every pipeline: remove holes without lowering points ("polish"), and make the
[fairness] hole caps hold."""

from __future__ import annotations

from scheduler.heuristics.by_day import reduce_holes_by_day
from scheduler.heuristics.exchange import Partners
from scheduler.heuristics.hole_caps import enforce_hole_caps
from scheduler.heuristics.insertion import insert_pairs
from scheduler.heuristics.local_search import reduce_holes
from scheduler.heuristics.state import Placement, points
from scheduler.pipelines.cp_sat import workers
from scheduler.pipelines.run import Run, by_value, holes


def polish(
    run: Run,
    placed: list[Placement],
    bound: int | None,
    share: float = 1.0,
    frozen: set[tuple[str, str]] | None = None,
    work: float = 1.0,
    max_moves: int | None = None,
    exchange: bool = False,
    cooling: tuple[float, float] = (0.0, 1.0),
) -> list[Placement]:
    """Remove holes, keeping who meets, or with `exchange` changing partners where points do not
    fall (`heuristics.exchange`; a fresh "maximise" solve, not a repair that keeps rows where they
    were, nor "all" mode where every pair must meet; not where the days of an event are searched
    side by side, since one day's search cannot see a pair meeting on another day). Meetings of
    `frozen` pairs do not move, and nobody who meets is left without a meeting. `share` of the
    time left; in deterministic mode `work` of the polishing's fixed number of moves; `max_moves`
    bounds the moves in any mode (a repair, where few meetings may move, is done long before its
    share of the time). `cooling` is the stretch of the annealing's cooling this polish runs (a
    pipeline that polishes twice cools once, not twice from the start)."""
    moves = run.clock.polish_moves(work)
    if max_moves is not None:
        moves = max_moves if moves is None else min(moves, max_moves)
    event = run.event

    def on_progress(total: int, held: int) -> None:  # held: the points (history carries none)
        run.report("polish", points=held, meetings=len(placed), bound=bound, holes=total)

    everything = placed + run.background
    seconds = run.clock.polish_seconds(share)
    processes = workers(run.options)
    side_by_side = moves is None and processes > 1 and not _caps(run)
    # a day searched apart from the others keeps who meets (see `heuristics.by_day`)
    partners = Partners(run.pairs) if exchange and (not side_by_side or len(event.days) == 1) else None
    if side_by_side:
        # every core: the days side by side, or one day's copies (see `heuristics.by_day`)
        polished = reduce_holes_by_day(
            event,
            everything,
            seconds,
            seed=run.options.seed,
            processes=processes,
            should_stop=run.should_stop,
            frozen=frozen,
            on_progress=on_progress,
            partners=partners,
            cooling=cooling,
        )
    else:
        polished = reduce_holes(
            event,
            everything,
            seconds,
            seed=run.options.seed,
            max_moves=moves,
            timed_moves=not run.options.deterministic,
            should_stop=run.should_stop,
            frozen=frozen,
            on_progress=on_progress,
            partners=partners,
            cooling=cooling,
        )
    result = run.without_background(polished)
    run.report(
        "polish", points=points(result), meetings=len(result), bound=bound, holes=sum(holes(run.event, result).values())
    )
    return result


def within_hole_caps(run: Run, placed: list[Placement]) -> list[Placement]:
    """Drop meetings until the [fairness] caps hold, then refill where a pair fits within them."""
    everything = placed + run.background
    capped = enforce_hole_caps(run.event, everything)
    if len(capped) < len(everything):
        capped = insert_pairs(
            run.event,
            capped,
            by_value(run.pairs),
            run.clock.hole_caps_seconds(),
            max_tries=0,
            within_hole_caps=True,
        )
    return run.without_background(capped)


def _caps(run: Run) -> bool:
    """Whether the event sets a [fairness] hole cap (a cap spans days)."""
    return run.event.max_holes is not None or run.event.max_hole_spread is not None
