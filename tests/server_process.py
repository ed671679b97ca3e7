"""The real service (`python -m api`, uvicorn) and its workers (`python -m api.worker`) as child
processes, for the browser tests, the README walk-through test and the job-engine tests.

A browser test must see what an organiser sees: the app as `python -m api` starts it (settings from
the environment, migrations on start, solves in worker processes), not a TestClient.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
START_TIMEOUT = 60.0  # seconds; generous, since the machine is shared and the first start migrates
STOP_TIMEOUT = 15.0  # seconds between terminate and kill: running solves are cancelled on shutdown
PORT_ATTEMPTS = 3  # a free port can be taken by another process between finding it and binding it


class ServerDidNotStart(RuntimeError):
    """The service exited or never answered; the message carries the end of its log."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _tail(path: Path, lines: int = 40) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    return "\n".join(text.splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate (uvicorn shuts down cleanly on SIGTERM), and kill what does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _start(
    directory: Path, port: int, env: Mapping[str, str], log_path: Path, module: str = "api"
) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", module],
            # The directory is the working directory too: a developer's .env in the repository
            # (read by pydantic-settings from the working directory) must not leak into the test.
            cwd=directory,
            env=dict(env, MATCHDAY_HOST=HOST, MATCHDAY_PORT=str(port)),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait_until_up(process: subprocess.Popen[bytes], base_url: str, log_path: Path) -> bool:
    """True once the service answers; False if it exited (e.g. its port was taken meanwhile)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if _answers(base_url + "/openapi.json"):
            return True
        time.sleep(0.1)
    _stop(process)
    raise ServerDidNotStart(f"{base_url} did not answer within {START_TIMEOUT:.0f} s; its log:\n{_tail(log_path)}")


@dataclass(frozen=True)
class Server:
    """A started service: its base URL (no trailing slash), process and log file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path


def _environment(directory: Path, extra_env: Mapping[str, str] | None) -> dict[str, str]:
    database = directory / "matchday.db"
    return {
        **os.environ,
        "MATCHDAY_DATABASE_URL": f"sqlite:///{database.resolve()}",  # absolute path: sqlite:////…
        # One CP-SAT worker per solve: the tests share two cores with the xdist workers.
        "MATCHDAY_SOLVER_WORKERS": "1",
        **(extra_env or {}),
    }


@contextmanager
def started_server(
    directory: Path, extra_env: Mapping[str, str] | None = None, name: str = "server"
) -> Iterator[Server]:
    """Start `python -m api` on a free port of 127.0.0.1, by default with a new SQLite database in
    `directory`; yield it once it answers; stop it on exit (a test may have killed it already).

    `extra_env` adds or overrides MATCHDAY_* settings (see api/settings.py); `name` names its log."""
    log_path = directory / f"{name}.log"
    env = _environment(directory, extra_env)
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        base_url = f"http://{HOST}:{port}"
        process = _start(directory, port, env, log_path)
        try:
            if not _wait_until_up(process, base_url, log_path):
                continue  # exited during start: try another port, the log says why if all fail
            yield Server(base_url, process, log_path)
            return
        finally:
            _stop(process)
    raise ServerDidNotStart(f"`python -m api` exited during start {PORT_ATTEMPTS} times; its log:\n{_tail(log_path)}")


@contextmanager
def running_server(directory: Path, extra_env: Mapping[str, str] | None = None) -> Iterator[str]:
    """`started_server`, yielding only its base URL."""
    with started_server(directory, extra_env) as server:
        yield server.url


@contextmanager
def started_worker(directory: Path, extra_env: Mapping[str, str], name: str = "worker") -> Iterator[Server]:
    """Start `python -m api.worker` with the same settings as `started_server`; its `url` is empty.
    It needs a PostgreSQL MATCHDAY_DATABASE_URL in `extra_env`. Stopped on exit."""
    log_path = directory / f"{name}.log"
    process = _start(directory, 0, _environment(directory, extra_env), log_path, module="api.worker")
    try:
        yield Server("", process, log_path)
    finally:
        _stop(process)


def log_tail(server: Server, lines: int = 40) -> str:
    return _tail(server.log_path, lines)
