"""A solve's process runs at a lower priority than the web process (`solver_nice`): people's pages
and PDFs get the CPU first, and the solve loses only what they use."""

from __future__ import annotations

import os
import time
from pathlib import Path

import psutil
from api_helpers import big_event, client_for, upload
from test_jobs_orphans import solver_children


def test_the_solver_child_is_niced_by_the_setting(tmp_path: Path) -> None:
    with client_for(tmp_path / "nice.db", solver_nice=7) as client:
        event_id, headers = upload(client, **big_event())
        job = client.post(f"/api/events/{event_id}/solve", json={"time_limit": 60}, headers=headers).json()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # until the child reports progress: it has set its priority
            progress = client.get(f"/api/jobs/{job['job_id']}", headers=headers).json()["progress"]
            if (progress.get("elapsed") or 0) > 0:
                break
            time.sleep(0.1)
        children: list[psutil.Process] = solver_children(os.getpid())
        assert children, "no solver child running"
        assert [c.nice() for c in children] == [os.nice(0) + 7] * len(children)
        client.post(f"/api/jobs/{job['job_id']}/cancel", headers=headers)
