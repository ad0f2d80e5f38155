"""Interviews over the JSON API: the same use cases as the browser pages and the chat bots."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response

from core import services
from core.domain.results import AnswerOutcome
from web.csrf import require_csrf_with_cookie
from web.dependencies import ApiViewer, DepsDep
from web.params import SessionId
from web.practice_schemas import (
    AcceptedOut,
    AnswerIn,
    BankOut,
    HintOut,
    PositionIn,
    PracticeOut,
    SkipIn,
    StartIn,
    StepOut,
)
from web.practice_state import (
    actions,
    answer_now_evaluate_later,
    delivery_id,
    is_own_practice,
    new_delivery_id,
    retry_later,
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
        bank=body.bank,
    )
    return StepOut.of_start(started)


@router.get("/banks")
def banks(viewer: ApiViewer, deps: DepsDep) -> list[BankOut]:
    """The imported question banks this account may start an interview on: the global ones and
    those of the Slack workspaces and Discord servers of its linked chat identities (the
    built-in bank, `builtin`, is always there and not listed)."""
    here = viewer.ref
    usable = services.list_banks(deps, platform=here.platform, tenant=here.tenant, user=viewer.id)
    return [BankOut.of(bank) for bank in usable]


@router.get("/{session_id}", responses=ERRORS)
def state(session_id: SessionId, viewer: ApiViewer, deps: DepsDep) -> PracticeOut:
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


@router.post("/{session_id}/answer", status_code=202, responses=ERRORS)
def answer(
    request: Request,
    response: Response,
    session_id: SessionId,
    body: AnswerIn,
    viewer: ApiViewer,
    deps: DepsDep,
) -> AcceptedOut:
    """Store the answer to the question at `position` and return at once (202); it is evaluated
    in the background. Poll `status_url` (`GET /api/practice/{id}`) until the question's `step`
    is no longer `evaluating`. Sending the same delivery_id again is harmless."""
    outcome = answer_now_evaluate_later(
        request,
        deps,
        viewer,
        session_id=session_id,
        text=body.text,
        delivery=body.delivery_id,
        position=body.position,
    )
    return _accepted(response, session_id, outcome)


@router.post("/{session_id}/retry", status_code=202, responses=ERRORS)
def retry(
    request: Request,
    response: Response,
    session_id: SessionId,
    body: PositionIn,
    viewer: ApiViewer,
    deps: DepsDep,
) -> AcceptedOut:
    """Evaluate a saved answer again after a failed evaluation, in the background (202, as
    for an answer)."""
    outcome = retry_later(request, deps, viewer, session_id=session_id, position=body.position)
    return _accepted(response, session_id, outcome)


def _accepted(response: Response, session_id: int, outcome: AnswerOutcome) -> AcceptedOut:
    status_url = f"{router.prefix}/{session_id}"
    response.headers["Location"] = status_url
    return AcceptedOut.of_accepted(outcome, status_url=status_url)


@router.post("/{session_id}/next", responses=ERRORS)
def next_question(
    session_id: SessionId, body: PositionIn, viewer: ApiViewer, deps: DepsDep
) -> StepOut:
    """The next main question after `position`, or the summary after the last one."""
    result = services.next_question(
        deps, session_id=session_id, after_position=body.position, actor=viewer.ref
    )
    return StepOut.of(result)


@router.post("/{session_id}/deeper", responses=ERRORS)
def go_deeper(session_id: SessionId, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """A follow-up question built from the gaps of the answer at `position`."""
    result = services.go_deeper(
        deps, session_id=session_id, position=body.position, actor=viewer.ref
    )
    return StepOut.of(result)


@router.post("/{session_id}/hint", responses=ERRORS)
def hint(session_id: SessionId, body: PositionIn, viewer: ApiViewer, deps: DepsDep) -> HintOut:
    given = services.give_hint(
        deps, session_id=session_id, position=body.position, actor=viewer.ref
    )
    return HintOut.of(given)


@router.post("/{session_id}/skip", responses=ERRORS)
def skip(session_id: SessionId, body: SkipIn, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    result = services.skip_question(
        deps,
        session_id=session_id,
        position=body.position,
        actor=viewer.ref,
        delivery_id=delivery_id(body.delivery_id),
    )
    return StepOut.of(result)


@router.post("/{session_id}/end", responses=ERRORS)
def end(session_id: SessionId, viewer: ApiViewer, deps: DepsDep) -> StepOut:
    """End the interview now; the summary covers what was answered."""
    return StepOut.of(services.end_session(deps, session_id=session_id, actor=viewer.ref))
