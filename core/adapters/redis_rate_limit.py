"""The global LLM rate limiter: a token bucket per provider/model in Redis, as one Lua script.

GCRA ("virtual scheduling"): the bucket keeps the theoretical arrival time (TAT) of the next
request. A caller reserves the next free turn — `wait` seconds from now — and sleeps until
then; nobody polls, and turns are handed out in order. A turn further away than `max_wait` is
refused without being taken. Redis's own clock (TIME) is used, so every process and every
Lambda agrees on "now". The keys share a hash tag ({llm-rate:provider:model}), so the script
runs on Redis Cluster too (a multi-key EVAL needs its keys in one slot).
"""

from __future__ import annotations

import redis

from core.adapters.redis_guards import guarded
from core.ports_qotd import Reservation

# KEYS[1]: the TAT (ms); KEYS[2]: turns refused (for the figures). ARGV: interval ms, tolerance
# ms, max wait ms. Returns {granted 0/1, wait ms}.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval, tolerance, max_wait = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local wait = tat - tolerance - now
if wait < 0 then wait = 0 end
if wait > max_wait then
  redis.call('INCR', KEYS[2])
  return {0, wait}
end
local ttl = tat + interval - now + 60000
redis.call('SET', KEYS[1], tostring(tat + interval), 'PX', ttl)
return {1, wait}
"""


class RedisRateLimiter:
    def __init__(self, client: redis.Redis, *, prefix: str = "ib:") -> None:
        self._prefix = prefix
        self._reserve = client.register_script(_RESERVE)
        self._redis = client

    def keys(self, bucket: str) -> list[str]:
        tag = "{llm-rate:" + bucket + "}"
        return [f"{self._prefix}{tag}:tat", f"{self._prefix}{tag}:refused"]

    def reserve(
        self, bucket: str, *, per_minute: float, burst: int, max_wait: float
    ) -> Reservation:
        """The next turn of `bucket` (at most `per_minute` a minute, `burst` at once)."""
        interval = 60_000.0 / per_minute
        tolerance = interval * (max(1, burst) - 1)
        args = [int(interval), int(tolerance), int(max_wait * 1000)]
        keys = self.keys(bucket)
        granted, wait_ms = guarded(lambda: self._reserve(keys=keys, args=args))
        return Reservation(granted=bool(granted), wait_seconds=int(wait_ms) / 1000)

    def refused(self, bucket: str) -> int:
        """How many turns were refused so far (callers re-queued instead of waiting)."""
        return int(guarded(lambda: self._redis.get(self.keys(bucket)[1])) or 0)
