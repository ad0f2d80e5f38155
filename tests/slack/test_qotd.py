"""The question of the day in Slack, end to end with real payload shapes: an admin schedules it
(users.info says who is an admin), the schedule posts it, people answer through the Answer
button's modal and get their evaluation by DM, the reveal goes in the thread and the card is
edited to show it closed, the leaderboard (opt-in) and App Home show standings."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_bolt import App

from bots.slack import ids
from core.bootstrap import Core
from core.config import Settings
from core.services.schedule import run_due
from tests.fakes import FakeClock
from tests.qotd.support import ANSWER, MORNING
from tests.slack import support as s
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack

ADMIN = "U0ADMIN"


@pytest.fixture
def settings(tmp_path: Path, migrated_sqlite: Path, mock_slack: MockSlack) -> Settings:
    import shutil

    database = tmp_path / "slack.db"
    shutil.copyfile(migrated_sqlite, database)
    return slack_settings(
        f"sqlite:///{database}",
        f"memory://{tmp_path.name}",
        "ib:",
        slack_api_base_url=mock_slack.url,  # the core's own messages go to the mock too
        qotd_evaluation_workers=0,
    )


@pytest.fixture(autouse=True)
def clock(core: Core) -> FakeClock:
    core.deps.clock = FakeClock(MORNING)
    return core.deps.clock  # type: ignore[return-value]


def send(app: App, body: str) -> int:
    return s.status(app.dispatch(s.bolt_request(body)))


def command(app: App, mock: MockSlack, text: str, user: str = s.ALICE) -> str:
    """Run `/interview <text>` and return what the person was told (ack or response_url)."""
    mock.clear()
    response = app.dispatch(
        s.bolt_request(s.command(text, response_url=mock.response_url(), user=user))
    )
    told = [c.text() for c in mock.to("response_url")]
    return "\n".join([response.body or "", *told])


def posted_question(mock: MockSlack) -> Any:
    [card] = [c for c in mock.to("chat.postMessage") if ids.QOTD_ANSWER in s.buttons(c)]
    return card


def dms_to(mock: MockSlack, user: str) -> list[Any]:
    return [c for c in mock.to("chat.postMessage") if c.params["channel"] == "D" + user[1:]]


def test_schedule_post_answer_reveal_and_leaderboard(
    app: App, core: Core, mock_slack: MockSlack, clock: FakeClock
) -> None:
    # Configuration is for admins, as Slack says (users.info).
    refused = command(app, mock_slack, "qotd set at 09:00 until 17:00 days mon-fri")
    assert "Only workspace admins" in refused
    assert mock_slack.to("users.info")[0].params["user"] == s.ALICE
    mock_slack.users[ADMIN] = {"is_admin": True}
    told = command(
        app,
        mock_slack,
        "qotd set at 09:00 until 17:00 tz UTC days mon-fri roles backend",
        user=ADMIN,
    )
    assert "Question of the day updated" in told and "Mon–Fri at 09:00" in told
    assert "not a time of day" in command(app, mock_slack, "qotd set at 25:00", user=ADMIN)

    # The schedule posts it (the same run the EventBridge schedule and the local timer make).
    mock_slack.clear()
    clock.current = MORNING + timedelta(hours=1.5)
    run_due(core.deps, core.notifiers)
    card = posted_question(mock_slack)
    assert card.params["channel"] == s.CHANNEL and "Question of the day" in card.text()
    post_id = s.buttons(card)[ids.QOTD_ANSWER]

    # The Answer button opens a modal with the question, in the ack.
    message = {"ts": card.ts, "text": card.params["text"], "blocks": card.params["blocks"]}
    assert (
        send(
            app,
            s.action(
                ids.QOTD_ANSWER, post_id, message=message, response_url=mock_slack.response_url()
            ),
        )
        == 200
    )
    [opened] = mock_slack.to("views.open")
    assert opened.params["view"]["callback_id"] == ids.QOTD_MODAL
    assert card.params["blocks"][1]["text"]["text"] in opened.text()

    # Alice answers: "received" privately in the channel, the evaluation by DM.
    mock_slack.clear()
    assert send(app, s.qotd_submission(post_id, ANSWER, user=s.ALICE, view_id="V1")) == 200
    [ephemeral] = mock_slack.to("chat.postEphemeral")
    assert ephemeral.params["user"] == s.ALICE and "Answer received" in ephemeral.text()
    [dm] = dms_to(mock_slack, s.ALICE)
    assert "/10" in dm.text() and "Feedback" in dm.text()
    assert not [c for c in mock_slack.to("chat.postMessage") if c.params["channel"] == s.CHANNEL]

    # A second answer is refused, privately; an empty one is refused in the form.
    mock_slack.clear()
    send(app, s.qotd_submission(post_id, "Another go", user=s.ALICE, view_id="V2"))
    assert "already answered" in mock_slack.to("chat.postEphemeral")[0].text()
    empty = app.dispatch(s.bolt_request(s.qotd_submission(post_id, "  ", user=s.BOB, view_id="V3")))
    assert json.loads(empty.body)["response_action"] == "errors"

    # Bob joins the leaderboard and answers; the window closes; the reveal names only Bob.
    assert "joined the leaderboard" in command(app, mock_slack, "leaderboard join", user=s.BOB)
    send(
        app,
        s.qotd_submission(post_id, ANSWER + " Covering indexes too.", user=s.BOB, view_id="V4"),
    )
    mock_slack.clear()
    clock.current = MORNING + timedelta(hours=9.5)
    run_due(core.deps, core.notifiers)
    [reveal] = [
        c for c in mock_slack.to("chat.postMessage") if c.params.get("thread_ts") == card.ts
    ]
    assert "2 people answered" in reveal.text() and "Ideal answer" in reveal.text()
    assert "u0bob" in reveal.text() and s.ALICE.lower() not in reveal.text()
    [closed] = mock_slack.to("chat.update")
    assert closed.params["ts"] == card.ts and "Closed" in closed.text()
    assert ids.QOTD_ANSWER not in s.buttons(closed)

    # On demand, and in App Home.
    board = command(app, mock_slack, "leaderboard", user=s.ALICE)
    assert "u0bob" in board and "1." in board
    mock_slack.clear()
    home = {
        "type": "app_home_opened",
        "user": s.BOB,
        "channel": "D0BOB",
        "tab": "home",
        "event_ts": "1.0",
    }
    send(app, s.event(home))
    [published] = mock_slack.to("views.publish")
    assert "Question of the day" in published.text() and "Streak" in published.text()
    assert "Leave the leaderboard" in published.text()


def test_post_now_and_pause_are_for_admins(app: App, core: Core, mock_slack: MockSlack) -> None:
    mock_slack.users[ADMIN] = {"is_owner": True}
    command(app, mock_slack, "qotd set at 09:00 until 17:00", user=ADMIN)
    assert "Only workspace admins" in command(app, mock_slack, "qotd post-now")
    assert "posted" in command(app, mock_slack, "qotd post-now", user=ADMIN)
    assert posted_question(mock_slack).params["channel"] == s.CHANNEL
    assert "already posted" in command(app, mock_slack, "qotd post-now", user=ADMIN)
    assert "Paused" in command(app, mock_slack, "qotd pause", user=ADMIN)
    assert "Mon–Fri" in command(app, mock_slack, "qotd", user=s.ALICE)  # anyone may look


def test_an_answer_through_the_lambda_handler(
    lam: s.LambdaHarness, core: Core, mock_slack: MockSlack, clock: FakeClock
) -> None:
    mock_slack.users[ADMIN] = {"is_admin": True}
    body = s.command(
        "qotd set at 09:00 until 17:00", response_url=mock_slack.response_url(), user=ADMIN
    )
    assert lam.deliver(body)["statusCode"] == 200
    clock.current = MORNING + timedelta(hours=1)
    run_due(core.deps, core.notifiers)
    post_id = s.buttons(posted_question(mock_slack))[ids.QOTD_ANSWER]
    mock_slack.clear()
    started = time.perf_counter()
    response = lam.send(s.qotd_submission(post_id, ANSWER, user=s.ALICE, view_id="VL"))
    assert response["statusCode"] == 200 and time.perf_counter() - started < 3
    assert mock_slack.to("chat.postEphemeral") == []  # the ack did nothing but ack
    assert lam.replay() == 1
    assert "Answer received" in mock_slack.to("chat.postEphemeral")[0].text()
    assert dms_to(mock_slack, s.ALICE)
