"""`/healthz` and `/readyz`, for a load balancer or an orchestrator.

- `/healthz`: the process is alive and answers (never touches the database): restart it if not.
- `/readyz`: it can serve: the database answers, its schema is at this code's newest migration
  (a web process of a newer release beside an older database, or the other way round, is not
  ready), and solves can run: the job engine says how many workers it has seen lately. An engine
  that runs solves inside the web process (the embedded default) has no workers to see; a runner
  tells this by a `workers_seen()` method returning None, or by having none. 503 when any check
  fails, with every check's result, so the reason is in the answer.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import text

from api import migrations
from api.storage import Database

router = APIRouter(tags=["operations"])


class Check(BaseModel):
    ok: bool
    detail: str


class Health(BaseModel):
    status: Literal["ok"] = "ok"


class Readiness(BaseModel):
    status: Literal["ready", "not ready"]
    checks: dict[str, Check] = Field(description="database, migrations, workers: each with what was found.")


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive."""
    return Health()


@router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness, "description": "Not ready."}})
def readyz(request: Request) -> JSONResponse:
    """Whether this process can serve: database reachable, migrations current, workers seen."""
    db: Database = request.app.state.db
    checks = {"database": _database(db), "migrations": _migrations(db), "workers": _workers(request.app.state.runner)}
    ready = all(c.ok for c in checks.values())
    body = Readiness(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


def _database(db: Database) -> Check:
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"; its class says why
        return Check(ok=False, detail=f"unreachable: {type(exc).__name__}")
    return Check(ok=True, detail=db.backend)


def _migrations(db: Database) -> Check:
    head = migrations.head_revision()
    try:
        with db.engine.connect() as connection:
            current = migrations.current_revision(connection)
    except Exception as exc:  # noqa: BLE001 - as above
        return Check(ok=False, detail=f"revision unknown: {type(exc).__name__}")
    if current != head:
        return Check(ok=False, detail=f"database at {current or 'no revision'}, this code at {head}")
    return Check(ok=True, detail=f"at {head}")


def workers_seen(runner: Any) -> int | None:
    """How many job workers the runner has seen lately; None when it runs jobs itself (embedded)."""
    seen = getattr(runner, "workers_seen", None)
    return seen() if callable(seen) else None


def _workers(runner: Any) -> Check:
    try:
        seen = workers_seen(runner)
    except Exception as exc:  # noqa: BLE001 - the engine could not tell: not ready
        return Check(ok=False, detail=f"unknown: {type(exc).__name__}")
    if seen is None:
        return Check(ok=True, detail="embedded: solves run in this server's own processes")
    return Check(ok=seen > 0, detail=f"{seen} worker{'s' if seen != 1 else ''} seen")
