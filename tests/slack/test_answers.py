"""Thread replies and buttons: who counts, what is ignored, one evaluation per answer, Retry."""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bots.slack import ids
from core.bootstrap import Core
from core.domain.errors import LlmUnavailable
from tests.fakes import ScriptedEvaluator
from tests.slack import support as s
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.test_commands import run, start

ANSWER = "I would add a cache with a TTL in front of the database and index the hot queries."


def answer(
    app: App, thread: str, text: str = ANSWER, *, ts: str = "1700005000.000001", **kw
) -> None:  # type: ignore[no-untyped-def]
    run(app, s.event(s.reply(text, thread=thread, ts=ts, **kw)))


def evaluations(mock: MockSlack) -> list[Call]:
    return [c for c in mock.to("chat.update") if "Ideal answer" in c.text()]


def buttons(call: Call) -> dict[str, str]:
    return {
        e["action_id"]: e.get("value", "")
        for b in call.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    }


def click(
    app: App, mock: MockSlack, action_id: str, card: Call, *, user: str = s.ALICE, ts: str = ""
) -> None:
    message = {"ts": card.ts, "blocks": card.params["blocks"]}
    run(
        app,
        s.action(
            action_id,
            buttons(card)[action_id],
            message=message,
            response_url=mock.response_url(),
            user=user,
            action_ts=ts or None,
        ),
    )


