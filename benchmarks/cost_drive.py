"""Whole Slack interviews through the Lambda handler, metered, for benchmarks/cost.py.

Each person runs `/interview backend medium N`, answers in the thread, asks "go deeper" once
(on the first question) and answers the follow-up, and clicks Next until the summary. Every
invocation (the acknowledgement, then each lazy self-invocation, replayed as Lambda runs it) is
timed; SQL statements, Redis commands, Slack Web API calls and grader calls are counted.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from bots.slack import aws_lambda, ids
from core.adapters.sql import migrate
from core.bootstrap import build_core
from core.domain.roles import Difficulty, Role
from tests.slack import support as s
from tests.slack.conftest import slack_settings
from tests.slack.mock_slack import MockSlack, running_mock
from tests.slack.support import buttons

UNIQUE = "In my last project we measured this under load before and after the change ({})."


@dataclass
class Meter:
    durations: list[float] = field(default_factory=list)  # seconds, every invocation
    http_requests: int = 0  # invocations Slack made through API Gateway (the rest: lazy)
    answers: int = 0
    sql: int = 0
    redis: int = 0
    slack_calls: int = 0
    grader_calls: int = 0
    writer_calls: int = 0


def drive_interviews(
    database_url: str, redis_url: str, interviews: int, questions: int, repeat_share: float
) -> Meter:
    settings = slack_settings(
        database_url, redis_url, f"ib-cost-{uuid.uuid4().hex[:8]}:", quota_per_day=1000
    )
    _migrate(database_url)
    core = build_core(settings, auto_migrate=False)
    meter = Meter()
    _count(core, meter)
    with running_mock() as mock:
        from slack_sdk.web import WebClient

        fake = s.FakeLambdaClient()
        handler = aws_lambda.build_handler(
            settings,
            core_provider=lambda: core,
            client=WebClient(token="xoxb-test-token", base_url=mock.url),
            lambda_client=fake,
        )

        def timed(event_: dict[str, Any], context: Any) -> dict[str, Any]:
            started = time.perf_counter()
            response = handler.handle(event_, context)
            meter.durations.append(time.perf_counter() - started)
            lazy = "x-slack-bolt-lazy-only" in (event_.get("headers") or {})
            meter.http_requests += 0 if lazy else 1
            return response

        interview = _Interview(s.LambdaHarness(timed, fake), mock, meter, repeat_share)
        for person in range(interviews):
            interview.run(f"U0P{person:04d}", questions)
    core.close()
    return meter


def _migrate(database_url: str) -> None:
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    migrate.upgrade(engine)
    engine.dispose()


def _count(core: Any, meter: Meter) -> None:
    def statement(*_: Any) -> None:
        meter.sql += 1

    event.listen(core.engine, "before_cursor_execute", statement)
    execute = core.redis.execute_command

    def redis_command(*args: Any, **kwargs: Any) -> Any:
        meter.redis += 1
        return execute(*args, **kwargs)

    core.redis.execute_command = redis_command
    evaluator, writer = core.deps.evaluator, core.deps.writer
    evaluate, follow_up = evaluator.evaluate, writer.follow_up

    def graded(*args: Any, **kwargs: Any) -> Any:
        meter.grader_calls += 1
        return evaluate(*args, **kwargs)

    def written(*args: Any, **kwargs: Any) -> Any:
        meter.writer_calls += 1
        return follow_up(*args, **kwargs)

    evaluator.evaluate, writer.follow_up = graded, written


class _Interview:
    def __init__(self, lam: s.LambdaHarness, mock: MockSlack, meter: Meter, share: float):
        self.lam, self.mock, self.meter, self.share = lam, mock, meter, share
        pool = core_pool()
        self.questions = {q.text: q for q in pool}
        self.clock = 1_700_000_000
        self.answered = 0
        self.draw = random.Random(15)  # the same people, answers and repeats in every run

    def run(self, user: str, questions: int) -> None:
        self.user = user
        self._send(
            s.command(
                f"backend medium {questions}", response_url=self.mock.response_url(), user=user
            )
        )
        self.thread = next(c for c in self.calls if c.method == "chat.postMessage").ts
        for position in range(questions):
            card = self._answer()
            if position == 0:
                self._click(ids.DEEPER, card)
                card = self._answer()
            self._click(ids.NEXT, card)

    def _send(self, body: str) -> None:
        self.mock.clear()
        self.lam.deliver(body)
        self.calls = list(self.mock.calls)
        self.meter.slack_calls += len(self.calls)

    def _answer(self) -> Any:
        """Answer the question on screen; return the evaluation card."""
        shown = " ".join(call.text() for call in self.calls)
        asked = next((q for text, q in self.questions.items() if text in shown), None)
        self.answered += 1
        repeat = asked is not None and self.draw.random() < self.share
        text = asked.reference_answer if asked is not None else "It depends on the load."
        if not repeat:
            text += " " + UNIQUE.format(f"{self.user}-{self.answered}")
        self.clock += 1
        reply = s.reply(text, thread=self.thread, ts=f"{self.clock}.000100", user=self.user)
        self._send(s.event(reply))
        self.meter.answers += 1
        return next(c for c in reversed(self.calls) if ids.NEXT in buttons(c))

    def _click(self, action_id: str, card: Any) -> None:
        message = {"ts": card.params.get("ts") or card.ts, "blocks": card.params["blocks"]}
        value = buttons(card)[action_id]
        self._send(
            s.action(
                action_id,
                value,
                message=message,
                response_url=self.mock.response_url(),
                user=self.user,
            )
        )


def core_pool() -> list[Any]:
    from core.adapters.offline.bank import ShippedQuestionBank

    return list(ShippedQuestionBank().pool(Role.BACKEND, Difficulty.MEDIUM))
