"""Every main page, checked by axe-core at desktop and phone widths and in dark mode, with a
full-page screenshot of each under test-output/<test name>/ to look at.

axe finds what a machine can: missing names and labels, contrast, landmarks, heading order,
ARIA misuse. The page scripts run (charts drawn, dark-mode colours applied) before each check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core import services
from tests.e2e.conftest import LiveServer
from tests.e2e.test_browser import ANSWER, SLACK, _register, _slack_history

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
VIEWS = [  # (name, viewport, colour scheme)
    ("desktop", {"width": 1280, "height": 900}, "light"),
    ("phone", {"width": 390, "height": 844}, "light"),
    ("dark", {"width": 1280, "height": 900}, "dark"),
]
PUBLIC = [
    ("landing", "/"),
    ("login", "/login"),
    ("register", "/register"),
    ("forgot-password", "/forgot-password"),
    ("reset-password", "/reset-password?token=x"),
]


def _violations(page: Page, axe: str) -> list[str]:
    # axe is injected as a script element: this context bypasses the CSP for it (the app's own
    # pages are checked against the CSP by test_browser.py).
    page.add_script_tag(content=axe)
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document)).violations.map((v) => ({id: v.id,"
        " help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' '))}))"
    )
    return [f"{v['id']}: {v['help']} at {v['nodes']}" for v in found]


def _user_pages(page: Page, base: str, session_id: int) -> list[tuple[str, str]]:
    """Starts an interview on the way: its question page is one of the pages."""
    page.goto(base + "/practice")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("heading", name="Question 1 of 5")).to_be_visible()
    return [
        ("dashboard", "/"),
        ("sessions", "/sessions"),
        ("session-detail", f"/sessions/{session_id}"),
        ("analytics", "/analytics"),
        ("practice-start", "/practice"),
        ("practice-question", page.url.removeprefix(base)),
        ("link", "/link"),
        ("account", "/account"),
        ("delete", "/account/delete"),
        ("not-found", "/no-such-page"),
    ]


def test_every_page_passes_axe_at_every_width_and_in_dark_mode(
    browser: Browser,
    live_server: LiveServer,
    axe_source: str,
    chart_library: Path,
    screenshot: Shot,
) -> None:
    base = live_server.url
    seeded = _slack_history(live_server)
    problems: list[str] = []
    for name, viewport, scheme in VIEWS:
        context = browser.new_context(
            viewport=viewport,  # type: ignore[arg-type]
            color_scheme=scheme,  # type: ignore[arg-type]
            reduced_motion="reduce",
            bypass_csp=True,
        )
        page = context.new_page()
        page.set_default_timeout(15_000)
        for label, path in PUBLIC:
            page.goto(base + path)
            problems += [f"{name} {path} {v}" for v in _violations(page, axe_source)]
            screenshot(page, f"{name}-{label}")

        _register(page, base)
        code = services.issue_link_code(live_server.core.deps, user=SLACK).code
        page.goto(base + "/link")
        page.get_by_role("textbox", name="Link code").fill(code)
        page.get_by_role("button", name="Link identity").click()
        expect(page.get_by_role("status")).to_contain_text("Linked!")

        for label, path in _user_pages(page, base, seeded[-1]):
            page.goto(base + path)
            if label == "analytics":  # checked with the charts drawn
                expect(page.locator("canvas[data-rendered='true']")).to_have_count(5)
            problems += [f"{name} {path} {v}" for v in _violations(page, axe_source)]
            screenshot(page, f"{name}-{label}")

        page.get_by_role("link", name="Practice", exact=True).click()
        page.get_by_role("link", name="Continue it").click()
        page.get_by_label("Your answer").fill(ANSWER)
        page.get_by_role("button", name="Submit answer").click()
        expect(page.get_by_test_id("score")).to_be_visible()
        problems += [f"{name} evaluated {v}" for v in _violations(page, axe_source)]
        screenshot(page, f"{name}-evaluated")
        context.close()
    assert problems == [], "\n".join(problems)


def test_deleting_data_says_what_goes_and_passes_axe(
    browser: Browser, live_server: LiveServer, axe_source: str, screenshot: Shot
) -> None:
    """The confirmation names each identity that will be unlinked; the result names what went."""
    _slack_history(live_server, sessions=2)
    context = browser.new_context(reduced_motion="reduce", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    _register(page, base)
    code = services.issue_link_code(live_server.core.deps, user=SLACK).code
    page.goto(base + "/link")
    page.get_by_role("textbox", name="Link code").fill(code)
    page.get_by_role("button", name="Link identity").click()

    page.goto(base + "/account/delete")
    expect(page.get_by_test_id("identities-to-delete")).to_contain_text("workspace T024BE7LD")
    problems = _violations(page, axe_source)
    screenshot(page, "confirm")
    page.get_by_label("Type DELETE to confirm").fill("DELETE")
    page.get_by_role("button", name="Delete permanently").click()
    expect(page.get_by_role("status")).to_contain_text("Deleted 2 sessions")
    expect(page.get_by_test_id("deleted-identities")).to_contain_text("workspace T024BE7LD")
    problems += _violations(page, axe_source)
    screenshot(page, "deleted")
    context.close()
    assert problems == [], "\n".join(problems)
