"""The README's curl walk-through runs as written against the real service: every variable it
uses is set by an earlier command, and every step answers (README.md, "HTTP API")."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from server_process import running_server

ROOT = Path(__file__).resolve().parents[1]
README_API_LINE = "API=http://127.0.0.1:8000"


def walkthrough() -> str:
    """The two shell blocks of the walk-through, the session and "On the day", as one script."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks: list[str] = re.findall(r"```sh\n(.*?)```", readme, flags=re.S)
    first = next(i for i, block in enumerate(blocks) if block.startswith(README_API_LINE + "\n"))
    return blocks[first] + blocks[first + 1]


@pytest.mark.slow
def test_the_readme_curl_walkthrough_runs_as_written(tmp_path: Path) -> None:
    missing = [tool for tool in ("curl", "jq") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed (scripts/setup.sh installs jq; curl comes with Debian)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    script = walkthrough()
    assert "wait_for_job" in script and "PARTICIPANT_TOKEN=" in script
    work = tmp_path / "work"
    work.mkdir()
    (work / "sample_events").symlink_to(ROOT / "sample_events")
    with running_server(tmp_path) as url:
        run = subprocess.run(
            ["bash", "-u", "-c", script.replace(README_API_LINE, f"API={url}", 1)],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=240,  # two solves of 10 s each, on a shared machine
        )
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""  # `bash -u`: a variable used but never set would be reported here
    assert '"detail"' not in run.stdout, run.stdout[-2000:]  # no request was refused
    assert '"time_limit":10.0' in run.stdout  # the job's status
    assert "day,slot,start,end,table" in run.stdout  # schedule.csv
    assert '"kind":"cancel"' in run.stdout  # the meeting was cancelled
    assert '"from_version":2,"to_version":3' in run.stdout  # the diff of the re-solve against the edit
    for pdf in ("agenda.pdf", "plan.pdf", "changed.pdf"):
        assert (work / pdf).read_bytes().startswith(b"%PDF"), pdf
