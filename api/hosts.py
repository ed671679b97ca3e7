"""Which Host a request may name when links are made from the request's own address.

Participant and organiser links are absolute URLs. With `public_base_url` set they start with it
and the Host header plays no part. Without it they start with the address the request was sent
to, so a forged Host (`Host: evil.example`) would hand out links to another server: such a server
answers only requests to this machine's own names (development: localhost, 127.0.0.1, ::1) and
to the names in `allowed_hosts`. A server others reach sets `public_base_url`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def host_name(host_header: str) -> str:
    """`example.org:8000` → `example.org`, `[::1]:8000` → `::1`, lower case."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def is_allowed(host_header: str, allowed: Iterable[str]) -> bool:
    name = host_name(host_header)
    return name in LOOPBACK_HOSTS or name.endswith(".localhost") or name in {a.strip().lower() for a in allowed}


class LocalHostsOnly:
    """ASGI middleware for a server without `public_base_url`: 400 for any other Host."""

    def __init__(self, app: ASGIApp, allowed: Iterable[str] = ()) -> None:
        self.app, self.allowed = app, tuple(allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "")
        if is_allowed(host, self.allowed):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "detail": f"this server answers no requests for the host '{host_name(host)[:100]}': it makes links "
                "from the request's address, so it needs MATCHDAY_PUBLIC_BASE_URL (the address participants' "
                "links use) to be reached under another name, or the name in MATCHDAY_ALLOWED_HOSTS"
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body})
