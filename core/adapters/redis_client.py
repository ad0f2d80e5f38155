"""Redis clients from a URL: a real server, or `memory://`, the in-process stand-in (fakeredis)."""

from __future__ import annotations

import threading
from typing import Any

import redis

_memory_servers: dict[str, Any] = {}
_memory_lock = threading.Lock()


def make_redis(url: str) -> redis.Redis:
    """Return a client; `memory://name` clients in one process share one fake server per name."""
    if url.startswith("memory://"):
        import fakeredis  # the embedded default only; production never imports it

        with _memory_lock:
            server = _memory_servers.setdefault(url, fakeredis.FakeServer())
        return fakeredis.FakeRedis(server=server, decode_responses=True)
    return redis.Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=2,
        socket_timeout=5,
        health_check_interval=30,
        retry_on_timeout=False,
    )
