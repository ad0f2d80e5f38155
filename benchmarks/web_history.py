"""History API latency and SQL statements per request, for a person with a long history.

Usage:
    .venv/bin/python benchmarks/web_history.py [--sessions 1000] [--answers 10] [--requests 300]
        [--mysql-url mysql+pymysql://root@127.0.0.1:3306/test]

Creates its own scratch MariaDB/MySQL database (dropped at the end), migrates it, and seeds one
account whose linked Slack identity has --sessions finished sessions of --answers evaluated
answers each (1,000 x 10 = 10,000 attempts by default), plus a second account with 10 sessions as
the baseline. Requests go through the real app in process (httpx TestClient, bearer token), so the
figures are app + database time without network. Every SQL statement is counted on both engines
(the core's PyMySQL one and fastapi-users' aiomysql one) with a before_cursor_execute listener.

Baselines measured in the same run: page 1 against page 50 (does OFFSET cost?), and the account
with 1,000 sessions against the one with 10 (does the history size change the statement count?).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, event, insert, select, text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from core import services  # noqa: E402
from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter  # noqa: E402
from core.adapters.sql import migrate  # noqa: E402
from core.adapters.sql.database import make_engine  # noqa: E402
from core.adapters.sql.models import (  # noqa: E402
    AttemptRow,
    AttemptTagRow,
    QuestionRow,
    SessionRow,
)
from core.bootstrap import Core, build_core  # noqa: E402
from core.config import Settings  # noqa: E402
from core.domain.model import UserRef  # noqa: E402
from core.domain.roles import Difficulty, Role  # noqa: E402
from web.app import create_app  # noqa: E402

PASSWORD = "benchmark passphrase"
ROLES = [r.value for r in Role]
LEVELS = [d.value for d in Difficulty]
TAGS = ["depth", "trade-offs", "examples", "edge-cases", "completeness"]


@dataclass
class Figures:
    label: str
    p50_ms: float
    p99_ms: float
    mean_ms: float
    statements: int
    auth_statements: int
    items: int


class StatementCounter:
    """Counts SQL statements per engine while active."""

    def __init__(self) -> None:
        self.counts = {"core": 0, "auth": 0}
        self.active = False

    def watch(self, engine: Engine, name: str) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _count(*_: Any) -> None:
            if self.active:
                self.counts[name] += 1

    @contextmanager
    def measuring(self) -> Iterator[dict[str, int]]:
        self.counts = {"core": 0, "auth": 0}
        self.active = True
        try:
            yield self.counts
        finally:
            self.active = False


def scratch_database(admin_url: str) -> tuple[str, Engine]:
    admin = create_engine(admin_url)
    name = f"ib_bench_web_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with admin.begin() as connection:
        connection.execute(text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4"))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url, admin


def seed_history(core: Core, identity_id: int, user: UserRef, sessions: int, answers: int) -> None:
    """Finished sessions with evaluated answers, written in bulk (the API reads them back)."""
    now = datetime.now(UTC)
    evaluation = {
        "score": 6.5,
        "feedback": "Solid answer; add an example and the trade-offs.",
        "ideal_answer": "A complete answer names the idea, an example and the trade-offs. " * 4,
        "tags": TAGS[:2],
        "criteria": {"correctness": 7.0, "depth": 6.0, "communication": 7.0},
        "strengths": [],
        "missing": [],
        "provider": "offline",
        "prompt_version": "bench",
    }
    session_rows = []
    for n in range(sessions):
        started = now - timedelta(hours=8 * (sessions - n))
        session_rows.append(
            {
                "identity_id": identity_id,
                "platform": user.platform,
                "tenant": user.tenant,
                "channel": "C-bench",
                "thread": f"th-{n}",
                "external_user": user.user,
                "role": ROLES[n % len(ROLES)],
                "difficulty": LEVELS[n % len(LEVELS)],
                "question_count": answers,
                "status": "completed",
                "created_at": started,
                "last_activity_at": started + timedelta(minutes=20),
                "ended_at": started + timedelta(minutes=20),
            }
        )
    with core.engine.begin() as connection:
        connection.execute(insert(SessionRow), session_rows)
        ids = connection.execute(
            select(SessionRow.id, SessionRow.created_at)
            .where(SessionRow.identity_id == identity_id)
            .order_by(SessionRow.id)
        ).all()
        questions, attempts = [], []
        for session_id, started in ids:
            for position in range(1, answers + 1):
                asked = started + timedelta(minutes=2 * position)
                questions.append(
                    {
                        "session_id": session_id,
                        "position": position,
                        "kind": "main",
                        "main_index": position,
                        "follow_up_of": None,
                        "bank_id": f"bench-{position}",
                        "text": f"Benchmark question {position}: explain how it works and why.",
                        "reference_answer": "A reference answer of a realistic length. " * 6,
                        "key_points": ["point one", "point two"],
                        "topics": ["benchmarks"],
                        "hint": "",
                        "hints_used": 0,
                        "asked_at": asked,
                    }
                )
                attempts.append(
                    {
                        "session_id": session_id,
                        "position": position,
                        "delivery_id": f"bench-{session_id}-{position}",
                        "answer": "An answer of a realistic length with some detail. " * 5,
                        "status": "evaluated",
                        "created_at": asked,
                        "evaluated_at": asked + timedelta(seconds=3),
                        "score": float((session_id * 7 + position) % 11),
                        "evaluation": evaluation,
                        "cached": False,
                    }
                )
        connection.execute(insert(QuestionRow), questions)
        connection.execute(insert(AttemptRow), attempts)
        attempt_ids = connection.execute(
            select(AttemptRow.id).join(SessionRow).where(SessionRow.identity_id == identity_id)
        ).scalars()
        connection.execute(
            insert(AttemptTagRow),
            [{"attempt_id": a, "tag": t} for a in attempt_ids for t in TAGS[:2]],
        )


def account(
    client: TestClient, core: Core, name: str, sessions: int, answers: int
) -> dict[str, str]:
    """A web account with a linked Slack identity holding `sessions` finished sessions."""
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.com"
    assert (
        client.post("/api/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    token = client.post(
        "/api/auth/jwt/login", data={"username": email, "password": PASSWORD}
    ).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    slack = UserRef("slack", "T-BENCH", f"U-{name}")
    code = services.issue_link_code(core.deps, user=slack).code
    identity = client.post("/api/identities", json={"code": code}, headers=headers).json()["id"]
    seed_history(core, identity, slack, sessions, answers)
    return headers


def measure_all(
    client: TestClient,
    counter: StatementCounter,
    scenarios: list[tuple[str, str, dict[str, str]]],
    requests: int,
) -> list[Figures]:
    """Time the scenarios round-robin, so a busy machine slows them all alike."""
    statements, bodies = [], []
    for _, url, headers in scenarios:
        for _ in range(20):  # warm-up: connection pools, compiled statements, caches
            assert client.get(url, headers=headers).status_code == 200
        with counter.measuring() as counts:
            bodies.append(client.get(url, headers=headers).json())
        statements.append(dict(counts))
    timings: list[list[float]] = [[] for _ in scenarios]
    for round_ in range(requests):
        for index in sorted(range(len(scenarios)), key=lambda i: (i + round_) % len(scenarios)):
            _, url, headers = scenarios[index]
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            timings[index].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
    results = []
    for (label, _, _), times, counts, body in zip(
        scenarios, timings, statements, bodies, strict=True
    ):
        times.sort()
        results.append(
            Figures(
                label=label,
                p50_ms=statistics.median(times),
                p99_ms=times[min(len(times) - 1, int(0.99 * len(times)))],
                mean_ms=statistics.fmean(times),
                statements=counts["core"] + counts["auth"],
                auth_statements=counts["auth"],
                items=len(body.get("items", body.get("entries", []))),
            )
        )
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--answers", type=int, default=10, help="answers per session")
    parser.add_argument("--requests", type=int, default=300, help="timed requests per scenario")
    parser.add_argument(
        "--mysql-url",
        default=os.environ.get("TEST_MYSQL_URL", "mysql+pymysql://root@127.0.0.1:3306/test"),
    )
    args = parser.parse_args()

    url, admin = scratch_database(args.mysql_url)
    settings = Settings(
        database_url=url,
        redis_url=f"memory://bench-{os.getpid()}",  # the history path never touches Redis
        web_secret="benchmark-secret-" + "x" * 32,
        _env_file=None,  # type: ignore[call-arg]
    )
    core = build_core(settings, llm=(OfflineEvaluator(), OfflineQuestionWriter()))
    counter = StatementCounter()
    counter.watch(core.engine, "core")
    try:
        app = create_app(core=core)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            seeding = time.perf_counter()
            big = account(client, core, "long-history", args.sessions, args.answers)
            small = account(client, core, "short-history", 10, args.answers)
            seeded_in = time.perf_counter() - seeding
            counter.watch(app.state.resources.async_engine.sync_engine, "auth")
            last_page = max(1, -(-args.sessions // 20))
            detail_id = client.get("/api/sessions?per_page=1", headers=big).json()["items"][0]["id"]
            scenarios = [
                ("10 sessions, page 1", "/api/sessions?page=1", small),
                (f"{args.sessions} sessions, page 1", "/api/sessions?page=1", big),
                (
                    f"{args.sessions} sessions, page {last_page // 2}",
                    f"/api/sessions?page={last_page // 2}",
                    big,
                ),
                (
                    f"{args.sessions} sessions, page {last_page}",
                    f"/api/sessions?page={last_page}",
                    big,
                ),
                (
                    f"{args.sessions} sessions, role filter",
                    "/api/sessions?role=backend&page=2",
                    big,
                ),
                ("session detail (10 answers)", f"/api/sessions/{detail_id}", big),
            ]
            results = measure_all(client, counter, scenarios, args.requests)
    finally:
        core.close()
        with admin.begin() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {make_url(url).database}"))
        admin.dispose()

    attempts = args.sessions * args.answers
    print(
        f"History API on MariaDB — {args.sessions:,} sessions / {attempts:,} answers "
        f"(seeded in {seeded_in:.1f} s), {args.requests} timed requests per row, in process\n"
    )
    print(
        f"{'scenario':<34} {'p50 ms':>8} {'p99 ms':>8} {'mean ms':>8} {'SQL/req':>8} {'of which auth':>14} {'items':>6}"
    )
    for r in results:
        print(
            f"{r.label:<34} {r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.mean_ms:>8.1f} {r.statements:>8} {r.auth_statements:>14} {r.items:>6}"
        )
    small_r, first, *_, last, _, _ = results
    print(
        f"\nStatements per page: {small_r.statements} with 10 sessions, {first.statements} with "
        f"{args.sessions:,} (page 1) and {last.statements} on the last page: "
        + (
            "constant."
            if small_r.statements == first.statements == last.statements
            else "NOT constant."
        )
    )
    print(
        f"Last page vs page 1: p50 {last.p50_ms / first.p50_ms:.2f}x. Target p50 <= 20 ms: "
        + ("met." if first.p50_ms <= 20 else "missed.")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
