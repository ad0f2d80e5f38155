"""Linking chat identities (Slack, Discord, terminal) to the account with a one-time code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from core import services
from core.domain.errors import InterviewError, InvalidLinkCode
from core.services.deps import Deps
from web import throttle
from web.csrf import require_csrf
from web.dependencies import DepsDep, PageViewer, Viewer
from web.errors import status_for
from web.params import CODE_TEXT, IdentityId
from web.templating import render

router = APIRouter(dependencies=[Depends(require_csrf)], include_in_schema=False)


def _link_page(
    request: Request, viewer: Viewer, deps: Deps, error: InterviewError | None = None, **extra: Any
) -> Response:
    linked = services.linked_identities(deps, web_user_id=viewer.id)
    status_code = status_for(error) if error else 200
    context = {
        "linked": linked,
        "minutes": deps.rules.link_code_minutes,
        "error": error.message if error else None,
        **extra,
    }
    return render(request, "link.html", context, status_code=status_code)


@router.get("/link")
def link_page(request: Request, viewer: PageViewer, deps: DepsDep) -> Response:
    return _link_page(request, viewer, deps)


@router.post("/link")
def link(
    request: Request,
    viewer: PageViewer,
    deps: DepsDep,
    code: Annotated[str, Form(max_length=CODE_TEXT)] = "",
) -> Response:
    try:
        throttle.redeem_link_code(deps, code=code, web_user_id=viewer.id)
    except (InvalidLinkCode, throttle.TooManyAttempts) as exc:
        return _link_page(request, viewer, deps, error=exc, code=code)
    return RedirectResponse("/link?notice=linked", status_code=303)


@router.post("/link/{identity_id}/unlink")
def unlink(identity_id: IdentityId, viewer: PageViewer, deps: DepsDep) -> Response:
    if not services.unlink_identity(deps, web_user_id=viewer.id, identity_id=identity_id):
        raise HTTPException(404)
    return RedirectResponse("/link?notice=unlinked", status_code=303)
