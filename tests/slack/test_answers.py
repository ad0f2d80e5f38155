"""Thread replies and buttons: who counts, what is ignored, one evaluation per answer, Retry."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from slack_bolt import App
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bots.slack import ids
from core import services
from core.bootstrap import Core
from core.domain.errors import LlmUnavailable, ServiceUnavailable
from tests.fakes import ScriptedEvaluator
from tests.slack import support as s
from tests.slack.mock_slack import Call, MockSlack
from tests.slack.support import buttons
from tests.slack.test_commands import run, start

ANSWER = "I would add a cache with a TTL in front of the database and index the hot queries."


def answer(
    app: App, thread: str, text: str = ANSWER, *, ts: str = "1700005000.000001", **kw
) -> None:  # type: ignore[no-untyped-def]
    run(app, s.event(s.reply(text, thread=thread, ts=ts, **kw)))


def evaluations(mock: MockSlack) -> list[Call]:
    return [c for c in mock.to("chat.update") if "Ideal answer" in c.text()]


def click(
    app: App, mock: MockSlack, action_id: str, card: Call, *, user: str = s.ALICE, ts: str = ""
) -> None:
    message = {"ts": card.ts, "text": card.params.get("text"), "blocks": card.params["blocks"]}
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
    assert "Graded by: offline heuristic scorer" in evaluation.text()
    assert "*Key points*" in evaluation.text()


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
    answer(app, thread, ts="1700005000.000007")  # ... while the candidate's reply still counts
    assert len(evaluations(mock_slack)) == 1


def test_replies_in_threads_the_bot_did_not_start_never_reach_the_core(
    lam: s.LambdaHarness, mock_slack: MockSlack
) -> None:
    chatter = s.reply(
        "lunch?", thread="1700005000.000001", ts="1700005000.000002", parent_user=s.BOB
    )
    assert lam.send(s.event(chatter))["statusCode"] == 200
    assert lam.lam.payloads == []  # acked, and no lazy invocation started


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
    assert all(h.params["thread_ts"] == thread for h in hints)
    assert "first reply was taken" in hints[0].text() and "Edits aren't read" in hints[1].text()
    assert evaluations(mock_slack) == [] and "chat.postMessage" not in mock_slack.methods()


class HeldEvaluator(ScriptedEvaluator):
    """Evaluates only once the test lets it: the first answer's evaluation stays running while
    a second reply arrives (the overlap is forced, not hoped for with a sleep)."""

    def __init__(self) -> None:
        super().__init__()
        self.started, self.release = threading.Event(), threading.Event()

    def evaluate(self, question: Any, answer: str) -> Any:
        self.started.set()
        assert self.release.wait(timeout=10), "the test never let the evaluation finish"
        return super().evaluate(question, answer)


def test_a_second_reply_while_the_first_is_evaluated_is_told_the_result_is_coming(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    held = core.deps.evaluator = HeldEvaluator()
    thread = start(app, mock_slack)
    mock_slack.clear()
    first = threading.Thread(target=answer, args=(app, thread))
    first.start()
    try:
        assert held.started.wait(timeout=10)
        answer(app, thread, "Oh, and also sharding.", ts="1700005000.000002")
        [hint] = mock_slack.to("chat.postEphemeral")
    finally:
        held.release.set()
        first.join(timeout=10)
    assert hint.params["user"] == s.ALICE and hint.params["thread_ts"] == thread
    assert "being evaluated" in hint.text() and "will appear above" in hint.text()
    assert "Next question" not in hint.text() and "Retry" not in hint.text()
    assert len(evaluations(mock_slack)) == 1 and held.calls == 1


def test_a_second_reply_after_the_evaluation_names_the_button_the_card_has(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack, "backend medium 1")  # one question: the button is Summary
    answer(app, thread)
    [evaluation] = evaluations(mock_slack)
    assert "See summary" in evaluation.text()
    mock_slack.clear()
    answer(app, thread, "Oh, and also sharding.", ts="1700005000.000002")
    [hint] = mock_slack.to("chat.postEphemeral")
    assert "*See summary*" in hint.text() and "Next question" not in hint.text()


def test_a_reply_the_core_could_not_store_asks_the_candidate_to_send_it_again(
    app: App, mock_slack: MockSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()

    def database_down(*args: object, **kwargs: object) -> None:
        raise ServiceUnavailable("database")

    monkeypatch.setattr(services, "answer_in_conversation", database_down)
    monkeypatch.setattr(services, "find_session", database_down)
    answer(app, thread)
    [told] = mock_slack.to("chat.postEphemeral")
    assert told.params["user"] == s.ALICE and told.params["thread_ts"] == thread
    assert "send your answer again" in told.text()
    monkeypatch.undo()  # the database is back: the same message, redelivered, is taken
    answer(app, thread)
    assert len(evaluations(mock_slack)) == 1


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


def fail_evaluation(app: App, mock: MockSlack, core: Core) -> tuple[str, Call]:
    """Start an interview and answer while the evaluator fails: the thread and the failure card."""
    failing = ScriptedEvaluator()
    failing.fail_with = LlmUnavailable("The AI evaluator is busy right now.", kind="rate_limited")
    offline, core.deps.evaluator = core.deps.evaluator, failing
    thread = start(app, mock)
    mock.clear()
    answer(app, thread)
    core.deps.evaluator = offline
    [failed] = mock.to("chat.update")
    mock.clear()
    return thread, failed


def test_an_llm_failure_shows_retry_and_retry_evaluates_in_the_same_message(
    app: App, mock_slack: MockSlack, core: Core
) -> None:
    thread, failed = fail_evaluation(app, mock_slack, core)
    assert "The AI evaluator is busy right now." in failed.text()
    assert failed.params["channel"] == s.CHANNEL and mock_slack.to("chat.postMessage") == []
    assert "Traceback" not in failed.text() and set(buttons(failed)) == {ids.RETRY, ids.END}

    answer(app, thread, "And sharding.", ts="1700005000.000002")  # a second reply meanwhile
    [hint] = mock_slack.to("chat.postEphemeral")
    assert "Press *Retry*" in hint.text()  # not "Next question": the card has no such button

    mock_slack.clear()
    click(app, mock_slack, ids.RETRY, failed)
    updates = mock_slack.to("chat.update")
    assert [u.ts for u in updates] == [failed.ts, failed.ts]  # "Evaluating…", then the result
    assert "Evaluating" in updates[0].text() and "Ideal answer" in updates[1].text()


@pytest.mark.parametrize("trouble", ["someone else clicks", "the service is down"])
def test_a_retry_that_cannot_run_leaves_the_card_as_it_was_and_says_why_privately(
    app: App, mock_slack: MockSlack, core: Core, monkeypatch: pytest.MonkeyPatch, trouble: str
) -> None:
    _, failed = fail_evaluation(app, mock_slack, core)
    user = s.ALICE
    if trouble == "someone else clicks":
        user = s.BOB
    else:
        monkeypatch.setattr(services, "retry_evaluation", lambda **_: 1 / 0)
    click(app, mock_slack, ids.RETRY, failed, user=user)
    restored = mock_slack.to("chat.update")[-1]
    assert restored.ts == failed.ts and restored.params["blocks"] == failed.params["blocks"]
    [told] = mock_slack.to("response_url")
    expected = "belongs to someone else" if user == s.BOB else "something went wrong"
    assert expected in told.text() and told.params["response_type"] == "ephemeral"


def test_buttons_hint_skip_deeper_and_end(app: App, mock_slack: MockSlack, core: Core) -> None:
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
    assert "Reply in this thread" not in closed.text()  # nothing left to answer there

    answer(app, thread, ts="1700005000.000009")
    evaluation = evaluations(mock_slack)[-1]
    mock_slack.clear()
    deeper_lock = f"deeper:{buttons(evaluation)[ids.DEEPER]}"
    held = core.deps.locks.acquire(deeper_lock, ttl_seconds=30)  # the first click, still writing
    click(app, mock_slack, ids.DEEPER, evaluation)
    assert mock_slack.methods() == []  # the second click of a double click says nothing
    core.deps.locks.release(deeper_lock, held)
    click(app, mock_slack, ids.DEEPER, evaluation)
    [follow_up] = mock_slack.to("chat.postMessage")
    assert "Follow-up on question 2 of 3" in follow_up.text()
    click(app, mock_slack, ids.DEEPER, evaluation)  # clicked again later: still one follow-up
    assert len(mock_slack.to("chat.postMessage")) == 1

    mock_slack.clear()
    click(app, mock_slack, ids.END, evaluation, user=s.BOB)  # not Bob's interview
    [refused] = mock_slack.to("response_url")
    assert (
        "belongs to someone else" in refused.text() and refused.params["replace_original"] is False
    )
    click(app, mock_slack, ids.END, evaluation)
    [summary] = mock_slack.to("chat.postMessage")
    assert "Interview ended" in summary.text() and "skipped 1" in summary.text()
    first = next(u for u in mock_slack.to("chat.update") if u.ts == thread)
    assert buttons(first) == {} and "Interview ended" in first.text()  # seen from the channel
    click(app, mock_slack, ids.END, evaluation)
    assert "already finished" in mock_slack.to("response_url")[-1].text()


def test_a_question_slack_would_not_post_is_shown_privately_and_the_card_stays_open(
    app: App, mock_slack: MockSlack
) -> None:
    thread = start(app, mock_slack)
    answer(app, thread)
    [evaluation] = evaluations(mock_slack)
    mock_slack.clear()
    mock_slack.fail("chat.postMessage", "internal_error")
    click(app, mock_slack, ids.NEXT, evaluation)
    [shown] = mock_slack.to("response_url")
    assert "Question 2 of 2" in shown.text() and shown.params["response_type"] == "ephemeral"
    assert mock_slack.to("chat.update") == []  # its buttons stay: nothing is "below" it


def test_a_rate_limited_post_is_sent_again(app: App, mock_slack: MockSlack) -> None:
    thread = start(app, mock_slack)
    mock_slack.clear()
    mock_slack.rate_limit("chat.postMessage")
    answer(app, thread)
    posts = mock_slack.to("chat.postMessage")
    assert [p.response["ok"] for p in posts] == [False, True]
    [evaluation] = evaluations(mock_slack)
    assert evaluation.ts == posts[1].ts and json.dumps(evaluation.params["blocks"])
