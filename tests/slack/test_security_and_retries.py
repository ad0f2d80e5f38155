"""Request verification, and exactly-once effects under redelivery and concurrency.

Every test here runs on SQLite + the Redis stand-in and on MariaDB + Redis."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt import App

from bots.slack import aws_lambda
from core.bootstrap import Core
from core.config import Settings
from tests.slack import support as s
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack


@pytest.fixture
def settings(backend) -> Settings:  # type: ignore[no-untyped-def]
    """Every test here runs on both backends."""
    return slack_settings(backend.database_url, backend.redis_url, backend.redis_prefix)


ANSWER = "Cache the hot rows with a TTL, invalidate on write, and index the slow query."


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: s.signed_headers(body, secret="not-the-signing-secret"),
        lambda body: s.signed_headers(body, timestamp=int(time.time()) - 6 * 60),
        lambda body: {"content-type": "application/x-www-form-urlencoded"},
    ],
    ids=["forged-signature", "older-than-5-minutes", "unsigned"],
)
def test_unverified_requests_get_401_and_nothing_runs(
    app: App, lam: s.LambdaHarness, mock_slack: MockSlack, headers
) -> None:  # type: ignore[no-untyped-def]
    body = s.command("backend medium", response_url=mock_slack.response_url())
    assert app.dispatch(s.bolt_request(body, headers(body))).status == 401
    assert lam.send(body, headers(body))["statusCode"] == 401
    assert lam.lam.payloads == []  # no lazy invocation was started
    assert [m for m in mock_slack.methods() if m != "auth.test"] == []


def test_a_lazy_invocation_replayed_after_the_signature_window_is_refused(
    lam: s.LambdaHarness, mock_slack: MockSlack
) -> None:
    stale = int(time.time()) - 6 * 60
    body = s.command("backend medium", response_url=mock_slack.response_url())
    lam.send(body, s.signed_headers(body))
    [invocation] = lam.lam.drain()
    invocation["headers"] |= s.signed_headers(body, timestamp=stale)
    assert aws_lambda.handler(invocation, s.LAMBDA_CONTEXT)["statusCode"] == 401
    assert "chat.postMessage" not in mock_slack.methods()


def test_a_lazy_invocation_delivered_twice_starts_one_interview(
    lam: s.LambdaHarness, mock_slack: MockSlack
) -> None:
    lam.send(s.command("backend medium", response_url=mock_slack.response_url()))
    [invocation] = lam.lam.drain()
    lam.lam.payloads.extend([invocation, invocation])  # Lambda's at-least-once async delivery
    lam.replay()
    assert len(mock_slack.to("chat.postMessage")) == 1 and len(mock_slack.to("chat.update")) == 1


class CountingEvaluator:
    """Wraps the real (offline) evaluator and counts the evaluations actually run."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.calls, self.lock = inner, 0, threading.Lock()
        self.provider, self.prompt_version = inner.provider, inner.prompt_version

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        with self.lock:
            self.calls += 1
        time.sleep(0.05)  # long enough for every racer to arrive while the first evaluates
        return self.inner.evaluate(question, answer)


def test_twenty_concurrent_deliveries_of_one_reply_post_one_evaluation(
    lam: s.LambdaHarness, mock_slack: MockSlack, core: Core
) -> None:
    counting = core.deps.evaluator = CountingEvaluator(core.deps.evaluator)
    lam.deliver(s.command("backend medium", response_url=mock_slack.response_url()))
    thread = mock_slack.to("chat.postMessage")[0].ts
    mock_slack.clear()
    body = s.event(s.reply(ANSWER, thread=thread, ts="1700007000.000001"), event_id="Ev0RACE")
    deliveries = [s.signed_headers(body)] + [
        s.signed_headers(body, retry=n % 3 + 1) for n in range(19)
    ]
    with ThreadPoolExecutor(max_workers=20) as pool:  # the original and its retries, all at once
        acks = list(pool.map(lambda headers: lam.send(body, headers), deliveries))
    assert [a["statusCode"] for a in acks] == [200] * 20
    assert len(lam.lam.payloads) == 20  # every delivery was acked and handed to a lazy run
    lam.replay(concurrently=True)  # ... and the 20 lazy runs race each other
    posted = mock_slack.to("chat.postMessage")
    updated = [c for c in mock_slack.to("chat.update") if "Ideal answer" in c.text()]
    assert len(posted) == 1 and "Evaluating" in posted[0].text()
    assert len(updated) == 1 and updated[0].params["ts"] == posted[0].ts
    assert "chat.postEphemeral" not in mock_slack.methods()
    assert counting.calls == 1