def test_the_owners_reply_is_evaluated_in_place_of_an_evaluating_message(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()
    answer(app, thread)
    [evaluating] = mock_slack.to("chat.postMessage")
    assert evaluating.params["thread_ts"] == thread and "Evaluating" in evaluating.text()
    [evaluation] = evaluations(mock_slack)
    assert evaluation.params["ts"] == evaluating.ts  # updated in place
    assert {ids.NEXT, ids.DEEPER, ids.END} == set(buttons(evaluation))


def test_other_people_bots_top_level_messages_and_deletions_are_ignored(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()
    answer(app, thread, user=s.BOB)  # someone else's reply in the thread
    answer(app, thread, "x" * 9000, user=s.BOB, ts="1700005000.000002")  # not even an error
    bot = s.reply("beep", thread=thread, ts="1700005000.000003") | {
        "bot_id": "B0OTHER",
        "subtype": "bot_message",
    }
    run(app, s.event(bot))
    run(app, s.event(s.reply("top level", thread="1700005000.000004", ts="1700005000.000004")))
    run(
        app,
        s.event(
            {
                "type": "message",
                "subtype": "message_deleted",
                "channel": s.CHANNEL,
                "ts": "1700005000.000005",
                "deleted_ts": "1700005000.000001",
            }
        ),
    )
    run(
        app, s.event(s.reply(ANSWER, thread="1699999999.000001", ts="1700005000.000006"))
    )  # other thread
    assert [m for m in mock_slack.methods() if m != "auth.test"] == []


def test_redeliveries_over_http_and_socket_mode_evaluate_once(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()
    body = s.event(s.reply(ANSWER, thread=thread, ts="1700005000.000001"), event_id="Ev0ONE")
    run(app, body)
    for retry in (1, 2, 3):  # Slack's HTTP retries: same body, x-slack-retry-num
        assert app.dispatch(s.bolt_request(body, s.signed_headers(body, retry=retry))).status == 200
    import json

    envelope = {
        "envelope_id": "e1",
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": 1,
        "retry_reason": "timeout",
        "payload": json.loads(body),
    }
    run_bolt_app(app, SocketModeRequest.from_dict(envelope))  # a Socket Mode redelivery
    assert len(mock_slack.to("chat.postMessage")) == 1 and len(evaluations(mock_slack)) == 1
    assert "chat.postEphemeral" not in mock_slack.methods()


def test_a_second_reply_and_an_edit_get_one_short_hint_each(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    answer(app, thread)
    mock_slack.clear()
    for _ in range(2):  # the second message, and Slack's retry of it
        answer(app, thread, "Oh, and also sharding.", ts="1700005000.000002")
    for _ in range(2):
        run(
            app,
            s.event(s.edit("edited answer", thread=thread, ts="1700005000.000001", before=ANSWER)),
        )
    hints = mock_slack.to("chat.postEphemeral")
    assert len(hints) == 2 and all(h.params["user"] == s.ALICE for h in hints)
    assert "first reply was taken" in hints[0].text() and "Edits don't change" in hints[1].text()
    assert evaluations(mock_slack) == [] and "chat.postMessage" not in mock_slack.methods()


def test_an_answer_too_long_is_refused_privately_and_nothing_is_stored(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()
    answer(app, thread, "word " * 1000)
    [told] = mock_slack.to("chat.postEphemeral")
    assert told.params["user"] == s.ALICE and "the limit is 4,000" in told.text()
    answer(app, thread, ANSWER, ts="1700005000.000002")  # a shorter one is then taken
    assert len(evaluations(mock_slack)) == 1


def test_an_llm_failure_shows_retry_and_retry_evaluates_in_the_same_message(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    failing = ScriptedEvaluator()
    failing.fail_with = LlmUnavailable("The AI evaluator is busy right now.", kind="rate_limited")
    offline, core.deps.evaluator = core.deps.evaluator, failing
    thread = start(app, mock_slack)
    mock_slack.clear()
    answer(app, thread)
    [failed] = mock_slack.to("chat.update")
    assert "The AI evaluator is busy right now." in failed.text()
    assert "Traceback" not in failed.text() and set(buttons(failed)) == {ids.RETRY, ids.END}

    core.deps.evaluator = offline
    mock_slack.clear()
    click(app, mock_slack, ids.RETRY, failed)
    updates = mock_slack.to("chat.update")
    assert [u.ts for u in updates] == [failed.ts, failed.ts]  # "Evaluating…", then the result
    assert "Evaluating" in updates[0].text() and "Ideal answer" in updates[1].text()


def test_buttons_hint_skip_deeper_and_end(app: App, mock_slack: MockSlack) -> None:
    thread = start(app, mock_slack, "backend medium 3")
    [card] = mock_slack.to("chat.update")
    mock_slack.clear()
    click(app, mock_slack, ids.HINT, card, ts="1.1")
    click(app, mock_slack, ids.HINT, card, ts="1.1")  # the same click redelivered: one hint
    [hint] = mock_slack.to("chat.postMessage")
    assert "Hint 1" in hint.text() and hint.params["thread_ts"] == thread

    mock_slack.clear()
    click(app, mock_slack, ids.SKIP, card)
    click(app, mock_slack, ids.SKIP, card)  # a double click skips once
    [second] = mock_slack.to("chat.postMessage")
    assert "Question 2 of 3" in second.text()
    [closed] = mock_slack.to("chat.update")
    assert closed.ts == card.ts and buttons(closed) == {} and "Skipped" in closed.text()

    answer(app, thread, ts="1700005000.000009")
    evaluation = evaluations(mock_slack)[-1]
    mock_slack.clear()
    click(app, mock_slack, ids.DEEPER, evaluation)
    [follow_up] = mock_slack.to("chat.postMessage")
    assert "Follow-up on question 2 of 3" in follow_up.text()

    mock_slack.clear()
    click(app, mock_slack, ids.END, evaluation, user=s.BOB)  # not Bob's interview
    [refused] = mock_slack.to("response_url")
    assert (
        "belongs to someone else" in refused.text() and refused.params["replace_original"] is False
    )
    click(app, mock_slack, ids.END, evaluation)
    [summary] = mock_slack.to("chat.postMessage")
    assert "Interview ended" in summary.text() and "1 skipped" in summary.text()
    click(app, mock_slack, ids.END, evaluation)
    assert "already finished" in mock_slack.to("response_url")[-1].text()
