"""The solve page reads each phase the solver reports out as a sentence (aria-live): a phase the
solver gains must gain its sentence too, or screen readers hear only "Solving."."""

from api.web.overview import PHASES
from scheduler import SolveOptions, load, solve


def test_every_phase_a_solve_reports_has_a_sentence() -> None:
    event = load("sample_events/buyer-seller-day").event
    phases: set[str] = set()
    solve(event, SolveOptions(time_limit=3.0, workers=2), progress=lambda p: phases.add(p.phase))
    assert phases, "the solve reported no progress"
    assert phases <= PHASES.keys(), sorted(phases - PHASES.keys())
