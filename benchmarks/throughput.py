"""Answers per second with N people interviewing at once, against the floor of the same work.

On MariaDB + Redis with the offline scorer: N people (threads, then processes) each run whole
interviews (start, answer, next question, … summary). Beside them, measured in the same run,
the floor of a save-first, cache-checked answer: one Redis GET + SET and one INSERT + UPDATE in
one transaction, by the same number of threads. Prints answers/s, the ratio to the floor, CPU
milliseconds per answer, and where a single person's CPU goes.

    .venv/bin/python benchmarks/throughput.py [--people 8] [--interviews 3] [--questions 5]
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import pstats
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import REDIS_URL, scratch_mysql_database

ANSWER = (
    "An index is a B-tree kept sorted on the column, so a lookup reads a few pages instead of "
    "scanning the table; every insert and update must also maintain it, which slows writes."
)


def build(database_url: str, prefix: str):  # type: ignore[no-untyped-def]
    from core.bootstrap import build_core
    from core.config import Settings

    settings = Settings(
        database_url=database_url,
        redis_url=REDIS_URL,
        redis_prefix=prefix,
        quota_per_day=1000,
        _env_file=None,  # type: ignore[call-arg]
    )
    return build_core(settings, auto_migrate=False)


def interviews(core, person: str, count: int, questions: int) -> int:  # type: ignore[no-untyped-def]
    """Whole interviews by one person; returns the answers given."""
    from core import services
    from core.domain.model import ConversationRef
    from core.domain.results import SessionSummary

    answers = 0
    for n in range(count):
        where = ConversationRef("slack", "T-bench", "C", person, thread=f"{person}-{n}")
        started = services.start_session(
            core.deps, conversation=where, role="backend", difficulty="medium", questions=questions
        )
        position = started.question.position
        while True:
            services.answer_in_conversation(
                core.deps,
                conversation=where,
                text=f"{ANSWER} ({person} {n} {position})",  # no cache hits: every answer is new
                delivery_id=f"{person}-{n}-{position}",
            )
            answers += 1
            step = services.next_question(
                core.deps,
                session_id=started.session.id,
                after_position=position,
                actor=where.user_ref,
            )
            if isinstance(step, SessionSummary):
                break
            position = step.question.position
    return answers


def on_threads(n: int, work: Callable[[int], int]) -> tuple[int, float, float]:
    """Run work(i) on n threads started together; (total, wall seconds, CPU seconds)."""
    barrier = threading.Barrier(n + 1)
    totals = [0] * n

    def run(i: int) -> None:
        barrier.wait()
        totals[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    cpu, started = time.process_time(), time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    return sum(totals), time.perf_counter() - started, time.process_time() - cpu


def floor(database_url: str, prefix: str, people: int, per_person: int) -> float:
    """Operations/s of the bare minimum an answer does, on the same threads."""
    import redis
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, pool_size=people, isolation_level="READ COMMITTED")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS floor_answers (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                          "answer TEXT, score FLOAT NULL)"))  # fmt: skip
    client = redis.Redis.from_url(REDIS_URL)

    def work(i: int) -> int:
        for n in range(per_person):
            key = f"{prefix}floor:{i}:{n}"
            client.get(key)
            with engine.begin() as conn:
                inserted = conn.execute(
                    text("INSERT INTO floor_answers (answer) VALUES (:a)"), {"a": ANSWER}
                )
                conn.execute(
                    text("UPDATE floor_answers SET score = 7 WHERE id = :i"),
                    {"i": inserted.lastrowid},
                )
            client.set(key, "7", ex=60)  # fmt: skip
        return per_person

    done, wall, _ = on_threads(people, work)
    engine.dispose()
    return done / wall


def _process_worker(
    database_url: str, prefix: str, person: str, count: int, questions: int, out
) -> None:  # type: ignore[no-untyped-def]
    core = build(database_url, prefix)
    out.put(interviews(core, person, count, questions))
    core.close()


def on_processes(database_url: str, prefix: str, n: int, count: int, questions: int) -> float:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(target=_process_worker, args=(database_url, prefix, f"P{n}-{i}", count, questions, out))
        for i in range(n)
    ]  # fmt: skip
    started = time.perf_counter()
    for w in workers:
        w.start()
    total = sum(out.get() for _ in workers)
    for w in workers:
        w.join()
    return total / (time.perf_counter() - started)


def where_cpu_goes(core, questions: int) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """One person's interviews under cProfile, CPU grouped by layer (ms per answer)."""
    profiler = cProfile.Profile(time.process_time)  # CPU only: waits on sockets are not cost
    profiler.enable()
    answers = interviews(core, f"profiled-{uuid.uuid4().hex[:6]}", 2, questions)
    profiler.disable()
    stats = pstats.Stats(profiler)
    groups = {
        "offline scorer": "core/adapters/offline",
        "grading policy": "core/domain/grading",
        "answer signals": "core/domain/answer_signals",
        "SQLAlchemy ORM and core": "sqlalchemy",
        "PyMySQL (wire protocol)": "pymysql",
        "redis-py": "/redis/",
        "services and domain": "core/services",
    }
    totals = dict.fromkeys(groups, 0.0)
    for (filename, _, _), (_, _, own_time, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        for name, marker in groups.items():
            if marker in filename:
                totals[name] += own_time
                break
    overall = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    rows = sorted(((k, 1000 * v / answers) for k, v in totals.items()), key=lambda r: -r[1])
    rows.append(("everything else", 1000 * (overall - sum(totals.values())) / answers))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--interviews", type=int, default=3, help="per person")
    parser.add_argument("--questions", type=int, default=5, help="per interview")
    args = parser.parse_args()
    prefix = f"ib-bench:{uuid.uuid4().hex[:8]}:"
    with scratch_mysql_database() as url:
        from core.adapters.sql import migrate
        from core.adapters.sql.database import make_engine

        migrate.upgrade(make_engine(url))
        core = build(url, prefix)
        interviews(core, "warm-up", 1, 2)
        per_person = args.interviews * args.questions
        rows = []
        for people in sorted({1, args.people}):
            base = floor(url, prefix, people, per_person * 4)
            done, wall, cpu = on_threads(
                people, lambda i, p=people: interviews(core, f"T{p}-{i}", args.interviews, args.questions)
            )  # fmt: skip
            rows.append((f"{people} threads", done / wall, base, 1000 * cpu / done))
        print(f"{'run':<14}{'answers/s':>11}{'floor ops/s':>13}{'ratio':>8}{'CPU ms/answer':>15}")
        for label, rate, base, cpu_ms in rows:
            print(f"{label:<14}{rate:>11.1f}{base:>13.1f}{rate / base:>8.2f}{cpu_ms:>15.2f}")
        for processes in (1, 2, 4):
            rate = on_processes(url, prefix, processes, args.interviews, args.questions)
            print(f"{processes} process{'es' if processes > 1 else '  '}   {rate:>11.1f}")
        print("\nWhere one person's CPU goes (ms per answer, own time):")
        for name, ms in where_cpu_goes(core, args.questions):
            print(f"  {name:<28}{ms:>7.2f}")
        core.close()


if __name__ == "__main__":
    main()
