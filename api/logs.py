"""Structured logs: one JSON object a line (`log_format = "json"`), each with the request or job
it belongs to, so that the lines of one request or one solve can be picked out of many processes.

- Every request gets an id: the caller's `X-Request-ID` when it is a sane token (a reverse proxy's),
  else a new one; it is echoed in the response's `X-Request-ID` and set on every log line written
  while the request is served (`request_id`), and one line per request says how it ended.
- Code that runs a job wraps it in `job_context(job_id)`: its lines carry `job_id`.
- The stdlib's logging throughout: a formatter and a filter, no new logging library, so uvicorn's,
  SQLAlchemy's and the project's own loggers all come out alike.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.security import RedactPrivateLinks, redact_private_links

REQUEST_ID: ContextVar[str | None] = ContextVar("matchday_request_id", default=None)
JOB_ID: ContextVar[str | None] = ContextVar("matchday_job_id", default=None)
REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# What every LogRecord has; anything else on a record was passed as `extra` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
    "color_message",
}

request_log = logging.getLogger("matchday.request")


@contextmanager
def job_context(job_id: str) -> Iterator[None]:
    """Log lines written inside the block carry `job_id` (for the job engine around one job's work)."""
    token = JOB_ID.set(job_id)
    try:
        yield
    finally:
        JOB_ID.reset(token)


class ContextIds(logging.Filter):
    """Sets `request_id` and `job_id` on every record from the current context (None outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = REQUEST_ID.get()
        if getattr(record, "job_id", None) is None:
            record.job_id = JOB_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the ids, any `extra`
    fields, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact_private_links(record.getMessage()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and value is not None:
                out[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            out["exception"] = redact_private_links(self.formatException(record.exc_info))
        return json.dumps(out, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The usual text line with the request id, link tokens redacted in whatever was logged."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        return redact_private_links(super().format(record))


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def configure_logging(fmt: Literal["text", "json"], level: str = "INFO") -> None:
    """Send every log line to stderr through the root logger as `fmt`, with the ids, and link
    tokens redacted; uvicorn's loggers hand theirs to it too, and its access lines give way to
    `RequestContext`'s, which carry the request id. Idempotent."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_matchday", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._matchday = True  # type: ignore[attr-defined]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(ContextIds())
    handler.addFilter(RedactPrivateLinks())
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def request_id_of(headers: Headers) -> str:
    """The caller's request id when it is a sane token, else a new one."""
    given = headers.get(REQUEST_ID_HEADER, "")
    return given if _SANE_ID.match(given) else uuid.uuid4().hex


class RequestContext:
    """ASGI middleware: a request id for each request (see the module's docstring), echoed in the
    response, and one log line per request with its method, path (links redacted), status and time."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(Headers(scope=scope))
        token = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # when the app fails before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_log.info(
                "%s %s %d",
                scope.get("method", ""),
                redact_private_links(scope.get("path", "")),
                status,
                extra={
                    "method": scope.get("method", ""),
                    "path": redact_private_links(scope.get("path", "")),
                    "status": status,
                    "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                },
            )
            REQUEST_ID.reset(token)
