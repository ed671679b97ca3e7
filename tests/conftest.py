"""Shared pytest fixtures for matchday."""

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


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
