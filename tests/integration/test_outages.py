"""The database or Redis going away, on every path: the core raises ServiceUnavailable whose
message says exactly what was stored ("Your answer is saved" / "Nothing was changed"), and
that is what the database holds once it is back.

The tests crash a MariaDB and a redis-server of their own (started on free ports, killed by
PID with SIGKILL), before a call or in the middle of one; the shared services are untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pymysql
import pytest

from core import services
from core.adapters.sql import migrate
from core.adapters.sql.database import make_engine
from core.bootstrap import Core
from core.domain import ServiceUnavailable
from core.domain.model import AttemptStatus
from core.domain.results import AnswerStatus
from tests.fakes import ScriptedEvaluator, ScriptedWriter
from tests.integration.servers import MariaDbServer, RedisServer
from tests.integration.wiring import slack, web_account, wire

ANN = slack("U-ann", "t1")
ANSWER = "Indexes speed reads."
NOTHING_CHANGED = "Nothing was changed"
ANSWER_SAVED = "Your answer is saved"


class HookedEvaluator(ScriptedEvaluator):
    """Runs `during` while it evaluates: the place to crash a server mid-evaluation."""

    def __init__(self) -> None:
        super().__init__()
        self.during: Callable[[], None] | None = None

    def evaluate(self, question, answer):  # type: ignore[no-untyped-def]
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return super().evaluate(question, answer)


class HookedWriter(ScriptedWriter):
    """Runs `during` while it writes a follow-up question."""

    def __init__(self) -> None:
        super().__init__()
        self.during: Callable[[], None] | None = None

    def follow_up(self, question, answer, evaluation):  # type: ignore[no-untyped-def]
        if self.during is not None:
            during, self.during = self.during, None
            during()
        return super().follow_up(question, answer, evaluation)


@dataclass
class Rig:
    core: Core
    database: MariaDbServer
    redis: RedisServer
    name: str
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def evaluator(self) -> HookedEvaluator:
        return self.core.deps.evaluator  # type: ignore[return-value]

    def stored(self) -> tuple[Any, ...]:
        """What the database holds, read over a fresh connection."""
        connection = pymysql.connect(
            host="127.0.0.1", port=self.database.port, user="root", database=self.name
        )
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT (SELECT COUNT(*) FROM interview_sessions),"
                    " (SELECT GROUP_CONCAT(status ORDER BY id) FROM interview_sessions),"
                    " (SELECT COUNT(*) FROM session_questions),"
                    " (SELECT SUM(hints_used) FROM session_questions),"
                    " (SELECT GROUP_CONCAT(CONCAT(position, ':', status) ORDER BY id) FROM attempts),"
                    " (SELECT COUNT(*) FROM link_codes WHERE used_at IS NULL),"
                    " (SELECT COUNT(*) FROM identities WHERE web_user_id IS NOT NULL)"
                )
                return tuple(cursor.fetchone() or ())
        finally:
            connection.close()

    def kill_database_after_first_commit(self) -> None:
        """The database dies right after the call's first commit (the worst moment to lose it
        for a call that commits more than once)."""
        original = self.core.deps.uow
        fired: list[bool] = []

        def factory(*, read_only: bool = False) -> Any:
            uow = original(read_only=read_only)
            commit = uow.commit

            def commit_then_crash() -> None:
                commit()
                if not fired:
                    fired.append(True)
                    self.database.kill()

            uow.commit = commit_then_crash  # type: ignore[method-assign]
            return uow

        self.core.deps.uow = factory  # type: ignore[assignment]


@pytest.fixture
def rig(private_mariadb: MariaDbServer, private_redis: RedisServer) -> Iterator[Rig]:
    import uuid

    name = f"ib_outage_{uuid.uuid4().hex[:8]}"
    private_mariadb.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    url = private_mariadb.url(name)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    core = wire(url, private_redis.url, evaluator=HookedEvaluator(), writer=HookedWriter())
    yield Rig(core, private_mariadb, private_redis, name)
    core.close()
    if private_mariadb.process is None or private_mariadb.process.poll() is not None:
        private_mariadb.start()  # a failed test left it down: the next test needs it
    private_mariadb.execute(f"DROP DATABASE {name}")


# ---------------------------------------------------------------- the paths


def _started(rig: Rig) -> int:
    return int(services.start_session(rig.core.deps, conversation=ANN, role="backend").session.id)


def _answered(rig: Rig) -> int:
    session_id = _started(rig)
    services.answer_in_conversation(rig.core.deps, conversation=ANN, text=ANSWER, delivery_id="a1")
    return session_id


def _link_code(rig: Rig) -> tuple[str, str]:
    account = web_account(rig.core)
    return services.issue_link_code(rig.core.deps, user=ANN.user_ref).code, account


@dataclass(frozen=True)
class Path:
    name: str
    prepare: Callable[[Rig], Any]
    call: Callable[[Rig, Any], Any]
    needs_redis: bool


PATHS = [
    Path(
        "start",
        lambda rig: None,
        lambda rig, _: services.start_session(rig.core.deps, conversation=ANN, role="backend"),
        needs_redis=True,
    ),
    Path(
        "answer",
        _started,
        lambda rig, _: services.answer_in_conversation(
            rig.core.deps, conversation=ANN, text=ANSWER, delivery_id="a1"
        ),
        needs_redis=True,
    ),
    Path(
        "next",
        _answered,
        lambda rig, sid: services.next_question(
            rig.core.deps, session_id=sid, after_position=1, actor=ANN.user_ref
        ),
        needs_redis=False,
    ),
    Path(
        "hint",
        _started,
        lambda rig, sid: services.give_hint(
            rig.core.deps, session_id=sid, position=1, actor=ANN.user_ref
        ),
        needs_redis=False,
    ),
    Path(
        "skip",
        _started,
        lambda rig, sid: services.skip_question(
            rig.core.deps, session_id=sid, position=1, actor=ANN.user_ref, delivery_id="s1"
        ),
        needs_redis=False,
    ),
    Path(
        "deeper",
        _answered,
        lambda rig, sid: services.go_deeper(
            rig.core.deps, session_id=sid, position=1, actor=ANN.user_ref
        ),
        needs_redis=True,
    ),
    Path(
        "end",
        _started,
        lambda rig, _: services.end_interview(rig.core.deps, conversation=ANN),
        needs_redis=False,
    ),
    Path(
        "link code",
        lambda rig: None,
        lambda rig, _: services.issue_link_code(rig.core.deps, user=ANN.user_ref),
        needs_redis=False,
    ),
    Path(
        "link",
        _link_code,
        lambda rig, prepared: services.redeem_link_code(
            rig.core.deps, code=prepared[0], web_user_id=prepared[1]
        ),
        needs_redis=True,
    ),
]
IDS = [p.name for p in PATHS]


def attempt(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except ServiceUnavailable as exc:
        return exc


def assert_says_what_is_stored(
    outcome: Any, before: tuple[Any, ...], after: tuple[Any, ...]
) -> None:
    """A refusal's words must match the database: "nothing changed" means nothing did."""
    if not isinstance(outcome, ServiceUnavailable):
        return
    assert NOTHING_CHANGED in outcome.message or ANSWER_SAVED in outcome.message, outcome.message
    if outcome.answer_saved:
        assert ANSWER_SAVED in outcome.message
        assert after[4] and "1:" in after[4], after  # the answer is there
    else:
        assert NOTHING_CHANGED in outcome.message
        assert after == before, f"said nothing changed, but {before} became {after}"


