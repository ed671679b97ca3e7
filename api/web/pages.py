"""Rendering the organiser's pages: one Jinja2 environment over `templates/web/`, the headers
every page carries, and the CSRF cookie a page with forms needs."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.web.session import CSRF_FIELD, CSRF_HEADER, csrf_token, remember_csrf
from scheduler.export.html import TEMPLATES_DIR, hour_minute, long_date
from scheduler.export.tables import place

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

# Pages hold names, e-mails and private links: never cached, never indexed, never in a Referer.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
}


def _number(value: float | int | None, digits: int = 0) -> str:
    """1234567 → "1,234,567"; None → "–"."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def _percent(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def _when(value: dt.datetime | None) -> str:
    """A stored UTC moment as the organiser reads it in a list: "1 Dec 2026, 15:04 UTC"."""
    if value is None:
        return "–"
    return f"{value.day} {value:%b %Y, %H:%M} UTC"


ENV = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=select_autoescape(["html", "xml"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.filters.update(date=long_date, hm=hour_minute, place=place, number=_number, percent=_percent, when=_when)


def _asset_version() -> str:
    """A digest of the static files, appended to their addresses: a new release's CSS and scripts
    reach every browser at once, however long it cached the old ones."""
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


ENV.globals.update(csrf_field=CSRF_FIELD, csrf_header=CSRF_HEADER, asset_version=_asset_version())


def is_htmx(request: Request) -> bool:
    """A request htmx made (it swaps part of the page), not a full page load."""
    return request.headers.get("HX-Request") == "true"


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """`templates/web/<template>` as a response, with the page headers and the CSRF token."""
    html = ENV.get_template(f"web/{template}").render(
        request=request, csrf=csrf_token(request), htmx=is_htmx(request), **context
    )
    response = HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
    remember_csrf(request, response)
    return response
