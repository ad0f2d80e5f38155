"""The global LLM rate limiter: a token bucket per provider/model in Redis (one Lua script, hash-
tagged keys, so Redis Cluster runs it too), and the evaluator that waits for its turn."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from core.adapters.redis_client import make_redis
from core.adapters.redis_rate_limit import RedisRateLimiter
from core.ports_qotd import Reservation
from core.services.grading import grade_answer
from core.services.throttle import LlmBusy, LlmThrottle, ProviderThrottles
from tests.adapters.gemini_support import QUESTION
from tests.conftest import REQUIRE_SERVICES
from tests.fakes import ScriptedEvaluator


@pytest.fixture(params=["stand-in", pytest.param("redis", marks=pytest.mark.integration)])
def limiter(request: pytest.FixtureRequest) -> RedisRateLimiter:
    prefix = f"ib-test:{uuid.uuid4().hex[:8]}:"
    if request.param == "stand-in":
        return RedisRateLimiter(make_redis(f"memory://{prefix}"), prefix=prefix)
    url = request.getfixturevalue("redis_server_url")
    return RedisRateLimiter(make_redis(url), prefix=prefix)


def test_turns_are_handed_out_at_the_rate_in_order(limiter: RedisRateLimiter) -> None:
    waits = [
        limiter.reserve("gemini:m", per_minute=600, burst=1, max_wait=5).wait_seconds
        for _ in range(5)
    ]
    # 600 a minute: one turn every 0.1 s, each further out than the one before.
    assert waits[0] == 0 and all(b > a for a, b in itertools.pairwise(waits))
    assert waits[4] == pytest.approx(0.4, abs=0.05)


def test_a_burst_is_allowed_at_once_then_the_rate(limiter: RedisRateLimiter) -> None:
    waits = [
        limiter.reserve("gemini:b", per_minute=60, burst=3, max_wait=5).wait_seconds
        for _ in range(4)
    ]
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(1.0, abs=0.05)


def test_a_turn_too_far_off_is_refused_and_not_taken(limiter: RedisRateLimiter) -> None:
    for _ in range(3):
        limiter.reserve("gemini:c", per_minute=60, burst=1, max_wait=60)
    refused = limiter.reserve("gemini:c", per_minute=60, burst=1, max_wait=1)
    assert not refused.granted and refused.wait_seconds == pytest.approx(3.0, abs=0.05)
    after = limiter.reserve("gemini:c", per_minute=60, burst=1, max_wait=60)
    assert after.granted and after.wait_seconds == pytest.approx(3.0, abs=0.05)  # not moved on
    assert limiter.refused("gemini:c") == 1
    # Other models have buckets of their own.
    assert limiter.reserve("gemini:other", per_minute=60, burst=1, max_wait=0).wait_seconds == 0


class FakeLimiter:
    def __init__(self, *turns: Reservation) -> None:
        self.turns = list(turns)

    def reserve(
        self, bucket: str, *, per_minute: float, burst: int, max_wait: float
    ) -> Reservation:
        return self.turns.pop(0)


def test_grading_waits_for_its_turn_or_says_busy() -> None:
    slept: list[float] = []
    inner = ScriptedEvaluator()
    throttle = LlmThrottle(
        FakeLimiter(Reservation(True, 2.5), Reservation(False, 47.0)),
        bucket="scripted:m",
        per_minute=60,
        max_wait=20,
        sleep=slept.append,
    )
    grade_answer(inner, QUESTION, "an answer", throttle=throttle)
    assert slept == [2.5] and inner.calls == 1
    with pytest.raises(LlmBusy) as busy:
        grade_answer(inner, QUESTION, "an answer", throttle=throttle)
    assert busy.value.retry_after == pytest.approx(27.0) and busy.value.retryable
    assert inner.calls == 1  # no call to the model when the turn is too far off


def test_the_limit_is_wired_for_a_model_and_never_for_the_offline_scorer() -> None:
    from core.bootstrap import throttle_for
    from core.config import Settings

    client = make_redis("memory://wiring")
    assert throttle_for(Settings(_env_file=None), client) is None
    gemini = Settings(_env_file=None, llm_provider="gemini", gemini_api_key="k")
    wired = throttle_for(gemini, client)
    assert isinstance(wired, ProviderThrottles) and set(wired.throttles) == {"gemini"}
    assert wired.throttles["gemini"].bucket == "gemini:gemini-2.5-flash"
    chain = Settings(
        _env_file=None,
        llm_provider="gemini",
        gemini_api_key="k",
        llm_fallback="gemini,openai,offline",
        openai_base_url="http://127.0.0.1:9/v1",
        evaluation_lock_seconds=300,
    )
    both = throttle_for(chain, client)
    assert isinstance(both, ProviderThrottles)
    assert {name: t.bucket for name, t in both.throttles.items()} == {
        "gemini": "gemini:gemini-2.5-flash",
        "openai": f"openai:{chain.openai_model}",
    }
    off = Settings(
        _env_file=None, llm_provider="gemini", gemini_api_key="k", llm_requests_per_minute=0
    )
    assert throttle_for(off, client) is None


# ------------------------------------------------------------------ Redis Cluster


PORTS = (7141, 7142, 7143)


@pytest.fixture(scope="module")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Three local cluster nodes (DESIGN.md: "Redis Cluster, locally"), stopped afterwards."""
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if REQUIRE_SERVICES:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("cluster")
    pids: list[Path] = []
    for port in PORTS:
        folder = base / str(port)
        folder.mkdir()
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--pidfile",
                str(folder / "redis.pid"),
                "--dir",
                str(folder),
            ],
            check=True,
        )
        pids.append(folder / "redis.pid")
    try:
        _wait_for(PORTS)
        nodes = [f"127.0.0.1:{p}" for p in PORTS]
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *nodes,
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=30,
        )
        _wait_for_slots(PORTS[0])
        yield f"redis://127.0.0.1:{PORTS[0]}/0"
    finally:
        for pid_file in pids:
            if pid_file.exists():
                os.kill(int(pid_file.read_text().strip()), 15)


def _wait_for(ports: tuple[int, ...]) -> None:
    deadline = time.monotonic() + 10
    for port in ports:
        while True:
            try:
                redis.Redis(port=port, socket_connect_timeout=0.2).ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)


def _wait_for_slots(port: int) -> None:
    deadline = time.monotonic() + 15
    while redis.Redis(port=port).cluster("INFO").get("cluster_state") != "ok":
        assert time.monotonic() < deadline, "the cluster did not come up"
        time.sleep(0.1)


@pytest.mark.integration
def test_the_limiter_runs_on_redis_cluster(redis_cluster: str) -> None:
    from redis.cluster import RedisCluster

    client = RedisCluster.from_url(redis_cluster, decode_responses=True)
    try:
        limiter = RedisRateLimiter(client, prefix=f"ib-test:{uuid.uuid4().hex[:6]}:")
        waits = [
            limiter.reserve("gemini:gemini-2.5-flash", per_minute=600, burst=1, max_wait=0.25)
            for _ in range(4)
        ]
        assert [w.granted for w in waits] == [True, True, True, False]
        assert limiter.refused("gemini:gemini-2.5-flash") == 1
        # The keys really are in one slot, and it is the tag's.
        slots = {client.keyslot(key) for key in limiter.keys("gemini:gemini-2.5-flash")}
        assert len(slots) == 1
    finally:
        client.close()
