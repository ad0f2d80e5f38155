"""Interviews over the JSON API: the same use cases as the browser pages and the chat bots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends

from core import services
from web.csrf import require_csrf_with_cookie
from web.dependencies import ApiViewer, DepsDep
from web.practice_state import delivery_id, new_delivery_id, start_practice
from web.schemas import AnswerIn, HintOut, OutcomeOut, PositionIn, SkipIn, StartIn, StepOut

router = APIRouter(
    prefix="/api/practice", tags=["practice"], dependencies=[Depends(require_csrf_with_cookie)]
)
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such interview of yours"},
    409: {"description": "Already answered, finished, or being evaluated"},
    429: {"description": "Daily quota used up (resets_at says when it resets)"},
}


@router.post("", status_code=201, responses=ERRORS)
def start(body: StartIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """Start an interview (counts against today's quota) and get its first question; the same
    `request_id` again returns the interview it started, with its current question."""
    started = start_practice(
        deps,
        viewer,
        request_id=body.request_id or new_delivery_id(),
        role=body.role,
        difficulty=body.difficulty,
        questions=body.questions,
    )
    return StepOut.of(started)


@router.post("/{session_id}/answer", responses=ERRORS)
def answer(session_id: int, body: AnswerIn, viewer: ApiViewer, deps: DepsDep) -> OutcomeOut:
    """Answer the question at `position`; sending the same delivery_id again is harmless."""
    outcome = services.submit_answer(
        deps,
        session_id=session_id,
        actor=viewer.ref,
        text=body.text,
        delivery_id=delivery_id(body.delivery_id),
        position=body.position,
    )
    return OutcomeOut.of(outcome)


@router.post("/{session_id}/retry", responses=ERRORS)
def retry(session_id: int, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> OutcomeOut:
    """Evaluate a saved answer again after a failed evaluation."""
    outcome = services.retry_evaluation(
        deps, session_id=session_id, position=body.position, actor=viewer.ref
    )
    return OutcomeOut.of(outcome)


@router.post("/{session_id}/next", responses=ERRORS)
def next_question(session_id: int, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """The next main question after `position`, or the summary after the last one."""
    result = services.next_question(
        deps, session_id=session_id, after_position=body.position, actor=viewer.ref
    )
    return StepOut.of(result)


@router.post("/{session_id}/deeper", responses=ERRORS)
def go_deeper(session_id: int, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """A follow-up question built from the gaps of the answer at `position`."""
    result = services.go_deeper(
        deps, session_id=session_id, position=body.position, actor=viewer.ref
    )
    return StepOut.of(result)


@router.post("/{session_id}/hint", responses=ERRORS)
def hint(session_id: int, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> HintOut:
    given = services.give_hint(
        deps, session_id=session_id, position=body.position, actor=viewer.ref
    )
    return HintOut.of(given)


@router.post("/{session_id}/skip", responses=ERRORS)
def skip(session_id: int, body: SkipIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    result = services.skip_question(
        deps,
        session_id=session_id,
        position=body.position,
        actor=viewer.ref,
        delivery_id=delivery_id(body.delivery_id),
    )
    return StepOut.of(result)


@router.post("/{session_id}/end", responses=ERRORS)
def end(session_id: int, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """End the interview now; the summary covers what was answered."""
    return StepOut.of(services.end_session(deps, session_id=session_id, actor=viewer.ref))
