"""Redis implementations of the guards: daily quota, evaluation cache, per-attempt locks.

Every Redis fault becomes ServiceUnavailable, so a caller never proceeds as if the guard had
passed (no silent bypass of the quota).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

import redis
from redis.exceptions import RedisError

from core.domain.errors import ServiceUnavailable
from core.domain.model import Evaluation
from core.ports import CacheStats, QuotaDecision

T = TypeVar("T")

# Check every counter and count on all of them in one atomic step: no INCR/EXPIRE race, no
# over-admission under concurrency. (The keys of one person are not hash-tagged together, so
# this needs a non-cluster Redis, as Upstash, ElastiCache and Redis Cloud offer by default.)
_CONSUME = """
local fullest = 0
for _, key in ipairs(KEYS) do
  fullest = math.max(fullest, tonumber(redis.call('GET', key) or '0'))
end
if fullest >= tonumber(ARGV[1]) then return {0, fullest} end
fullest = 0
for _, key in ipairs(KEYS) do
  fullest = math.max(fullest, redis.call('INCR', key))
  redis.call('EXPIREAT', key, ARGV[2])
end
return {1, fullest}
"""

# Never below zero, and a no-op once the day's key has expired.
_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@contextmanager
def _redis_faults() -> Iterator[None]:
    try:
        yield
    except RedisError as exc:
        raise ServiceUnavailable("Redis") from exc


def _guarded(call: Callable[[], T]) -> T:
    with _redis_faults():
        return call()


class RedisQuotaStore:
    def __init__(self, client: redis.Redis, *, prefix: str = "ib:") -> None:
        self._redis = client
        self._prefix = prefix
        self._consume = client.register_script(_CONSUME)
        self._refund = client.register_script(_REFUND)

    def _keys(self, accounts: Sequence[str], day: str) -> list[str]:
        return [f"{self._prefix}quota:{account}:{day}" for account in accounts]

    def try_consume(
        self, accounts: Sequence[str], *, day: str, limit: int, expires_at: datetime
    ) -> QuotaDecision:
        keys = self._keys(accounts, day)
        allowed, used = _guarded(
            lambda: self._consume(keys=keys, args=[limit, int(expires_at.timestamp())])
        )
        return QuotaDecision(allowed=bool(allowed), used=int(used))

    def refund(self, accounts: Sequence[str], *, day: str) -> None:
        keys = self._keys(accounts, day)
        _guarded(lambda: self._refund(keys=keys))

    def used(self, accounts: Sequence[str], *, day: str) -> int:
        values = _guarded(lambda: self._redis.mget(self._keys(accounts, day)))
        return max((int(v or 0) for v in values), default=0)


class RedisEvaluationCache:
    def __init__(self, client: redis.Redis, *, prefix: str = "ib:", ttl_seconds: int) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds

    def get(self, key: str) -> Evaluation | None:
        def lookup() -> Any:
            raw = self._redis.get(f"{self._prefix}evalcache:{key}")
            self._redis.incr(f"{self._prefix}evalcache:stats:{'hits' if raw else 'misses'}")
            return raw

        raw = _guarded(lookup)
        return Evaluation.from_dict(json.loads(raw)) if raw else None

    def put(self, key: str, evaluation: Evaluation) -> None:
        payload = json.dumps(evaluation.to_dict(), separators=(",", ":"))
        _guarded(lambda: self._redis.set(f"{self._prefix}evalcache:{key}", payload, ex=self._ttl))

    def stats(self) -> CacheStats:
        hits, misses = _guarded(
            lambda: self._redis.mget(
                f"{self._prefix}evalcache:stats:hits", f"{self._prefix}evalcache:stats:misses"
            )
        )
        return CacheStats(hits=int(hits or 0), misses=int(misses or 0))


class RedisLocks:
    def __init__(self, client: redis.Redis, *, prefix: str = "ib:") -> None:
        self._redis = client
        self._prefix = prefix
        self._release = client.register_script(_RELEASE)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        token = secrets.token_hex(16)
        key = f"{self._prefix}lock:{name}"
        ok = _guarded(lambda: self._redis.set(key, token, nx=True, px=int(ttl_seconds * 1000)))
        return token if ok else None

    def release(self, name: str, token: str) -> bool:
        key = f"{self._prefix}lock:{name}"
        return bool(_guarded(lambda: self._release(keys=[key], args=[token])))
