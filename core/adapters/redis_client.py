"""Redis clients from a URL: a real server, or `memory://`, the embedded stand-in (fakeredis).

`memory://` is shared between interviewbot processes on one machine: a long-running process
(the web companion) serves its stand-in on 127.0.0.1:EMBEDDED_REDIS_PORT, and a later process
(the terminal interview) finds it there, so both see one quota, one cache and one set of locks.
The stand-in is marked with its owner (which database it goes with): a process of another
checkout, whose SQLite file is another, never uses it. With nobody serving (or somebody else's
stand-in on the port), the stand-in lives in the process. `memory://name` is always in-process
(tests use it for isolation). `redis+cluster://host:port` selects Redis Cluster
(core.adapters.redis_cluster).
"""

from __future__ import annotations

import hashlib
import logging
import threading
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

from core.adapters.redis_cluster import LazyRedisCluster, is_cluster_url

log = logging.getLogger(__name__)

SHARED_EMBEDDED_URL = "memory://"
MAX_CONNECTIONS = 50
POOL_WAIT_SECONDS = 10
STANDIN_MARKER = "interviewbot:embedded-standin"

_memory_servers: dict[str, Any] = {}
_memory_lock = threading.Lock()


def make_redis(
    url: str, *, serve_embedded: bool = False, embedded_port: int = 6399, owner: str = ""
) -> Any:
    """A client for `url`; with `serve_embedded`, also share the embedded stand-in over TCP.

    `owner` names what the shared stand-in belongs with (the database); only a process with
    the same owner uses a stand-in another process serves."""
    if is_cluster_url(url):
        return LazyRedisCluster(url)
    if not url.startswith("memory://"):
        # A blocking pool: under a burst, callers wait a moment for a connection instead of
        # failing with "too many connections" (redis-py's default pool raises at its cap).
        pool = redis.BlockingConnectionPool.from_url(
            url,
            max_connections=MAX_CONNECTIONS,
            timeout=POOL_WAIT_SECONDS,
            decode_responses=True,
            socket_connect_timeout=2,
            socket_timeout=5,
            health_check_interval=30,
            retry_on_timeout=False,
        )
        return redis.Redis(connection_pool=pool)
    shared = url == SHARED_EMBEDDED_URL
    if shared and not serve_embedded:
        served = _connect_to_standin(embedded_port, owner)
        if served is not None:
            return served
    import fakeredis  # the embedded default only; production never imports it

    with _memory_lock:
        server = _memory_servers.setdefault(url, fakeredis.FakeServer())
        if shared and serve_embedded:
            _serve_once(server, embedded_port, owner)
    # In-process "connections" cost nothing: a high cap so bursts never hit redis-py's limit.
    return fakeredis.FakeRedis(server=server, decode_responses=True, max_connections=1000)


def _marker(owner: str) -> str:
    return "owner:" + hashlib.sha256(owner.encode()).hexdigest()[:24]


def _connect_to_standin(port: int, owner: str) -> redis.Redis | None:
    """The stand-in another interviewbot process serves on loopback for the same owner.

    The probe asks once: a refused loopback port means nobody serves it, and redis-py's default
    retries (10, with backoff) would make every process that finds none start 4.5 s later."""
    probe = _standin_client(port, retry=Retry(NoBackoff(), 0))
    try:
        found = probe.get(STANDIN_MARKER)
    except RedisError:
        found = None
    finally:
        probe.close()
    if found == _marker(owner):
        log.info("using the embedded Redis stand-in served on 127.0.0.1:%s", port)
        return _standin_client(port)
    if found is not None:
        log.warning(
            "the Redis stand-in on 127.0.0.1:%s belongs to another database (another checkout?);"
            " this process keeps its own (set EMBEDDED_REDIS_PORT to share one)",
            port,
        )
    return None


def _standin_client(port: int, **options: Any) -> redis.Redis:
    return redis.Redis(
        host="127.0.0.1",
        port=port,
        decode_responses=True,
        socket_connect_timeout=0.2,
        socket_timeout=5,
        **options,
    )


_served_ports: set[int] = set()


def _serve_once(server: Any, port: int, owner: str) -> None:
    """Serve the in-process stand-in on 127.0.0.1:port (best effort: a busy port just logs)."""
    if port in _served_ports:
        return
    from fakeredis import FakeRedis, TcpFakeServer

    try:
        tcp = TcpFakeServer(("127.0.0.1", port), server_type="redis")
    except OSError as exc:
        log.warning("embedded Redis stand-in not shared on port %s: %s", port, exc)
        return
    tcp.fake_server = server  # TCP clients and in-process clients see the same data
    tcp.daemon_threads = True
    FakeRedis(server=server, decode_responses=True).set(STANDIN_MARKER, _marker(owner))
    threading.Thread(target=tcp.serve_forever, name="embedded-redis", daemon=True).start()
    _served_ports.add(port)
    log.info("embedded Redis stand-in shared on 127.0.0.1:%s", port)
