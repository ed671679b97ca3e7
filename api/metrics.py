"""Prometheus metrics on `/metrics` (prometheus-client's text format).

- `matchday_jobs{state="queued|running|failed|done|cancelled"}`: read from the job table at each
  scrape by a custom collector, so the numbers are the same whichever web process is scraped and
  whichever process (or worker machine) runs the jobs.
- `matchday_oldest_queued_job_seconds`: how long the oldest queued job has waited (0 when none):
  a queue that grows while no worker takes from it shows here first.
- `matchday_http_requests_total{method, route, status}` and
  `matchday_http_request_duration_seconds{method, route}`: this process's requests, by route
  template (`/agenda/{token}`, never the token itself; `unmatched` for a path no route serves).

Each app has its own registry, so several apps in one process (the tests) do not collide.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.storage import Database, JobRow, utcnow

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")

router = APIRouter(tags=["operations"])


class JobCollector(Collector):
    """Job counts by state, counted in the database at scrape time."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self.db.session() as s:
            rows = s.execute(select(JobRow.state, func.count()).group_by(JobRow.state))
            counts: dict[str, int] = {state: n for state, n in rows}
            oldest = s.scalar(select(func.min(JobRow.submitted_at)).where(JobRow.state == "queued"))
        jobs = GaugeMetricFamily("matchday_jobs", "Jobs by state, as the job table holds them.", labels=["state"])
        for state in sorted(set(JOB_STATES) | set(counts)):
            jobs.add_metric([state], counts.get(state, 0))
        yield jobs
        waited = 0.0
        if oldest is not None:
            waited = max(0.0, (utcnow() - _aware(oldest)).total_seconds())
        yield GaugeMetricFamily(
            "matchday_oldest_queued_job_seconds", "Seconds the oldest queued job has waited (0: none).", value=waited
        )


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes of UTC moments."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Metrics:
    """One app's registry and request metrics."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "matchday_http_requests",
            "HTTP requests answered, by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.durations = Histogram(
            "matchday_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template.",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )

    def watch_jobs(self, db: Database) -> None:
        self.registry.register(JobCollector(db))


class RequestMetrics:
    """ASGI middleware counting and timing each HTTP request by its route's template."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route = getattr(scope.get("route"), "path", None) or _mount_of(scope) or "unmatched"
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.durations.labels(method, route).observe(time.perf_counter() - started)


def _mount_of(scope: Scope) -> str | None:
    """A static mount's prefix (`/static`), whose files have no route of their own."""
    root = scope.get("root_path", "")
    app_root = scope.get("app_root_path", "")
    return root[len(app_root) :] or None if root != app_root else None


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus' text format: job counts (all processes) and this process's request metrics."""
    registry: CollectorRegistry = request.app.state.metrics.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
