"""Where a browser interview stands, read from its transcript: what the page shows next."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum

from core import services
from core.domain.errors import NotYourSession
from core.domain.history import SessionDetail
from core.domain.model import AskedQuestion, Attempt, AttemptStatus, ConversationRef, QuestionKind
from core.domain.results import QuestionAsked
from core.services.deps import Deps, Rules
from web.dependencies import Viewer

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"  # request and delivery ids a client may choose
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


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
    return f"web-{submitted}" if _CLIENT_ID.match(submitted) else f"web-{new_delivery_id()}"


def conversation_for(viewer: Viewer, request_id: str) -> ConversationRef:
    """Each browser interview is its own thread, named after the account and the id of the form
    (or API request) that started it: sending it twice finds the interview it already started,
    and two accounts that happen to choose the same id never meet. The digest also keeps the
    thread within its column (64 characters) whatever the id's length."""
    key = request_id if _CLIENT_ID.match(request_id) else new_delivery_id()
    digest = hashlib.sha256(f"{viewer.id}:{key}".encode()).hexdigest()[:32]
    return ConversationRef("web", "web", "browser", viewer.id, thread=f"web-{digest}")


def start_practice(
    deps: Deps,
    viewer: Viewer,
    *,
    request_id: str,
    role: str,
    difficulty: str,
    questions: int | None,
) -> QuestionAsked:
    """Start the interview this request names (one quota unit), or return the one it started."""
    conversation = conversation_for(viewer, request_id)
    existing = services.find_session(deps, conversation=conversation)
    if existing is None:
        return services.start_session(
            deps, conversation=conversation, role=role, difficulty=difficulty, questions=questions
        )
    detail = services.session_detail(deps, scope=viewer.scope, session_id=existing.id)
    if detail is None:  # not expected: the thread is named after this account
        raise NotYourSession()
    return QuestionAsked(existing, detail.entries[-1][0], duplicate=True)
