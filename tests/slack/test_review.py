"""The learning loop in Slack: `/interview review`, `remind`, `adaptive`, the reminder DM with
its Start review button, App Home's due count and the app's own schedule timer."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from slack_bolt import App
from slack_sdk.web import WebClient

from bots.slack import ids
from bots.slack import schedule as slack_schedule
from bots.slack.notifier import SlackNotifier
from core import services
from core.bootstrap import Core
from core.domain.model import ConversationRef, SessionKind, UserRef
from core.services.schedule import run_due
from tests.fakes import FakeClock
from tests.slack import support as s
from tests.slack.mock_slack import MockSlack

ALICE = UserRef("slack", s.TEAM, s.ALICE)


def run(app: App, body: str):  # type: ignore[no-untyped-def]
    response = app.dispatch(s.bolt_request(body))
    assert response.status == 200, response.body
    return response


@pytest.fixture
def clock(core: Core) -> FakeClock:
    fake = FakeClock(datetime(2026, 12, 1, 7, 0, tzinfo=UTC))
    core.deps.clock = fake
    return fake


def weak_answer(core: Core) -> str:
    """Alice answered a question weakly (in an earlier interview): its bank id."""
    where = ConversationRef("slack", s.TEAM, s.CHANNEL, s.ALICE, thread="earlier")
    started = services.start_session(
        core.deps, conversation=where, role="backend", difficulty="easy", questions=1
    )
    services.submit_answer(
        core.deps, session_id=started.session.id, actor=ALICE, text="no idea", delivery_id="w1"
    )
    services.end_session(core.deps, session_id=started.session.id, actor=ALICE)
    return started.question.question.bank_id or ""


def test_review_with_nothing_due_says_when_and_offers_an_interview(
    app: App, mock_slack: MockSlack, core: Core, clock: FakeClock
) -> None:
    weak_answer(core)
    used = services.quota_status(core.deps, user=ALICE).used
    run(app, s.command("review", response_url=mock_slack.response_url()))
    [said] = mock_slack.to("response_url")
    assert "Nothing is due for review right now" in said.text()
    assert "<!date^" in said.text() and "/interview backend medium" in said.text()
    assert "chat.postMessage" not in mock_slack.methods()  # no placeholder flashed
    assert services.quota_status(core.deps, user=ALICE).used == used  # nothing counted


def test_review_starts_a_session_of_the_due_items(
    app: App, mock_slack: MockSlack, core: Core, clock: FakeClock
) -> None:
    weak_answer(core)
    clock.advance(days=1)
    run(app, s.command("review", response_url=mock_slack.response_url()))
    [card] = mock_slack.to("chat.update")
    assert "Review — Backend · Easy" in card.text() and "Question 1 of" in card.text()
    session = services.latest_active_session(core.deps, user=ALICE)
    assert session is not None and session.kind is SessionKind.REVIEW


def test_adaptive_start_and_reminder_settings(app: App, mock_slack: MockSlack, core: Core) -> None:
    run(app, s.command("backend easy 2 adaptive", response_url=mock_slack.response_url()))
    session = services.latest_active_session(core.deps, user=ALICE)
    assert session is not None and session.adaptive
    run(app, s.command("remind daily 09:00 Europe/Paris", response_url=mock_slack.response_url()))
    assert "daily at 09:00 (Europe/Paris)" in mock_slack.to("response_url")[-1].text()
    assert services.reminder_of(core.deps, user=ALICE) is not None
    response = run(app, s.command("remind at teatime", response_url=mock_slack.response_url()))
    assert "remind daily 09:00 Europe/Paris" in response.body  # refused in the ack
    run(app, s.command("remind off", response_url=mock_slack.response_url()))
    assert "off" in mock_slack.to("response_url")[-1].text()
    assert services.reminder_of(core.deps, user=ALICE) is None


def test_the_reminder_dm_and_its_start_review_button(
    app: App, mock_slack: MockSlack, core: Core, clock: FakeClock, web_client: WebClient
) -> None:
    weak_answer(core)
    services.set_reminder(core.deps, user=ALICE, text="daily 09:00 UTC")
    clock.current = datetime(2026, 12, 2, 9, 5, tzinfo=UTC)
    notifier = SlackNotifier(lambda team: web_client)
    assert run_due(core.deps, {"slack": notifier})["review_reminders"] == {"sent": 1}
    assert run_due(core.deps, {"slack": notifier})["review_reminders"] == {}  # once a day
    [dm] = mock_slack.to("chat.postMessage")
    assert dm.params["channel"] == "D0ALICE"
    assert "due: " in dm.text() and "start review" in dm.text()
    assert ids.REVIEW_START in json.dumps(dm.params["blocks"])
    message = {"ts": dm.response["ts"], "text": dm.text(), "blocks": dm.params["blocks"]}
    run(app, s.action(ids.REVIEW_START, "", message=message,
                      response_url=mock_slack.response_url(), channel="D0ALICE"))  # fmt: skip
    card = mock_slack.to("chat.update")[-1]
    assert card.params["channel"] == "D0ALICE" and "Review —" in card.text()


def test_app_home_shows_the_due_count(
    app: App, mock_slack: MockSlack, core: Core, clock: FakeClock
) -> None:
    weak_answer(core)
    clock.advance(days=1)
    home = {"type": "app_home_opened", "user": s.ALICE, "channel": "D0ALICE", "tab": "home"}
    run(app, s.event(home))
    text = mock_slack.to("views.publish")[0].text()
    assert "due: " in text and "for review today" in text and "Review " in text


def test_the_app_runs_the_due_jobs_with_its_own_notifier(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        slack_schedule, "run_due", lambda deps, notifiers: seen.append(list(notifiers))
    )
    settings = core.settings.model_copy(update={"due_check_seconds": 1.0})
    timer = slack_schedule.start_schedule(core, settings)
    assert timer is not None
    try:
        deadline = datetime.now(UTC) + timedelta(seconds=5)
        while not seen and datetime.now(UTC) < deadline:
            pass
    finally:
        timer.stop()
    assert seen[0] == ["slack"]
    no_token = core.settings.model_copy(update={"slack_bot_token": None})
    assert slack_schedule.start_schedule(core, no_token) is None
