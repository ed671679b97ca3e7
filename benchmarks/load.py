"""python -m benchmarks.load [--mode embedded|distributed] [--events 20] [--size 120] [--time-limit 8]

The service under load and faults (issue 12), as an operator runs it, every process real:

- load: N events submitted at once (all must end `done`), and meanwhile 200 participant agenda
  pages and 50 agenda PDFs fetched by 8 clients (p50, p95, max, errors); the peak memory of every
  process of the service together (web, workers, solver children), sampled every 0.2 s;
- faults: kill -9 of the web process mid-solve (the solver child must not outlive it, the job
  settles after a restart, no version is half-stored); in the distributed mode also kill -9 of a
  worker mid-solve (the job is taken up again) and the database connections killed mid-write
  (PostgreSQL's pg_terminate_backend while edits are written: every stored version whole).

`embedded` is `python -m api` on SQLite (solves in its own worker processes); `distributed` is
two web processes and `--workers` workers (`python -m api.worker`) on PostgreSQL (`--database-url`,
by default the one scripts/setup.sh made). Prints one table per part; exit status 1 if a bar fails.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import requests
from rich.console import Console
from rich.table import Table

from benchmarks.generator import GeneratorSpec, build_event

REPO = Path(__file__).resolve().parent.parent
BAR_PAGE_P95 = 0.300  # seconds
BAR_PDF_P95 = 2.0
START_TIMEOUT = 60.0
JOB_TIMEOUT = 600.0
FAULT_SIZE = 300  # people of the events the faults strike: a solve that is still busy when they do


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    errors: int = 0
    failures: dict[str, int] = field(default_factory=dict)  # what the errors were: status or exception

    def row(self, name: str) -> list[str]:
        s = sorted(self.seconds)
        if not s:
            return [name, "0", "-", "-", "-", str(self.errors)]
        p95 = s[min(len(s) - 1, round(0.95 * (len(s) - 1)))]
        return [
            name,
            str(len(s)),
            f"{statistics.median(s) * 1000:.0f}",
            f"{p95 * 1000:.0f}",
            f"{s[-1] * 1000:.0f}",
            str(self.errors),
        ]

    @property
    def p95(self) -> float:
        s = sorted(self.seconds)
        return s[min(len(s) - 1, round(0.95 * (len(s) - 1)))] if s else float("inf")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """The processes of one running service: web processes (with their base URLs) and workers."""

    directory: Path
    env: dict[str, str]
    webs: list[tuple[subprocess.Popen[bytes], str]] = field(default_factory=list)
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_web(self) -> str:
        port = _free_port()
        log = (self.directory / f"web-{port}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "api"],
            cwd=REPO,
            env=dict(self.env, MATCHDAY_HOST="127.0.0.1", MATCHDAY_PORT=str(port)),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the web process exited; see {log.name}")
            try:
                if requests.get(url + "/openapi.json", timeout=2).ok:
                    self.webs.append((process, url))
                    return url
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"{url} did not answer within {START_TIMEOUT:.0f} s")

    def start_worker(self) -> subprocess.Popen[bytes]:
        log = (self.directory / f"worker-{len(self.workers)}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", "api.worker"], cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.workers.append(process)
        return process

    def processes(self) -> list[psutil.Process]:
        found = []
        for process in [p for p, _ in self.webs] + self.workers:
            try:
                root = psutil.Process(process.pid)
                found += [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return found

    def rss_mb(self) -> float:
        total = 0
        for process in self.processes():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total / 1e6

    def stop(self) -> None:
        for process in [p for p, _ in self.webs] + self.workers:
            if process.poll() is None:
                process.terminate()
        for process in [p for p, _ in self.webs] + self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def peak_memory(service: Service) -> Iterator[Callable[[], float]]:
    peak = [0.0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], service.rss_mb())
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: peak[0]
    finally:
        stop.set()
        thread.join()


@dataclass
class Created:
    url: str
    event_id: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def create_event(url: str, size: int, seed: int) -> Created:
    generated = build_event(GeneratorSpec(participants=size, wishes=size * 6, seed=seed, name=f"Load {seed}"))
    files = {
        "event": ("event.toml", generated.event_toml),
        "participants": ("participants.csv", generated.participants_csv),
        "wishes": ("wishes.csv", generated.wishes_csv),
    }
    answer = requests.post(url + "/api/events", files=files, timeout=120)
    answer.raise_for_status()
    body = answer.json()
    return Created(url, body["id"], body["organiser_token"])


def submit(event: Created, time_limit: float, publish: bool = False) -> str:
    answer = requests.post(
        f"{event.url}/api/events/{event.event_id}/solve",
        json={"time_limit": time_limit, "publish": publish},
        headers=event.auth,
        timeout=60,
    )
    answer.raise_for_status()
    return str(answer.json()["status_url"])


def job_state(status_url: str, event: Created) -> dict[str, Any]:
    return dict(requests.get(status_url, headers=event.auth, timeout=30).json())


def wait_done(jobs: Sequence[tuple[Created, str]], timeout: float = JOB_TIMEOUT) -> dict[str, int]:
    """Poll every job until it settles; the count of final states."""
    states: dict[str, str] = {}
    deadline = time.monotonic() + timeout
    while len(states) < len(jobs) and time.monotonic() < deadline:
        for event, status_url in jobs:
            if status_url not in states:
                state = job_state(status_url, event)["state"]
                if state in ("done", "failed", "cancelled"):
                    states[status_url] = state
        time.sleep(0.5)
    counts: dict[str, int] = {}
    for _, status_url in jobs:
        final = states.get(status_url, "unsettled")
        counts[final] = counts.get(final, 0) + 1
    return counts


def _timed_get(url: str, latencies: Latencies, lock: threading.Lock) -> None:
    started = time.perf_counter()
    try:
        outcome = str(requests.get(url, timeout=60).status_code)
    except requests.RequestException as exc:
        outcome = type(exc).__name__
    elapsed = time.perf_counter() - started
    with lock:
        if outcome == "200":
            latencies.seconds.append(elapsed)
        else:
            latencies.errors += 1
            latencies.failures[outcome] = latencies.failures.get(outcome, 0) + 1


def load_part(service: Service, urls: Sequence[str], args: argparse.Namespace, console: Console) -> bool:
    agenda_event = create_event(urls[0], args.size, seed=1000)
    wait_done([(agenda_event, submit(agenda_event, args.time_limit, publish=True))])
    people = requests.get(
        f"{agenda_event.url}/api/events/{agenda_event.event_id}/participants", headers=agenda_event.auth, timeout=60
    ).json()["data"]
    links = [p["agenda_url"] for p in people]
    events = [create_event(urls[i % len(urls)], args.size, seed=i) for i in range(args.events)]
    pages, pdfs, lock = Latencies(), Latencies(), threading.Lock()
    pdf_links = [links[(7 * i) % len(links)] + ".pdf" for i in range(0, 200, 4)]
    load_before = os.getloadavg()[0]
    with peak_memory(service) as peak:
        started = time.monotonic()
        jobs = [(event, submit(event, args.time_limit)) for event in events]
        time.sleep(1.0)  # the solves are under way
        with ThreadPoolExecutor(8) as pool:
            for i in range(200):
                pool.submit(_timed_get, links[i % len(links)], pages, lock)
                if i % 4 == 0:
                    pool.submit(_timed_get, pdf_links[i // 4], pdfs, lock)
        load_during = os.getloadavg()[0]  # the 1-minute average over the requests' burst
        counts = wait_done(jobs)
        total = time.monotonic() - started
        peak_mb = peak()
    table = Table(
        title=f"Load ({args.mode}): {args.events} events of {args.size} people at once, {args.time_limit:g} s solves"
    )
    for column in ("requests", "n", "p50 ms", "p95 ms", "max ms", "errors"):
        table.add_column(column, justify="right" if column != "requests" else "left")
    table.add_row(*pages.row("agenda page"))
    table.add_row(*pdfs.row("agenda PDF"))
    console.print(table)
    console.print(
        f"{len(pdf_links)} PDF requests for {len(set(pdf_links))} people (a repeat may find the first one's PDF "
        f"kept); load average {load_before:.1f} before, {load_during:.1f} after the requests on "
        f"{os.cpu_count()} cores (other programs' load inflates these times)"
    )
    for name, latencies in (("agenda page", pages), ("agenda PDF", pdfs)):
        if latencies.failures:
            console.print(f"{name} errors: {latencies.failures} (the service's log: {service.directory})")
    all_done = counts.get("done", 0) == args.events
    console.print(
        f"solves: {counts} in {total:.0f} s; peak memory of the service's processes {peak_mb:.0f} MB "
        f"({len(service.webs)} web, {len(service.workers)} workers)"
    )
    bars = {
        "all done": all_done,
        f"page p95 < {BAR_PAGE_P95 * 1000:.0f} ms": pages.p95 < BAR_PAGE_P95,
        f"PDF p95 < {BAR_PDF_P95:g} s": pdfs.p95 < BAR_PDF_P95,
        "no errors": pages.errors + pdfs.errors == 0,
    }
    console.print("bars: " + "; ".join(f"{name} {'PASS' if passed else 'FAIL'}" for name, passed in bars.items()))
    return all(bars.values())


def _versions_whole(event: Created) -> tuple[int, int]:
    """(versions, whole ones): each listed version must load as a schedule and as its CSV."""
    listed = requests.get(f"{event.url}/api/events/{event.event_id}/schedules", headers=event.auth, timeout=60).json()
    numbers = [v["version"] for v in listed]
    whole = 0
    for number in numbers:
        one = requests.get(
            f"{event.url}/api/events/{event.event_id}/schedules/{number}", headers=event.auth, timeout=60
        )
        csv = requests.get(
            f"{event.url}/api/events/{event.event_id}/schedules/{number}.csv", headers=event.auth, timeout=60
        )
        whole += one.ok and csv.ok and "meetings" in one.json()
    return len(numbers), whole


def _wait_running(event: Created, status_url: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while job_state(status_url, event)["state"] != "running":
        if time.monotonic() > deadline:
            raise RuntimeError("the solve never started")
        time.sleep(0.2)


def kill_web_part(service: Service, args: argparse.Namespace) -> list[str]:
    """kill -9 of the web process mid-solve: orphans, settling, versions."""
    url = service.webs[0][1]
    event = create_event(url, FAULT_SIZE, seed=2000)
    wait_done([(event, submit(event, 3))])
    status_url = submit(event, 120)
    _wait_running(event, status_url)
    time.sleep(1.0)
    web = service.webs[0][0]
    children = [c.pid for c in psutil.Process(web.pid).children(recursive=True)]
    if args.mode == "distributed":
        children += [c.pid for w in service.workers for c in psutil.Process(w.pid).children(recursive=True)]
    web.send_signal(signal.SIGKILL)
    web.wait()
    service.webs.pop(0)
    time.sleep(5.0)
    orphans = [
        pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    restarted_url = service.start_web()
    event = Created(restarted_url, event.event_id, event.token)
    status_url = status_url.replace(url, restarted_url)
    started = time.monotonic()
    state = job_state(status_url, event)["state"]
    while state in ("queued", "running") and time.monotonic() - started < JOB_TIMEOUT:
        time.sleep(0.5)
        state = job_state(status_url, event)["state"]
    settled = time.monotonic() - started
    versions, whole = _versions_whole(event)
    if args.mode == "distributed":  # the solve lives in a worker, not in the killed web process
        outcome = f"job {state} after {settled:.0f} s (workers kept solving)"
    else:
        outcome = f"job {state} {settled:.1f} s after the restart"
    return ["kill -9 web process", outcome, f"{len(orphans)} orphans", f"{whole}/{versions} versions whole"]


def kill_worker_part(service: Service, args: argparse.Namespace) -> list[str]:
    """kill -9 of a worker mid-solve: the job is taken up again by another worker."""
    url = service.webs[0][1]
    event = create_event(url, FAULT_SIZE, seed=3000)
    status_url = submit(event, 20)
    _wait_running(event, status_url)
    time.sleep(1.0)
    deadline = time.monotonic() + 120
    busy = None
    while busy is None and time.monotonic() < deadline:  # the worker whose solver child is up
        busy = next((w for w in service.workers if psutil.Process(w.pid).children(recursive=True)), None)
        time.sleep(0.2)
    if busy is None:
        raise RuntimeError("no worker started a solver process within 120 s")
    children = [c.pid for c in psutil.Process(busy.pid).children(recursive=True)]
    busy.send_signal(signal.SIGKILL)
    busy.wait()
    service.workers.remove(busy)
    service.start_worker()
    time.sleep(5.0)
    orphans = [
        pid for pid in children if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    ]
    counts = wait_done([(event, status_url)])
    attempts = job_state(status_url, event).get("attempts", "?")
    versions, whole = _versions_whole(event)
    return [
        "kill -9 worker",
        f"job {next(iter(counts))}, attempts {attempts}",
        f"{len(orphans)} orphans",
        f"{whole}/{versions} versions whole",
    ]


def kill_connections_part(service: Service, args: argparse.Namespace) -> list[str]:
    """The database connections killed while edits are written: every stored version whole."""
    import psycopg

    url = service.webs[0][1]
    event = create_event(url, args.size, seed=4000)
    wait_done([(event, submit(event, 3))])
    schedule = requests.get(f"{url}/api/events/{event.event_id}/schedule", headers=event.auth, timeout=60).json()
    meetings = schedule["meetings"]
    dsn = args.database_url.replace("postgresql+psycopg://", "postgresql://")
    stop, killed = threading.Event(), [0]

    def killer() -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not stop.is_set():
                rows = conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                ).fetchall()
                killed[0] += len(rows)
                stop.wait(0.3)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    answers: dict[int, int] = {}
    for meeting in meetings[:30]:
        body = {"a": meeting["participant_a"], "b": meeting["participant_b"]}
        try:
            status = requests.post(
                f"{url}/api/events/{event.event_id}/meetings/cancel", json=body, headers=event.auth, timeout=60
            ).status_code
        except requests.RequestException:
            status = 0
        answers[status] = answers.get(status, 0) + 1
    stop.set()
    thread.join()
    versions, whole = _versions_whole(event)
    return [
        "database connections killed mid-write",
        f"{killed[0]} connections killed; answers {dict(sorted(answers.items()))}",
        "-",
        f"{whole}/{versions} versions whole",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=("embedded", "distributed"), default="embedded")
    parser.add_argument("--events", type=int, default=20, help="events solved at once (default 20)")
    parser.add_argument("--size", type=int, default=120, help="participants per event (default 120)")
    parser.add_argument("--time-limit", type=float, default=8.0, help="seconds per solve (default 8)")
    parser.add_argument("--workers", type=int, default=2, help="distributed mode: worker processes (default 2)")
    parser.add_argument("--concurrent", type=int, default=2, help="solves at once per server or worker (default 2)")
    parser.add_argument("--database-url", default="", help="distributed mode: a PostgreSQL URL (default: setup's)")
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args(argv)
    console = Console()
    directory = Path(tempfile.mkdtemp(prefix="matchday-load-"))  # kept when a bar fails: the logs are there
    ok = False
    env = {**os.environ, "MATCHDAY_MAX_CONCURRENT_JOBS": str(args.concurrent), "MATCHDAY_SOLVER_WORKERS": "1"}
    if args.mode == "embedded":
        env["MATCHDAY_DATABASE_URL"] = f"sqlite:///{directory / 'matchday.db'}"
    else:
        args.database_url = args.database_url or _fresh_postgres_database()
        env["MATCHDAY_DATABASE_URL"] = args.database_url
        env["MATCHDAY_JOB_ENGINE"] = "procrastinate"  # the web processes enqueue; the workers solve
        env["MATCHDAY_SECRET_KEY"] = uuid.uuid4().hex  # one link key for every process of the service
        env["MATCHDAY_WORKER_HEARTBEAT_SECONDS"] = "1"
        env["MATCHDAY_WORKER_STALLED_SECONDS"] = "8"
    service = Service(directory, env)
    try:
        urls = [service.start_web()]
        if args.mode == "distributed":
            urls.append(service.start_web())
            for _ in range(args.workers):
                service.start_worker()
        ok = load_part(service, urls, args, console)
        if not args.skip_faults:
            rows = [kill_web_part(service, args)]
            if args.mode == "distributed":
                rows.append(kill_worker_part(service, args))
                rows.append(kill_connections_part(service, args))
            table = Table(title=f"Faults ({args.mode})")
            for column in ("fault", "outcome", "orphans", "versions"):
                table.add_column(column)
            for row in rows:
                table.add_row(*row)
            console.print(table)
            ok = ok and all(row[2] in ("0 orphans", "-") for row in rows)
            ok = ok and all(row[3].split("/")[0] == row[3].split("/")[1].split()[0] for row in rows)
    finally:
        service.stop()
    if ok:
        shutil.rmtree(directory, ignore_errors=True)
    else:
        console.print(f"the service's logs and database: {directory}")
    return 0 if ok else 1


def _fresh_postgres_database() -> str:
    """A new database on the server scripts/setup.sh started (its URL in .venv/postgres-test-url)."""
    import psycopg

    base = os.environ.get("MATCHDAY_TEST_DATABASE_URL") or (REPO / ".venv" / "postgres-test-url").read_text().strip()
    name = f"matchday_load_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + "/" + name


if __name__ == "__main__":
    sys.exit(main())
