"""A burst on the question of the day: N answers within S seconds through the real Slack and
Discord handlers, evaluated by a model that refuses more than 60 requests a minute.

Half the answers are signed Slack view submissions through the Lambda handler
(bots.slack.aws_lambda, its lazy self-invocations replayed as Lambda would), half are signed
Discord modal submits through the serverless interactions endpoint (bots.discord.aws_lambda);
both talk to local mocks of the Slack Web API and Discord's REST API. Evaluations wait in the
local worker pool and take turns from the global rate limiter (Redis); the real google-genai
SDK calls a Gemini stub on 127.0.0.1 that answers 429 above --rpm requests in any 60 s.

Prints: answers accepted, evaluated, lost (must be 0), 429s seen by users (must be 0), the
stub's own 429 count, and the time from the first answer until the last evaluation was
delivered (by ephemeral follow-up, or DM).

    .venv/bin/python benchmarks/qotd_burst.py --grader gemini   # ~18 min at 55 of 60 a minute
    .venv/bin/python benchmarks/qotd_burst.py --grader offline  # the offline scorer: seconds
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import threading
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, scratch_mysql_database

COMMON = "An index is a B-tree kept sorted on the indexed column"
ANSWER = (
    COMMON + ", so a lookup reads a few pages instead of scanning the whole table; every insert "
    "and update must also maintain it, which slows writes and takes storage."
)


class LimitedGemini:
    """The stub's "model": a valid structured reply, or 429 above `rpm` requests in 60 s."""

    def __init__(self, rpm: int, latency: float) -> None:
        self.rpm, self.latency = rpm, latency
        self.window: deque[float] = deque()
        self.served = self.refused = 0
        self.lock = threading.Lock()

    def __call__(self, request: Any) -> Any:
        from tests.adapters.gemini_stub import StubReply, json_reply, rate_limited_reply

        now = time.monotonic()
        with self.lock:
            while self.window and self.window[0] <= now - 60:
                self.window.popleft()
            if len(self.window) >= self.rpm:
                self.refused += 1
                return rate_limited_reply("7s")
            self.window.append(now)
            self.served += 1
        reply = json_reply(_payload())
        return StubReply(reply.status, reply.body, delay_seconds=self.latency)


def _payload() -> dict[str, Any]:
    """A verdict on the first key point quoting the answers' common opening (all answers differ
    after it, so none is served from the cache)."""
    return {
        "genuine_attempt": True,
        "points": [{"number": 1, "key_point": "", "verdict": "partial", "quote": COMMON}],
        "strengths": [{"text": "Knows the structure", "quote": COMMON}],
        "depth": 6,
        "communication": 7,
        "feedback": "Good start; say when an index is not worth its write cost.",
        "ideal_answer": "An index is an auxiliary sorted structure ...",
        "tags": ["depth"],
        "score": 6,
    }


def settings_for(
    args: argparse.Namespace, database_url: str, stub: Any, mocks: dict[str, str]
) -> Any:
    from nacl.encoding import HexEncoder

    from core.config import Settings
    from tests.discord import payloads
    from tests.slack.support import SECRET

    gemini: dict[str, Any] = {}
    if args.grader == "gemini":
        gemini = {
            "llm_provider": "gemini",
            "gemini_api_key": stub.api_key,
            "gemini_base_url": stub.base_url,
            "llm_requests_per_minute": args.limiter_rpm,
        }
    return Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=f"ib-burst:{uuid.uuid4().hex[:8]}:",
        qotd_evaluation_workers=args.workers,
        qotd_answers_per_day=5,
        slack_bot_token="xoxb-burst",
        slack_signing_secret=SECRET,
        slack_api_base_url=mocks["slack"],
        discord_token="bot-burst",
        discord_application_id=payloads.APP_ID,
        discord_public_key=args.key.verify_key.encode(HexEncoder).decode(),
        discord_api_base_url=mocks["discord"],
        _env_file=None,
        **gemini,
    )


def post_questions(core: Any) -> dict[str, int]:
    """An admin's setting in each platform's channel, and the due run that posts both."""
    from core.domain.model import UserRef
    from core.domain.qotd import ChannelRef
    from core.domain.qotd_parsing import change_from
    from core.services.qotd_settings import configure_qotd
    from core.services.schedule import run_due
    from tests.discord import payloads
    from tests.slack.support import CHANNEL, TEAM

    now = datetime.now(UTC)
    window = {
        "at": f"{(now - timedelta(minutes=2)):%H:%M}",
        "until": "23:59",
        "tz": "UTC",
        "days": "daily",
    }
    if now.hour == 23 and now.minute > 30:
        raise SystemExit("run this before 23:30 UTC: the answer window must stay open")
    posts = {}
    for platform, tenant, channel in (
        ("slack", TEAM, CHANNEL),
        ("discord", payloads.GUILD_ID, payloads.CHANNEL_ID),
    ):
        place = ChannelRef(platform, tenant, channel)
        admin = UserRef(platform, tenant, "admin")
        configure_qotd(
            core.deps, channel=place, actor=admin, is_admin=True, change=change_from(window)
        )
    run_due(core.deps, core.notifiers)
    with core.deps.uow() as uow:
        for schedule in uow.qotd.schedules_in(None, None):
            post = uow.qotd.post_on(schedule.id, schedule.local_day(now))
            assert post is not None, "the due run posted nothing"
            posts[schedule.channel.platform] = post.id
    return posts


