"""An interview read in one statement (core.adapters.sql.read_ahead) is the interview read row
by row: the session, every question (main, follow-up, skipped, unanswered) and every answer;
and a write in between is never hidden by what was read ahead."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from core import services
from core.bootstrap import Core
from core.domain.interview import Interview
from core.domain.model import AttemptStatus
from core.services.common import interview_of_session, load_interview
from tests.integration.wiring import slack, start, wire

ANN = slack("U-ahead", "t-ahead")


@pytest.fixture
def core(backend) -> Iterator[Core]:  # type: ignore[no-untyped-def]
    built = wire(backend.database_url, backend.redis_url)
    yield built
    built.close()


def _row_by_row(core: Core, session_id: int) -> Interview:
    """The interview as single-row reads see it (no joined read anywhere)."""
    with core.deps.uow() as uow:
        session = uow.sessions.get(session_id)
        assert session is not None
        questions, position = [], 1
        while (asked := uow.questions.get(session_id, position)) is not None:
            questions.append(asked)
            position += 1
        attempts = {
            q.position: a
            for q in questions
            if (a := uow.attempts.at_position(session_id, q.position)) is not None
        }
    return Interview(
        session, tuple(questions), attempts, core.deps.rules.max_follow_ups_per_question
    )


def _an_interview_of_every_kind_of_row(core: Core) -> int:
    """Answered and evaluated, followed up, skipped, and the current question unanswered."""
    session_id = start(core, ANN, questions=4).session.id
    user = ANN.user_ref
    services.answer_in_conversation(
        core.deps, conversation=ANN, text="Indexes speed reads.", delivery_id="a1"
    )
    services.go_deeper(core.deps, session_id=session_id, position=1, actor=user)
    services.skip_question(
        core.deps, session_id=session_id, position=2, actor=user, delivery_id="s2"
    )
    return session_id


def test_the_locked_read_and_the_plain_read_are_the_interview_row_by_row(core: Core) -> None:
    session_id = _an_interview_of_every_kind_of_row(core)
    expected = _row_by_row(core, session_id)
    assert [q.kind.value for q in expected.questions] == ["main", "follow_up", "main"]
    assert [a.status for a in expected.attempts.values()] == [
        AttemptStatus.EVALUATED,
        AttemptStatus.SKIPPED,
    ]
    for lock in (True, False):
        with core.deps.uow() as uow:
            assert load_interview(uow, session_id, core.deps.rules, lock=lock) == expected
    with core.deps.uow() as uow:  # an answer's read: the conversation's active session, locked
        found = uow.sessions.find_active(ANN, for_update=True)
        assert found is not None
        assert interview_of_session(uow, found, core.deps.rules) == expected


def test_a_write_after_the_read_is_seen_by_the_next_read(core: Core) -> None:
    session_id = start(core, ANN, questions=3).session.id
    with core.deps.uow() as uow:
        assert uow.sessions.get(session_id, for_update=True) is not None  # reads ahead
        uow.attempts.add(
            session_id=session_id,
            position=1,
            delivery_id="late",
            answer="written after the read",
            status=AttemptStatus.PENDING,
            created_at=datetime.now(UTC),
        )
        assert [a.delivery_id for a in uow.attempts.in_session(session_id)] == ["late"]
        uow.commit()


def test_what_was_read_ahead_ends_with_the_transaction(core: Core) -> None:
    session_id = start(core, ANN, questions=3).session.id
    with core.deps.uow() as uow:
        assert uow.sessions.get(session_id, for_update=True) is not None  # reads ahead
        uow.rollback()
        with core.deps.uow() as other:  # someone answers once the lock is released
            other.attempts.add(
                session_id=session_id,
                position=1,
                delivery_id="other",
                answer="theirs",
                status=AttemptStatus.PENDING,
                created_at=datetime.now(UTC),
            )
            other.commit()
        assert [a.delivery_id for a in uow.attempts.in_session(session_id)] == ["other"]
