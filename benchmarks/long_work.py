"""python -m benchmarks.long_work [--people 10000] [--wishes 300000] [--agendas 300]

Long work away from the request (issue 12, findings 2 and 9), against a fresh `python -m api`
(SQLite, embedded engine) on a free port of 127.0.0.1:

1. a big upload (a participants and a wishes file at the service's limits): how long its request
   takes, how long until the event exists, the web process's peak RSS (and its children's), and
   another organiser's writes meanwhile (statuses, slowest);
2. a whole new participants file for that event (PUT /api/events/{id}/files: 1 % of the people
   changed, up to 1 % more within the limit of 10,000): how long its request takes, how long until
   it is stored, the web process's RSS meanwhile (sampled) and peak so far, and another
   organiser's writes meanwhile;
3. everyone's agendas of an event of `--agendas` people: when the first answer comes, when the PDF
   is in hand, and a cheap request (GET the event) meanwhile (p50 / p95 / max, errors).

Run it on an idle machine, from the repository root, beside `uptime`: the figures depend on the load.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import httpx2
import psutil  # type: ignore[import-untyped]

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "api_data"


def _start(directory: Path) -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {**os.environ, "MATCHDAY_DATABASE_URL": f"sqlite:///{directory / 'matchday.db'}", "MATCHDAY_PORT": str(port)}
    log = (directory / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "api"], cwd=REPO, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx2.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except httpx2.HTTPError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the service did not start; see {directory / 'server.log'}")


def _peak_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


def _sample_files(**replace: bytes) -> dict[str, tuple[str, bytes]]:
    names = {"event": "event.toml", "participants": "participants.csv", "wishes": "wishes.csv"}
    return {k: (n, replace.get(k) or (SAMPLE / n).read_bytes()) for k, n in names.items()}


def _big_files(people: int, wishes: int) -> tuple[bytes, bytes]:
    rng = random.Random(1)
    participants = "id,name,organisation\n" + "".join(f"p{i},Person {i},Org {i % 500}\n" for i in range(people))
    seen: set[tuple[int, int]] = set()
    rows: list[str] = []
    while len(rows) < wishes:
        a, b = rng.randrange(people), rng.randrange(people)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            rows.append(f"p{a},p{b},{rng.randint(1, 3)}\n")
    return participants.encode(), ("requester,target,priority\n" + "".join(rows)).encode()


def _follow(client: httpx2.Client, url: str, headers: dict[str, str]) -> dict[str, Any]:
    while True:
        body: dict[str, Any] = client.get(url, headers=headers).json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.5)


def _meanwhile(action: Callable[[], None]) -> tuple[threading.Event, threading.Thread, list[float], list[str]]:
    """Run `action` every 0.2 s in a thread until the event is set: its durations and errors."""
    stop, durations, errors = threading.Event(), [], []

    def loop() -> None:
        while not stop.is_set():
            start = time.monotonic()
            try:
                action()
                durations.append(time.monotonic() - start)
            except Exception as exc:  # noqa: BLE001 - counted and shown
                errors.append(str(exc)[:80])
            time.sleep(0.2)

    thread = threading.Thread(target=loop)
    thread.start()
    return stop, thread, durations, errors


def upload_part(url: str, pid: int, people: int, wishes: int) -> tuple[list[str], tuple[str, dict[str, str]] | None]:
    """The big upload's lines, and the event it made (id, organiser headers) when it was stored."""
    client = httpx2.Client(base_url=url, timeout=900)
    other = client.post("/api/events", files=_sample_files()).json()
    other_headers = {"Authorization": f"Bearer {other['organiser_token']}"}
    writer = httpx2.Client(base_url=url, timeout=120)

    def write() -> None:
        r = writer.post(f"/api/events/{other['id']}/participants/p1/link", headers=other_headers)
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code}")

    participants, wish_rows = _big_files(people, wishes)
    stop, thread, durations, errors = _meanwhile(write)
    start = time.monotonic()
    r = client.post("/api/events", files=_sample_files(participants=participants, wishes=wish_rows))
    request_s = time.monotonic() - start
    outcome = f"{r.status_code}"
    made = None
    if r.status_code == 202:
        headers = {"Authorization": f"Bearer {r.json()['organiser_token']}"}
        settled = _follow(client, r.json()["status_url"], headers)
        outcome += f" → {settled['state']}"
        if settled["state"] == "done":
            made = (settled["event_id"], headers)
    total_s = time.monotonic() - start
    time.sleep(1.0)
    stop.set()
    thread.join()
    children = [_peak_mb(c.pid) for c in psutil.Process(pid).children()]
    return [
        f"upload of {people:,} people and {wishes:,} wishes "
        f"({(len(participants) + len(wish_rows)) / 1e6:.1f} MB): answer {outcome}",
        f"  request {request_s:.2f} s; event stored after {total_s:.1f} s",
        f"  web process peak RSS {_peak_mb(pid)} MB; its children's peaks {children} MB",
        f"  another organiser's writes meanwhile: {len(durations)} ok, {len(errors)} failed {errors[:3]}, "
        f"slowest {max(durations, default=0):.2f} s",
    ], made


