"""Security headers on every response, whichever route, error handler or mount made it.

Routes set what is particular to them (a page's own policy, a download's name); this fills in the
rest, so that no response is left without them: an error page, the API docs, a 404 from a mount,
a 413 from the body limit. Nothing a response set itself is overwritten.

- `X-Content-Type-Options: nosniff`, `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`
  everywhere: the service's URLs hold private links, which must not leak in a Referer.
- A Content-Security-Policy on every HTML response (`frame-ancestors 'none'` in it); the API
  docs, whose page starts Swagger UI with an inline script, get one that allows inline scripts.
- `Cache-Control: no-store` on every response but static files: private links are in the JSON
  of an event's participants, its links CSV, the agenda pages and files, ZIPs, diffs, the answers
  that create an event or rotate a token, and in the organiser's pages; new routes are covered
  without remembering to.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
DOCS_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}
DOCS_PATHS = ("/docs", "/redoc")
# Static files hold nothing private and may be cached (their ETag keeps them fresh).
CACHEABLE_PREFIXES = ("/static/", "/agenda/fonts/", "/docs-assets/")


class SecurityHeaders:
    """ASGI middleware adding the headers above to each HTTP response that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                add_security_headers(MutableHeaders(scope=message), path)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def add_security_headers(headers: MutableHeaders, path: str) -> None:
    """Fill in the headers a response to `path` lacks."""
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    if headers.get("content-type", "").startswith("text/html"):
        headers.setdefault("Content-Security-Policy", DOCS_CSP if path in DOCS_PATHS else PAGE_CSP)
    if not path.startswith(CACHEABLE_PREFIXES):
        headers.setdefault("Cache-Control", "no-store")
