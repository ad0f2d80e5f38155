"""Interviews over the JSON API: the same use cases as the browser pages and the chat bots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException

from core import services
from web.csrf import require_csrf_with_cookie
from web.dependencies import ApiViewer, DepsDep
from web.practice_schemas import (
    AnswerIn,
    HintOut,
    OutcomeOut,
    PositionIn,
    PracticeOut,
    SkipIn,
    StartIn,
    StepOut,
)
from web.practice_state import (
    actions,
    delivery_id,
    is_own_practice,
    new_delivery_id,
    start_practice,
)

router = APIRouter(
    prefix="/api/practice", tags=["practice"], dependencies=[Depends(require_csrf_with_cookie)]
)
ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such interview of yours"},
    409: {"description": "Not allowed now: already answered, finished, moved on, being evaluated"},
    422: {"description": "The input cannot be used: empty or too long answer, unknown role"},
    429: {"description": "A limit: the daily quota (resets_at says when), follow-ups, hints"},
    503: {"description": "A backing service or the model is unavailable; try again"},
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
    return StepOut.of_start(started)


@router.get("/{session_id}", responses=ERRORS)
def state(session_id: int, viewer: ApiViewer, deps: DepsDep) -> PracticeOut:
    """Where the interview stands, to resume it: the current question, its step and label, and
    which actions may be posted now (with the summary once it is over). A linked chat
    interview is shown too, with no actions: it continues in its chat."""
    interview = services.interview_for(deps, scope=viewer.scope, session_id=session_id)
    if interview is None:
        raise HTTPException(404, "Not found.")
    summary = None
    if not interview.session.is_active:
        summary = services.summarize(deps, session_id=session_id)
    offered = actions(interview) if is_own_practice(interview, viewer) else []
    return PracticeOut.of(interview, offered=offered, summary=summary)


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
