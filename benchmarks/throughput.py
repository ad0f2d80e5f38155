"""Answers per second with N people interviewing at once, against the floor of the same work.

On MariaDB + Redis with the offline scorer: N people (threads, then processes) each run whole
interviews (start, answer, next question, … summary). Beside them, measured in the same run,
the floor of a save-first, cache-checked answer: one Redis GET + SET and one INSERT + UPDATE in
one transaction, by the same number of threads. Prints answers/s, the ratio to the floor, CPU
milliseconds per answer, and where a single person's CPU goes. Processes are timed from when
all of them are ready (imported, connected, warmed up), so the figure is answering, not starting.

    .venv/bin/python benchmarks/throughput.py [--people 8] [--interviews 10] [--questions 5]
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
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def floor(database_url: str, prefix: str, people: int, per_person: int) -> tuple[float, float]:
    """(operations/s, CPU ms per operation) of the bare minimum an answer does, on the same
    threads."""
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

    done, wall, cpu = on_threads(people, work)
    engine.dispose()
    return done / wall, 1000 * cpu / done


def _process_worker(  # type: ignore[no-untyped-def]
    database_url: str, prefix: str, person: str, count: int, questions: int, ready, go, out
) -> None:
    core = build(database_url, prefix)
    interviews(core, f"{person}-warm-up", 1, 2)  # imports, connections, compiled statements
    ready.put(True)
    go.wait()
    cpu = time.process_time()
    done = interviews(core, person, count, questions)
    out.put((done, time.process_time() - cpu))
    core.close()


def on_processes(
    database_url: str, prefix: str, n: int, count: int, questions: int
) -> tuple[float, float]:
    """(answers/s, CPU ms per answer) of n processes, timed from when all of them are ready:
    starting a Python process (imports, connections) is not answering."""
    context = multiprocessing.get_context("spawn")
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    workers = [
        context.Process(
            target=_process_worker,
            args=(database_url, prefix, f"P{n}-{i}", count, questions, ready, go, out),
        )
        for i in range(n)
    ]
    for w in workers:
        w.start()
    for _ in workers:
        ready.get()
    started = time.perf_counter()
    go.set()
    results = [out.get() for _ in workers]
    wall = time.perf_counter() - started
    for w in workers:
        w.join()
    answers = sum(done for done, _ in results)
    return answers / wall, 1000 * sum(cpu for _, cpu in results) / answers


@contextmanager
def round_trips() -> Iterator[Counter[str]]:
    """Commands sent to MariaDB (statements, COMMIT, ROLLBACK, pings) and to Redis (a pipeline
    is one) inside the block, by any thread of this process."""
    import pymysql.connections
    import redis.connection

    seen: Counter[str] = Counter()
    mysql_send = pymysql.connections.Connection._execute_command
    redis_send = redis.connection.AbstractConnection.send_packed_command

    def to_mysql(self, command, sql):  # type: ignore[no-untyped-def]
        seen["MariaDB"] += 1
        return mysql_send(self, command, sql)

    def to_redis(self, command, check_health=True):  # type: ignore[no-untyped-def]
        seen["Redis"] += 1
        return redis_send(self, command, check_health)

    setattr(pymysql.connections.Connection, "_execute_command", to_mysql)  # noqa: B010
    setattr(redis.connection.AbstractConnection, "send_packed_command", to_redis)  # noqa: B010
    try:
        yield seen
    finally:
        setattr(pymysql.connections.Connection, "_execute_command", mysql_send)  # noqa: B010
        setattr(redis.connection.AbstractConnection, "send_packed_command", redis_send)  # noqa: B010


GROUPS = {
    "offline scorer": "core/adapters/offline",
    "grading policy": "core/domain/grading",
    "answer signals": "core/domain/answer_",
    "SQLAlchemy": "sqlalchemy",
    "PyMySQL (wire protocol)": "pymysql",
    "redis-py": "/redis/",
    "SQL adapter": "core/adapters/sql",
    "services and domain": "core/",
}


def _group(filename: str) -> str | None:
    return next((name for name, marker in GROUPS.items() if marker in filename), None)


def where_cpu_goes(core, questions: int) -> list[tuple[str, float]]:  # type: ignore[no-untyped-def]
    """One person's interviews under cProfile: each layer's share of the CPU (own time).

    Built-ins and the standard library (socket reads, json, dataclass __init__) count for the
    layer that called them. cProfile's overhead inflates call-heavy code, so these are shares,
    to be read against the CPU per answer measured without the profiler."""
    profiler = cProfile.Profile(time.process_time)  # CPU only: waits on sockets are not cost
    profiler.enable()
    interviews(core, f"profiled-{uuid.uuid4().hex[:6]}", 2, questions)
    profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    totals = dict.fromkeys([*GROUPS, "everything else"], 0.0)
    for (filename, _, _), (_, _, own, _, callers) in stats.items():
        group = _group(filename)
        if group is not None:
            totals[group] += own
            continue
        # Split a built-in's time among its callers by what each call cost.
        spent = sum(row[2] for row in callers.values()) or 1.0
        for (caller_file, _, _), row in callers.items():
            totals[_group(caller_file) or "everything else"] += own * row[2] / spent
    overall = sum(totals.values()) or 1.0
    return sorted(((k, v / overall) for k, v in totals.items()), key=lambda r: -r[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--interviews", type=int, default=10, help="per person")
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
            base, base_cpu = floor(url, prefix, people, per_person * 4)
            done, wall, cpu = on_threads(
                people, lambda i, p=people: interviews(core, f"T{p}-{i}", args.interviews, args.questions)
            )  # fmt: skip
            rows.append((f"{people} threads", done / wall, 1000 * cpu / done, base, base_cpu))
        print(f"{'run':<12}{'answers/s':>10}{'CPU ms/answer':>15}{'floor ops/s':>13}"
              f"{'CPU ms/op':>11}{'ratio':>7}")  # fmt: skip
        for label, rate, cpu_ms, base, base_cpu in rows:
            print(f"{label:<12}{rate:>10.1f}{cpu_ms:>15.2f}{base:>13.1f}{base_cpu:>11.2f}"
                  f"{rate / base:>7.2f}")  # fmt: skip
        print(f"\n{'run':<14}{'answers/s':>11}{'vs 1 process':>14}{'CPU ms/answer':>15}")
        one = None
        for processes in (1, 2, 4):
            rate, cpu_ms = on_processes(url, prefix, processes, args.interviews, args.questions)
            one = one or rate
            label = f"{processes} process{'es' if processes > 1 else ''}"
            print(f"{label:<14}{rate:>11.1f}{rate / one:>14.2f}{cpu_ms:>15.2f}")
        # The pool's connections sat idle through the process runs: a pass first, so the
        # count is a busy pool's (a connection idle over 10 s is pinged once when next used).
        interviews(core, "counted-warm-up", 1, args.questions)
        with round_trips() as answering:
            answered = interviews(core, "counted", 1, args.questions)
        with round_trips() as bare:
            floor(url, prefix, 1, 20)
        print("\nRound trips per answer (with its share of the next question and the start):")
        for server in ("MariaDB", "Redis"):
            mine, least = answering[server] / answered, bare[server] / 20
            print(f"  {server:<10}{mine:>6.1f}  floor {least:.1f}")
        single_cpu_ms = rows[0][2]
        print(
            f"\nWhere one person's CPU goes (cProfile shares of {single_cpu_ms:.2f} ms per answer):"
        )
        for name, share in where_cpu_goes(core, args.questions):
            print(f"  {name:<28}{100 * share:>6.1f} %{share * single_cpu_ms:>8.2f} ms")
        core.close()


if __name__ == "__main__":
    main()
