"""Discord interaction acknowledgement latency, in process, for both transports.

    .venv/bin/python benchmarks/discord_ack_latency.py [--rounds 500]

Discord allows 3,000 ms to acknowledge an interaction; the target here is p99 <= 50 ms.

- gateway: a raw INTERACTION_CREATE goes through discord.py's parsing and dispatch
  (`parse_interaction_create`, the command tree or the DynamicItem template, our handler) until
  the interaction callback reaches the webhook adapter. A recording adapter stands in for the
  network, so the figure is the bot's own work, not Discord's round trip.
- http: `bots.discord.aws_lambda.handler`'s logic on an HTTP API v2 event: Ed25519
  verification, parsing, the acknowledgement, and (for deferred work) the asynchronous
  self-invocation, with a fake lambda client standing in for the AWS API call.

Each interaction completes (the deferred work runs) before the next one is sent, on SQLite and
the in-process Redis stand-in with the offline evaluator, so the figures do not include queueing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nacl.signing import SigningKey  # noqa: E402

from tests.discord import payloads  # noqa: E402
from tests.discord.conftest import Gateway, make_core, make_settings  # noqa: E402
from tests.discord.fake_discord import FakeDiscordApi, MockDiscordServer  # noqa: E402
from tests.discord.serverless import CONTEXT, Serverless, signed_event  # noqa: E402


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {p50:6.2f} ms   p99 {p99:6.2f} ms   max {ordered[-1]:6.2f} ms   n={len(ordered)}"


async def gateway_figures(settings: Any, rounds: int) -> dict[str, list[float]]:
    api = FakeDiscordApi()
    core = make_core(settings)
    harness = Gateway(settings, core, api)
    bot = await harness.start()
    start = payloads.command("start", {"role": "backend", "difficulty": "easy", "questions": 10})
    await harness.interact(start)
    (thread_id,) = api.threads
    await harness.thread_created(thread_id)
    question = api.of("post")[-1].body
    message = payloads.bot_message(question, thread_id)
    where = {"channel": payloads.thread(thread_id)}
    buttons = payloads.custom_ids(question)
    submit_id = buttons["Answer"].replace("answer", "submit")
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "slash command (defer)": lambda: payloads.command("quota"),
        "button (defer update)": lambda: payloads.press(buttons["Hint"], message, **where),
        "Answer (modal)": lambda: payloads.press(buttons["Answer"], message, **where),
        "modal submit (defer)": lambda: payloads.modal_submit(submit_id, "An answer.", **where),
    }
    figures: dict[str, list[float]] = {name: [] for name in makers}
    for _ in range(rounds):
        for name, make in makers.items():
            payload = make()
            began = time.perf_counter()
            await harness.interact(payload)
            (callback,) = api.of("callback", payload["token"])
            figures[name].append((callback.at - began) * 1000)
        api.reset()
    await bot.close()
    core.close()
    return figures


def http_figures(settings: Any, key: SigningKey, rounds: int) -> dict[str, list[float]]:
    api = FakeDiscordApi()
    with MockDiscordServer(api) as server:
        lam = Serverless(settings.model_copy(update={"discord_api_base_url": server.base_url}), key)
        lam.send(payloads.command("start", {"role": "backend", "difficulty": "easy"}))
        question = api.of("post")[-1].body
        (thread_id,) = api.threads
        message = payloads.bot_message(question, thread_id)
        where = {"channel": payloads.thread(thread_id)}
        answer_id = payloads.custom_ids(question)["Answer"]
        makers: dict[str, Callable[[], dict[str, Any]]] = {
            "PING": lambda: {"type": 1, "id": payloads.next_id()},
            "slash command (defer)": lambda: payloads.command("quota"),
            "Answer (modal)": lambda: payloads.press(answer_id, message, **where),
            "modal submit (defer)": lambda: payloads.modal_submit(
                answer_id.replace("answer", "submit"), "An answer.", **where
            ),
        }
        figures: dict[str, list[float]] = {name: [] for name in makers}
        for _ in range(rounds):
            for name, make in makers.items():
                event = signed_event(make(), key)  # signing is Discord's work: not timed
                before = len(lam.lambda_client.invocations)
                began = time.perf_counter()
                response = lam.app.handle(event, CONTEXT)
                figures[name].append((time.perf_counter() - began) * 1000)
                assert response["statusCode"] == 200
                for invocation in lam.lambda_client.invocations[before:]:
                    lam.replay(invocation)  # the deferred half, untimed
        lam.close()
    return figures


COLD_START = """
import time
began = time.perf_counter()
from bots.discord.aws_lambda import build_app
from core.config import Settings
from nacl.signing import SigningKey
key = SigningKey(bytes.fromhex("{seed}"))
public = key.verify_key.encode().hex()
app = build_app(Settings(discord_public_key=public, _env_file=None), lambda_client=object())
ready = time.perf_counter()
stamp, body = str(int(time.time())), b'{{"type": 1, "id": "1"}}'
headers = {{
    "x-signature-ed25519": key.sign(stamp.encode() + body).signature.hex(),
    "x-signature-timestamp": stamp,
}}
event = {{"requestContext": {{"http": {{"method": "POST"}}}}, "headers": headers, "body": body.decode()}}
began_ping = time.perf_counter()
assert app.handle(event, None)["statusCode"] == 200
answered = time.perf_counter()
import boto3
boto3.client("lambda", region_name="eu-west-1")  # created, never called: no traffic
print((ready - began) * 1000, (answered - began_ping) * 1000, (time.perf_counter() - answered) * 1000)
"""


def cold_start(key: SigningKey) -> list[float]:
    """A fresh interpreter (warm .pyc): import and wiring, the first PING, boto3's client."""
    script = COLD_START.format(seed=key.encode().hex())
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [float(part) for part in output.stdout.split()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=500, help="interactions of each kind")
    args = parser.parse_args()
    key = SigningKey.generate()
    with tempfile.TemporaryDirectory() as folder:
        prefix = f"ib-bench:{uuid.uuid4().hex[:8]}:"
        settings = make_settings(
            f"sqlite:///{folder}/bench.db", f"memory://{prefix}", prefix, key, quota_per_day=1000
        )
        gateway = asyncio.run(gateway_figures(settings, args.rounds))
        http = http_figures(settings, key, args.rounds)
    imports, first, boto = cold_start(key)
    print("Discord interaction acknowledgement latency (in process; Discord allows 3,000 ms)")
    for title, figures in (("gateway (discord.py)", gateway), ("HTTP endpoint (Lambda)", http)):
        print(f"\n{title}")
        for name, samples in figures.items():
            print(f"  {name:<24} {percentiles(samples)}")
        print(f"  {'all':<24} {percentiles([s for v in figures.values() for s in v])}")
    print(
        f"\nLambda cold start (fresh interpreter): import + wiring {imports:.0f} ms, first PING "
        f"{first:.1f} ms; boto3 import + lambda client {boto:.0f} ms (first deferral only)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
