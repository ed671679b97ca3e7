"""The organiser's schedule page at the 1,500-person size: how long a GET takes and how big it is.

The event is the size run's 1500 event (`runner.case_for(1500)`), solved once with the
heuristics only (`cp_sat=False`, a few seconds: the page's cost does not depend on how good
the schedule is), stored in a fresh SQLite database through the real app, and the browser signed
in through its organiser link. Each kind of page is fetched `ROUNDS` times through the ASGI app
in-process (starlette's TestClient: no network, so the figures are the server's own work:
loading rows, the cached parse, building and rendering the grid). The first fetch of all warms
the per-process caches of the parsed event and schedule, as any earlier page of the event would.

Bar: the default schedule page answers in under 1 s (median).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generator import write_event
from benchmarks.runner import Bar, Log, Table, case_for

ROUNDS = 7
BAR_SECONDS = 1.0


@dataclass(frozen=True)
class PageTiming:
    page: str
    path: str
    median: float
    worst: float
    kilobytes: float


def run_web(work: Path, log: Log = lambda _m: None) -> tuple[Table, list[Bar]]:
    """Time the schedule pages of the 1,500-person event; returns the table and the bar."""
    from starlette.testclient import TestClient

    import scheduler
    from api import service
    from api.app import create_app
    from api.settings import Settings
    from api.storage import EventRow

    case = case_for(1500)
    folder = write_event(work / "event-1500", case.spec())
    log(f"web: solving the {case.label} event with the heuristics only")
    event = scheduler.load(folder).event
    started = time.perf_counter()
    schedule = scheduler.solve(event, scheduler.SolveOptions(time_limit=10, cp_sat=False)).schedule
    solve_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{Path(tmp) / 'web.sqlite'}")
        with TestClient(create_app(settings)) as client:
            files = {
                name: (f"{name}.csv", (folder / f"{name}.csv").read_bytes()) for name in ("participants", "wishes")
            }
            files["event"] = ("event.toml", (folder / "event.toml").read_bytes())
            created = client.post("/api/events", files=files)
            created.raise_for_status()
            event_id, token = created.json()["id"], created.json()["organiser_token"]
            with client.app.state.db.sessions() as session:  # type: ignore[attr-defined]
                row = session.get(EventRow, event_id)
                assert row is not None
                service.add_schedule_version(
                    session=session, row=row, event=service.load_event(row), schedule=schedule, kind="solve"
                )
                session.commit()
            client.get(f"/o/{token}", headers={"Accept": "text/html"}, follow_redirects=False)
            someone = schedule.meetings[len(schedule.meetings) // 2]
            person = event.participants[someone.a]
            pages = [
                ("default (day 1, tables 1–25)", ""),
                ("last page of tables", "?day=1&page=99"),
                ("a person highlighted", f"?person={someone.a}"),
                ("search by organisation", f"?q={person.organisation.split()[0]}"),
                ("a meeting selected (move targets)", f"?select={someone.a}~{someone.b}"),
            ]
            client.get(f"/events/{event_id}/schedule", headers={"Accept": "text/html"})  # warm the caches
            timings = [_time(client, f"/events/{event_id}/schedule", label, query) for label, query in pages]
    rows = [
        {
            "page": t.page,
            "query": t.path or "–",
            "median ms": round(t.median * 1000),
            "worst ms": round(t.worst * 1000),
            "size kB": round(t.kilobytes),
        }
        for t in timings
    ]
    table = Table(
        title="Organiser's schedule page, 1,500 participants",
        columns=["page", "query", "median ms", "worst ms", "size kB"],
        rows=rows,
        header=[
            f"{len(event.participants)} participants, {len(schedule)} meetings, {len(event.slots)} slots, "
            f"{event.tables} shared tables; heuristic solve {solve_seconds:.1f} s; {ROUNDS} GETs per page, in-process"
        ],
    )
    default = timings[0]
    bar = Bar(
        name="schedule page answers fast",
        target=f"median < {BAR_SECONDS:g} s",
        measured=f"{default.median * 1000:.0f} ms, {default.kilobytes:.0f} kB",
        passed=default.median < BAR_SECONDS,
    )
    return table, [bar]


def _time(client: object, path: str, label: str, query: str) -> PageTiming:
    seconds = []
    size = 0
    for _ in range(ROUNDS):
        started = time.perf_counter()
        r = client.get(path + query, headers={"Accept": "text/html"})  # type: ignore[attr-defined]
        seconds.append(time.perf_counter() - started)
        assert r.status_code == 200, r.text[:500]
        size = len(r.content)
    return PageTiming(label, query, statistics.median(seconds), max(seconds), size / 1024)
