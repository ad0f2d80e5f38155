"""`/healthz`: is the database reachable (both drivers), and Redis? For load balancers and humans."""

from __future__ import annotations

import logging
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from web.auth_config import resources_of
from web.resources import WebResources

log = logging.getLogger(__name__)
router = APIRouter()

State = Literal["ok", "unreachable"]


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    database: State
    redis: State


def _sync_checks(resources: WebResources) -> tuple[State, State]:
    # The backends alone: wiring the core (the ORM's models, the services) adds nothing that
    # can be unreachable, and a cold health check would pay for it.
    try:
        backends = resources.backends
    except Exception as exc:  # cannot connect (or the schema is behind): the database
        log.warning("health: database unavailable (%s)", exc.__class__.__name__)
        return "unreachable", "unreachable"
    return (
        _probe("database", lambda: _select_one(backends.engine)),
        _probe("redis", backends.redis.ping),
    )


def _select_one(engine: Any) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _probe(name: str, check: Any) -> State:
    try:
        check()
    except Exception as exc:
        log.warning("health: %s unreachable (%s)", name, exc.__class__.__name__)
        return "unreachable"
    return "ok"


async def _async_database(resources: WebResources) -> State:
    """The accounts go through the async driver: check that path too."""
    try:
        async with resources.async_engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:
        log.warning("health: async database unreachable (%s)", exc.__class__.__name__)
        return "unreachable"
    return "ok"


@router.get(
    "/healthz",
    response_model=Health,
    tags=["health"],
    responses={503: {"model": Health, "description": "The database or Redis is unreachable"}},
)
async def healthz(request: Request) -> JSONResponse:
    """Database and Redis reachability; 503 when either is down."""
    resources = resources_of(request)
    database, redis = await run_in_threadpool(_sync_checks, resources)
    if database == "ok":
        database = await _async_database(resources)
    healthy = database == "ok" and redis == "ok"
    body = Health(status="ok" if healthy else "degraded", database=database, redis=redis)
    return JSONResponse(body.model_dump(), status_code=200 if healthy else 503)
