"""A person in a real browser: registers, links a chat identity, reviews history and charts, and
runs a practice interview to its summary."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from core import services
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.bootstrap import build_core
from core.domain.interview import Step
from core.domain.model import UserRef
from tests.e2e.conftest import BrowserPage, LiveServer, serve
from tests.web.conftest import web_settings
from tests.web.helpers import PASSWORD, new_email
from tests.web.seeding import past, play_session

pytestmark = pytest.mark.e2e

Shot = Callable[[Page, str], Path]
SLACK = UserRef("slack", "T024BE7LD", "U-ada")
SLOW_MODEL_SECONDS = 5
ANSWER = (
    "A database index is a separate sorted structure, usually a B-tree, that lets the engine find "
    "rows without scanning the table. It speeds up reads and range queries but every insert and "
    "update must maintain it, so it costs write time and storage; choose columns by query patterns."
)


def _register(page: Page, base: str) -> str:
    email = new_email("ada")
    page.goto(base + "/")
    page.get_by_role("link", name="Create a free account").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Your progress")).to_be_visible()
    return email


def _slack_history(server: LiveServer, sessions: int = 6) -> list[int]:
    rng = random.Random(7)
    roles = ["backend", "frontend", "system-design"]
    return [
        play_session(
            server.core.deps,
            SLACK,
            role=roles[n % 3],
            difficulty=rng.choice(["easy", "medium", "hard"]),
            quality=0.08 + 0.05 * n,
            at=past(12 - 2 * n),
        )
        for n in range(sessions)
    ]


def test_register_link_and_review_history_with_charts(
    tab: BrowserPage, live_server: LiveServer, screenshot: Shot, chart_library: Path
) -> None:
    page, base = tab.page, live_server.url
    seeded = _slack_history(live_server)
    code = services.issue_link_code(live_server.core.deps, user=SLACK).code

    page.goto(base + "/")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to main content")
    screenshot(page, "landing")
    _register(page, base)
    screenshot(page, "empty-dashboard")

    page.get_by_role("link", name="Link chat").click()
    page.get_by_role("textbox", name="Link code").fill(code)
    page.get_by_role("button", name="Link identity").click()
    expect(page.get_by_role("status")).to_contain_text("Linked!")
    expect(page.get_by_test_id("linked-identities")).to_contain_text("workspace T024BE7LD")
    screenshot(page, "linked")

    page.get_by_role("link", name="Sessions", exact=True).click()
    rows = page.get_by_test_id("sessions-table").locator("tbody tr")
    expect(rows).to_have_count(len(seeded))
    screenshot(page, "sessions")
    page.get_by_label("Role").select_option("frontend")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Frontend")
    page.get_by_text("Ideal answer").first.click()
    screenshot(page, "session-detail")

    page.get_by_role("link", name="Analytics").click()
    drawn = page.locator("canvas[data-rendered='true']")
    expect(drawn).to_have_count(5)
    charts = page.evaluate(
        "[...document.querySelectorAll('canvas[data-chart]')]"
        ".filter((c) => window.Chart.getChart(c)).length"
    )
    assert charts == 5
    labels = page.evaluate(
        "window.Chart.getChart(document.querySelector('[data-chart=answersPerSession]'))"
        ".data.labels"
    )
    assert len(labels) == len(seeded) == len(set(labels))  # each bar names its own day
    screenshot(page, "analytics")

    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("sessions-this-week")).not_to_have_text("0")
    screenshot(page, "dashboard")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "dashboard-phone")
    assert tab.problems == [], tab.problems  # no script errors, no CSP violations


def test_practice_interview_to_its_summary(
    tab: BrowserPage, live_server: LiveServer, screenshot: Shot
) -> None:
    page, base = tab.page, live_server.url
    _register(page, base)
    page.get_by_role("link", name="Start a practice interview").click()
    page.get_by_label("Backend").check()
    page.get_by_label("Easy").check()
    page.get_by_label("Questions").fill("2")
    screenshot(page, "start")
    page.get_by_role("button", name="Start interview").click()
    expect(page.get_by_role("heading", name="Question 1 of 2")).to_be_visible()

    # Record what the evaluating indicator says at the moment the answer is sent.
    page.evaluate(
        "document.addEventListener('submit', () => sessionStorage.setItem('indicator',"
        " document.querySelector('[data-evaluating-indicator]').textContent))"
    )
    page.get_by_label("Your answer").fill(ANSWER)
    screenshot(page, "question")
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    assert "Evaluating your answer" in page.evaluate("sessionStorage.getItem('indicator')")
    expect(page.get_by_text("Feedback", exact=True)).to_be_visible()
    screenshot(page, "evaluated")

    page.get_by_role("button", name="Go deeper").click()
    expect(page.get_by_role("heading", name="Follow-up on question 1 of 2")).to_be_visible()
    page.get_by_role("button", name="Get a hint").click()
    expect(page.get_by_text("Hint:")).to_be_visible()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit answer").click()
    expect(page.get_by_test_id("score")).to_be_visible()
    page.get_by_role("button", name="Next question").click()

    expect(page.get_by_role("heading", name="Question 2 of 2")).to_be_visible()
    page.get_by_label("Your answer").fill("I would start with the requirements and then measure.")
    page.get_by_role("button", name="Submit answer").click()
    page.get_by_role("button", name="Finish and see summary").click()
    summary = page.get_by_test_id("summary")
    expect(summary).to_contain_text("Average score")
    expect(page.get_by_role("heading", name="Interview summary")).to_be_visible()
    screenshot(page, "summary")

    page.get_by_role("link", name="Review every answer").click()
    expect(page.locator(".transcript > li")).to_have_count(3)
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_test_id("sessions-this-week")).to_have_text("1")
    assert tab.problems == [], tab.problems


def test_the_practice_page_shows_the_cores_steps(
    tab: BrowserPage, live_server: LiveServer, screenshot: Shot
) -> None:
    """answer → evaluated (Finish / Go deeper) → follow-up → evaluated (no more deeper) →
    summary: each step, label and button is what the core's Interview says (and the resume API
    agrees with the page at every step)."""
    page, base = tab.page, live_server.url
    _register(page, base)
    page.goto(base + "/practice")
    page.get_by_label("Backend").check()
    page.get_by_label("Questions").fill("1")
    page.get_by_role("button", name="Start interview").click()
    step = page.get_by_test_id("step")

    def agrees_with_the_api() -> dict[str, object]:
        session_id = page.url.split("/practice/")[1].split("#")[0]
        state = page.request.get(f"{base}/api/practice/{session_id}").json()
        assert state["step"] == step.get_attribute("data-step")
        assert state["step_label"] == step.inner_text()
        assert state["question"]["label"] == page.get_by_role("heading", level=1).inner_text()
        return dict(state)

    expect(page.get_by_role("heading", name="Question 1 of 1")).to_be_visible()
    expect(step).to_have_text(Step.ANSWER.label)
    assert "answer" in agrees_with_the_api()["actions"]
    expect(page.get_by_role("button", name="Skip question")).to_be_visible()
    screenshot(page, "answer")

    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit answer").click()
    expect(step).to_have_text(Step.EVALUATED.label)
    expect(page.get_by_role("button", name="Finish and see summary")).to_be_visible()
    expect(page.get_by_role("button", name="Go deeper")).to_be_visible()
    expect(page.get_by_role("button", name="Next question")).to_have_count(0)  # has_next: no
    assert set(agrees_with_the_api()["actions"]) == {"next", "deeper", "end"}
    screenshot(page, "evaluated")

    page.get_by_role("button", name="Go deeper").click()
    expect(page.get_by_role("heading", name="Follow-up on question 1 of 1")).to_be_visible()
    expect(step).to_have_text(Step.ANSWER.label)
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit answer").click()
    expect(step).to_have_text(Step.EVALUATED.label)
    expect(page.get_by_role("button", name="Go deeper")).to_have_count(0)  # one follow-up each
    assert agrees_with_the_api()["can_go_deeper"] is False
    screenshot(page, "follow-up-evaluated")

    page.get_by_role("button", name="Finish and see summary").click()
    expect(page.get_by_role("heading", name="Interview summary")).to_be_visible()
    expect(page.get_by_test_id("summary")).to_contain_text("Average score")
    expect(page.locator(".advice li").first).to_be_visible()  # the core's practice_next
    screenshot(page, "summary")
    assert tab.problems == [], tab.problems


class _SlowModel(OfflineEvaluator):
    """A model that takes a few seconds: the page must show the wait and then the result."""

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        time.sleep(SLOW_MODEL_SECONDS)
        return super().evaluate(question, answer)


@pytest.fixture
def slow_server(tmp_path: Path) -> Iterator[LiveServer]:
    settings = web_settings(f"sqlite:///{tmp_path / 'slow.db'}", f"memory://slow-{tmp_path.name}")
    core = build_core(settings, auto_migrate=True, llm=(_SlowModel(), OfflineQuestionWriter()))
    yield from serve(core, tmp_path)


def test_the_page_follows_a_slow_evaluation_by_itself(
    tab: BrowserPage, slow_server: LiveServer, screenshot: Shot
) -> None:
    """The answer is taken at once; the page says so, shows the wait, and shows the result
    when it lands, with nobody touching the page (it polls the API)."""
    page, base = tab.page, slow_server.url
    _register(page, base)
    page.goto(base + "/practice")
    page.get_by_label("Backend").check()
    page.get_by_role("button", name="Start interview").click()
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Submit answer").click()

    step = page.get_by_test_id("step")
    expect(step).to_have_text(Step.EVALUATING.label)
    expect(page.get_by_text("Your answer is saved")).to_be_visible()
    expect(page.get_by_text("Waiting for the result")).to_be_visible()
    screenshot(page, "evaluating")
    expect(page.get_by_test_id("score")).to_be_visible(timeout=SLOW_MODEL_SECONDS * 5 * 1000)
    expect(step).to_have_text(Step.EVALUATED.label)
    screenshot(page, "evaluated")
    assert tab.problems == [], tab.problems
