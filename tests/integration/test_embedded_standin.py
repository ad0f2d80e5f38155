"""The `memory://` stand-in is shared between processes when a long-running one serves it."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta

from core.adapters.redis_client import make_redis
from core.adapters.redis_guards import RedisQuotaStore


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_second_process_sees_the_served_quota() -> None:
    port = free_port()
    serving = make_redis("memory://", serve_embedded=True, embedded_port=port)
    quota = RedisQuotaStore(serving, prefix="standin-test:")
    expires = datetime.now(UTC) + timedelta(hours=1)
    for _ in range(2):
        assert quota.try_consume(["acct"], day="d", limit=3, expires_at=expires).allowed

    other_process = textwrap.dedent(
        f"""
        from datetime import UTC, datetime, timedelta
        from core.adapters.redis_client import make_redis
        from core.adapters.redis_guards import RedisQuotaStore
        quota = RedisQuotaStore(make_redis("memory://", embedded_port={port}), prefix="standin-test:")
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