# ---------------------------------------------------------------- the database goes away


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_database_down_nothing_changes_and_the_message_says_so(rig: Rig, path: Path) -> None:
    prepared = path.prepare(rig)
    before = rig.stored()
    rig.database.kill()
    outcome = attempt(lambda: path.call(rig, prepared))
    rig.database.start()
    assert isinstance(outcome, ServiceUnavailable), outcome
    assert outcome.service == "database" and not outcome.answer_saved
    assert "database unreachable" in outcome.message and NOTHING_CHANGED in outcome.message
    assert rig.stored() == before


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_database_lost_right_after_the_first_commit(rig: Rig, path: Path) -> None:
    """Mid-flow: whatever the call reports must be what the database kept."""
    prepared = path.prepare(rig)
    before = rig.stored()
    rig.kill_database_after_first_commit()
    outcome = attempt(lambda: path.call(rig, prepared))
    rig.database.start()
    after = rig.stored()
    assert_says_what_is_stored(outcome, before, after)
    if path.name == "answer":  # its evaluation needed the database after the answer was saved
        assert isinstance(outcome, ServiceUnavailable) and outcome.answer_saved
    if path.name == "skip":  # one transaction: the skip and the next question together
        assert not isinstance(outcome, ServiceUnavailable), outcome
        assert after[4] == "1:skipped" and after[2] == before[2] + 1


