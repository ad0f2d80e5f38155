"""`/interview` and its sub-commands, the start modal and App Home, through signed `App.dispatch`."""

from __future__ import annotations

import json
import re

import pytest
from slack_bolt import App

from bots.slack import ids
from core.bootstrap import Core
from tests.slack import support as s
from tests.slack.mock_slack import MockSlack


def run(app: App, body: str):  # type: ignore[no-untyped-def]
    response = app.dispatch(s.bolt_request(body))
    assert response.status == 200, response.body
    return response


def start(app: App, mock: MockSlack, text: str = "backend medium 2", user: str = s.ALICE) -> str:
    """Start an interview; the thread ts of its card."""
    run(app, s.command(text, response_url=mock.response_url(), user=user))
    return mock.to("chat.postMessage")[-1].ts


def test_help_is_answered_in_the_ack_and_nothing_else_happens(
    app: App, mock_slack: MockSlack
) -> None:
    response = run(app, s.command("help", response_url=mock_slack.response_url()))
    body = json.loads(response.body)
    assert "/interview backend medium" in json.dumps(body) and "`backend`" in json.dumps(body)
    assert mock_slack.methods() in ([], ["auth.test"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("astrologer hard", "I don't know the role `astrologer`. Choose one of: `backend`"),
        ("backend extreme", "I don't know the difficulty `extreme`. Choose one of: `easy`"),
        ("backend medium 50", "Choose between 1 and 10 questions (you asked for 50)."),
    ],
)
def test_mistakes_get_a_clear_ephemeral_answer_in_the_ack(
    app: App, mock_slack: MockSlack, core: Core, text: str, expected: str
) -> None:
    response = run(app, s.command(text, response_url=mock_slack.response_url()))
    assert expected in response.body  # plain text: Slack shows it to the user only
    assert "chat.postMessage" not in mock_slack.methods()
    user = s.ALICE
    from core import services
    from core.domain.model import UserRef

    assert services.quota_status(core.deps, user=UserRef("slack", s.TEAM, user)).used == 0


def test_multi_word_roles_and_aliases_start_an_interview(app: App, mock_slack: MockSlack) -> None:
    start(app, mock_slack, "system design hard 1")
    [card] = mock_slack.to("chat.update")
    assert "System design · Hard" in card.text() and "Question 1 of 1" in card.text()


def test_no_arguments_opens_the_modal_and_its_submission_starts_in_that_channel(
    app: App, mock_slack: MockSlack
) -> None:
    run(app, s.command("", response_url=mock_slack.response_url(), trigger="trig-9"))
    [opened] = mock_slack.wait_for("views.open")
    assert opened.params["trigger_id"] == "trig-9"
    view = opened.params["view"]
    assert view["callback_id"] == ids.START_MODAL
    assert json.loads(view["private_metadata"]) == {"channel": s.CHANNEL}
    assert [b["block_id"] for b in view["blocks"]] == [
        ids.ROLE_BLOCK,
        ids.DIFFICULTY_BLOCK,
        ids.COUNT_BLOCK,
    ]
    from core.domain.roles import Difficulty

    chosen = view["blocks"][1]["element"]["initial_option"]
    assert chosen["value"] == Difficulty.DEFAULT.value  # the core's default, preselected

    submission = s.view_submission(
        role="frontend", difficulty="easy", questions=3, channel=s.CHANNEL
    )
    run(app, submission)
    run(app, submission)  # the same submission delivered twice starts one interview
    [placeholder] = mock_slack.to("chat.postMessage")
    assert placeholder.params["channel"] == s.CHANNEL
    [card] = mock_slack.to("chat.update")
    assert "Frontend · Easy" in card.text() and "Question 1 of 3" in card.text()


def test_quota_history_link_and_end(app: App, mock_slack: MockSlack) -> None:
    def ask(text: str) -> str:
        mock_slack.clear()
        run(app, s.command(text, response_url=mock_slack.response_url()))
        [answer] = mock_slack.to("response_url")
        assert answer.params["response_type"] == "ephemeral"
        return answer.text()

    assert "*3 of 3* interview sessions left today" in ask("quota")
    assert "<!date^" in ask("quota")  # shown in each reader's own time zone
    assert "no interviews yet" in ask("history")
    assert "There is no interview in progress" in ask("end")
    code = re.search(r"\*([A-Z0-9]{4}-[A-Z0-9]{4})\*", ask("link"))
    assert code is not None and "https://interviews.example.com/link" in ask("link")

    thread = start(app, mock_slack)
    assert "*2 of 3*" in ask("quota")
    history = ask("history")
    assert "Backend · Medium" in history and "2 questions · 0 scored" in history
    assert "has ended" in ask("end")
    [summary] = mock_slack.to("chat.postMessage")
    assert summary.params["thread_ts"] == thread and "Interview ended" in summary.text()
    [first] = mock_slack.to("chat.update")
    assert (
        first.ts == thread
        and "Interview ended" in first.text()
        and "actions" not in str(first.params["blocks"])
    )


