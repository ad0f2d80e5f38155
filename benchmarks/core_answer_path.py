"""The answer path and the quota guard, measured on the embedded default and on MariaDB + Redis.

Prints, per backend: the latency of a whole answer (store, lock, cache, offline scorer, store)
on a cache miss and on a cache hit, with the hit/miss ratio; and the atomic Lua quota check
against a baseline of a plain Redis GET measured in the same run.

    .venv/bin/python benchmarks/core_answer_path.py [--answers 200]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, fmt, percentiles, scratch_mysql_database, timed
from core import services
from core.adapters.offline.bank import ShippedQuestionBank, load_shipped_questions
from core.bootstrap import build_core
from core.config import Settings
from core.domain import ConversationRef


def measure(label: str, database_url: str, redis_url: str, answers: int) -> None:
    prefix = f"ib-bench:{uuid.uuid4().hex[:8]}:"
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_prefix=prefix,
        quota_per_day=1000,
        max_questions_per_session=50,
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, auto_migrate=True)
    deps = core.deps
    # One question only, so the second round of the same answers can hit the evaluation cache.
    deps.bank = ShippedQuestionBank(load_shipped_questions()[:1])
    texts = [
        f"An index is a B-tree that speeds up reads ({n}) but slows writes." for n in range(answers)
    ]

    def session_answers(text_for: list[str]) -> list[float]:
        samples: list[float] = []
        for n, text in enumerate(text_for):
            conversation = ConversationRef("bench", "T", "C", "U", thread=uuid.uuid4().hex)
            services.start_session(
                deps, conversation=conversation, role="backend", difficulty="easy", questions=1
            )
            samples += timed(
                lambda t=text, c=conversation, n=n: services.answer_in_conversation(
                    deps, conversation=c, text=t, delivery_id=f"d{n}"
                ),
                1,
            )
        return samples

    miss = percentiles(session_answers(texts))
    hit = percentiles(session_answers(texts))  # the same answers again: served from the cache
    print(f"[{label}] answer, cache miss   {fmt(miss)}")
    print(
        f"[{label}] answer, cache hit    {fmt(hit)}   hit/miss p50 ratio {hit['p50'] / miss['p50']:.2f}"
    )

    quota, client = deps.quota, core.redis
    expires = datetime.now(UTC) + timedelta(days=1)
    lua = percentiles(
        timed(lambda: quota.try_consume(["acct"], day="d", limit=10**9, expires_at=expires), 2000)
    )
    get = percentiles(timed(lambda: client.get(f"{prefix}baseline"), 2000))
    print(
        f"[{label}] quota check (Lua)    {fmt(lua)}   vs plain GET {fmt(get)}   ratio {lua['p50'] / get['p50']:.2f}"
    )
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    core.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure(
            "embedded: SQLite + memory://",
            f"sqlite:///{tmp}/bench.db",
            f"memory://bench-{uuid.uuid4().hex}",
            args.answers,
        )
    with scratch_mysql_database() as url:
        measure("MariaDB + Redis", url, REDIS_URL, args.answers)


if __name__ == "__main__":
    main()
