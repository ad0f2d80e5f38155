"""Lambda entry point `web.aws_lambda.handler`: the web app through Mangum.

Serves API Gateway HTTP API (payload 2.0) and Lambda Function URL events; Set-Cookie headers
go back in the response's top-level `cookies` list. The lifespan protocol is off (with "auto"
it would run on every invocation) and the app builds the core and engines on first use, so a
cold start only pays for imports.

The same function also runs the web's background evaluations: a request that stores an answer
invokes this function asynchronously with a job (web.background), which is run here instead of
being handed to Mangum. Only callers allowed to invoke the function (its own role) can send one.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from mangum import Mangum

from web import background, snapstart
from web.app import create_app

_handler: Mangum | None = None


def build_handler(app: FastAPI) -> Mangum:
    return Mangum(app, lifespan="off")


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The function's handler; the app is created once per execution environment."""
    global _handler
    if _handler is None:
        _handler = build_handler(create_app())
    job = background.EvaluationJob.from_event(event)
    if job is not None:
        background.run(_handler.app.state.resources.core.deps, job)
        return {"evaluated": job.session_id}
    return _handler(event, context)


# Lambda SnapStart: warm up before the snapshot, fresh connections after a restore.
snapstart.register()
