"""The database or Redis going away under the web app: every route answers 503 with the core's
message saying what was stored ("Nothing was changed"), through the async engine (accounts,
sign-ins, log-in included) and the sync core alike; never a 500, never "Your answers are saved"
when they were not. The tests crash a MariaDB and a redis-server of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pymysql
import pytest
from fastapi.testclient import TestClient

from core.adapters.offline.evaluator import OfflineEvaluator, OfflineQuestionWriter
from core.adapters.sql import migrate
from core.adapters.sql.database import make_engine
from core.bootstrap import Core
from tests.integration.servers import MariaDbServer, RedisServer
from tests.integration.wiring import wire
from tests.web.helpers import (
    PASSWORD,
    browser_register,
    csrf_from,
    new_email,
    register_api,
    wait_for_evaluation,
)
from web.app import create_app

DATABASE_DOWN = "(database unreachable). Nothing was changed"
REDIS_DOWN = "(Redis unreachable). Nothing was changed"
ANSWER = "An index is a sorted B-tree of the indexed columns that speeds lookups up."


@dataclass
class WebRig:
    core: Core
    client: TestClient
    database: MariaDbServer
    redis: RedisServer
    name: str

    def count(self, table: str) -> int:
        connection = pymysql.connect(
            host="127.0.0.1", port=self.database.port, user="root", database=self.name
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {table}")
                return int(cursor.fetchone()[0])  # type: ignore[index]
        finally:
            connection.close()


@pytest.fixture
def rig(private_mariadb: MariaDbServer, private_redis: RedisServer) -> Iterator[WebRig]:
    name = f"ib_web_outage_{uuid.uuid4().hex[:8]}"
    private_mariadb.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    url = private_mariadb.url(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    core = wire(
        url,
        private_redis.url,
        evaluator=OfflineEvaluator(),
        writer=OfflineQuestionWriter(),
        web_secret="outage-secret-for-the-web-companion-0123456789",
    )
    with TestClient(create_app(core=core), base_url="http://127.0.0.1") as client:
        yield WebRig(core, client, private_mariadb, private_redis, name)
    core.close()
    if private_mariadb.process is None or private_mariadb.process.poll() is not None:
        private_mariadb.start()  # a failed test left it down: the next test needs it
    private_mariadb.execute(f"DROP DATABASE {name}")


def _practice(client: TestClient, headers: dict[str, str] | None = None) -> int:
    body = {"role": "backend", "questions": 2}
    started = client.post("/api/practice", json=body, headers=headers)
    assert started.status_code == 201, started.text
    return int(started.json()["session"]["id"])


def _api_calls(sid: int) -> list[tuple[str, str, Any]]:
    answer = {"text": ANSWER, "position": 1, "delivery_id": "outage-answer-1"}
    return [
        ("GET", "/api/dashboard", None),
        ("GET", "/api/sessions", None),
        ("GET", f"/api/sessions/{sid}", None),
        ("GET", "/api/analytics", None),
        ("GET", "/api/identities", None),
        ("POST", "/api/identities", {"code": "ABCD-EFGH"}),
        ("GET", "/api/users/me", None),
        ("POST", "/api/practice", {"role": "backend"}),
        ("GET", f"/api/practice/{sid}", None),
        ("POST", f"/api/practice/{sid}/answer", answer),
        ("POST", f"/api/practice/{sid}/hint", {"position": 1}),
        ("POST", f"/api/practice/{sid}/skip", {"position": 1, "delivery_id": "outage-skip-1"}),
        ("POST", f"/api/practice/{sid}/end", None),
        ("DELETE", "/api/history?confirm=true", None),
        ("POST", "/api/auth/jwt/logout", None),
    ]


PAGES = ["/", "/sessions", "/analytics", "/practice", "/link", "/account", "/account/delete"]


def _assert_database_down(answer: Any, what: str) -> None:
    assert answer.status_code == 503, (what, answer.status_code, answer.text[:300])
    assert DATABASE_DOWN in answer.text, (what, answer.text[:300])
    assert "Your answers are saved" not in answer.text and "answer is saved" not in answer.text


def test_database_down_every_route_answers_503_saying_nothing_was_changed(rig: WebRig) -> None:
    client = rig.client
    email = new_email()
    headers = register_api(client, email)
    sid = _practice(client, headers)
    browser_register(client)
    page_token = csrf_from(client, "/")
    before = {t: rig.count(t) for t in ("users", "interview_sessions", "attempts", "access_tokens")}

    rig.database.kill()
    kept = client.cookies
    client.cookies = {}  # type: ignore[assignment]
    for method, path, body in _api_calls(sid):
        _assert_database_down(client.request(method, path, json=body, headers=headers), path)
    login = {"username": email, "password": PASSWORD}
    _assert_database_down(client.post("/api/auth/jwt/login", data=login), "API log-in")
    registration = {"email": new_email(), "password": PASSWORD}
    _assert_database_down(client.post("/api/auth/register", json=registration), "register")
    client.cookies = kept
    for path in PAGES:
        _assert_database_down(client.get(path), path)
    form = {"email": email, "password": PASSWORD, "csrf_token": page_token}
    _assert_database_down(client.post("/login", data=form), "the log-in form")

    rig.database.start()
    after = {t: rig.count(t) for t in before}
    assert after == before  # nothing was changed, as every answer said


def test_database_lost_after_sign_in_is_the_sync_core_s_503_and_stores_nothing(
    rig: WebRig,
) -> None:
    """The async engine signs the person in; the database dies before the core's first unit of
    work (sync engine): still 503 and "Nothing was changed", and nothing is stored."""
    client = rig.client
    headers = register_api(client)
    sid = _practice(client, headers)
    original = rig.core.deps.uow

    def dies_first(*, read_only: bool = False) -> Any:
        rig.database.kill()
        rig.core.deps.uow = original  # type: ignore[method-assign]
        return original(read_only=read_only)

    rig.core.deps.uow = dies_first  # type: ignore[method-assign]
    answer = {"text": ANSWER, "position": 1, "delivery_id": "outage-answer-2"}
    posted = client.post(f"/api/practice/{sid}/answer", json=answer, headers=headers)
    _assert_database_down(posted, "answer")
    rig.database.start()
    assert rig.count("attempts") == 0
    assert wait_for_evaluation(client, sid, 1, headers)["step"] == "answer"


def test_redis_down_sign_in_and_history_work_starts_refuse_and_answers_are_kept(
    rig: WebRig,
) -> None:
    client = rig.client
    email = new_email()
    headers = register_api(client, email)
    sid = _practice(client, headers)
    rig.redis.kill()

    login = client.post("/api/auth/jwt/login", data={"username": email, "password": PASSWORD})
    assert login.status_code == 200  # the attempt limits step aside rather than lock people out
    assert client.get("/api/sessions", headers=headers).status_code == 200
    refused = client.post("/api/practice", json={"role": "backend"}, headers=headers)
    assert refused.status_code == 503 and REDIS_DOWN in refused.json()["message"]
    sessions = rig.count("interview_sessions")

    answer = {"text": ANSWER, "position": 1, "delivery_id": "outage-answer-3"}
    posted = client.post(f"/api/practice/{sid}/answer", json=answer, headers=headers)
    assert posted.status_code == 202  # stored: Redis is only needed to evaluate it
    entry = wait_for_evaluation(client, sid, 1, headers)
    assert entry["step"] == "failed" and entry["attempt"]["answer"] == ANSWER  # Retry is offered
    assert rig.count("interview_sessions") == sessions

    rig.redis.start()
    retried = client.post(f"/api/practice/{sid}/retry", json={"position": 1}, headers=headers)
    assert retried.status_code == 202
    assert wait_for_evaluation(client, sid, 1, headers)["step"] == "evaluated"
