"""/docs loads Swagger UI from the service itself (api/docs_ui.py), so it works without internet.

The browser half (the page renders, no request leaves 127.0.0.1, axe-core) is
tests/browser/test_docs_offline.py; these checks need no browser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from api_helpers import settings_for
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from api.docs_ui import ASSETS_URL, add_docs_ui

ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


def referenced_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]*)"', html)


def test_docs_page_loads_only_the_service_s_own_files(tmp_path: Path) -> None:
    client = TestClient(create_app(settings_for(tmp_path / "db.sqlite")))
    page = client.get("/docs")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    urls = referenced_urls(page.text)
    assert {Path(u).suffix for u in urls} == set(ASSET_TYPES), urls
    for url in urls:
        assert url.startswith(ASSETS_URL + "/"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert ASSET_TYPES[Path(url).suffix] in asset.headers["content-type"], url
        assert len(asset.content) > 1000, url
    assert "url: '/openapi.json'" in page.text
    assert client.get("/openapi.json").status_code == 200
    assert client.get("/redoc").status_code == 404  # not served: see api/docs_ui.py


def test_behind_a_path_prefix_the_page_asks_for_prefixed_urls(tmp_path: Path) -> None:
    client = TestClient(create_app(settings_for(tmp_path / "db.sqlite")), root_path="/matchday")
    page = client.get("/docs")
    assert page.status_code == 200
    assert all(u.startswith(f"/matchday{ASSETS_URL}/") for u in referenced_urls(page.text))
    assert "url: '/matchday/openapi.json'" in page.text


def test_an_app_with_fastapi_s_cdn_pages_is_refused() -> None:
    with pytest.raises(ValueError, match="docs_url=None"):
        add_docs_ui(FastAPI())
