"""The learning loop in the browser: the progress page and the Review button."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core import services
from core.domain.errors import InterviewError
from web.csrf import require_csrf
from web.dependencies import DepsDep, PageViewer
from web.errors import status_for
from web.practice_state import conversation_for, new_delivery_id
from web.progress import build_progress
from web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


@router.get("/progress")
def progress_page(request: Request, viewer: PageViewer, deps: DepsDep) -> Response:
    progress = build_progress(deps, viewer)
    context = {"progress": progress, "request_id": new_delivery_id()}
    return render(request, "progress.html", context)


@router.post("/progress/review")
def start_review(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    request_id: Annotated[str, Form()],
) -> Response:
    """A practice interview of the due items (the same form sent twice: one interview)."""
    conversation = conversation_for(viewer, request_id)
    existing = services.find_session(deps, conversation=conversation)
    if existing is None:
        try:
            existing = services.start_review(deps, conversation=conversation).session
        except InterviewError as exc:  # nothing due (and when), or the quota
            context = {
                "progress": build_progress(deps, viewer),
                "request_id": new_delivery_id(),
                "error": exc.message,
            }
            return render(request, "progress.html", context, status_code=status_for(exc))
    return RedirectResponse(f"/practice/{existing.id}", status_code=303)
