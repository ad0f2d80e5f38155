"""A whole interview, from `/interview` to the summary card, through the Lambda handler with the
lazy self-invocations replayed — on SQLite + the Redis stand-in and on MariaDB + Redis."""

from __future__ import annotations

import pytest

from bots.slack import ids
from core.config import Settings
from tests.slack import support as s
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack
from tests.slack.support import buttons


@pytest.fixture
def settings(backend) -> Settings:  # type: ignore[no-untyped-def]
    return slack_settings(backend.database_url, backend.redis_url, backend.redis_prefix)


ANSWERS = [
    "I would put a cache in front of the database with a TTL, invalidate on writes, "
    "and watch the hit rate; consistency matters, so I would use cache-aside.",
    "Add an index on the columns in the WHERE clause, check the query plan with EXPLAIN, "
    "and avoid N+1 queries by batching.",
]


def test_a_whole_interview_through_the_lambda_handler(
    lam: s.LambdaHarness, mock_slack: MockSlack
) -> None:
    response = lam.send(s.command("backend medium 2", response_url=mock_slack.response_url()))
    assert response["statusCode"] == 200 and not response["body"]  # acked, nothing shown yet
    assert mock_slack.calls == [] or mock_slack.methods() == [
        "auth.test"
    ]  # no work on the ack path
    assert lam.replay() == 1

    [placeholder] = mock_slack.to("chat.postMessage")
    thread = placeholder.ts
    [card] = mock_slack.to("chat.update")
    assert card.params["ts"] == thread and placeholder.params["channel"] == s.CHANNEL
    assert "Question 1 of 2" in card.text() and "Backend · Medium" in card.text()
    assert set(buttons(card)) == {ids.HINT, ids.SKIP, ids.END}

    for n, answer in enumerate(ANSWERS, start=1):
        mock_slack.clear()
        lam.deliver(s.event(s.reply(answer, thread=thread, ts=f"1700001000.00000{n}")))
        [evaluating] = mock_slack.to("chat.postMessage")
        assert "Evaluating" in evaluating.text() and evaluating.params["thread_ts"] == thread
        [evaluation] = mock_slack.to("chat.update")
        assert "/10" in evaluation.text() and "Ideal answer" in evaluation.text()
        assert "█" in evaluation.text() or "░" in evaluation.text()  # the score bar
        value = buttons(evaluation)[ids.NEXT]
        assert value.endswith(f":{n}")

        mock_slack.clear()
        clicked = {"ts": evaluating.ts, "blocks": evaluation.params["blocks"]}
        lam.deliver(
            s.action(ids.NEXT, value, message=clicked, response_url=mock_slack.response_url())
        )
        [posted] = mock_slack.to("chat.postMessage")
        assert posted.params["thread_ts"] == thread
        updated = {u.ts: u for u in mock_slack.to("chat.update")}
        assert buttons(updated.pop(evaluating.ts)) == {}  # the used card lost its buttons
        if n < len(ANSWERS):
            assert f"Question {n + 1} of 2" in posted.text() and not updated
    summary = posted.text()
    assert "Interview complete" in summary and "Answered 2 of 2, skipped 0" in summary
    # The thread's first card, all the channel sees, no longer offers Hint / Skip / End.
    first = updated.pop(thread)
    assert buttons(first) == {} and "Question 1 of 2" in first.text()
    assert "Interview complete · average" in first.text() and not updated
    dashboard = buttons(posted)
    assert ids.OPEN_DASHBOARD in dashboard
    assert any(
        e.get("url", "").startswith("https://interviews.example.com/sessions/")
        for b in posted.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    )
