"""The quota (with its rebuild), the evaluation cache, the locks and claims on a real 3-node
Redis Cluster started by the tests, through redis-py's RedisCluster selected by the URL
(`redis+cluster://host:port`). Keys used together carry one hash tag, so no command or script
ever spans two slots (CROSSSLOT)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.cluster import RedisCluster
from sqlalchemy import select, update

from core import services
from core.adapters.redis_cluster import LazyRedisCluster
from core.adapters.sql.models import QuestionRow, SessionRow
from core.bootstrap import Core
from core.domain import QuotaExceeded, ServiceUnavailable
from core.domain.results import AnswerStatus
from tests.conftest import _truncate
from tests.integration import servers
from tests.integration.servers import RedisClusterServers, free_port
from tests.integration.wiring import (
    SlowEvaluator,
    browser,
    link,
    race,
    sessions_recorded,
    slack,
    start,
    web_account,
    wire,
)


@pytest.fixture
def core(mysql_database: str, redis_cluster: RedisClusterServers) -> Iterator[Core]:
    wired = wire(mysql_database, redis_cluster.url, evaluator=SlowEvaluator())
    yield wired
    wired.close()
    _truncate(mysql_database)


def slot(cluster: RedisClusterServers, key: str) -> int:
    client = redis.Redis(port=cluster.nodes[0].port)
    try:
        return int(client.cluster("keyslot", key))
    finally:
        client.close()


def test_the_url_selects_redis_cluster_and_the_keys_spread_over_the_nodes(
    core: Core, redis_cluster: RedisClusterServers
) -> None:
    assert isinstance(core.redis, LazyRedisCluster)
    for n in range(12):  # twelve people: their counters land on several nodes
        start(core, slack(f"U-{n}", f"t{n}"))
    assert isinstance(core.redis._client(), RedisCluster)  # built at first use
    holders = [redis.Redis(port=node.port).dbsize() for node in redis_cluster.nodes]
    assert sum(1 for keys in holders if keys) >= 2, holders


def test_keys_used_together_share_one_slot(core: Core, redis_cluster: RedisClusterServers) -> None:
    prefix = core.settings.redis_prefix
    hits, misses = f"{prefix}evalcache:{{stats}}:hits", f"{prefix}evalcache:{{stats}}:misses"
    assert slot(redis_cluster, hits) == slot(redis_cluster, misses)
    quota = core.deps.quota
    today = quota.counter_key("slack:T1:U-ann", "2026-12-02")  # type: ignore[attr-defined]
    tomorrow = quota.counter_key("slack:T1:U-ann", "2026-12-03")  # type: ignore[attr-defined]
    assert slot(redis_cluster, today) == slot(redis_cluster, tomorrow)


@pytest.mark.parametrize("before_flush", [0, 2])
def test_fifty_concurrent_starts_after_a_cluster_flush_give_exactly_three(
    core: Core, redis_cluster: RedisClusterServers, before_flush: int
) -> None:
    for n in range(before_flush):
        start(core, slack("U-ann", f"before-{n}"))
    redis_cluster.flush_all()
    results = race(50, lambda i: start(core, slack("U-ann", f"t{i}")))
    assert sum(not isinstance(r, Exception) for r in results) == 3 - before_flush
    assert all(isinstance(r, QuotaExceeded) for r in results if isinstance(r, Exception))
    assert sessions_recorded(core, "U-ann") == 3


def test_linked_identities_count_once_on_the_cluster(
    core: Core, redis_cluster: RedisClusterServers
) -> None:
    account = web_account(core)
    start(core, slack("U-ann", "s0"))
    start(core, browser(account, "w0"))
    link(core, slack("U-ann", "s0"), account)
    assert start(core, slack("U-ann", "s1")).quota.used == 3
    redis_cluster.flush_all()
    for side in (slack("U-ann", "s2"), browser(account, "w2")):
        with pytest.raises(QuotaExceeded):
            start(core, side)


def test_the_cache_serves_the_same_answer_once(core: Core) -> None:
    first = start(core, slack("U-ann", "t1"))
    start(core, slack("U-bob", "t2"))
    with core.session_factory() as db, db.begin():  # the second session asks the same question
        bob = db.scalars(select(SessionRow).where(SessionRow.external_user == "U-bob")).one()
        db.execute(
            update(QuestionRow)
            .where(QuestionRow.session_id == bob.id)
            .values(text=first.question.question.text)
        )
    answer = "An index speeds up reads and slows down writes."
    services.answer_in_conversation(
        core.deps, conversation=slack("U-ann", "t1"), text=answer, delivery_id="a"
    )
    second = services.answer_in_conversation(
        core.deps, conversation=slack("U-bob", "t2"), text=answer, delivery_id="b"
    )
    assert second.attempt.cached and core.deps.evaluator.calls == 1
    stats = core.deps.cache.stats()
    assert (stats.hits, stats.misses) == (1, 1)


def test_a_hundred_concurrent_submissions_give_one_evaluation(core: Core) -> None:
    start(core, slack("U-ann", "t1"))
    outcomes = race(
        100,
        lambda i: services.answer_in_conversation(
            core.deps,
            conversation=slack("U-ann", "t1"),
            text="An index trades write speed and space for faster reads.",
            delivery_id=f"ev-{i}",
        ),
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes[:3]
    assert core.deps.evaluator.calls == 1
    assert sum(not o.duplicate for o in outcomes) == 1  # type: ignore[union-attr]
    assert Counter(o.status for o in outcomes) <= Counter(  # type: ignore[union-attr]
        {AnswerStatus.EVALUATED: 100, AnswerStatus.IN_PROGRESS: 100}
    )


def test_a_start_claimed_twice_in_one_thread_is_one_session(core: Core) -> None:
    results = race(20, lambda i: start(core, slack("U-ann", "same-thread")))
    sessions = {r.session.id for r in results if not isinstance(r, Exception)}
    assert len(sessions) == 1
    assert sessions_recorded(core, "U-ann") == 1
    assert services.quota_status(core.deps, user=slack("U-ann", "x").user_ref).used == 1


def test_a_cluster_that_loses_a_node_is_a_clear_error_never_a_bypass(
    tmp_path: Path, private_redis_cluster: RedisClusterServers
) -> None:
    """A cluster of this test's own: a primary crashes, its slots are gone."""
    cluster = private_redis_cluster
    core = wire(f"sqlite:///{tmp_path / 'c.db'}", cluster.url)
    try:
        for n in range(9):  # people whose counters are spread over the three nodes
            start(core, slack(f"U-{n}", f"t{n}"))
        cluster.nodes[1].kill()
        outcomes = [_start_or_error(core, n) for n in range(9)]
        assert any(isinstance(o, ServiceUnavailable) for o in outcomes), outcomes
        for outcome in outcomes:  # never a traceback-worthy error, never an unguarded start
            assert not isinstance(outcome, Exception) or isinstance(outcome, ServiceUnavailable)
            if isinstance(outcome, ServiceUnavailable):
                assert "Redis unreachable" in outcome.message and "Nothing was changed" in (
                    outcome.message
                )
    finally:
        core.close()


def _start_or_error(core: Core, n: int) -> object:
    try:
        return start(core, slack(f"U-{n}", f"again-{n}"))
    except Exception as exc:
        return exc


def test_a_port_the_kernel_offers_again_is_not_handed_out_twice(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The three nodes get their ports before any starts, and the kernel may offer a port again
    once its probe closes: two nodes once shared one, and the cluster never came up."""
    offered = iter([21001, 21001, 21002])  # what binding port 0 returns, probe after probe

    class Probe:
        def __enter__(self) -> Probe:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def bind(self, address: tuple[str, int]) -> None:
            self.port = next(offered) if address[1] == 0 else address[1]

        def getsockname(self) -> tuple[str, int]:
            return ("127.0.0.1", self.port)

    monkeypatch.setattr(servers.socket, "socket", Probe)
    assert [free_port(with_cluster_bus=True) for _ in range(2)] == [21001, 21002]
