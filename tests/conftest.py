"""Shared pytest fixtures for matchday."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# scripts/setup.sh starts a local PostgreSQL and writes its URL here: the README's test command
# then runs the PostgreSQL tests too, as CI does, without anyone exporting a variable by hand.
_SETUP_POSTGRES_URL = REPO_ROOT / ".venv" / "postgres-test-url"
if not os.environ.get("MATCHDAY_TEST_DATABASE_URL") and _SETUP_POSTGRES_URL.is_file():
    os.environ["MATCHDAY_TEST_DATABASE_URL"] = _SETUP_POSTGRES_URL.read_text(encoding="utf-8").strip()

# TestClient's requests name the host "testserver": answered as a development host (a server
# without public_base_url answers only local names).
os.environ.setdefault("MATCHDAY_ALLOWED_HOSTS", '["testserver"]')


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The project's shared/ folder beside the repository; skips the test if it is absent."""
    path = REPO_ROOT.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"shared folder not found at {path}")
    return path


@pytest.fixture(scope="session")
def sample_events() -> Path:
    """The repository's sample_events/ folder."""
    return REPO_ROOT / "sample_events"
