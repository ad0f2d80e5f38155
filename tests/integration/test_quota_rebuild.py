"""The daily quota survives losing Redis, and counts a person once across linked identities.

The database is the source of truth for sessions started: a missing counter is rebuilt from
it, atomically, before a start is admitted. Runs on the embedded default (SQLite + in-process
stand-in) and on MariaDB with a redis-server of the test's own, which it may FLUSHALL or crash
(the shared Redis on 6379 is never flushed). The same on a Redis Cluster: test_redis_cluster.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import redis

from core import services
from core.bootstrap import Core
from core.domain import QuotaExceeded
from tests.conftest import _truncate, migrated_copy
from tests.integration.servers import RedisServer
from tests.integration.wiring import (
    browser,
    link,
    race,
    sessions_recorded,
    slack,
    start,
    web_account,
    wire,
)


@dataclass
class Rig:
    core: Core
    flush: Callable[[], None]  # FLUSHALL on this test's own Redis


@pytest.fixture(
    params=["embedded", pytest.param("mariadb+own-redis", marks=pytest.mark.integration)]
)
def rig(request: pytest.FixtureRequest, tmp_path) -> Iterator[Rig]:  # type: ignore[no-untyped-def]
    if request.param == "embedded":
        template = request.getfixturevalue("migrated_sqlite")
        database_url = migrated_copy(template, tmp_path / "quota.db")
        core = wire(database_url, f"memory://quota-{tmp_path.name}")
        yield Rig(core, core.redis.flushall)
        core.close()
        return
    database_url = request.getfixturevalue("mysql_database")
    own: RedisServer = request.getfixturevalue("private_redis")
    core = wire(database_url, own.url)
    yield Rig(core, lambda: redis.Redis.from_url(own.url).flushall())
    core.close()
    _truncate(database_url)


@pytest.mark.parametrize("before_flush", [0, 2])
def test_fifty_concurrent_starts_right_after_a_flush_give_exactly_three_for_the_day(
    rig: Rig, before_flush: int
) -> None:
    for n in range(before_flush):
        start(rig.core, slack("U-ann", f"before-{n}"))
    rig.flush()  # Redis lost every counter; the database still has the day's sessions
    results = race(50, lambda i: start(rig.core, slack("U-ann", f"t{i}")))
    admitted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(admitted) == 3 - before_flush
    assert all(isinstance(e, QuotaExceeded) for e in refused), refused[:3]
    assert sessions_recorded(rig.core, "U-ann") == 3
    assert services.quota_status(rig.core.deps, user=slack("U-ann", "x").user_ref).used == 3


def test_quota_status_agrees_with_the_database_after_a_flush(rig: Rig) -> None:
    for n in range(2):
        start(rig.core, slack("U-ann", f"t{n}"))
    rig.flush()
    assert services.quota_status(rig.core.deps, user=slack("U-ann", "x").user_ref).used == 2
    assert start(rig.core, slack("U-ann", "t3")).quota.used == 3
    with pytest.raises(QuotaExceeded):
        start(rig.core, slack("U-ann", "t4"))


def test_a_start_that_was_never_delivered_is_not_counted_after_a_flush(rig: Rig) -> None:
    def undeliverable(started):  # type: ignore[no-untyped-def]
        raise RuntimeError("the chat API is down")

    with pytest.raises(RuntimeError):
        start(rig.core, slack("U-ann", "t0"), deliver=undeliverable)
    assert sessions_recorded(rig.core, "U-ann") == 0  # removed, as if never started
    rig.flush()
    user = slack("U-ann", "x").user_ref
    assert services.quota_status(rig.core.deps, user=user).used == 0
    assert [start(rig.core, slack("U-ann", f"t{n}")).quota.used for n in (1, 2, 3)] == [1, 2, 3]


def test_linking_counts_every_linked_identity_once_on_both_sides(rig: Rig) -> None:
    account = web_account(rig.core)
    for n in range(2):
        start(rig.core, slack("U-ann", f"s{n}"))
    start(rig.core, browser(account, "w0"))
    link(rig.core, slack("U-ann", "s0"), account)  # two on Slack + one in the browser = three
    for side in (slack("U-ann", "s9"), browser(account, "w9")):
        assert services.quota_status(rig.core.deps, user=side.user_ref).used == 3
        with pytest.raises(QuotaExceeded):
            start(rig.core, side)
    rig.flush()  # rebuilt from the database: still one person, three sessions
    for side in (slack("U-ann", "s8"), browser(account, "w8")):
        with pytest.raises(QuotaExceeded):
            start(rig.core, side)
    assert sessions_recorded(rig.core, "U-ann", account) == 3


def test_linking_never_counts_a_session_twice(rig: Rig) -> None:
    account = web_account(rig.core)
    start(rig.core, slack("U-ann", "s0"))
    start(rig.core, browser(account, "w0"))
    link(rig.core, slack("U-ann", "s0"), account)
    assert services.quota_status(rig.core.deps, user=slack("U-ann", "x").user_ref).used == 2
    assert start(rig.core, browser(account, "w1")).quota.used == 3  # the third, not a fourth
    with pytest.raises(QuotaExceeded):
        start(rig.core, slack("U-ann", "s1"))


def test_link_first_then_start_on_either_side(rig: Rig) -> None:
    account = web_account(rig.core)
    link(rig.core, slack("U-ann", "s0"), account)
    used = [
        start(rig.core, slack("U-ann", "s1")).quota.used,
        start(rig.core, browser(account, "w1")).quota.used,
        start(rig.core, slack("U-ann", "s2")).quota.used,
    ]
    assert used == [1, 2, 3]
    for side in (slack("U-ann", "s3"), browser(account, "w3")):
        with pytest.raises(QuotaExceeded):
            start(rig.core, side)


def test_unlinking_leaves_each_identity_its_own_sessions(rig: Rig) -> None:
    account = web_account(rig.core)
    link(rig.core, slack("U-ann", "s0"), account)
    for n in range(2):
        start(rig.core, slack("U-ann", f"s{n}"))
    start(rig.core, browser(account, "w0"))
    identity = services.linked_identities(rig.core.deps, web_user_id=account)[0]
    assert services.unlink_identity(rig.core.deps, web_user_id=account, identity_id=identity.id)
    assert services.quota_status(rig.core.deps, user=slack("U-ann", "x").user_ref).used == 2
    assert services.quota_status(rig.core.deps, user=browser(account, "x").user_ref).used == 1
    link(rig.core, slack("U-ann", "s0"), account)  # relinking recounts them together
    with pytest.raises(QuotaExceeded):
        start(rig.core, browser(account, "w5"))


def test_a_restart_without_persistence_keeps_the_day_s_count(
    mysql_database: str, private_redis: RedisServer
) -> None:
    """The issue's case: Redis restarted with no persistence; the same person used to get 6."""
    core = wire(mysql_database, private_redis.url)
    try:
        for n in range(3):
            start(core, slack("U-ann", f"t{n}"))
        private_redis.kill()
        private_redis.start()  # same port, empty
        with pytest.raises(QuotaExceeded):
            start(core, slack("U-ann", "t3"))
        assert sessions_recorded(core, "U-ann") == 3
    finally:
        core.close()
        _truncate(mysql_database)
