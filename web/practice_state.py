"""Where a browser interview stands, read from its transcript: what the page shows next."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from core.domain.history import SessionDetail
from core.domain.model import AskedQuestion, Attempt, AttemptStatus, ConversationRef, QuestionKind
from core.domain.results import QuestionAsked
from core.services.deps import Rules
from web.dependencies import Viewer

_DELIVERY = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class Step(StrEnum):
    ANSWER = "answer"  # the current question waits for an answer
    EVALUATED = "evaluated"  # the answer is scored: Next, Go deeper or End
    FAILED = "failed"  # the evaluation failed; the answer is saved: Retry
    PENDING = "pending"  # someone (another tab) is evaluating it right now


@dataclass(frozen=True, slots=True)
class PracticeState:
    detail: SessionDetail
    current: AskedQuestion
    attempt: Attempt | None
    step: Step
    label: str
    has_next: bool
    can_go_deeper: bool
    earlier: list[tuple[AskedQuestion, Attempt | None]]


def is_own_practice(detail: SessionDetail, viewer: Viewer) -> bool:
    """A browser interview of this account (linked chat sessions are reviewed, not continued)."""
    conversation = detail.session.conversation
    return conversation.platform == "web" and conversation.user == viewer.id


def practice_state(detail: SessionDetail, rules: Rules) -> PracticeState:
    current, attempt = detail.entries[-1]
    status = attempt.status if attempt else None
    step = {
        None: Step.ANSWER,
        AttemptStatus.EVALUATED: Step.EVALUATED,
        AttemptStatus.FAILED: Step.FAILED,
    }.get(status, Step.PENDING)
    follow_ups = sum(
        q.kind is QuestionKind.FOLLOW_UP and q.main_index == current.main_index
        for q, _ in detail.entries
    )
    return PracticeState(
        detail=detail,
        current=current,
        attempt=attempt,
        step=step,
        label=QuestionAsked(detail.session, current).label,
        has_next=current.main_index < detail.session.question_count,
        can_go_deeper=step is Step.EVALUATED and follow_ups < rules.max_follow_ups_per_question,
        earlier=detail.entries[:-1],
    )


def new_delivery_id() -> str:
    """One per rendered form: submitting it twice is recognised as the same answer."""
    return uuid.uuid4().hex


def delivery_id(submitted: str) -> str:
    return f"web-{submitted}" if _DELIVERY.match(submitted) else f"web-{new_delivery_id()}"


def conversation_for(viewer: Viewer, request_id: str) -> ConversationRef:
    """Each browser interview is its own thread, named after the id of the form that started it:
    sending the same start form twice finds the interview it already started."""
    return ConversationRef("web", "web", "browser", viewer.id, thread=delivery_id(request_id))