class Burst:
    """Sends the answers on a fixed timetable and records what each person was told."""

    def __init__(
        self, core: Any, posts: dict[str, int], args: argparse.Namespace, mocks: Any
    ) -> None:
        from slack_sdk.web import WebClient

        from bots.slack import aws_lambda
        from tests.discord.serverless import Serverless
        from tests.slack.support import FakeLambdaClient, LambdaHarness

        self.core, self.posts, self.args = core, posts, args
        self.slack_mock, self.discord_api = mocks
        self.slack_lambda = FakeLambdaClient()
        client = WebClient(token="xoxb-burst", base_url=self.slack_mock.url)
        handler = aws_lambda.build_handler(
            core.settings,
            core_provider=lambda: core,
            client=client,
            lambda_client=self.slack_lambda,
        )
        self.slack = LambdaHarness(handler.handle, self.slack_lambda)
        self.discord = Serverless(core.settings, args.key)
        self.discord.app.endpoint.handler._core = core  # one process's core, as a warm Lambda has
        self.discord_lambda = ThreadLambda()
        self.discord.app._lambda_client = lambda: self.discord_lambda
        self.acks: list[float] = []
        self.refused: list[str] = []
        self.lock = threading.Lock()

    def send_all(self) -> float:
        """Fire every answer at its moment; returns when the first one was sent (monotonic)."""
        spacing = self.args.seconds / self.args.answers
        started = time.monotonic()
        with ThreadPoolExecutor(self.args.clients) as pool:
            for n in range(self.args.answers):
                pool.submit(self._one, n, started + n * spacing)
        return started

    def _one(self, n: int, at: float) -> None:
        time.sleep(max(0.0, at - time.monotonic()))
        text = f"{ANSWER} I would check the query plan first (person {n:04d})."
        sent = time.perf_counter()
        try:
            if n % 2 == 0:
                self._slack(n, text, sent)
            else:
                self._discord(n, text, sent)
        except Exception as exc:  # counted as not accepted
            with self.lock:
                self.refused.append(f"{n}: {type(exc).__name__}: {exc}")

    def _slack(self, n: int, text: str, sent: float) -> None:
        from tests.slack.support import qotd_submission

        body = qotd_submission(self.posts["slack"], text, user=f"U{n:06d}", view_id=f"V{n:06d}")
        response = self.slack.send(body)
        self._acked(sent, response["statusCode"])
        self.slack.replay()  # the lazy listener's own invocation

    def _discord(self, n: int, text: str, sent: float) -> None:
        from tests.discord import payloads
        from tests.discord.serverless import CONTEXT, signed_event

        user = str(300_000_000_000_000_000 + n)
        payload = payloads.modal_submit(f"ibq:submit:{self.posts['discord']}", text, user_id=user)
        response = self.discord.app.handle(signed_event(payload, self.args.key), CONTEXT)
        self._acked(sent, response["statusCode"])
        for invocation in self.discord_lambda.take():  # this thread's own deferred work
            self.discord.app.handle(json.loads(invocation["Payload"]), CONTEXT)

    def _acked(self, sent: float, status: int) -> None:
        with self.lock:
            self.acks.append((time.perf_counter() - sent) * 1000)
        if status != 200:
            raise RuntimeError(f"HTTP {status}")


class ThreadLambda:
    """boto3's lambda client for the Discord function: each sender thread replays the
    asynchronous invocations its own requests made."""

    def __init__(self) -> None:
        self._mine = threading.local()

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self._pending().append(kwargs)
        return {"StatusCode": 202}

    def take(self) -> list[dict[str, Any]]:
        taken, self._mine.pending = self._pending(), []
        return taken

    def _pending(self) -> list[dict[str, Any]]:
        if not hasattr(self._mine, "pending"):
            self._mine.pending = []
        return self._mine.pending  # type: ignore[no-any-return]


