"""The `memory://` stand-in is shared between processes when a long-running one serves it."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis

from core.adapters.redis_client import make_redis
from core.adapters.redis_guards import RedisQuotaStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


OWNER = "sqlite:////checkouts/a/.data/interviewbot.db"


def test_a_second_process_sees_the_served_quota() -> None:
    port = free_port()
    serving = make_redis("memory://", serve_embedded=True, embedded_port=port, owner=OWNER)
    quota = RedisQuotaStore(serving, prefix="standin-test:")
    expires = datetime.now(UTC) + timedelta(hours=1)
    for _ in range(2):
        assert quota.try_consume(["acct"], day="d", limit=3, expires_at=expires).allowed

    other_process = textwrap.dedent(
        f"""
        from datetime import UTC, datetime, timedelta
        from core.adapters.redis_client import make_redis
        from core.adapters.redis_guards import RedisQuotaStore
        quota = RedisQuotaStore(make_redis("memory://", embedded_port={port}, owner={OWNER!r}), prefix="standin-test:")
        expires = datetime.now(UTC) + timedelta(hours=1)
        print([quota.try_consume(["acct"], day="d", limit=3, expires_at=expires).allowed for _ in range(2)])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", other_process], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[True, False]"  # the third session of the day, then refused
    assert quota.used(["acct"], day="d") == 3


def test_without_a_server_the_stand_in_is_in_process() -> None:
    port = free_port()  # nobody serves here
    client = make_redis("memory://", embedded_port=port)
    client.set("k", "v")
    assert make_redis("memory://isolated").get("k") is None
    assert type(client).__module__.startswith("fakeredis")


def test_finding_nobody_serving_takes_one_connection_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused loopback port means nobody serves the stand-in: asking again (redis-py retries
    10 times with backoff by default) only delayed the start of every terminal session."""
    attempts = []
    connect = redis.connection.Connection._connect

    def counted(self: redis.connection.Connection):  # type: ignore[no-untyped-def]
        attempts.append(self.port)
        return connect(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
    port = free_port()  # nobody serves here
    client = make_redis("memory://", embedded_port=port)
    assert type(client).__module__.startswith("fakeredis")
    assert attempts == [port]


def test_another_checkouts_stand_in_is_never_used() -> None:
    """Two clones both default to port 6399: the terminal of one must not count its quota in
    the other's web companion (their SQLite files differ)."""
    port = free_port()
    theirs = make_redis("memory://", serve_embedded=True, embedded_port=port, owner=OWNER)
    theirs.set("k", "theirs")
    other_checkout = textwrap.dedent(
        f"""
        import logging
        logging.basicConfig(level=logging.WARNING)
        from core.adapters.redis_client import make_redis
        ours = make_redis("memory://", embedded_port={port}, owner="sqlite:////checkouts/b/x.db")
        print(ours.get("k"), type(ours).__module__.split(".")[0])
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", other_checkout], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["None", "fakeredis"]  # its own, empty stand-in
    assert "belongs to another database" in result.stderr
    assert theirs.get("k") == "theirs"


def test_the_identity_of_a_sqlite_file_does_not_depend_on_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine

    from core.bootstrap import database_identity

    identities = set()
    for folder in (tmp_path / "a", tmp_path / "b"):
        folder.mkdir()
        monkeypatch.chdir(folder)
        identities.add(database_identity(create_engine("sqlite:///.data/interviewbot.db")))
    assert len(identities) == 2
    server = create_engine("mysql+pymysql://root:secret@127.0.0.1:3306/test")
    assert "secret" not in database_identity(server)
