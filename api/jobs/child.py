"""One solve in a child process, and the parent's side of watching it.

CP-SAT is C++ that no Python thread can interrupt, so a solve never runs in the process that
serves requests or takes tasks: `SolveChild` starts `python -m api.jobs.child`, which runs
`api.jobs.solve.run_job` and writes progress and the result into the database itself. The parent
(the embedded runner's dispatcher, or a procrastinate worker's task) keeps three promises:

* cancel: the child's solver polls the job's cancel flag and stops CP-SAT; a child that has not
  ended `cancel_grace` seconds after the flag was seen is killed;
* a hard wall-clock limit, enforced from *outside* the solver (whose own limit can lag on large
  models): the job's time limit plus `overrun` seconds to load and store, then the child is killed;
* a child never outlives its parent: on Linux the kernel sends it SIGKILL when the parent thread
  that started it ends (PR_SET_PDEATHSIG), and the child also polls its parent's pid each second,
  which covers other systems and the moment before the signal was armed.

The database URL and job travel on the child's stdin, never in its command line (`ps` shows that).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import NamedTuple

from api.jobs import state
from scheduler.lifetime import die_with_parent


@dataclass(frozen=True)
class ChildSpec:
    """What the child needs to run one claimed job."""

    database_url: str
    job_id: str
    solver_workers: int = 0
    progress_interval: float = 0.5
    nice: int = 10  # added to the child's niceness: pages and PDFs go before a solve's CPU


class Verdict(NamedTuple):
    """The parent has to stop the child and settle its job so (state, error)."""

    state: str
    error: str | None


class SolveChild:
    """A started child process running one job, and when the parent must stop it."""

    def __init__(self, spec: ChildSpec, *, time_limit: float, overrun: float, cancel_grace: float):
        self.spec = spec
        self.time_limit = time_limit
        self.overrun = overrun
        self.cancel_grace = cancel_grace
        self.cancel_seen: float | None = None
        self.started = time.monotonic()
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the child; raises OSError when it cannot start."""
        self.started = time.monotonic()
        self._process = subprocess.Popen(
            [sys.executable, "-m", "api.jobs.child", str(os.getpid())],
            stdin=subprocess.PIPE,
            close_fds=True,
        )
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(asdict(self.spec)).encode())
            self._process.stdin.close()
        except OSError:  # it died at once; the exit code tells the rest
            pass

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def is_alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    @property
    def exitcode(self) -> int | None:
        return self._process.poll() if self._process is not None else None

    def verdict(self, *, cancel_requested: bool, exists: bool, now: float | None = None) -> Verdict | None:
        """Whether the parent must stop a live child now, and how its job ends; None: let it run."""
        now = time.monotonic() if now is None else now
        if not exists:  # the job (or its event) was deleted
            return Verdict("cancelled", None)
        if cancel_requested:
            self.cancel_seen = self.cancel_seen or now
            if now - self.cancel_seen >= self.cancel_grace:
                return Verdict("cancelled", None)
        if now - self.started > self.time_limit + self.overrun:
            return Verdict("failed", state.overran(self.time_limit, self.overrun))
        return None

    def stop(self, grace: float = 0.0) -> None:
        """End the child: SIGTERM first when `grace` > 0, SIGKILL after it; waits for it to go."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        if grace > 0:
            process.terminate()
            try:
                process.wait(timeout=grace)
                return
            except subprocess.TimeoutExpired:
                pass
        process.kill()
        process.wait(timeout=30)

    def exit_message(self) -> str:
        return f"the solver process stopped unexpectedly (exit code {self.exitcode}); start the solve again"


# --- the child's side ----------------------------------------------------------------------------


def main() -> None:
    die_with_parent(int(sys.argv[1]))
    spec = ChildSpec(**json.loads(sys.stdin.buffer.read()))
    os.nice(spec.nice)  # a solve is batch work: the web process answering people comes first
    from api.jobs.solve import run_job  # after the parent watch is armed: importing the solver takes a while

    run_job(spec.database_url, spec.job_id, spec.solver_workers, spec.progress_interval)


if __name__ == "__main__":
    main()
