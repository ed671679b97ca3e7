"""Helpers for tests of the organiser's pages through the real app (starlette's TestClient)."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.testclient import TestClient

from tests.api_helpers import API_DATA, upload

HTML = {"Accept": "text/html"}
_CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')


def csrf_of(client: TestClient, path: str = "/") -> str:
    """The CSRF token a page of `path` puts into its forms (and sets the browser's nonce cookie)."""
    page = client.get(path, headers=HTML)
    assert page.status_code == 200, page.text
    found = _CSRF.search(page.text)
    assert found, f"no CSRF field on {path}"
    return found.group(1)


def signed_in_event(client: TestClient, folder: Path = API_DATA) -> tuple[str, dict[str, str]]:
    """Upload an event through the API and sign this client in through its organiser link; returns
    the event id and the API headers (Bearer token)."""
    event_id, headers = upload(client, folder)
    token = headers["Authorization"].removeprefix("Bearer ")
    r = client.get(f"/o/{token}", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/events/{event_id}", r.text
    return event_id, headers


def post_form(client: TestClient, path: str, data: dict[str, str], page: str | None = None) -> object:
    """POST a form as a browser would, with the CSRF token of `page` (the form's page; `path`'s event
    overview by default)."""
    token = csrf_of(client, page or "/")
    return client.post(path, data={"csrf": token, **data}, headers=HTML, follow_redirects=False)


def page_text(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, runs of white space made one space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
