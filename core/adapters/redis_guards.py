"""Redis implementations of the guards: evaluation cache, per-attempt locks, and the daily quota
(rebuilt from the database's record of sessions whenever its counter is missing).

Every Redis fault becomes ServiceUnavailable, so a caller never proceeds as if the guard had
passed (no silent bypass of the quota).

Key layout (works on a single server and on Redis Cluster): a key used together with another
in one command or script carries the same {hash tag}, so both live in one slot:
  {prefix}quota:{<person>}:<day>       one person's daily counter
  {prefix}evalcache:<sha256>           one cached evaluation (used alone)
  {prefix}evalcache:{stats}:hits|misses read together by stats()
  {prefix}lock:<name>                  a lock or a claim (used alone; token-checked release)
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from redis.exceptions import NoScriptError, RedisClusterException, RedisError

from core.domain.errors import ServiceUnavailable
from core.domain.model import Evaluation
from core.ports import CacheStats, QuotaDecision

T = TypeVar("T")

_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@contextmanager
def redis_faults() -> Iterator[None]:
    """Any Redis or Redis Cluster fault (unreachable, slot moved for good, …) as a clear error."""
    try:
        yield
    except (RedisError, RedisClusterException) as exc:
        raise ServiceUnavailable("Redis") from exc


def guarded(call: Callable[[], T]) -> T:
    with redis_faults():
        return call()


def tagged(name: str) -> str:
    """`name` as a Redis Cluster hash tag: keys with the same tag share one slot."""
    return "{" + name + "}"


class LuaScript:
    """A Lua script run by its SHA, loaded on demand (after a restart, or on another cluster
    node). Unlike redis-py's register_script it never touches the client before the first
    call, so a lazily connecting cluster client stays lazy."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.sha = hashlib.sha1(source.encode()).hexdigest()

    def __call__(self, client: Any, keys: Sequence[str], args: Sequence[Any]) -> Any:
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            client.script_load(self.source)
            return client.evalsha(self.sha, len(keys), *keys, *args)


class RedisEvaluationCache:
    def __init__(self, client: Any, *, prefix: str = "ib:", ttl_seconds: int) -> None:
        self._redis = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        stats = f"{prefix}evalcache:{tagged('stats')}"
        self._hits, self._misses = f"{stats}:hits", f"{stats}:misses"

    def get(self, key: str) -> Evaluation | None:
        # One round trip for a miss (every new answer): the lookup goes with its count as a
        # miss, and a hit (which saves a model call) moves that count over in a second one.
        # A stats() read in between sees the hit as a miss for that moment.
        def lookup() -> Any:
            pipe = self._redis.pipeline(transaction=False)  # two slots on a cluster
            pipe.get(f"{self._prefix}evalcache:{key}")
            pipe.incr(self._misses)
            raw, _ = pipe.execute()
            if raw:
                recount = self._redis.pipeline(transaction=False)
                recount.decr(self._misses)
                recount.incr(self._hits)
                recount.execute()
            return raw

        raw = guarded(lookup)
        return Evaluation.from_dict(json.loads(raw)) if raw else None

    def put(self, key: str, evaluation: Evaluation) -> None:
        payload = json.dumps(evaluation.to_dict(), separators=(",", ":"))
        guarded(lambda: self._redis.set(f"{self._prefix}evalcache:{key}", payload, ex=self._ttl))

    def stats(self) -> CacheStats:
        hits, misses = guarded(lambda: self._redis.mget(self._hits, self._misses))
        return CacheStats(hits=int(hits or 0), misses=int(misses or 0))


class RedisLocks:
    _release = LuaScript(_RELEASE)

    def __init__(self, client: Any, *, prefix: str = "ib:") -> None:
        self._redis = client
        self._prefix = prefix

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        token = secrets.token_hex(16)
        key = f"{self._prefix}lock:{name}"
        ok = guarded(lambda: self._redis.set(key, token, nx=True, px=int(ttl_seconds * 1000)))
        return token if ok else None

    def release(self, name: str, token: str) -> bool:
        key = f"{self._prefix}lock:{name}"
        return bool(guarded(lambda: self._release(self._redis, [key], [token])))


# A missing counter (Redis restarted without persistence, flushed, or a link changed) is first
# set from the database's count of the day's sessions (ARGV[3]), only while it is still missing
# and in this same atomic step, so concurrent rebuilds cannot both add theirs. Given no count
# (''), the script reports the counter missing ({-1, 0}) and counts nothing: the caller asks the
# database and runs it again. Then: check every counter and count on all of them, atomically
# (no INCR/EXPIRE race, no over-admission under concurrency).
_CONSUME = """
local counts = {}
for i, key in ipairs(KEYS) do
  local value = redis.call('GET', key)
  if not value then
    if ARGV[3] == '' then return {-1, 0} end
    value = ARGV[3]
    redis.call('SET', key, value)
    redis.call('EXPIREAT', key, ARGV[2])
  end
  counts[i] = tonumber(value)
end
local fullest = 0
for _, n in ipairs(counts) do fullest = math.max(fullest, n) end
if fullest >= tonumber(ARGV[1]) then return {0, fullest} end
fullest = 0
for _, key in ipairs(KEYS) do
  fullest = math.max(fullest, redis.call('INCR', key))
  redis.call('EXPIREAT', key, ARGV[2])
end
return {1, fullest}
"""

# Never below zero, and a no-op once the day's key has expired (or was lost: then the
# database, where the refunded session is not recorded, is the count again).
_REFUND = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""

MISSING = -1


class RedisQuotaStore:
    """The QuotaStore port. Pass one person's counter per call: on Redis Cluster the keys of
    one call must share a slot, and each person's keys carry their own hash tag."""

    _consume = LuaScript(_CONSUME)
    _refund = LuaScript(_REFUND)

    def __init__(self, client: Any, *, prefix: str = "ib:") -> None:
        self._redis = client
        self._prefix = prefix

    def counter_key(self, account: str, day: str) -> str:
        return f"{self._prefix}quota:{tagged(account)}:{day}"

    def _keys(self, accounts: Sequence[str], day: str) -> list[str]:
        return [self.counter_key(account, day) for account in accounts]

    def try_consume(
        self,
        accounts: Sequence[str],
        *,
        day: str,
        limit: int,
        expires_at: datetime,
        recorded: Callable[[], int] | None = None,
    ) -> QuotaDecision:
        keys = self._keys(accounts, day)
        args = [limit, int(expires_at.timestamp())]

        def consume(seed: str) -> list[int]:
            return guarded(lambda: self._consume(self._redis, keys, [*args, seed]))

        allowed, used = consume("" if recorded is not None else "0")
        if allowed == MISSING and recorded is not None:
            allowed, used = consume(str(recorded()))
        return QuotaDecision(allowed=allowed == 1, used=int(used))

    def refund(self, accounts: Sequence[str], *, day: str) -> None:
        with redis_faults():  # one key per call: each person's counter has its own slot
            for key in self._keys(accounts, day):
                self._refund(self._redis, [key], [])

    def used(
        self, accounts: Sequence[str], *, day: str, recorded: Callable[[], int] | None = None
    ) -> int:
        keys = self._keys(accounts, day)
        values = guarded(lambda: [self._redis.get(key) for key in keys])
        if recorded is not None and any(value is None for value in values):
            missing = recorded()  # what a start would rebuild the counter from
            return max(int(v) if v is not None else missing for v in values)
        return max((int(v or 0) for v in values), default=0)

    def forget(self, accounts: Sequence[str], *, day: str) -> None:
        with redis_faults():
            for key in self._keys(accounts, day):
                self._redis.delete(key)
