"""SnapStart hooks of the web function (core/snapstart.py explains the why).

Before the snapshot: create the app, load every area of it (web.areas: routes, fastapi-users),
answer one request for a path no route serves (FastAPI prepares its routes on the first request it matches, and the
404 page's templates compile), and import what the core will need, so a restored instance
serves its first request without importing or preparing anything.
Nothing connects yet: the core and the async engine are built on first use. After a restore:
whatever was built before the snapshot gets fresh connections and randomness.
"""

from __future__ import annotations

import sys
from typing import Any

from core import snapstart

ENTRY = "web.aws_lambda"


def register() -> bool:
    """Hook this surface into SnapStart (called once by web.aws_lambda at import)."""
    return snapstart.register(before_snapshot=warm, after_restore=refresh)


def warm() -> None:
    """Build the handler the first request would build, and import the core's modules."""
    entry = sys.modules[ENTRY]
    if entry._handler is None:
        from web.app import create_app

        entry._handler = entry.build_handler(create_app())
    entry._handler.app.state.areas.load_all()  # a restored instance imports no route module
    response = entry._handler(not_found_request(), None)
    if response["statusCode"] != 404:  # the hook's wrapper logs it; the snapshot goes ahead
        raise RuntimeError(f"the warm-up request got {response['statusCode']}, not 404")
    snapstart.warm_core_imports(_resources(entry).settings, extra=("aiomysql",))


def not_found_request() -> dict[str, Any]:
    """`GET` of a path no route serves, from a browser, as API Gateway's HTTP API sends it.

    Answering it touches neither the database nor Redis (no session cookie, no route)."""
    path = "/snapstart-warm-up"
    headers = {"host": "warm-up.invalid", "accept": "text/html", "x-forwarded-proto": "https"}
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "cookies": [],
        "headers": headers,
        "requestContext": {
            "domainName": "warm-up.invalid",
            "http": {
                "method": "GET",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
            },
            "requestId": "snapstart-warm-up",
            "routeKey": "$default",
            "stage": "$default",
        },
        "body": None,
        "isBase64Encoded": False,
    }


def refresh() -> None:
    """Fresh pools for the core (or its backends) and the async engine, if built before the snapshot."""
    resources = _resources(sys.modules[ENTRY])
    if resources is None:
        return
    if resources.core_ready:
        snapstart.refresh_core(resources.core)
    elif resources.connected:  # a health check before the snapshot: the backends alone
        snapstart.dispose_engine(resources.backends.engine)
        snapstart.reset_redis(resources.backends.redis)
    engine = getattr(resources, "_engine", None)  # built on first use: None means nothing to do
    if engine is not None:
        snapstart.dispose_engine(engine)


def _resources(entry: Any) -> Any:
    handler = entry._handler
    return None if handler is None else handler.app.state.resources
