"""The progress page in a real browser: due items, the mastery chart drawn by chart.js, the
review history, and a review session started from it (screenshots in test-output/)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import services
from core.domain.model import UserRef
from tests.e2e.conftest import BrowserPage, LiveServer
from tests.e2e.test_browser import _register
from tests.web.seeding import past, play_session

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
SLACK = UserRef("slack", "T024BE7LD", "U-grace")


def test_progress_page_with_mastery_chart_and_a_review(
    tab: BrowserPage, live_server: LiveServer, screenshot: Shot, chart_library: Path
) -> None:
    page, base = tab.page, live_server.url
    for n, days in enumerate((9, 7, 5, 3, 2)):  # weak first, then better: mastery rises
        play_session(
            live_server.core.deps, SLACK, difficulty="easy", quality=0.05 + 0.2 * n, at=past(days)
        )
    code = services.issue_link_code(live_server.core.deps, user=SLACK).code
    _register(page, base)
    page.get_by_role("link", name="Link chat").click()
    page.get_by_role("textbox", name="Link code").fill(code)
    page.get_by_role("button", name="Link identity").click()
    expect(page.get_by_role("status")).to_contain_text("Linked!")

    page.get_by_role("link", name="Progress").click()
    expect(page.get_by_role("heading", name="Your learning loop")).to_be_visible()
    expect(page.get_by_test_id("due-today")).not_to_have_text("0")
    expect(page.locator("canvas[data-chart='mastery'][data-rendered='true']")).to_have_count(1)
    lines = page.evaluate(
        "window.Chart.getChart(document.querySelector('[data-chart=mastery]')).data.datasets.length"
    )
    assert lines >= 1
    expect(page.get_by_test_id("review-history").locator("tbody tr").first).to_be_visible()
    screenshot(page, "progress")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "progress-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("button", name="Review").click()
    expect(page.get_by_text("Review · Backend")).to_be_visible()
    screenshot(page, "review-session")
    assert tab.problems == [], tab.problems
