"""What rebuilding a lost quota counter costs: a quota check with the counter present (one Lua
call) against one whose counter is missing (Lua call, the day's sessions counted in the
database, Lua call again). Prints measured figures; asserts nothing.

    .venv/bin/python benchmarks/quota_rebuild.py [--people 200]

Runs on the embedded default and on MariaDB + Redis (TEST_MYSQL_URL, TEST_REDIS_URL).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, fmt, percentiles, scratch_mysql_database, timed
from core import services
from core.bootstrap import build_core
from core.config import Settings
from core.domain import ConversationRef
from core.services import quota


def measure(label: str, database_url: str, redis_url: str, people: int) -> None:
    prefix = f"ib-bench:{uuid.uuid4().hex[:8]}:"
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        quota_per_day=1000,
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, auto_migrate=True)
    deps = core.deps
    users = [ConversationRef("bench", "T", "C", f"U{n}", thread=f"t{n}") for n in range(people)]
    for conversation in users:  # one recorded session each, so the rebuild has rows to count
        services.start_session(deps, conversation=conversation, role="backend", questions=1)
    day, resets_at = deps.rules.quota_window(deps.clock.now())
    counters = iter([quota.counter_of(c.user_ref, None) for c in users] * 2)

    def check() -> None:
        quota.consume(deps, next(counters), day=day, resets_at=resets_at)

    present = percentiles(timed(check, people))
    quota.forget(deps, [quota.counter_of(c.user_ref, None) for c in users], now=deps.clock.now())
    rebuilt = percentiles(timed(check, people))  # every counter missing, as after a flush
    print(f"[{label}] quota check, counter present   {fmt(present)}")
    print(
        f"[{label}] quota check, counter rebuilt   {fmt(rebuilt)}"
        f"   ratio {rebuilt['p50'] / present['p50']:.1f}"
    )
    for key in list(core.redis.scan_iter(f"{prefix}*")):
        core.redis.delete(key)
    core.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("embedded: SQLite + memory://", f"sqlite:///{tmp}/b.db", "memory://b", args.people)
    with scratch_mysql_database() as url:
        measure("MariaDB + Redis", url, REDIS_URL, args.people)


if __name__ == "__main__":
    main()
