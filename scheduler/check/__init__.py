"""The independent checker: every hard rule written once more, sharing no code with the solver.

It imports nothing but the domain types, so a bug in the solver cannot hide from it; every
schedule that leaves the library passes through it.
"""

from scheduler.check.checker import Violation, check_schedule, format_violation, holes

__all__ = ["Violation", "check_schedule", "format_violation", "holes"]
