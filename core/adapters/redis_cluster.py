"""Redis Cluster (ElastiCache cluster mode, multi-shard Upstash, self-hosted) through redis-py's
RedisCluster, selected by the URL: `redis+cluster://[user:password@]host:port` (one node is
enough: the client discovers the others), `rediss+cluster://…` for TLS.

Every key the core uses together with another carries the same {hash tag}, so multi-key
commands and scripts stay in one slot (see core.adapters.redis_guards).
"""

from __future__ import annotations

import threading
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry

CLUSTER_SCHEMES = {"redis+cluster": "redis", "rediss+cluster": "rediss"}
MAX_CONNECTIONS_PER_NODE = 50
POOL_WAIT_SECONDS = 10


def is_cluster_url(url: str) -> bool:
    return url.partition("://")[0] in CLUSTER_SCHEMES


def plain_url(url: str) -> str:
    """The URL redis-py expects (redis:// or rediss://) for a redis[s]+cluster:// one."""
    scheme, _, rest = url.partition("://")
    return f"{CLUSTER_SCHEMES[scheme]}://{rest}"


class LazyRedisCluster:
    """A RedisCluster built at first use.

    RedisCluster asks a node for the slot map in its constructor: built eagerly, an unreachable
    cluster would stop the whole process at start. Built lazily, it is a per-call fault
    (ServiceUnavailable) exactly like an unreachable single server, and pages that need only
    the database keep working."""

    def __init__(self, url: str) -> None:
        self._url = plain_url(url)
        self._cluster: RedisCluster | None = None
        self._lock = threading.Lock()

    def _client(self) -> RedisCluster:
        with self._lock:
            if self._cluster is None:
                self._cluster = RedisCluster.from_url(
                    self._url,
                    decode_responses=True,
                    socket_connect_timeout=2,
                    socket_timeout=5,
                    # Under a burst, wait a moment for a connection to a node instead of
                    # failing with "too many connections".
                    connection_pool_class=redis.BlockingConnectionPool,
                    max_connections=MAX_CONNECTIONS_PER_NODE,
                    timeout=POOL_WAIT_SECONDS,
                    retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
                )
            return self._cluster

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client(), name)

    def close(self) -> None:
        with self._lock:
            if self._cluster is not None:
                self._cluster.close()
                self._cluster = None
