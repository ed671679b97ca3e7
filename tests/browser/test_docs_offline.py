"""/docs renders with every request outside 127.0.0.1 aborted (a venue without internet).

With test_browser_checks.py, the end-to-end proof of the browser test set-up (Debian's chromium,
the live server, the network guard, the axe-core check).
"""

from __future__ import annotations

from typing import Any

from accessibility import assert_accessible
from playwright.sync_api import Page, expect

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def operation_count(page: Page) -> int:
    """Operations in the service's OpenAPI schema: what Swagger UI must show, one block each."""
    schema: dict[str, Any] = page.request.get("/openapi.json").json()
    return sum(1 for item in schema["paths"].values() for method in item if method in HTTP_METHODS)


# Swagger UI's own markup, which we cannot change from outside (its colours we can: api/docs_ui.py).
SWAGGER_UI_KNOWN = {
    # Each operation's summary is a <button> that holds the "copy path" button (swagger-ui 5's
    # OperationSummary component): a structural choice of Swagger UI, not of our page.
    "nested-interactive": "swagger-ui nests the copy-path button inside each operation's summary button",
}


def test_swagger_ui_renders_every_operation_offline(page: Page) -> None:
    page.goto("/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock")).to_have_count(operation_count(page))
    expect(page.get_by_role("heading", name="matchday")).to_be_visible()
    assert_accessible(page, known=SWAGGER_UI_KNOWN)


def test_an_opened_operation_offers_try_it_out(page: Page) -> None:
    page.goto("/docs")
    page.locator(".opblock-summary-control").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    assert_accessible(page, known=SWAGGER_UI_KNOWN)
