"""Browser interviews: starting one (idempotent per form) and what the page offers next.

Every rule — the step a question is at, its label, whether another question follows, whether a
follow-up or a hint is left — is the core's Interview aggregate's; this module only says which
button renders which step.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi import Request

from core import services
from core.domain.banks import BUILTIN_BANK
from core.domain.errors import InterviewError, NotYourSession
from core.domain.interview import Interview, Step
from core.domain.model import ConversationRef, Platform
from core.domain.results import AnswerOutcome, AnswerStatus, QuotaStatus
from core.domain.roles import Difficulty
from core.services.deps import Deps
from web.auth_config import resources_of
from web.background import EvaluationJob
from web.dependencies import Viewer

CLIENT_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"  # request and delivery ids a client may choose
_CLIENT_ID = re.compile(CLIENT_ID_PATTERN)


class Action(StrEnum):
    """A button on the practice page, and the endpoint `/practice/{id}/{action}` it posts to."""

    ANSWER = "answer"
    HINT = "hint"
    SKIP = "skip"
    RETRY = "retry"
    NEXT = "next"
    DEEPER = "deeper"
    END = "end"


# The buttons each step of the current question shows; Hint and Go deeper are added when the
# aggregate says one is left (hints_left, can_go_deeper).
_BUTTONS: dict[Step, tuple[Action, ...]] = {
    Step.ANSWER: (Action.ANSWER, Action.SKIP),
    Step.EVALUATING: (),  # the page refreshes until the evaluation is in
    Step.EVALUATED: (Action.NEXT,),
    Step.FAILED: (Action.RETRY,),
    Step.SKIPPED: (Action.NEXT,),
    Step.FINISHED: (),
}


def actions(interview: Interview) -> list[Action]:
    """What the candidate may do now on the current question, as the page and the API offer it."""
    if not interview.session.is_active:
        return []
    position, step = interview.current.position, interview.step
    offered = list(_BUTTONS[step])
    if step is Step.ANSWER and interview.hints_left(position):
        offered.append(Action.HINT)
    if interview.can_go_deeper(position):
        offered.append(Action.DEEPER)
    return [*offered, Action.END]


def is_own_practice(interview: Interview, viewer: Viewer) -> bool:
    """A browser interview of this account (linked chat sessions are reviewed, not continued)."""
    conversation = interview.session.conversation
    return conversation.platform == Platform.WEB and conversation.user == viewer.id


@dataclass(frozen=True, slots=True)
class PracticeStart:
    interview: Interview
    quota: QuotaStatus | None  # None when the request repeated a start: nothing was counted


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
    return ConversationRef(Platform.WEB, "web", "browser", viewer.id, thread=f"web-{digest}")


def bank_choice(deps: Deps, viewer: Viewer, name: str) -> dict[str, Any]:
    """The practice form's question banks — the global ones and those of the workspaces and
    servers of the account's linked chat identities — and the roles and levels of the one
    chosen (the built-in bank has them all); an unknown bank is said and the built-in offered."""
    where = {"platform": viewer.ref.platform, "tenant": viewer.ref.tenant, "user": viewer.id}
    banks = [b.name for b in services.list_banks(deps, **where)]
    choice: dict[str, Any] = {"banks": banks, "bank": ""}
    if not name or name == BUILTIN_BANK:
        return choice
    try:
        info = services.bank_in_use(deps, name=name, **where)
    except InterviewError as error:
        return choice | {"bank_error": error.message}
    if info is None:
        return choice
    return choice | {
        "bank": info.name,
        "roles": [(r.value, r.label) for r in info.roles],
        "difficulties": [(d.value, d.label) for d in info.difficulties],
        "default_difficulty": (
            Difficulty.DEFAULT if Difficulty.DEFAULT in info.difficulties else info.difficulties[0]
        ).value,
    }


def start_practice(
    deps: Deps,
    viewer: Viewer,
    *,
    request_id: str,
    role: str,
    difficulty: str | None,
    questions: int | None,
    adaptive: bool = False,
    bank: str | None = None,
) -> PracticeStart:
    """Start the interview this request names (one quota unit), or return the one it started.

    The core's start_session recognises a repeat within its claim window; an interview that is
    still going is found by its thread for as long as it lasts."""
    conversation = conversation_for(viewer, request_id)
    existing = services.find_session(deps, conversation=conversation)
    quota = None
    if existing is None:
        started = services.start_session(
            deps,
            conversation=conversation,
            role=role,
            difficulty=difficulty,
            questions=questions,
            adaptive=adaptive,
            bank=bank,
        )
        existing, quota = started.session, None if started.duplicate else started.quota
    interview = services.interview_for(deps, scope=viewer.scope, session_id=existing.id)
    if interview is None:  # not expected: the thread is named after this account
        raise NotYourSession()
    return PracticeStart(interview, quota)


def answer_now_evaluate_later(
    request: Request,
    deps: Deps,
    viewer: Viewer,
    *,
    session_id: int,
    text: str,
    delivery: str,
    position: int,
) -> AnswerOutcome:
    """Store the answer and return at once; the evaluation runs after the response."""
    outcome = services.accept_answer(
        deps,
        session_id=session_id,
        actor=viewer.ref,
        text=text,
        delivery_id=delivery_id(delivery),
        position=position,
    )
    _evaluate_later(request, deps, viewer, session_id, outcome)
    return outcome


def retry_later(
    request: Request, deps: Deps, viewer: Viewer, *, session_id: int, position: int
) -> AnswerOutcome:
    """Retry a failed evaluation after the response (the answer shows as being evaluated)."""
    outcome = services.requeue_for_retry(
        deps, session_id=session_id, position=position, actor=viewer.ref
    )
    _evaluate_later(request, deps, viewer, session_id, outcome)
    return outcome


def _evaluate_later(
    request: Request, deps: Deps, viewer: Viewer, session_id: int, outcome: AnswerOutcome
) -> None:
    # Pending, whether just stored or sent again: a second job for the same answer waits on
    # its lock and stores nothing twice, and it revives an answer whose worker was lost.
    if outcome.status is not AnswerStatus.IN_PROGRESS:
        return
    job = EvaluationJob(session_id, outcome.attempt.position, viewer.id)
    resources_of(request).evaluations.schedule(deps, job, request.scope.get("aws.context"))
