"""Operations (issue 12, deliver 5): /healthz, /readyz, request and job ids in structured logs,
and Prometheus metrics whose job counts come from the job table."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from api.app import create_app
from api.logs import JsonFormatter, configure_logging, job_context
from api.settings import Settings
from api.storage import Database
from tests.api_helpers import IdleRunner, client_for, settings_for, upload


class WorkerRunner(IdleRunner):
    """A runner of a job engine with separate workers: it says how many it has seen."""

    def __init__(self, seen: int) -> None:
        self.seen = seen

    def workers_seen(self) -> int:
        return self.seen


def test_healthz_answers_without_the_database(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        client.app.state.db.engine.dispose()  # type: ignore[attr-defined]
        r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_readyz_checks_database_migrations_and_workers(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.get("/readyz")
        assert r.status_code == 200, r.text
        checks = r.json()["checks"]
        assert all(c["ok"] for c in checks.values()) and "embedded" in checks["workers"]["detail"]
        db: Database = client.app.state.db  # type: ignore[attr-defined]
        with db.engine.begin() as connection:  # as if a newer release had migrated the database
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["status"] == "not ready"
        assert not r.json()["checks"]["migrations"]["ok"] and "9999" in r.json()["checks"]["migrations"]["detail"]


@pytest.mark.parametrize(("seen", "status"), [(0, 503), (2, 200)])
def test_readyz_asks_the_job_engine_for_workers(tmp_path: Path, seen: int, status: int) -> None:
    app = create_app(settings_for(tmp_path / "db.sqlite"), runner_factory=lambda db, s: WorkerRunner(seen))
    with TestClient(app) as client:
        r = client.get("/readyz")
    assert r.status_code == status
    assert r.json()["checks"]["workers"]["detail"].startswith(f"{seen} worker")


def test_readyz_says_when_the_database_is_unreachable(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        client.app.state.db = Database(f"sqlite:///{tmp_path}/no/such/dir/db.sqlite")  # type: ignore[attr-defined]
        r = client.get("/readyz")
    assert r.status_code == 503
    assert not r.json()["checks"]["database"]["ok"]


# --- request ids and logs ------------------------------------------------------------------------


def test_every_response_carries_a_request_id(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        made = client.get("/healthz").headers["x-request-id"]
        given = client.get("/healthz", headers={"X-Request-ID": "proxy-42.a"}).headers["x-request-id"]
        insane = client.get("/healthz", headers={"X-Request-ID": "a b\tc" + "x" * 200}).headers["x-request-id"]
        refused = client.get("/nope", headers={"Host": "evil.example"})
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    assert given == "proxy-42.a"
    assert re.fullmatch(r"[0-9a-f]{32}", insane)
    assert refused.status_code == 400 and refused.headers["x-request-id"]


@pytest.fixture
def json_logs() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines into a buffer for the test; logging as before afterwards."""
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    uvicorn_before = {n: (list(logging.getLogger(n).handlers), logging.getLogger(n).propagate) for n in ("uvicorn",)}
    access_disabled = logging.getLogger("uvicorn.access").disabled
    buffer = io.StringIO()
    try:
        configure_logging("json", "INFO")
        for handler in root.handlers:
            if getattr(handler, "_matchday", False):
                handler.setStream(buffer)  # type: ignore[attr-defined]
        yield buffer
    finally:
        root.handlers[:], root.level = before
        for name, (handlers, propagate) in uvicorn_before.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
        logging.getLogger("uvicorn.access").disabled = access_disabled


def test_json_logs_carry_the_request_id_and_redact_links(tmp_path: Path, json_logs: io.StringIO) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        r = client.get("/agenda/" + "A" * 40, headers={"X-Request-ID": "req-1"})
    assert r.status_code == 404
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    (line,) = [x for x in lines if x.get("request_id") == "req-1" and x["logger"] == "matchday.request"]
    assert line["status"] == 404 and line["method"] == "GET" and line["path"] == "/agenda/[token]"
    assert "A" * 40 not in json_logs.getvalue()
    assert line["level"] == "info" and line["time"].endswith("+00:00") and line["duration_ms"] >= 0


def test_log_lines_inside_a_job_carry_its_id(json_logs: io.StringIO) -> None:
    log = logging.getLogger("matchday.test")
    with job_context("job-7"):
        log.warning("solving %s", "now")
    log.warning("after")
    first, second = (json.loads(line) for line in json_logs.getvalue().splitlines()[-2:])
    assert (first["message"], first["job_id"]) == ("solving now", "job-7")
    assert "job_id" not in second


def test_the_json_formatter_keeps_extras_and_exceptions() -> None:
    try:
        raise ValueError("broken")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed %d", (3,), exc_info=__import__("sys").exc_info()
        )
    record.event_id = "e1"
    out = json.loads(JsonFormatter().format(record))
    assert out["message"] == "failed 3" and out["event_id"] == "e1" and "ValueError: broken" in out["exception"]


def test_the_log_format_setting_is_checked() -> None:
    with pytest.raises(ValueError):
        Settings(log_format="xml")  # type: ignore[arg-type]


# --- metrics ---------------------------------------------------------------------------------------


def _samples(body: str, name: str) -> dict[str, float]:
    """`name`'s samples by their label text, e.g. {'state="queued"': 2.0}."""
    out = {}
    for line in body.splitlines():
        m = re.match(rf"^{name}(?:\{{(.*)\}})? (\S+)$", line)
        if m:
            out[m.group(1) or ""] = float(m.group(2))
    return out


def test_job_counts_come_from_the_job_table_in_every_process(tmp_path: Path) -> None:
    settings = settings_for(tmp_path / "db.sqlite")
    with TestClient(create_app(settings, runner_factory=lambda db, s: IdleRunner())) as first:
        event_id, headers = upload(first)
        for _ in range(2):  # the second waits behind the first: both stay queued with an idle runner
            r = first.post(f"/api/events/{event_id}/solve", json={"time_limit": 1}, headers=headers)
            assert r.status_code in (202, 409), r.text
        db: Database = first.app.state.db  # type: ignore[attr-defined]
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO jobs (id, event_id, state, time_limit, options, progress, "
                    "cancel_requested, submitted_at) SELECT 'f1', event_id, 'failed', 1, '{}', '{}', "
                    "0, submitted_at FROM jobs LIMIT 1"
                )
            )
        with TestClient(create_app(settings, runner_factory=lambda db, s: IdleRunner())) as second:
            body = second.get("/metrics").text  # another process's jobs
    jobs = _samples(body, "matchday_jobs")
    queued = 1.0 if r.status_code == 409 else 2.0
    assert jobs['state="queued"'] == queued and jobs['state="failed"'] == 1.0 and jobs['state="running"'] == 0.0
    assert _samples(body, "matchday_oldest_queued_job_seconds")[""] >= 0


def test_request_metrics_name_routes_not_tokens(tmp_path: Path) -> None:
    with client_for(tmp_path / "db.sqlite") as client:
        client.get("/agenda/" + "B" * 40)
        client.get("/healthz")
        client.get("/healthz")
        r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    requests = _samples(r.text, "matchday_http_requests_total")
    assert requests['method="GET",route="/healthz",status="200"'] == 2.0
    assert requests['method="GET",route="/agenda/{token}",status="404"'] == 1.0
    assert "B" * 40 not in r.text
    assert _samples(r.text, "matchday_http_request_duration_seconds_count")['method="GET",route="/healthz"'] == 2.0
