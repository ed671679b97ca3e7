"""Browser tests: Debian's chromium, driven by Playwright (pytest-playwright), against the real
service on 127.0.0.1.

What every test in this folder gets:
- the `browser` marker (added at collection);
- `live_server`: the base URL of `python -m api` with a new SQLite database, one per pytest
  session (so one per xdist worker); pytest-playwright's `base_url` is set to it, so
  `page.goto("/docs")` works;
- pytest-playwright's `page` / `context` / `new_context`, launched from /usr/bin/chromium (never a
  downloaded browser), whose contexts abort every request that does not go to 127.0.0.1: the test
  fails, listing them (`outside_requests`);
- `accessibility.assert_accessible(page)` for the axe-core check.

Without /usr/bin/chromium the tests are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from network_guard import OutsideRequests
from playwright.sync_api import BrowserContext
from server_process import running_server

HERE = Path(__file__).resolve().parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's `chromium`, installed by scripts/setup.sh
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # tests run as root here, where chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _in_ci() -> bool:
    return os.environ.get("CI") == "true"


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.is_file():
        return f"{CHROMIUM} not found: Debian's chromium is installed by scripts/setup.sh (apt-get install chromium)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not executable"
    return None


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problem = chromium_problem()
    for item in items:
        if HERE not in item.path.parents:
            continue
        item.add_marker(pytest.mark.browser)
        if problem and not _in_ci():
            item.add_marker(pytest.mark.skip(reason=f"browser test skipped: {problem}"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright's launch options, pointed at Debian's chromium."""
    problem = chromium_problem()
    if problem:  # only reached under CI=true: elsewhere the tests were marked skip at collection
        pytest.fail(f"CI runs the browser tests, but {problem}", pytrace=False)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (http://127.0.0.1:PORT, no trailing slash) of the real service with a new SQLite
    database, for the whole session; stopped cleanly at its end."""
    with running_server(tmp_path_factory.mktemp("live-server")) as url:
        yield url


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-playwright's base URL for every context: relative `page.goto("/…")` reaches the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # Requests of a service worker would bypass the context's routes, and with them the guard below.
    return {**browser_context_args, "service_workers": "block"}


@pytest.fixture
def outside_requests() -> Iterator[OutsideRequests]:
    """The requests the test's pages tried to make outside 127.0.0.1; the test fails if there were any."""
    recorder = OutsideRequests()
    yield recorder
    if recorder.blocked:
        pytest.fail(
            "the page made requests outside 127.0.0.1 (aborted):\n" + "\n".join(f"- {r}" for r in recorder.blocked),
            pytrace=False,
        )


@pytest.fixture
def new_context(new_context: Any, outside_requests: OutsideRequests) -> Any:
    """pytest-playwright's `new_context` (and so `context` and `page`), every context guarded."""

    def guarded(**kwargs: Any) -> BrowserContext:
        return outside_requests.guard(new_context(**kwargs))

    return guarded
