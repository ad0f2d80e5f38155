"""Lambda entry point `web.aws_lambda.handler`: the web app through Mangum.

Serves API Gateway HTTP API (payload 2.0) and Lambda Function URL events; Set-Cookie headers
go back in the response's top-level `cookies` list. The lifespan protocol is off (with "auto"
it would run on every invocation) and the app builds the core and engines on first use, so a
cold start only pays for imports.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from web import snapstart
from web.app import create_app

_handler: Mangum | None = None


def build_handler(app: FastAPI) -> Mangum:
    return Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function's handler; the app is created once per execution environment."""
    global _handler
    if _handler is None:
        _handler = build_handler(create_app())
    return _handler(event, context)


# Lambda SnapStart: warm up before the snapshot, fresh connections after a restore.
snapstart.register()
