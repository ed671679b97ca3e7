"""The matchday web service: `create_app()` builds the FastAPI app; `app` is the default instance.

Run with `python -m api` or `uvicorn api.app:app` (127.0.0.1:8000 by default).
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.body_limit import RequestBodyLimitMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from api import health, openapi
from api import metrics as metrics_routes
from api.docs_ui import add_docs_ui
from api.headers import SecurityHeaders
from api.hosts import LocalHostsOnly
from api.jobs import JobRunner, make_runner
from api.logs import RequestContext, configure_logging
from api.mail.runner import batch_runner
from api.metrics import Metrics, RequestMetrics
from api.prepared.runner import background_work
from api.rendering import PdfRenderer
from api.routes import (
    agendas,
    capacity,
    changes,
    diffs,
    events,
    files,
    jobs,
    mail,
    meetings,
    schedules,
    standby,
    tokens,
    unmet,
)
from api.security import default_key_file, link_key, redact_access_log
from api.settings import REQUEST_LIMITS, Settings, get_settings
from api.storage import Database
from api.web import install as install_web_app
from scheduler import __version__
from scheduler.export.html import TEMPLATES_DIR
from scheduler.io.limits import Limits

log = logging.getLogger("matchday.api")

DESCRIPTION = """
Organisers upload an event (event.toml, participants.csv, wishes.csv), start solves as background
jobs, read the schedule (JSON or schedule.csv) and its statistics, and download PDFs: every agenda,
the master plan and the table signs. Every organiser call needs the event's organiser token
(`Authorization: Bearer …`). Each participant has a private link to their own agenda (page, PDF
and calendar) that needs no token.

On the day: mark people cancelled or absent, change availability, register a late participant,
add a wish; cancel, move or pin a meeting by hand; then re-solve, which by default repairs the
latest schedule (kept meetings stay, freed time is refilled). Every solve and edit stores a new
schedule version; the diff between two versions lists the people affected, whose agendas and
calendar files are the only ones to re-issue.
"""

RunnerFactory = Callable[[Database, Settings], JobRunner]


def process_runner(db: Database, settings: Settings) -> JobRunner:
    """The runner `job_engine` names: embedded child processes, or procrastinate workers."""
    return make_runner(db, settings)


def _json_safe(error: dict[str, Any]) -> Any:
    """One validation error as JSON; what was sent (`input`, `ctx`) as text when it is no JSON,
    e.g. a NaN or Infinity the body's JSON number held, or a lone surrogate UTF-8 cannot hold."""
    try:
        encoded = jsonable_encoder(error)
        json.dumps(encoded, allow_nan=False, ensure_ascii=False).encode("utf-8")
        return encoded
    except (TypeError, ValueError):  # UnicodeEncodeError is a ValueError
        return jsonable_encoder({k: ascii(v) if k in ("input", "ctx") else v for k, v in error.items()})


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 with the validation errors, as FastAPI's own handler, which fails on a NaN it echoes back."""
    return JSONResponse(
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
        content={"detail": [_json_safe(e) for e in exc.errors()]},
    )


class UploadLimits:
    """ASGI middleware: the app's upload limits as `api.settings.current_limits()` for each request,
    so every route that loads new files (uploads, changes, revisions) is bounded by this app's settings."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app, self.limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = REQUEST_LIMITS.set(self.limits)
        try:
            await self.app(scope, receive, send)
        finally:
            REQUEST_LIMITS.reset(token)


def create_app(settings: Settings | None = None, runner_factory: RunnerFactory = process_runner) -> FastAPI:
    settings = settings or get_settings()
    redact_access_log()
    if settings.log_format == "json":
        configure_logging("json", settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        db.upgrade()
        app.state.settings = settings
        app.state.db = db
        key_file = settings.secret_key_file or default_key_file(settings.database_url)
        app.state.link_secret = link_key(db, settings.secret_key, key_file)
        app.state.metrics.watch_jobs(db)
        app.state.pdf = PdfRenderer(settings.pdf_processes)  # agenda PDFs: a process pool, and kept
        app.state.pdf.start()
        runner = runner_factory(db, settings)
        app.state.runner = runner
        runner.start()
        mailer = batch_runner(db, settings, app.state.link_secret, runner)  # e-mail: a thread, or the workers
        app.state.mailer = mailer
        mailer.start()
        background = background_work(db, settings, app.state.link_secret, runner)  # documents, big uploads
        app.state.background = background
        background.start()
        try:
            yield
        finally:
            background.shutdown()
            mailer.shutdown()
            runner.shutdown()
            app.state.pdf.shutdown()
            db.dispose()

    app = FastAPI(
        title="matchday", version=__version__, description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    # Every body is bounded before anything parses it (a 100 MB JSON upload used to be stored).
    body_limit = settings.max_request_bytes or max(8 * settings.max_upload_bytes, 1_000_000)
    app.add_middleware(RequestBodyLimitMiddleware, max_body_size=body_limit)
    app.add_middleware(UploadLimits, limits=settings.upload_limits())
    if settings.public_base_url is None:  # links follow the request's Host: only local or allowed names
        app.add_middleware(LocalHostsOnly, allowed=settings.allowed_hosts)
    app.state.metrics = Metrics()
    app.add_middleware(RequestMetrics, metrics=app.state.metrics)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(RequestContext)  # outermost: every answer, a refusal too, has its request id
    app.include_router(health.router)
    app.include_router(metrics_routes.router)
    add_docs_ui(app)  # /docs from installed files, no CDN
    install_web_app(app, validation_error)  # the organiser's pages, and error pages for browsers
    app.include_router(events.router)
    app.include_router(tokens.router)
    app.include_router(changes.router)
    app.include_router(files.router)
    app.include_router(jobs.router)
    app.include_router(schedules.router)
    app.include_router(meetings.router)
    app.include_router(diffs.router)
    app.include_router(unmet.router)
    app.include_router(capacity.router)
    app.include_router(standby.router)
    app.include_router(mail.router)
    app.include_router(agendas.organiser)
    app.include_router(agendas.public)
    # The agenda page's inlined CSS names its bundled fonts relative to /agenda/.
    app.mount("/agenda/fonts", StaticFiles(directory=TEMPLATES_DIR / "fonts"), name="fonts")
    openapi.install(app)  # the answers around the routes (401, 404, 400, 413, 422) documented too
    return app


app = create_app()
