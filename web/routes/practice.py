"""Practice in the browser: the same core use cases, quota and history as the chat surfaces.

Every form names the question it acts on (position) and carries a fresh delivery id, so a double
submit or a reload finds its work done. Successful posts redirect (POST/redirect/GET).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core import services
from core.domain.errors import InterviewError, NoActiveSession, NotYourSession, QuotaExceeded
from core.domain.results import HintGiven
from core.services.deps import Deps
from web import views
from web.csrf import require_csrf
from web.dependencies import DepsDep, PageViewer, Viewer
from web.errors import status_for
from web.params import (
    SHORT_TEXT,
    AnswerForm,
    ClientIdForm,
    FormPosition,
    OptionalFormPosition,
    SessionId,
    ShortQuery,
)
from web.practice_state import (
    actions,
    answer_now_evaluate_later,
    bank_choice,
    delivery_id,
    is_own_practice,
    new_delivery_id,
    retry_later,
    start_practice,
)
from web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)

Text = Annotated[str, Form(max_length=SHORT_TEXT)]
POLL_SECONDS = 2  # how often a page whose answer is being evaluated asks how it stands


def _start_page(
    request: Request, viewer: Viewer, deps: Deps, bank: str = "", **extra: Any
) -> Response:
    quota = services.quota_status(deps, user=viewer.ref)
    context = {
        **bank_choice(deps, viewer, bank),
        "quota": quota,
        # None while sessions are left; else the core's refusal, with the reset time
        "quota_refusal": None
        if quota.remaining
        else QuotaExceeded(quota.limit, quota.resets_at).message,
        "active": views.active_practice(deps, viewer),
        "request_id": new_delivery_id(),
        "default_questions": deps.rules.questions_per_session,
        "max_questions": deps.rules.max_questions_per_session,
        **extra,
    }
    return render(request, "practice/start.html", context, status_code=extra.get("status", 200))


@router.get("/practice")
def start_form(
    request: Request, viewer: PageViewer, deps: DepsDep, bank: ShortQuery = ""
) -> Response:
    return _start_page(request, viewer, deps, bank=bank)


@router.post("/practice")
def start(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    role: Text,
    request_id: ClientIdForm,
    difficulty: Text = "",
    questions: Annotated[int | None, Form(ge=1, le=50)] = None,
    adaptive: Annotated[bool, Form()] = False,
    bank: Text = "",
) -> Response:
    try:  # the same start form sent twice: one interview, counted once
        started = start_practice(
            deps,
            viewer,
            request_id=request_id,
            role=role,
            difficulty=difficulty or None,  # none chosen: the core's default level
            questions=questions,
            adaptive=adaptive,
            bank=bank or None,  # none chosen: the built-in bank
        )
    except InterviewError as exc:
        chosen = {
            "role": role,
            "difficulty": difficulty,
            "questions": questions,
            "adaptive": adaptive,
        }
        return _start_page(
            request,
            viewer,
            deps,
            bank,
            error=exc.message,
            chosen=chosen,
            status=status_for(exc),
        )
    return RedirectResponse(f"/practice/{started.interview.session.id}", status_code=303)


def practice_page(
    request: Request, viewer: Viewer, deps: Deps, session_id: int, **extra: Any
) -> Response:
    """The interview as the core's aggregate says it stands, or its summary once it is over."""
    interview = services.interview_for(deps, scope=viewer.scope, session_id=session_id)
    if interview is None:
        raise HTTPException(404)
    if not is_own_practice(interview, viewer):
        return RedirectResponse(f"/sessions/{session_id}", status_code=303)
    status_code = extra.pop("status", 200)
    if not interview.session.is_active:
        summary = services.summarize(deps, session_id=session_id)
        return render(
            request, "practice/summary.html", {"summary": summary}, status_code=status_code
        )
    context = {
        "interview": interview,
        "actions": actions(interview),
        "delivery": new_delivery_id(),
        "poll_seconds": POLL_SECONDS,
        **extra,
    }
    return render(request, "practice/interview.html", context, status_code=status_code)


@router.get("/practice/{session_id}")
def interview(
    request: Request, session_id: SessionId, viewer: PageViewer, deps: DepsDep
) -> Response:
    return practice_page(request, viewer, deps, session_id)


def _act(
    request: Request,
    viewer: Viewer,
    deps: Deps,
    session_id: int,
    action: Callable[[], Any],
    **keep: Any,
) -> Response:
    """Run one interview action; on a user error show the page again with the message.

    `keep` goes back into the page (the answer being typed survives a hint or an error)."""
    try:
        result = action()
    except (NotYourSession, NoActiveSession):
        raise HTTPException(404) from None
    except InterviewError as exc:
        return practice_page(
            request, viewer, deps, session_id, error=exc.message, status=status_for(exc), **keep
        )
    if isinstance(result, HintGiven):  # shown on the page itself: the hint text is not stored
        return practice_page(request, viewer, deps, session_id, hint=result.hint, **keep)
    return RedirectResponse(f"/practice/{session_id}#current", status_code=303)


@router.post("/practice/{session_id}/answer")
def answer(
    request: Request,
    session_id: SessionId,
    viewer: PageViewer,
    deps: DepsDep,
    position: FormPosition,
    delivery: ClientIdForm,
    text: AnswerForm = "",
) -> Response:
    """Store the answer and show the page at once: it follows the evaluation by itself."""

    def submit() -> Any:
        return answer_now_evaluate_later(
            request,
            deps,
            viewer,
            session_id=session_id,
            text=text,
            delivery=delivery,
            position=position,
        )

    return _act(request, viewer, deps, session_id, submit, draft=text)


@router.post("/practice/{session_id}/{action}")
def step(
    request: Request,
    session_id: SessionId,
    action: Annotated[str, Path(max_length=SHORT_TEXT)],
    viewer: PageViewer,
    deps: DepsDep,
    position: OptionalFormPosition = 0,
    delivery: ClientIdForm = "",
    text: AnswerForm = "",
) -> Response:
    """Next, Go deeper, Hint, Skip, Retry and End: buttons that name the question they act on."""
    sid, actor = session_id, viewer.ref
    actions: dict[str, Callable[[], Any]] = {
        "next": lambda: services.next_question(
            deps, session_id=sid, after_position=position, actor=actor
        ),
        "deeper": lambda: services.go_deeper(deps, session_id=sid, position=position, actor=actor),
        "hint": lambda: services.give_hint(deps, session_id=sid, position=position, actor=actor),
        "skip": lambda: services.skip_question(
            deps, session_id=sid, position=position, actor=actor, delivery_id=delivery_id(delivery)
        ),
        "retry": lambda: retry_later(request, deps, viewer, session_id=sid, position=position),
        "end": lambda: services.end_session(deps, session_id=sid, actor=actor),
    }
    if action not in actions:
        raise HTTPException(404)
    return _act(request, viewer, deps, session_id, actions[action], draft=text)