def test_an_exhausted_quota_says_when_it_resets_and_posts_nothing(
    app: App, mock_slack: MockSlack
) -> None:
    for _ in range(3):
        start(app, mock_slack)
    mock_slack.clear()
    run(app, s.command("backend medium", response_url=mock_slack.response_url()))
    [answer] = mock_slack.to("response_url")
    assert "used all 3 interview sessions" in answer.text() and "resets <!date^" in answer.text()
    assert "chat.postMessage" not in mock_slack.methods()


def test_a_channel_the_bot_is_not_in_gets_an_invite_hint_and_counts_nothing(
    app: App, mock_slack: MockSlack
) -> None:
    mock_slack.fail("chat.postMessage", "not_in_channel")
    run(app, s.command("backend medium", response_url=mock_slack.response_url()))
    [answer] = mock_slack.to("response_url")
    assert "/invite" in answer.text() and "nothing was counted" in answer.text()
    mock_slack.clear()
    run(app, s.command("quota", response_url=mock_slack.response_url()))
    assert "*3 of 3*" in mock_slack.to("response_url")[0].text()


def test_a_first_question_slack_will_not_show_undoes_the_start(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    from core import services
    from core.domain.model import Platform, UserRef

    mock_slack.fail("chat.update", "internal_error")
    run(app, s.command("backend medium", response_url=mock_slack.response_url()))
    [placeholder] = mock_slack.to("chat.postMessage")
    [deleted] = mock_slack.to("chat.delete")  # no "Setting up…" left in the channel
    assert deleted.params["ts"] == placeholder.ts
    [told] = mock_slack.to("response_url")
    assert "did not start and nothing was counted" in told.text()
    alice = UserRef(Platform.SLACK, s.TEAM, s.ALICE)
    assert services.quota_status(core.deps, user=alice).used == 0  # given back by the core
    assert services.latest_active_session(core.deps, user=alice) is None


def test_sessions_can_run_in_a_dm_instead(
    core: Core, settings, web_client, mock_slack: MockSlack
) -> None:  # type: ignore[no-untyped-def]
    import logging

    from bots.slack.app import build_slack_app

    dm_settings = settings.model_copy(update={"slack_sessions_in_dm": True})
    app = build_slack_app(
        lambda: core,
        dm_settings,
        client=web_client,
        lazy_runner=s.InlineLazyRunner(logging.getLogger("t")),
    )
    run(app, s.command("backend medium", response_url=mock_slack.response_url()))
    [opened] = mock_slack.to("conversations.open")
    assert opened.params["users"] == s.ALICE
    [placeholder] = mock_slack.to("chat.postMessage")
    assert placeholder.params["channel"] == "D" + s.ALICE[1:]
    [told] = mock_slack.to("response_url")
    assert "direct messages" in told.text()


def test_app_home_shows_quota_sessions_tags_start_and_dashboard(
    app: App, mock_slack: MockSlack
) -> None:
    home = s.event(
        {"type": "app_home_opened", "user": s.ALICE, "channel": "D0ALICE", "tab": "home"}
    )
    run(app, home)
    [published] = mock_slack.to("views.publish")
    assert published.params["user_id"] == s.ALICE
    text = published.text()
    assert "*3 of 3* interview sessions left today" in text and "No interviews yet" in text
    actions = [
        e
        for b in published.params["view"]["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert {a["action_id"] for a in actions} == {ids.HOME_START, ids.OPEN_DASHBOARD}

    thread = start(app, mock_slack)
    run(
        app,
        s.event(
            s.reply(
                "Use an index and a cache with a TTL and explain the trade-offs.",
                thread=thread,
                ts="1700009999.000001",
            )
        ),
    )
    mock_slack.clear()
    run(app, home)
    text = mock_slack.to("views.publish")[0].text()
    assert "*2 of 3*" in text and "Backend · Medium" in text and "Average score by tag" in text

    mock_slack.clear()
    run(
        app,
        s.event(
            {"type": "app_home_opened", "user": s.ALICE, "channel": "D0ALICE", "tab": "messages"}
        ),
    )
    assert "views.publish" not in mock_slack.methods()


def test_the_home_start_button_opens_the_modal_for_a_dm_interview(
    app: App, mock_slack: MockSlack
) -> None:
    body = s.action(
        ids.HOME_START,
        "",
        message={"ts": "1.1", "blocks": []},
        response_url=mock_slack.response_url(),
    )
    run(app, body)
    [opened] = mock_slack.wait_for("views.open")
    assert json.loads(opened.params["view"]["private_metadata"]) == {"channel": None}
    run(
        app,
        s.view_submission(
            role="backend", difficulty="hard", questions=1, channel=None, view_id="V2"
        ),
    )
    assert mock_slack.to("conversations.open") and mock_slack.to("chat.update")
    assert "response_url" not in mock_slack.methods()  # the card in the DM says it all
