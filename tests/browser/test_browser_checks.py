"""The browser tests' own checks catch what they are there to catch: a request outside 127.0.0.1,
a serious accessibility violation, a known exception that went stale."""

from __future__ import annotations

import pytest
from accessibility import assert_accessible
from network_guard import OutsideRequests
from playwright.sync_api import Browser, Page

CLEAN_PAGE = (
    '<!DOCTYPE html><html lang="en"><head><title>Clean</title></head><body><main><h1>Clean</h1></main></body></html>'
)
# An image without a text alternative: axe's "image-alt", impact critical.
BAD_PAGE = CLEAN_PAGE.replace("<h1>Clean</h1>", '<h1>Bad</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">')


def test_the_guard_aborts_and_records_requests_outside_127_0_0_1(browser: Browser, live_server: str) -> None:
    # A context of its own, outside the fixtures, so that the blocked request does not fail this test.
    recorder = OutsideRequests()
    context = recorder.guard(browser.new_context(base_url=live_server))
    try:
        page = context.new_page()
        page.goto("/openapi.json")
        outcome = page.evaluate(
            "fetch('http://192.0.2.1/probe.js').then(() => 'fetched', (error) => 'failed: ' + error.name)"
        )
    finally:
        context.close()
    assert outcome == "failed: TypeError"
    assert recorder.blocked == ["GET http://192.0.2.1/probe.js (fetch)"]


def test_assert_accessible_lists_each_serious_violation_with_its_elements(page: Page) -> None:
    page.set_content(BAD_PAGE)
    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)
    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "at: img" in message
    assert_accessible(page, known={"image-alt": "an exception with its reason"})


def test_a_known_exception_that_no_longer_occurs_fails(page: Page) -> None:
    page.set_content(CLEAN_PAGE)
    assert_accessible(page)
    with pytest.raises(pytest.fail.Exception, match="no longer occur.*image-alt"):
        assert_accessible(page, known={"image-alt": "fixed meanwhile"})