def replace_part(url: str, pid: int, event: tuple[str, dict[str, str]], people: int) -> list[str]:
    """A whole new participants file for the event of `upload_part`: every 100th person's organisation
    changed and `people // 100` newcomers as far as the default limit of 10,000 people allows (the
    wishes stay as they are)."""
    event_id, headers = event
    client = httpx2.Client(base_url=url, timeout=900)
    other = client.post("/api/events", files=_sample_files()).json()
    other_headers = {"Authorization": f"Bearer {other['organiser_token']}"}
    writer = httpx2.Client(base_url=url, timeout=120)
    web = psutil.Process(pid)
    rss: list[int] = []

    def write() -> None:
        rss.append(web.memory_info().rss // 2**20)
        r = writer.post(f"/api/events/{other['id']}/participants/p1/link", headers=other_headers)
        if r.status_code != 200:
            raise RuntimeError(f"{r.status_code}")

    rows = [f"p{i},Person {i},Org {i % 500}{' (new name)' if i % 100 == 0 else ''}\n" for i in range(people)]
    room = max(0, 10_000 - people)  # the service's default limit of participants
    rows += [f"n{i},Newcomer {i},Org {i % 500}\n" for i in range(min(people // 100, room))]
    participants = ("id,name,organisation\n" + "".join(rows)).encode()
    stop, thread, durations, errors = _meanwhile(write)
    start = time.monotonic()
    r = client.put(
        f"/api/events/{event_id}/files", files={"participants": ("participants.csv", participants)}, headers=headers
    )
    request_s = time.monotonic() - start
    outcome = f"{r.status_code}"
    if r.status_code == 202:
        settled = _follow(client, r.json()["status_url"], headers)
        outcome += f" → {settled['state']} (revision {settled['event_revision']})"
        if settled["state"] == "failed":
            outcome += f": {settled['detail']} {settled['problems'][:2]}"
    total_s = time.monotonic() - start
    time.sleep(1.0)
    stop.set()
    thread.join()
    return [
        f"new participants file for it ({len(rows):,} people, {len(participants) / 1e6:.1f} MB): answer {outcome}",
        f"  request {request_s:.2f} s; stored after {total_s:.1f} s",
        f"  web process RSS meanwhile at most {max(rss, default=0)} MB (sampled); peak so far {_peak_mb(pid)} MB",
        f"  another organiser's writes meanwhile: {len(durations)} ok, {len(errors)} failed {errors[:3]}, "
        f"slowest {max(durations, default=0):.2f} s",
    ]


def agendas_part(url: str, people: int) -> list[str]:
    from tests.api_helpers import big_event  # the tests' generated event

    client = httpx2.Client(base_url=url, timeout=900)
    files = big_event(people=people, wishes_each=8)
    created = client.post("/api/events", files={k: (k, v) for k, v in files.items()}).json()
    headers = {"Authorization": f"Bearer {created['organiser_token']}"}
    event_id = created["id"]
    job = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 10, "publish": True}, headers=headers)
    _follow(client, f"/api/jobs/{job.json()['job_id']}", headers)
    cheap = httpx2.Client(base_url=url, timeout=60)

    def read() -> None:
        if cheap.get(f"/api/events/{event_id}", headers=headers).status_code != 200:
            raise RuntimeError("not 200")

    stop, thread, durations, errors = _meanwhile(read)
    start = time.monotonic()
    r = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
    first = (r.status_code, time.monotonic() - start)
    while r.status_code == 202:
        time.sleep(1.0)
        r = client.get(f"/api/events/{event_id}/agendas.pdf", headers=headers)
    total = time.monotonic() - start
    stop.set()
    thread.join()
    durations.sort()
    p95 = durations[max(0, int(0.95 * len(durations)) - 1)] if durations else 0.0
    return [
        f"all agendas of {people} people: first answer {first[0]} after {first[1]:.1f} s, "
        f"the PDF ({len(r.content) // 1024} KB) in hand after {total:.1f} s",
        f"  GET the event meanwhile: n={len(durations)} p50 {statistics.median(durations) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms, max {durations[-1] * 1000:.0f} ms, errors {len(errors)}",
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.long_work", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000, help="participants of the big upload")
    parser.add_argument("--wishes", type=int, default=300_000, help="wishes of the big upload")
    parser.add_argument("--agendas", type=int, default=300, help="people of the all-agendas event")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="matchday-long-work-") as folder:
        process, url = _start(Path(folder))
        try:
            print(f"load average {os.getloadavg()[0]:.2f}")
            lines, event = upload_part(url, process.pid, args.people, args.wishes)
            if event is not None:
                lines += replace_part(url, process.pid, event, args.people)
            for line in lines + agendas_part(url, args.agendas):
                print(line, flush=True)
            print(f"load average {os.getloadavg()[0]:.2f}")
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
