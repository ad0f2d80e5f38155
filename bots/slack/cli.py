"""`interviewbot slack`: plugged into the core CLI through the `interviewbot.commands` entry point."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    slack = commands.add_parser(
        "slack",
        help="run the Slack app (Socket Mode when SLACK_APP_TOKEN is set, else an HTTP server)",
    )
    slack.add_argument(
        "--http", action="store_true", help="serve HTTP even when SLACK_APP_TOKEN is set"
    )
    slack.add_argument("--host", default="127.0.0.1", help="HTTP address (default 127.0.0.1)")
    slack.add_argument(
        "--port", type=int, default=None, help="HTTP port (default SLACK_PORT, 3000)"
    )
    slack.set_defaults(handler=run_slack)


def run_slack(args: argparse.Namespace) -> int:
    from bots.slack.server import run
    from core.config import load_settings

    settings = load_settings()
    return run(
        settings, force_http=args.http, host=args.host, port=args.port or settings.slack_port
    )
