"""Keeps a browser test's pages on 127.0.0.1: venues have bad networks and events are private, so
no page of the service may load anything from elsewhere (a CDN, a font service, analytics)."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Route
from server_process import HOST


class OutsideRequests:
    """A context route that lets requests to 127.0.0.1 through and aborts and records every other."""

    def __init__(self) -> None:
        self.blocked: list[str] = []

    def route(self, route: Route) -> None:
        request = route.request
        if urlsplit(request.url).hostname == HOST:
            route.continue_()
        else:
            self.blocked.append(f"{request.method} {request.url} ({request.resource_type})")
            route.abort("blockedbyclient")

    def guard(self, context: BrowserContext) -> BrowserContext:
        context.route("**/*", self.route)
        return context
