"""axe-core accessibility check of the page a browser test is on.

axe-core comes from the axe-playwright-python package (it ships axe.min.js, MPL-2.0, inside the
wheel): it is injected into the page by Playwright, so the check needs no network and no Node.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

# What blocks: axe's two highest impacts. "moderate" and "minor" are reported by axe but not failed.
BLOCKING_IMPACTS = frozenset({"serious", "critical"})

_AXE = Axe()


def _describe(violation: Mapping[str, Any]) -> str:
    targets = [" ".join(map(str, node.get("target", []))) for node in violation.get("nodes", [])]
    shown = "; ".join(targets[:10]) + (f"; … {len(targets) - 10} more" if len(targets) > 10 else "")
    return f"- {violation['id']} ({violation['impact']}): {violation['help']}\n    at: {shown}"


def blocking_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it is now; the violations whose impact is serious or critical."""
    results = _AXE.run(page, options={"resultTypes": ["violations"]})
    violations: list[dict[str, Any]] = results.response["violations"]
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def assert_accessible(page: Page, known: Mapping[str, str] | None = None) -> None:
    """Fail the test listing every serious or critical axe-core violation on the page (rule id,
    impact, help text, the failing elements' selectors).

    `known` maps an axe rule id to why it cannot be fixed here (markup of a third-party component);
    such a rule is not failed, but a known rule that no longer occurs fails, so the list cannot go
    stale. Keep it rule by rule, with the reason, for pages we do not write ourselves."""
    known = known or {}
    found = blocking_violations(page)
    unexpected = [v for v in found if v["id"] not in known]
    gone = sorted(set(known) - {v["id"] for v in found})
    problems = []
    if unexpected:
        problems.append(
            f"{len(unexpected)} serious or critical accessibility violation(s) on {page.url}:\n"
            + "\n".join(_describe(v) for v in unexpected)
        )
    if gone:
        problems.append(f"known exceptions that no longer occur on {page.url} (remove them): {', '.join(gone)}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
