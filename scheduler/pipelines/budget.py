"""How a solve spends its time: one `Budget` holding every time share and rate, and the `Clock`
that applies it to one solve.

A share is a fraction of the time *left* when a step starts, so every step gets its part of what
the earlier ones did not use, and stopping early is always safe. In deterministic mode wall-clock
shares give way to work bounds (CP-SAT's deterministic time, a number of local-search moves), so
that the same input gives the same schedule whatever the machine's load.

The figures were tuned on the benchmarks (benchmarks/README.md); change them only with a
benchmark run before and after.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from scheduler.results import SolveOptions, StopCheck


@dataclass(frozen=True)
class Budget:
    """Every tuning figure of the pipelines' time use, in one place."""

    # --- CP-SAT ---
    cp_sat_share: float = 0.6  # of the time left, for the restricted CP-SAT search (maximise, repair)
    all_mode_cp_sat_share: float = 0.5  # of the time left, before the local search takes over (0.2 measured worse)
    cp_sat_max_variables: int = 80_000  # above this, CP-SAT's LNS was measured to add nothing in a minute
    cp_sat_min_seconds: float = 0.1  # the least a CP-SAT call is given (wall or deterministic seconds)
    cancel_poll_seconds: float = 0.2  # how often a running CP-SAT call looks at the stop check

    # --- inserting pairs with Kempe-chain swaps ---
    insert_chosen_share: float = 0.1  # the LP's chosen pairs, after the greedy colouring (maximise)
    insert_any_share: float = 0.05  # any pair that still fits, after a placement step
    repair_insert_share: float = 0.1  # each of the three refills of a repair

    # --- local search on holes ("polish") ---
    first_polish_share: float = 0.6  # maximise: the polish before the refill, of the time left …
    first_polish_work: float = 0.6  # … and, in deterministic mode, of the polish's moves
    last_polish_work: float = 0.4  # maximise: the polish after the refill (all the time left)
    repair_polish_share: float = 0.6  # repair: the one polish
    polish_reserve_seconds: float = 0.2  # kept back from each polish for the steps after it
    polish_limit_fraction: float = 0.3  # deterministic mode: the polish's moves stand for this much of the limit
    deterministic_moves_per_second: int = 20_000  # local-search moves standing in for a second
    deterministic_wall_guard: float = 10.0  # deterministic mode: CP-SAT's wall limit, in time limits

    # --- stopping ---
    hole_caps_min_seconds: float = 1.0  # the refill after dropping meetings for the caps gets at least this
    stop_margin_seconds: float = 0.05  # with less than this left, no further step starts

    # --- repair ---
    repair_move_tries: int = 400  # insertion attempts that may move kept meetings, at a price
    repair_polish_moves_per_meeting: int = 300  # the polish's moves, per meeting it may move (kept ones stay)
    repair_fresh_seconds: float = 1.0  # the quick fresh solve that the repair report compares with


BUDGET = Budget()


class Clock:
    """One solve's clock: the time used and left, and the `Budget`'s shares turned into limits."""

    def __init__(self, options: SolveOptions, budget: Budget, should_stop: StopCheck | None):
        self.start = time.monotonic()
        self.options = options
        self.budget = budget
        self.should_stop = should_stop

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    def remaining(self) -> float:
        return max(0.0, self.options.time_limit - self.elapsed())

    def stopped(self) -> bool:
        """Cancelled, or (outside deterministic mode) too little time left to start a step."""
        if self.should_stop is not None and self.should_stop():
            return True
        return not self.options.deterministic and self.remaining() <= self.budget.stop_margin_seconds

    def seconds(self, share: float) -> float:
        """A share of the time left; unbounded in deterministic mode, where work is bounded instead."""
        return float("inf") if self.options.deterministic else share * self.remaining()

    def polish_seconds(self, share: float) -> float:
        """A polish's wall-clock limit: `share` of the time left, less the reserve for what follows."""
        return max(0.0, share * self.remaining() - self.budget.polish_reserve_seconds)

    def polish_moves(self, work: float) -> int | None:
        """In deterministic mode, the moves a polish may make (`work` of the polishing's total);
        None otherwise, where time alone bounds it."""
        if not self.options.deterministic:
            return None
        b = self.budget
        return int(work * b.polish_limit_fraction * self.options.time_limit * b.deterministic_moves_per_second)

    def hole_caps_seconds(self) -> float:
        """The refill after meetings were dropped for the [fairness] caps: never less than the
        minimum, even past the limit, since the caps must hold in what is returned."""
        if self.options.deterministic:
            return self.seconds(1.0)
        return max(self.budget.hole_caps_min_seconds, self.remaining())

    def cp_sat_limits(self, share: float) -> tuple[float, float | None]:
        """(wall seconds, deterministic seconds or None) for a CP-SAT call given `share`.

        Outside deterministic mode: `share` of the time left. In deterministic mode: `share` of the
        whole limit in deterministic time, with a wall limit only as a guard against a runaway (a
        wall limit that binds would break reproducibility: on a machine loaded three times over, the
        limit plus the time left did bind; callers such as the CLI still stop it at their deadline).
        """
        minimum = self.budget.cp_sat_min_seconds
        if self.options.deterministic:
            guard = self.remaining() + self.budget.deterministic_wall_guard * self.options.time_limit
            return guard, max(minimum, share * self.options.time_limit)
        return max(minimum, share * self.remaining()), None
