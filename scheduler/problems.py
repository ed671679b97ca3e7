"""One record shape for every input problem, warning and rule violation.

The CLI prints these, the API returns them as JSON; both get the same pointer to what to fix:
a file / row / column for input, people / slot for a schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # only for types: this module stays importable without the checker
    from scheduler.check.checker import Violation
    from scheduler.domain import Schedule

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    severity: Severity
    code: str  # short machine-readable kind, e.g. "unknown_participant"
    message: str  # a sentence for a person
    file: str | None = None
    row: int | None = None  # as the user sees it in a spreadsheet: header is row 1
    column: str | None = None

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.row is not None:
                where += f", row {self.row}"
            if self.column:
                where += f", column '{self.column}'"
            where += ": "
        return f"{self.severity}: {where}{self.message}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SHOWN_PER_KIND = 50  # the records of one kind (severity and code) a listing shows before it summarises


def summarised(problems: Sequence[Problem], per_kind: int = SHOWN_PER_KIND) -> list[Problem]:
    """`problems` for a person to read: at most `per_kind` records of each kind (severity and code),
    in their order, then one record per kind saying how many more there are. A file with a
    million bad rows gives a page of them and a count, not a million records to send and store."""
    seen: dict[tuple[str, str], int] = {}
    shown: list[Problem] = []
    for p in problems:
        kind = (p.severity, p.code)
        seen[kind] = seen.get(kind, 0) + 1
        if seen[kind] <= per_kind:
            shown.append(p)
    for (severity, code), count in seen.items():
        if count > per_kind:
            first = next(p for p in problems if (p.severity, p.code) == (severity, code))
            more = count - per_kind
            shown.append(
                Problem(
                    first.severity,
                    code,
                    f"… and {more:,} more like this ({count:,} in all), not listed one by one",
                    first.file,
                )
            )
    return shown


class MatchdayError(Exception):
    """Base for every error a user can cause; carries a readable message."""


class EventError(MatchdayError):
    """The event's files are invalid; `problems` lists every error found (and the warnings)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__(f"{len(errors)} problem(s) in the event files:\n" + "\n".join(str(p) for p in errors))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class NoScheduleError(MatchdayError):
    """No schedule could be produced: infeasible, or none found within the time limit."""

    def __init__(self, reason: str, details: list[str] | None = None, infeasible: bool = False):
        self.reason = reason
        self.details = details or []
        self.infeasible = infeasible
        super().__init__(reason + ("".join("\n  - " + d for d in self.details)))


class InvalidScheduleError(Exception):
    """A bug in matchday: the solver produced a schedule that the independent checker rejects.

    Raised instead of returning the schedule, so that it is never written, stored or published.
    Not a `MatchdayError`: nothing the user did causes it, and no handler of user errors should
    turn it into "bad input". `schedule` is kept for inspection, `violations` name each broken rule.
    """

    def __init__(self, violations: Sequence[Violation], schedule: Schedule):
        self.violations = tuple(violations)
        self.schedule = schedule
        n = len(self.violations)
        super().__init__(
            f"internal error (a bug in matchday; please report it with the event's files and the solve's "
            f"options): the solver's schedule breaks {n} hard rule{'s' if n != 1 else ''} according to the "
            "independent checker, so it was not published:" + "".join(f"\n  - {v}" for v in self.violations)
        )


class Problems:
    """Collects problems while loading, so that all of them are reported at once."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def error(
        self, code: str, message: str, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.items.append(Problem("error", code, message, file, row, column))

    def warn(
        self, code: str, message: str, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.items.append(Problem("warning", code, message, file, row, column))

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.items)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise EventError(list(self.items))
