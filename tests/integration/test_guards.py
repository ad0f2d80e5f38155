"""The concurrency guarantees, proven with many concurrent callers on both backends:
SQLite + in-process Redis stand-in, and real MariaDB + Redis."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import UTC, datetime
from typing import TypeVar

import pytest
from sqlalchemy import delete, func, select

from core import services
from core.adapters.sql.models import AttemptRow, AttemptTagRow, LlmCallRow, SessionRow
from core.bootstrap import Core
from core.domain import ConversationRef, InvalidLinkCode, QuotaExceeded
from core.domain.model import AttemptStatus
from core.domain.results import AnswerStatus
from core.services.common import load_interview
from core.services.evaluation import evaluate_attempt

T = TypeVar("T")
ALICE = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-1")


def race(
    n: int, call: Callable[[int], T], *, hold: threading.Event | None = None
) -> list[T | Exception]:
    """Run `call(i)` for i in range(n) on n threads released at the same instant.

    With `hold` (an evaluator's gate), the gate is closed first and opened only once n - 1
    racers have finished: the one evaluating overlaps all the others, by construction."""
    barrier = threading.Barrier(n)
    if hold is not None:
        hold.clear()

    def worker(i: int) -> T | Exception:
        barrier.wait()
        try:
            return call(i)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=n) as pool:
        futures = [pool.submit(worker, i) for i in range(n)]
        if hold is not None:
            for done, _ in enumerate(as_completed(futures), start=1):
                if done == n - 1:
                    break
            hold.set()
        return [f.result() for f in futures]


def count(core: Core, query) -> int:  # type: ignore[no-untyped-def]
    with core.session_factory() as db:
        return int(db.scalar(query) or 0)


def test_fifty_concurrent_starts_by_one_user_yield_exactly_three_sessions(core: Core) -> None:
    def start(i: int):  # type: ignore[no-untyped-def]
        conversation = ConversationRef("slack", "T1", "C1", "U-alice", thread=f"t{i}")
        return services.start_session(
            core.deps, conversation=conversation, role="backend", difficulty="medium"
        )

    results = race(50, start)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(results) - len(errors) == 3
    assert all(isinstance(e, QuotaExceeded) for e in errors), errors[:3]
    assert count(core, select(func.count()).select_from(SessionRow)) == 3
    assert services.quota_status(core.deps, user=ALICE.user_ref).used == 3


def test_quota_key_expires_at_the_day_boundary(core: Core) -> None:
    started = services.start_session(
        core.deps, conversation=ALICE, role="backend", difficulty="easy"
    )
    assert started.quota is not None
    day, resets_at = core.deps.rules.quota_window(datetime.now(UTC))
    ttl = core.redis.ttl(core.deps.quota.counter_key(ALICE.user_ref.key, day))  # type: ignore[attr-defined]
    expected = (resets_at - datetime.now(UTC)).total_seconds()
    assert abs(ttl - expected) <= 2
    assert started.quota.resets_at == resets_at


@pytest.mark.parametrize("same_delivery", [True, False], ids=["redelivery", "different-messages"])
def test_hundred_concurrent_submissions_give_one_llm_call_and_one_evaluation(
    core: Core, same_delivery: bool
) -> None:
    started = services.start_session(
        core.deps, conversation=ALICE, role="backend", difficulty="medium"
    )

    def submit(i: int):  # type: ignore[no-untyped-def]
        return services.answer_in_conversation(
            core.deps,
            conversation=ALICE,
            text="An index trades write speed and space for faster reads.",
            delivery_id="ev-1" if same_delivery else f"ev-{i}",
        )

    outcomes = race(100, submit, hold=core.deps.evaluator.gate)
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes[:3]
    assert core.deps.evaluator.calls == 1
    statuses = Counter(o.status for o in outcomes)
    assert set(statuses) <= {AnswerStatus.EVALUATED, AnswerStatus.IN_PROGRESS}
    evaluated = [o for o in outcomes if o.status is AnswerStatus.EVALUATED]
    assert evaluated and all(o.evaluation == evaluated[0].evaluation for o in evaluated)
    assert sum(not o.duplicate for o in outcomes) == 1  # exactly one caller renders a reply
    session_id = started.session.id
    assert count(core, select(func.count()).where(AttemptRow.session_id == session_id)) == 1
    assert count(core, select(func.count()).select_from(LlmCallRow)) == 1


def test_the_database_is_the_guard_when_a_lock_has_expired(core: Core) -> None:
    """Locks that grant everyone (as if each lock expired): still one stored evaluation."""

    class ExpiredLocks:
        def acquire(self, name: str, *, ttl_seconds: float) -> str:
            return "granted"

        def release(self, name: str, token: str) -> bool:
            return True

    services.start_session(core.deps, conversation=ALICE, role="backend", difficulty="hard")
    core.deps.locks = ExpiredLocks()
    first = services.answer_in_conversation(
        core.deps, conversation=ALICE, text="first answer text", delivery_id="a"
    )
    with core.deps.uow() as uow:
        session = uow.sessions.find_active(ALICE)
        assert session is not None
        interview = load_interview(uow, session.id, core.deps.rules)
    attempt = interview.attempt_at(1)
    assert attempt is not None
    # Put the evaluated attempt back to "failed" and race 20 evaluators over it, lock-free.
    with core.session_factory() as db, db.begin():  # as a failed attempt is: no tags either
        db.get(AttemptRow, attempt.id).status = AttemptStatus.FAILED.value  # type: ignore[union-attr]
        db.execute(delete(AttemptTagRow).where(AttemptTagRow.attempt_id == attempt.id))
    outcomes = race(20, lambda i: evaluate_attempt(core.deps, interview=interview, attempt=attempt))
    assert sum(not o.duplicate for o in outcomes) == 1  # the conditional UPDATE let one win
    assert first.status is AnswerStatus.EVALUATED


def test_same_answer_same_question_is_served_from_the_cache(core: Core) -> None:
    other = ConversationRef("slack", "T1", "C1", "U-alice", thread="th-2")
    a = services.start_session(core.deps, conversation=ALICE, role="backend", difficulty="easy")
    services.start_session(core.deps, conversation=other, role="backend", difficulty="easy")
    question = a.question.question.text
    # Make the second session ask the same bank question as the first.
    with core.deps.uow() as uow:
        session = uow.sessions.find_active(other)
    with core.session_factory() as db, db.begin():
        from core.adapters.sql.models import QuestionRow

        row = db.scalars(select(QuestionRow).where(QuestionRow.session_id == session.id)).one()  # type: ignore[union-attr]
        row.text = question
    services.answer_in_conversation(
        core.deps, conversation=ALICE, text="Same  Answer", delivery_id="1"
    )
    second = services.answer_in_conversation(
        core.deps, conversation=other, text="same answer", delivery_id="2"
    )
    assert second.attempt.cached and core.deps.evaluator.calls == 1
    stats = core.deps.cache.stats()
    assert (stats.hits, stats.misses) == (1, 1)


def test_link_code_redeemed_concurrently_links_exactly_once(core: Core) -> None:
    code = services.issue_link_code(core.deps, user=ALICE.user_ref).code
    import uuid

    accounts = [str(uuid.uuid4()) for _ in range(20)]
    from core.adapters.sql.models import WebUser

    with core.session_factory() as db, db.begin():
        for account in accounts:
            db.add(
                WebUser(id=uuid.UUID(account), email=f"{account}@example.com", hashed_password="x")
            )
    results = race(
        20, lambda i: services.redeem_link_code(core.deps, code=code, web_user_id=accounts[i])
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    assert len(wins) == 1
    assert all(isinstance(r, InvalidLinkCode) for r in results if isinstance(r, Exception))


def test_the_quota_script_admits_exactly_the_limit_under_contention(core: Core) -> None:
    """Straight at the store: 200 concurrent checks for one person, limit 3."""
    from datetime import timedelta

    quota = core.deps.quota
    expires = datetime.now(UTC) + timedelta(hours=1)
    results = race(200, lambda i: quota.try_consume(["acct"], day="d", limit=3, expires_at=expires))
    assert sum(r.allowed for r in results) == 3  # type: ignore[union-attr]
    assert quota.used(["acct"], day="d") == 3


def test_many_people_starting_at_once_each_get_exactly_their_quota(core: Core) -> None:
    people, tries = 8, 12

    def start(i: int):  # type: ignore[no-untyped-def]
        person = i // tries
        conversation = ConversationRef("slack", "T1", "C1", f"U-{person}", thread=f"t{i}")
        return services.start_session(
            core.deps, conversation=conversation, role="frontend", difficulty="easy"
        )

    results = race(people * tries, start)
    started = Counter(r.session.conversation.user for r in results if not isinstance(r, Exception))
    assert started == {f"U-{p}": 3 for p in range(people)}
    assert all(isinstance(r, QuotaExceeded) for r in results if isinstance(r, Exception))


def test_the_attempt_lock_lets_one_of_twenty_retries_call_the_llm(core: Core) -> None:
    """Twenty Retry clicks on one failed answer: the lock, not the database, keeps it to one call."""
    from core.domain import LlmUnavailable

    started = services.start_session(
        core.deps, conversation=ALICE, role="backend", difficulty="medium"
    )
    evaluator = core.deps.evaluator
    evaluator.fail_with = LlmUnavailable("busy", kind="server")
    failed = services.answer_in_conversation(
        core.deps, conversation=ALICE, text="an answer worth retrying", delivery_id="m1"
    )
    assert failed.status is AnswerStatus.FAILED
    evaluator.fail_with = None
    calls_before = evaluator.calls
    outcomes = race(
        20,
        lambda i: services.retry_evaluation(
            core.deps, session_id=started.session.id, position=1, actor=ALICE.user_ref
        ),
        hold=evaluator.gate,
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes[:3]
    assert evaluator.calls - calls_before == 1
    assert sum(not o.duplicate for o in outcomes) == 1
