from accessibility import assert_accessible
from playwright.sync_api import Page, expect


def test_my_pages(page: Page) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("button", name="Try the sample Latvian Wood & Furniture Cluster Day").click()
    assert_accessible(page)
    page.get_by_role("link", name="Continue to the event").click()
    assert_accessible(page)
    page.fill("#solve-limit", "4")
    page.get_by_role("button", name="Solve", exact=True).click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review and publish", exact=True).wait_for(timeout=30000)
    assert_accessible(page)
    page.get_by_role("link", name="Review and publish", exact=True).click()
    assert_accessible(page)
    page.get_by_role("button", name="Publish").click()
    assert_accessible(page)
    page.get_by_role("link", name="Versions").click()
    assert_accessible(page)
    page.goto("/nothing-here")
    assert_accessible(page)