def test_database_lost_mid_evaluation_keeps_the_answer_for_retry(rig: Rig) -> None:
    session_id = _started(rig)
    rig.evaluator.during = rig.database.kill
    outcome = attempt(
        lambda: services.answer_in_conversation(
            rig.core.deps, conversation=ANN, text=ANSWER, delivery_id="a1"
        )
    )
    assert isinstance(outcome, ServiceUnavailable) and outcome.answer_saved, outcome
    assert "database unreachable" in outcome.message and ANSWER_SAVED in outcome.message
    rig.database.start()
    retried = services.retry_evaluation(
        rig.core.deps, session_id=session_id, position=1, actor=ANN.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED and retried.attempt.answer == ANSWER


# ---------------------------------------------------------------- Redis goes away


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_redis_down(rig: Rig, path: Path) -> None:
    """Paths that need Redis refuse with what was kept; the others carry on without it."""
    prepared = path.prepare(rig)
    before = rig.stored()
    rig.redis.kill()
    outcome = attempt(lambda: path.call(rig, prepared))
    after = rig.stored()
    if not path.needs_redis:
        assert not isinstance(outcome, ServiceUnavailable), outcome
        return
    assert isinstance(outcome, ServiceUnavailable) and outcome.service == "Redis", outcome
    assert "Redis unreachable" in outcome.message
    assert_says_what_is_stored(outcome, before, after)
    assert outcome.answer_saved == (path.name == "answer")


def test_redis_down_keeps_the_answer_and_retry_evaluates_it_once_back(rig: Rig) -> None:
    session_id = _started(rig)
    rig.redis.kill()
    outcome = attempt(
        lambda: services.answer_in_conversation(
            rig.core.deps, conversation=ANN, text=ANSWER, delivery_id="a1"
        )
    )
    assert isinstance(outcome, ServiceUnavailable) and outcome.answer_saved
    with rig.core.deps.uow(read_only=True) as uow:
        stored = uow.attempts.at_position(session_id, 1)
    assert stored is not None and stored.status is AttemptStatus.FAILED
    rig.redis.start()
    retried = services.retry_evaluation(
        rig.core.deps, session_id=session_id, position=1, actor=ANN.user_ref
    )
    assert retried.status is AnswerStatus.EVALUATED


def test_redis_lost_mid_evaluation_still_stores_the_evaluation(rig: Rig) -> None:
    """Only the cache and the lock release needed Redis after the lock was taken."""
    _started(rig)
    rig.evaluator.during = rig.redis.kill
    outcome = services.answer_in_conversation(
        rig.core.deps, conversation=ANN, text=ANSWER, delivery_id="a1"
    )
    assert outcome.status is AnswerStatus.EVALUATED


def test_a_link_refused_while_redis_is_down_can_be_redeemed_once_it_is_back(rig: Rig) -> None:
    code, account = _link_code(rig)
    rig.redis.kill()
    outcome = attempt(
        lambda: services.redeem_link_code(rig.core.deps, code=code, web_user_id=account)
    )
    assert isinstance(outcome, ServiceUnavailable) and NOTHING_CHANGED in outcome.message
    rig.redis.start()
    linked = services.redeem_link_code(rig.core.deps, code=code, web_user_id=account)
    assert linked.web_user_id == account


def test_redis_lost_while_writing_a_follow_up_keeps_the_follow_up(rig: Rig) -> None:
    """The lock could not be released, but the follow-up was stored: never "nothing changed"."""
    session_id = _answered(rig)
    rig.core.deps.writer.during = rig.redis.kill  # type: ignore[attr-defined]
    asked = services.go_deeper(rig.core.deps, session_id=session_id, position=1, actor=ANN.user_ref)
    assert asked.question.follow_up_of == 1
    assert rig.stored()[2] == 2  # the first question and its follow-up