def figures(
    core: Any, burst: Burst, stub_model: LimitedGemini | None, first: float, deadline: float
) -> dict[str, Any]:
    """Wait for every evaluation to be delivered (or the deadline), then count."""
    from sqlalchemy import func, select

    from core.adapters.sql.qotd_models import QotdAnswerRow

    def counts() -> tuple[int, int, int]:
        with core.session_factory() as db:
            stored = db.scalar(select(func.count()).select_from(QotdAnswerRow)) or 0
            evaluated = (
                db.scalar(select(func.count()).where(QotdAnswerRow.status == "evaluated")) or 0
            )
            delivered = (
                db.scalar(select(func.count()).where(QotdAnswerRow.delivered_at.is_not(None))) or 0
            )
        return int(stored), int(evaluated), int(delivered)

    stored, evaluated, delivered = counts()
    while delivered < stored and time.monotonic() < deadline:
        time.sleep(2)
        stored, evaluated, delivered = counts()
        print(f"  … {evaluated} evaluated, {delivered} delivered of {stored}", flush=True)
    finished = time.monotonic()
    errors = _errors_shown(burst)
    return {
        "sent": burst.args.answers,
        "accepted": burst.args.answers - len(burst.refused),
        "stored": stored,
        "evaluated": evaluated,
        "delivered": delivered,
        "lost": burst.args.answers - stored,
        "user_visible_429s": len(errors),  # any error shown to a person, rate limits included
        "example": [t[:300] for t in errors[:1]],
        "stub_429s": stub_model.refused if stub_model else 0,
        "model_requests": stub_model.served if stub_model else 0,
        "last_delivery_s": round(finished - first, 1),
        "ack_p99_ms": round(sorted(burst.acks)[int(0.99 * len(burst.acks)) - 1], 1)
        if burst.acks
        else None,
        "refusals": burst.refused[:5],
    }


def _errors_shown(burst: Burst) -> list[str]:
    """Every error a person was shown instead of "received" or an evaluation: Slack ephemerals
    and Discord edits that are not "Answer received", and any private evaluation message that
    says it could not be evaluated. Counted by what was sent, not by words in it: the day's
    question may itself be about rate limits and HTTP 429."""
    from tests.discord import payloads
    from tests.slack.support import CHANNEL

    received, failed = "Answer received", "could not be evaluated"
    slack, discord = burst.slack_mock.calls, burst.discord_api.calls
    shown = [c.text() for c in slack if c.method == "chat.postEphemeral"]
    shown += [str(c.body.get("content")) for c in discord if c.kind == "edit-original"]
    errors = [t for t in shown if received not in t]
    dms = [
        c.text()
        for c in slack
        if c.method == "chat.postMessage" and c.params.get("channel") != CHANNEL
    ]
    channel = f"/channels/{payloads.CHANNEL_ID}/"
    dms += [str(c.body) for c in discord if c.kind == "follow-up"]
    dms += [str(c.body) for c in discord if c.kind == "post" and not c.path.startswith(channel)]
    return errors + [t for t in dms if failed in t]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--grader", choices=("gemini", "offline"), default="gemini")
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument(
        "--seconds", type=float, default=60.0, help="spread the answers over this long"
    )
    parser.add_argument("--rpm", type=int, default=60, help="the Gemini stub's limit per 60 s")
    parser.add_argument("--limiter-rpm", type=float, default=55.0, help="LLM_REQUESTS_PER_MINUTE")
    parser.add_argument("--workers", type=int, default=8, help="QOTD_EVALUATION_WORKERS")
    parser.add_argument("--clients", type=int, default=32, help="concurrent senders")
    parser.add_argument(
        "--latency", type=float, default=0.8, help="the stub model's seconds per reply"
    )
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    from nacl.signing import SigningKey

    from core.bootstrap import build_core
    from tests.adapters.gemini_stub import GeminiStub
    from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer
    from tests.slack.mock_slack import MockSlack

    args.key = SigningKey.generate()
    model = LimitedGemini(args.rpm, args.latency) if args.grader == "gemini" else None
    with ExitStack() as stack:
        database_url = stack.enter_context(scratch_mysql_database())
        stub = stack.enter_context(GeminiStub())
        stub.responder = model
        slack_mock = MockSlack().start()
        stack.callback(slack_mock.stop)
        discord_api = FakeDiscordApi()
        discord = stack.enter_context(MockDiscordServer(discord_api))
        mocks = {"slack": slack_mock.url, "discord": discord.base_url}
        from core.adapters.sql import migrate
        from core.adapters.sql.database import make_engine

        migrate.upgrade(make_engine(database_url))
        core = build_core(settings_for(args, database_url, stub, mocks), auto_migrate=False)
        stack.callback(core.close)
        posts = post_questions(core)
        burst = Burst(core, posts, args, (slack_mock, discord_api))
        print(
            f"{args.answers} answers over {args.seconds:.0f} s, grader {args.grader}"
            + (f" (stub: {args.rpm}/min, limiter: {args.limiter_rpm}/min)" if model else ""),
            flush=True,
        )
        first = burst.send_all()
        print(f"sent in {time.monotonic() - first:.1f} s", flush=True)
        result = figures(core, burst, model, first, first + args.timeout)
    for key, value in result.items():
        print(f"{key:>18}: {value}")
    return 0 if result["lost"] == 0 and result["user_visible_429s"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
