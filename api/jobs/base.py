"""What the web app needs from whatever runs solves (the embedded process pool or procrastinate)."""

from __future__ import annotations

from typing import Protocol


class JobRunner(Protocol):
    """The web process writes a job row in state "queued", then tells the runner."""

    def start(self) -> None:
        """Begin taking jobs; first settle jobs left "running" by a server that stopped."""

    def submit(self, job_id: str) -> None:
        """A job row in state "queued" exists; run it when there is capacity."""

    def cancel(self, job_id: str, *, immediately: bool = False) -> None:
        """The job's cancel flag is set; make sure it stops (at once when `immediately`)."""

    def shutdown(self) -> None:
        """Stop taking jobs; settle whatever this process itself runs."""
