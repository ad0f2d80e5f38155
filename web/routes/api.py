"""The JSON API under /api: history, analytics, linked identities and data deletion."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from core import services
from core.domain.model import Platform
from core.domain.roles import Difficulty, Role
from web import throttle, views
from web.csrf import require_csrf_with_cookie
from web.dependencies import ApiViewer, DepsDep, Superuser
from web.params import WORKSPACE_TEXT, Day, IdentityId, Page, PerPage, SessionId
from web.schemas import (
    AnalyticsOut,
    DashboardOut,
    DeletedOut,
    ErrorOut,
    IdentityOut,
    LinkIn,
    QuotaOut,
    SessionDetailOut,
    SessionItemOut,
    SessionOut,
    SessionPageOut,
)

router = APIRouter(prefix="/api", dependencies=[Depends(require_csrf_with_cookie)])

Days = Annotated[int, Query(ge=1, le=365, description="Look back this many days")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such session in your history"}
}


@router.get("/dashboard", tags=["history"])
def dashboard(viewer: ApiViewer, deps: DepsDep) -> DashboardOut:
    """This week's sessions, average score, today's quota, practice streak and recent sessions."""
    board = views.build_dashboard(deps, viewer)
    return DashboardOut(
        sessions_this_week=board.sessions_this_week,
        total_sessions=board.total_sessions,
        average_score=board.average_score,
        streak_days=board.streak_days,
        quota=QuotaOut.of(board.quota),
        recent=[SessionItemOut.of_item(item) for item in board.recent],
        active_practice=SessionOut.of(board.active_practice) if board.active_practice else None,
        linked=[IdentityOut.of(i) for i in board.linked],
    )


@router.get("/sessions", tags=["history"])
def list_sessions(
    viewer: ApiViewer,
    deps: DepsDep,
    role: Role | None = None,
    difficulty: Difficulty | None = None,
    platform: Platform | None = None,
    since: Annotated[Day | None, Query(description="First day, in the quota time zone")] = None,
    until: Annotated[Day | None, Query(description="Last day, inclusive")] = None,
    page: Page = 1,
    per_page: PerPage = 20,
) -> SessionPageOut:
    """Sessions from every linked identity, newest first."""
    filters = views.session_filter(
        role=role.value if role else None,
        difficulty=difficulty.value if difficulty else None,
        platform=platform.value if platform else None,
        since=since,
        until=until,
        zone=deps.rules.timezone,
    )
    found = services.list_sessions(
        deps, scope=viewer.scope, filters=filters, page=page, per_page=per_page
    )
    return SessionPageOut(
        items=[SessionItemOut.of_item(item) for item in found.items],
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
    )


@router.get("/sessions/{session_id}", tags=["history"], responses=NOT_FOUND)
def session_detail(session_id: SessionId, viewer: ApiViewer, deps: DepsDep) -> SessionDetailOut:
    """Every question, answer, score, feedback, ideal answer and tag of one session."""
    detail = services.session_detail(deps, scope=viewer.scope, session_id=session_id)
    if detail is None:
        raise HTTPException(404, "Not found.")
    return SessionDetailOut.of(detail)


@router.get("/analytics", tags=["analytics"])
def analytics(viewer: ApiViewer, deps: DepsDep, days: Days = 90) -> AnalyticsOut:
    figures = services.analytics(deps, scope=viewer.scope, days=days)
    return AnalyticsOut.of(figures, days=days, today=_today(deps))


@router.get("/team/analytics", tags=["analytics"])
def team_analytics(
    _: Superuser,
    deps: DepsDep,
    days: Days = 90,
    workspace: Annotated[
        str | None,
        Query(max_length=WORKSPACE_TEXT, description="platform:tenant, e.g. slack:T024"),
    ] = None,
) -> AnalyticsOut:
    """Team-wide figures (superusers): per workspace or server, cache hit rate, LLM use."""
    platform, tenant = views.split_workspace(workspace)
    figures = services.analytics(deps, scope=None, days=days, platform=platform, tenant=tenant)
    return AnalyticsOut.of(figures, days=days, today=_today(deps))


@router.get("/identities", tags=["linking"])
def identities(viewer: ApiViewer, deps: DepsDep) -> list[IdentityOut]:
    """Chat identities linked to this account."""
    return [IdentityOut.of(i) for i in services.linked_identities(deps, web_user_id=viewer.id)]


@router.post("/identities", tags=["linking"], status_code=201)
def link_identity(body: LinkIn, viewer: ApiViewer, deps: DepsDep) -> IdentityOut:
    """Redeem a one-time code from `/interview link` (single use, valid for a few minutes; a few
    wrong codes in a row are answered 429 for a while)."""
    linked = throttle.redeem_link_code(deps, code=body.code, web_user_id=viewer.id)
    return IdentityOut.of(linked)


@router.delete("/identities/{identity_id}", tags=["linking"], status_code=204, responses=NOT_FOUND)
def unlink_identity(identity_id: IdentityId, viewer: ApiViewer, deps: DepsDep) -> Response:
    if not services.unlink_identity(deps, web_user_id=viewer.id, identity_id=identity_id):
        raise HTTPException(404, "Not found.")
    return Response(status_code=204)


@router.delete(
    "/history",
    tags=["history"],
    responses={400: {"model": ErrorOut, "description": "confirm=true is missing"}},
)
def delete_history(
    viewer: ApiViewer,
    deps: DepsDep,
    confirm: Annotated[bool, Query(description="Must be true: this cannot be undone")] = False,
) -> DeletedOut:
    """Delete every session and answer of this account and of its linked chat identities, which
    are removed and so unlinked (`GET /api/identities` lists them beforehand)."""
    if not confirm:
        raise HTTPException(400, "Add ?confirm=true to delete your history; it cannot be undone.")
    deleted = views.delete_data(deps, viewer)
    return DeletedOut(
        deleted_identities=deleted.removed,
        sessions=deleted.sessions,
        unlinked=[IdentityOut.of(i) for i in deleted.identities],
    )


def _today(deps: DepsDep) -> date:
    return deps.clock.now().astimezone(deps.rules.timezone).date()
