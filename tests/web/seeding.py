"""History made through the core's own use cases, for web tests, browser tests and screenshots."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from core import services
from core.domain.model import ConversationRef, Question, UserRef
from core.domain.results import SessionSummary
from core.services.deps import Deps
from tests.fakes import FakeClock


def answer_for(question: Question, quality: float) -> str:
    """An answer covering roughly `quality` of the reference answer (the offline scorer agrees)."""
    words = question.reference_answer.split()
    keep = max(3, int(len(words) * quality))
    return " ".join(words[:keep])


def play_session(
    deps: Deps,
    user: UserRef,
    *,
    role: str = "backend",
    difficulty: str = "medium",
    questions: int = 2,
    quality: float = 0.8,
    at: datetime | None = None,
    channel: str = "C-practice",
) -> int:
    """Run a whole interview for `user` (optionally at a past moment) and return its session id."""
    if at is not None:
        deps = replace(deps, clock=FakeClock(at))
    conversation = ConversationRef(
        user.platform, user.tenant, channel, user.user, thread=f"t-{uuid.uuid4().hex[:10]}"
    )
    asked = services.start_session(
        deps, conversation=conversation, role=role, difficulty=difficulty, questions=questions
    )
    session_id = asked.session.id
    while True:
        services.submit_answer(
            deps,
            session_id=session_id,
            actor=user,
            text=answer_for(asked.question.question, quality),
            delivery_id=uuid.uuid4().hex,
        )
        step = services.next_question(
            deps, session_id=session_id, after_position=asked.question.position, actor=user
        )
        if isinstance(step, SessionSummary):
            return session_id
        asked = step


def past(days: float, now: datetime | None = None) -> datetime:
    return (now or datetime.now(UTC)) - timedelta(days=days)
