"""Ack latency of the Slack Lambda handler, in-process: how long Slack waits for its 200.

Measures `bots.slack.aws_lambda.handler` on signed HTTP API v2 events for `/interview backend
medium` and for a thread reply (an answer), plus `/interview help` (answered in the ack itself).
The ack path's self-invocation goes through a real boto3 Lambda client to a local Invoke stub on
127.0.0.1, so boto3's request signing and an HTTP round trip are included; the database and
Redis are unreachable on purpose (the ack path must not touch them). Slack allows 3,000 ms.

    .venv/bin/python benchmarks/slack_ack_latency.py [--requests 2000]
"""

from __future__ import annotations

import argparse
import copy
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import fmt, percentiles, timed
from tests.slack import support as s
from tests.slack.mock_slack import running_mock


class _InvokeStub(BaseHTTPRequestHandler):
    """Lambda's Invoke API, answering InvocationType=Event like AWS does (202, empty body)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        self.send_response(202)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def lambda_client(port: int):  # type: ignore[no-untyped-def]
    import boto3

    return boto3.client(
        "lambda",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="eu-west-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    from slack_sdk.web import WebClient

    from bots.slack import aws_lambda
    from core.config import Settings

    stub = ThreadingHTTPServer(("127.0.0.1", 0), _InvokeStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="mysql+pymysql://nobody@127.0.0.1:1/unreachable",
        redis_url="redis://127.0.0.1:1/0",
        slack_signing_secret=s.SECRET,
    )

    def no_core():  # type: ignore[no-untyped-def]
        raise AssertionError("the ack path must not build the core")

    with running_mock() as slack:
        aws_lambda._handler = aws_lambda.build_handler(
            settings,
            core_provider=no_core,
            client=WebClient(token="xoxb-bench", base_url=slack.url),
            lambda_client=lambda_client(stub.server_address[1]),
        )
        cases = {
            "/interview backend medium": s.command(
                "backend medium", response_url=slack.response_url()
            ),
            "thread reply (an answer)": s.event(
                s.reply("An index trades write cost for read speed.", thread="1.0", ts="2.0")
            ),
            "/interview help (answered in the ack)": s.command(
                "help", response_url=slack.response_url()
            ),
        }
        print(
            f"Slack ack latency through bots.slack.aws_lambda.handler, {args.requests} requests each"
        )
        for label, body in cases.items():
            event = s.lambda_event(body, s.signed_headers(body))
            for _ in range(50):  # warm up: auth.test once, boto3's first request, caches
                aws_lambda.handler(copy.deepcopy(event), s.LAMBDA_CONTEXT)
            samples = timed(
                lambda e=event: aws_lambda.handler(copy.deepcopy(e), s.LAMBDA_CONTEXT),
                args.requests,
            )
            stats = percentiles(samples)
            print(f"  {label:<40} {fmt(stats)}   mean {stats['mean']:6.2f} ms")
    stub.shutdown()


if __name__ == "__main__":
    main()
