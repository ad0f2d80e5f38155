"""Cold init of the Slack Lambda module, as a ratio to importing the web stack's heavy libraries.

Each sample is the wall time of a fresh interpreter (so interpreter start-up counts on both
sides), alternating between:
  slack:    import bots.slack.aws_lambda and build its handler (settings, Bolt app, listeners,
            the Lambda adapter) — what a cold start does before the first request, with no
            network (Lambda mode skips Bolt's eager auth.test);
  baseline: python -c "import fastapi, mangum, sqlalchemy, google.genai".
The figure is median(slack) / median(baseline); the target is at most 0.3. Compiled .pyc files
are warmed first, as they ship in the Lambda artefact.

Also printed, for Slack's 3-second deadline: a cold container's first ack, the wall time of a
fresh interpreter that imports the module, builds the handler and answers a signed
`/interview backend medium` — including Bolt's auth.test (to a mock Slack on 127.0.0.1),
creating boto3's Lambda client and the self-invocation (to a local Invoke stub, through
AWS_ENDPOINT_URL_LAMBDA).

`--before DIR` times another checkout of the project (e.g. `git archive main | tar -x -C DIR`)
in the same alternation, through PYTHONPATH, so a change is measured against the code it
replaced in one run.

    .venv/bin/python benchmarks/slack_cold_init.py [--runs 15] [--before DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.slack.mock_slack import running_mock

ROOT = Path(__file__).resolve().parents[1]
SLACK = "import bots.slack.aws_lambda as m; m._get_handler()"
BASELINE = "import fastapi, mangum, sqlalchemy, google.genai"
# Where the Slack figure goes (each alone in a fresh interpreter, so they overlap a little):
PARTS = {
    "slack_bolt (App, listeners' base)": "import slack_bolt",
    "core.config (pydantic, the Settings class)": "import core.config",
    "pydantic alone": "import pydantic; pydantic.BaseModel",
    "command parser (first /interview ack only)": "import bots.slack.command_text",
    "boto3 (first lazy listener only)": "import boto3",
}


FIRST_ACK = """
import json, os, sys
event = json.loads(sys.stdin.read())
from slack_sdk.web import WebClient
import bots.slack.aws_lambda as entry
entry._handler = entry.build_handler(
    client=WebClient(token="xoxb-bench", base_url=os.environ["BENCH_SLACK_URL"])
)
context = type("Context", (), {"function_name": "slack",
                               "invoked_function_arn": "arn:aws:lambda:eu-west-1:1:function:slack"})
response = entry.handler(event, context)
assert response["statusCode"] == 200, response
"""


class _InvokeStub(BaseHTTPRequestHandler):
    """Lambda's Invoke API for InvocationType=Event: 202 and an empty body."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(202)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def signed_command_event(secret: str, response_url: str) -> str:
    """A signed `/interview backend medium` as an HTTP API v2 event (built here, so the child
    process imports no Slack library before the clock starts)."""
    body = urlencode(
        {
            "team_id": "T0TEAM",
            "channel_id": "C0GENERAL",
            "user_id": "U0ALICE",
            "user_name": "alice",
            "command": "/interview",
            "text": "backend medium",
            "response_url": response_url,
            "trigger_id": "t1",
            "api_app_id": "A0APP",
        }
    )
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return json.dumps(
        {
            "version": "2.0",
            "rawPath": "/slack/events",
            "isBase64Encoded": False,
            "body": body,
            "headers": {
                "content-type": "application/x-www-form-urlencoded",
                "x-slack-request-timestamp": ts,
                "x-slack-signature": f"v0={digest}",
            },
            "requestContext": {"http": {"method": "POST", "path": "/slack/events"}},
        }
    )


def first_ack_ms(env: dict[str, str], cwd: str, slack_url: str, response_url: str) -> float:
    event = signed_command_event(env["SLACK_SIGNING_SECRET"], response_url)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", FIRST_ACK],
        input=event,
        text=True,
        check=True,
        cwd=cwd,
        env=env | {"BENCH_SLACK_URL": slack_url},
        capture_output=True,
    )
    return (time.perf_counter() - started) * 1000


def environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-signing-secret",
        "DATABASE_URL": "mysql+pymysql://nobody@127.0.0.1:1/unreachable",  # never touched
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",  # both are set on Lambda; botocore reads this one
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    return env


def wall_ms(code: str, env: dict[str, str], cwd: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, cwd=cwd, check=True)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--before", type=Path, help="another checkout, timed alongside")
    args = parser.parse_args()
    stub = ThreadingHTTPServer(("127.0.0.1", 0), _InvokeStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    env = environment() | {"AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{stub.server_address[1]}"}
    env["PYTHONPATH"] = str(ROOT)
    before_env = env | {"PYTHONPATH": str(args.before)} if args.before else None
    with running_mock() as mock_slack, tempfile.TemporaryDirectory() as cwd:  # no stray .env read
        for code in (SLACK, BASELINE):  # warm the .pyc caches
            wall_ms(code, env, cwd)
        if before_env:
            wall_ms(SLACK, before_env, cwd)
        slack, baseline, before = [], [], []
        for _ in range(args.runs):
            slack.append(wall_ms(SLACK, env, cwd))
            baseline.append(wall_ms(BASELINE, env, cwd))
            if before_env:
                before.append(wall_ms(SLACK, before_env, cwd))
        empty = statistics.median(wall_ms("pass", env, cwd) for _ in range(args.runs))
        acks: list[float] = []
        acks_before: list[float] = []
        for _ in range(args.runs):  # alternating too, when there is a before
            acks.append(first_ack_ms(env, cwd, mock_slack.url, mock_slack.response_url()))
            if before_env:
                url = mock_slack.response_url()
                acks_before.append(first_ack_ms(before_env, cwd, mock_slack.url, url))
        first_ack = statistics.median(acks)
        parts = {
            label: statistics.median(wall_ms(code, env, cwd) for _ in range(args.runs))
            for label, code in PARTS.items()
        }
    s, b = statistics.median(slack), statistics.median(baseline)
    print(f"Cold init, fresh interpreters, median of {args.runs} alternating runs")
    print(f"  interpreter alone (python -c pass)         {empty:7.1f} ms")
    print(f"  Slack Lambda module: import + handler      {s:7.1f} ms  (min {min(slack):.1f})")
    print(f"  baseline: fastapi, mangum, sqlalchemy,     {b:7.1f} ms  (min {min(baseline):.1f})")
    print("            google.genai imports")
    print(f"  ratio slack / baseline, medians            {s / b:7.2f}   (target <= 0.30)")
    print(f"  ratio slack / baseline, minimums           {min(slack) / min(baseline):7.2f}")
    if before:
        old = statistics.median(before)
        print(f"  before ({args.before}): import + handler {old:7.1f} ms")
        print(f"  ratio before / baseline, medians           {old / b:7.2f}")
    print(f"  cold container's first /interview ack      {first_ack:7.1f} ms  (Slack allows 3,000)")
    if acks_before:
        print(
            f"  the same, before                           {statistics.median(acks_before):7.1f} ms"
        )
    print("  for reference, each alone in a fresh interpreter:")
    for label, value in parts.items():
        print(f"    {label:<44}{value:7.1f} ms  ({value / b:.2f} of the baseline)")


if __name__ == "__main__":
    main()
